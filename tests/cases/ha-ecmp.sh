#!/bin/bash
# Active/active load balancers behind an ECMP router, as in examples/ecmp/: lb1 and lb2
# announce the same VIP by BGP (FRR bgpd), the router (bgpd + zebra) installs one route
# with both as next hops and hashes flows on L4. Proves: flows spread over both (each
# one's counters), every client address gets the same real server whichever load
# balancer carries its flow (sched mh, same pool), a stopped bgpd is withdrawn and so is
# a dead load balancer, once its hold time (3 s) expires; new connections then all
# succeed through the other. The times are printed. The same VIP service over IPv6 (its
# own BGP sessions) spreads, keeps a client's server and is withdrawn with the IPv4 one.
# timeout: 300
# exclusive: BGP timing needs the CPUs to itself
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/ha.sh"

FRR=/usr/lib/frr
[ -x $FRR/bgpd ] && [ -x $FRR/zebra ] || skip "frr not installed (tests/setup-deps.sh)"
id frr >/dev/null 2>&1 || skip "no user frr (zebra runs as frr)"
EX=$TOP/examples/ecmp
VIP=10.9.0.10 PORT=80
declare -A LIP=([lb1]=10.1.0.254 [lb2]=10.1.0.253) NH=([lb1]=10.2.1.2 [lb2]=10.2.2.2)
CLIENTS="10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7"
VIP6=2001:db8:9::10
declare -A LIP6=([lb1]=2001:db8:1::fe [lb2]=2001:db8:1::fd) NH6=([lb1]=2001:db8:2:1::2 [lb2]=2001:db8:2:2::2)
CLIENTS6="2001:db8::2 2001:db8::3 2001:db8::4"

#   client eth0 10.0.0.2-7 --- c0 rt l1 10.2.1.1 --- eth0 lb1 10.2.1.2 (VIP on lo)
#                                  l2 10.2.2.1 --- eth0 lb2 10.2.2.2 (VIP on lo)
#   rs1, rs2 eth0 --- sw:brr --- eth1 lb1 (10.1.0.254), lb2 (10.1.0.253)
on_exit() {
	local rc=$? f
	if [ $rc != 0 ]; then
		for f in "$CASE_TMP"/*/bgpd.log "$CASE_TMP"/*/bgpd.out "$CASE_TMP/rt/zebra.out"; do
			[ -s "$f" ] || continue
			echo "--- ${f#"$CASE_TMP"/} (end)"
			tail -n 8 "$f"
		done
	fi
	ha_teardown
}
trap on_exit EXIT
ha_ns client rt lb1 lb2 sw rs1 rs2 || fail "namespaces"
hx rt sh -c 'echo 1 > /proc/sys/net/ipv4/fib_multipath_hash_policy &&
	echo 1 > /proc/sys/net/ipv6/fib_multipath_hash_policy' || fail "L4 multipath hash"
ha_veth client eth0 rt c0 && ha_veth rt l1 lb1 eth0 && ha_veth rt l2 lb2 eth0 || fail "links"
ha_switch sw brr lb1:eth1 lb2:eth1 rs1:eth0 rs2:eth0 || fail "server-side switch"
for a in $CLIENTS; do ha_addr client eth0 "$a/24" || fail "client addresses"; done
for a in $CLIENTS6; do ha_addr client eth0 "$a/64" || fail "client addresses"; done
hx client ip route add default via 10.0.0.1 && hx client ip -6 route add default via 2001:db8::1 ||
	fail "client routes"
ha_addr rt c0 10.0.0.1/24 2001:db8::1/64 && ha_addr rt l1 10.2.1.1/30 2001:db8:2:1::1/64 &&
ha_addr rt l2 10.2.2.1/30 2001:db8:2:2::1/64 &&
ha_addr rs1 eth0 10.1.0.1/24 2001:db8:1::1/64 && ha_addr rs2 eth0 10.1.0.2/24 2001:db8:1::2/64 ||
	fail "addresses"
for n in lb1 lb2; do
	ha_addr "$n" eth0 "${NH[$n]}/30" "${NH6[$n]}/64" && ha_addr "$n" eth1 "${LIP[$n]}/24" "${LIP6[$n]}/64" &&
	ha_addr "$n" lo "$VIP/32" "$VIP6/128" && hx "$n" ip route add default via "${NH[$n]%.2}.1" &&
	hx "$n" ip -6 route add default via "${NH6[$n]%2}1" || fail "$n addresses"
done
ha_servers "8080 8080/v6" rs1 rs2 || fail "echo servers"

for n in lb1 lb2; do
	mkdir -p "$CASE_TMP/$n"
	sed -e "s/^define lip = .*/define lip = ${LIP[$n]}/" -e "s/^define lip6 = .*/define lip6 = ${LIP6[$n]}/" \
		"$EX/nftlvs.conf" >"$CASE_TMP/$n/nftlvs.conf"
	grep -q "^define lip6 = ${LIP6[$n]}$" "$CASE_TMP/$n/nftlvs.conf" || fail "examples/ecmp/nftlvs.conf defines no lip6"
	hx "$n" "$NFTLVS" -f "$CASE_TMP/$n/nftlvs.conf" || fail "$n: nftlvs -f the example ruleset"
done

# FRR with its state in CASE_TMP: zebra (as user frr, which its vty group needs) and bgpd
# (as root, -S) in the router; bgpd alone (-Z) in each load balancer.
# (CASE_TMP is private to root: open it for the traversal.)
chmod 755 "$CASE_TMP" && mkdir -p "$CASE_TMP/rt" && chown frr:frr "$CASE_TMP/rt" || fail "router state dir"
hx rt $FRR/zebra -u frr -g frr -f /dev/null -i "$CASE_TMP/rt/zebra.pid" -z "$CASE_TMP/rt/zserv" \
	--vty_socket "$CASE_TMP/rt" -P 0 --log "file:$CASE_TMP/rt/zebra.log" >"$CASE_TMP/rt/zebra.out" 2>&1 &
ha_wait 30 test -S "$CASE_TMP/rt/zserv" || fail "zebra did not start: $(cat "$CASE_TMP/rt/zebra.out")"
bgpd_start() {	# bgpd_start NODE CONF [bgpd options]
	local n=$1 conf=$2
	shift 2
	hx "$n" $FRR/bgpd -S -f "$conf" -i "$CASE_TMP/$n/bgpd.pid" --vty_socket "$CASE_TMP/$n" -P 0 \
		--log "file:$CASE_TMP/$n/bgpd.log" "$@" >>"$CASE_TMP/$n/bgpd.out" 2>&1 &
}
T0=$(ha_now)
bgpd_start rt "$EX/bgpd-router.conf" -z "$CASE_TMP/rt/zserv"
bgpd_start lb1 "$EX/bgpd-lb1.conf" -Z
bgpd_start lb2 "$EX/bgpd-lb2.conf" -Z

# The router's route to the VIP, one "via" per next hop; to the IPv6 VIP, one link per
# next hop (bgpd gives link-local next hops).
hops() { hx rt ip route show "$VIP" | grep -o 'via [0-9.]*' | awk '{ print $2 }' | sort | paste -sd' '; }
hops6() { hx rt ip -6 route show "$VIP6" | grep -o 'dev l[12]' | awk '{ print $2 }' | sort | paste -sd' '; }
hops_are() { [ "$(hops)" = "$1" ] && [ "$(hops6)" = "$2" ]; }
BOTH="${NH[lb1]} ${NH[lb2]}"
ha_wait 60 hops_are "$BOTH" "l1 l2" ||
	fail "no ECMP routes to the VIPs after 60 s: '$(hx rt ip route show "$VIP")', '$(hx rt ip -6 route show "$VIP6")'; $(tail -3 "$CASE_TMP/rt/bgpd.log")"
log "ECMP routes after $(ha_since "$T0") s: $(hx rt ip route show "$VIP" | paste -sd' '); $(hx rt ip -6 route show "$VIP6" | paste -sd' ')"

# Flows spread; a client address always gets the same server, through either LB.
total=0
spread() {	# spread VIP LIP_LB1 LIP_LB2 CLIENT...
	local vip=$1 l1=$2 l2=$3 a out rs peers
	shift 3
	: >"$CASE_TMP/rs-per-client"
	for a in "$@"; do
		out=$(hx client $LBTRAFFIC tcp "$vip" $PORT --src "$a" --count 16 --parallel 4) ||
			fail "from $a: $out"
		log "from $a: $out"
		total=$((total + 16))
		rs=$(json_get rs <<<"$out")
		case $rs in *,*) fail "client $a got more than one real server: $rs" ;; esac
		peers=$(json_get peers <<<"$out")
		case $peers in
		*"\"$l1\""*"\"$l2\""*|*"\"$l2\""*"\"$l1\""*) ;;
		*) fail "client $a: 16 flows all through one load balancer ($peers): no L4 spread" ;;
		esac
		echo "$rs" >>"$CASE_TMP/rs-per-client"
	done
	log "servers per client address: $(paste -sd' ' "$CASE_TMP/rs-per-client")"
	[ "$(sort -u "$CASE_TMP/rs-per-client" | wc -l)" -ge 2 ] ||
		fail "every client address maps to one and the same server: mh does not spread clients"
}
spread "$VIP" "${LIP[lb1]}" "${LIP[lb2]}" $CLIENTS
spread "$VIP6" "${LIP6[lb1]}" "${LIP6[lb2]}" $CLIENTS6
n1=$(ha_lvs_stat lb1 conn_new) n2=$(ha_lvs_stat lb2 conn_new)
log "connections: lb1 $n1, lb2 $n2"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "a load balancer carried nothing: lb1 $n1, lb2 $n2"
assert_eq "$total" "$((n1 + n2))" "connections counted by lb1 and lb2 together"

# All of a batch of new connections succeed and go through NODE alone.
all_via() {	# all_via NODE [6]
	local out vip=$VIP lip=${LIP[$1]}
	[ -z "${2:-}" ] || vip=$VIP6 lip=${LIP6[$1]}
	out=$(hx client $LBTRAFFIC tcp "$vip" $PORT --count 8 --parallel 4 --timeout 1 2>/dev/null) &&
	[ "$(json_get peers <<<"$out")" = "{\"$lip\": 8}" ]
}
withdrawn() {	# withdrawn WHAT: after T0, the route loses lb2 and new connections go to lb1
	local t_route t_conn
	ha_wait 30 hops_are "${NH[lb1]}" l1 ||
		fail "$1: lb2 still a next hop after 30 s: '$(hx rt ip route show "$VIP" | paste -sd' ')', '$(hx rt ip -6 route show "$VIP6" | paste -sd' ')'"
	t_route=$(ha_since "$T0")
	T_ROUTE=$t_route
	ha_wait 30 all_via lb1 || fail "$1: new connections still fail through lb1 alone"
	t_conn=$(ha_since "$T0")
	ha_wait 30 all_via lb1 6 || fail "$1: new IPv6 connections still fail through lb1 alone"
	log "$1: lb2 withdrawn after $t_route s (both families), new connections all through lb1 after $t_conn s (IPv6: $(ha_since "$T0") s)"
	echo "$1: withdrawn $t_route s, connections $t_conn s" >>"$CASE_TMP/times"
}

# Maintenance: lb2's bgpd stopped, the router withdraws at once (a Cease notification).
before=$(ha_lvs_stat lb2 conn_new)
T0=$(ha_now)
kill -TERM "$(cat "$CASE_TMP/lb2/bgpd.pid")"
withdrawn "bgpd of lb2 stopped"
assert_eq "$before" "$(ha_lvs_stat lb2 conn_new)" "lb2 connections after its withdrawal"

# Back in service.
T0=$(ha_now)
bgpd_start lb2 "$EX/bgpd-lb2.conf" -Z
ha_wait 60 hops_are "$BOTH" "l1 l2" || fail "lb2 not back as a next hop after 60 s: $(hops); $(hops6)"
log "lb2 back after $(ha_since "$T0") s"
lb2_serves() {
	hx client $LBTRAFFIC tcp "$VIP" $PORT --count 4 >/dev/null 2>&1
	[ "$(ha_lvs_stat lb2 conn_new)" -gt "$before" ]
}
ha_wait 30 lb2_serves || fail "no new connection through lb2 once it is back"

# lb2 dies: it drops everything, BGP included; the router withdraws it when the hold time
# (3 s) expires.
hx lb2 nft -f - <<'NFT' || fail "lb2 blackhole"
table inet dead {
	chain in { type filter hook prerouting priority -500; policy drop; }
	chain out { type filter hook output priority -500; policy drop; }
}
NFT
T0=$(ha_now)
withdrawn "lb2 dead"
# Nothing else than the hold time may have removed it (its 3 s, less the keepalive interval).
[ "$(echo "$T_ROUTE >= 2" | bc)" = 1 ] || fail "lb2 withdrawn after $T_ROUTE s, before its hold time expired"
log "times: $(paste -sd';' "$CASE_TMP/times")"

# An orderly end: lb2 back on the network, then every daemon stopped, so that the BGP
# sessions close rather than linger as orphaned sockets holding the namespaces.
hx lb2 nft delete table inet dead || fail "lb2: remove the blackhole"
pids=
for f in lb1/bgpd lb2/bgpd rt/bgpd rt/zebra; do
	[ -s "$CASE_TMP/$f.pid" ] && pids="$pids $(cat "$CASE_TMP/$f.pid")"
done
# shellcheck disable=SC2086
kill -TERM $pids 2>/dev/null
# shellcheck disable=SC2086
ha_wait 20 sh -c "! kill -0 $pids 2>/dev/null" || log "FRR daemons still running 20 s after TERM"
