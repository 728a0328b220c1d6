# The benchmark phase "healthd": nftlvs-healthd at scale. Sourced by bench/guest.sh (in the
# emulated guest) and by bench/host-healthd.sh (natively on the host, whose kernel needs only
# nf_tables: no fullnat rule, no module). The caller defines rec, say, out, top and bin.
#
# Per variant, two namespaces joined by a veth: "VARIANT-hlb"
# runs the daemon on a pool of N servers in an nft map (no fullnat rule, no module needed),
# "VARIANT-hsrv" answers for all N addresses (10.9.0.0/16 routed locally: AnyIP) with one
# connsrv on port 8080 (it also answers an HTTP GET with 200 and "ok"). Checks every 1 s,
# timeout 1 s, rise 2, fall 3. The variants run one after the other; for each:
#   start-up    daemon start until all N servers are in the map,
#   cpu         the daemon's time on a CPU (/proc/PID/schedstat) over HD_SECS s, % of one core;
#               beside it the same for the receive path (both veth ends' NAPI threads) and
#               for the server (connsrv),
#   checks/s    the status counters' total over the same window,
#   failures    M servers rejected with a TCP reset at a known instant, then (after they
#               came back) M servers silently dropped: the time until each element left
#               the map (nft monitor, timestamped as each line arrives).
HD_VARIANTS=${HD_VARIANTS:-100:tcp 1000:tcp 1000:http}	# params.sh may set it
HD_SECS=20
HD_INTERVAL=1 HD_TIMEOUT=1 HD_RISE=2 HD_FALL=3
HEALTHD=$top/build/host/healthd/nftlvs-healthd

hd_addr() { echo "10.9.$(( $1 / 250 )).$(( $1 % 250 + 1 ))"; }	# hd_addr I (0-based)

hd_setup() {	# hd_setup NAME N CHECK
	local lb=$1-hlb srv=$1-hsrv i
	ip netns add "$lb"
	ip netns add "$srv"
	ip link add hd0 netns "$lb" type veth peer name hd0 netns "$srv"
	ip -n "$lb" link set lo up
	ip -n "$srv" link set lo up
	ip -n "$lb" addr add 10.8.0.1/24 dev hd0
	ip -n "$srv" addr add 10.8.0.2/24 dev hd0
	ip -n "$lb" link set hd0 up
	ip -n "$srv" link set hd0 up
	# Each end's receive work in its own NAPI kernel thread (veth has NAPI once GRO is on,
	# and takes it for TCP only from a sender without TSO; "threaded" polls it from a
	# kthread instead of the softirq of whichever task sent the packet). Otherwise the kernel charges the whole handshake, the server's half and its
	# new socket included, to the task that sent the SYN: the daemon. On a real network
	# the server's half runs on another machine and the receive path in softirq. Kernels
	# without it: hd_napi=0, recorded, and the daemon's figure includes that work.
	hd_napi=0
	if ip netns exec "$lb" ethtool -K hd0 gro on tso off 2>/dev/null &&
	   ip netns exec "$srv" ethtool -K hd0 gro on tso off 2>/dev/null &&
	   ip netns exec "$lb" sh -c 'echo 1 > /sys/class/net/hd0/threaded' 2>/dev/null &&
	   ip netns exec "$srv" sh -c 'echo 1 > /sys/class/net/hd0/threaded' 2>/dev/null; then
		hd_napi=1
	fi
	ip -n "$lb" route add 10.9.0.0/16 via 10.8.0.2
	ip -n "$srv" route add local 10.9.0.0/16 dev lo
	# Checks reuse ports fast: TIME_WAIT stays on the side that closes first (the server).
	ip netns exec "$srv" sysctl -qw net.ipv4.tcp_max_syn_backlog=4096 net.core.somaxconn=4096 || true
	(ip netns exec "$srv" "$bin/connsrv" 8080 3600 >/dev/null &)
	ip netns exec "$lb" nft -f - <<-EOF
		table ip lvs {
			map web { type ipv4_addr . inet_service : mark; }
		}
	EOF
	# The failures to come: a set per kind, empty until the instant of the failure.
	ip netns exec "$srv" nft -f - <<-EOF
		table ip fail {
			set fail_reset { type ipv4_addr; }
			set fail_drop { type ipv4_addr; }
			chain in {
				type filter hook input priority 0; policy accept;
				ip daddr @fail_reset tcp dport 8080 reject with tcp reset
				ip daddr @fail_drop tcp dport 8080 drop
			}
		}
	EOF
	{
		echo "status-socket /run/$1-healthd.sock"
		echo "pool web {"
		echo "	set ip lvs web"
		if [ "$3" = http ]; then
			echo "	check http { path /; expect \"ok\"; interval ${HD_INTERVAL}s; timeout ${HD_TIMEOUT}s; rise $HD_RISE; fall $HD_FALL }"
		else
			echo "	check tcp { interval ${HD_INTERVAL}s; timeout ${HD_TIMEOUT}s; rise $HD_RISE; fall $HD_FALL }"
		fi
		awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
			printf "\tserver 10.9.%d.%d:8080\n", int(i / 250), i % 250 + 1 }'
		echo "}"
	} > "/tmp/$1-healthd.conf"
	"$HEALTHD" -t -f "/tmp/$1-healthd.conf"
	for _ in $(seq 1 50); do
		ip netns exec "$srv" ss -ltnH "sport = :8080" | grep -q . && break
		sleep 0.1
	done
}

hd_status() { ip netns exec "$1-hlb" "$HEALTHD" status -s "/run/$1-healthd.sock"; }
hd_checks() { hd_status "$1" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "checks,") n += $i } END { print n + 0 }'; }
# hd_cpu_ns PID...: their time on a CPU in nanoseconds, from the scheduler's own clock
# (/proc/PID/schedstat). utime + stime in /proc/PID/stat are sampled at clock ticks, and a
# task that wakes for a few microseconds a thousand times a second is sampled badly.
hd_cpu_ns() {
	local p
	for p in "$@"; do cat "/proc/$p/schedstat" 2>/dev/null; done | awk '{ n += $1 } END { printf "%.0f\n", n }'
}
# The NAPI threads of the variant's two veth ends (named after the device).
hd_napi_pids() { ps -eo pid=,comm= | awk '$2 ~ /^napi\/hd0-/ { print $1 }'; }
hd_in_map() {	# hd_in_map NAME: elements in the map
	ip netns exec "$1-hlb" nft list map ip lvs web | { grep -o ' : 0x' || true; } | wc -l
}
now_s() { echo "$EPOCHREALTIME"; }
# hd_deleted MONITOR_FILE "ADDR, ADDR..." [T0]: for each of the addresses, the time (after
# T0) of the first monitor line that deleted it, one a line.
hd_deleted() {
	awk -v t0="${3:-0}" -v want="$(echo "$2" | tr -d ' ')" '
		BEGIN { n = split(want, a, ","); for (i = 1; i <= n; i++) w[a[i]] = 1 }
		$2 == "delete" && $1 >= t0 {
			for (i = 3; i <= NF; i++) {
				x = $i; gsub(/[{},]/, "", x)
				if (x in w && !(x in seen)) { seen[x] = 1; printf "%.3f\n", $1 - t0 }
			}
		}' "$1"
}
calc() { awk "BEGIN { printf \"%.${1}f\", $2 }"; }	# calc DECIMALS EXPR

# hd_fail NAME KIND M N: M of the N servers fail (KIND reset or drop); records when each
# element leaves the map, counted from the end of the nft command that made them fail
# (its commit is the instant of the failure), then lets them come back.
hd_fail() {
	local name=$1 kind=$2 m=$3 n=$4 addrs="" i t t0 mon left lat mpid rpid re end
	# Every (N/M)th server: their checks' phases spread over the interval.
	for i in $(seq $((n / m - 1)) $((n / m)) $((n - 1))); do
		addrs="$addrs${addrs:+, }$(hd_addr "$i")"
	done
	mon=/tmp/$name-mon-$kind
	# Every line stamped as it arrives; one line can carry several elements.
	rm -f "$mon.fifo"
	mkfifo "$mon.fifo"
	ip netns exec "$name-hlb" nft monitor elements > "$mon.fifo" &
	mpid=$!
	while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done < "$mon.fifo" > "$mon" &
	rpid=$!
	sleep 1
	t=$(now_s)
	ip netns exec "$name-hsrv" nft add element ip fail "fail_$kind" "{ $addrs }"
	t0=$(now_s)
	rec healthd "$name" "$kind.nft_cmd_s" "$(calc 3 "$t0 - $t")"
	# Waits on the monitor's lines (no nft process polling meanwhile), 30 s at most; then
	# counts the failed servers still in the map.
	end=$((EPOCHSECONDS + 30))
	while [ "$EPOCHSECONDS" -lt "$end" ]; do
		sleep 0.2
		[ "$(hd_deleted "$mon" "$addrs" "$t0" | wc -l)" -lt "$m" ] || break
	done
	re="(^|[ ,{])($(echo "$addrs" | sed 's/, /|/g; s/\./\\./g')) \. 8080"
	left=$(ip netns exec "$name-hlb" nft list map ip lvs web | grep -cE "$re" || true)
	kill "$mpid" 2>/dev/null || true
	wait "$mpid" "$rpid" 2>/dev/null || true
	rm -f "$mon.fifo"
	# Latency of each failed server: its first "delete element" line after t0.
	lat=$(hd_deleted "$mon" "$addrs" "$t0" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "0 0 0 0"; else print NR, v[1], v[int((NR + 1) / 2)], v[NR] }')
	set -- $lat
	say "healthd $name $kind: $m servers failed at once; $1 deletions seen," \
	    "first $2 s, median $3 s, last $4 s after the failure; still in the map: $left"
	rec healthd "$name" "$kind.failed" "$m"
	rec healthd "$name" "$kind.seen" "$1"
	rec healthd "$name" "$kind.first_s" "$2"
	rec healthd "$name" "$kind.median_s" "$3"
	rec healthd "$name" "$kind.last_s" "$4"
	rec healthd "$name" "$kind.left" "$left"
	cp "$mon" "$out/healthd-$name-monitor-$kind.txt"
	# Back: the servers answer again and must pass rise checks.
	ip netns exec "$name-hsrv" nft flush set ip fail "fail_$kind"
	end=$((EPOCHSECONDS + 30))
	while [ "$EPOCHSECONDS" -lt "$end" ]; do
		[ "$(hd_in_map "$name")" = "$n" ] && break
		sleep 0.2
	done
	rec healthd "$name" "$kind.back_s" "$(calc 1 "$EPOCHREALTIME - $t0")"
}

# The CPU time that fixed work costs here (bench/run.sh times the same on the host):
# a user-space loop, and small system calls. The ratio to the host is how much more CPU
# time the emulated guest counts for the same work (emulation and the host's load).
hd_calib() {	# hd_calib NAME LABEL
	local u
	TIMEFORMAT='%U %S'
	u=$( { time awk 'BEGIN { for (i = 0; i < 2000000; i++) s += i % 7 }' >/dev/null; } 2>&1 |
		awk '{ print $1 + $2 }')
	rec healthd "$1" "calib_loop_s.$2" "$u"
	u=$( { time dd if=/dev/zero of=/dev/null bs=64 count=50000 2>/dev/null; } 2>&1 |
		awk '{ print $1 + $2 }')
	rec healthd "$1" "calib_syscall_s.$2" "$u"
}

hd_variant() {	# hd_variant N CHECK
	local n=$1 check=$2 name pid t0 t up c0 c1 k0 k1 w0 w1 m end napi srvp r0 r1 s0 s1
	name=h$n$check
	hd_setup "$name" "$n" "$check"
	t0=$(now_s)
	# Its log goes to the guest's tmpfs: a write through 9p to the results directory
	# takes milliseconds here, and the daemon writes a line per state change.
	ip netns exec "$name-hlb" "$HEALTHD" -f "/tmp/$name-healthd.conf" \
		2> "/tmp/$name-healthd.log" &
	pid=$!
	# Polled in the map (nft's own process): the status report of 1000 servers is
	# served inside the daemon's loop and would weigh on what is measured.
	up=0
	end=$((EPOCHSECONDS + 180))
	while [ "$EPOCHSECONDS" -lt "$end" ]; do
		sleep 0.2
		up=$(hd_in_map "$name")
		[ "$up" != "$n" ] || break
	done
	t=$(now_s)
	say "healthd $name: $up of $n up $(calc 2 "$t - $t0") s after the start (rise $HD_RISE," \
	    "interval ${HD_INTERVAL}s); in the map: $(hd_in_map "$name")"
	rec healthd "$name" servers "$n"
	rec healthd "$name" check "$check"
	rec healthd "$name" startup_s "$(calc 2 "$t - $t0")"
	rec healthd "$name" up_at_start "$up"
	# Not all up (a daemon that cannot keep up): measured all the same, the record says so.
	sleep 3
	hd_calib "$name" before
	rec healthd "$name" load_before "$(cut -d' ' -f1 /proc/loadavg)"
	napi=$(hd_napi_pids)
	srvp=$(ip netns pids "$name-hsrv")
	rec healthd "$name" napi_threaded "$hd_napi"
	c0=$(hd_checks "$name")
	k0=$(hd_cpu_ns "$pid")
	# shellcheck disable=SC2086
	r0=$(hd_cpu_ns $napi)
	# shellcheck disable=SC2086
	s0=$(hd_cpu_ns $srvp)
	w0=$(now_s)
	sleep "$HD_SECS"
	k1=$(hd_cpu_ns "$pid")
	# shellcheck disable=SC2086
	r1=$(hd_cpu_ns $napi)
	# shellcheck disable=SC2086
	s1=$(hd_cpu_ns $srvp)
	w1=$(now_s)
	c1=$(hd_checks "$name")
	rec healthd "$name" window_s "$(calc 2 "$w1 - $w0")"
	rec healthd "$name" cpu_pct "$(calc 3 "($k1 - $k0) / 1e7 / ($w1 - $w0)")"
	rec healthd "$name" napi_cpu_pct "$(calc 3 "($r1 - $r0) / 1e7 / ($w1 - $w0)")"
	rec healthd "$name" server_cpu_pct "$(calc 3 "($s1 - $s0) / 1e7 / ($w1 - $w0)")"
	rec healthd "$name" checks_per_s "$(calc 1 "($c1 - $c0) / ($w1 - $w0)")"
	rec healthd "$name" load_after "$(cut -d' ' -f1 /proc/loadavg)"
	hd_calib "$name" after
	say "healthd $name: cpu $(( (k1 - k0) / 1000000 )) ms in $(calc 2 "$w1 - $w0") s" \
	    "(receive path $(( (r1 - r0) / 1000000 )) ms, server $(( (s1 - s0) / 1000000 )) ms;" \
	    "napi threaded: $hd_napi)," \
	    "$((c1 - c0)) checks; load $(cut -d' ' -f1-3 /proc/loadavg)"
	m=$((n / 10))
	hd_fail "$name" reset "$m" "$n"
	hd_fail "$name" drop "$m" "$n"
	rec healthd "$name" cpu_total_s "$(calc 2 "$(hd_cpu_ns "$pid") / 1e9")"
	hd_status "$name" > "$out/healthd-$name-status.txt"
	kill "$pid"
	wait "$pid" || true
	cp "/tmp/$name-healthd.log" "$out/healthd-$name.log"
	ip netns pids "$name-hsrv" | xargs -r kill
	ip netns del "$name-hlb"
	ip netns del "$name-hsrv"
}

phase_healthd() {
	local v
	rec healthd params interval_s "$HD_INTERVAL"
	rec healthd params timeout_s "$HD_TIMEOUT"
	rec healthd params rise "$HD_RISE"
	rec healthd params fall "$HD_FALL"
	for v in $HD_VARIANTS; do
		hd_variant "${v%%:*}" "${v#*:}"
	done
}
