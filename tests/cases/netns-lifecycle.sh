#!/bin/bash
# Module state is per network namespace: each namespace counts its own
# services, and deleting namespaces that hold rules frees everything (the
# module can be unloaded afterwards without a leak warning).
# exclusive: unloads nft_lvs
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

lvs_unload
modprobe nft_lvs
for i in $(seq 1 20); do
	ip netns add "lvs$i"
	ip netns exec "lvs$i" nft -f - <<-'NFT' || fail "tables in lvs$i"
		table ip lvs { chain c { type filter hook prerouting priority raw; }; }
		table ip6 lvs6 { chain c { type filter hook prerouting priority raw; }; }
	NFT
	# i IPv4 services (one batch of 3 i rules) and one IPv6 service
	rules=()
	for j in $(seq 1 "$i"); do
		rules+=(lb-dispatch -- synproxy-lb -- fullnat "pool=10.1.0.$j" laddrs=10.1.0.254 --)
	done
	ip netns exec "lvs$i" "$LVSRULE" add ip lvs c "${rules[@]:0:${#rules[@]}-1}" ||
		fail "add rules in lvs$i"
	ip netns exec "lvs$i" "$LVSRULE" add ip6 lvs6 c lb-dispatch -- synproxy-lb -- \
		fullnat "pool=[2001:db8:1::$i]" laddrs=2001:db8:1::fe || fail "add IPv6 rule in lvs$i"
done
for i in 1 7 20; do
	assert_eq "$((i + 1))" "$(ip netns exec "lvs$i" awk '$1 == "services" { print $2 }' /proc/net/nft_lvs/stats)" \
		"services in namespace lvs$i"
done
assert_eq 0 "$(lvs_services)" "services in the initial namespace"

# The module is pinned while any namespace has rules.
rmmod nft_lvs 2>/dev/null && fail "module unloaded while namespaces hold rules"

# Half the namespaces go away with their rules; the others are unaffected.
for i in $(seq 1 2 20); do ip netns del "lvs$i"; done
assert_eq 21 "$(ip netns exec lvs20 awk '$1 == "services" { print $2 }' /proc/net/nft_lvs/stats)" \
	"services in lvs20 after other namespaces died"
assert_eq 20 "$(ip netns exec lvs20 "$LVSRULE" list ip lvs c | grep -c fullnat)" \
	"rules in lvs20 after other namespaces died"
for i in $(seq 2 2 20); do ip netns del "lvs$i"; done

# Namespace teardown is asynchronous; the module must become free.
assert_ok lvs_unload
