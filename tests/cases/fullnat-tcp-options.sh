#!/bin/bash
# TCP through FULLNAT with the client's timestamps, SACK and window scaling
# each on and off, over a lossy client link (netem), so that retransmissions
# and SACK blocks (translated by the sequence delta) are exercised; every
# byte is checked. IPv4 and IPv6 (the options sysctls cover both).
# timeout: 600
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

lvs_web_service "pool=$RS4_1:8080,$RS4_2:8080" "laddrs=$LIP4_1" sched=rr || fail "service"
lvs_start_servers 8080 --v6
lvs_service_table "$VIP6" 80 tcp || fail "IPv6 service table"
in_ns lb "$LVSRULE" add ip6 lvs svc fullnat "pool=[$RS6_1]:8080,[$RS6_2]:8080" "laddrs=$LIP6_1" \
	sched=rr || fail "IPv6 service"
# Loss and reordering both ways on the client's link.
in_ns client tc qdisc add dev "$CLIENT_IF" root netem loss 2% delay 2ms reorder 10% ||
	skip "netem unavailable"
in_ns lb tc qdisc add dev "$LB_IF_CLIENT" root netem loss 2% delay 2ms

exchange() {
	local out
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 4 --parallel 2 \
		--sizes 700000,3,2500000,64000 --timeout 60) || fail "$CLIENT_OPTS: $out"
	assert_eq 4 "$(json_get ok <<<"$out")" "exchanges ($CLIENT_OPTS)"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 1 --sizes 700000 --timeout 60) ||
		fail "IPv6, $CLIENT_OPTS: $out"
	assert_eq 1 "$(json_get ok <<<"$out")" "IPv6 exchange ($CLIENT_OPTS)"
}
lvs_each_client_options exchange || fail "client options"
log "$(in_ns lb grep -E 'pkts|bytes|error' /proc/net/nft_lvs/stats)"
