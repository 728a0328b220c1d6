#!/bin/bash
# Connections survive a ruleset reload: a transfer in flight completes,
# open connections keep their server and stay counted, new connections
# follow the new rules. IPv4, then IPv6.
# timeout: 400
# exclusive: its lc checks count connections the servers hold for seconds
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
# The servers hold each connection long enough to outlast the reload below; on a debug
# kernel a reload's RCU waits take seconds, so the hold stretches with its time limits.
lvs_start_servers 8080 8080/v6 --hold $((6 * ${LVS_TEST_TIME_SCALE:-1}))

# reload_case FAMILY VIP "RS1 RS2 RS3" (as /proc/net/nft_lvs/real names them) LIP
reload_case() {
	local fam=$1 vip=$2 rs1 rs2 rs3 lip=$4 first a1 a2 vipname=$2 out
	read -r rs1 rs2 rs3 <<<"$3"
	case $vip in *:*) vipname="[$vip]" ;; esac
	active() { in_ns lb awk -v rs="$1" '$1 == rs { print $3 + $4 }' /proc/net/nft_lvs/real; }
	svc_conns() {
		in_ns lb awk -v v="$vipname:80" '$1 == "tcp" && $2 == v { print $3 }' \
			/proc/net/nft_lvs/services
	}
	lvs_service_table "$vip" 80 tcp || fail "service table ($fam)"
	in_ns lb "$LVSRULE" add "$fam" lvs svc fullnat "pool=$rs1:8080,$rs2:8080" "laddrs=$lip" \
		sched=lc || fail "service ($fam)"

	in_ns client $LBTRAFFIC tcp "$vip" 80 --count 4 --parallel 4 --sizes 3000000 --timeout 30 \
		>"/tmp/first.$fam.json" &
	first=$!
	# Reload while all four connections are open (the servers hold them 6 s).
	for _ in $(seq 1 150); do
		[ "$(( $(active "$rs1:8080") + $(active "$rs2:8080") ))" = 4 ] && break
		sleep 0.1
	done
	a1=$(active "$rs1:8080") a2=$(active "$rs2:8080")
	assert_eq 4 "$((a1 + a2))" "connections open before the reload ($fam)"
	log "before reload ($fam): rs1 $a1 rs2 $a2"
	assert_eq 4 "$(svc_conns)" "service connections before the reload ($fam)"

	# Whole ruleset replaced in one go, as a reload does.
	in_ns lb nft flush ruleset
	lvs_service_table "$vip" 80 tcp || fail "service table again ($fam)"
	in_ns lb "$LVSRULE" add "$fam" lvs svc fullnat "pool=$rs1:8080,$rs2:8080,$rs3:8080" \
		"laddrs=$lip" sched=lc || fail "service again ($fam)"
	assert_eq "$a1" "$(active "$rs1:8080")" "rs1 connections counted after reload ($fam)"
	assert_eq "$a2" "$(active "$rs2:8080")" "rs2 connections counted after reload ($fam)"

	# lc sees the old connections: new ones go to rs3 first.
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 1) || fail "new connection ($fam): $out"
	assert_eq '{"rs3": 1}' "$(json_get rs <<<"$out")" "lc after reload ($fam)"
	assert_eq 5 "$(svc_conns)" "service connections counted across the reload ($fam)"

	wait "$first" || fail "transfers across the reload ($fam): $(cat "/tmp/first.$fam.json")"
	assert_eq 4 "$(json_get ok <"/tmp/first.$fam.json")" "transfers completed across the reload ($fam)"
	in_ns lb nft flush ruleset
}

reload_case ip "$VIP4" "$RS4_1 $RS4_2 $RS4_3" "$LIP4_1"
reload_case ip6 "$VIP6" "[$RS6_1] [$RS6_2] [$RS6_3]" "$LIP6_1"
