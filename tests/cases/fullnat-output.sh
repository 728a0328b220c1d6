#!/bin/bash
# Clients on the load balancer itself: statements at the output hook serve
# locally originated connections to the VIP (the replies come back through
# lb-dispatch at prerouting, or the ingress fast path). IPv4 and IPv6.
# timeout: 200
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080 5353/udp 8080/v6 5353/udp/v6

# local_clients FAMILY VIP "RS1 RS2 RS3" (as in a pool) LIP1 LIP2
local_clients() {
	local fam=$1 vip=$2 rs1 rs2 rs3 lip1=$4 lip2=$5 out
	read -r rs1 rs2 rs3 <<<"$3"
	lvs_service_table "$vip" 80 tcp || fail "service table ($fam)"
	in_ns lb "$LVSRULE" add "$fam" lvs svc fullnat "pool=$rs1:8080,$rs2:8080" "laddrs=$lip1" \
		sched=rr || fail "service ($fam)"
	in_ns lb nft add chain "$fam" lvs out '{ type filter hook output priority raw; policy accept; }'
	in_ns lb nft add chain "$fam" lvs osvc
	in_ns lb "$LVSRULE" add "$fam" lvs out lb-dispatch || fail "lb-dispatch at output ($fam)"
	in_ns lb nft add rule "$fam" lvs out "$fam" daddr "$vip" tcp dport 80 jump svc
	in_ns lb nft add rule "$fam" lvs out "$fam" daddr "$vip" udp dport 53 jump osvc
	in_ns lb "$LVSRULE" add "$fam" lvs osvc fullnat "pool=$rs3:5353" "laddrs=$lip2" ||
		fail "udp service ($fam)"

	out=$(in_ns lb $LBTRAFFIC tcp "$vip" 80 --count 6 --sizes 10,300000) || fail "local tcp ($fam): $out"
	assert_eq '{"rs1": 3, "rs2": 3}' "$(json_get rs <<<"$out")" "local clients spread ($fam)"
	assert_eq "{\"$lip1\": 6}" "$(json_get peers <<<"$out")" "peer seen by the servers ($fam)"
	out=$(in_ns lb $LBTRAFFIC udp "$vip" 53 --count 3 --sizes 10,1000) || fail "local udp ($fam): $out"
	assert_eq '{"rs3": 3}' "$(json_get rs <<<"$out")" "local udp client ($fam)"
	# Remote clients still work alongside.
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 2) || fail "remote tcp ($fam): $out"
}

# The ingress fast path on the servers' side takes the replies to local clients too: it
# delivers them on input, as prerouting does.
in_ns lb "$NFTLVS" -f - <<NFT || fail "fast path"
table netdev fast {
	chain rs {
		type filter hook ingress device "$LB_IF_RS" priority 0; policy accept;
		lb-dispatch
	}
}
NFT
local_clients ip "$VIP4" "$RS4_1 $RS4_2 $RS4_3" "$LIP4_1" "$LIP4_2"
local_clients ip6 "$VIP6" "[$RS6_1] [$RS6_2] [$RS6_3]" "$LIP6_1" "$LIP6_2"
fast=$(lvs_stat fastpath_pkts)
log "fast path: $fast packets, $(lvs_stat fastpath_passed) passed"
[ "$fast" -gt 100 ] || fail "replies to local clients on the fast path: $fast"
