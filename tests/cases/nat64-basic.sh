#!/bin/bash
# NAT64 (FNAT64): IPv6 clients of an IPv6 VIP, IPv4 real servers that have no route to the
# clients. TCP (1 B to 3 MB) and UDP bytes checked both ways, offloads on and off; the servers see an
# IPv4 local address of the LB as their peer and the IPv6 client in a 20-byte TOA (kind
# 254) inside the IPv4 segment; the hop count drops by one; path MTU discovery works both
# ways across the families (the LB answers with the sender's family and its MTU: 20 bytes
# more for IPv6 senders, 20 less for IPv4 ones), and ICMP errors from beyond it are
# translated between ICMP and ICMPv6 (port unreachable, too big: the path MTUs follow);
# synproxy-lb in front works (IPv6 cookies, IPv4 handshake to the server); the connection
# listing shows both
# families; the captured errors carry valid checksums and the quoted header in the
# receiver's family; a server's UDP without checksum gets one toward the IPv6 client. Pools in IPv4 sets work behind the IPv6 VIP. One inet table serves IPv4 and
# NAT64 services at once.
# timeout: 420
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
for ns in rs1 rs2 rs3; do ip -n "$ns" route del default 2>/dev/null; ip -n "$ns" -6 route del default; done
lvs_start_servers 8080 5353/udp

POOL4="$RS4_1:8080, $RS4_2:8080, $RS4_3:8080"
in_ns lb "$NFTLVS" -f - <<EOF || fail "inet service table"
table inet lvs {
	map web4 { type ipv4_addr . inet_service : mark; elements = { $RS4_1 . 8080 : 1, $RS4_2 . 8080 : 2 } }
	set lips4 { type ipv4_addr; elements = { $LIP4_2 } }
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 81 fullnat to @web4 via @lips4 sched wrr
		ip6 daddr $VIP6 tcp dport 80 fullnat to { $POOL4 } via { $LIP4_1, $LIP4_2 } sched rr flags toa
		ip6 daddr $VIP6 udp dport 53 fullnat to { $RS4_1:5353, $RS4_2:5353, $RS4_3:5353 } via { $LIP4_1 } sched rr
		ip daddr $VIP4 tcp dport 80 fullnat to { $POOL4 } via { $LIP4_2 } sched rr
		ip6 daddr $VIP6 tcp dport 82 synproxy-lb mss 1440 wscale 7 sack-perm timestamp fullnat to { $POOL4 } via { $LIP4_1 } sched rr flags toa
		ip6 daddr $VIP6 udp dport 55 fullnat to { $RS4_2:5999 } via { $LIP4_1 }
		ip6 daddr $VIP6 udp dport 56 fullnat to { $RS4_1:5353 } via { $LIP4_1 }
		ip6 daddr $VIP6 udp dport 57 fullnat to { $RS4_3:5400 } via { $LIP4_1 }
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
		ip daddr $VIP4 meta l4proto { tcp, udp } drop
	}
}
EOF
in_ns lb "$NFTLVS" list table inet lvs | grep -q "ip6 daddr $VIP6 tcp dport 80 fullnat to { $POOL4 } via { $LIP4_1, $LIP4_2 } sched rr flags toa" ||
	fail "the NAT64 rule lists otherwise: $(in_ns lb "$NFTLVS" list table inet lvs)"

# check_traffic TAG: 15 TCP connections and 30 UDP exchanges from the IPv6 client, every
# byte back, rr, IPv4 lips as peers; and IPv4 clients of the same servers beside them.
check_traffic() {
	local out p
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 15 --parallel 3 \
		--sizes 1,1000,65536,3000000,17) || fail "tcp ($1): $out"
	log "$1 tcp: $out"
	assert_eq '{"rs1": 5, "rs2": 5, "rs3": 5}' "$(json_get rs <<<"$out")" "rr spread ($1)"
	for p in $(json_keys "$(json_get peers <<<"$out")"); do
		[ "$p" = "$LIP4_1" ] || [ "$p" = "$LIP4_2" ] || fail "server peer $p is not an IPv4 local address ($1)"
	done
	out=$(in_ns client $LBTRAFFIC udp "$VIP6" 53 --count 30 --sizes 1,512,1400) ||
		fail "udp ($1): $out"
	assert_eq "{\"$LIP4_1\": 30}" "$(json_get peers <<<"$out")" "udp peer ($1)"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 6 --sizes 1000,100000) ||
		fail "IPv4 beside NAT64 ($1): $out"
	assert_eq "{\"$LIP4_2\": 6}" "$(json_get peers <<<"$out")" "IPv4 service's peer ($1)"
}
for offload in on off; do
	topo_offloads "$offload"
	check_traffic "offloads $offload"
done
# synproxy-lb in front: IPv6 cookies, then the proxied handshake to an IPv4 server, with the
# client's options on and off.
for opts in "1 1 1" "0 0 0"; do
	read -r ts sack ws <<<"$opts"
	in_ns client sysctl -qw net.ipv4.tcp_timestamps="$ts" net.ipv4.tcp_sack="$sack" \
		net.ipv4.tcp_window_scaling="$ws" || fail "client options $opts"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 82 --count 6 --parallel 3 --sizes 1,70000,1000000) ||
		fail "behind synproxy-lb (ts sack ws: $opts): $out"
	assert_eq "{\"$LIP4_1\": 6}" "$(json_get peers <<<"$out")" "peer behind synproxy-lb ($opts)"
done
in_ns client sysctl -qw net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1 net.ipv4.tcp_window_scaling=1
[ "$(lvs_stat synproxy_ok_ack)" -ge 12 ] || fail "synproxy_ok_ack $(lvs_stat synproxy_ok_ack) < 12"

# A pool and local addresses in IPv4 sets behind the IPv6 VIP; a live edit.
out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 81 --count 6 --sizes 1000,100000) || fail "NAT64 over sets: $out"
assert_eq "{\"$LIP4_2\": 6}" "$(json_get peers <<<"$out")" "NAT64 over sets: peer"
assert_eq '{"rs1": 2, "rs2": 4}' "$(json_get rs <<<"$out")" "NAT64 over sets: wrr 1:2"
in_ns lb nft add element inet lvs web4 "{ $RS4_3 . 8080 : 3 }" || fail "add a server to the IPv4 map"
sleep 0.1	# the pool's snapshot follows the set within milliseconds
out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 81 --count 6) || fail "NAT64 over sets after an edit: $out"
assert_eq '{"rs1": 1, "rs2": 2, "rs3": 3}' "$(json_get rs <<<"$out")" "NAT64 over sets: wrr 1:2:3"
assert_eq 0 "$(lvs_stat xmit_error)" "xmit errors"
assert_eq 0 "$(lvs_stat xmit_no_route)" "no-route drops"
# The listing: the IPv6 client side, the IPv4 server side, of a connection held open for
# it (the ones above may have timed out by now on a busy host).
in_ns client $PY -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80))
time.sleep(60)' "$VIP6" &
held=$!
end=$((SECONDS + 20))
while :; do
	line=$(in_ns lb awk -v c="[$CLIENT6]" 'index($2, c) == 1 && $1 == "tcp" && $6 == "ESTABLISHED"' \
		/proc/net/nft_lvs/conns | head -1)
	[ -z "$line" ] && [ $SECONDS -lt $end ] || break
	sleep 0.1
done
kill $held
wait $held 2>/dev/null
case $line in
*"$LIP4_1:"* | *"$LIP4_2:"*) ;;
*) fail "no NAT64 connection listed with an IPv6 client and an IPv4 lip: '$line'" ;;
esac
log "listed: $line"

# TOA at the server: kind 254, 20 bytes, the IPv6 client, in the IPv4 handshake ACK; TTL 63.
in_ns rs2 tcpdump -U -c1 -ni "$RS_IF" -w "$CASE_TMP/toa.pcap" \
	"ip and tcp dst port 8080 and tcp[13] & 0x12 == 0x10" 2>"$CASE_TMP/toa.err" &
dump=$!
for _ in $(seq 1 100); do grep -q "listening on" "$CASE_TMP/toa.err" && break; sleep 0.1; done
out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 3) || fail "tcp for TOA: $out"
wait $dump
$PY - "$CASE_TMP/toa.pcap" "$CLIENT6" <<'PY' || fail "TOA of the IPv6 client at the IPv4 server"
import ipaddress, struct, sys
data = open(sys.argv[1], "rb").read()
ip = data[24 + 16 + 14:]
assert ip[0] >> 4 == 4 and ip[9] == 6, "not IPv4 TCP"
assert ip[8] == 63, "TTL %d at the server, not 63 (the client's hop limit 64 less one)" % ip[8]
tcp = ip[(ip[0] & 15) * 4:]
opts, i, found = tcp[20:(tcp[12] >> 4) * 4], 0, []
while i < len(opts) and opts[i] != 0:
    if opts[i] == 1:
        i += 1
        continue
    if opts[i] in (253, 254):
        found.append((opts[i], opts[i + 1], struct.unpack("!H", opts[i + 2:i + 4])[0],
                      str(ipaddress.IPv6Address(opts[i + 4:i + 20]))))
    i += opts[i + 1]
assert len(found) == 1, "not one TOA option: %r" % found
kind, ln, port, addr = found[0]
assert (kind, ln) == (254, 20) and addr == sys.argv[2] and port > 0, "TOA %r" % (found,)
print("TOA:", found)
PY
[ "$(lvs_stat toa_ok)" -ge 3 ] || fail "toa_ok $(lvs_stat toa_ok)"

# A UDP server that sends without checksums (zero is allowed in IPv4, not in IPv6): the
# LB computes one toward the IPv6 client, whose stack drops a zero one. The capture at
# the server proves the zero went out.
in_ns rs3 $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 11, 1)	# SO_NO_CHECK
s.bind(("0.0.0.0", 5400))
while True:
    d, a = s.recvfrom(2000)
    s.sendto(d, a)' &
capture() {	# capture NS FILE FILTER: one packet at the namespace's interface, in the background
	local ns=$1 dev=$RS_IF
	[ "$ns" = client ] && dev=$CLIENT_IF
	in_ns "$ns" tcpdump -U -c1 -ni "$dev" -w "$2" "$3" 2>"$2.err" &
	dump=$!
	for _ in $(seq 1 100); do grep -q "listening on" "$2.err" && break; sleep 0.1; done
}
for _ in $(seq 1 50); do in_ns rs3 ss -ulnH | grep -q ':5400 ' && break; sleep 0.1; done
capture rs3 "$CASE_TMP/nocsum.pcap" "udp src port 5400 and udp[6:2] = 0"
assert_eq reply "$(lvs_udp_answer "$VIP6" 57)" "IPv6 client of a server sending zero UDP checksums"
wait $dump || fail "no zero-checksum datagram left the server"

# ICMP errors translated between the families (RFC 7915). A closed server port: the
# server's ICMP port unreachable reaches the client as ICMPv6 port unreachable.
out=$(lvs_udp_answer "$VIP6" 55)
assert_eq refused "$out" "IPv6 client socket after the IPv4 server's port unreachable"
# check_quote PCAP SRC DST MTU QSRC QDST QSPORT QDPORT QLEN: the translated error (ICMP
# fragmentation needed or ICMPv6 Packet Too Big, by the family of SRC) from SRC to DST with
# MTU and valid checksums, quoting a UDP datagram QSRC:QSPORT -> QDST:QDPORT whose IP length
# (IPv4 total length, IPv6 payload length) is QLEN, in the receiver's own terms.
check_quote() {
	$PY - "$@" <<'PY'
import ipaddress, socket, struct, sys
pcap, src, dst, mtu, qsrc, qdst, qsport, qdport, qlen = sys.argv[1:]
data = open(pcap, "rb").read()
pkt = data[24 + 16 + 14:]
def fold(b, s=0):
    if len(b) % 2:
        b += b"\0"
    s += sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s
a = lambda b: str(ipaddress.ip_address(b))
if ":" in src:
    assert pkt[0] >> 4 == 6 and pkt[6] == 58, "not ICMPv6"
    plen = struct.unpack("!H", pkt[4:6])[0]
    icmp = pkt[40:40 + plen]
    got = (a(pkt[8:24]), a(pkt[24:40]))
    pseudo = pkt[8:40] + struct.pack("!IxxxB", plen, 58)
    assert fold(icmp, fold(pseudo)) == 0xffff, "ICMPv6 checksum"
    typ, code, m = icmp[0], icmp[1], struct.unpack("!I", icmp[4:8])[0]
    assert (typ, code) == (2, 0), "type %d code %d" % (typ, code)
    q = icmp[8:]
    assert q[0] >> 4 == 6 and q[6] == 17, "quote is not IPv6 UDP"
    qgot = (a(q[8:24]), a(q[24:40]), struct.unpack("!H", q[4:6])[0])
    udp = q[40:48]
else:
    hl = (pkt[0] & 15) * 4
    assert pkt[0] >> 4 == 4 and pkt[9] == 1, "not ICMP"
    assert fold(pkt[:hl]) == 0xffff, "IPv4 header checksum"
    icmp = pkt[hl:struct.unpack("!H", pkt[2:4])[0]]
    got = (a(pkt[12:16]), a(pkt[16:20]))
    assert fold(icmp) == 0xffff, "ICMP checksum"
    typ, code, m = icmp[0], icmp[1], struct.unpack("!H", icmp[6:8])[0]
    assert (typ, code) == (3, 4), "type %d code %d" % (typ, code)
    q = icmp[8:]
    qhl = (q[0] & 15) * 4
    assert q[0] >> 4 == 4 and q[9] == 17, "quote is not IPv4 UDP"
    assert fold(q[:qhl]) == 0xffff, "quoted IPv4 header checksum"
    assert struct.unpack("!H", q[6:8])[0] & 0x4000, "quoted datagram without DF"
    qgot = (a(q[12:16]), a(q[16:20]), struct.unpack("!H", q[2:4])[0])
    udp = q[qhl:qhl + 8]
assert got == (src, dst), "error from %s to %s" % got
assert m == int(mtu), "MTU %d" % m
assert qgot == (qsrc, qdst, int(qlen)), "quoted header %s -> %s, length %d" % qgot
ports = struct.unpack("!HH", udp[:4])
assert ports == (int(qsport), int(qdport)), "quoted ports %d -> %d" % ports
print("quote ok:", got, m, qgot, ports)
PY
}
# "Too big" from beyond the LB, both ways, crafted about a UDP connection (client port
# 47004 to rs1): an ICMP fragmentation needed (MTU 1300) from rs1's side reaches the
# client as Packet Too Big with 1320, and a Packet Too Big (MTU 1400) from the client's
# side reaches rs1 as fragmentation needed with 1380. Each socket takes the new path MTU.
in_ns client $PY -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 47004))
s.connect((sys.argv[1], 56))
s.send(b"ping")
s.recv(2000)
time.sleep(20)' "$VIP6" &
holder=$!
lport=
for _ in $(seq 1 50); do
	lport=$(in_ns lb awk '$2 == "['"$CLIENT6"']:47004" { n = split($4, a, ":"); print a[n] }' /proc/net/nft_lvs/conns)
	[ -n "$lport" ] && break
	sleep 0.1
done
[ -n "$lport" ] || fail "no NAT64 connection for the client's port 47004"
capture client "$CASE_TMP/ptb.pcap" "icmp6 and ip6[40] == 2"
in_ns rs1 $PY - "$RS4_1" "$LIP4_1" "$lport" <<'PY' || fail "craft fragmentation needed"
import socket, struct, sys
rs, lip, lport = sys.argv[1], sys.argv[2], int(sys.argv[3])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
# The quote: a 1428-byte datagram lip:lport -> rs1:5353 with DF, cut after the UDP header.
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 1428, 0, 0x4000, 64, 17, 0,
                 socket.inet_aton(lip), socket.inet_aton(rs))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
msg = struct.pack("!BBHHH", 3, 4, 0, 0, 1300) + ip + struct.pack("!HHHH", lport, 5353, 1408, 0)
msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).sendto(msg, (lip, 0))
PY
wait $dump || fail "no Packet Too Big reached the client"
check_quote "$CASE_TMP/ptb.pcap" "$VIP6" "$CLIENT6" 1320 "$CLIENT6" "$VIP6" 47004 56 1408 ||
	fail "the Packet Too Big translated for the client"
capture rs1 "$CASE_TMP/fragneeded.pcap" "icmp and icmp[0] == 3 and icmp[1] == 4"
for _ in $(seq 1 50); do in_ns client ip -6 route get "$VIP6" | grep -q "mtu 1320" && break; sleep 0.1; done
in_ns client ip -6 route get "$VIP6" | grep -q "mtu 1320" ||
	fail "no path MTU 1320 at the client: $(in_ns client ip -6 route get "$VIP6"); $(in_ns lb grep -E 'icmp' /proc/net/nft_lvs/stats | paste -sd' ')"
in_ns client $PY - "$CLIENT6" "$VIP6" <<'PY' || fail "craft Packet Too Big"
import socket, struct, sys
client, vip = sys.argv[1], sys.argv[2]
# The quote: a 1448-byte datagram VIP:56 -> client:47004, cut after the UDP header. The
# kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket.
quote = struct.pack("!IHBB16s16s", 0x60000000, 1408, 17, 64, socket.inet_pton(socket.AF_INET6, vip),
                    socket.inet_pton(socket.AF_INET6, client)) + struct.pack("!HHHH", 56, 47004, 1408, 0)
msg = struct.pack("!BBHI", 2, 0, 0, 1400) + quote
socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6).sendto(msg, (vip, 0))
PY
wait $dump || fail "no fragmentation needed reached rs1"
check_quote "$CASE_TMP/fragneeded.pcap" "$LIP4_1" "$RS4_1" 1380 "$RS4_1" "$LIP4_1" 5353 "$lport" 1428 ||
	fail "the fragmentation needed translated for rs1"
for _ in $(seq 1 50); do in_ns rs1 ip route get "$LIP4_1" | grep -q "mtu 1380" && break; sleep 0.1; done
in_ns rs1 ip route get "$LIP4_1" | grep -q "mtu 1380" ||
	fail "no path MTU 1380 at rs1: $(in_ns rs1 ip route get "$LIP4_1"); $(in_ns lb grep -E 'icmp' /proc/net/nft_lvs/stats | paste -sd' ')"
kill "$holder" 2>/dev/null
in_ns client ip -6 route flush cache
in_ns rs1 ip route flush cache
log "$(in_ns lb grep -E 'icmp' /proc/net/nft_lvs/stats | paste -sd' ')"
assert_eq 0 "$(lvs_stat icmp_nat64_dropped)" "NAT64 ICMP errors dropped"

# Path MTU across the families. Toward the servers: an IPv4 route of 1280 is an IPv6 path
# of 1300 for the client. Toward the client: an IPv6 route of 1300 is an IPv4 path of 1280
# for the server.
frag() { lvs_stat xmit_frag_needed; }
in_ns lb ip route add "$RS4_1/32" dev "$LB_IF_RS" mtu 1280
in_ns lb ip -6 route add "$CLIENT6/128" dev "$LB_IF_CLIENT" mtu 1300
for offload in on off; do
	topo_offloads "$offload"
	before=$(frag)
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 3 --sizes 1000000 --timeout 30) ||
		fail "1 MB both ways over smaller MTUs ($offload): $out"
	[ "$(frag)" -gt "$before" ] || fail "nothing too big answered ($offload)"
	in_ns client ip -6 route get "$VIP6" | grep -q "mtu 1300" ||
		fail "client has no path MTU 1300 to the VIP: $(in_ns client ip -6 route get "$VIP6")"
	in_ns rs1 ip route get "$LIP4_1" | grep -q "mtu 1280" || in_ns rs1 ip route get "$LIP4_2" | grep -q "mtu 1280" ||
		fail "rs1 has no path MTU 1280 to a local address: $(in_ns rs1 ip route get "$LIP4_1")"
	in_ns client ip -6 route flush cache
	in_ns rs1 ip route flush cache
done
log "$(in_ns lb grep -E 'frag|icmp|error|toa' /proc/net/nft_lvs/stats | paste -sd' ')"
topo_teardown
