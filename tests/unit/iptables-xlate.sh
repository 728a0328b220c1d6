#!/bin/sh
# The iptables extensions without a kernel: iptables-translate and
# ip6tables-translate run their option parsing and print the statements
# from the target data they built, so each form below goes through parse,
# netlink encoding and decoding. Bad options: refused, with the message
# naming the problem.
top=$(cd "$(dirname "$0")/.." && pwd)
command -v iptables-translate >/dev/null || { echo "SKIP: no iptables-translate"; exit 77; }
XTABLES_LIBDIR=$PWD/../xtables/.libs:$(pkg-config --variable=xtlibdir xtables)
LD_LIBRARY_PATH=$PWD/../libnftnl-ext/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export XTABLES_LIBDIR LD_LIBRARY_PATH
passed=0
failed=0
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# xlate TOOL "OPTIONS" "EXPECTED RULE TAIL"
xlate() {
	# shellcheck disable=SC2086
	got=$($1 -t raw -A PREROUTING -j $2 2>&1)
	want="nft 'add rule $4 raw PREROUTING counter $3'"
	[ "$got" = "$want" ] && passed=$((passed + 1)) || fail "$1 -j $2
  got:  $got
  want: $want"
}
xlate iptables-translate "LB-DISPATCH" "lb-dispatch" ip
xlate iptables-translate "FULLNAT --to 10.1.0.1:8080,10.1.0.2:8080@3,10.1.0.3@0 --via 10.1.0.254,10.1.0.253" \
	"fullnat to { 10.1.0.1:8080, 10.1.0.2:8080 weight 3, 10.1.0.3 weight 0 } via { 10.1.0.254, 10.1.0.253 }" ip
xlate iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --ports 20000-29999 --sched mh --timeout 90 --toa --strip-timestamps --rst-on-expire" \
	"fullnat to { 10.1.0.1 } via { 10.1.0.254 } ports 20000-29999 sched mh timeout 1m30s flags toa,strip-timestamps,rst-on-expire" ip
xlate iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --timeout 2d" \
	"fullnat to { 10.1.0.1 } via { 10.1.0.254 } timeout 2d" ip
xlate iptables-translate "SYNPROXY-LB --to 10.1.0.1:80 --via 10.1.0.254" \
	"synproxy-lb fullnat to { 10.1.0.1:80 } via { 10.1.0.254 }" ip
xlate iptables-translate "SYNPROXY-LB --mss 1460 --wscale 7 --sack-perm --timestamp --ttl 64 --defer --to 10.1.0.1:80 --via 10.1.0.254 --sched rr" \
	"synproxy-lb mss 1460 wscale 7 sack-perm timestamp ttl 64 defer fullnat to { 10.1.0.1:80 } via { 10.1.0.254 } sched rr" ip
xlate ip6tables-translate "FULLNAT --to [2001:db8:1::1]:8080,2001:db8:1::2,[2001:db8:1::3]@2 --via 2001:db8:1::fe --toa --toa-kind-253" \
	"fullnat to { [2001:db8:1::1]:8080, 2001:db8:1::2, 2001:db8:1::3 weight 2 } via { 2001:db8:1::fe } flags toa,toa-kind-253" ip6
xlate ip6tables-translate "FULLNAT --to 10.1.0.1:8080 --via 10.1.0.254" \
	"fullnat to { 10.1.0.1:8080 } via { 10.1.0.254 }" ip6

# refused TOOL "OPTIONS" "MESSAGE PART"
refused() {
	# shellcheck disable=SC2086
	if got=$($1 -t raw -A PREROUTING -j $2 2>&1); then
		fail "$1 -j $2: accepted: $got"
	elif printf '%s' "$got" | grep -qF -- "$3"; then
		passed=$((passed + 1))
	else
		fail "$1 -j $2: message: $got (want: $3)"
	fi
}
refused iptables-translate "FULLNAT --via 10.1.0.254" "FULLNAT: --to (the real servers) and --via (the local addresses) are required"
refused iptables-translate "FULLNAT --to 10.1.0.1" "are required"
refused iptables-translate "FULLNAT --to 10.1.0.1,,10.1.0.2 --via 10.1.0.254" "FULLNAT: --to: an empty entry in '10.1.0.1,,10.1.0.2'"
refused iptables-translate "FULLNAT --to 10.1.0.1:0 --via 10.1.0.254" "--to: '0' is not a number from 1 to 65535"
refused iptables-translate "FULLNAT --to 10.1.0.1@65536 --via 10.1.0.254" "--to: '65536' is not a number from 0 to 65535"
refused iptables-translate "FULLNAT --to 10.1.0.300 --via 10.1.0.254" "--to: '10.1.0.300': '10.1.0.300' is not an IPv4 or IPv6 address"
refused iptables-translate "FULLNAT --to [2001:db8::1 --via 10.1.0.254" "an IPv6 address in brackets is [ADDR] or [ADDR]:PORT"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254:80" "--via: '10.1.0.254:80': a local address takes no port (see --ports)"
refused iptables-translate "FULLNAT --to 10.1.0.1,2001:db8::1 --via 10.1.0.254" "--to: IPv4 and IPv6 addresses mixed"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 2001:db8::1" "are not of one family"
refused iptables-translate "FULLNAT --to 2001:db8::1 --via 2001:db8::fe" "IPv6 servers behind an IPv4 rule: use ip6tables"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --ports 6000-5000" "--ports: 6000-5000: the first port is above the last"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --ports 6000" "--ports: '6000' is not LO-HI"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --sched fastest" "unknown scheduler 'fastest'"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --timeout 0" "--timeout: '0' is not a number from 1 to 2592000"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --timeout 31d" "--timeout: '31' is not a number from 1 to 30"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --timeout 5x" "--timeout: '5x' is not a number"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --toa-kind-253" "--toa-kind-253 needs --toa"
refused iptables-translate "FULLNAT --to 10.1.0.1 --via 10.1.0.254 --sched rr --sched wlc" "option \"--sched\" can only be used once"
refused iptables-translate "SYNPROXY-LB --mss 100 --to 10.1.0.1 --via 10.1.0.254" "--mss: '100' is not a number from 536 to 65495"
refused iptables-translate "SYNPROXY-LB --wscale 15 --to 10.1.0.1 --via 10.1.0.254" "--wscale: '15' is not a number from 0 to 14"
refused iptables-translate "SYNPROXY-LB --ttl 0 --to 10.1.0.1 --via 10.1.0.254" "--ttl: '0' is not a number from 1 to 255"
# A pool too large for the target's data: the sizes in the message.
big=$(awk 'BEGIN { for (i = 1; i <= 120; i++) printf "%s10.1.%d.%d:8080", (i > 1 ? "," : ""), i / 250, i % 250 + 1 }')
refused iptables-translate "FULLNAT --to $big --via 10.1.0.254" "an iptables rule holds 3072: use fewer, or an nft set"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
