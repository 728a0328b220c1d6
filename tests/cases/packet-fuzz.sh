#!/bin/bash
# Hostile packets: seeded malformed and adversarial IPv4 and IPv6 frames (tests/lib/pktfuzz.py:
# truncated and lying headers, bad checksums, flag and option soup, fragments that overlap,
# extension header chains, ICMP errors quoting forged headers, RST/SYN/FIN/ACK with random
# numbers on real connections) toward the VIPs of fullnat and synproxy-lb services and the
# local addresses, while real clients use the services: every real TCP exchange succeeds
# before, during and after, every UDP one before and after (a datagram has no second
# chance when the flood fills a queue), and the kernel reports nothing (the runner fails the
# case on any warning). Then a second, shorter round with the ingress fast path on.
# timeout: 400
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

PKTFUZZ="$PY $TOP/tests/lib/pktfuzz.py"
SEED=${PKTFUZZ_SEED:-1}
COUNT=${PKTFUZZ_COUNT:-15000}

topo_setup
lvs_start_servers 8080 8082/hold=60 5353/udp 8080/v6 8082/v6/hold=60 5353/udp/v6
in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table inet lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_1 } flags toa
		ip daddr $VIP4 tcp dport 81 synproxy-lb sack-perm timestamp fullnat to { $RS4_3:8080 } via { $LIP4_2 }
		ip daddr $VIP4 tcp dport 82 fullnat to { $RS4_1:8082 } via { $LIP4_1 }
		ip daddr $VIP4 udp dport 53 fullnat to { $RS4_1:5353, $RS4_2:5353 } via { $LIP4_1 }
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8080, [$RS6_2]:8080 } via { $LIP6_1 } flags toa
		ip6 daddr $VIP6 tcp dport 81 synproxy-lb sack-perm timestamp fullnat to { [$RS6_3]:8080 } via { $LIP6_2 }
		ip6 daddr $VIP6 tcp dport 82 fullnat to { [$RS6_1]:8082 } via { $LIP6_1 }
		ip6 daddr $VIP6 udp dport 53 fullnat to { [$RS6_1]:5353, [$RS6_2]:5353 } via { $LIP6_1 }
		ip daddr $VIP4 meta l4proto { tcp, udp } drop
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT

real_clients() {	# real_clients TAG [tcp]: every exchange of every service must succeed
	local vip out
	for vip in "$VIP4" "$VIP6"; do
		for port in 80 81; do
			out=$(in_ns client $LBTRAFFIC tcp "$vip" $port --count 6 --parallel 3 \
				--sizes 1,3000,200000 --timeout 20) || fail "tcp $vip:$port ($1): $out"
			assert_eq 6 "$(json_get ok <<<"$out")" "tcp $vip:$port ($1)"
		done
		[ "${2:-}" = tcp ] && continue
		out=$(in_ns client $LBTRAFFIC udp "$vip" 53 --count 10 --sizes 1,1400) ||
			fail "udp $vip ($1): $out"
		assert_eq 10 "$(json_get ok <<<"$out")" "udp $vip ($1)"
	done
}
real_clients before

# Open connections whose client the fuzzer impersonates (the servers hold them 60 s; the
# clients have sent their data and half-closed).
for vip in "$VIP4" "$VIP6"; do
	in_ns client $LBTRAFFIC tcp "$vip" 82 --count 3 --parallel 3 --timeout 90 >/dev/null 2>&1 &
done
# 10 s, stretched on a debug kernel: the clients' start alone can take that long there.
for _ in $(seq 1 $((100 * ${LVS_TEST_TIME_SCALE:-1}))); do
	[ "$(in_ns lb grep -cE ':82 .* (ESTABLISHED|FIN_WAIT) ' /proc/net/nft_lvs/conns)" -ge 6 ] && break
	sleep 0.1
done
in_ns lb awk '$6 ~ /^(ESTABLISHED|FIN_WAIT)$/ && $3 ~ /:82$/ { print $2, $3 }' /proc/net/nft_lvs/conns |
	sed -E 's/^\[?([^] ]*)\]?:([0-9]+) \[?([^] ]*)\]?:([0-9]+)$/\1 \2 \3 \4/' >"$CASE_TMP/tuples"
log "victims: $(tr '\n' ';' <"$CASE_TMP/tuples")"
[ "$(wc -l <"$CASE_TMP/tuples")" -ge 6 ] || fail "held connections not established"

mac=$(ip -n lb -br link show "$LB_IF_CLIENT" | awk '{ print $3 }')
in_ns client $PKTFUZZ "$CLIENT_IF" "$mac" "$SEED" "$COUNT" "$VIP4:80" "$VIP4:81" "$VIP4:53" \
	"$LIP4_1:5000" "[$VIP6]:80" "[$VIP6]:81" "[$VIP6]:53" "[$LIP6_1]:5000" \
	--tuples "$CASE_TMP/tuples" >"$CASE_TMP/fuzz.json" 2>&1 &
fuzz=$!
real_clients during tcp
# UDP meanwhile: logged, not judged (see above).
out=$(in_ns client $LBTRAFFIC udp "$VIP6" 53 --count 10 --sizes 1,1400)
log "udp during the fuzz: $out"
wait "$fuzz" || fail "pktfuzz: $(cat "$CASE_TMP/fuzz.json")"
log "fuzz (seed $SEED): $(cat "$CASE_TMP/fuzz.json")"
[ "$(json_get sent <"$CASE_TMP/fuzz.json")" -ge "$COUNT" ] || fail "the fuzzer sent too little"
real_clients after

# Once more with the ingress fast path on both of lb's devices: the same kinds of frames
# (another seed, a third as many) meet lb-dispatch before the IP stack, on the held
# connections that are left and on the real clients' connections made meanwhile.
topo_fastpath_nft | in_ns lb "$NFTLVS" -f - || fail "netdev ruleset"
in_ns client $PKTFUZZ "$CLIENT_IF" "$mac" "$((SEED + 1))" "$((COUNT / 3))" "$VIP4:80" \
	"$VIP4:81" "$VIP4:53" "$LIP4_1:5000" "[$VIP6]:80" "[$VIP6]:81" "[$VIP6]:53" \
	"[$LIP6_1]:5000" --tuples "$CASE_TMP/tuples" >"$CASE_TMP/fuzz2.json" 2>&1 &
fuzz=$!
real_clients "during, fast path" tcp
wait "$fuzz" || fail "pktfuzz with the fast path: $(cat "$CASE_TMP/fuzz2.json")"
log "fuzz with the fast path (seed $((SEED + 1))): $(cat "$CASE_TMP/fuzz2.json")"
real_clients "after, fast path"
[ "$(lvs_stat fastpath_pkts)" -gt 0 ] || fail "nothing took the fast path"
log "$(in_ns lb cat /proc/net/nft_lvs/stats | tr '\n' ' ')"
