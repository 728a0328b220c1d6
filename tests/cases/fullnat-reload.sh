#!/bin/bash
# Connections survive a ruleset reload: a transfer in flight completes,
# open connections keep their server and stay counted, new connections
# follow the new rules. IPv4, then IPv6.
# timeout: 400
# exclusive: its lc checks count the connections open on each server
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080 8080/v6

# reload_case FAMILY VIP "RS1 RS2 RS3" (as /proc/net/nft_lvs/real names them) LIP
reload_case() {
	local fam=$1 vip=$2 rs1 rs2 rs3 lip=$4 a1 a2 vipname=$2 out t0
	read -r rs1 rs2 rs3 <<<"$3"
	case $vip in *:*) vipname="[$vip]" ;; esac
	ruleset() {	# ruleset FIRST_LINE POOL: the service's table, in one transaction
		in_ns lb "$NFTLVS" -f - <<NFT
$1
table $fam lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		$fam daddr $vip tcp dport 80 fullnat to { $2 } via { $lip } sched lc
		$fam daddr $vip meta l4proto { tcp, udp } drop
	}
}
NFT
	}
	active() { in_ns lb awk -v rs="$1" '$1 == rs { print $3 + $4 }' /proc/net/nft_lvs/real; }
	svc_conns() {
		in_ns lb awk -v v="$vipname:80" '$1 == "tcp" && $2 == v { print $3 }' \
			/proc/net/nft_lvs/services
	}
	ruleset "" "$rs1:8080, $rs2:8080" || fail "ruleset ($fam)"

	# Four connections that keep sending until the reload is over: open through it
	# however long it takes.
	lvs_across_start 4 "$vip" 80 || fail "four connections carrying data ($fam)"
	a1=$(active "$rs1:8080") a2=$(active "$rs2:8080")
	assert_eq 4 "$((a1 + a2))" "connections open before the reload ($fam)"
	log "before reload ($fam): rs1 $a1 rs2 $a2"
	assert_eq 4 "$(svc_conns)" "service connections before the reload ($fam)"

	# The whole ruleset replaced in one transaction, as a reload does ("nft -f" of a file
	# that starts with "flush ruleset"): no moment without the service.
	t0=$(date +%s)
	ruleset "flush ruleset" "$rs1:8080, $rs2:8080, $rs3:8080" || fail "reload ($fam)"
	# What the servers' counters show, for a failure's log.
	log "after reload ($fam), $(( $(date +%s) - t0 )) s: $(in_ns lb cat /proc/net/nft_lvs/real |
		tr '\n' ';'); $(in_ns lb grep -c . /proc/net/nft_lvs/conns) conns lines"
	assert_eq "$a1" "$(active "$rs1:8080")" "rs1 connections counted after reload ($fam)"
	assert_eq "$a2" "$(active "$rs2:8080")" "rs2 connections counted after reload ($fam)"

	# lc sees the old connections: new ones go to rs3 first.
	out=$(in_ns client $LBTRAFFIC tcp "$vip" 80 --count 1) || fail "new connection ($fam): $out"
	assert_eq '{"rs3": 1}' "$(json_get rs <<<"$out")" "lc after reload ($fam)"
	assert_eq 5 "$(svc_conns)" "service connections counted across the reload ($fam)"

	lvs_across_end "across the reload ($fam)"
	in_ns lb nft flush ruleset
}

reload_case ip "$VIP4" "$RS4_1 $RS4_2 $RS4_3" "$LIP4_1"
reload_case ip6 "$VIP6" "[$RS6_1] [$RS6_2] [$RS6_3]" "$LIP6_1"
