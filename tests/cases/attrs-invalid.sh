#!/bin/bash
# Each kind of invalid attribute is refused with its own errno and leaves
# the ruleset as it was.
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

lvs_table ip
lvs_table inet
assert_ok lvsrule add ip lvs c fullnat pool=10.1.0.1:80 laddrs=10.1.0.254
lvsrule list -r ip lvs c >/tmp/before
nft list ruleset >/tmp/before.nft

P=pool=10.1.0.1:80
L=laddrs=10.1.0.254
many() { for i in $(seq 1 "$1"); do printf '%s.%d.%d,' "$2" $((i / 250)) $((i % 250 + 1)); done; }
pool513=$(many 513 10.2)
laddrs257=$(many 257 10.3)

set -f	# the argument lists hold [v6]:port, which is not a glob
while read -r errno family args; do
	case $errno in "" | "#"*) continue ;; esac
	# shellcheck disable=SC2086
	assert_fails_with "$errno" lvsrule add "$family" lvs c $args
done <<EOF_CASES
# missing or empty lists
EINVAL		ip	fullnat $L
EINVAL		ip	fullnat pool= $L
EINVAL		ip	fullnat $P
EINVAL		ip	fullnat $P laddrs=
E2BIG		ip	fullnat pool=${pool513%,} $L
E2BIG		ip	fullnat $P laddrs=${laddrs257%,}
# ports
ERANGE		ip	fullnat pool=10.1.0.1:0 $L
ERANGE		ip	fullnat $P $L ports=0-100
ERANGE		ip	fullnat $P $L port-min=100 port-max=0
ERANGE		ip	fullnat $P $L ports=2000-1000
ERANGE		ip	fullnat $P $L port-min=65535 port-max=6000
# weights
ERANGE		ip	fullnat pool=10.1.0.1@65536 $L
ERANGE		ip	fullnat pool=10.1.0.2@4294967295 $L
# scheduler, timeout, flags
EOPNOTSUPP	ip	fullnat $P $L sched=6
EOPNOTSUPP	ip	fullnat $P $L sched=4294967295
ERANGE		ip	fullnat $P $L timeout=0
ERANGE		ip	fullnat $P $L timeout=2592001
EOPNOTSUPP	ip	fullnat $P $L flags=0x10
# toa-kind-253 (0x8) without toa
EINVAL		ip	fullnat $P $L flags=0x8
EOPNOTSUPP	ip	fullnat $P $L flags=0x80000000
# addresses
EINVAL		ip	fullnat pool=hex:0a0100 $L
EINVAL		ip	fullnat pool=hex:0a01000102 $L
EINVAL		ip	fullnat pool=0.0.0.0 $L
EINVAL		ip	fullnat pool=224.0.0.1 $L
EINVAL		ip	fullnat $P laddrs=255.255.255.255
EEXIST		ip	fullnat pool=10.1.0.1:80,10.1.0.2:80,10.1.0.1:80 $L
EEXIST		ip	fullnat $P laddrs=10.1.0.254,10.1.0.253,10.1.0.254
# wrong address family
EAFNOSUPPORT	ip	fullnat pool=[2001:db8:1::1]:80 $L
EAFNOSUPPORT	ip	fullnat $P laddrs=2001:db8:1::254
EAFNOSUPPORT	ip	fullnat family=ip6 pool=[2001:db8:1::1]:80 laddrs=2001:db8:1::254
EAFNOSUPPORT	ip	fullnat family=99 $P $L
EAFNOSUPPORT	inet	fullnat family=99 $P $L
EAFNOSUPPORT	inet	fullnat $P laddrs=2001:db8:1::254
EAFNOSUPPORT	inet	fullnat family=ip6 $P $L
# synproxy-lb
ERANGE		ip	synproxy-lb mss=535
ERANGE		ip	synproxy-lb mss=65496
ERANGE		ip	synproxy-lb wscale=15
ERANGE		ip	synproxy-lb ttl=0
EOPNOTSUPP	ip	synproxy-lb flags=0x8
# one bad statement fails the whole rule, wherever it sits
ERANGE		ip	lb-dispatch synproxy-lb mss=1460 fullnat $P $L ports=9-8
EOF_CASES

lvsrule list -r ip lvs c | diff -u /tmp/before - || fail "ruleset changed by refused rules"
nft list ruleset | diff -u /tmp/before.nft - || fail "nft ruleset changed by refused rules"
assert_eq 1 "$(lvs_services)" "services after refused rules"

# The same address with different ports is three real servers, no duplicate.
assert_ok lvsrule add ip lvs c fullnat pool=10.1.0.1:80,10.1.0.1:81,10.1.0.1 $L
assert_eq 2 "$(lvs_services)" "services after a valid rule"
