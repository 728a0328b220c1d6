#!/bin/bash
# A retransmitted SYN finds its connection: the same real server and the
# same lip:lport, the same translated sequence number, no second
# connection. IPv4 and IPv6.
# timeout: 150
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

lvs_web_service "pool=$RS4_1:8080,$RS4_2:8080,$RS4_3:8080" "laddrs=$LIP4_1,$LIP4_2" sched=rr ||
	fail "service"
lvs_start_servers 8080 --v6
lvs_service_table "$VIP6" 80 tcp || fail "IPv6 service table"
in_ns lb "$LVSRULE" add ip6 lvs svc fullnat "pool=[$RS6_1]:8080,[$RS6_2]:8080,[$RS6_3]:8080" \
	"laddrs=$LIP6_1,$LIP6_2" sched=rr || fail "IPv6 service"
# The client's kernel would reset the server's SYN-ACK to a raw SYN.
in_ns client nft -f - <<'NFT' || fail "client filter"
table inet norst {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp flags rst drop
	}
}
NFT

# retransmit CLIENT VIP TCPDUMP_FILTER
retransmit() {
	local ns n got dumps=() new0
	new0=$(lvs_stat conn_new)
	for ns in rs1 rs2 rs3; do
		in_ns $ns tcpdump -n -l -i "$RS_IF" "$3" >"/tmp/syn-$ns.txt" 2>/dev/null &
		dumps+=($!)
	done
	sleep 2

	# The same SYN three times, 300 ms apart, from a raw socket (IPv6: the kernel
	# fills in the checksum, IPV6_CHECKSUM).
	in_ns client $PY -c '
import socket, struct, sys, time
src, dst = sys.argv[1], sys.argv[2]
v6 = ":" in dst
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
opts = struct.pack("!BBH", 2, 4, 1440 if v6 else 1460)
tcp = struct.pack("!HHIIBBHHH", 46000, 80, 123456789, 0, (6 << 4), 0x02, 64240, 0, 0) + opts
if v6:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 16)
    s.bind((src, 0))
else:
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for _ in range(3):
    s.sendto(tcp, (dst, 0))
    time.sleep(0.3)' "$1" "$2" || fail "raw SYNs to $2"
	sleep 1
	kill "${dumps[@]}" 2>/dev/null
	wait "${dumps[@]}" 2>/dev/null

	assert_eq $((new0 + 1)) "$(lvs_stat conn_new)" "connections for one retransmitted SYN ($2)"
	got=
	for ns in rs1 rs2 rs3; do
		n=$(grep -c 'Flags \[S\]' "/tmp/syn-$ns.txt")
		log "$ns: $n SYN(s)"
		[ "$n" = 0 ] || got="$got $ns:$n"
	done
	case $got in
	" rs"[123]":3") ;;
	*) fail "the SYNs to $2 did not all reach one server:$got" ;;
	esac
	# Same source (lip:lport) and the same translated sequence number each time.
	assert_eq 1 "$(cat /tmp/syn-rs*.txt | grep 'Flags \[S\]' |
		sed -E 's/^[^ ]+ IP6? ([^ ]+) > .* seq ([0-9]+),.*/\1 \2/' | sort -u | wc -l)" \
		"distinct (lip:lport, seq) among the SYNs ($2)"
}

retransmit "$CLIENT4" "$VIP4" 'tcp dst port 8080 and tcp[13] == 2'
retransmit "$CLIENT6" "$VIP6" 'ip6 and tcp dst port 8080 and ip6[40 + 13] == 2'
