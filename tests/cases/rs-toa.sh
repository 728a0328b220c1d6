#!/bin/bash
# nftlvs-toa on a real server: unmodified servers (a Python socket server,
# busybox httpd) in a cgroup see the client's address and port from accept()
# and getpeername() when the load balancer (fullnat flags toa, also behind
# synproxy-lb, also with the option on the first data segment) sends the
# option from a trusted lip; on an IPv4, a dual-stack (v4-mapped) and an
# IPv6 listener. Options crafted over raw sockets cover the IPv6 layouts
# (kind 253 and 254, length 20), an IPv6 client on an IPv4 socket (NAT64:
# not shown, readable with "nftlvs-toa peer"; also through the LB, with a
# dual-stack listener that shows it), malformed options (ignored,
# counted), and a client forging the option directly to the server (not
# believed). Detach restores plain behaviour.
# timeout: 360
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

TOA=$TOP/build/host/rs-toa/nftlvs-toa
PEER="$PY $TOP/tests/lib/toapeer.py"
CG=/sys/fs/cgroup/rstoa
[ -x "$TOA" ] || fail "$TOA not built"

mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cgroup2"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "bpffs"
mkdir -p "$CG" || fail "cgroup $CG"
cleanup() {
	"$TOA" detach >/dev/null 2>&1
	# The servers die with the namespaces; the cgroup goes once it is empty.
	for _ in $(seq 1 50); do rmdir "$CG" 2>/dev/null && break; sleep 0.1; done
}
trap cleanup EXIT

topo_setup || fail "topology"

# The servers run in rs1, inside the cgroup the programs are attached to
# (joined before "ip netns exec", whose fresh /sys has no cgroup mount).
in_cg() { sh -c 'echo $$ > "$0/cgroup.procs" && exec ip netns exec rs1 "$@"' "$CG" "$@"; }
mkdir -p /tmp/www && echo hello >/tmp/www/index.html
# "nftlvs-toa peer" runs in rs1, whose "ip netns exec" mount namespace has
# no /sys/fs/bpf: a wrapper runs it in this script's.
printf '#!/bin/sh\nexec nsenter --mount=/proc/%s/ns/mnt %s "$@"\n' "$$" "$TOA" >/tmp/toa-peer
chmod +x /tmp/toa-peer
in_cg $PEER serve 4 8080 /tmp/s4.log --peer-cmd /tmp/toa-peer &
in_cg $PEER serve 46 8081 /tmp/s46.log &
in_cg $PEER serve 6 8086 /tmp/s6.log &
in_cg busybox httpd -f -vv -p 8082 -h /tmp/www 2>/tmp/httpd.log &
for _ in $(seq 1 100); do
	[ "$(in_ns rs1 ss -ltnH | grep -c -E ':(8080|8081|8082|8086) ')" = 4 ] && break
	sleep 0.2
done
[ "$(in_ns rs1 ss -ltnH | grep -c -E ':(8080|8081|8082|8086) ')" = 4 ] ||
	fail "servers not listening: $(in_ns rs1 ss -ltnH)"

in_ns lb "$NFTLVS" -f - <<NFT || fail "ruleset"
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip daddr $VIP4 tcp dport 80 fullnat to { $RS4_1:8080 } via { $LIP4_1 } sched rr flags toa
		ip daddr $VIP4 tcp dport 81 fullnat to { $RS4_1:8081 } via { $LIP4_1 } sched rr flags toa
		ip daddr $VIP4 tcp dport 82 fullnat to { $RS4_1:8082 } via { $LIP4_1 } sched rr flags toa
		ip daddr $VIP4 tcp dport 83 synproxy-lb fullnat to { $RS4_1:8080 } via { $LIP4_1 } sched rr flags toa
		ip daddr $VIP4 drop
	}
}
NFT

# via PORT [--defer] - one exchange through the LB ($VIA_HOST, default the
# IPv4 VIP); prints "LOCAL|ACCEPT|PEER". (Run in $(...): a failure prints
# FAIL, which the comparisons then report.)
via() {
	local out
	out=$(in_ns client $PEER connect "${VIA_HOST:-$VIP4}" "$@" 2>&1) ||
		{ echo "FAIL: connect $*: $out"; return; }
	echo "$out" | cut -d'|' -f1,3,4
}
counter() { "$TOA" status | awk -v k="$1" '$1 == k { print $2 }'; }

# Not attached: the server sees the lip.
r=$(via 80)
assert_eq "$LIP4_1" "$(cut -d'|' -f2 <<<"$r" | cut -d' ' -f1)" "accept() before attach"
assert_fails_with "not attached" "$TOA" status

# Attached without trust: nothing is believed, and both status and the log say so.
out=$("$TOA" attach --cgroup "$CG" 2>&1) || fail "attach: $out"
log "$out"
case $out in *"no trusted prefixes"*) ;; *) fail "attach without --trust does not warn: $out" ;; esac
"$TOA" status | grep -q '^trust: none' || fail "status without trust: $("$TOA" status)"
r=$(via 80)
assert_eq "$LIP4_1" "$(cut -d'|' -f2 <<<"$r" | cut -d' ' -f1)" "accept() without trust"
assert_eq 1 "$(counter untrusted)" "untrusted counter"

# Trust the lips (attach again replaces the list, the programs stay).
assert_ok "$TOA" attach --cgroup "$CG" --trust "$LIP4_1/32" "$LIP6_1"
"$TOA" status
assert_fails_with "invalid prefix" "$TOA" attach --trust 10.1.0.300/24
assert_fails_with "not attached to /tmp" "$TOA" status --cgroup /tmp
"$TOA" status | grep -q "^trust: $LIP4_1/32 $LIP6_1/128\$" || fail "trust kept after a bad attach"

# Through the LB: the IPv4 listener, the first data segment completing the
# handshake, the dual-stack listener (v4-mapped), busybox httpd, synproxy.
for args in 80 "80 --defer" 83 "83 --defer"; do
	r=$(via $args)
	IFS='|' read -r local acc peer <<<"$r"
	log "via $args: local $local, accept $acc, getpeername $peer"
	case $local in "$CLIENT4 "*) ;; *) fail "client's own address: $local" ;; esac
	assert_eq "$local" "$acc" "accept() via $args"
	assert_eq "$local" "$peer" "getpeername() via $args"
done
r=$(via 81)
IFS='|' read -r local acc peer <<<"$r"
assert_eq "::ffff:$local" "$acc" "accept() on a dual-stack listener"
assert_eq "::ffff:$local" "$peer" "getpeername() on a dual-stack listener"
in_ns client busybox wget -q -O /dev/null "http://$VIP4:82/" || fail "httpd through the LB"
sleep 0.3
log "$(cat /tmp/httpd.log)"
# busybox httpd listens dual-stack: IPv4 clients are ::ffff:a.b.c.d.
grep -q "^\[::ffff:$CLIENT4\]:[0-9]*: response:200" /tmp/httpd.log ||
	fail "httpd did not log the client"
grep -q "$LIP4_1" /tmp/httpd.log && fail "httpd logged the lip"

# IPv6 through the LB (FNAT66, length 20: kind 254 by default, 253 with toa-kind-253): an
# IPv6-only and a dual-stack listener see the IPv6 client. (No "ip6 daddr VIP drop":
# neighbour discovery probes the VIP with unicast ICMPv6.)
in_ns lb "$NFTLVS" -f - <<NFT || fail "ip6 ruleset"
table ip6 lvs6 {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		lb-dispatch
		ip6 daddr $VIP6 tcp dport 80 fullnat to { [$RS6_1]:8086 } via { $LIP6_1 } sched rr flags toa
		ip6 daddr $VIP6 tcp dport 81 fullnat to { [$RS6_1]:8081 } via { $LIP6_1 } sched rr flags toa,toa-kind-253
		ip6 daddr $VIP6 tcp dport 82 fullnat to { $RS4_1:8081 } via { $LIP4_1 } sched rr flags toa
		ip6 daddr $VIP6 tcp dport 83 fullnat to { $RS4_1:8080 } via { $LIP4_1 } sched rr flags toa
		ip6 daddr $VIP6 meta l4proto { tcp, udp } drop
	}
}
NFT
# NAT64 (82): the IPv6 client in the option of an IPv4 segment, which a dual-stack
# listener shows as it is.
for args in 80 "80 --defer" 81 82 "82 --defer"; do
	r=$(VIA_HOST=$VIP6 via $args)
	IFS='|' read -r local acc peer <<<"$r"
	log "via [$VIP6]:$args: local $local, accept $acc, getpeername $peer"
	case $local in "$CLIENT6 "*) ;; *) fail "client's own IPv6 address: $local" ;; esac
	assert_eq "$local" "$acc" "accept() via IPv6 $args"
	assert_eq "$local" "$peer" "getpeername() via IPv6 $args"
done

# NAT64 to an IPv4 socket, which cannot hold the IPv6 client: it keeps the lip, and
# "nftlvs-toa peer" tells the client.
r=$(in_ns client $PEER connect "$VIP6" 83 2>&1) || fail "NAT64 to an IPv4 socket: $r"
log "NAT64 to an IPv4 socket: $r"
IFS='|' read -r local _ acc peer toa <<<"$r"
case $acc in "$LIP4_1 "*) ;; *) fail "accept() on an IPv4 socket shows $acc, not the lip" ;; esac
assert_eq "$acc" "$peer" "getpeername() on an IPv4 socket via NAT64"
assert_eq "$local" "$toa" "nftlvs-toa peer on an IPv4 socket via NAT64"

# Crafted handshakes. The kernel's RSTs for the raw sockets' ports are dropped.
# The option areas that break stay below 18 bytes: from there on 6.12 drops
# the segment itself (tcp_inbound_hash: "bad auth header") before sockops.
for ns in lb client; do
	in_ns $ns nft -f - <<'NFT' || fail "craft rules in $ns"
table inet craft {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp sport 41000-41999 tcp flags & rst == rst drop
	}
}
NFT
done
spec() {	# spec SRC DST DPORT SPORT OPTS [DATA]
	printf '{"src": "%s", "dst": "%s", "dport": %s, "sport": %s, "opts": "%s", "data": "%s"},' "$@"
}
t4() { printf 'fe08%04x%s' "$1" "$(printf '%02x' ${2//./ })"; }	# t4 PORT A.B.C.D
t6() {	# t6 KIND PORT HEX32 (the address as 32 hex digits)
	printf '%02x14%04x%s' "$1" "$2" "$3"
}
V6A=20010db8000000000000000000000099	# 2001:db8::99
V6B=20010db80000000000000000000000a0	# 2001:db8::a0
MAPPED=00000000000000000000ffffc0000209	# ::ffff:192.0.2.9
S=$(
	spec $LIP4_1 $RS4_1 8080 41001 "$(t4 1111 192.0.2.1)"
	spec $LIP4_1 $RS4_1 8080 41002 "fe060457c000"			# 254, length 6
	spec $LIP4_1 $RS4_1 8080 41003 "0101fe080457c000"		# runs past the header
	spec $LIP4_1 $RS4_1 8080 41004 "$(t4 1111 192.0.2.1)$(t4 1112 192.0.2.2)"	# twice
	spec $LIP4_1 $RS4_1 8080 41005 "fd080457c0000201"		# 253, length 8
	spec $LIP4_1 $RS4_1 8080 41006 "0101fe00"			# length 0
	spec $LIP4_1 $RS4_1 8080 41007 "$(t6 254 2222 $V6A)"		# NAT64, IPv4 socket
	spec $LIP4_1 $RS4_1 8081 41008 "$(t6 254 2223 $V6A)"		# NAT64, dual-stack
	spec $LIP4_1 $RS4_1 8080 41009 "$(t6 254 2224 $MAPPED)"		# v4-mapped in 20 bytes
	spec $LIP4_1 $RS4_1 8080 41010 "0101$(t4 2225 192.0.2.10)" hello	# on a data segment
	spec $LIP6_1 $RS6_1 8086 41020 "$(t6 253 3000 $V6B)"
	spec $LIP6_1 $RS6_1 8086 41021 "$(t6 254 3001 $V6B)"
	spec $LIP6_1 $RS6_1 8086 41022 "$(t4 3002 192.0.2.22)"		# IPv4 client, IPv6 socket
	spec $LIP6_1 $RS6_1 8086 41023 "0101$(t6 253 3003 $V6B | cut -c1-28)"	# cut short
	spec $LIP6_1 $RS6_1 8086 41024 "$(t6 253 3004 $V6B)$(t6 254 3004 $V6B)"	# twice
	spec $LIP6_1 $RS6_1 8086 41025 "$(t6 253 3005 $V6B)" hello
	spec $LIP6_1 $RS6_1 8086 41026 "$(t4 3006 192.0.2.26)$(t6 253 3006 $V6B)"	# two kinds
)
out=$(in_ns lb $PEER craft "[${S%,}]") || fail "craft: $out"
log "$out"
F=$(
	spec $CLIENT4 $RS4_1 8080 41030 "$(t4 4000 192.0.2.30)"
	spec $CLIENT6 $RS6_1 8086 41031 "$(t6 253 4001 $V6B)"
)
out=$(in_ns client $PEER craft "[${F%,}]") || fail "forge: $out"
log "$out"

expect() {	# expect LOG PORT SPORT ACCEPT [TOA]
	local rec port acc peer toa i
	# A server logs a connection after its "nftlvs-toa peer" call returns:
	# on a loaded host that can take seconds.
	for i in $(seq 1 100); do
		rec=$(grep -F "$2|$4|" "$1" | head -n1)
		[ -n "$rec" ] && break
		sleep 0.1
	done
	[ -n "$rec" ] || fail "sport $3: no connection showing '$4' in $1: $(cat "$1")"
	IFS='|' read -r port acc peer toa <<<"$rec"
	assert_eq "$4" "$peer" "getpeername() of sport $3"
	[ -z "${5:-}" ] || assert_eq "$5" "$toa" "nftlvs-toa peer of sport $3"
}
log "$(cat /tmp/s4.log /tmp/s46.log /tmp/s6.log)"
expect /tmp/s4.log 8080 41001 "192.0.2.1 1111" "192.0.2.1 1111"
for sp in 41002 41003 41004 41005 41006; do
	expect /tmp/s4.log 8080 $sp "$LIP4_1 $sp" none
done
expect /tmp/s4.log 8080 41007 "$LIP4_1 41007" "2001:db8::99 2222"
expect /tmp/s46.log 8081 41008 "2001:db8::99 2223"
expect /tmp/s4.log 8080 41009 "192.0.2.9 2224" "192.0.2.9 2224"
expect /tmp/s4.log 8080 41010 "192.0.2.10 2225"
expect /tmp/s6.log 8086 41020 "2001:db8::a0 3000"
expect /tmp/s6.log 8086 41021 "2001:db8::a0 3001"
expect /tmp/s6.log 8086 41022 "::ffff:192.0.2.22 3002"
for sp in 41023 41024 41026; do
	expect /tmp/s6.log 8086 $sp "$LIP6_1 $sp"
done
expect /tmp/s6.log 8086 41025 "2001:db8::a0 3005"
# Forged by the client itself: not believed.
expect /tmp/s4.log 8080 41030 "$CLIENT4 41030" none
expect /tmp/s6.log 8086 41031 "$CLIENT6 41031"

"$TOA" status
assert_eq 8 "$(counter malformed)" "malformed (41002-41006, 41023, 41024, 41026)"
assert_eq 3 "$(counter untrusted)" "untrusted (one before --trust, two forged)"
assert_eq 2 "$(counter v6_on_v4)" "IPv6 clients on an IPv4 socket (41007, NAT64 to 8080)"
assert_eq "$(counter seen)" "$(( $(counter used) + $(counter untrusted) + $(counter malformed) ))" \
	"seen = used + untrusted + malformed"

# Detach: plain behaviour again.
assert_ok "$TOA" detach
assert_fails_with "not attached" "$TOA" status
r=$(via 80)
assert_eq "$LIP4_1" "$(cut -d'|' -f2 <<<"$r" | cut -d' ' -f1)" "accept() after detach"
[ ! -e /sys/fs/bpf/nftlvs-toa ] || fail "pins left after detach"
