#!/bin/bash
# Clients on the load balancer itself: statements at the output hook serve
# locally originated connections to the VIP (the replies come back through
# lb-dispatch at prerouting).
# timeout: 200
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080
lvs_start_servers 5353 --udp
lvs_service_table "$VIP4" 80 tcp || fail "service table"
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080,$RS4_2:8080" "laddrs=$LIP4_1" sched=rr ||
	fail "service"
in_ns lb nft add chain ip lvs out '{ type filter hook output priority raw; policy accept; }'
in_ns lb nft add chain ip lvs osvc
in_ns lb "$LVSRULE" add ip lvs out lb-dispatch || fail "lb-dispatch at output"
in_ns lb nft add rule ip lvs out ip daddr "$VIP4" tcp dport 80 jump svc
in_ns lb nft add rule ip lvs out ip daddr "$VIP4" udp dport 53 jump osvc
in_ns lb "$LVSRULE" add ip lvs osvc fullnat "pool=$RS4_3:5353" "laddrs=$LIP4_2" || fail "udp service"

out=$(in_ns lb $LBTRAFFIC tcp "$VIP4" 80 --count 6 --sizes 10,300000) || fail "local tcp: $out"
assert_eq '{"rs1": 3, "rs2": 3}' "$(json_get rs <<<"$out")" "local clients spread"
assert_eq "{\"$LIP4_1\": 6}" "$(json_get peers <<<"$out")" "peer seen by the servers"
out=$(in_ns lb $LBTRAFFIC udp "$VIP4" 53 --count 3 --sizes 10,1000) || fail "local udp: $out"
assert_eq '{"rs3": 3}' "$(json_get rs <<<"$out")" "local udp client"
# Remote clients still work alongside.
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 2) || fail "remote tcp: $out"
