#!/bin/bash
# SYNPROXY in front of FULLNAT: every combination of the client's options
# (timestamps, SACK, window scaling) and real servers whose window scale
# differs from the one announced, with multi-megabyte transfers checked
# byte for byte both ways; the RS sees exactly one SYN per connection,
# and only after the client completed its handshake with the cookie. IPv4, IPv6 (cookies
# over the IPv6 tuple, an MSS 32 lower for IPv6 clients) and NAT64 (IPv6 clients, IPv4
# servers).
# timeout: 600
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080 8080/v6
lvs_rs_count_syns 8080 || fail "RS SYN counters"

# rs1 takes a small window scale (a small receive buffer), rs2 a large one;
# the proxy announces 7 to clients.
in_ns rs1 sysctl -qw net.ipv4.tcp_rmem="4096 65536 131072"
in_ns rs2 sysctl -qw net.ipv4.tcp_rmem="4096 131072 16777216"

in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_1 } sched rr
		ip daddr $VIP4 drop
	}
}
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { [$RS6_1]:8080, [$RS6_2]:8080 } via { $LIP6_1 } sched rr flags toa
		ip6 daddr $VIP6 tcp dport 81 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_1 } sched rr flags toa
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT

total=0
# served TAG VIP PORT SIZES: one connection per size, two at a time, every byte back, the
# connections shared evenly by rs1 and rs2 (rr).
served() {
	local out n
	n=$(tr ',' '\n' <<<"$4" | wc -l)
	out=$(in_ns client $LBTRAFFIC tcp "$2" "$3" --count "$n" --parallel 2 \
		--sizes "$4" --timeout 90) || fail "$1, $CLIENT_OPTS: $out"
	assert_eq "$n" "$(json_get ok <<<"$out")" "$1 exchanges ($CLIENT_OPTS)"
	assert_eq "{\"rs1\": $((n / 2)), \"rs2\": $((n / 2))}" "$(json_get rs <<<"$out")" \
		"$1: both real servers served ($CLIENT_OPTS)"
	total=$((total + n))
}
exchange() {
	served IPv4 "$VIP4" 80 3000000,5,1500000,70000
	served IPv6 "$VIP6" 80 1500000,5
	served NAT64 "$VIP6" 81 700000,5
}
lvs_each_client_options exchange || fail "client options"

# Real servers that take none of the options the client got from the
# proxy: no timestamps, no SACK, no window scaling.
for ns in rs1 rs2; do
	in_ns $ns sysctl -qw net.ipv4.tcp_timestamps=0 net.ipv4.tcp_sack=0 \
		net.ipv4.tcp_window_scaling=0
done
in_ns client sysctl -qw net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1 \
	net.ipv4.tcp_window_scaling=1
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 4 --parallel 2 \
	--sizes 3000000,5,1500000,70000 --timeout 90) || fail "plain servers: $out"
assert_eq 4 "$(json_get ok <<<"$out")" "exchanges with servers without options"
total=$((total + 4))

log "$(in_ns lb grep -E 'conn_new|synproxy|pkts|error' /proc/net/nft_lvs/stats)"
assert_eq "$total" "$(lvs_rs_syns)" "SYNs seen by the real servers"
assert_eq "$total" "$(lvs_stat conn_new)" "connections"
[ "$(lvs_stat synproxy_syn)" -ge "$total" ] || fail "cookie SYN-ACKs: $(lvs_stat synproxy_syn)"
[ "$(lvs_stat synproxy_ok_ack)" -ge "$total" ] || fail "good cookie ACKs: $(lvs_stat synproxy_ok_ack)"
assert_eq 0 "$(lvs_stat synproxy_bad_ack)" "bad cookie ACKs"
assert_eq 0 "$(lvs_stat synproxy_rs_error)" "RS errors"
