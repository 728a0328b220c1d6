#!/bin/bash
# Limits and lifetimes: lport exhaustion with one lip and a two-port range,
# a full table (conn_max), per-state timeouts expiring (short sysctls),
# teardown by FIN and by RST, and reuse of a connection in TIME_WAIT.
# lport exhaustion and the expiry of the connections also over IPv6.
# timeout: 330
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080/hold=3 8080/v6/hold=3 5353/udp
lvs_service_table "$VIP4" 80 tcp || fail "service table"
in_ns lb nft add chain ip lvs svc53
in_ns lb nft insert rule ip lvs pre ip daddr "$VIP4" udp dport 53 jump svc53
in_ns lb "$LVSRULE" add ip lvs svc53 fullnat "pool=$RS4_1:5353" "laddrs=$LIP4_1" timeout=2 ||
	fail "udp service"
conns() { in_ns lb awk '$1 == "conns" { print $2 }' /proc/net/nft_lvs/stats; }
wait_conns() {	# wait_conns N SECONDS
	for _ in $(seq 1 $(($2 * 10))); do
		[ "$(conns)" = "$1" ] && return 0
		sleep 0.1
	done
	fail "expected $1 connections, have $(conns): $(in_ns lb cat /proc/net/nft_lvs/conns)"
}

# lport exhaustion: one lip, ports 5000-5001, three concurrent connections.
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080" "laddrs=$LIP4_1" ports=5000-5001 ||
	fail "tcp service"
# The servers hold each connection 3 s; the third client gives up after 6 s,
# while the two ports are still busy (TIME_WAIT, 30 s here so that a slow guest
# still finds them listed afterwards; the expiry part below shortens it again).
in_ns lb sysctl -qw net.nft_lvs.timeout_time_wait=30
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 3 --parallel 3 --timeout 6)
log "exhaustion: $out"
assert_eq 2 "$(json_get ok <<<"$out")" "connections with two local ports"
[ "$(lvs_stat lport_exhausted)" -ge 1 ] || fail "lport_exhausted not counted"
in_ns lb awk 'NR > 1 { split($4, a, ":"); print a[2] }' /proc/net/nft_lvs/conns | sort -u >/tmp/ports
grep -qvE '^500[01]$' /tmp/ports && fail "a local port outside 5000-5001: $(cat /tmp/ports)"

# The same with one IPv6 lip (the IPv4 connections are still open: a table of both families).
in_ns lb "$NFTLVS" -f - <<NFT || fail "IPv6 service"
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8080 } via { $LIP6_1 } ports 5000-5001
	}
}
NFT
exhausted=$(lvs_stat lport_exhausted)
out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 3 --parallel 3 --timeout 6)
log "IPv6 exhaustion: $out"
assert_eq 2 "$(json_get ok <<<"$out")" "IPv6 connections with two local ports"
[ "$(lvs_stat lport_exhausted)" -gt "$exhausted" ] || fail "IPv6 lport_exhausted not counted"
in_ns lb awk -v lip="[$LIP6_1]" 'NR > 1 && index($4, lip) == 1 { sub(/.*:/, "", $4); print $4 }' \
	/proc/net/nft_lvs/conns | sort -u >/tmp/ports6
assert_eq "5000 5001" "$(echo $(cat /tmp/ports6))" "IPv6 local ports in use"

# Timeouts: short TIME_WAIT and CLOSE; everything drains. (FIN_WAIT stays
# longer than the servers' 3 s hold: a half-closed connection whose server
# is silent for longer than timeout_fin_wait is forgotten, as in IPVS.)
in_ns lb sysctl -qw net.nft_lvs.timeout_time_wait=1 net.nft_lvs.timeout_close=1 \
	net.nft_lvs.timeout_last_ack=2
wait_conns 0 15
[ "$(lvs_stat conn_expired)" -ge 2 ] || fail "conn_expired $(lvs_stat conn_expired)"

# UDP: the service's own timeout (2 s).
out=$(in_ns client $LBTRAFFIC udp "$VIP4" 53 --count 2) || fail "udp: $out"
assert_eq 2 "$(conns)" "UDP connections right after the exchange"
wait_conns 0 6

# A full table: conn_max 2 refuses a third connection while two are open (two that keep
# sending until the check is over: on a debug kernel two fixed exchanges ended first).
lvs_start_servers 8082
in_ns lb sysctl -qw net.nft_lvs.conn_max=2
in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8082" "laddrs=$LIP4_1" || fail "service"
before=$(lvs_stat conn_exceeded)
lvs_across_start 2 "$VIP4" 80 || fail "two connections carrying data"
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 1 --timeout 4)
log "third: $out"
assert_eq 0 "$(json_get ok <<<"$out")" "a third connection with conn_max 2"
[ "$(lvs_stat conn_exceeded)" -gt "$before" ] || fail "conn_exceeded not counted"
lvs_across_end "the two connections within conn_max"
in_ns lb sysctl -qw net.nft_lvs.conn_max=1000
in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080" "laddrs=$LIP4_1" || fail "service"
wait_conns 0 15

# FIN teardown walks to TIME_WAIT; a new SYN from the same client port
# reuses the connection; RST goes to CLOSE.
in_ns lb sysctl -qw net.nft_lvs.timeout_time_wait=30 net.nft_lvs.timeout_close=30
in_ns client sysctl -qw net.ipv4.tcp_tw_reuse=1
lvs_from_port 61000 "$VIP4" 80 first || fail "first exchange from port 61000"
[ "$(lvs_conn_of 61000 TIME_WAIT)" = "$RS4_1:8080 TIME_WAIT" ] ||
	fail "no TIME_WAIT after FIN teardown: $(in_ns lb cat /proc/net/nft_lvs/conns)"
lvs_from_port 61000 "$VIP4" 80 again || fail "reuse of a TIME_WAIT connection"
[ "$(lvs_stat conn_reused)" -ge 1 ] || fail "conn_reused not counted"
in_ns client $PY - "$VIP4" <<'PY' || fail "rst client"
import socket, struct, sys, time
s = socket.socket(); s.settimeout(5); s.connect((sys.argv[1], 80))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
time.sleep(0.5); s.close()
PY
sleep 1
in_ns lb grep -q ' CLOSE ' /proc/net/nft_lvs/conns ||
	fail "no CLOSE after RST: $(in_ns lb cat /proc/net/nft_lvs/conns)"
