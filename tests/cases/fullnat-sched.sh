#!/bin/bash
# Schedulers against their definitions over real connections: wrr by
# weight, lc/wlc by open connections, weight 0 drains, sh and mh stable per
# client, and mh keeps the clients of the servers that stay when one leaves.
# Every scheduler over IPv4, over IPv6 (sh and mh hash the IPv6 client) and
# for IPv6 clients of IPv4 servers (NAT64).
# timeout: 600
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
topo_add_client_addrs
lvs_start_servers 8080/hold=4 8081 8082/hold=4 8080/v6/hold=4 8081/v6 8082/v6/hold=4
spread() { json_get rs; }

# sched_cases FAMILY VIP "RS1 RS2 RS3" "LIP1 LIP2" "CLIENT..." [TAG]
# (RS as they are written in a pool: IPv6 in brackets)
sched_cases() {
	local fam=$1 vip=$2 rs1 rs2 rs3 lip1 lip2 clients=$5 out n src s before tag=${6:-$1}
	read -r rs1 rs2 rs3 <<<"$3"
	read -r lip1 lip2 <<<"$4"
	# The fullnat's family is its servers' (IPv4 for NAT64), lvsrule's default the table's.
	local fnfam=family=$fam
	[ "$tag" != nat64 ] || fnfam=family=ip
	lvs_service_table "$vip" 80 tcp || fail "service table ($tag)"
	use() {	# use PORT SCHED W1 W2 W3: replace the service's rule
		in_ns lb nft flush chain "$fam" lvs svc
		in_ns lb "$LVSRULE" add "$fam" lvs svc fullnat \
			"pool=$rs1:$1@$3,$rs2:$1@$4,$rs3:$1@$5" \
			"laddrs=$lip1,$lip2" "sched=$2" "$fnfam" || fail "add $2 ($tag)"
	}

	# wrr: exact shares over whole periods, sequential connections.
	use 8081 wrr 3 1 1
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 10) || fail "wrr traffic ($tag): $out"
	assert_eq '{"rs1": 6, "rs2": 2, "rs3": 2}' "$(spread <<<"$out")" "wrr 3:1:1 ($tag)"

	# weight 0 drains.
	use 8081 rr 1 1 0
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 6) || fail "drain traffic ($tag): $out"
	assert_eq '{"rs1": 3, "rs2": 3}' "$(spread <<<"$out")" "rr with rs3 drained ($tag)"

	# lc / wlc: concurrent connections held open by the servers (--hold 4).
	use 8080 lc 1 1 1
	# Staggered starts: each pick sees the connections opened before it.
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 6 --parallel 6 --stagger 0.3) ||
		fail "lc traffic ($tag): $out"
	log "lc ($tag): $out"
	assert_eq '{"rs1": 2, "rs2": 2, "rs3": 2}' "$(spread <<<"$out")" "lc over 6 open connections ($tag)"
	# Servers on another port: real servers of their own, untouched by the lc connections.
	use 8082 wlc 2 1 1
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 8 --parallel 8 --stagger 0.3) ||
		fail "wlc traffic ($tag): $out"
	log "wlc ($tag): $out"
	assert_eq '{"rs1": 4, "rs2": 2, "rs3": 2}' "$(spread <<<"$out")" \
		"wlc 2:1:1 over 8 open connections ($tag)"

	# sh and mh: each client address always lands on the same server (3 connections
	# from each, in one run).
	srcs=$(echo $clients | tr ' ' ',')
	for s in sh mh; do
		use 8081 "$s" 1 1 1
		out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count $((3 * $(wc -w <<<"$clients"))) \
			--src "$srcs" --parallel 3) || fail "$s traffic ($tag): $out"
		$PY -c '
import json, sys
by = json.loads(sys.argv[1])["by_src"]
for src, per in sorted(by.items()):
    if len(per) != 1 or sum(per.values()) != 3:
        sys.exit("client %s spread over %r" % (src, per))
    print(src, next(iter(per)))' "$out" >"/tmp/$s.$tag.map" || fail "$s ($tag): $(cat "/tmp/$s.$tag.map")"
		log "$s ($tag): $(tr '\n' ' ' <"/tmp/$s.$tag.map")"
		# The hash is fixed (no seed set): these clients land on more than one server
		# unless only part of the address is hashed.
		[ "$(awk '{ print $2 }' "/tmp/$s.$tag.map" | sort -u | wc -l)" -ge 2 ] ||
			fail "$s ($tag): every client on one server"
	done

	# mh: rs3 leaves; clients of rs1 and rs2 keep their server.
	in_ns lb nft flush chain "$fam" lvs svc
	in_ns lb "$LVSRULE" add "$fam" lvs svc fullnat "pool=$rs1:8081,$rs2:8081" \
		"laddrs=$lip1,$lip2" sched=mh "$fnfam" || fail "mh without rs3 ($tag)"
	srcs=$(awk '$2 != "rs3" { print $1 }' "/tmp/mh.$tag.map" | paste -sd,)
	[ -n "$srcs" ] || return 0
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count "$(tr ',' '\n' <<<"$srcs" | wc -l)" \
		--src "$srcs") || fail "mh without rs3 ($tag): $out"
	$PY -c '
import json, sys
by = json.loads(sys.argv[1])["by_src"]
before = dict(line.split() for line in open(sys.argv[2]))
moved = {s: (before[s], list(per)) for s, per in by.items() if list(per) != [before[s]]}
sys.exit("clients moved: %r" % moved if moved else 0)' "$out" "/tmp/mh.$tag.map" ||
		fail "mh: clients of the servers that stayed moved ($tag)"
}

sched_cases ip "$VIP4" "$RS4_1 $RS4_2 $RS4_3" "$LIP4_1 $LIP4_2" "$CLIENT4 ${CLIENT4_EXTRA% 10.0.0.8*}"
sched_cases ip6 "$VIP6" "[$RS6_1] [$RS6_2] [$RS6_3]" "$LIP6_1 $LIP6_2" "$CLIENT6 ${CLIENT6_EXTRA% 2001:db8::6*}"
in_ns lb nft delete table ip6 lvs
sched_cases ip6 "$VIP6" "$RS4_1 $RS4_2 $RS4_3" "$LIP4_1 $LIP4_2" "$CLIENT6 ${CLIENT6_EXTRA% 2001:db8::6*}" nat64
