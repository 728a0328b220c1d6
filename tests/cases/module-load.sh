#!/bin/bash
# The module loads and unloads cleanly, repeatedly, and creates its
# per-namespace state on load.
# exclusive: loads and unloads nft_lvs
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

lvs_unload
for _ in 1 2 3 4 5; do
	assert_ok modprobe nft_lvs
	lvs_loaded || fail "nft_lvs not in /proc/modules after modprobe"
	[ -r /proc/net/nft_lvs/stats ] || fail "no /proc/net/nft_lvs/stats"
	assert_eq 0 "$(lvs_services)" "services on a fresh load"
	assert_ok modprobe -r nft_lvs
	! lvs_loaded || fail "nft_lvs still loaded after modprobe -r"
	[ ! -e /proc/net/nft_lvs ] || fail "/proc/net/nft_lvs left behind"
done

# The expression types are registered for ip, ip6 and inet.
modinfo -F alias nft_lvs | sort >/tmp/aliases
for expr in lb-dispatch synproxy-lb fullnat; do
	for fam in 1 2 10; do
		grep -qx "nft-expr-$fam-$expr" /tmp/aliases ||
			fail "alias nft-expr-$fam-$expr missing"
	done
done
