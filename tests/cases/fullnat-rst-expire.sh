#!/bin/bash
# rst-on-expire: when an idle established connection times out, both ends
# get a RST (the client sees the reset at once); without the flag the
# connection just disappears from the table. Both over IPv4 and IPv6.
# timeout: 260
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
lvs_start_servers 8080 8080/v6 --hold 20
lvs_service_table "$VIP4" 80 tcp || fail "service table"

idle_client() {	# idle_client [VIP]: prints "reset" or "timeout" for one idle established connection
	in_ns client $PY - "${1:-$VIP4}" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=12)
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

# IPv6: the RSTs are built over the IPv6 tuple.
in_ns lb "$NFTLVS" -f - <<NFT || fail "IPv6 service"
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8080 } via { $LIP6_1 } timeout 3s flags rst-on-expire
	}
}
NFT
in_ns rs1 tcpdump -l -nn -i eth0 'ip6 and tcp and ip6[40 + 13] & 4 != 0' >/tmp/rs-rst6.txt 2>/dev/null &
dump=$!
sleep 1
before=$(lvs_stat rst_on_expire)
assert_eq reset "$(idle_client "$VIP6")" "IPv6 client of an expired connection with rst-on-expire"
sleep 1
kill "$dump"; wait "$dump" 2>/dev/null
[ "$(lvs_stat rst_on_expire)" -gt "$before" ] || fail "IPv6 rst_on_expire not counted"
grep -q "$LIP6_1" /tmp/rs-rst6.txt || fail "the IPv6 real server got no RST: $(cat /tmp/rs-rst6.txt)"
