#!/bin/bash
# The datapath is not implemented yet. This pins down what the statements
# do today, so that nobody mistakes them for working: lb-dispatch and
# synproxy-lb let packets continue, fullnat never matches (the next rule
# decides), and traffic through them causes no kernel complaint.
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

topo_setup
in_ns lb nft -f - <<NFT || fail "base ruleset"
table ip lvs {
	counter after_fullnat {}
	chain pre {
		type filter hook prerouting priority raw; policy accept;
	}
	chain out {
		type filter hook output priority raw; policy accept;
	}
}
NFT
in_ns lb "$LVSRULE" add ip lvs pre lb-dispatch || fail "add lb-dispatch"
in_ns lb "$LVSRULE" add ip lvs pre synproxy-lb fullnat pool=$RS4_1:80 laddrs=$LIP4_1 || fail "add fullnat"
in_ns lb "$LVSRULE" add ip lvs out lb-dispatch || fail "add lb-dispatch at output"
in_ns lb nft add rule ip lvs pre ip daddr $VIP4 counter name after_fullnat

in_ns client ping -c 3 -i 0.2 -W 2 "$VIP4" >/dev/null || fail "VIP unreachable through lb-dispatch/fullnat"
pkts=$(in_ns lb nft list counter ip lvs after_fullnat | awk '/packets/ { print $2 }')
[ "$pkts" -ge 3 ] || fail "rule after fullnat saw $pkts packets, expected >= 3 (fullnat must not match yet)"
in_ns rs1 ping -c 2 -i 0.2 -W 2 "$LIP4_1" >/dev/null || fail "RS to local address through lb-dispatch"
topo_teardown
