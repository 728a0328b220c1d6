#!/bin/bash
# Schedulers against their definitions over real connections: wrr by
# weight, lc/wlc by open connections, weight 0 drains, sh and mh stable per
# client, and mh keeps the clients of the servers that stay when one leaves.
# timeout: 400
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
topo_add_client_addrs
lvs_start_servers 8080 --hold 4
lvs_service_table "$VIP4" 80 tcp || fail "service table"
use() {	# use PORT SCHED W1 W2 W3: replace the service's rule
	in_ns lb nft flush chain ip lvs svc
	in_ns lb "$LVSRULE" add ip lvs svc fullnat \
		"pool=$RS4_1:$1@$3,$RS4_2:$1@$4,$RS4_3:$1@$5" \
		"laddrs=$LIP4_1,$LIP4_2" "sched=$2" || fail "add $2"
}
spread() { json_get rs; }

# wrr: exact shares over whole periods, sequential connections.
lvs_start_servers 8081
in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat \
	"pool=$RS4_1:8081@3,$RS4_2:8081@1,$RS4_3:8081@1" "laddrs=$LIP4_1" sched=wrr || fail "wrr"
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 25) || fail "wrr traffic: $out"
assert_eq '{"rs1": 15, "rs2": 5, "rs3": 5}' "$(spread <<<"$out")" "wrr 3:1:1"

# weight 0 drains.
in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat \
	"pool=$RS4_1:8081@1,$RS4_2:8081@1,$RS4_3:8081@0" "laddrs=$LIP4_1" sched=rr || fail "rr"
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 10) || fail "drain traffic: $out"
assert_eq '{"rs1": 5, "rs2": 5}' "$(spread <<<"$out")" "rr with rs3 drained"

# lc / wlc: concurrent connections held open by the servers (--hold 4).
use 8080 lc 1 1 1
# Staggered starts: each pick sees the connections opened before it.
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 6 --parallel 6 --stagger 0.3) ||
	fail "lc traffic: $out"
log "lc: $out"
assert_eq '{"rs1": 2, "rs2": 2, "rs3": 2}' "$(spread <<<"$out")" "lc over 6 open connections"
in_ns lb awk 'NR > 1 { print $1, $3 + $4 }' /proc/net/nft_lvs/real >/tmp/real
log "$(cat /tmp/real)"
use 8080 wlc 2 1 1
sleep 8	# the lc connections drain (time_wait 7 s)
out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 8 --parallel 8 --stagger 0.3) ||
	fail "wlc traffic: $out"
log "wlc: $out"
assert_eq '{"rs1": 4, "rs2": 2, "rs3": 2}' "$(spread <<<"$out")" "wlc 2:1:1 over 8 open connections"

# sh and mh: each client address always lands on the same server.
for s in sh mh; do
	use 8081 "$s" 1 1 1
	for src in $CLIENT4 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7; do
		out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 3 --src "$src" --parallel 3) ||
			fail "$s traffic from $src: $out"
		n=$(/usr/bin/python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["rs"]))' "$out")
		assert_eq 1 "$n" "$s: servers used by client $src"
		echo "$src $(json_get rs <<<"$out" | grep -o 'rs[0-9]')" >>"/tmp/$s.map"
	done
	log "$s: $(cat "/tmp/$s.map")"
done

# mh: rs3 leaves; clients of rs1 and rs2 keep their server.
in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8081,$RS4_2:8081" \
	"laddrs=$LIP4_1,$LIP4_2" sched=mh || fail "mh without rs3"
while read -r src before; do
	[ "$before" = rs3 ] && continue
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count 1 --src "$src") || fail "mh2: $out"
	assert_eq "$before" "$(json_get rs <<<"$out" | grep -o 'rs[0-9]')" "mh: client $src after rs3 left"
done </tmp/mh.map
