#!/bin/bash
# flags toa: the client address reaches the real server in the TCP option
# (kind 254, {port, addr}) of the handshake ACK and of request data sent
# before the server's first byte, never in a SYN; the MSS the server
# announces is lowered by the option's size; data stays intact.
# timeout: 300
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

lvs_web_service "pool=$RS4_1:8080" "laddrs=$LIP4_1" flags=toa || fail "service"

for offload in on off; do
	topo_offloads "$offload"
	in_ns rs1 tcpdump -U -s 200 -i eth0 -w /tmp/rs.pcap 'tcp dst port 8080' 2>/dev/null &
	rs_dump=$!
	in_ns client tcpdump -U -s 200 -i eth0 -w /tmp/client.pcap \
		'tcp src port 80 and tcp[tcpflags] & tcp-syn != 0' 2>/dev/null &
	cl_dump=$!
	sleep 2
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 5 --sizes 10,100000) ||
		fail "traffic ($offload): $out"
	sleep 1
	kill "$rs_dump" "$cl_dump"
	wait "$rs_dump" "$cl_dump" 2>/dev/null
	$LBTRAFFIC tcpopts /tmp/rs.pcap >/tmp/rs.txt
	$LBTRAFFIC tcpopts /tmp/client.pcap >/tmp/client.txt
	log "$(head -n 12 /tmp/rs.txt)"

	# Each of the 5 handshake ACKs carries the client's address and port.
	toa=$(grep -c "\"toa\": \"$CLIENT4:" /tmp/rs.txt)
	[ "$toa" -ge 5 ] || fail "only $toa packets with the client's TOA at the server ($offload)"
	grep '"flags": "[^"]*S' /tmp/rs.txt | grep -q toa && fail "TOA in a SYN"
	grep -q "\"src\": \"$CLIENT4\"" /tmp/rs.txt && fail "the server saw the client address"
	# Data after the server's first byte carries no TOA.
	grep '"flags": "[^"]*F' /tmp/rs.txt | grep -q toa && fail "TOA after the server's reply"
	# The server announces 1460 on its 1500-byte link; the client must see 1452.
	mss=$(grep -o '"mss": [0-9]*' /tmp/client.txt | sort -u)
	assert_eq '"mss": 1452' "$mss" "MSS of the server's SYN-ACK at the client ($offload)"
done
[ "$(lvs_stat toa_ok)" -ge 10 ] || fail "toa_ok $(lvs_stat toa_ok)"

# strip-timestamps: the client's SYN reaches the server without the
# timestamp option, so neither side uses it; data still intact.
in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080" "laddrs=$LIP4_1" flags=strip-timestamps ||
	fail "add fullnat strip-timestamps"
in_ns rs1 tcpdump -U -s 200 -i eth0 -w /tmp/rs.pcap 'tcp port 8080' 2>/dev/null &
rs_dump=$!
sleep 2
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 3 --sizes 10,200000) || fail "traffic: $out"
sleep 1
kill "$rs_dump"; wait "$rs_dump" 2>/dev/null
$LBTRAFFIC tcpopts /tmp/rs.pcap >/tmp/rs.txt
grep -q '"flags": "S"' /tmp/rs.txt || fail "no SYN captured"
grep '"flags": "S"' /tmp/rs.txt | grep -q '"ts"' && fail "timestamps in a SYN with strip-timestamps"
grep -q '"ts"' /tmp/rs.txt && fail "timestamps used on a connection with strip-timestamps"
true
