#!/bin/bash
# nftlvs: nft's command line keeps working around our statements: rule commands with
# handles and positions, -e echo (text and JSON), -a, -c, -D, -I and include, -f - (stdin),
# -i, -T, flush, monitor; and stock nft does not show our rules (why nftlvs must list them).
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/nftlvs.sh"

modprobe nft_lvs || fail "modprobe nft_lvs"
assert_ok nftlvs add table ip lvs
assert_ok nftlvs add chain ip lvs pre '{ type filter hook prerouting priority raw; policy accept; }'

rules() { nftlvs list chain ip lvs pre | sed -n 's/^\t\t//p' | grep -v '^type '; }
handle_of() { nftlvs -a list chain ip lvs pre | sed -n "s/.*$1.* # handle \([0-9]*\)$/\1/p"; }

# add, with echo: the statement comes back as written, canonical.
out=$(nftlvs -e 'add rule ip lvs pre ip daddr 10.0.0.10 tcp dport 80 fullnat to { 10.1.0.1:80 weight 1 } via 10.1.0.254 sched wlc')
log "echo: $out"
case $out in
*"ip daddr 10.0.0.10 tcp dport 80 fullnat to { 10.1.0.1:80 } via { 10.1.0.254 }"*) ;;
*) fail "echo of add rule: $out" ;;
esac
h=$(handle_of "fullnat to { 10.1.0.1:80 }")
[ -n "$h" ] || fail "no handle for the rule: $(nftlvs -a list ruleset)"

# replace by handle, insert at the top, add after a handle, delete by handle.
assert_ok nftlvs replace rule ip lvs pre handle "$h" \
	'ip daddr 10.0.0.10 tcp dport 80 fullnat to { 10.1.0.2:80 } via { 10.1.0.254 } sched rr'
assert_ok nftlvs insert rule ip lvs pre lb-dispatch
assert_ok nftlvs add rule ip lvs pre position "$h" synproxy-lb mss 1400
assert_eq "lb-dispatch
ip daddr 10.0.0.10 tcp dport 80 fullnat to { 10.1.0.2:80 } via { 10.1.0.254 } sched rr
synproxy-lb mss 1400" "$(rules)" "rules after replace/insert/add position"
assert_ok nftlvs delete rule ip lvs pre handle "$(handle_of 'synproxy-lb mss 1400')"
assert_eq 2 "$(rules | wc -l)" "rules after delete"

# JSON echo.
out=$(nftlvs -j -e 'add rule ip lvs pre udp dport 53 fullnat to { 10.1.0.3 } via { 10.1.0.254 } timeout 90')
case $out in
*'{"fullnat": {"to": [{"addr": "10.1.0.3"}], "via": ["10.1.0.254"], "timeout": 90}}'*) ;;
*) fail "JSON echo: $out" ;;
esac
# -T: times in seconds.
rules | grep -q 'timeout 1m30s$' || fail "timeout not listed as 1m30s: $(rules)"
nftlvs -T list chain ip lvs pre | grep -q 'timeout 90s$' || fail "-T: $(nftlvs -T list ruleset)"

# -c: checked by the kernel, nothing applied.
before=$(nftlvs list ruleset)
assert_ok nftlvs -c 'add rule ip lvs pre fullnat to { 10.1.0.9 } via { 10.1.0.254 }'
assert_fails_with "port 0 out of range" nftlvs -c 'add rule ip lvs pre fullnat to { 10.1.0.9:0 } via { 10.1.0.254 }'
assert_eq "$before" "$(nftlvs list ruleset)" "ruleset after -c"

# -D, -I and include, -f -.
mkdir -p "$CASE_TMP/inc"
printf 'define lip = 10.1.0.254\ndefine pool = { 10.1.0.4:80, 10.1.0.5:80 }\n' >"$CASE_TMP/inc/vars.nft"
# shellcheck disable=SC2016 # nft's variables
printf 'include "vars.nft"\nadd rule ip lvs pre ip daddr $vip fullnat to $pool via $lip\n' >"$CASE_TMP/svc.nft"
assert_ok nftlvs -I "$CASE_TMP/inc" -D vip=10.0.0.11 -f "$CASE_TMP/svc.nft"
rules | grep -qx 'ip daddr 10.0.0.11 fullnat to { 10.1.0.4:80, 10.1.0.5:80 } via { 10.1.0.254 }' ||
	fail "rule from -D/-I/include: $(rules)"
echo 'add rule ip lvs pre ip daddr 10.0.0.12 fullnat to 10.1.0.6 via 10.1.0.254' | nftlvs -f - ||
	fail "nftlvs -f -"
rules | grep -qx 'ip daddr 10.0.0.12 fullnat to { 10.1.0.6 } via { 10.1.0.254 }' || fail "rule from stdin: $(rules)"

# -o: nft's optimizer merges nft's rules and leaves ours alone.
printf 'table ip opt {\n\tchain c {\n\t\ttype filter hook prerouting priority raw;\n\t\tip daddr 10.0.0.1 drop\n\t\tip daddr 10.0.0.2 drop\n\t\tip daddr 10.0.0.3 fullnat to 10.1.0.1 via 10.1.0.254\n\t}\n}\n' >"$CASE_TMP/opt.nft"
assert_ok nftlvs -o -f "$CASE_TMP/opt.nft"
assert_eq "ip daddr { 10.0.0.1, 10.0.0.2 } drop
ip daddr 10.0.0.3 fullnat to { 10.1.0.1 } via { 10.1.0.254 }" \
	"$(nftlvs list chain ip opt c | sed -n 's/^\t\t//p' | grep -v '^type ')" "rules after -o"
assert_ok nftlvs delete table ip opt

# -i: one command a line, variables kept between them.
# shellcheck disable=SC2016 # nft's variables
out=$(printf 'define lip = 10.1.0.253\nadd rule ip lvs pre ip daddr 10.0.0.13 fullnat to 10.1.0.7 via $lip\nlist chain ip lvs pre\n' | nftlvs -i)
case $out in
*'ip daddr 10.0.0.13 fullnat to { 10.1.0.7 } via { 10.1.0.253 }'*) ;;
*) fail "interactive: $out" ;;
esac

# monitor shows our statements too (it may take a while to start listening).
nftlvs monitor rules >"$CASE_TMP/monitor" 2>&1 &
mon=$!
for i in $(seq 1 30); do
	assert_ok nftlvs add rule ip lvs pre ip daddr "10.0.1.$i" lb-dispatch
	sleep 1
	grep -q 'lb-dispatch' "$CASE_TMP/monitor" && break
done
kill "$mon"
wait "$mon" 2>/dev/null
grep -qE '^add rule ip lvs pre ip daddr 10\.0\.1\.[0-9]+ lb-dispatch$' "$CASE_TMP/monitor" ||
	fail "monitor: $(cat "$CASE_TMP/monitor")"

# Stock nft 1.0.6 omits every rule it cannot parse: only nftlvs shows them.
ours=$(rules | wc -l)
stock=$(nft list chain ip lvs pre | sed -n 's/^\t\t//p' | grep -vc '^type ')
log "rules: nftlvs lists $ours, nft lists $stock"
[ "$stock" -lt "$ours" ] || fail "stock nft listed our rules?"

# flush chain, flush ruleset.
assert_ok nftlvs flush chain ip lvs pre
assert_eq 0 "$(rules | wc -l)" "rules after flush chain"
assert_ok nftlvs flush ruleset
assert_eq "" "$(nftlvs list ruleset)" "ruleset after flush"
