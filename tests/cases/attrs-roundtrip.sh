#!/bin/bash
# Every attribute of every expression goes into the kernel and comes back
# from a dump exactly, with defaults resolved, in ip, ip6 and inet tables,
# alone and mixed with stock expressions.
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

# check FAMILY: compares the chain's raw dump with stdin.
check_raw() {
	lvsrule list -r "$1" lvs c >/tmp/raw.out || fail "list $1 failed"
	diff -u - /tmp/raw.out || fail "raw dump of $1 differs"
}

lvs_table ip
assert_ok lvsrule add ip lvs c lb-dispatch
assert_ok lvsrule add ip lvs c synproxy-lb
assert_ok lvsrule add ip lvs c synproxy-lb mss=1460 wscale=7 ttl=64 flags=sack-perm,timestamp,defer
assert_ok lvsrule add ip lvs c fullnat pool=10.1.0.1 laddrs=10.1.0.254
assert_ok lvsrule add ip lvs c fullnat pool=10.1.0.1:8080@3,10.1.0.2:8080,10.1.0.3:8080@0 \
	laddrs=10.1.0.254,10.1.0.253 ports=10000-20000 sched=mh timeout=300 \
	flags=toa,strip-timestamps,rst-on-expire
for s in rr wrr lc wlc sh mh; do
	assert_ok lvsrule add ip lvs c fullnat pool=10.1.0.9:53@65535 laddrs=10.1.0.254 sched=$s ports=1-1
done
assert_ok lvsrule add ip lvs c counter synproxy-lb mss=536 fullnat pool=10.1.0.1:80 laddrs=10.1.0.254 timeout=2592000 counter
check_raw ip <<'OUT'
lb-dispatch{}
synproxy-lb{mss=1452,wscale=0,ttl=63,flags=0x0}
synproxy-lb{mss=1460,wscale=7,ttl=64,flags=0x7}
fullnat{family=2,pool=[10.1.0.1@1],laddrs=[10.1.0.254],port-min=5000,port-max=65535,sched=3,flags=0x0}
fullnat{family=2,pool=[10.1.0.1:8080@3,10.1.0.2:8080@1,10.1.0.3:8080@0],laddrs=[10.1.0.254,10.1.0.253],port-min=10000,port-max=20000,sched=5,timeout=300,flags=0x7}
fullnat{family=2,pool=[10.1.0.9:53@65535],laddrs=[10.1.0.254],port-min=1,port-max=1,sched=0,flags=0x0}
fullnat{family=2,pool=[10.1.0.9:53@65535],laddrs=[10.1.0.254],port-min=1,port-max=1,sched=1,flags=0x0}
fullnat{family=2,pool=[10.1.0.9:53@65535],laddrs=[10.1.0.254],port-min=1,port-max=1,sched=2,flags=0x0}
fullnat{family=2,pool=[10.1.0.9:53@65535],laddrs=[10.1.0.254],port-min=1,port-max=1,sched=3,flags=0x0}
fullnat{family=2,pool=[10.1.0.9:53@65535],laddrs=[10.1.0.254],port-min=1,port-max=1,sched=4,flags=0x0}
fullnat{family=2,pool=[10.1.0.9:53@65535],laddrs=[10.1.0.254],port-min=1,port-max=1,sched=5,flags=0x0}
[counter] synproxy-lb{mss=536,wscale=0,ttl=63,flags=0x0} fullnat{family=2,pool=[10.1.0.1:80@1],laddrs=[10.1.0.254],port-min=5000,port-max=65535,sched=3,timeout=2592000,flags=0x0} [counter]
OUT
assert_eq 9 "$(lvs_services)" "services counted in the namespace"

# The canonical statement text, as nftlvs will print it.
lvsrule list ip lvs c >/tmp/nft.out
diff -u - /tmp/nft.out <<'OUT' || fail "canonical listing differs"
lb-dispatch
synproxy-lb
synproxy-lb mss 1460 wscale 7 sack-perm timestamp ttl 64 defer
fullnat to { 10.1.0.1 } via { 10.1.0.254 }
fullnat to { 10.1.0.1:8080 weight 3, 10.1.0.2:8080, 10.1.0.3:8080 weight 0 } via { 10.1.0.254, 10.1.0.253 } ports 10000-20000 sched mh timeout 5m flags toa,strip-timestamps,rst-on-expire
fullnat to { 10.1.0.9:53 weight 65535 } via { 10.1.0.254 } ports 1-1 sched rr
fullnat to { 10.1.0.9:53 weight 65535 } via { 10.1.0.254 } ports 1-1 sched wrr
fullnat to { 10.1.0.9:53 weight 65535 } via { 10.1.0.254 } ports 1-1 sched lc
fullnat to { 10.1.0.9:53 weight 65535 } via { 10.1.0.254 } ports 1-1
fullnat to { 10.1.0.9:53 weight 65535 } via { 10.1.0.254 } ports 1-1 sched sh
fullnat to { 10.1.0.9:53 weight 65535 } via { 10.1.0.254 } ports 1-1 sched mh
[counter] synproxy-lb mss 536 fullnat to { 10.1.0.1:80 } via { 10.1.0.254 } timeout 30d [counter]
OUT

lvs_table ip6
assert_ok lvsrule add ip6 lvs c lb-dispatch
assert_ok lvsrule add ip6 lvs c synproxy-lb wscale=14 ttl=255 flags=sack-perm
assert_ok lvsrule add ip6 lvs c fullnat "pool=[2001:db8:1::1]:8080@2,2001:db8:1::2" \
	laddrs=2001:db8:1::254,2001:db8:1::253 sched=sh flags=toa,toa-kind-253
check_raw ip6 <<'OUT'
lb-dispatch{}
synproxy-lb{mss=1452,wscale=14,ttl=255,flags=0x1}
fullnat{family=10,pool=[[2001:db8:1::1]:8080@2,2001:db8:1::2@1],laddrs=[2001:db8:1::254,2001:db8:1::253],port-min=5000,port-max=65535,sched=4,flags=0x9}
OUT

lvs_table inet
assert_ok lvsrule add inet lvs c lb-dispatch
assert_ok lvsrule add inet lvs c fullnat pool=10.1.0.1:80 laddrs=10.1.0.254
assert_ok lvsrule add inet lvs c fullnat "pool=[2001:db8:1::1]:80" laddrs=2001:db8:1::254
check_raw inet <<'OUT'
lb-dispatch{}
fullnat{family=2,pool=[10.1.0.1:80@1],laddrs=[10.1.0.254],port-min=5000,port-max=65535,sched=3,flags=0x0}
fullnat{family=10,pool=[[2001:db8:1::1]:80@1],laddrs=[2001:db8:1::254],port-min=5000,port-max=65535,sched=3,flags=0x0}
OUT
assert_eq 12 "$(lvs_services)" "services counted in the namespace"

# The largest statement (full IPv6 pool and local addresses) still fits
# into a rule dump and comes back whole.
pool=$(for i in $(seq 1 512); do printf '[2001:db8:2::%x]:65535@%d,' "$i" "$i"; done)
laddrs=$(for i in $(seq 1 256); do printf '2001:db8:3::%x,' "$i"; done)
assert_ok lvsrule add ip6 lvs c fullnat "pool=${pool%,}" "laddrs=${laddrs%,}"
lvsrule list -r ip6 lvs c | tail -n1 >/tmp/big
assert_eq 512 "$(grep -o '@' /tmp/big | wc -l)" "pool entries of a 512-server pool dumped"
assert_eq 256 "$(grep -o 'laddrs=\[[^]]*' /tmp/big | tr ',' '\n' | wc -l)" "local addresses dumped"

nft flush ruleset
assert_eq 0 "$(lvs_services)" "services after flush"
