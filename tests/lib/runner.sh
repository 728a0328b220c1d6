#!/bin/bash
# runner.sh RESULTS_DIR CASE_FILE...
#
# Guest-side test case runner (run it inside the VM, e.g. through tests/vm/run.sh). Each case
# is a bash script run in its own process under timeout(1): 300 s, or N from a line
# "# timeout: N" in the case. Exit 0 passes, 77 skips, anything else fails. A case also fails
# when the kernel logged a problem while it ran (tests/vm/check-kernel-log.sh on the new dmesg
# lines), whatever its exit status.
#
# Output: one line per case on stdout and in RESULTS_DIR/results.txt
#   PASS name (Ns) | FAIL name (Ns) | SKIP name (Ns): reason from the log's last line
# failures followed by their reason (the log's "FAIL: " lines) and the last 30 lines of the
# log, indented; then "N passed, N failed, N skipped". Per case:
# RESULTS_DIR/cases/NAME.log (stdout+stderr), NAME.dmesg (kernel messages logged meanwhile,
# if any). Exit 0 if nothing failed, else 1.
#
# Cases see: RESULTS_DIR, CASE_NAME, CASE_TMP (scratch dir, removed afterwards), TESTS_LIB
# (this directory: ". $TESTS_LIB/assert.sh", ". $TESTS_LIB/topology.sh").
# After every case, whatever it left is cleaned up so that cases are independent: processes
# in its process group and in any network namespace, all namespaces, the nft ruleset, IPVS
# services; then $RUNNER_CLEANUP (a shell command), if set. After the cleanup, $RUNNER_CHECK
# (a shell command), if set, looks for what a case must not leave behind (a leaked module
# reference, say): whatever it prints fails the case.
# On a kernel with kmemleak (the debug kernels of tests/debug-kernel/), the suspects known before
# a case are cleared, and after its cleanup (and $RUNNER_CHECK) two scans look for memory it
# leaked: any report fails the case (RESULTS_DIR/cases/NAME.kmemleak). RUNNER_KMEMLEAK=0 turns this off.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
CHECK=$HERE/../vm/check-kernel-log.sh
DEFAULT_TIMEOUT=300

[ $# -ge 1 ] || { echo "usage: $0 RESULTS_DIR CASE_FILE..." >&2; exit 2; }
# The cleanup deletes every network namespace and flushes the ruleset: never on a host.
if [ "${VM_GUEST:-0}" != 1 ] && [ "${RUNNER_ALLOW_HOST:-0}" != 1 ]; then
	echo "runner: refusing to run outside the test VM (its cleanup deletes all network" \
	     "namespaces and flushes nft); set RUNNER_ALLOW_HOST=1 to override" >&2
	exit 2
fi

RESULTS_DIR=$1
shift
if [ "$RESULTS_DIR" != --lane ]; then
	mkdir -p "$RESULTS_DIR/cases" || exit 2
	RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
fi
export RESULTS_DIR TESTS_LIB=$HERE

# Kernel log position: the timestamp of the last dmesg line (not a line count, which breaks
# once the ring buffer wraps). -1 when the log is empty.
kmsg_mark() {
	dmesg 2>/dev/null | sed -n '$s/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p' | grep . || echo -1
}

# kmsg_since MARK - the lines logged after MARK (continuation lines without a timestamp
# included).
kmsg_since() {
	dmesg 2>/dev/null | awk -v mark="$1" '
		!on && match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
			t = substr($0, 2, RLENGTH - 2) + 0
			if (t > mark + 0) on = 1
		}
		on'
}

KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_on() {
	[ "${RUNNER_KMEMLEAK:-1}" != 0 ] && [ -w $KMEMLEAK ]
}

# Forget every suspect so far: what the next scan reports was leaked after this point. A scan
# first, so that old unreferenced objects become suspects and are cleared with the rest.
kmemleak_reset() {
	echo scan > $KMEMLEAK 2>/dev/null
	echo clear > $KMEMLEAK 2>/dev/null
}

# Print the suspected leaks since kmemleak_reset. Kmemleak ignores objects younger than 5 s and
# can mistake an object for a leak while its only reference sits in a register or a per-CPU
# list on the way to an RCU callback: a first scan, a pause past that age, and a second scan
# whose report counts. A real leak stays unreferenced through both.
kmemleak_report() {
	echo scan > $KMEMLEAK 2>/dev/null
	sleep 6
	echo scan > $KMEMLEAK 2>/dev/null
	cat $KMEMLEAK 2>/dev/null
}

# A debug kernel (tests/debug-kernel/: KASAN, lockdep, kmemleak) runs the cases 4-5 times
# slower than Debian's: their limits stretch by RUNNER_TIMEOUT_SCALE (default 5 there, 1 else).
case "$(uname -r)" in
*-nftlvs-debug) TIMEOUT_SCALE=${RUNNER_TIMEOUT_SCALE:-5} ;;
*) TIMEOUT_SCALE=${RUNNER_TIMEOUT_SCALE:-1} ;;
esac
# ... and so do the cases' own waits on traffic (tests/lib/lbtraffic.py).
export LVS_TEST_TIME_SCALE=$TIMEOUT_SCALE

case_timeout() {
	local t
	t=$(sed -n 's/^#[[:space:]]*timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$1" | head -n1)
	echo $(( ${t:-$DEFAULT_TIMEOUT} * TIMEOUT_SCALE ))
}

cleanup() {
	local ns pids
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
	done
	ip -all netns delete 2>/dev/null
	nft flush ruleset 2>/dev/null
	if [ -e /proc/net/ip_vs ] && command -v ipvsadm >/dev/null; then
		ipvsadm -C 2>/dev/null
	fi
	if [ -n "${RUNNER_CLEANUP:-}" ]; then
		eval "$RUNNER_CLEANUP"
	fi
}

report() {
	printf '%s\n' "$1"
	printf '%s\n' "$1" >> "$RESULTS_DIR/results.txt"
}

# run_case CASE_FILE - run one case, clean up after it and judge it: the verdict line
# ("PASS name (Ns)", "FAIL ..." or "SKIP ...: reason") goes to RESULTS_DIR/cases/NAME.verdict.
run_case() {
	local case_file=$1 name log kmsg limit start pid rc elapsed reason problems leaks
	name=$(basename "$case_file")
	name=${name%.sh}
	log=$RESULTS_DIR/cases/$name.log
	kmsg=$RESULTS_DIR/cases/$name.dmesg
	rm -f "$kmsg" "$RESULTS_DIR/cases/$name.verdict"
	if [ ! -r "$case_file" ]; then
		echo "runner: cannot read $case_file" > "$log"
		echo "FAIL $name (0s)" > "$RESULTS_DIR/cases/$name.verdict"
		return
	fi
	limit=$(case_timeout "$case_file")
	rm -f "$RESULTS_DIR/cases/$name.kmemleak"
	# The previous case's report scanned twice already: clearing is enough (a third scan
	# would only cost time).
	! kmemleak_on || echo clear > $KMEMLEAK 2>/dev/null
	mark=$(kmsg_mark)
	CASE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/case-$name.XXXXXX")
	start=$(date +%s)

	# timeout(1) puts itself and the case in a new process group: kill it afterwards to
	# reap whatever the case left running in the background.
	# RUNNER_XTRACE=1 traces the case's commands into its log, each with a time and its line:
	# tests/tools/trace-times.py tells where a case spends its time.
	# (Bash takes no PS4 from the environment when run as root: set in a BASH_ENV file.)
	local bash_env=
	if [ "${RUNNER_XTRACE:-0}" != 0 ]; then
		bash_env=$CASE_TMP/.xtrace
		# shellcheck disable=SC2016
		echo 'PS4='\''+ ${EPOCHREALTIME} ${BASHPID} ${BASH_SOURCE##*/}:${LINENO} '\''; set -x' >"$bash_env"
	fi
	CASE_NAME=$name CASE_TMP=$CASE_TMP BASH_ENV=$bash_env \
		timeout -k 10 "$limit" bash "$case_file" > "$log" 2>&1 < /dev/null &
	pid=$!
	wait $pid
	rc=$?
	kill -KILL -- -$pid 2>/dev/null
	elapsed=$(( $(date +%s) - start ))
	# Before anything else is appended to the log.
	reason=$(tail -n1 "$log" | sed 's/^SKIP: //')
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "runner: timed out after $limit s" >> "$log"
	fi

	cleanup >> "$log" 2>&1
	rm -rf "$CASE_TMP"

	kmsg_since "$mark" > "$kmsg"
	[ -s "$kmsg" ] || rm -f "$kmsg"
	problems=
	if [ -f "$kmsg" ]; then
		problems=$("$CHECK" "$kmsg")
	fi

	if [ -n "$problems" ]; then
		printf 'runner: the kernel logged problems during this case:\n%s\n' \
			"$problems" >> "$log"
		rc=1
	fi
	if [ -n "${RUNNER_CHECK:-}" ]; then
		problems=$(eval "$RUNNER_CHECK" 2>&1)
		if [ -n "$problems" ]; then
			printf 'runner: left behind after this case:\n%s\n' \
				"$problems" >> "$log"
			rc=1
		fi
	fi
	if kmemleak_on; then
		leaks=$RESULTS_DIR/cases/$name.kmemleak
		kmemleak_report > "$leaks"
		if [ -s "$leaks" ]; then
			printf 'runner: kmemleak found %s unreferenced object(s) after this case (all in %s):\n' \
				"$(grep -c '^unreferenced object' "$leaks")" "$leaks" >> "$log"
			head -n 40 "$leaks" >> "$log"
			rc=1
		else
			rm -f "$leaks"
		fi
	fi
	case $rc in
	0) echo "PASS $name (${elapsed}s)" ;;
	77) echo "SKIP $name (${elapsed}s): ${reason:-no reason given}" ;;
	*) echo "FAIL $name (${elapsed}s)" ;;
	esac > "$RESULTS_DIR/cases/$name.verdict"
}

# Internal: "runner.sh --lane RESULTS_DIR CASE_FILE", one case run beside others, started
# by the loop below in new mount and network namespaces: its own /run/netns (its "ip netns"
# names, which the cleanup deletes, are its own), its own /tmp, and a network namespace of
# its own in place of the initial one (its ruleset, which the cleanup flushes). The tree
# and the results stay where they are when they live under /tmp (with what is mounted
# inside them: the guest itself mounts a clone under /tmp into its own /tmp).
lane_setup() {
	local keep=() p orig=/run/nftlvs-lane-tmp
	# The tree this runner belongs to (its cases, tools and builds) and the results.
	for p in "$(cd "$HERE/../.." && pwd)" "$RESULTS_DIR"; do
		case $p in /tmp/*) keep+=("$p") ;; esac
	done
	mount -t tmpfs -o mode=0755 lane /run/netns || return
	if [ ${#keep[@]} -gt 0 ]; then
		mkdir -p "$orig" && mount --rbind /tmp "$orig" || return
	fi
	mount -t tmpfs -o mode=1777 lane /tmp || return
	for p in "${keep[@]}"; do
		mkdir -p "$p" && mount --rbind "$orig/${p#/tmp/}" "$p" || return
	done
	ip link set lo up
}
if [ "$RESULTS_DIR" = --lane ]; then
	RESULTS_DIR=$1
	lane_setup || { echo "runner: cannot set up the lane's namespaces" >&2; exit 1; }
	# A leaked module reference can only be told apart when nothing runs beside: the
	# loop checks at those moments. Kmemleak likewise needs a case alone.
	RUNNER_CHECK= RUNNER_KMEMLEAK=0 run_case "$2"
	exit 0
fi

npass=0 nfail=0 nskip=0
report_case() {	# report_case NAME
	local verdict
	verdict=$(cat "$RESULTS_DIR/cases/$1.verdict" 2>/dev/null) ||
		verdict="FAIL $1 (0s)"
	report "$verdict"
	case $verdict in
	PASS*) npass=$((npass + 1)) ;;
	SKIP*) nskip=$((nskip + 1)) ;;
	*)
		# The reason first: a case may print a long account (a daemon's log) after it.
		grep -E '^(FAIL: |runner: )' "$RESULTS_DIR/cases/$1.log" | head -n 5 | sed 's/^/    /'
		tail -n 30 "$RESULTS_DIR/cases/$1.log" | sed 's/^/    /'
		nfail=$((nfail + 1))
		;;
	esac
}

if kmemleak_on; then
	# Boot leaves suspects of its own (firmware tables, early allocations): not ours.
	kmemleak_reset
fi
# A hung-task report names the task that waits; what every CPU was doing at that moment tells
# why it waits (a CPU that never passes through a quiescent state, a lock holder spinning).
sysctl -qw kernel.hung_task_all_cpu_backtrace=1 2>/dev/null || true

# RUNNER_JOBS=N (default 1) runs up to N cases at once, each in its lane (see --lane), except
# the cases marked "# exclusive: REASON" (module unloads, kernel-wide state, timing that
# needs the CPUs): they run alone, in the initial namespaces, before the others. The others
# start longest limit first, so that the long ones do not end the run alone.
jobs_max=${RUNNER_JOBS:-1}
if [ "$jobs_max" -le 1 ] || kmemleak_on; then
	for case_file in "$@"; do
		run_case "$case_file"
		name=$(basename "$case_file")
		report_case "${name%.sh}"
	done
else
	mkdir -p /run/netns
	alone=() beside=()
	for case_file in "$@"; do
		if grep -q '^#[[:space:]]*exclusive:' "$case_file" 2>/dev/null; then
			alone+=("$case_file")
		else
			beside+=("$(case_timeout "$case_file") $case_file")
		fi
	done
	for case_file in "${alone[@]}"; do
		run_case "$case_file"
		name=$(basename "$case_file")
		report_case "${name%.sh}"
	done
	declare -A lane_case=()
	since_check=() pending=
	# check_alone - with no case running: what the cases since the last check left behind
	# fails the last one to end (the message names the others that ran beside it).
	check_alone() {
		local problems
		[ -n "$pending" ] || return 0
		problems=
		[ -z "${RUNNER_CHECK:-}" ] || problems=$(eval "$RUNNER_CHECK" 2>&1)
		if [ -n "$problems" ]; then
			printf 'runner: left behind after this case or one run beside it (%s; RUNNER_JOBS=1, CASE_JOBS=1 for tests/run.sh, tells which):\n%s\n' \
				"${since_check[*]}" "$problems" >> "$RESULTS_DIR/cases/$pending.log"
			sed -i 's/^PASS /FAIL /; s/^SKIP \([^:]*\):.*/FAIL \1/' \
				"$RESULTS_DIR/cases/$pending.verdict"
		fi
		report_case "$pending"
		since_check=() pending=
	}
	# lane_done - wait for a lane to end. The case that ended last is reported only once the
	# next one ends or, with nothing running, after the check.
	# (Polled: "wait -n" passes over a job that ended before it was called.)
	lane_done() {
		local pid
		while :; do
			for pid in "${!lane_case[@]}"; do
				kill -0 "$pid" 2>/dev/null && continue
				wait "$pid"
				[ -z "$pending" ] || report_case "$pending"
				pending=${lane_case[$pid]}
				since_check+=("$pending")
				unset "lane_case[$pid]"
				[ ${#lane_case[@]} -gt 0 ] || check_alone
				return
			done
			sleep 0.2
		done
	}
	while read -r _ case_file; do
		[ -n "$case_file" ] || continue
		while [ ${#lane_case[@]} -ge "$jobs_max" ]; do lane_done; done
		name=$(basename "$case_file")
		unshare --mount --net --propagation private -- \
			bash "$0" --lane "$RESULTS_DIR" "$case_file" &
		lane_case[$!]=${name%.sh}
	done < <(printf '%s\n' "${beside[@]}" | sort -s -k1,1nr)
	while [ ${#lane_case[@]} -gt 0 ]; do lane_done; done
fi

summary="$npass passed, $nfail failed"
[ $nskip -eq 0 ] || summary="$summary, $nskip skipped"
report "$summary"
[ $nfail -eq 0 ]
