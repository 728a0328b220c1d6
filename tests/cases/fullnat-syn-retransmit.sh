#!/bin/bash
# A retransmitted SYN finds its connection: the same real server and the
# same lip:lport, the same translated sequence number, no second
# connection.
# timeout: 120
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

lvs_web_service "pool=$RS4_1:8080,$RS4_2:8080,$RS4_3:8080" "laddrs=$LIP4_1,$LIP4_2" sched=rr ||
	fail "service"
# The client's kernel would reset the server's SYN-ACK to a raw SYN.
in_ns client nft -f - <<'NFT' || fail "client filter"
table ip norst {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp flags rst drop
	}
}
NFT
for ns in rs1 rs2 rs3; do
	in_ns $ns tcpdump -n -l -i "$RS_IF" 'tcp dst port 8080 and tcp[13] == 2' \
		>"/tmp/syn-$ns.txt" 2>/dev/null &
done
sleep 2

# The same SYN three times, 300 ms apart, from a raw socket.
in_ns client /usr/bin/python3 -c '
import socket, struct, sys, time
src, dst = sys.argv[1], sys.argv[2]
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
opts = struct.pack("!BBH", 2, 4, 1460)
tcp = struct.pack("!HHIIBBHHH", 46000, 80, 123456789, 0, (6 << 4), 0x02, 64240, 0, 0) + opts
ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for _ in range(3):
    s.sendto(tcp, (dst, 0))
    time.sleep(0.3)' "$CLIENT4" "$VIP4" || fail "raw SYNs"
sleep 1
kill %2 %3 %4 2>/dev/null
pkill -f "tcpdump -n -l -i $RS_IF" 2>/dev/null
sleep 0.5

assert_eq 1 "$(lvs_stat conn_new)" "connections for one retransmitted SYN"
got=
for ns in rs1 rs2 rs3; do
	n=$(grep -c 'Flags \[S\]' "/tmp/syn-$ns.txt")
	log "$ns: $n SYN(s)"
	[ "$n" = 0 ] || got="$got $ns:$n"
done
case $got in
" rs"[123]":3") ;;
*) fail "the SYNs did not all reach one server:$got" ;;
esac
# Same source (lip:lport) and the same translated sequence number each time.
assert_eq 1 "$(cat /tmp/syn-rs*.txt | grep 'Flags \[S\]' |
	sed -E 's/^[^ ]+ IP ([^ ]+) > .* seq ([0-9]+),.*/\1 \2/' | sort -u | wc -l)" \
	"distinct (lip:lport, seq) among the SYNs"
