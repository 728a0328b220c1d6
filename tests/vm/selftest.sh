#!/bin/bash
# selftest.sh [KVER...]
#
# Smoke test of the VM harness itself, on the host: check-kernel-log.sh on sample logs, then
# for every kernel from kernels.sh (or the ones given) boot the VM and check that output,
# argument quoting and exit statuses come back, that the namespace topology works, that
# runner.sh reports and cleans up, and that a kernel problem in the log fails the run.
# Prints the boot time per kernel (start of run.sh to its end, for a trivial command).
#
# The guest-side parts are this same script, run inside the VM with --guest-topology or
# --guest-kernel-problem.
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LIB=$REPO/tests/lib

# ---------------------------------------------------------------------------- guest side

# ping1 NS ADDR [WAIT_S] - one echo request; iputils' ping may be absent, busybox's is not.
ping1() {
	in_ns "$1" busybox ping -c 1 -W "${3:-3}" "$2" > /dev/null 2>&1
}

guest_topology() {
	# shellcheck source=SCRIPTDIR/../lib/assert.sh
	. "$LIB/assert.sh"
	# shellcheck source=SCRIPTDIR/../lib/topology.sh
	. "$LIB/topology.sh"

	log "topology"
	topo_setup || fail "topo_setup"
	ping1 client "$VIP4" || fail "client -> VIP4"
	ping1 client "$LB_C4" || fail "client -> lb"
	ping1 client "$VIP6" || fail "client -> VIP6"
	ping1 rs1 "$LIP4_1" || fail "rs1 -> LIP4_1"
	ping1 rs2 "$LIP4_2" || fail "rs2 -> LIP4_2"
	ping1 rs3 "$LIP6_1" || fail "rs3 -> LIP6_1"
	ping1 rs1 "$CLIENT4" || fail "rs1 -> client (forwarded by lb)"
	ping1 rs1 "$CLIENT6" || fail "rs1 -> client6 (forwarded by lb)"
	# ... and only through lb: its route says so, and without forwarding it stops.
	in_ns rs1 ip route get "$CLIENT4" | grep -q "via $LIP4_1" || fail "rs1 route to client not via lb"
	in_ns lb sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward'
	! ping1 rs1 "$CLIENT4" 1 || fail "rs1 reached the client with forwarding off on lb"
	in_ns lb sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	ping1 rs1 "$CLIENT4" || fail "rs1 -> client after re-enabling forwarding"

	topo_add_client_addrs || fail "topo_add_client_addrs"
	in_ns client busybox ping -c 1 -W 3 -I 10.0.0.9 "$VIP4" > /dev/null || fail "client 10.0.0.9 -> VIP4"
	topo_offloads off || fail "topo_offloads off"
	in_ns client ethtool -k "$CLIENT_IF" | grep -q '^tcp-segmentation-offload: off' ||
		fail "TSO still on after topo_offloads off"
	topo_offloads on || fail "topo_offloads on"
	ping1 client "$VIP4" || fail "client -> VIP4 after offload changes"

	topo_teardown
	topo_teardown
	assert_eq "" "$(ip netns list)" "namespaces left after topo_teardown"

	TOPO_PREFIX=x- bash -c '. "$1/topology.sh"; topo_setup && in_ns rs2 ip -br addr show eth0 &&
		ip netns list | grep -q "^x-rs2" && topo_teardown' _ "$LIB" > /dev/null ||
		fail "TOPO_PREFIX=x-"

	log "runner"
	local cases=$VM_RESULTS/cases-src out=$VM_RESULTS/runner rc=0
	mkdir -p "$cases"
	cat > "$cases/pass.sh" <<-'EOF'
		. "$TESTS_LIB/assert.sh"
		assert_eq 1 1 "one"
		assert_ok true
		assert_fails_with ENOENT ls /nonexistent
		# Leftovers the runner must clean up.
		ip netns add leftover
		nft add table inet leftover
		sleep 1000 &
		echo done
	EOF
	cat > "$cases/clean.sh" <<-'EOF'
		. "$TESTS_LIB/assert.sh"
		assert_eq "" "$(ip netns list)" "namespaces of the previous case"
		assert_eq "" "$(nft list ruleset)" "ruleset of the previous case"
		! pgrep -x -f 'sleep 1000' > /dev/null || fail "process of the previous case"
	EOF
	cat > "$cases/fail.sh" <<-'EOF'
		. "$TESTS_LIB/assert.sh"
		echo some output
		assert_eq 1 2 "deliberate"
	EOF
	cat > "$cases/skip.sh" <<-'EOF'
		. "$TESTS_LIB/assert.sh"
		skip "no frobnicator here"
	EOF
	cat > "$cases/slow.sh" <<-'EOF'
		# timeout: 2
		sleep 60
	EOF
	"$LIB/runner.sh" "$out" "$cases"/{pass,clean,fail,skip,slow}.sh > "$out.stdout" 2>&1 || rc=$?
	cat "$out.stdout"
	assert_eq 1 "$rc" "runner exit status with failures"
	grep -q '^PASS pass (' "$out/results.txt" || fail "pass not PASS"
	grep -q '^PASS clean (' "$out/results.txt" || fail "clean not PASS"
	grep -q '^FAIL fail (' "$out/results.txt" || fail "fail not FAIL"
	grep -q '^SKIP skip (.*): no frobnicator here$' "$out/results.txt" || fail "skip not SKIP"
	grep -q '^FAIL slow (' "$out/results.txt" || fail "slow not FAIL"
	grep -q "expected '1', got '2'" "$out.stdout" || fail "failure log not shown"
	grep -q 'timed out after 2 s' "$out/cases/slow.log" || fail "timeout not logged"
	assert_eq "2 passed, 2 failed, 1 skipped" "$(tail -n1 "$out/results.txt")" "summary"
	grep -qx 'done' "$out/cases/pass.log" || fail "case output not in its log"

	log "runner, two cases at once"
	local lanes=$VM_RESULTS/lanes-src side other
	out=$VM_RESULTS/lanes rc=0
	mkdir -p "$lanes"
	cat > "$lanes/alone.sh" <<-'EOF'
		# exclusive: runs before the others, in the initial namespaces
		. "$TESTS_LIB/assert.sh"
		[ ! -e "$VM_RESULTS/lane-a" ] && [ ! -e "$VM_RESULTS/lane-b" ] || fail "not alone"
		assert_eq "$(readlink /proc/1/ns/net)" "$(readlink /proc/self/ns/net)" "initial netns"
	EOF
	for side in a b; do
		other=a
		[ "$side" = b ] || other=b
		cat > "$lanes/$side.sh" <<-EOF
			. "\$TESTS_LIB/assert.sh"
			ip netns add same || fail "netns add"
			echo $side > /tmp/mine
			nft add table inet mine$side
			touch "\$VM_RESULTS/lane-$side"
			for _ in \$(seq 1 100); do [ -e "\$VM_RESULTS/lane-$other" ] && break; sleep 0.1; done
			[ -e "\$VM_RESULTS/lane-$other" ] || fail "not beside the other"
			assert_eq same "\$(ip netns list | cut -d' ' -f1)" "namespaces of $side"
			assert_eq $side "\$(cat /tmp/mine)" "/tmp of $side"
			assert_eq "table inet mine$side" "\$(nft list tables)" "ruleset of $side"
		EOF
	done
	# b leaves something behind that only a check with nothing running sees, and ends last.
	echo 'touch /run/selftest-leak; sleep 2' >> "$lanes/b.sh"
	RUNNER_JOBS=2 RUNNER_CHECK='[ ! -e /run/selftest-leak ] || { echo leak; rm -f /run/selftest-leak; }' \
		"$LIB/runner.sh" "$out" "$lanes"/{a,b,alone}.sh > "$out.stdout" 2>&1 || rc=$?
	cat "$out.stdout"
	assert_eq 1 "$rc" "runner exit status with a leak"
	assert_eq "PASS alone" "$(head -n1 "$out/results.txt" | cut -d' ' -f1,2)" "the exclusive case first"
	grep -q '^PASS a (' "$out/results.txt" || fail "a not PASS"
	grep -q '^FAIL b (' "$out/results.txt" || fail "b not FAIL"
	grep -q 'left behind after this case or one run beside it (a b;' "$out/cases/b.log" ||
		fail "the leak is not reported with the cases that ran"
	assert_eq "" "$(ip netns list)" "namespaces left by the lanes"
	assert_eq "2 passed, 1 failed" "$(tail -n1 "$out/results.txt")" "summary of the lanes"
	log "guest checks passed"
}

guest_kernel_problem() {
	# shellcheck source=SCRIPTDIR/../lib/assert.sh
	. "$LIB/assert.sh"
	local cases=$VM_RESULTS/cases-src out=$VM_RESULTS/runner rc=0
	mkdir -p "$cases"
	# A user-space line in the kernel log is enough to exercise the detection end to end.
	cat > "$cases/kwarn.sh" <<-'EOF'
		echo "selftest: WARNING: deliberate fake kernel warning" > /dev/kmsg
	EOF
	cat > "$cases/after.sh" <<-'EOF'
		true
	EOF
	"$LIB/runner.sh" "$out" "$cases/kwarn.sh" "$cases/after.sh" || rc=$?
	assert_eq 1 "$rc" "runner exit status"
	grep -q '^FAIL kwarn' "$out/results.txt" || fail "kwarn not FAIL"
	grep -q '^PASS after' "$out/results.txt" || fail "the case after kwarn not PASS"
	grep -q 'deliberate fake' "$out/cases/kwarn.log" || fail "kernel lines not in the case log"
	log "guest checks passed"
}

case ${1:-} in
--guest-topology) guest_topology; exit ;;
--guest-kernel-problem) guest_kernel_problem; exit ;;
esac

# ----------------------------------------------------------------------------- host side

OUT=$REPO/build/vm/selftest
rm -rf "$OUT"
mkdir -p "$OUT"
failures=0

ok() { echo "ok   $*"; }
notok() { echo "FAIL $*"; failures=$((failures + 1)); }

# expect NAME EXPECTED_RC ACTUAL_RC
expect_rc() {
	if [ "$3" -eq "$2" ]; then ok "$1 (exit $3)"; else notok "$1: exit $3, expected $2"; fi
}

# vm NAME RUN_ARGS... - run.sh with stdout/stderr in $OUT/NAME.{out,err}; sets RC and SECS.
vm() {
	local name=$1 t0
	shift
	t0=$(date +%s.%N)
	RC=0
	"$HERE/run.sh" -o "$OUT/$name" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || RC=$?
	SECS=$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)")
}

echo "== check-kernel-log.sh"
S=$OUT/samples
mkdir -p "$S"
cat > "$S/clean.log" <<'EOF'
[    0.000000] Linux version 6.1.0 (debian-kernel@lists.debian.org)
[    0.726359] PCI: Using host bridge windows from ACPI; if necessary, use "pci=nocrs" and report a bug
[    1.082565] AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.
[    1.913409] 9pnet: Installing 9P2000 support
[    2.000000] some driver: oops, retrying (lower case is chatter)
EOF
check_sample() { # NAME EXPECTED_RC FILE...
	local name=$1 exp=$2 rc=0
	shift 2
	"$HERE/check-kernel-log.sh" "$@" > "$S/$name.hits" 2>&1 || rc=$?
	expect_rc "check-kernel-log $name" "$exp" "$rc"
}
check_sample clean 0 "$S/clean.log"
while IFS= read -r line; do
	n=$((${n:-0} + 1))
	{ cat "$S/clean.log"; printf '%s\r\n' "$line"; } > "$S/bad$n.log"
	check_sample "bad$n" 1 "$S/bad$n.log"
	if [ "$(cat "$S/bad$n.hits")" != "$line" ]; then
		notok "check-kernel-log bad$n printed '$(cat "$S/bad$n.hits")', expected '$line'"
	fi
done <<'EOF'
[   12.000001] BUG: kernel NULL pointer dereference, address: 0000000000000008
[   12.000002] ------------[ cut here ]------------ WARNING: CPU: 1 PID: 42 at net/netfilter/x.c:10 f+0x1/0x2
[   12.000003] Oops: 0000 [#1] PREEMPT SMP NOPTI
[   12.000004] general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP
[   12.000005] BUG: KASAN: slab-use-after-free in nft_lvs_eval+0x10/0x20
[   12.000006] refcount_t: underflow; use-after-free.
[   12.000007] list_del corruption, ffff888004a1c0c8->next is LIST_POISON1 (dead000000000100)
[   12.000008] watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [swapper/0:1]
[   12.000009] rcu: INFO: rcu_sched self-detected stall on CPU
[   12.000010] INFO: RCU stall detected
[   12.000011] Call Trace:
[   12.000012] kernel BUG at net/netfilter/nf_tables_api.c:1234!
EOF
check_sample multi 1 "$S/clean.log" "$S/bad1.log" "$S/bad3.log"
[ "$(wc -l < "$S/multi.hits")" -eq 2 ] || notok "check-kernel-log multi: $(wc -l < "$S/multi.hits") lines, expected 2"
rc=0; "$HERE/check-kernel-log.sh" < "$S/bad2.log" > /dev/null || rc=$?
expect_rc "check-kernel-log stdin" 1 $rc
rc=0; CHECK_KERNEL_LOG_IGNORE='x\.c:10' "$HERE/check-kernel-log.sh" "$S/bad2.log" || rc=$?
expect_rc "check-kernel-log CHECK_KERNEL_LOG_IGNORE" 0 $rc
rc=0; "$HERE/check-kernel-log.sh" "$S/missing.log" 2> /dev/null || rc=$?
expect_rc "check-kernel-log missing file" 2 $rc

KERNELS=("$@")
[ ${#KERNELS[@]} -gt 0 ] || mapfile -t KERNELS < <("$HERE/kernels.sh")
[ ${#KERNELS[@]} -gt 0 ] || { notok "kernels.sh found no kernel"; exit 1; }
BOOT_TIMES=()
for k in "${KERNELS[@]}"; do
	echo "== $k"
	# (a) output and arguments arrive intact, quietly, with exit status 0.
	# shellcheck disable=SC2016 # literal $HOME on purpose
	vm "$k-echo" -k "$k" -- printf '[%s]\n' "$k" 'a b' '$HOME' "it's" '*' $'new\nline' '' '-x'
	expect_rc "$k: echo" 0 "$RC"
	# shellcheck disable=SC2016
	expected=$(printf '[%s]\n' "$k" 'a b' '$HOME' "it's" '*' $'new\nline' '' '-x')
	if [ "$(cat "$OUT/$k-echo.out")" = "$expected" ]; then
		ok "$k: output and quoting"
	else
		notok "$k: output was:"; sed 's/^/    /' "$OUT/$k-echo.out"
	fi
	[ ! -s "$OUT/$k-echo.err" ] || { notok "$k: run.sh wrote to stderr:"; sed 's/^/    /' "$OUT/$k-echo.err"; }
	BOOT_TIMES+=("$k: $SECS s")
	echo "     boot + run + power-off: $SECS s"

	# (b) a failing command's status comes back.
	vm "$k-exit3" -k "$k" -- sh -c 'exit 3'
	expect_rc "$k: exit 3" 3 "$RC"
	grep -q 'kernel problem' "$OUT/$k-exit3.err" && notok "$k: exit 3 reported as a kernel problem"

	# (c) topology and runner, inside the guest.
	vm "$k-topology" -k "$k" -t 600 -- tests/vm/selftest.sh --guest-topology
	expect_rc "$k: topology and runner" 0 "$RC"
	[ "$RC" -eq 0 ] || sed 's/^/    /' "$OUT/$k-topology.out" "$OUT/$k-topology.err"
	echo "     ($SECS s)"

	# (d) a kernel problem fails the run even though the command succeeded.
	vm "$k-kwarn" -k "$k" -- tests/vm/selftest.sh --guest-kernel-problem
	expect_rc "$k: kernel problem" 3 "$RC"
	if grep -q '^vm: kernel problem: .*WARNING: deliberate fake' "$OUT/$k-kwarn.err"; then
		ok "$k: kernel problem reported"
	else
		notok "$k: kernel problem not reported:"; sed 's/^/    /' "$OUT/$k-kwarn.out" "$OUT/$k-kwarn.err"
	fi
done

# (e) the time limit (once, on the newest kernel).
k=${KERNELS[${#KERNELS[@]} - 1]}
vm timeout -k "$k" -t 4 -- sleep 60
expect_rc "$k: timeout" 124 "$RC"
grep -q '^vm: timed out after 4 s' "$OUT/timeout.err" || notok "timeout message missing"

# (f) a guest kernel crash is reported as such (once).
vm crash -k "$k" -- sh -c 'echo crashing; echo c > /proc/sysrq-trigger'
expect_rc "$k: kernel crash" 125 "$RC"
grep -q '^vm: the guest never reported an exit status' "$OUT/crash.err" || notok "crash message missing"
grep -q '^vm: kernel problem: Kernel panic' "$OUT/crash.err" || notok "crash: panic not reported"
grep -qx crashing "$OUT/crash.out" || notok "crash: output before the crash lost"

echo "== boot times (trivial command, start to power-off)"
printf '     %s\n' "${BOOT_TIMES[@]}"
if [ $failures -eq 0 ]; then
	echo "selftest: all passed"
else
	echo "selftest: $failures failed (details under $OUT)"
	exit 1
fi
