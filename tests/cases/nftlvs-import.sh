#!/bin/bash
# nftlvs import: a keepalived.conf of the Alibaba LVS stack (FNAT, local_address_group,
# syn_proxy, TCP_CHECK and MISC_CHECK, sorry_server, inhibit_on_failure, a VRRP block)
# with the topology's addresses is converted without root or module; the ruleset loads
# with nftlvs -f in lb and lists back with the same rules; traffic goes through the
# converted services (SYNPROXY in front of one, wrr weights from the map in another);
# nftlvs-healthd runs on the generated configuration and drains a failed server
# (inhibit); loading the ruleset again replaces the table and healthd restores the
# checked state; an ipvsadm -S -n dump with Alibaba's -P/-z, -b and -j lines converts,
# loads and carries traffic through its local address.
# timeout: 300
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

# The checks' timeouts and the waits for their effect stretch with the other time limits:
# a 1 s timeout flapped the servers on a debug kernel, where a check took up to 1.2 s.
S=${LVS_TEST_TIME_SCALE:-1}
# The MISC_CHECK scripts test for these files: a server is up while its file exists.
STATE=$CASE_TMP/state
mkdir -p "$STATE"
touch "$STATE/up-1" "$STATE/up-2"
HEALTHD=${HEALTHD:-$TOP/build/host/healthd/nftlvs-healthd}
[ -x "$HEALTHD" ] || fail "no $HEALTHD (build the userspace first)"
SOCK=$CASE_TMP/healthd.sock
HLOG=$CASE_TMP/healthd.log

topo_setup
lvs_start_servers 8080 8081

cat >"$CASE_TMP/keepalived.conf" <<EOF
! keepalived.conf of an Alibaba LVS director, the test topology's addresses
global_defs {
    router_id lb
}

vrrp_instance VI_1 {
    state MASTER
    interface $LB_IF_CLIENT
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        $VIP4
    }
}

local_address_group lips {
    $LIP4_1
}

virtual_server $VIP4 80 {
    delay_loop 1
    lb_algo rr
    lb_kind FNAT
    protocol TCP
    syn_proxy
    laddr_group_name lips
    sorry_server $RS4_3 8080

    real_server $RS4_1 8080 {
        weight 1
        TCP_CHECK {
            connect_timeout $S
            retry 1
        }
    }
    real_server $RS4_2 8080 {
        weight 1
        TCP_CHECK {
            connect_timeout $S
            retry 1
        }
    }
}

virtual_server $VIP4 81 {
    delay_loop 1
    lb_algo wrr
    lb_kind FNAT
    protocol TCP
    laddr_group_name lips

    real_server $RS4_1 8081 {
        weight 2
        inhibit_on_failure
        MISC_CHECK {
            misc_path "test -e $STATE/up-1"
            misc_timeout $S
        }
    }
    real_server $RS4_2 8081 {
        weight 1
        inhibit_on_failure
        MISC_CHECK {
            misc_path "test -e $STATE/up-2"
            misc_timeout $S
        }
    }
}
EOF

# The conversion needs neither the module nor a namespace: it runs outside lb.
"$NFTLVS" import keepalived "$CASE_TMP/keepalived.conf" --healthd "$CASE_TMP/healthd.conf" \
	>"$CASE_TMP/lvs.nft" 2>"$CASE_TMP/import.err" ||
	fail "import keepalived: $(cat "$CASE_TMP/import.err")"
log "import warnings: $(cat "$CASE_TMP/import.err")"
log "ruleset:"
sed 's/^/#   /' "$CASE_TMP/lvs.nft"
grep -q "note: vrrp_instance" "$CASE_TMP/import.err" || fail "no note about the VRRP block"
"$HEALTHD" -t -f "$CASE_TMP/healthd.conf" >/dev/null ||
	fail "nftlvs-healthd -t: $("$HEALTHD" -t -f "$CASE_TMP/healthd.conf" 2>&1)"

in_ns lb "$NFTLVS" -f "$CASE_TMP/lvs.nft" || fail "nftlvs -f of the converted ruleset"
in_ns lb "$NFTLVS" list table ip lvs >"$CASE_TMP/list" || fail "list table ip lvs"
# Every rule of the file lists back as written (the statements' canonical form).
grep -P '^\t\t(lb-dispatch|ip daddr)' "$CASE_TMP/lvs.nft" | while IFS= read -r rule; do
	grep -qxF "$rule" "$CASE_TMP/list" || fail "rule not listed back: $rule; listing: $(cat "$CASE_TMP/list")"
done
grep -q "synproxy-lb fullnat to @tcp_10_0_0_10_80 via @lips sched rr flags toa" "$CASE_TMP/list" ||
	fail "the SYNPROXY service: $(cat "$CASE_TMP/list")"

spread_is() {	# spread_is SPREAD PORT N WHAT: N connections to VIP:PORT went as SPREAD
	lvs_spread_is "$1" "$VIP4" "$2" "$3" "$4"
}
spread_is '{"rs1": 2, "rs2": 2}' 80 4 "rr through synproxy-lb, converted from keepalived"
spread_is '{"rs1": 4, "rs2": 2}' 81 6 "wrr 2:1 from the converted weights"

# nftlvs-healthd on the generated configuration.
ip netns exec "$NS_LB" "$HEALTHD" -f "$CASE_TMP/healthd.conf" -s "$SOCK" >>"$HLOG" 2>&1 &
HPID=$!
on_exit() {
	local rc=$?
	kill -TERM $HPID 2>/dev/null
	if [ $rc != 0 ] && [ -s "$HLOG" ]; then
		log "healthd log:"
		sed 's/^/#   /' "$HLOG"
	fi
	exit $rc
}
trap on_exit EXIT

# until_set SECONDS MAP ELEMENT: wait until the map holds ELEMENT ("10.1.0.2 . 8081 : 0x00000000")
until_set() {
	local _
	for _ in $(seq 1 $(($1 * 10 * S))); do
		in_ns lb nft list map ip lvs "$2" 2>/dev/null | grep -qF "$3" && return 0
		sleep 0.1
	done
	fail "$2: no '$3' after $(($1 * S)) s: $(in_ns lb nft list map ip lvs "$2" 2>&1); $(in_ns lb "$HEALTHD" status -s "$SOCK" 2>&1)"
}
sleep 3	# the first checks (healthd keeps servers already in the set while they pass)
spread_is '{"rs1": 2, "rs2": 2}' 80 4 "rr with nftlvs-healthd running"

# A failed server is drained (inhibit_on_failure: weight 0), then comes back.
rm "$STATE/up-2"
until_set 10 tcp_10_0_0_10_81 "$RS4_2 . 8081 : 0x00000000"
spread_is '{"rs1": 3}' 81 3 "rs2 drained by healthd"

# Loading the ruleset again replaces the table (rs2 back at weight 1 from the file);
# healthd brings the map back to the checked state.
in_ns lb "$NFTLVS" -f "$CASE_TMP/lvs.nft" || fail "nftlvs -f, a second time"
assert_eq 1 "$(in_ns lb "$NFTLVS" list table ip lvs | grep -c 'lb-dispatch')" "one lb-dispatch after the reload"
until_set 5 tcp_10_0_0_10_81 "$RS4_2 . 8081 : 0x00000000"
spread_is '{"rs1": 3}' 81 3 "rs2 still drained after the reload"
touch "$STATE/up-2"
until_set 10 tcp_10_0_0_10_81 "$RS4_2 . 8081 : 0x00000001"
spread_is '{"rs1": 4, "rs2": 2}' 81 6 "rs2 back"
kill -TERM $HPID
wait $HPID 2>/dev/null

# ipvsadm -S -n of an Alibaba LVS director: fullnat (-b), synproxy (-j), a local address (-P -z).
cat >"$CASE_TMP/ipvsadm.rules" <<EOF
-A -t $VIP4:82 -s wrr -j enable
-a -t $VIP4:82 -r $RS4_1:8080 -b -w 1
-a -t $VIP4:82 -r $RS4_2:8080 -b -w 3
-P -t $VIP4:82 -z $LIP4_2
EOF
"$NFTLVS" import ipvsadm <"$CASE_TMP/ipvsadm.rules" >"$CASE_TMP/ipvs.nft" 2>"$CASE_TMP/ipvs.err" ||
	fail "import ipvsadm: $(cat "$CASE_TMP/ipvs.err")"
[ -s "$CASE_TMP/ipvs.err" ] && fail "import ipvsadm warned: $(cat "$CASE_TMP/ipvs.err")"
log "ipvsadm ruleset:"
sed 's/^/#   /' "$CASE_TMP/ipvs.nft"
in_ns lb "$NFTLVS" -f "$CASE_TMP/ipvs.nft" || fail "nftlvs -f of the converted ipvsadm rules"
in_ns lb "$NFTLVS" list table ip lvs | grep -qF \
	"ip daddr $VIP4 tcp dport 82 synproxy-lb fullnat to @tcp_10_0_0_10_82 via @tcp_10_0_0_10_82_lips sched wrr flags toa" ||
	fail "the ipvsadm service: $(in_ns lb "$NFTLVS" list table ip lvs)"
in_ns lb "$NFTLVS" list table ip lvs | grep -q 'dport 80' && fail "the keepalived services survived the replacement"
spread_is '{"rs1": 1, "rs2": 3}' 82 4 "wrr 1:3 from ipvsadm -w"
assert_eq "{\"$LIP4_2\": 4}" "$(json_get peers <<<"$SPREAD_OUT")" "the servers see the -P -z local address"

topo_teardown
