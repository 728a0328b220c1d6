#!/bin/bash
# The iptables front-end: LB-DISPATCH, FULLNAT and SYNPROXY-LB targets in the raw table,
# with iptables-nft and with iptables-legacy, IPv4 (iptables) and IPv6 plus NAT64
# (ip6tables). Real TCP and UDP through them, every byte checked; the servers see the local
# addresses; an nft statement's service beside them shares the connection table and the
# counters; iptables -L shows the statements; iptables-save / iptables-restore round trip
# byte-exact and the restored rules carry traffic; iptables-translate gives a rule nftlvs loads (the
# canonical statement: the default scheduler left out); bad options are refused with a message
# naming them, and nothing of a refused rule stays.
# timeout: 400
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
for ns in rs1 rs2 rs3; do ip -n "$ns" route del default 2>/dev/null; ip -n "$ns" -6 route del default; done
lvs_start_servers 8080 5353/udp 8006/v6

POOL4="$RS4_1:8080,$RS4_2:8080,$RS4_3:8080"
POOL6="[$RS6_1]:8006,[$RS6_2]:8006,[$RS6_3]:8006"

# An nft service beside the iptables rules (port 83), in its own table.
in_ns lb "$NFTLVS" -f - <<NFT || fail "nft service"
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip daddr $VIP4 tcp dport 83 fullnat to { $RS4_1:8080 } via { $LIP4_2 }
	}
}
NFT

load_rules() {	# load_rules BACKEND
	local ipt=iptables-$1 ip6t=ip6tables-$1
	in_ns lb $ipt -t raw -A PREROUTING -j LB-DISPATCH &&
	in_ns lb $ipt -t raw -A PREROUTING -d "$VIP4" -p tcp --dport 80 -j FULLNAT \
		--to "$POOL4" --via "$LIP4_1,$LIP4_2" --sched rr --toa &&
	in_ns lb $ipt -t raw -A PREROUTING -d "$VIP4" -p udp --dport 53 -j FULLNAT \
		--to "$RS4_1:5353,$RS4_2:5353@2" --via "$LIP4_1" --sched wrr --timeout 2m &&
	in_ns lb $ipt -t raw -A PREROUTING -d "$VIP4" -p tcp --dport 82 -j SYNPROXY-LB \
		--mss 1440 --wscale 7 --sack-perm --timestamp --to "$POOL4" --via "$LIP4_1" \
		--ports 20000-29999 --sched rr &&
	in_ns lb $ipt -t raw -A PREROUTING -d "$VIP4" -p tcp --dport 80:82 -j DROP &&
	in_ns lb $ip6t -t raw -A PREROUTING -j LB-DISPATCH &&
	in_ns lb $ip6t -t raw -A PREROUTING -d "$VIP6" -p tcp --dport 80 -j FULLNAT \
		--to "$POOL6" --via "$LIP6_1" --sched rr --toa --toa-kind-253 &&
	in_ns lb $ip6t -t raw -A PREROUTING -d "$VIP6" -p tcp --dport 81 -j FULLNAT \
		--to "$POOL4" --via "$LIP4_2" --sched rr --rst-on-expire
}

check_traffic() {	# check_traffic TAG
	local out p
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 9 --parallel 3 \
		--sizes 1,1000,65536,1500000,17) || fail "tcp ($1): $out"
	assert_eq '{"rs1": 3, "rs2": 3, "rs3": 3}' "$(json_get rs <<<"$out")" "tcp rr ($1)"
	for p in $(json_keys "$(json_get peers <<<"$out")"); do
		[ "$p" = "$LIP4_1" ] || [ "$p" = "$LIP4_2" ] || fail "tcp ($1): server peer $p"
	done
	out=$(in_ns client $LBTRAFFIC udp "$VIP4" 53 --count 12 --sizes 1,512,1400) ||
		fail "udp ($1): $out"
	assert_eq "{\"$LIP4_1\": 12}" "$(json_get peers <<<"$out")" "udp peer ($1)"
	sp0=$(lvs_stat synproxy_ok_ack)
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 82 --count 6 --parallel 3 --sizes 1,70000) ||
		fail "synproxy-lb ($1): $out"
	assert_eq "{\"$LIP4_1\": 6}" "$(json_get peers <<<"$out")" "synproxy-lb peer ($1)"
	[ "$(lvs_stat synproxy_ok_ack)" -ge $((sp0 + 6)) ] ||
		fail "synproxy_ok_ack $sp0 -> $(lvs_stat synproxy_ok_ack) ($1)"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 6 --sizes 1,100000) ||
		fail "IPv6 ($1): $out"
	assert_eq "{\"$LIP6_1\": 6}" "$(json_get peers <<<"$out")" "IPv6 peer ($1)"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 81 --count 6 --sizes 1,100000) ||
		fail "NAT64 ($1): $out"
	assert_eq "{\"$LIP4_2\": 6}" "$(json_get peers <<<"$out")" "NAT64 peer ($1)"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 83 --count 3) || fail "nft beside ($1): $out"
	assert_eq "{\"$LIP4_2\": 3}" "$(json_get peers <<<"$out")" "nft service's peer ($1)"
}

# save BACKEND: the raw tables of both families, without the comment lines (times, versions)
# and with the packet counters zeroed.
save() {
	{ in_ns lb iptables-$1-save -t raw; in_ns lb ip6tables-$1-save -t raw; } |
		sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]/[0:0]/'
}

ends_with() {	# ends_with TEXT FILE: a line of FILE ends in TEXT
	awk -v t="$1" 'length($0) >= length(t) && substr($0, length($0) - length(t) + 1) == t { f = 1 }
		END { exit !f }' "$2"
}

for backend in nft legacy; do
	log "== iptables-$backend"
	new0=$(lvs_stat conn_new)
	load_rules "$backend" || fail "iptables-$backend rules"
	listing=$(in_ns lb iptables-$backend -t raw -L PREROUTING -n)
	grep -q "fullnat to { $RS4_1:8080, $RS4_2:8080, $RS4_3:8080 } via { $LIP4_1, $LIP4_2 } sched rr flags toa" \
		<<<"$listing" || fail "iptables -L ($backend): $listing"
	grep -q "synproxy-lb mss 1440 wscale 7 sack-perm timestamp fullnat to" <<<"$listing" ||
		fail "iptables -L, SYNPROXY-LB ($backend): $listing"
	check_traffic "$backend"
	# One connection table and one set of counters for the targets and the statement: 30
	# TCP connections and at least one UDP flow (its clients may reuse a port).
	[ "$(lvs_stat conn_new)" -ge $((new0 + 31)) ] ||
		fail "conn_new $new0 -> $(lvs_stat conn_new) ($backend)"

	# Save, flush, restore, save: the same text, and the restored rules serve.
	save "$backend" >"$CASE_TMP/save1.$backend"
	for rule in "-j FULLNAT --to $POOL4 --via $LIP4_1,$LIP4_2 --sched rr --toa" \
		"-j FULLNAT --to $RS4_1:5353,$RS4_2:5353@2 --via $LIP4_1 --sched wrr --timeout 120" \
		"-j SYNPROXY-LB --mss 1440 --wscale 7 --sack-perm --timestamp --to $POOL4 --via $LIP4_1 --ports 20000-29999 --sched rr" \
		"-j FULLNAT --to $POOL6 --via $LIP6_1 --sched rr --toa --toa-kind-253" \
		"-j FULLNAT --to $POOL4 --via $LIP4_2 --sched rr --rst-on-expire"; do
		ends_with "$rule" "$CASE_TMP/save1.$backend" ||
			fail "no rule ending in '$rule' in the save ($backend): $(cat "$CASE_TMP/save1.$backend")"
	done
	in_ns lb iptables-$backend -t raw -F && in_ns lb ip6tables-$backend -t raw -F ||
		fail "flush ($backend)"
	sed -n '1,/^COMMIT/p' "$CASE_TMP/save1.$backend" | in_ns lb iptables-$backend-restore ||
		fail "iptables-restore ($backend)"
	sed -n '/^COMMIT/,$p' "$CASE_TMP/save1.$backend" | sed 1d |
		in_ns lb ip6tables-$backend-restore || fail "ip6tables-restore ($backend)"
	save "$backend" >"$CASE_TMP/save2.$backend"
	diff -u "$CASE_TMP/save1.$backend" "$CASE_TMP/save2.$backend" ||
		fail "save, restore, save differ ($backend)"
	check_traffic "$backend, restored"

	# Bad options: refused with a message naming them; the table is as before.
	for bad in "--to $RS4_1:8080 --via $LIP4_1, |--via: an empty entry" \
		"--to $RS4_1:99999 --via $LIP4_1|--to: '99999' is not a number from 1 to 65535" \
		"--to [$RS6_1]:8080 --via $LIP4_1|not of one family" \
		"--to [$RS6_1]:8080 --via $LIP6_1|IPv6 servers behind an IPv4 rule: use ip6tables" \
		"--to $RS4_1 --via $LIP4_1 --sched fastest|unknown scheduler 'fastest'" \
		"--to $RS4_1 --via $LIP4_1 --toa-kind-253|--toa-kind-253 needs --toa" \
		"--via $LIP4_1|--to (the real servers) and --via (the local addresses) are required"; do
		# shellcheck disable=SC2086
		err=$(in_ns lb iptables-$backend -t raw -A PREROUTING -d "$VIP4" -p tcp --dport 90 \
			-j FULLNAT ${bad%%|*} 2>&1) && fail "accepted ($backend): ${bad%%|*}"
		grep -qF -- "${bad#*|}" <<<"$err" || fail "message for '${bad%%|*}' ($backend): $err"
	done
	# The kernel's own checks: another table than raw, a port range out of order.
	in_ns lb iptables-$backend -t mangle -A PREROUTING -d "$VIP4" -j FULLNAT --to "$RS4_1" \
		--via "$LIP4_1" 2>/dev/null && fail "FULLNAT accepted in the mangle table ($backend)"
	err=$(in_ns lb iptables-$backend -t raw -A PREROUTING -j SYNPROXY-LB --mss 100 \
		--to "$RS4_1" --via "$LIP4_1" 2>&1) && fail "mss 100 accepted ($backend)"
	grep -qF "'100' is not a number from 536 to 65495" <<<"$err" || fail "mss message ($backend): $err"
	save "$backend" >"$CASE_TMP/save3.$backend"
	diff -u "$CASE_TMP/save1.$backend" "$CASE_TMP/save3.$backend" ||
		fail "a refused rule changed the table ($backend)"

	in_ns lb iptables-$backend -t raw -F && in_ns lb ip6tables-$backend -t raw -F ||
		fail "flush ($backend)"
done

# iptables-translate gives the statements, which nftlvs loads.
xl=$(iptables-translate -t raw -A PREROUTING -d "$VIP4" -p tcp --dport 84 -j SYNPROXY-LB \
	--sack-perm --to "$RS4_2:8080@3" --via "$LIP4_1" --sched wlc --timeout 1h)
assert_eq "nft 'add rule ip raw PREROUTING ip daddr $VIP4 tcp dport 84 counter synproxy-lb sack-perm fullnat to { $RS4_2:8080 weight 3 } via { $LIP4_1 } timeout 1h'" \
	"$xl" "iptables-translate"
in_ns lb "$NFTLVS" add chain ip lvs svc || fail "chain for the translation"
in_ns lb "$NFTLVS" "$(sed -e "s/^nft '//" -e "s/'\$//" -e 's/ip raw PREROUTING/ip lvs svc/' <<<"$xl")" ||
	fail "nftlvs does not load the translation: $xl"

assert_eq 0 "$(lvs_stat xmit_error)" "xmit errors"
assert_eq 0 "$(lvs_stat xmit_no_route)" "no-route drops"
topo_teardown
