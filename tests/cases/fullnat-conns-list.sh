#!/bin/bash
# /proc/net/nft_lvs/conns with thousands of connections, read whole and in
# small pieces: each read goes on where the last one stopped, so both give
# every connection exactly once, the same set, matching the conns counter.
# IPv4 and IPv6 connections in one table.
# timeout: 200
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

SYNFLOOD=$TOP/build/host/tests/tools/synflood
topo_setup
lvs_start_servers 8080 8080/v6
lvs_service_table "$VIP4" 80 tcp || fail "service table"
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080,$RS4_2:8080" \
	"laddrs=$LIP4_1,$LIP4_2" || fail "service"
lvs_service_table "$VIP6" 80 tcp || fail "IPv6 service table"
in_ns lb "$LVSRULE" add ip6 lvs svc fullnat "pool=[$RS6_1]:8080,[$RS6_2]:8080" \
	"laddrs=$LIP6_1,$LIP6_2" || fail "IPv6 service"

# Every spoofed SYN opens a connection; none may expire during the test.
in_ns lb sysctl -qw net.nft_lvs.timeout_syn_sent=120 net.nft_lvs.timeout_syn_recv=120 ||
	fail "timeouts"
out=$(in_ns client "$SYNFLOOD" "$VIP4" 80 10.9.0.0/16 3000 20 syn) || fail "synflood: $out"
log "flood: $out"
out=$(in_ns client "$SYNFLOOD" "$VIP6" 80 2001:db8:ff::/112 1000 20 syn) || fail "IPv6 synflood: $out"
log "IPv6 flood: $out"
conns=$(lvs_stat conns)
[ "$conns" -ge 3900 ] || fail "only $conns connections after 4000 SYNs"

list() { cut -d' ' -f1-6 | tail -n +2 | sort; }
in_ns lb cat /proc/net/nft_lvs/conns >/tmp/whole
in_ns lb dd if=/proc/net/nft_lvs/conns bs=53 status=none >/tmp/pieces
log "$(head -n 3 /tmp/whole)"
assert_eq "proto client virtual local real state expires" "$(head -n 1 /tmp/pieces)" "header"
list </tmp/whole >/tmp/whole.sorted
list </tmp/pieces >/tmp/pieces.sorted
assert_eq "$conns" "$(wc -l </tmp/whole.sorted)" "connections listed by one read"
assert_eq "$conns" "$(sort -u /tmp/whole.sorted | wc -l)" "distinct connections listed"
v6=$(grep -cE "^tcp \\[2001:db8:ff::[0-9a-f]+\\]:[0-9]+ \\[$VIP6\\]:80 \\[($LIP6_1|$LIP6_2)\\]:[0-9]+ \\[($RS6_1|$RS6_2)\\]:8080 " /tmp/whole.sorted)
[ "$v6" -ge 900 ] || fail "only $v6 IPv6 connections listed: $(grep -m3 2001 /tmp/whole.sorted)"
cmp -s /tmp/whole.sorted /tmp/pieces.sorted ||
	fail "reading in 53-byte pieces lists other connections: $(diff /tmp/whole.sorted /tmp/pieces.sorted | head -5)"
assert_eq "$conns" "$(lvs_stat conns)" "connections still there (no expiry during the test)"
