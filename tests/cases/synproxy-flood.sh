#!/bin/bash
# SYNPROXY defences: a bounded spoofed SYN flood while real clients connect
# (every real connection succeeds, the flood creates no connection and no
# real server sees one of its SYNs); forged cookie ACKs, stray RST and FIN,
# SYNs with a bad TCP checksum dropped and counted; the cookie SYN-ACK's options and TTL; defer (an
# ACK-only handshake costs no real server connection); TOA behind the
# proxy. The flood, forged ACKs, stray segments and bad checksums again over IPv6.
# timeout: 500
# exclusive: the flood needs the CPUs to itself
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

SYNFLOOD=$TOP/build/host/tests/tools/synflood
FLOOD_NET=198.18.0.0/16
FLOOD_NET6=2001:db8:ff::/112

topo_setup
lvs_start_servers 8080 8080/v6
lvs_rs_count_syns 8080 || fail "RS SYN counters"
# Replies to the spoofed sources go to the client namespace, which drops them.
in_ns lb ip route add "$FLOOD_NET" via "$CLIENT4" || fail "flood route"
in_ns lb ip -6 route add "$FLOOD_NET6" via "$CLIENT6" || fail "IPv6 flood route"

in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 synproxy-lb sack-perm fullnat to { $RS4_1:8080, $RS4_2:8080, $RS4_3:8080 } via { $LIP4_1, $LIP4_2 } flags toa
		ip daddr $VIP4 tcp dport 81 synproxy-lb mss 1400 wscale 9 ttl 50 defer fullnat to { $RS4_1:8080 } via { $LIP4_1 }
		ip daddr $VIP4 drop
	}
}
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 synproxy-lb sack-perm fullnat to { [$RS6_1]:8080, [$RS6_2]:8080, [$RS6_3]:8080 } via { $LIP6_1 }
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT

# The cookie SYN-ACK: MSS never above the rule's nor the client's, the
# window scale of the rule, SACK and timestamps only when enabled, TTL.
in_ns client tcpdump -U -s 200 -i "$CLIENT_IF" -w /tmp/client.pcap \
	"tcp and src host $VIP4 and tcp[13] & 18 == 18" 2>/dev/null &
dump=$!
in_ns rs1 tcpdump -U -s 200 -i "$RS_IF" -w /tmp/rs.pcap 'tcp dst port 8080' 2>/dev/null &
rsdump=$!
sleep 2
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 81 --count 1 --size 1000) || fail "port 81: $out"
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 3 --size 1000) || fail "port 80: $out"
sleep 1
kill "$dump" "$rsdump"
wait "$dump" "$rsdump" 2>/dev/null
$LBTRAFFIC tcpopts /tmp/client.pcap >/tmp/synack.txt
log "$(cat /tmp/synack.txt)"
grep '"sport": 81' /tmp/synack.txt | head -n1 >/tmp/sa81
grep '"sport": 80' /tmp/synack.txt | head -n1 >/tmp/sa80
assert_eq '1400 9 50 no' "$(json_get mss </tmp/sa81) $(json_get ws </tmp/sa81) $(json_get ttl </tmp/sa81) $(grep -q sackok /tmp/sa81 && echo yes || echo no)" \
	"SYN-ACK of port 81 (mss ws ttl sack)"
assert_eq '1452 0 63 yes' "$(json_get mss </tmp/sa80) $(json_get ws </tmp/sa80) $(json_get ttl </tmp/sa80) $(grep -q sackok /tmp/sa80 && echo yes || echo no)" \
	"SYN-ACK of port 80 (defaults, sack-perm)"
grep -q '"ts"' /tmp/synack.txt && fail "timestamps answered without 'timestamp'"
# TOA reaches the RS in the packets after the proxied handshake.
$LBTRAFFIC tcpopts /tmp/rs.pcap >/tmp/rs.txt
grep -q "\"toa\": \"$CLIENT4:" /tmp/rs.txt || fail "no TOA at the RS behind synproxy"
grep '"flags": "S"' /tmp/rs.txt | grep -q toa && fail "TOA in a SYN"

assert_eq 4 "$(lvs_rs_syns)" "RS SYNs for 4 connections"

# flood VIP NET SYNS REAL: spoofed SYNs from NET, bounded in count and time, while REAL
# real clients connect: every real one succeeds, the flood opens no connection and sends
# no SYN to a server, every SYN is answered with a cookie.
flood() {
	local vip=$1 net=$2 syns0 conns0 answered0 pid out sent
	syns0=$(lvs_rs_syns) conns0=$(lvs_stat conn_new) answered0=$(lvs_stat synproxy_syn)
	in_ns client "$SYNFLOOD" "$vip" 80 "$net" "$3" 30 syn >"$CASE_TMP/flood.json" &
	pid=$!
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count "$4" --parallel 4 --size 5000 \
		--timeout 20) || fail "real clients during the flood ($vip): $out"
	assert_eq "$4" "$(json_get ok <<<"$out")" "real connections during the flood ($vip)"
	wait "$pid" || fail "synflood ($vip): $(cat "$CASE_TMP/flood.json")"
	log "flood ($vip): $(cat "$CASE_TMP/flood.json")"
	sent=$(json_get sent <"$CASE_TMP/flood.json")
	[ "$sent" -ge 1000 ] || fail "the flood ($vip) sent only $sent SYNs"
	sleep 1
	log "$(in_ns lb grep -E 'conn_new|synproxy' /proc/net/nft_lvs/stats | tr '\n' ' ')"
	assert_eq $((conns0 + $4)) "$(lvs_stat conn_new)" "connections: the real ones only ($vip)"
	assert_eq $((syns0 + $4)) "$(lvs_rs_syns)" "SYNs at the real servers: the real ones only ($vip)"
	[ "$(lvs_stat synproxy_syn)" -ge $((answered0 + sent + $4)) ] ||
		fail "SYNs answered $(($(lvs_stat synproxy_syn) - answered0)) of $sent + $4 ($vip)"
}

# Forged cookie ACKs, stray RSTs and FINs: dropped, counted, no connection. SYNs with a
# bad checksum: dropped and counted, never answered.
forged() {	# forged VIP NET
	local bad0 stray0 new0 csum0 syn0 acks out
	bad0=$(lvs_stat synproxy_bad_ack) stray0=$(lvs_stat synproxy_stray) new0=$(lvs_stat conn_new)
	csum0=$(lvs_stat synproxy_bad_csum) syn0=$(lvs_stat synproxy_syn)
	out=$(in_ns client "$SYNFLOOD" "$1" 80 "$2" 2000 20 ack) || fail "ack flood: $out"
	acks=$(json_get sent <<<"$out")
	out=$(in_ns client "$SYNFLOOD" "$1" 80 "$2" 300 20 rst) || fail "rst flood: $out"
	out=$(in_ns client "$SYNFLOOD" "$1" 80 "$2" 300 20 fin) || fail "fin flood: $out"
	out=$(in_ns client "$SYNFLOOD" "$1" 80 "$2" 300 20 badsum-syn) ||
		fail "bad checksum SYNs: $out"
	sleep 1
	assert_eq $((csum0 + 300)) "$(lvs_stat synproxy_bad_csum)" "SYNs with a bad checksum counted ($1)"
	assert_eq "$syn0" "$(lvs_stat synproxy_syn)" "SYNs with a bad checksum answered ($1)"
	assert_eq $((bad0 + acks)) "$(lvs_stat synproxy_bad_ack)" "forged ACKs counted ($1)"
	assert_eq $((stray0 + 600)) "$(lvs_stat synproxy_stray)" "stray RST/FIN counted ($1)"
	assert_eq "$new0" "$(lvs_stat conn_new)" "no connection from forged segments ($1)"
}

flood "$VIP4" "$FLOOD_NET" 30000 40
forged "$VIP4" "$FLOOD_NET"
# IPv6: from a /112.
flood "$VIP6" "$FLOOD_NET6" 10000 32
forged "$VIP6" "$FLOOD_NET6"

# defer: a client that completes the handshake and sends nothing costs no
# RS connection; its first data opens one.
null0=$(lvs_stat synproxy_null_ack) syns1=$(lvs_rs_syns)
in_ns client $PY -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 81), timeout=5)
time.sleep(2)
s.close()' "$VIP4" || fail "ACK-only client"
sleep 1
[ "$(lvs_stat synproxy_null_ack)" -gt "$null0" ] || fail "no data-less ACK counted under defer"
assert_eq "$syns1" "$(lvs_rs_syns)" "RS SYNs after an ACK-only handshake under defer"
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 81 --count 3 --sizes 1,300000) || fail "defer data: $out"
assert_eq $((syns1 + 3)) "$(lvs_rs_syns)" "RS SYNs after 3 deferred connections with data"
