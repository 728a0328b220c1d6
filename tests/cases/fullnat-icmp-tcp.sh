#!/bin/bash
# ICMP "fragmentation needed" and ICMPv6 "packet too big" from routers beyond the LB, about
# TCP segments of a connection, on both sides: a router between lb and the real server
# quotes lb's segment (lip:lport -> rip:rport, the server's sequence space), a router
# between lb and the client quotes lb's segment (VIP -> client, the client's sequence
# space). lb translates each error so that it quotes exactly the segment the endpoint sent
# (addresses, ports, seq and ack, checked against captures at both endpoints); the endpoint
# accepts it (Linux ignores an error whose quoted seq lies outside its unacked data), lowers
# its path MTU and the transfer completes. IPv4: plain fullnat and synproxy-lb + fullnat
# (where both sequence spaces differ); IPv6: fullnat. Offloads on and off.
#
#   far ------ client ------ lb ------ rs3 ------ rs4
#   10.3.0.2   (router: route             (router:   10.2.0.4
#   2001:db8:3::2  mtu 1200 / 1280)       ditto)     2001:db8:2::4
# timeout: 450
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

FAR=10.3.0.2 RS4=10.2.0.4 FAR_V6=2001:db8:3::2 RS4_V6=2001:db8:2::4
topo_setup
# behind ROUTER NS NET4 NET6 HOST - namespace NS on its own veth behind ROUTER, which
# forwards to NET4.0/24 through a route with MTU 1200 and to NET6::/64 with 1280 (the IPv6
# minimum). HOST is the last part of NS's addresses in both.
behind() {
	local router=$TOPO_PREFIX$1 ns=$TOPO_PREFIX$2 net4=$3 net6=$4 host=$5
	ip netns add "$ns" || return 1
	_topo_sysctl "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 ||
		return 1
	ip -n "$router" -batch - <<-IP || return 1
		link add eth1 type veth peer name eth0 netns $ns
		addr add $net4.1/24 dev eth1
		addr add $net6::1/64 dev eth1 nodad
		link set eth1 up
		route replace $net4.0/24 dev eth1 mtu 1200
		route replace $net6::/64 dev eth1 mtu 1280 metric 256
	IP
	ip -n "$ns" -batch - <<-IP || return 1
		link set lo up
		addr add $net4.$host/24 dev eth0
		addr add $net6::$host/64 dev eth0 nodad
		link set eth0 up
		route add default via $net4.1
		route add ::/0 via $net6::1
	IP
	_topo_sysctl "$router" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}
behind client far 10.3.0 2001:db8:3 2 || fail "far client behind the client router"
behind rs3 rs4 10.2.0 2001:db8:2 4 || fail "rs4 behind the rs3 router"
in_ns lb ip -batch - <<IP || fail "lb routes to far and rs4"
route add 10.3.0.0/24 via $CLIENT4
route add 10.2.0.0/24 via $RS4_3
route add 2001:db8:3::/64 via $CLIENT6
route add 2001:db8:2::/64 via $RS6_3
IP

in_ns rs4 $LBTRAFFIC serve rs4 8080 >/tmp/server-rs4.log 2>&1 &
in_ns rs4 $LBTRAFFIC serve rs4 8080 --v6 >/tmp/server-rs4-v6.log 2>&1 &
for _ in $(seq 1 100); do
	[ "$(in_ns rs4 ss -ltnH 'sport = :8080' | wc -l)" -ge 2 ] && break
	sleep 0.1
done

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
# Not "ip6 daddr VIP drop": neighbour discovery probes the VIP with unicast ICMPv6.
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS4_V6]:8080 } via { $LIP6_1 }
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT

for ns in far rs4; do
	in_ns "$ns" tcpdump -U -s 200 -i eth0 -w "/tmp/$ns.pcap" 'tcp or icmp or icmp6' \
		2>"/tmp/$ns.err" &
	eval "dump_$ns=\$!"
done
for ns in far rs4; do
	for _ in $(seq 1 100); do grep -q "listening on" "/tmp/$ns.err" && break; sleep 0.1; done
done

# transfer VIP PORT LIP MTU OFFLOAD - 1.5 MB each way from far through the VIP (the server
# echoes), crossing both narrow hops; errors translated both ways; both ends learn MTU.
transfer() {
	local vip=$1 port=$2 lip=$3 mtu=$4 offload=$5 icmp_in icmp_out out
	in_ns far ip route flush cache
	in_ns rs4 ip route flush cache
	in_ns far ip -6 route flush cache
	in_ns rs4 ip -6 route flush cache
	icmp_in=$(lvs_stat icmp_in) icmp_out=$(lvs_stat icmp_out)
	out=$(in_ns far $LBTRAFFIC tcp "$vip" "$port" --count 2 --sizes 1500000 --timeout 60) ||
		fail "$vip port $port ($offload): $out"
	assert_eq 2 "$(json_get ok <<<"$out")" "exchanges with $vip port $port ($offload)"
	[ "$(lvs_stat icmp_out)" -gt "$icmp_out" ] ||
		fail "no error from the server side translated ($vip $port, $offload)"
	[ "$(lvs_stat icmp_in)" -gt "$icmp_in" ] ||
		fail "no error from the client side translated ($vip $port, $offload)"
	in_ns far ip route get "$vip" | grep -q "mtu $mtu" ||
		fail "far has no path MTU $mtu to $vip ($port, $offload): $(in_ns far ip route get "$vip")"
	in_ns rs4 ip route get "$lip" | grep -q "mtu $mtu" ||
		fail "rs4 has no path MTU $mtu to $lip ($port, $offload): $(in_ns rs4 ip route get "$lip")"
}

for offload in on off; do
	topo_offloads "$offload"
	for ns in far rs4; do
		in_ns "$ns" ethtool -K eth0 tx "$offload" tso "$offload" gso "$offload" \
			>/dev/null 2>&1
	done
	transfer "$VIP4" 80 "$LIP4_1" 1200 "$offload"
	transfer "$VIP4" 81 "$LIP4_2" 1200 "$offload"
	transfer "$VIP6" 80 "$LIP6_1" 1280 "$offload"
done
sleep 1
kill "$dump_far" "$dump_rs4"
wait "$dump_far" "$dump_rs4" 2>/dev/null
for addr in "far $FAR" "rs4 $RS4" "far $FAR_V6" "rs4 $RS4_V6"; do
	set -- $addr
	out=$($LBTRAFFIC icmpquotes "/tmp/$1.pcap" "$2")
	log "errors at $1 ($2): $out"
	[ "$(json_get icmp <<<"$out")" -ge 4 ] || fail "too few errors reached $1 ($2): $out"
	assert_eq "$(json_get icmp <<<"$out")" "$(json_get matched <<<"$out")" \
		"errors at $1 ($2) that quote a segment it sent ($out)"
done
log "$(in_ns lb grep -E 'icmp|synproxy_ok|error' /proc/net/nft_lvs/stats)"
