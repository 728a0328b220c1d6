#!/bin/bash
# ICMP "fragmentation needed" from routers beyond the LB, about TCP
# segments of a connection, on both sides: a router between lb and the real
# server quotes lb's segment (lip:lport -> rip:rport, the server's sequence
# space), a router between lb and the client quotes lb's segment
# (VIP -> client, the client's sequence space). lb translates each error so
# that it quotes exactly the segment the endpoint sent (addresses, ports,
# seq and ack, checked against captures at both endpoints); the endpoint
# accepts it (Linux ignores an error whose quoted seq lies outside its
# unacked data), lowers its path MTU and the transfer completes. Plain
# fullnat and synproxy-lb + fullnat (where both sequence spaces differ),
# with offloads on and off.
#
#   far ------ client ------ lb ------ rs3 ------ rs4
#   10.3.0.2   (router:                (router:   10.2.0.4
#               route mtu 1200)         route mtu 1200)
# timeout: 400
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

FAR=10.3.0.2 RS4=10.2.0.4
topo_setup
# behind ROUTER NS NET HOST_ADDR - namespace NS on its own veth behind ROUTER,
# which forwards to NET through a route with MTU 1200.
behind() {
	local router=$TOPO_PREFIX$1 ns=$TOPO_PREFIX$2 net=$3 addr=$4
	ip netns add "$ns" || return 1
	ip -n "$router" -batch - <<-IP || return 1
		link add eth1 type veth peer name eth0 netns $ns
		addr add $net.1/24 dev eth1
		link set eth1 up
		route replace $net.0/24 dev eth1 mtu 1200
	IP
	ip -n "$ns" -batch - <<-IP || return 1
		link set lo up
		addr add $addr/24 dev eth0
		link set eth0 up
		route add default via $net.1
	IP
	ip netns exec "$router" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
}
behind client far 10.3.0 "$FAR" || fail "far client behind the client router"
behind rs3 rs4 10.2.0 "$RS4" || fail "rs4 behind the rs3 router"
in_ns lb ip route add 10.3.0.0/24 via "$CLIENT4" || fail "lb route to far"
in_ns lb ip route add 10.2.0.0/24 via "$RS4_3" || fail "lb route to rs4"

in_ns rs4 $LBTRAFFIC serve rs4 8080 >/tmp/server-rs4.log 2>&1 &
for _ in $(seq 1 100); do in_ns rs4 ss -ltnH 'sport = :8080' | grep -q . && break; sleep 0.1; done

in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 fullnat to { $RS4:8080 } via { $LIP4_1 }
		ip daddr $VIP4 tcp dport 81 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { $RS4:8080 } via { $LIP4_2 }
		ip daddr $VIP4 drop
	}
}
NFT

for ns in far rs4; do
	in_ns "$ns" tcpdump -U -s 200 -i eth0 -w "/tmp/$ns.pcap" 'tcp or icmp' 2>/dev/null &
	eval "dump_$ns=\$!"
done
sleep 2

for offload in on off; do
	topo_offloads "$offload"
	for ns in far rs4; do
		in_ns "$ns" ethtool -K eth0 tx "$offload" tso "$offload" gso "$offload" \
			>/dev/null 2>&1
	done
	for port in 80 81; do
		lip=$LIP4_1
		[ "$port" = 80 ] || lip=$LIP4_2
		in_ns far ip route flush cache
		in_ns rs4 ip route flush cache
		icmp_in=$(lvs_stat icmp_in) icmp_out=$(lvs_stat icmp_out)
		# The server echoes: 1.5 MB each way crosses both 1200-byte hops.
		out=$(in_ns far $LBTRAFFIC tcp "$VIP4" "$port" --count 2 --sizes 1500000 \
			--timeout 60) || fail "port $port ($offload): $out"
		assert_eq 2 "$(json_get ok <<<"$out")" "exchanges on port $port ($offload)"
		log "DEBUG $port $offload far=$(out_of_window_icmps far) rs4=$(out_of_window_icmps rs4) icmp_in=$(lvs_stat icmp_in) icmp_out=$(lvs_stat icmp_out)"
		[ "$(lvs_stat icmp_out)" -gt "$icmp_out" ] ||
			fail "no error from the server side translated ($port, $offload)"
		[ "$(lvs_stat icmp_in)" -gt "$icmp_in" ] ||
			fail "no error from the client side translated ($port, $offload)"
		in_ns far ip route get "$VIP4" | grep -q 'mtu 1200' ||
			fail "far has no path MTU 1200 to the VIP ($port, $offload): $(in_ns far ip route get "$VIP4")"
		in_ns rs4 ip route get "$lip" | grep -q 'mtu 1200' ||
			fail "rs4 has no path MTU 1200 to $lip ($port, $offload): $(in_ns rs4 ip route get "$lip")"
	done
done
sleep 1
kill "$dump_far" "$dump_rs4"
wait "$dump_far" "$dump_rs4" 2>/dev/null
for ns in far rs4; do
	addr=$FAR
	[ "$ns" = far ] || addr=$RS4
	out=$($LBTRAFFIC icmpquotes "/tmp/$ns.pcap" "$addr")
	log "errors at $ns: $out"
	[ "$(json_get icmp <<<"$out")" -ge 8 ] || fail "too few errors reached $ns: $out"
	assert_eq "$(json_get icmp <<<"$out")" "$(json_get matched <<<"$out")" \
		"errors at $ns that quote a segment it sent ($out)"
done
log "$(in_ns lb grep -E 'icmp|synproxy_ok|error' /proc/net/nft_lvs/stats)"
