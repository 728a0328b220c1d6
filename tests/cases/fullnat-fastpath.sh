#!/bin/bash
# The ingress fast path on the LB's two devices (the client side and the bridge toward the
# servers), first as lb-dispatch in netdev ingress chains, then, for the rest of the case,
# as a flowtable in a netdev table (no chain around it). TCP and UDP through fullnat,
# IPv4 and IPv6, and TCP behind synproxy-lb stay byte-exact with offloads on and off;
# most packets of established connections take the fast path (fastpath_pkts), the
# handshakes and teardowns go through prerouting; a NAT64 service beside them keeps
# working on the prerouting path. Connections survive, byte-exact, a route change, a
# smaller MTU toward the servers (too big: left to prerouting, which answers), flushed
# neighbours and a link going down and up. nftlvs lists both netdev tables back (text
# and JSON), and the listings load; a flowtable asking for hardware offload is refused,
# and nothing of its batch applied. The fast path's packets skip the postrouting hook
# (the egress hook sees them).
# timeout: 420
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
# IPv6 addresses stay when a link goes down (the link test below).
in_ns lb sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/keep_addr_on_down;
	for d in /proc/sys/net/ipv6/conf/*/keep_addr_on_down; do echo 1 > "$d"; done'
lvs_start_servers 8080 8080/v6 5353/udp 5353/udp/v6
FAST=$(topo_fastpath_nft)
in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table inet lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 fullnat to { $RS4_1:8080, $RS4_2:8080, $RS4_3:8080 } via { $LIP4_1, $LIP4_2 } sched rr flags toa
		ip daddr $VIP4 udp dport 53 fullnat to { $RS4_1:5353, $RS4_2:5353 } via { $LIP4_1 } sched rr
		ip daddr $VIP4 tcp dport 81 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_2 } sched rr
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8080, [$RS6_2]:8080 } via { $LIP6_1 } sched rr flags toa
		ip6 daddr $VIP6 udp dport 53 fullnat to { [$RS6_1]:5353, [$RS6_2]:5353 } via { $LIP6_1 } sched rr
		ip6 daddr $VIP6 tcp dport 82 fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_1 } sched rr
		ip daddr $VIP4 meta l4proto { tcp, udp } drop
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
$FAST
NFT

# The netdev table lists back as it was written.
listed=$(in_ns lb "$NFTLVS" list table netdev fast) || fail "list table netdev fast"
assert_eq 2 "$(grep -c '^[[:space:]]*lb-dispatch$' <<<"$listed")" "lb-dispatch listed in both chains"
in_ns lb "$NFTLVS" -c -f - <<<"$listed" || fail "the listing does not load back"
json=$(in_ns lb "$NFTLVS" -j list table netdev fast) || fail "list table netdev fast as JSON"
assert_eq 2 "$(grep -o '"lb-dispatch": null' <<<"$json" | wc -l)" "lb-dispatch in the JSON listing"
# nft 1.0.6 leaves a netdev chain's device out of its JSON listing (and then refuses the
# chain without one): put it back before loading.
json=$(sed -e "s/\"name\": \"cli\", /&\"dev\": \"$LB_IF_CLIENT\", /" \
	-e "s/\"name\": \"rs\", /&\"dev\": \"$LB_IF_RS\", /" <<<"$json")
in_ns lb "$NFTLVS" -j -c -f - <<<"$json" || fail "the JSON listing does not load back"

# fast_from LABEL: fast-path packets since the last call (and their baseline for the next).
fast=0
fast_from() {
	local f
	f=$(($(lvs_stat fastpath_pkts) - fast))
	fast=$(lvs_stat fastpath_pkts)
	log "$1: $f packets took the fast path"
	[ "$f" -gt 0 ] || fail "$1: no packet took the fast path"
}
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 2 --sizes 300000) || fail "tcp, chains: $out"
assert_eq 2 "$(json_get ok <<<"$out")" "tcp exchanges ok through the chains"
fast_from "lb-dispatch in netdev chains"

# The flowtable form replaces the chains; asking it for hardware offload (or flow counters,
# which are conntrack's) is refused, with nothing of the batch applied.
FLOW=$(topo_fastpath_flowtable)
if err=$(in_ns lb "$NFTLVS" -f - 2>&1 <<<"delete table netdev fast
${FLOW/priority 0;/priority 0; flags offload;}"); then
	fail "a flowtable with hardware offload was accepted"
fi
log "flowtable with hardware offload refused: $err"
in_ns lb "$NFTLVS" list table netdev fast | grep -q '^[[:space:]]*lb-dispatch$' ||
	fail "the refused batch deleted the chains"
in_ns lb "$NFTLVS" -f - <<<"delete table netdev fast
$FLOW" || fail "the flowtable replacing the chains"
listed=$(in_ns lb "$NFTLVS" list table netdev fast) || fail "list table netdev fast (flowtable)"
grep -q "flowtable fp" <<<"$listed" || fail "flowtable not listed: $listed"
in_ns lb "$NFTLVS" -c -f - <<<"$listed" || fail "the flowtable's listing does not load back"
json=$(in_ns lb "$NFTLVS" -j list table netdev fast) || fail "list the flowtable as JSON"
in_ns lb "$NFTLVS" -j -c -f - <<<"$json" || fail "the flowtable's JSON listing does not load back"
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 2 --sizes 300000) || fail "tcp, flowtable: $out"
assert_eq 2 "$(json_get ok <<<"$out")" "tcp exchanges ok through the flowtable"
fast_from "the netdev flowtable"

# The fast path hands its packets to the next hop's neighbour: of the servers' unfragmented
# UDP answers (each the second packet of its flow, so a fast-path one; the answers to the
# 1400-byte requests come in fragments, which are prerouting's) the client-side device's
# egress hook sees all, the postrouting hook at most the few prerouting sent.
in_ns lb "$NFTLVS" -f - <<NFT || fail "postrouting and egress counters"
table inet postcount {
	chain post {
		type filter hook postrouting priority 0; policy accept;
		meta nfproto ipv4 udp sport 53 meta length < 1000 counter
	}
}
table netdev txcount {
	chain cli {
		type filter hook egress device "$LB_IF_CLIENT" priority 0; policy accept;
		meta protocol ip udp sport 53 meta length < 1000 counter
	}
}
NFT
# counted TABLE: the packets of the table's counter.
counted() { in_ns lb "$NFTLVS" list table "$1" | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }

pkts=$(($(lvs_stat pkts_in) + $(lvs_stat pkts_out))) passed=$(lvs_stat fastpath_passed)
# fast_share LABEL: at least half the packets translated since the last call took the fast
# path (the rest: handshakes, teardowns, first packets of UDP flows).
fast_share() {
	local f p s
	f=$(($(lvs_stat fastpath_pkts) - fast))
	p=$(($(lvs_stat pkts_in) + $(lvs_stat pkts_out) - pkts))
	s=$(($(lvs_stat fastpath_passed) - passed))
	passed=$(lvs_stat fastpath_passed)
	log "$1: $f of $p translated packets took the fast path, $s were passed to prerouting"
	[ "$f" -gt 0 ] && [ $((2 * f)) -ge "$p" ] || fail "$1: $f of $p packets on the fast path"
	fast=$(lvs_stat fastpath_pkts) pkts=$(($(lvs_stat pkts_in) + $(lvs_stat pkts_out)))
}

for offload in off on; do
	topo_offloads "$offload"
	for vip in "$VIP4" "$VIP6"; do
		out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 6 --parallel 3 \
			--sizes 1,65536,1000000) || fail "tcp $vip ($offload): $out"
		assert_eq 6 "$(json_get ok <<<"$out")" "tcp $vip exchanges ok ($offload)"
		fast_share "tcp $vip, offloads $offload"
		out=$(in_ns client $LBTRAFFIC udp "$vip" 53 --count 12 --sizes 1,512,1400) ||
			fail "udp $vip ($offload): $out"
		assert_eq 12 "$(json_get ok <<<"$out")" "udp $vip exchanges ok ($offload)"
	done
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 81 --count 3 --parallel 3 \
		--sizes 1,65536,1000000) || fail "synproxy-lb ($offload): $out"
	assert_eq 3 "$(json_get ok <<<"$out")" "synproxy-lb exchanges ok ($offload)"
	fast_share "synproxy-lb, offloads $offload"
done

post=$(counted "inet postcount") egress=$(counted "netdev txcount")
log "UDP answers toward the client: $egress at egress, $post of them at postrouting"
[ "${egress:-0}" -ge 16 ] && [ $((4 * post)) -lt "$egress" ] ||
	fail "postrouting saw $post of $egress UDP answers toward the client"
in_ns lb "$NFTLVS" delete table inet postcount
in_ns lb "$NFTLVS" delete table netdev txcount

# NAT64 is left to prerouting: it works, and its packets pass the fast path by.
passed=$(lvs_stat fastpath_passed)
out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 82 --count 3 --sizes 1,300000) || fail "nat64: $out"
assert_eq 3 "$(json_get ok <<<"$out")" "nat64 exchanges ok"
[ "$(lvs_stat fastpath_passed)" -gt $((passed + 50)) ] ||
	fail "NAT64 packets not passed to prerouting: $passed -> $(lvs_stat fastpath_passed)"

# A connection across each change under it stays byte-exact.
topo_offloads on
across() {	# across LABEL CMD...
	local label=$1 out
	shift
	out=$(lvs_across client "$VIP4" 80 "$@") || fail "$label: $out"
	assert_eq 1 "$(json_get ok <<<"$out")" "connection across $label"
	log "across $label: fastpath_pkts $(lvs_stat fastpath_pkts), passed $(lvs_stat fastpath_passed), route lookups $(lvs_stat xmit_route_lookup), frag needed $(lvs_stat xmit_frag_needed)"
}
lookups=$(lvs_stat xmit_route_lookup)
across "a route change" in_ns lb ip route add blackhole 203.0.113.0/24
[ "$(lvs_stat xmit_route_lookup)" -ge $((lookups + 4)) ] ||
	fail "kept routes not looked up again after a route change"
across "flushed neighbours" in_ns lb ip neigh flush all
frag=$(lvs_stat xmit_frag_needed)
# The connection sends pieces of 1000 bytes: 1040-byte packets.
across "a smaller MTU toward the servers" in_ns lb ip link set dev "$LB_IF_RS" mtu 1000
[ "$(lvs_stat xmit_frag_needed)" -gt "$frag" ] ||
	fail "no packet too big for the new MTU was answered"
in_ns lb ip link set dev "$LB_IF_RS" mtu 1500
# Until here every packet had a route; while the client link is down the servers' packets
# toward the client have none and are dropped (and counted) as the stack would drop them.
assert_eq 0 "$(lvs_stat xmit_no_route)" "no-route drops before the link goes down"
across "the client link down and up" in_ns lb sh -c \
	"ip link set dev $LB_IF_CLIENT down && sleep 0.5 && ip link set dev $LB_IF_CLIENT up"
fast_share "connections across changes"

log "$(in_ns lb cat /proc/net/nft_lvs/stats)"
assert_eq 0 "$(lvs_stat xmit_error)" "xmit errors"
log "no-route drops while the client link was down: $(lvs_stat xmit_no_route)"
# The per-service counters count both paths.
sum=$(in_ns lb awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "pkts_in") k = i; next }
	{ s += $k } END { print s + 0 }' /proc/net/nft_lvs/services)
assert_eq "$(lvs_stat pkts_in)" "$sum" "pkts_in: services add up"
