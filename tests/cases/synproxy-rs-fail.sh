#!/bin/bash
# SYNPROXY when the real server does not take the connection: the client,
# which completed its handshake with the cookie, is reset at the sequence
# number it expects, both when the server refuses (RST) and when it never
# answers (after the SYN was repeated 3 times). And a client that starts
# over on the same port while the proxied connection is closed gets a new
# one. IPv4, then IPv6.
# timeout: 300
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080 8080/v6
# Nothing listens on rs1:9999; 10.1.0.99 and 2001:db8:1::99 do not exist.
in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 synproxy-lb fullnat to { $RS4_1:9999 } via { $LIP4_1 }
		ip daddr $VIP4 tcp dport 81 synproxy-lb fullnat to { 10.1.0.99:8080 } via { $LIP4_1 }
		ip daddr $VIP4 tcp dport 82 synproxy-lb timestamp fullnat to { $RS4_1:8080 } via { $LIP4_1 }
		ip daddr $VIP4 drop
	}
}
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 synproxy-lb fullnat to { [$RS6_1]:9999 } via { $LIP6_1 }
		ip6 daddr $VIP6 tcp dport 81 synproxy-lb fullnat to { [2001:db8:1::99]:8080 } via { $LIP6_1 }
		ip6 daddr $VIP6 tcp dport 82 synproxy-lb timestamp fullnat to { [$RS6_1]:8080 } via { $LIP6_1 }
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT

# connect_and_read VIP PORT TIMEOUT - prints how the connection ended.
connect_and_read() {
	in_ns client $PY -c '
import socket, sys
# The reset may come before connect() even returns: the handshake with the
# cookie is over as soon as the client sent its ACK.
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])),
                                 timeout=float(sys.argv[3]))
    s.sendall(b"hello")
    print("data" if s.recv(100) else "eof")
except ConnectionResetError:
    print("reset")
except socket.timeout:
    print("timeout")' "$@"
}

# rs_fail_cases VIP: the three stories for one family.
rs_fail_cases() {
	local vip=$1 err0 err1 retry0 start took reused0 out
	err0=$(lvs_stat synproxy_rs_error) retry0=$(lvs_stat synproxy_syn_retry)

	assert_eq reset "$(connect_and_read "$vip" 80 10)" "client of a refusing server ($vip)"
	# One refusal, or two when the client's retransmitted data (a valid cookie ACK) crossed
	# our reset on a slow machine: it starts a proxied connection that is refused again.
	err1=$(lvs_stat synproxy_rs_error)
	[ "$err1" -ge $((err0 + 1)) ] && [ "$err1" -le $((err0 + 2)) ] ||
		fail "RS errors after a refusal ($vip): $((err1 - err0))"
	assert_eq "$retry0" "$(lvs_stat synproxy_syn_retry)" "no SYN repeated to a refusing server ($vip)"

	start=$(date +%s)
	assert_eq reset "$(connect_and_read "$vip" 81 40)" "client of a silent server ($vip)"
	took=$(( $(date +%s) - start ))
	log "silent server ($vip): reset after ${took}s"
	assert_eq $((retry0 + 3)) "$(lvs_stat synproxy_syn_retry)" "SYNs repeated to a silent server ($vip)"
	assert_eq $((err1 + 1)) "$(lvs_stat synproxy_rs_error)" "RS errors ($vip)"
	[ "$took" -ge 10 ] || fail "the client was reset after ${took}s, before the retries ran out"
	sleep 1
	assert_eq 0 "$(lvs_stat conns)" "connections left ($vip)"

	# Three connections from the same client port, one after the other: each
	# SYN finds the previous connection in TIME_WAIT (the client reuses its
	# own TIME_WAIT port thanks to timestamps).
	in_ns client sysctl -qw net.ipv4.tcp_tw_reuse=1
	reused0=$(lvs_stat conn_reused)
	for i in 1 2 3; do
		lvs_from_port 61000 "$vip" 82 "$(head -c 1000 /dev/zero | tr '\0' x)" ||
			fail "same-port client ($vip): exchange $i"
		# The next SYN after lb has seen the client's last ACK: sent from
		# another CPU, the SYN could overtake it.
		out=$(lvs_conn_of 61000 TIME_WAIT)
		[ "${out#* }" = TIME_WAIT ] ||
			fail "exchange $i ($vip): lb's entry is '$out', not in TIME_WAIT"
	done
	[ "$(lvs_stat conn_reused)" -ge $((reused0 + 2)) ] ||
		fail "closed connections started over: $(lvs_stat conn_reused) (before $reused0)"
}

rs_fail_cases "$VIP4"
rs_fail_cases "$VIP6"
