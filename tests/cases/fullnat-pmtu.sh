#!/bin/bash
# Path MTU through the LB: a route with a smaller MTU on the LB, toward the
# real server or toward the client, makes the LB answer oversized DF
# packets with "fragmentation needed" (IPv6: Packet Too Big) from the address
# the sender used (VIP or lip); the sender lowers its path MTU and large
# transfers complete. IPv4 and IPv6.
# timeout: 300
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

LVS_SERVER_OPTS="8080/v6" lvs_web_service "pool=$RS4_1:8080" "laddrs=$LIP4_1" || fail "service"
lvs_service_table "$VIP6" 80 tcp && in_ns lb "$LVSRULE" add ip6 lvs svc fullnat "pool=[$RS6_1]:8080" \
	"laddrs=$LIP6_1" || fail "IPv6 service"
frag() { lvs_stat xmit_frag_needed; }

# pmtu_cases VIP RS CLIENT LIP MTU: first the LB's route to RS, then its route to CLIENT gets
# MTU; 2 MB each way, offloads on and off; the LB answers (fragmentation needed / Packet Too
# Big) and the sender learns the MTU. (IPv6 links carry 1280 bytes at least: 1300 there.)
pmtu_cases() {
	local vip=$1 rs=$2 client=$3 lip=$4 mtu=$5 offload before out fam=-4
	case $vip in *:*) fam=-6 ;; esac

	# Client -> RS too big.
	in_ns lb ip route add "$rs" dev "$LB_IF_RS" mtu "$mtu"
	for offload in on off; do
		topo_offloads "$offload"
		before=$(frag)
		out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 2 --sizes 2000000 --timeout 30) ||
			fail "upload over a $mtu path toward the RS ($vip, $offload): $out"
		[ "$(frag)" -gt "$before" ] || fail "nothing too big answered toward the client ($vip, $offload)"
		in_ns client ip route get "$vip" | grep -q "mtu $mtu" ||
			fail "client has no path MTU $mtu to the VIP: $(in_ns client ip route get "$vip")"
		in_ns client ip "$fam" route flush cache
	done
	in_ns lb ip route del "$rs"

	# RS -> client too big.
	in_ns lb ip route add "$client" dev "$LB_IF_CLIENT" mtu "$mtu"
	for offload in on off; do
		topo_offloads "$offload"
		before=$(frag)
		out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 2 --sizes 2000000 --timeout 30) ||
			fail "download over a $mtu path toward the client ($vip, $offload): $out"
		[ "$(frag)" -gt "$before" ] || fail "nothing too big answered toward the RS ($vip, $offload)"
		in_ns rs1 ip route get "$lip" | grep -q "mtu $mtu" ||
			fail "rs1 has no path MTU $mtu to the local address: $(in_ns rs1 ip route get "$lip")"
		in_ns rs1 ip "$fam" route flush cache
	done
	in_ns lb ip route del "$client"
}
pmtu_cases "$VIP4" "$RS4_1" "$CLIENT4" "$LIP4_1" 1280
pmtu_cases "$VIP6" "$RS6_1" "$CLIENT6" "$LIP6_1" 1300
log "$(in_ns lb grep -E 'frag|icmp|error' /proc/net/nft_lvs/stats)"
