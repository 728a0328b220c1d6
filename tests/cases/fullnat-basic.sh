#!/bin/bash
# FULLNAT end to end, IPv4: TCP and UDP from clients through the LB to
# three real servers on another subnet that have no route to the clients.
# Every byte is checked both ways; the servers see a local address of the
# LB as their peer; conntrack never sees the traffic.
# timeout: 300
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
# FULLNAT's point: real servers need no route to the clients.
for ns in rs1 rs2 rs3; do ip -n "$ns" route del default; done
in_ns rs1 ping -c1 -W1 "$CLIENT4" >/dev/null 2>&1 && fail "rs1 can reach the client directly"

lvs_start_servers 8080 5353/udp
lvs_service_table "$VIP4" 80 tcp || fail "service table"
in_ns lb nft add chain ip lvs svc53 || fail "chain svc53"
in_ns lb nft insert rule ip lvs pre ip daddr "$VIP4" udp dport 53 jump svc53 || fail "udp rule"
in_ns lb "$LVSRULE" add ip lvs svc fullnat \
	"pool=$RS4_1:8080,$RS4_2:8080,$RS4_3:8080" "laddrs=$LIP4_1,$LIP4_2" sched=rr ||
	fail "add tcp fullnat"
in_ns lb "$LVSRULE" add ip lvs svc53 fullnat \
	"pool=$RS4_1:5353,$RS4_2:5353,$RS4_3:5353" "laddrs=$LIP4_1" sched=rr ||
	fail "add udp fullnat"

for offload in on off; do
	topo_offloads "$offload"
	log "offloads $offload: TCP"
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 30 --parallel 3 \
		--sizes 1,1000,65536,1500000,17,300000) || fail "tcp ($offload): $out"
	log "$out"
	assert_eq 30 "$(json_get ok <<<"$out")" "tcp exchanges ok ($offload)"
	assert_eq '{"rs1": 10, "rs2": 10, "rs3": 10}' "$(json_get rs <<<"$out")" "rr spread ($offload)"
	peers=$(json_get peers <<<"$out")
	case $peers in *"$CLIENT4"*) fail "a server saw the client address: $peers" ;; esac
	for p in $(json_keys "$peers"); do
		[ "$p" = "$LIP4_1" ] || [ "$p" = "$LIP4_2" ] || fail "server peer $p is not a local address"
	done

	log "offloads $offload: UDP"
	out=$(in_ns client $LBTRAFFIC udp "$VIP4" 53 --count 30 --sizes 1,512,1400) ||
		fail "udp ($offload): $out"
	log "$out"
	assert_eq 30 "$(json_get ok <<<"$out")" "udp exchanges ok ($offload)"
	assert_eq "{\"$LIP4_1\": 30}" "$(json_get peers <<<"$out")" "udp peer ($offload)"
done

log "$(in_ns lb cat /proc/net/nft_lvs/stats)"
# UDP clients may reuse a source port within the UDP timeout (same connection).
[ "$(lvs_stat conn_new)" -ge 100 ] || fail "conn_new $(lvs_stat conn_new) < 100"
assert_eq 0 "$(lvs_stat xmit_error)" "xmit errors"
assert_eq 0 "$(lvs_stat xmit_no_route)" "no-route drops"
# Nothing reached conntrack in lb.
if in_ns lb test -r /proc/net/nf_conntrack; then
	assert_eq 0 "$(in_ns lb grep -c "$VIP4" /proc/net/nf_conntrack)" "conntrack entries for the VIP"
fi
# The defence rule: a stray ACK to the VIP is not forwarded.
in_ns lb cat /proc/net/nft_lvs/conns | head -5

# Counters per service and per real server add up to the global ones.
log "$(in_ns lb cat /proc/net/nft_lvs/services /proc/net/nft_lvs/real)"
svc_field() {	# svc_field PROTO VIRTUAL COLUMN
	in_ns lb awk -v p="$1" -v v="$2" -v c="$3" \
		'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		 $1 == p && $2 == v { print $col[c] }' /proc/net/nft_lvs/services
}
assert_eq 60 "$(svc_field tcp "$VIP4:80" conns)" "TCP service connections"
[ "$(svc_field udp "$VIP4:53" conns)" -ge 1 ] || fail "no UDP service connections"
assert_eq "$(lvs_stat conn_new)" \
	"$(( $(svc_field tcp "$VIP4:80" conns) + $(svc_field udp "$VIP4:53" conns) ))" \
	"service connections add up to conn_new"
for c in pkts_in pkts_out bytes_in bytes_out; do
	sum_svc=$(in_ns lb awk -v c=$c 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
		{ s += $k } END { print s + 0 }' /proc/net/nft_lvs/services)
	sum_rs=$(in_ns lb awk -v c=$c 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
		{ s += $k } END { print s + 0 }' /proc/net/nft_lvs/real)
	assert_eq "$(lvs_stat $c)" "$sum_svc" "$c: services add up"
	assert_eq "$(lvs_stat $c)" "$sum_rs" "$c: real servers add up"
done
assert_eq 0 "$(lvs_stat service_untracked)" "untracked service connections"

# Routes are kept per connection and direction: looked up once each, not once a packet,
# and again when the routing changes under a connection (a route added anywhere makes
# every kept route stale): 2 lookups when it starts, 2 after the change.
conns=$(lvs_stat conn_new) lookups=$(lvs_stat xmit_route_lookup)
log "route lookups: $lookups for $conns connections, $(lvs_stat pkts_in) + $(lvs_stat pkts_out) packets"
[ "$lookups" -le $((2 * conns + conns / 10)) ] ||
	fail "route lookups: $lookups for $conns connections"
out=$(lvs_across client "$VIP4" 80 in_ns lb ip route add blackhole 203.0.113.0/24)
assert_eq 1 "$(json_get ok <<<"$out")" "connection across a route change"
n=$(($(lvs_stat xmit_route_lookup) - lookups))
[ "$n" -ge 4 ] || fail "route lookups of a connection across a route change: $n, not 4"
log "route lookups of a connection across a route change: $n"
