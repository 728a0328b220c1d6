#!/bin/sh
# lvsrule without a kernel: the batch it would send, decoded back, and the
# arguments it must refuse (exit 2, naming the bad token).
#
# LVSRULE overrides the binary (default: the sanitized build next to us).

LVSRULE=${LVSRULE:-./tools/lvsrule-san}
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect EXIT_CODE EXPECTED_STDOUT ARGS...
expect() {
	want_rc=$1 want_out=$2
	shift 2
	out=$("$LVSRULE" "$@" 2>/dev/null)
	rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
		ok
	else
		fail "lvsrule $*"
		echo "  rc $rc (want $want_rc)" >&2
		echo "  got:  $out" >&2
		echo "  want: $want_out" >&2
	fi
}

# refused TOKEN ARGS...: exit 2 and stderr names TOKEN.
refused() {
	token=$1
	shift
	err=$("$LVSRULE" "$@" 2>&1 >/dev/null)
	rc=$?
	case "$err" in
	*"'$token'"*) named=1 ;;
	*) named=0 ;;
	esac
	if [ "$rc" = 2 ] && [ "$named" = 1 ]; then
		ok
	else
		fail "lvsrule $* (rc $rc): $err"
	fi
}

D="--dry-run"

# --- What goes on the wire, attribute by attribute.
expect 0 'ip lvs pre: fullnat{family=2,pool=[10.1.0.1:8080@3,10.1.0.2],laddrs=[10.1.0.254],sched=5,timeout=90,flags=0x1}' \
	$D add ip lvs pre fullnat pool=10.1.0.1:8080@3,10.1.0.2 \
	laddrs=10.1.0.254 sched=mh timeout=90 flags=toa
expect 0 'ip t c: fullnat{family=2,port-min=1024,port-max=2047,sched=0,flags=0x7}' \
	$D add ip t c fullnat ports=1024-2047 sched=rr \
	flags=toa,strip-timestamps,rst-on-expire
expect 0 'ip t c: fullnat{port-min=7,port-max=6,flags=0x80000000}' \
	$D add ip t c fullnat family=none port-min=7 port-max=6 flags=0x80000000

# Out-of-range values go to the kernel as given.
expect 0 'ip t c: synproxy-lb{mss=100,wscale=15,ttl=0,flags=0x80}' \
	$D add ip t c synproxy-lb mss=100 wscale=15 ttl=0 flags=0x80
expect 0 'ip t c: fullnat{family=2,pool=[10.1.0.1:0@70000],laddrs=[10.1.0.254],sched=99,timeout=0}' \
	$D add ip t c fullnat pool=10.1.0.1:0@70000 laddrs=10.1.0.254 \
	sched=99 timeout=0
expect 0 'ip t c: synproxy-lb{mss=1460,wscale=7,flags=0x7}' \
	$D add ip t c synproxy-lb mss=1460 wscale=7 flags=sack-perm,timestamp,defer

# Addresses: IPv6 with and without port, raw bytes, no address at all.
expect 0 'ip6 t c: fullnat{family=10,pool=[[2001:db8::1]:80@2,2001:db8::2,2001:db8::3@0],laddrs=[2001:db8:1::fe]}' \
	$D add ip6 t c fullnat pool=[2001:db8::1]:80@2,2001:db8::2,2001:db8::3@0 \
	laddrs=2001:db8:1::fe
expect 0 'ip t c: fullnat{family=2,pool=[hex:0a0100:80@1,hex:,:80,@5],laddrs=[hex:0a010000ff]}' \
	$D add ip t c fullnat pool=hex:0a0100:80@1,hex:,:80,@5 laddrs=hex:0a010000ff
expect 0 'ip t c: fullnat{family=2,pool=[],laddrs=[]}' \
	$D add ip t c fullnat pool= laddrs=

# The family: the table's for ip/ip6, else the first address's.
expect 0 'inet t c: fullnat{family=10,pool=[2001:db8::1],laddrs=[10.1.0.254]}' \
	$D add inet t c fullnat pool=2001:db8::1 laddrs=10.1.0.254
expect 0 'inet t c: fullnat{family=2,laddrs=[10.1.0.254]}' \
	$D add inet t c fullnat laddrs=10.1.0.254
expect 0 'inet t c: fullnat{pool=[]}' $D add inet t c fullnat pool=
expect 0 'inet t c: fullnat{pool=[hex:0a01]}' $D add inet t c fullnat pool=hex:0a01
expect 0 'ip6 t c: fullnat{family=10,pool=[10.1.0.1]}' $D add ip6 t c fullnat pool=10.1.0.1
expect 0 'ip t c: fullnat{family=7}' $D add ip t c fullnat family=7
expect 0 'inet t c: fullnat{family=2,pool=[2001:db8::1]}' \
	$D add inet t c fullnat pool=2001:db8::1 family=ip

# Set names instead of lists, both, or raw bytes the kernel must refuse.
expect 0 'ip lvs pre: fullnat{family=2,sched=3,flags=0x1,pool-set=web,laddrs-set=lips}' \
	$D add ip lvs pre fullnat pool-set=web laddrs-set=lips sched=wlc flags=toa
expect 0 'inet t c: fullnat{laddrs=[10.1.0.254],pool-set=x-y.z/1}' \
	$D add inet t c fullnat family=none pool-set=x-y.z/1 laddrs=10.1.0.254
expect 0 'ip t c: fullnat{family=2,pool=[10.1.0.1],laddrs=[10.1.0.254],pool-set=web,laddrs-set=lips}' \
	$D add ip t c fullnat pool=10.1.0.1 pool-set=web laddrs=10.1.0.254 \
	laddrs-set=lips
expect 0 'ip t c: fullnat{family=2,pool-set=hex:776562,laddrs-set=hex:}' \
	$D add ip t c fullnat pool-set=hex:776562 laddrs-set=hex:
expect 0 'ip t c: fullnat{family=2,pool-set=hex:7765006200,laddrs-set=hex:6869780000}' \
	$D add ip t c fullnat pool-set=hex:7765006200 laddrs-set=hex:6869780000
expect 0 'ip lvs pre: fullnat to @web via @lips sched mh' \
	$D=text add ip lvs pre fullnat pool-set=web laddrs-set=lips sched=mh
expect 0 'ip6 lvs pre: fullnat to @web6 via { 2001:db8:1::fe }' \
	$D=text add ip6 lvs pre fullnat pool-set=web6 laddrs=2001:db8:1::fe
expect 1 'ip t c: [fullnat:malformed]' \
	$D=text add ip t c fullnat pool=10.1.0.1 pool-set=web laddrs-set=lips
expect 1 'ip t c: [fullnat:malformed]' \
	$D=text add ip t c fullnat pool-set=hex:776562 laddrs-set=lips
long=$(printf '%0256d' 0)
expect 1 'ip t c: [fullnat:malformed]' \
	$D=text add ip t c fullnat pool-set="$long" laddrs-set=lips
expect 0 "ip t c: fullnat to @${long%0} via @lips" \
	$D=text add ip t c fullnat pool-set="${long%0}" laddrs-set=lips

# Several rules in one batch, stock expressions, raw family numbers.
expect 0 'netdev t c: [counter] lb-dispatch{}
netdev t c: synproxy-lb{} fullnat{}
netdev t c: lb-dispatch{} [counter]' \
	$D add netdev t c counter lb-dispatch -- synproxy-lb fullnat -- \
	lb-dispatch counter
expect 0 '99 t c: lb-dispatch{}' $D add 99 t c lb-dispatch
expect 0 'bridge t c: lb-dispatch{}' $D add 7 t c lb-dispatch

# The statement text, through libnftlvs; malformed ones flagged.
expect 0 'ip lvs pre: synproxy-lb mss 1460 wscale 7 sack-perm timestamp fullnat to { 10.1.0.1:8080 weight 3, 10.1.0.2:8080, 10.1.0.3:8080 } via { 10.1.0.254, 10.1.0.253 } sched mh flags toa' \
	$D=text add ip lvs pre synproxy-lb mss=1460 wscale=7 \
	flags=sack-perm,timestamp fullnat pool=10.1.0.1:8080@3,10.1.0.2:8080,10.1.0.3:8080 \
	laddrs=10.1.0.254,10.1.0.253 sched=mh flags=toa
expect 0 'ip6 t c: fullnat to { [2001:db8::1]:8080 weight 2, 2001:db8::2 } via { 2001:db8:1::fe } ports 10000-20000 timeout 1m30s' \
	$D=text add ip6 t c fullnat pool=[2001:db8::1]:8080@2,2001:db8::2 \
	laddrs=2001:db8:1::fe ports=10000-20000 timeout=90
expect 1 'ip t c: [synproxy-lb:malformed] [counter]' \
	$D=text add ip t c synproxy-lb mss=100 counter
expect 1 'ip t c: [fullnat:malformed]' $D=text add ip t c fullnat pool= laddrs=

if "$LVSRULE" $D=hex add ip t c lb-dispatch | grep -q 'message length'; then
	ok
else
	fail "--dry-run=hex"
fi

# --- Refused before anything is sent.
refused foo $D add ip t c foo
refused bogus=1 $D add ip t c fullnat bogus=1
refused mss=65536 $D add ip t c synproxy-lb mss=65536
refused mss=-1 $D add ip t c synproxy-lb mss=-1
refused mss=12abc $D add ip t c synproxy-lb mss=12abc
refused wscale=256 $D add ip t c synproxy-lb wscale=256
refused ttl=300 $D add ip t c synproxy-lb ttl=300
refused flags=sack $D add ip t c synproxy-lb flags=sack
refused flags=toa $D add ip t c synproxy-lb flags=toa
refused flags= $D add ip t c synproxy-lb flags=
refused pool=10.1.0.1@4294967296 $D add ip t c fullnat pool=10.1.0.1@4294967296
refused pool=10.1.0.1:65536 $D add ip t c fullnat pool=10.1.0.1:65536
refused pool=300.1.1.1 $D add ip t c fullnat pool=300.1.1.1
refused pool=[2001:db8::1 $D add ip t c fullnat pool=[2001:db8::1
refused laddrs=hex:abc $D add ip t c fullnat laddrs=hex:abc
refused laddrs=10.1.0.1:80 $D add ip t c fullnat laddrs=10.1.0.1:80
refused pool-set=hex:abc $D add ip t c fullnat pool-set=hex:abc
refused pool-set=web $D add ip t c synproxy-lb pool-set=web
refused sched=bogus $D add ip t c fullnat sched=bogus
refused flags=toa,bogus $D add ip t c fullnat flags=toa,bogus
refused ports=5 $D add ip t c fullnat ports=5
refused ports=1-65536 $D add ip t c fullnat ports=1-65536
refused family=ipx $D add ip t c fullnat family=ipx
refused timeout=4294967296 $D add ip t c fullnat timeout=4294967296
refused mss=1 $D add ip t c mss=1 synproxy-lb
refused x=1 $D add ip t c lb-dispatch x=1
refused packets=1 $D add ip t c counter packets=1
refused ipx $D add ipx t c lb-dispatch
refused 256 $D add 256 t c lb-dispatch
refused -- $D add ip t c lb-dispatch --
refused -- $D add ip t c lb-dispatch -- -- lb-dispatch
refused frob frob
refused --dry-run=foo --dry-run=foo add ip t c lb-dispatch
refused -x list -x ip t c

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
