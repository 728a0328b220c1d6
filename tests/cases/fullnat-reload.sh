#!/bin/bash
# Connections survive a ruleset reload: a transfer in flight completes,
# open connections keep their server and stay counted, new connections
# follow the new rules.
# timeout: 300
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

LVS_SERVER_OPTS="--hold 6" lvs_web_service "pool=$RS4_1:8080,$RS4_2:8080" "laddrs=$LIP4_1" sched=lc ||
	fail "service"

in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 4 --parallel 4 --sizes 3000000 --timeout 30 \
	>/tmp/first.json &
first=$!
active() { in_ns lb awk -v rs="$1" '$1 == rs { print $3 + $4 }' /proc/net/nft_lvs/real; }
# Reload while all four connections are open (the servers hold them 6 s).
for _ in $(seq 1 150); do
	[ "$(( $(active "$RS4_1:8080") + $(active "$RS4_2:8080") ))" = 4 ] && break
	sleep 0.1
done
a1=$(active "$RS4_1:8080") a2=$(active "$RS4_2:8080")
assert_eq 4 "$((a1 + a2))" "connections open before the reload"
log "before reload: rs1 $a1 rs2 $a2"
svc_conns() { in_ns lb awk -v v="$VIP4:80" '$1 == "tcp" && $2 == v { print $3 }' /proc/net/nft_lvs/services; }
assert_eq 4 "$(svc_conns)" "service connections before the reload"

# Whole ruleset replaced in one go, as a reload does.
in_ns lb nft flush ruleset
lvs_service_table "$VIP4" 80 tcp || fail "service table again"
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080,$RS4_2:8080,$RS4_3:8080" \
	"laddrs=$LIP4_1" sched=lc || fail "service again"
assert_eq "$a1" "$(active "$RS4_1:8080")" "rs1 connections counted after reload"
assert_eq "$a2" "$(active "$RS4_2:8080")" "rs2 connections counted after reload"

# lc sees the old connections: new ones go to rs3 first.
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 1) || fail "new connection: $out"
assert_eq '{"rs3": 1}' "$(json_get rs <<<"$out")" "lc after reload"
assert_eq 5 "$(svc_conns)" "service connections counted across the reload"

wait "$first" || fail "transfers across the reload: $(cat /tmp/first.json)"
assert_eq 4 "$(json_get ok </tmp/first.json)" "transfers completed across the reload"
