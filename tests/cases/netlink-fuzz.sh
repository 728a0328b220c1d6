#!/bin/bash
# Hostile netlink input: 1,800 seeded, malformed lb-dispatch, synproxy-lb and
# fullnat attribute sets (wrong types and lengths, missing and repeated attributes and
# nests, boundary values, unknown types, lists past their limits, set names that do not
# exist) in well-formed batches, in ip, ip6 and inet tables. Each one is refused with an
# errno or accepted, and an accepted one dumps back as the same bytes when sent again as
# dumped. Afterwards nothing is left: the rules are gone, the module's reference count is
# what it was, it unloads. (On the debug kernels kmemleak checks the same run.)
# timeout: 400
# exclusive: unloads nft_lvs and reads the kernel log
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

NLFUZZ=$TOP/build/host/tests/tools/nlfuzz
SEED=${NLFUZZ_SEED:-1}
ROUNDS=${NLFUZZ_ROUNDS:-600}

modprobe nft_lvs || fail "modprobe"
refs0=$(cat /sys/module/nft_lvs/refcnt)
nft -f - <<'NFT' || fail "tables"
table ip fz {
	map web4 { type ipv4_addr . inet_service : mark; elements = { 10.1.0.1 . 80 : 1 } }
	set lips4 { type ipv4_addr; elements = { 10.1.0.254 } }
	chain c { type filter hook prerouting priority raw; policy accept; }
}
table ip6 fz {
	map web6 { type ipv6_addr . inet_service : mark; elements = { 2001:db8:1::1 . 80 : 1 } }
	set lips6 { type ipv6_addr; elements = { 2001:db8:1::fe } }
	chain c { type filter hook prerouting priority raw; policy accept; }
}
table inet fz {
	map web4 { type ipv4_addr . inet_service : mark; elements = { 10.1.0.1 . 80 : 1 } }
	set lips4 { type ipv4_addr; elements = { 10.1.0.254 } }
	map web6 { type ipv6_addr . inet_service : mark; elements = { 2001:db8:1::1 . 80 : 1 } }
	set lips6 { type ipv6_addr; elements = { 2001:db8:1::fe } }
	chain c { type filter hook prerouting priority raw; policy accept; }
}
NFT

n=0
for fam in ip ip6 inet; do
	out=$("$NLFUZZ" "$fam" fz c "$((SEED + n))" "$ROUNDS") || fail "nlfuzz $fam seed $((SEED + n)): $out"
	log "$fam (seed $((SEED + n))): $out"
	accepted=$(json_get accepted <<<"$out")
	# The generator must reach both sides: enough valid statements, and refusals.
	[ "$accepted" -ge $((ROUNDS / 20)) ] || fail "$fam: only $accepted of $ROUNDS accepted"
	[ "$accepted" -le $((ROUNDS * 19 / 20)) ] || fail "$fam: $accepted of $ROUNDS accepted"
	kinds=$($PY -c 'import json,sys; print(len(json.loads(sys.argv[1])["errnos"]))' "$out")
	[ "$kinds" -ge 3 ] || fail "$fam: refusals of only $kinds kinds"
	n=$((n + 1))
done

# Nothing of ours is left in any chain; the references come back; it unloads.
for fam in ip ip6 inet; do
	assert_eq "" "$(nft list chain $fam fz c | grep -E 'fullnat|synproxy-lb|lb-dispatch')" \
		"rules left in $fam"
done
nft flush ruleset
for _ in $(seq 1 50); do
	[ "$(cat /sys/module/nft_lvs/refcnt)" = "$refs0" ] && break
	sleep 0.1
done
assert_eq "$refs0" "$(cat /sys/module/nft_lvs/refcnt)" "module references after the run"
assert_ok modprobe -r nft_lvs
