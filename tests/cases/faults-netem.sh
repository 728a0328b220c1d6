#!/bin/bash
# Faulty links on both sides of the LB (netem on every egress beside it: client -> lb,
# lb -> client, rs -> lb, lb -> rs): loss, delay with jitter and reordering, duplication
# and corruption, one at a time, offloads on and off. TCP transfers through fullnat (IPv4 and IPv6) and
# through synproxy-lb stay byte-exact; netem's own counters prove the faults happened; the
# LB makes no transmit errors (a corrupted segment is translated and left to the endpoint's
# checksum, as a router leaves it).
# timeout: 600
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080 8080/v6
in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table inet lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_1 } sched rr flags toa
		ip daddr $VIP4 tcp dport 81 synproxy-lb mss 1452 wscale 7 sack-perm timestamp fullnat to { $RS4_1:8080, $RS4_2:8080 } via { $LIP4_2 } sched rr
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8080, [$RS6_2]:8080 } via { $LIP6_1 } sched rr flags toa
		ip daddr $VIP4 meta l4proto { tcp, udp } drop
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT

# The egress devices beside the LB, as NS:DEV.
LINKS="client:$CLIENT_IF lb:$LB_IF_CLIENT rs1:$RS_IF rs2:$RS_IF lb:$LB_IF_RS1 lb:$LB_IF_RS2"
netem() {	# netem OPTIONS...: the same fault on every link (none: remove it)
	local l
	for l in $LINKS; do
		in_ns "${l%%:*}" tc qdisc del dev "${l#*:}" root 2>/dev/null
		[ "$1" = none ] && continue
		in_ns "${l%%:*}" tc qdisc add dev "${l#*:}" root netem "$@" ||
			fail "netem $* on $l"
	done
}
# evidence COUNTER: what shows that a fault happened, summed over the links or the
# endpoints: "dropped" (netem's drops), "sent" (packets through netem) or an SNMP counter
# of the endpoints' stacks (nstat's name: out-of-order queueing for reordering, DSACKs
# for duplicates, checksum errors for corruption).
evidence() {
	local l ns sum=0 n
	case $1 in
	dropped | sent)
		for l in $LINKS; do
			n=$(in_ns "${l%%:*}" tc -s qdisc show dev "${l#*:}" | awk -v f="$1" '
				$1 == "Sent" {
					if (f == "sent") print $4
					else for (i = 1; i < NF; i++)
						if ($i == "(dropped") { v = $(i + 1); sub(",", "", v); print v }
				}' | head -n1)
			sum=$((sum + ${n:-0}))
		done
		;;
	*)
		for ns in client rs1 rs2; do
			n=$(in_ns "$ns" nstat -asz "$1" | awk -v k="$1" '$1 == k { print $2 }')
			sum=$((sum + ${n:-0}))
		done
		;;
	esac
	echo "$sum"
}

in_ns client tc qdisc add dev "$CLIENT_IF" root netem delay 1ms 2>/dev/null || skip "netem unavailable"
in_ns client tc qdisc del dev "$CLIENT_IF" root

transfers() {	# transfers TAG [v6]: fullnat (IPv6 too with v6) and synproxy-lb, every byte checked
	local out
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 2 --parallel 2 \
		--sizes 200000,3 --timeout 90) || fail "fullnat, $1: $out"
	assert_eq 2 "$(json_get ok <<<"$out")" "fullnat exchanges, $1"
	if [ "${2:-}" = v6 ]; then
		out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 2 --parallel 2 \
			--sizes 200000,64000 --timeout 90) || fail "fullnat IPv6, $1: $out"
		assert_eq 2 "$(json_get ok <<<"$out")" "fullnat IPv6 exchanges, $1"
	fi
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 81 --count 2 --parallel 2 \
		--sizes 200000,64000 --timeout 90) || fail "synproxy-lb, $1: $out"
	assert_eq 2 "$(json_get ok <<<"$out")" "synproxy-lb exchanges, $1"
}

# FAULT|NETEM OPTIONS|EVIDENCE (see evidence; netem's own counts start with its qdisc)|v6
# (IPv6 too: the faults that touch the stream's order and completeness)
while IFS='|' read -r fault opts counter v6; do
	for offload in on off; do
		topo_offloads "$offload"
		case $counter in dropped | sent) before=0 ;; *) before=$(evidence "$counter") ;; esac
		netem $opts
		# With offloads on a transfer is a few dozen GSO packets per link, and a 1% fault
		# can miss them all: more transfers, up to 4 rounds, until the fault shows.
		n=0 round=0
		while [ "$n" -le 0 ] && [ "$round" -lt 4 ]; do
			round=$((round + 1))
			transfers "$fault, offloads $offload" "$v6"
			n=$(( $(evidence "$counter") - before ))
		done
		log "$fault, offloads $offload: $counter +$n ($round rounds)"
		[ "$n" -gt 0 ] || fail "$fault, offloads $offload: no $counter, the fault did not happen"
		netem none
	done
done <<'EOF'
loss|loss 3%|dropped|v6
delay, jitter and reorder|delay 3ms 2ms reorder 20% 50%|TcpExtTCPOFOQueue|v6
duplicate|duplicate 5%|TcpExtTCPDSACKOldSent|
corrupt|corrupt 1%|TcpInCsumErrors|
EOF

log "$(in_ns lb grep -E 'conn_new|error|synproxy_(ok|bad)' /proc/net/nft_lvs/stats | paste -sd' ')"
assert_eq 0 "$(lvs_stat xmit_error)" "transmit errors"
assert_eq 0 "$(lvs_stat synproxy_rs_error)" "synproxy-lb: server errors"
topo_teardown
