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

# too_big VIP MTU ROUTE DEV SENDER_NS SENDER_DEST WHAT: the LB's route to ROUTE (via DEV) gets
# MTU; 2 MB each way, offloads on and off; the LB answers (fragmentation needed / Packet Too
# Big) and SENDER_NS learns the MTU toward SENDER_DEST (the address it sends to).
too_big() {
	local vip=$1 mtu=$2 route=$3 dev=$4 ns=$5 dest=$6 what=$7 offload before out fam=-4
	case $vip in *:*) fam=-6 ;; esac
	in_ns lb ip route add "$route" dev "$dev" mtu "$mtu"
	for offload in on off; do
		topo_offloads "$offload"
		before=$(frag)
		out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 2 --sizes 2000000 --timeout 30) ||
			fail "2 MB each way over a $mtu path $what ($vip, $offload): $out"
		[ "$(frag)" -gt "$before" ] || fail "nothing too big answered, path $what ($vip, $offload)"
		in_ns "$ns" ip route get "$dest" | grep -q "mtu $mtu" ||
			fail "$ns has no path MTU $mtu to $dest: $(in_ns "$ns" ip route get "$dest")"
		in_ns "$ns" ip "$fam" route flush cache
	done
	in_ns lb ip route del "$route"
}
# pmtu_cases VIP RS CLIENT LIP MTU: client -> RS too big, then RS -> client. (IPv6 links carry
# 1280 bytes at least: 1300 there.)
pmtu_cases() {
	too_big "$1" "$5" "$2" "$LB_IF_RS" client "$1" "toward the RS"
	too_big "$1" "$5" "$3" "$LB_IF_CLIENT" rs1 "$4" "toward the client"
}
pmtu_cases "$VIP4" "$RS4_1" "$CLIENT4" "$LIP4_1" 1280
pmtu_cases "$VIP6" "$RS6_1" "$CLIENT6" "$LIP6_1" 1300
log "$(in_ns lb grep -E 'frag|icmp|error' /proc/net/nft_lvs/stats)"
