#!/bin/bash
# Teardown races under traffic: while clients keep connecting (TCP through fullnat over set
# pools, through synproxy-lb, UDP, IPv6) and spoofed SYNs keep coming, the ruleset is
# flushed and reloaded, the service rule replaced, the pool's map edited, iptables FULLNAT
# rules (nft and legacy back-ends) added and deleted, in loops; a clean exchange works after
# each; then the LB namespace is deleted with all of it in flight, and the module must
# unload once the namespace is gone (nothing leaked, nothing stuck). The runner fails the
# case on any kernel warning.
# timeout: 360
# exclusive: deletes the namespace under traffic and unloads nft_lvs
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

SYNFLOOD=$TOP/build/host/tests/tools/synflood
FLOOD_NET=198.18.0.0/16
topo_setup
for ns in rs1 rs2 rs3; do ip -n "$ns" route del default 2>/dev/null; ip -n "$ns" -6 route del default; done
lvs_start_servers 8080 5353/udp 8006/v6
in_ns lb ip route add "$FLOOD_NET" via "$CLIENT4" || fail "flood route"

RULES=$CASE_TMP/rules.nft
cat >"$RULES" <<NFT
flush ruleset
table inet lvs {
	map web { type ipv4_addr . inet_service : mark; elements = { $RS4_1 . 8080 : 1, $RS4_2 . 8080 : 1 } }
	set lips { type ipv4_addr; elements = { $LIP4_1, $LIP4_2 } }
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 fullnat to @web via @lips sched rr
		ip daddr $VIP4 tcp dport 81 synproxy-lb sack-perm timestamp wscale 7 fullnat to { $RS4_1:8080, $RS4_3:8080 } via { $LIP4_1 } sched rr
		ip daddr $VIP4 udp dport 53 fullnat to { $RS4_1:5353, $RS4_2:5353 } via { $LIP4_2 } sched rr
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8006, [$RS6_2]:8006 } via { $LIP6_1 } sched rr
	}
}
NFT
in_ns lb "$NFTLVS" -f "$RULES" || fail "ruleset"

# Traffic that runs until $STOP exists; failures while rules come and go are expected.
STOP=$CASE_TMP/stop
loop() {	# loop NAME LBTRAFFIC-ARGS...
	local name=$1 ok=0 bad=0
	shift
	until [ -e "$STOP" ]; do
		if in_ns client $LBTRAFFIC "$@" --timeout 5 >/dev/null 2>&1; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	echo "$name: $ok runs ok, $bad with failures" >"$CASE_TMP/loop.$name"
}
loops=()
loop tcp tcp "$VIP4" 80 --count 4 --parallel 2 --sizes 1,20000 & loops+=($!)
loop synproxy tcp "$VIP4" 81 --count 2 --sizes 1000 & loops+=($!)
loop udp udp "$VIP4" 53 --count 4 --sizes 1,512 & loops+=($!)
loop tcp6 tcp "$VIP6" 80 --count 2 --sizes 1000 & loops+=($!)
in_ns client "$SYNFLOOD" "$VIP4" 81 "$FLOOD_NET" 100000000 600 syn >/dev/null 2>&1 &
flood=$!

# clean TAG: with the loaded ruleset, an exchange of each kind succeeds.
clean() {
	local out
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 4 --timeout 20) || fail "tcp after $1: $out"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 81 --count 2 --timeout 20) || fail "synproxy-lb after $1: $out"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP6" 80 --count 2 --timeout 20) || fail "IPv6 after $1: $out"
}
# churn NAME SECONDS STEP: STEP (a function; its argument is the round number) again and
# again for SECONDS of the guest's time, at least 5 times; then a clean exchange of each kind.
# A time, not a count: under this load one step takes 1-5 s, and the guest's speed varies.
churn() {
	local name=$1 seconds=$2 step=$3 n=0 start=$SECONDS
	while [ $n -lt 5 ] || [ $((SECONDS - start)) -lt "$seconds" ]; do
		n=$((n + 1))
		"$step" "$n" || fail "$name ($n)"
	done
	clean "$name"
	log "$name: $n in $((SECONDS - start)) s"
}
sleep 2

reload() {
	in_ns lb "$NFTLVS" -f "$RULES"
}
churn "ruleset reloads" 8 reload

handle() {	# the handle of the port-80 IPv4 rule
	in_ns lb "$NFTLVS" -a list chain inet lvs pre |
		awk '/ip daddr .* tcp dport 80 / { print $NF }'
}
replace() {	# the port-80 rule replaced, its scheduler changing every time
	local sched=rr h
	[ $(($1 % 2)) = 0 ] && sched=wlc
	h=$(handle)
	[ -n "$h" ] || fail "no handle for the port-80 rule"
	in_ns lb "$NFTLVS" replace rule inet lvs pre handle "$h" ip daddr "$VIP4" tcp dport 80 \
		fullnat to @web via @lips sched "$sched"
}
churn "rule replacements" 8 replace

edit_pool() {	# a server in, one out, back in, the other out: the pool is never empty
	in_ns lb nft add element inet lvs web "{ $RS4_3 . 8080 : 2 }" &&
	in_ns lb nft delete element inet lvs web "{ $RS4_1 . 8080 : 1 }" &&
	in_ns lb nft add element inet lvs web "{ $RS4_1 . 8080 : 1 }" &&
	in_ns lb nft delete element inet lvs web "{ $RS4_3 . 8080 : 2 }"
}
churn "pool edits (4 set changes each)" 6 edit_pool

iptables_rule() {	# a FULLNAT rule added and deleted, the back-ends taking turns
	local backend=nft
	[ $(($1 % 2)) = 0 ] && backend=legacy
	in_ns lb iptables-$backend -t raw -I PREROUTING -d "$VIP4" -p tcp --dport 82 -j FULLNAT \
		--to "$RS4_2:8080" --via "$LIP4_2" &&
	in_ns lb iptables-$backend -t raw -D PREROUTING -d "$VIP4" -p tcp --dport 82 -j FULLNAT \
		--to "$RS4_2:8080" --via "$LIP4_2"
}
churn "iptables rules added and deleted" 6 iptables_rule

# Everything in flight, the namespace goes.
in_ns lb awk '$1 ~ /^(conns|conn_new|conn_early_drop|synproxy_syn|services)$/' /proc/net/nft_lvs/stats |
	paste -sd' ' | while read -r line; do log "before the namespace goes: $line"; done
kill -KILL $(ip netns pids lb) 2>/dev/null
ip netns del lb || fail "ip netns del lb"
sleep 2
touch "$STOP"
kill "$flood" 2>/dev/null
wait "${loops[@]}" "$flood" 2>/dev/null
cat "$CASE_TMP"/loop.* | while read -r line; do log "$line"; done
topo_teardown
# Namespace teardown is asynchronous; the module must become free.
end=$((SECONDS + 60))
until ! lvs_loaded || rmmod nft_lvs 2>/dev/null; do
	[ $SECONDS -lt $end ] ||
		fail "nft_lvs still in use 60 s after the namespace went: $(grep '^nft_lvs ' /proc/modules)"
	sleep 0.2
done
log "module unloaded $((SECONDS - end + 60)) s after the namespace went"
