#!/bin/bash
# rst-on-expire: when an idle established connection times out, both ends
# get a RST (the client sees the reset at once); without the flag the
# connection just disappears from the table.
# timeout: 200
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080 --hold 20
lvs_service_table "$VIP4" 80 tcp || fail "service table"

idle_client() {	# prints "reset" or "timeout" for one idle established connection
	in_ns client /usr/bin/python3 - "$VIP4" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(12)
s.connect((sys.argv[1], 80))
try:
    while s.recv(65536):
        pass
    print("eof")
except ConnectionResetError:
    print("reset")
except socket.timeout:
    print("timeout")
PY
}

in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080" "laddrs=$LIP4_1" timeout=3 \
	flags=rst-on-expire || fail "service"
in_ns rs1 tcpdump -l -nn -i eth0 'tcp[tcpflags] & tcp-rst != 0' >/tmp/rs-rst.txt 2>/dev/null &
dump=$!
sleep 1
assert_eq reset "$(idle_client)" "client of an expired connection with rst-on-expire"
sleep 1
kill "$dump"; wait "$dump" 2>/dev/null
[ "$(lvs_stat rst_on_expire)" -ge 1 ] || fail "rst_on_expire not counted"
grep -q "$LIP4_1" /tmp/rs-rst.txt || fail "the real server got no RST: $(cat /tmp/rs-rst.txt)"

in_ns lb nft flush chain ip lvs svc
in_ns lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:8080" "laddrs=$LIP4_1" timeout=3 ||
	fail "service without the flag"
before=$(lvs_stat rst_on_expire)
assert_eq timeout "$(idle_client)" "client of an expired connection without the flag"
assert_eq "$before" "$(lvs_stat rst_on_expire)" "RSTs without the flag"
