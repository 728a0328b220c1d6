#!/bin/bash
# Packets that arrive with CHECKSUM_COMPLETE (a NIC that sums whole frames;
# veth never does, so the test-only module tests/kmod/lvs_csum_test turns
# lb's received packets into that state before our chain sees them): TCP
# with TOA, TCP behind synproxy-lb, and UDP all come through byte-exact, and
# every TCP/UDP packet lb sends on either side carries correct IP and L4
# checksums (recomputed in software by the helper at postrouting). IPv4 and
# IPv6.
# timeout: 600
# exclusive: loads a helper module and reads the kernel log
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

[ -f "$LVS_CSUM_TEST_KO" ] || fail "helper module $LVS_CSUM_TEST_KO not built"
param() { cat "/sys/module/lvs_csum_test/parameters/$1"; }

# The helper works at prerouting and postrouting, which the ingress fast path skips: this
# case is about the prerouting path's checksums, so its topology has no fast path.
LVS_TEST_FASTPATH=0
topo_setup
lvs_start_servers 8080 5353/udp 8080/v6 5353/udp/v6
in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_1 } sched rr flags toa
		ip daddr $VIP4 tcp dport 81 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { $RS4_3:8080 } via { $LIP4_2 }
		ip daddr $VIP4 udp dport 53 fullnat to { $RS4_1:5353, $RS4_2:5353 } via { $LIP4_1 }
		ip daddr $VIP4 drop
	}
}
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8080, [$RS6_2]:8080 } via { $LIP6_1 } sched rr flags toa
		ip6 daddr $VIP6 tcp dport 81 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { [$RS6_3]:8080 } via { $LIP6_2 }
		ip6 daddr $VIP6 udp dport 53 fullnat to { [$RS6_1]:5353, [$RS6_2]:5353 } via { $LIP6_1 }
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT

insmod "$LVS_CSUM_TEST_KO" devices="$LB_IF_CLIENT,$LB_IF_RS" || fail "insmod helper"
trap 'rmmod lvs_csum_test 2>/dev/null' EXIT

for offload in off on; do
	topo_offloads "$offload"
	before=$(param converted)
	for vip in "$VIP4" "$VIP6"; do
		for port in 80 81; do
			out=$(in_ns client $LBTRAFFIC tcp "$vip" "$port" --count 6 --parallel 2 \
				--sizes 1,1400,100000,900000 --timeout 90) ||
				fail "tcp $vip $port ($offload): $out"
			assert_eq 6 "$(json_get ok <<<"$out")" "tcp $vip $port exchanges ($offload)"
		done
		out=$(in_ns client $LBTRAFFIC udp "$vip" 53 --count 20 --sizes 1,512,1400) ||
			fail "udp $vip ($offload): $out"
		assert_eq 20 "$(json_get ok <<<"$out")" "udp $vip exchanges ($offload)"
	done
	converted=$(( $(param converted) - before ))
	log "offloads $offload: converted $converted, verified $(param verified) (IPv6 $(param verified6))," \
		"gso skipped $(param skipped_gso)"
	# Thousands of packets cross lb in each round. With offloads on, TCP data
	# travels in GSO packets, which the helper leaves alone; the rest counts.
	min=2000
	[ "$offload" = off ] || min=400
	[ "$converted" -ge "$min" ] || fail "only $converted packets made COMPLETE ($offload)"
done

log "$(in_ns lb grep -E 'toa|synproxy_ok|pkts|error' /proc/net/nft_lvs/stats)"
[ "$(param verified)" -ge 4000 ] || fail "only $(param verified) packets audited"
[ "$(param verified6)" -ge 1500 ] || fail "only $(param verified6) IPv6 packets audited"
assert_eq 0 "$(param bad)" "packets sent with a wrong checksum"
assert_eq 0 "$(param bad_complete)" "COMPLETE packets sent with a stale skb->csum"
[ "$(lvs_stat toa_ok)" -ge 24 ] || fail "TOA inserted only $(lvs_stat toa_ok) times"
[ "$(lvs_stat synproxy_ok_ack)" -ge 24 ] || fail "cookie ACKs: $(lvs_stat synproxy_ok_ack)"
