#!/bin/bash
# Path MTU through the LB: a route with a smaller MTU on the LB, toward the
# real server or toward the client, makes the LB answer oversized DF
# packets with "fragmentation needed" from the address the sender used
# (VIP or lip); the sender lowers its path MTU and large transfers complete.
# timeout: 300
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

lvs_web_service "pool=$RS4_1:8080" "laddrs=$LIP4_1" || fail "service"
frag() { lvs_stat xmit_frag_needed; }

# Client -> RS too big: the LB's route to rs1 has MTU 1280.
in_ns lb ip route add "$RS4_1/32" dev "$LB_IF_RS" mtu 1280
for offload in on off; do
	topo_offloads "$offload"
	before=$(frag)
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 2 --sizes 2000000 --timeout 30) ||
		fail "upload over a 1280 path toward the RS ($offload): $out"
	[ "$(frag)" -gt "$before" ] || fail "no fragmentation-needed sent toward the client ($offload)"
	in_ns client ip route get "$VIP4" | grep -q 'mtu 1280' ||
		fail "client has no path MTU 1280 to the VIP: $(in_ns client ip route get "$VIP4")"
	in_ns client ip route flush cache
done
in_ns lb ip route del "$RS4_1/32"

# RS -> client too big: the LB's route to the client has MTU 1280.
in_ns lb ip route add "$CLIENT4/32" dev "$LB_IF_CLIENT" mtu 1280
before=$(frag)
for offload in on off; do
	topo_offloads "$offload"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 2 --sizes 2000000 --timeout 30) ||
		fail "download over a 1280 path toward the client ($offload): $out"
	[ "$(frag)" -gt "$before" ] || fail "no fragmentation-needed sent toward the RS ($offload)"
	in_ns rs1 ip route get "$LIP4_1" | grep -q 'mtu 1280' ||
		fail "rs1 has no path MTU 1280 to the local address: $(in_ns rs1 ip route get "$LIP4_1")"
	in_ns rs1 ip route flush cache
	before=$(frag)
done
log "$(in_ns lb grep -E 'frag|icmp|error' /proc/net/nft_lvs/stats)"
