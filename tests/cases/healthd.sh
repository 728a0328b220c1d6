#!/bin/bash
# nftlvs-healthd keeps set-backed pools current: each check type (tcp, http, https, udp,
# exec) against servers that go down (process killed, port refused, wrong HTTP status,
# silent UDP, failing command) and come back; the set follows within interval x fall +
# timeout (each change timed by nft monitor);
# client traffic through fullnat meets no server already marked down; inhibit keeps a
# failed server at weight 0; the sorry server serves only while every server is down; no
# flapping with rise/fall; SIGHUP keeps the state of unchanged checks and refuses a bad
# config; a restart drops no healthy server; an IPv6 pool (ip6 table, IPv6 servers)
# follows its servers as the IPv4 ones do.
# timeout: 400
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"

HEALTHD=${HEALTHD:-$TOP/build/host/healthd/nftlvs-healthd}
[ -x "$HEALTHD" ] || fail "no $HEALTHD (build the userspace first)"
SOCK=$CASE_TMP/healthd.sock
CONF=$CASE_TMP/healthd.conf
HLOG=$CASE_TMP/healthd.log
STATE=$CASE_TMP/state
mkdir -p "$STATE"

# Each check's bound: a failure reaches the set within interval x fall + timeout (a
# check that started just before the failure may still pass), or, when the timeout is
# longer than the interval (a check that times out delays the next), interval + (fall - 1)
# x timeout + timeout. That bound is measured natively by the benchmark (bench/healthd.sh).
# Here, under an emulated CPU that other guests or a busy host may starve for seconds, the
# daemon, the servers and the measurement itself (nft monitor, listings) run late: the
# bound checked is 4 s (times S) more, enough for a starved guest (2 s was exceeded once
# with three guests on two cores), and the measured times are printed. Intervals are
# short for the test's sake and no shorter than the emulated guest bears; timeouts are
# long where the failure under test is not a timeout.
# On a debug kernel (LVS_TEST_TIME_SCALE) every interval, timeout and wait stretches by
# that factor: KASAN and lockdep make a check there take longer than a 1 s timeout, and
# the servers flap.
S=${LVS_TEST_TIME_SCALE:-1}
ms() { echo $(($1 * S)); }	# ms N: N milliseconds, stretched
FALL=2
bound() {	# bound INTERVAL_MS TIMEOUT_MS: interval + (fall - 1) x max(interval, timeout) + timeout
	local slot=$1
	[ "$2" -le "$1" ] || slot=$2
	printf '%.1f' "$(echo "($1 + ($FALL - 1) * $slot + $2) / 1000 + 4 * $S" | bc -l)"
}
# Each check's interval (_I) and timeout (_T), in ms. Only udp's failure under test is a
# timeout; the others' timeouts are long because a starved guest answers late (python
# servers took 3-4 s there) and a healthy server must not flap.
TCP_I=$(ms 500) TCP_T=$(ms 1000)
HTTP_I=$(ms 500) HTTP_T=$(ms 4000)
HTTPS_I=$(ms 1000) HTTPS_T=$(ms 4000)
UDP_I=$(ms 500) UDP_T=$(ms 2000)
EXEC_I=$(ms 1000) EXEC_T=$(ms 3000)
WEB6_I=$(ms 500) WEB6_T=$(ms 3000)
TCP_B=$(bound $TCP_I $TCP_T) HTTP_B=$(bound $HTTP_I $HTTP_T) HTTPS_B=$(bound $HTTPS_I $HTTPS_T)
UDP_B=$(bound $UDP_I $UDP_T) EXEC_B=$(bound $EXEC_I $EXEC_T) WEB6_B=$(bound $WEB6_I $WEB6_T)

topo_setup
lvs_start_servers 8080
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=rs -keyout "$CASE_TMP/key.pem" -out "$CASE_TMP/cert.pem" 2>/dev/null ||
	fail "openssl req"
for i in 1 2 3; do
	addr=10.1.0.$i
	in_ns rs$i $PY "$TOP/tests/lib/hcserver.py" rs$i $addr "$STATE" \
		"$CASE_TMP/cert.pem" "$CASE_TMP/key.pem" >"$CASE_TMP/hc-rs$i.log" 2>&1 &
done

in_ns lb nft -f - <<NFT || fail "sets"
table ip lvs {
	map web { type ipv4_addr . inet_service : mark; }
	set lips { type ipv4_addr; elements = { $LIP4_1 } }
	map http { type ipv4_addr . inet_service : mark; }
	set https { type ipv4_addr . inet_service; }
	map dns { type ipv4_addr . inet_service : mark; }
	set ex { type ipv4_addr; }
	map flap { type ipv4_addr . inet_service : mark; }
	chain svc {}
	chain pre {
		type filter hook prerouting priority raw; policy accept;
	}
}
NFT
in_ns lb nft -f - <<NFT || fail "ip6 set"
table ip6 lvs6 {
	map web6 { type ipv6_addr . inet_service : mark; }
}
NFT
# IPv6 web servers on rs1 and rs2 (an empty directory: GET / answers 200).
mkdir -p "$CASE_TMP/www6"
web6_serve() {	# web6_serve N: the IPv6 server of rsN
	in_ns rs$1 $PY -m http.server --bind "2001:db8:1::$1" -d "$CASE_TMP/www6" 8006 \
		>"$CASE_TMP/web6-rs$1.log" 2>&1 &
}
web6_serve 1
web6_serve 2
in_ns lb "$LVSRULE" add ip lvs pre lb-dispatch || fail "lb-dispatch"
in_ns lb nft add rule ip lvs pre ip daddr "$VIP4" tcp dport 80 jump svc || fail "jump"
in_ns lb "$LVSRULE" add ip lvs svc fullnat pool-set=web laddrs-set=lips sched=wrr ||
	fail "fullnat to @web via @lips"

# The flapping server: its command succeeds and fails in turn (shell builtins only: an
# emulated guest runs external programs slowly). Each run appends one byte to the count
# file, whose length is the number of runs: a run killed by its timeout leaves the count
# right (a rewritten number would be lost if killed between truncating and writing).
cat >"$CASE_TMP/flap.sh" <<'EOF'
runs=
{ read -r runs <"$1"; } 2>/dev/null
printf . >>"$1"
[ $((${#runs} % 2)) = 0 ]
EOF
write_conf() {	# write_conf WEB_RS1_WEIGHT
	cat >"$CONF" <<EOF
pool web {
	set ip lvs web
	sorry $RS4_3:8080
	check tcp { interval ${TCP_I}ms; timeout ${TCP_T}ms; rise 2; fall $FALL }
	server $RS4_1:8080 weight $1
	server $RS4_2:8080 weight 1
}
pool http {
	set ip lvs http
	inhibit
	check http { path /health; expect "ok rs"; port 8000; interval ${HTTP_I}ms; timeout ${HTTP_T}ms; fall $FALL }
	server $RS4_1:80 weight 5
	server $RS4_2:80 weight 5
}
pool https {
	set ip lvs https
	check https { path /; status 200-299; host rs.test; source $LIP4_2; interval ${HTTPS_I}ms; timeout ${HTTPS_T}ms; fall $FALL }
	server $RS4_1:8443
	server $RS4_2:8443
}
pool udp {
	set ip lvs dns
	check udp { send "ping"; expect "pong"; interval ${UDP_I}ms; timeout ${UDP_T}ms; fall $FALL }
	server $RS4_1:5353 weight 2
	server $RS4_2:5353 weight 2
}
pool ex {
	set ip lvs ex
	check exec { command "test -e $STATE/up-\$NFTLVS_SERVER_ADDR"; interval ${EXEC_I}ms; timeout ${EXEC_T}ms; fall $FALL }
	server $RS4_1
	server $RS4_2
}
pool web6 {
	set ip6 lvs6 web6
	check http { path /; interval ${WEB6_I}ms; timeout ${WEB6_T}ms; fall $FALL }
	server [$RS6_1]:8006 weight 3
	server [$RS6_2]:8006
}
pool flap {
	set ip lvs flap
	check exec { command "sh $CASE_TMP/flap.sh $STATE/flap-count"; interval $(ms 500)ms; timeout $(ms 5000)ms; rise 3; fall 3 }
	server $RS4_3:9 up
}
EOF
}
WEB1_W=2
write_conf $WEB1_W
touch "$STATE/up-$RS4_1" "$STATE/up-$RS4_2"
"$HEALTHD" -t -f "$CONF" >/dev/null || fail "the test's own config: $("$HEALTHD" -t -f "$CONF" 2>&1)"

# On any failure, the daemon's own account goes into the case's log.
on_exit() {
	local rc=$?
	if [ $rc != 0 ] && [ -s "$HLOG" ]; then
		log "healthd log:"
		sed 's/^/#   /' "$HLOG"
	fi
	exit $rc
}
trap on_exit EXIT

start_healthd() {	# HPID: the daemon itself (ip netns exec execs it), for signals
	ip netns exec "$NS_LB" "$HEALTHD" -f "$CONF" -s "$SOCK" >>"$HLOG" 2>&1 &
	HPID=$!
}
status() { in_ns lb "$HEALTHD" status -s "$SOCK"; }
# snap: one listing of the tables (nft is slow in an emulated guest: one call per look),
# and every set's elements from it, one "SET<tab>ELEMENT" line each ("web<tab>10.1.0.1 .
# 8080 : 0x00000002"), so that a look at the sets costs one process, not one per set
snap() {
	in_ns lb nft list ruleset >"$CASE_TMP/snap" 2>&1 || fail "list: $(cat "$CASE_TMP/snap")"
	awk '($1 == "set" || $1 == "map") && $3 == "{" { set = $2; body = ""; next }
	     set != "" && /^\t}$/ {
		if (match(body, /elements = \{[^}]*\}/)) {
			n = split(substr(body, RSTART + 12, RLENGTH - 13), e, ",")
			for (i = 1; i <= n; i++) {
				gsub(/^ +| +$/, "", e[i])
				print set "\t" e[i]
			}
		}
		set = ""
	     }
	     set != "" { gsub(/\t/, " "); body = body " " $0 }' "$CASE_TMP/snap" |
		tr -s ' ' >"$CASE_TMP/elems"
}
# elems SET: the set's elements in the last snap, one per line
elems() { awk -F'\t' -v s="$1" '$1 == s { print $2 }' "$CASE_TMP/elems"; }
has() { grep -qxF "$1	$2" "$CASE_TMP/elems"; }

# Every element change, stamped as it happens (nft monitor writes each event at once).
MON=$CASE_TMP/monitor
in_ns lb nft monitor elements | while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >"$MON" &
# changed WHAT BOUND T0 EVENT: EVENT ("delete element ip lvs web { ... }") must come within
# BOUND seconds after T0 ($EPOCHREALTIME when the server changed); logs how long it took
changed() {
	local what=$1 bound=$2 t0=$3 ev=$4 end t
	end=$(echo "$t0 + $bound + 2" | bc)
	while :; do
		t=$(awk -v t0="$t0" -v ev="$ev" '$1 >= t0 && substr($0, index($0, " ") + 1) == ev { print $1 - t0; exit }' "$MON")
		[ -n "$t" ] && break
		if [ "$(echo "$EPOCHREALTIME > $end" | bc)" = 1 ]; then
			status | sed 's/^/#   /'
			fail "$what: no '$ev' within ${bound}s"
		fi
		sleep 0.1
	done
	[ "$(echo "$t <= $bound" | bc)" = 1 ] || fail "$what: took ${t}s, more than ${bound}s"
	log "$what: $(printf '%.2f' "$t")s (bound ${bound}s)"
}
mark() { printf '0x%08x' "$1"; }
# until_t SECONDS CMD...: run CMD until it succeeds; prints the seconds it took; 1 on timeout
# (SECONDS times S)
until_t() {
	local t0 end
	t0=$(date +%s.%N)
	end=$(echo "$t0 + $1 * $S" | bc)
	shift
	until "$@"; do
		if [ "$(echo "$(date +%s.%N) > $end" | bc)" = 1 ]; then
			return 1
		fi
		sleep 0.05
	done
	echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.2f'
}
conns() {	# conns N: the spread of N connections to VIP:80
	local out
	out=$(in_ns client $LBTRAFFIC tcp "$VIP4" 80 --count "$1") || fail "traffic: $out"
	json_get rs <<<"$out"
}
all_up() {	# every server in its set with its weight (one process after the listing)
	snap
	printf '%s\n' "web	$RS4_1 . 8080 : $(mark $WEB1_W)" "web	$RS4_2 . 8080 : $(mark 1)" \
		"http	$RS4_1 . 80 : $(mark 5)" "http	$RS4_2 . 80 : $(mark 5)" \
		"https	$RS4_1 . 8443" "https	$RS4_2 . 8443" \
		"dns	$RS4_1 . 5353 : $(mark 2)" "dns	$RS4_2 . 5353 : $(mark 2)" \
		"ex	$RS4_1" "ex	$RS4_2" \
		"web6	$RS6_1 . 8006 : $(mark 3)" "web6	$RS6_2 . 8006 : $(mark 1)" >"$CASE_TMP/want"
	[ "$(grep -cxFf "$CASE_TMP/want" "$CASE_TMP/elems")" = 12 ]
}

for i in 1 2 3; do
	until_t 30 grep -q ready "$CASE_TMP/hc-rs$i.log" >/dev/null ||
		fail "health endpoints of rs$i: $(cat "$CASE_TMP/hc-rs$i.log")"
done
for i in 1 2; do
	until_t 30 in_ns rs$i sh -c "ss -ltnH 'sport = :8006' | grep -q ." >/dev/null ||
		fail "IPv6 web server of rs$i: $(cat "$CASE_TMP/web6-rs$i.log")"
done

# --- Start: every server starts down and comes up after `rise` good checks; the sorry
# server is used until then and leaves once a server is up.
start_healthd
until_t 20 test -S "$SOCK" >/dev/null || fail "no status socket: $(cat "$HLOG")"
t=$(until_t 40 all_up) || fail "not all up $((40 * S)) s after the start: $(status)"
log "all servers up after rise 2: ${t}s"
snap
assert_eq "" "$(elems web | grep "$RS4_3")" "sorry server out once a server is up"
grep -q "every server is down; using the sorry server $RS4_3:8080" "$HLOG" ||
	fail "the sorry server was not used while no server was up yet: $(cat "$HLOG")"
assert_eq '{"rs1": 8, "rs2": 4}' "$(conns 12)" "wrr 2:1 over the checked pool"

# --- Failures, one per check type, all at once.
t_tcp=$EPOCHREALTIME
lvs_kill_server rs2 8080 || fail "kill rs2's 8080 server"	# killed process
t_http=$EPOCHREALTIME
echo 503 >"$STATE/rs1.8000"						# wrong HTTP status
t_https=$EPOCHREALTIME
echo 500 >"$STATE/rs2.8443"						# wrong HTTPS status
t_udp=$EPOCHREALTIME
touch "$STATE/rs1.udp-silent"						# silent UDP
t_exec=$EPOCHREALTIME
rm "$STATE/up-$RS4_2"							# failing command
in_ns rs2 nft add table ip6 block ";" add chain ip6 block in "{ type filter hook input priority 0; }" ";" \
	add rule ip6 block in tcp dport 8006 reject with tcp reset || fail "block rs2's IPv6 server"
t_web6=$EPOCHREALTIME	# IPv6 connection refused from the end of the nft command (its commit)
changed "tcp: killed server out of the set" $TCP_B $t_tcp \
	"delete element ip lvs web { $RS4_2 . 8080 : $(mark 1) }"
# No connection reaches a server already marked down, and none fails.
assert_eq '{"rs1": 10}' "$(conns 10)" "traffic after rs2 is marked down"
changed "http 503: inhibit keeps it at weight 0" $HTTP_B $t_http \
	"add element ip lvs http { $RS4_1 . 80 : $(mark 0) }"
changed "https 500: out of the set" $HTTPS_B $t_https "delete element ip lvs https { $RS4_2 . 8443 }"
changed "udp silent: out of the map" $UDP_B $t_udp \
	"delete element ip lvs dns { $RS4_1 . 5353 : $(mark 2) }"
changed "exec exit 1: out of the set" $EXEC_B $t_exec "delete element ip lvs ex { $RS4_2 }"
changed "ipv6 http: out of the map" $WEB6_B $t_web6 \
	"delete element ip6 lvs6 web6 { $RS6_2 . 8006 : $(mark 1) }"
snap
status >"$CASE_TMP/status1"
grep -A1 "^  $RS4_1:5353 .*DOWN" "$CASE_TMP/status1" | grep -q "timeout ($UDP_T ms) waiting for the reply" ||
	fail "the udp reason: $(cat "$CASE_TMP/status1")"
grep -A1 "^  $RS4_1:80 .*DOWN" "$CASE_TMP/status1" | grep -q "2 failed checks (fall 2), last: http: status 503" ||
	fail "the http reason: $(cat "$CASE_TMP/status1")"
grep -q "pool web: server $RS4_2:8080 is DOWN: 2 failed checks (fall 2), last: connect: Connection refused" "$HLOG" ||
	fail "the tcp log line: $(cat "$HLOG")"
# The others are untouched.
has web "$RS4_1 . 8080 : $(mark 2)" && has http "$RS4_2 . 80 : $(mark 5)" &&
	has https "$RS4_1 . 8443" && has dns "$RS4_2 . 5353 : $(mark 2)" && has ex "$RS4_1" &&
	has web6 "$RS6_1 . 8006 : $(mark 3)" ||
	fail "a healthy server left its set: $(status)"

# --- Every server of a pool down: with a sorry server (web), it alone serves; without
# one (udp), the set is empty.
t_tcp=$EPOCHREALTIME
lvs_kill_server rs1 8080 || fail "kill rs1's 8080 server"
t_udp=$EPOCHREALTIME
touch "$STATE/rs2.udp-silent"
changed "web: sorry server in when all are down" $TCP_B $t_tcp \
	"add element ip lvs web { $RS4_3 . 8080 : $(mark 1) }"
snap
assert_eq "" "$(elems web | grep -v "$RS4_3")" "web holds only the sorry server"
assert_eq '{"rs3": 4}' "$(conns 4)" "traffic to the sorry server"
changed "udp: empty when all are down" $UDP_B $t_udp \
	"delete element ip lvs dns { $RS4_2 . 5353 : $(mark 2) }"
snap
assert_eq "" "$(elems dns)" "udp: the map is empty"

# --- Recovery: each comes back after rise 2 good checks, the sorry server leaves.
in_ns rs1 $LBTRAFFIC serve rs1 8080 >"$CASE_TMP/rs1-8080.log" 2>&1 &
in_ns rs2 $LBTRAFFIC serve rs2 8080 >"$CASE_TMP/rs2-8080.log" 2>&1 &
rm -f "$STATE/rs1.8000" "$STATE/rs2.8443" "$STATE/rs1.udp-silent" "$STATE/rs2.udp-silent"
touch "$STATE/up-$RS4_2"
in_ns rs2 nft delete table ip6 block || fail "unblock rs2's IPv6 server"
t=$(until_t 60 all_up) || fail "not all back $((60 * S)) s after the repairs: $(status)"
log "everything back: ${t}s"
assert_eq "" "$(elems web | grep "$RS4_3")" "the sorry server left"
assert_eq '{"rs1": 6, "rs2": 3}' "$(conns 9)" "wrr again"

# --- No flapping: a check that fails every other time never reaches rise 3 or fall 3.
flap_runs() { local runs=; { read -r runs <"$STATE/flap-count"; } 2>/dev/null; echo ${#runs}; }
flap_ran() { [ "$(flap_runs)" -ge 12 ]; }
until_t 20 flap_ran >/dev/null || fail "the flapping check ran $(flap_runs) times, not 12"
log "the flapping check ran $(flap_runs) times"
grep -q "pool flap: server .* is" "$HLOG" && fail "flapping: $(grep 'pool flap' "$HLOG")"
snap
has flap "$RS4_3 . 9 : $(mark 1)" || fail "the flapping server (configured up) left"

# --- SIGHUP: unchanged checks keep state and counters; a changed weight is applied.
checks_of() { status | awk -v s="$1" '$1 == s { for (i = 1; i < NF; i++) if ($(i + 1) == "checks,") print $i }'; }
before=$(checks_of "$RS4_2:8443")
t_http=$EPOCHREALTIME
echo 503 >"$STATE/rs2.8000"
changed "http rs2 down before the reload" $HTTP_B $t_http \
	"add element ip lvs http { $RS4_2 . 80 : $(mark 0) }"
WEB1_W=7
write_conf $WEB1_W
t_hup=$EPOCHREALTIME
kill -HUP $HPID
changed "the new weight after SIGHUP" $((4 * S)) $t_hup "add element ip lvs web { $RS4_1 . 8080 : $(mark 7) }"
after=$(checks_of "$RS4_2:8443")
snap
[ "$after" -ge "$before" ] || fail "SIGHUP reset the checks of an unchanged server ($before -> $after)"
has http "$RS4_2 . 80 : $(mark 0)" || fail "SIGHUP brought a down server back: $(status)"
grep -q "reloaded: 7 pools, 13 servers" "$HLOG" || fail "no reload line: $(cat "$HLOG")"
rm "$STATE/rs2.8000"

# A broken config on SIGHUP: refused with its position, the running one stays.
cp "$CONF" "$CONF.good"
echo "pool broken { set ip lvs web; server 10.1.0.9:80 weight x }" >>"$CONF"
kill -HUP $HPID
until_t 10 grep -q "reload refused, the running config stays: $CONF:[0-9]*:[0-9]*: weight: 'x'" "$HLOG" >/dev/null ||
	fail "bad config on SIGHUP: $(tail -3 "$HLOG")"
status | grep -q "^pool web: set ip lvs web, 2 of 2 up" || fail "status after a refused reload: $(status)"
cp "$CONF.good" "$CONF"

# --- Restart: nothing healthy leaves the set while the daemon is away or starting.
until_t 20 all_up >/dev/null || fail "not all up before the restart: $(status)"
t_stop=$EPOCHREALTIME
kill -TERM $HPID
wait $HPID
grep -q "stopping on signal 15; the sets stay as they are" "$HLOG" || fail "stop line"
all_up || fail "stopping the daemon changed the sets"
start_healthd
started_twice() { [ "$(grep -c "started: 7 pools" "$HLOG")" -ge 2 ]; }
until_t 20 started_twice >/dev/null || fail "restart: $(tail "$HLOG")"
# every server checked at least twice by the new daemon
checked_twice() {
	local out
	out=$(status) && [ -n "$out" ] || return 1
	printf '%s\n' "$out" | awk '/ checks, / { for (i = 1; i < NF; i++) if ($(i + 1) == "checks," && $i < 2) bad = 1 }
		      END { exit bad }'
}
until_t 20 checked_twice >/dev/null || fail "the restarted daemon does not check: $(status)"
all_up || fail "after the restart: $(status)"
deleted=$(awk -v t0="$t_stop" '$1 >= t0 && $2 == "delete"' "$MON")
[ -z "$deleted" ] || fail "the restart removed servers: $deleted"

# The checks come from the kernel's choice of address toward each server (lb's own).
grep -q "^8000 $LIP4_1 200" "$CASE_TMP/hc-rs1.log" || fail "http checks from $LIP4_1: $(tail -3 "$CASE_TMP/hc-rs1.log")"
# `source`: the https checks come from the address configured.
grep -q "^8443 $LIP4_2 200" "$CASE_TMP/hc-rs1.log" && ! grep -q "^8443 $LIP4_1 " "$CASE_TMP/hc-rs1.log" ||
	fail "https checks not from $LIP4_2: $(grep '^8443' "$CASE_TMP/hc-rs1.log" | sort | uniq -c)"
kill -TERM $HPID
wait $HPID
log "healthd: $(grep -c 'is DOWN' "$HLOG") downs, $(grep -c 'is UP' "$HLOG") ups logged"
topo_teardown
