#!/bin/bash
# FULLNAT end to end, IPv6 (FNAT66): TCP and UDP from IPv6 clients through the LB to three
# IPv6 real servers that have no route to the clients, in an ip6 table and then in an inet
# table that serves both families. Every byte is checked both ways; the servers see a local
# address of the LB as their peer; the hop limit drops by one; TOA carries the IPv6 client
# address (kind 254, or 253 with toa-kind-253); a packet too big for the servers' link is
# answered with Packet Too Big; conntrack never sees the traffic. Extension headers and
# fragments pass through; a packet whose transport header cannot be found is not ours.
# timeout: 420
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
# FULLNAT's point: real servers need no route to the clients.
for ns in rs1 rs2 rs3; do ip -n "$ns" -6 route del default; done
in_ns rs1 ping -6 -c1 -W1 "$CLIENT6" >/dev/null 2>&1 && fail "rs1 can reach the client directly"

lvs_start_servers 8080/v6 5353/udp/v6

POOL="[$RS6_1]:8080, [$RS6_2]:8080, [$RS6_3]:8080"
UPOOL="[$RS6_1]:5353, [$RS6_2]:5353, [$RS6_3]:5353"
in_ns lb "$NFTLVS" -f - <<EOF || fail "ip6 service table"
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 fullnat to { $POOL } via { $LIP6_1, $LIP6_2 } sched rr flags toa
		ip6 daddr $VIP6 udp dport 53 fullnat to { $UPOOL } via { $LIP6_1 } sched rr
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
EOF

# check_traffic TAG N SIZES: N TCP connections (a multiple of 3) and 30 UDP exchanges
# through the VIP, every byte back, rr, the lips as peers.
check_traffic() {
	local out peers p n3=$(($2 / 3))
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count "$2" --parallel 3 --sizes "$3") ||
		fail "tcp ($1): $out"
	log "$1 tcp: $out"
	assert_eq "$2" "$(json_get ok <<<"$out")" "tcp exchanges ok ($1)"
	assert_eq "{\"rs1\": $n3, \"rs2\": $n3, \"rs3\": $n3}" "$(json_get rs <<<"$out")" "rr spread ($1)"
	peers=$(json_get peers <<<"$out")
	for p in $(json_keys "$peers"); do
		[ "$p" = "$LIP6_1" ] || [ "$p" = "$LIP6_2" ] || fail "server peer $p is not a local address ($1)"
	done
	out=$(in_ns client $LBTRAFFIC udp "$VIP6" 53 --count 30 --sizes 1,512,1400) ||
		fail "udp ($1): $out"
	log "$1 udp: $out"
	assert_eq 30 "$(json_get ok <<<"$out")" "udp exchanges ok ($1)"
	assert_eq "{\"$LIP6_1\": 30}" "$(json_get peers <<<"$out")" "udp peer ($1)"
}

for offload in on off; do
	topo_offloads "$offload"
	check_traffic "ip6, offloads $offload" 30 1,1000,65536,1500000,17,300000
done
log "$(in_ns lb cat /proc/net/nft_lvs/stats)"
# 60 TCP connections, and up to 60 UDP ones: a UDP client that gets a source port used
# before, within the UDP timeout, is the same connection again.
[ "$(lvs_stat conn_new)" -ge 100 ] || fail "conn_new $(lvs_stat conn_new) < 100"
assert_eq 0 "$(lvs_stat xmit_error)" "xmit errors"
assert_eq 0 "$(lvs_stat xmit_no_route)" "no-route drops"
in_ns lb grep -q "$RS6_1" /proc/net/nft_lvs/conns || fail "no IPv6 connection listed: $(in_ns lb head -5 /proc/net/nft_lvs/conns)"
if in_ns lb test -r /proc/net/nf_conntrack; then
	assert_eq 0 "$(in_ns lb grep -c "dst=$VIP6" /proc/net/nf_conntrack)" "conntrack entries for the VIP"
fi

# Routes are kept per connection and direction (looked up once each, not once a packet),
# and looked up again when the routing changes: a host route to the client makes the kept
# route to it stale (its routing tree node changes), not the one to the server.
conns=$(lvs_stat conn_new) lookups=$(lvs_stat xmit_route_lookup)
log "route lookups: $lookups for $conns connections, $(lvs_stat pkts_in) + $(lvs_stat pkts_out) packets"
[ "$lookups" -le $((2 * conns + conns / 10)) ] ||
	fail "route lookups: $lookups for $conns connections"
out=$(lvs_across client "$VIP6" 80 in_ns lb ip -6 route add "$CLIENT6/128" dev "$LB_IF_CLIENT")
assert_eq 1 "$(json_get ok <<<"$out")" "connection across a route change"
n=$(($(lvs_stat xmit_route_lookup) - lookups))
[ "$n" -ge 3 ] || fail "route lookups of a connection across a route change: $n, not 3"
log "route lookups of a connection across a route change: $n"
in_ns lb ip -6 route del "$CLIENT6/128" dev "$LB_IF_CLIENT"

# check_toa KIND: the handshake's last ACK at a server has the hop limit one less than the
# client's 64, and a TOA option of KIND, 20 bytes, with the client's IPv6 address and port.
check_toa() {
	in_ns rs2 tcpdump -U -c1 -ni "$RS_IF" -w "$CASE_TMP/toa.pcap" \
		"ip6 and tcp dst port 8080 and ip6[40 + 13] & 0x12 == 0x10" \
		2>"$CASE_TMP/toa.err" &
	local dump=$! out
	for _ in $(seq 1 100); do grep -q "listening on" "$CASE_TMP/toa.err" && break; sleep 0.1; done
	grep -q "listening on" "$CASE_TMP/toa.err" || fail "tcpdump: $(cat "$CASE_TMP/toa.err")"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 3) || fail "tcp for TOA: $out"
	wait $dump
	$PY - "$CASE_TMP/toa.pcap" "$CLIENT6" "$1" <<'PY' || fail "TOA kind $1 at the server"
import ipaddress, struct, sys
data = open(sys.argv[1], "rb").read()
want_kind = int(sys.argv[3])
# one packet, linktype ethernet: pcap header 24, record header 16, ethernet 14, ipv6 40
pkt = data[24 + 16:]
ip6 = pkt[14:]
assert ip6[6] == 6, "not TCP right after the IPv6 header"
assert ip6[7] == 63, "hop limit %d at the server, not 63" % ip6[7]
tcp = ip6[40:]
doff = (tcp[12] >> 4) * 4
opts, i, found = tcp[20:doff], 0, []
while i < len(opts):
    kind = opts[i]
    if kind == 0:
        break
    if kind == 1:
        i += 1
        continue
    ln = opts[i + 1]
    if kind in (253, 254):
        port = struct.unpack("!H", opts[i + 2:i + 4])[0]
        found.append((kind, ln, str(ipaddress.IPv6Address(opts[i + 4:i + 20])), port))
    i += ln
assert len(found) == 1, "not one TOA option: %r in %r" % (found, opts)
kind, ln, addr, port = found[0]
assert (kind, ln) == (want_kind, 20), "TOA kind %d length %d, not %d/20" % (kind, ln, want_kind)
assert addr == sys.argv[2], "TOA carries %s, not %s" % (addr, sys.argv[2])
assert port > 0
print("TOA:", found)
PY
}
check_toa 254
[ "$(lvs_stat toa_ok)" -ge 3 ] || fail "toa_ok $(lvs_stat toa_ok)"

# Packet Too Big: the servers' link shrinks to 1280; a full-size UDP datagram from the
# client is answered with PTB carrying that MTU, and path MTU discovery lets the next fit.
ip -n lb link set "$LB_IF_RS" mtu 1280
for i in 1 2 3; do ip -n lb link set "rs${i}p" mtu 1280; ip -n "rs$i" link set "$RS_IF" mtu 1280; done
before=$(lvs_stat xmit_frag_needed)
in_ns client $PY - "$VIP6" <<'PY' || fail "PTB: no smaller path MTU learnt"
import socket, sys, time
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO, IPV6_MTU = 23, 2, 24	# linux/in6.h
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)
s.connect((sys.argv[1], 53))
try:
    s.send(b"x" * 1400)
except OSError:
    pass
time.sleep(1)
mtu = s.getsockopt(socket.IPPROTO_IPV6, IPV6_MTU)
print("path MTU", mtu)
sys.exit(0 if mtu == 1280 else 1)
PY
[ "$(lvs_stat xmit_frag_needed)" -gt "$before" ] || fail "xmit_frag_needed did not count the PTB"
out=$(in_ns client $LBTRAFFIC udp "$VIP6" 53 --count 3 --sizes 1100) || fail "udp after PTB: $out"
ip -n lb link set "$LB_IF_RS" mtu 1500
for i in 1 2 3; do ip -n lb link set "rs${i}p" mtu 1500; ip -n "rs$i" link set "$RS_IF" mtu 1500; done

# Extension headers and fragments: every packet from the client carries a hop-by-hop and a
# destination options header, found through and passed on as sent. UDP datagrams larger
# than the links leave the client in fragments, are reassembled by the LB and leave it in
# fragments again, both ways.
in_ns lb tcpdump -U -c 4 -ni "$LB_IF_RS" -w "$CASE_TMP/ext.pcap" \
	"ip6 and ip6[6] == 0 and ip6[40] == 60" 2>"$CASE_TMP/ext.err" &
dump=$!
for _ in $(seq 1 100); do grep -q "listening on" "$CASE_TMP/ext.err" && break; sleep 0.1; done
out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 6 --parallel 3 --sizes 1,200000 --ext6) ||
	fail "tcp with extension headers: $out"
assert_eq 6 "$(json_get ok <<<"$out")" "tcp exchanges with extension headers"
before=$(lvs_stat pkts_out)
out=$(in_ns client $LBTRAFFIC udp "$VIP6" 53 --count 6 --sizes 3000,20000,60000 --ext6) ||
	fail "fragmented udp with extension headers: $out"
assert_eq 6 "$(json_get ok <<<"$out")" "fragmented udp exchanges"
assert_eq $((before + 6)) "$(lvs_stat pkts_out)" "replies translated as whole datagrams"
sleep 0.5
kill "$dump" 2>/dev/null; wait "$dump" 2>/dev/null
$PY - "$CASE_TMP/ext.pcap" "$LIP6_1" "$LIP6_2" <<'PY' || fail "extension headers at the servers"
import ipaddress, struct, sys
data, off, n = open(sys.argv[1], "rb").read(), 24, 0
lips = set(sys.argv[2:])
while off + 16 <= len(data):
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    ip6 = data[off + 16 + 14:off + 16 + caplen]
    off += 16 + caplen
    src = str(ipaddress.IPv6Address(ip6[8:24]))
    assert src in lips, "packet from %s" % src
    hbh, dst = ip6[40:48], ip6[48:56]
    assert hbh[0] == 60 and dst[0] in (6, 44), "chain %d -> %d" % (hbh[0], dst[0])
    if dst[0] == 6:
        assert struct.unpack("!H", ip6[58:60])[0] == 8080, "tcp dport"
    n += 1
assert n >= 1, "no packet with extension headers went to the servers"
print("packets with extension headers at the servers:", n)
PY

# Extension headers that lead past the packet: no transport header, not ours, counted.
before=$(lvs_stat no_transport)
in_ns client $PY - "$CLIENT6" "$VIP6" <<'PY' || fail "raw IPv6 sender"
import socket, struct, sys
src, dst = (socket.inet_pton(socket.AF_INET6, a) for a in sys.argv[1:3])
# destination options claiming 48 bytes where 8 are
pkt = struct.pack("!IHBB", 6 << 28, 8, 60, 64) + src + dst + bytes([6, 5, 1, 4, 0, 0, 0, 0])
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
for _ in range(10):
    s.sendto(pkt, (sys.argv[2], 0))
PY
sleep 0.5
assert_eq $((before + 10)) "$(lvs_stat no_transport)" "packets without a transport header counted"

# An inet table: one statement per family, both served side by side.
in_ns lb nft delete table ip6 lvs6 || fail "delete the ip6 table"
lvs_start_servers 8080
in_ns lb "$NFTLVS" -f - <<EOF || fail "inet service table"
table inet lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 fullnat to { $POOL } via { $LIP6_1, $LIP6_2 } sched rr flags toa,toa-kind-253
		ip6 daddr $VIP6 udp dport 53 fullnat to { $UPOOL } via { $LIP6_1 } sched rr
		ip daddr $VIP4 tcp dport 80 fullnat to { $RS4_1:8080, $RS4_2:8080, $RS4_3:8080 } via { $LIP4_1 } sched rr
	}
}
EOF
# Both families at once through the one table.
in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 12 --parallel 3 --sizes 1,1000,300000 \
	>"$CASE_TMP/inet4.json" 2>&1 &
v4=$!
check_traffic "inet" 9 1,1000,65536
wait "$v4" || fail "inet, IPv4 beside IPv6: $(cat "$CASE_TMP/inet4.json")"
assert_eq '{"rs1": 4, "rs2": 4, "rs3": 4}' "$(json_get rs <"$CASE_TMP/inet4.json")" "inet, IPv4 rr spread"
check_toa 253
topo_teardown
