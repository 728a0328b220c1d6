#!/bin/bash
# ICMP errors about a connection, translated both ways: a real server's
# "port unreachable" reaches the client as an error about the packet it
# sent to the VIP (its connected socket sees "connection refused"), and a
# client's "port unreachable" reaches the real server quoting the packet
# the server sent to lip:lport.
# timeout: 200
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
# Port unreachable from the client is exempt from ICMP rate limits there: on 6.1 they draw
# from one global token bucket shared by all namespaces, which a case beside this one can
# empty (a limit is skipped for the types not in the ratemask).
in_ns client sysctl -qw net.ipv4.icmp_ratemask=0 net.ipv6.icmp.ratemask=200 ||
	fail "client ICMP ratemask"
# send_to_closed_port FAMILY CPORT VIP VPORT DUMP: a datagram from the client's port CPORT,
# closed before rs1's reply comes, until the capture DUMP.txt (its messages in DUMP.err)
# shows the client's port unreachable at rs1. rs1 answers a second late (SERVE_LATE): an
# answer at once could reach the client before it closes its port, which happened for
# several tries in a row when the scheduler ran the woken server first. Tries again if the
# error does not show: a datagram or the error can still be lost on a loaded guest (the
# rate limits are off, above).
SERVE_LATE=1
send_to_closed_port() {
	local family=$1 cport=$2 vip=$3 vport=$4 dump=$5 try end
	end=$((SECONDS + 10))
	until grep -q "listening on" "$dump.err"; do
		[ $SECONDS -lt $end ] || fail "tcpdump at rs1 did not start: $(cat "$dump.err")"
		sleep 0.1
	done
	for try in 1 2 3 4 5; do
		in_ns client $PY -c '
import socket, sys
family = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", int(sys.argv[2])))
s.sendto(b"ping", (sys.argv[3], int(sys.argv[4])))
s.close()' "$family" "$cport" "$vip" "$vport"
		end=$((SECONDS + SERVE_LATE + 3))
		while [ $SECONDS -lt $end ]; do
			grep -q unreachable "$dump.txt" && return 0
			sleep 0.1
		done
		log "try $try: no port unreachable at rs1 yet"
	done
}
lvs_start_servers 5353 --udp --hold "$SERVE_LATE"
lvs_service_table "$VIP4" 53 udp || fail "service table"
# Nothing listens on rs2:5999.
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_2:5999" "laddrs=$LIP4_1" ||
	fail "service to a closed port"

# RS -> client: the client's connected UDP socket learns of the refusal.
out=$(lvs_udp_answer "$VIP4" 53)
assert_eq refused "$out" "client socket after the server's port unreachable"
[ "$(lvs_stat icmp_out)" -ge 1 ] || fail "icmp_out $(lvs_stat icmp_out)"

# Client -> RS: a reply to a client port that was closed meanwhile.
in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:5353" "laddrs=$LIP4_1" ||
	fail "service to rs1"
in_ns rs1 tcpdump -n -l -i "$RS_IF" icmp >/tmp/rs-icmp.txt 2>/tmp/rs-icmp.err &
dump=$!
send_to_closed_port 4 47001 "$VIP4" 53 /tmp/rs-icmp
kill "$dump"
wait "$dump" 2>/dev/null
log "$(cat /tmp/rs-icmp.txt)"
[ "$(lvs_stat icmp_in)" -ge 1 ] || fail "icmp_in $(lvs_stat icmp_in)"
lport=$(in_ns lb awk '$2 == "'"$CLIENT4"':47001" { split($4, a, ":"); print a[2] }' \
	/proc/net/nft_lvs/conns)
[ -n "$lport" ] || fail "no connection for the client's port 47001"
# From lip, quoting the server's datagram to lip:lport (not the client's port).
grep -q "IP $LIP4_1 > $RS4_1: ICMP $LIP4_1 udp port $lport unreachable" /tmp/rs-icmp.txt ||
	fail "the server did not get the translated error (lport $lport)"

# IPv6, both ways again, with ICMPv6 "port unreachable": rs2:5999 is closed, and the client's
# port 47002 is closed when rs1's reply comes.
lvs_start_servers 5353 --udp --v6 --hold "$SERVE_LATE"
in_ns lb "$NFTLVS" -f - <<NFT || fail "IPv6 services"
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 udp dport 53 fullnat to { [$RS6_2]:5999 } via { $LIP6_1 }
		ip6 daddr $VIP6 udp dport 54 fullnat to { [$RS6_1]:5353 } via { $LIP6_1 }
	}
}
NFT
before=$(lvs_stat icmp_out)
out=$(lvs_udp_answer "$VIP6" 53)
assert_eq refused "$out" "IPv6 client socket after the server's port unreachable"
[ "$(lvs_stat icmp_out)" -gt "$before" ] || fail "icmp_out did not count the ICMPv6 error"

before=$(lvs_stat icmp_in)
in_ns rs1 tcpdump -n -l -i "$RS_IF" icmp6 and not ip6[40] == 135 and not ip6[40] == 136 \
	>/tmp/rs-icmp6.txt 2>/tmp/rs-icmp6.err &
dump=$!
send_to_closed_port 6 47002 "$VIP6" 54 /tmp/rs-icmp6
kill "$dump"
wait "$dump" 2>/dev/null
log "$(cat /tmp/rs-icmp6.txt)"
[ "$(lvs_stat icmp_in)" -gt "$before" ] || fail "icmp_in did not count the ICMPv6 error"
lport=$(in_ns lb awk '$2 == "['"$CLIENT6"']:47002" { n = split($4, a, ":"); print a[n] }' \
	/proc/net/nft_lvs/conns)
[ -n "$lport" ] || fail "no connection for the IPv6 client's port 47002"
grep -q "IP6 $LIP6_1 > $RS6_1: ICMP6, destination unreachable, unreachable port, $LIP6_1 udp port $lport" \
	/tmp/rs-icmp6.txt || fail "the server did not get the translated ICMPv6 error (lport $lport)"
