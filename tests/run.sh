#!/bin/bash
# The whole test suite, from a fresh Debian 12 machine:
#   1. installs the Debian packages it needs (tests/setup-deps.sh),
#   2. builds and runs the userspace unit tests on the host,
#   3. for every test kernel (bookworm's 6.1 and bookworm-backports' 6.12)
#      builds nft_lvs.ko and runs tests/cases/*.sh inside a QEMU guest.
# The last line reads "N passed, N failed, N skipped".
#
#   tests/run.sh [CASE...]     CASE: names of tests/cases/*.sh to run (default all)
#   KERNELS="KVER..."          restricts the kernels (tests/vm/kernels.sh lists them)
#   SKIP_UNIT=1                skips the userspace unit tests
#   RESULTS_ROOT=DIR           where each kernel's results go (default build/results): two
#                              runs from one tree at once need their own
#   CASE_JOBS=N                cases run at once in a guest (default 2; the cases marked
#                              "# exclusive:" always run alone)
#   LVS_TEST_FASTPATH=1        every case's lb gets the ingress fast path (the netdev
#                              flowtable) on its devices as the topology is made
#   LVS_TEST_ACCT=1            each guest's processes are accounted into RESULTS/acct;
#                              tests/tools/acct-report.py says where the CPU time went
#
#   tests/run.sh --debug-kernel [CASE...]
#                              the same cases on debug kernels (KASAN, UBSAN, lockdep,
#                              kmemleak, ...) built from Debian's linux-source-SERIES by
#                              tests/debug-kernel/build.sh and cached outside the clone;
#                              DEBUG_KERNELS="SERIES..." picks them (default "6.1 6.12");
#                              DEBUG_GUESTS=N deals each kernel's cases out to N guests
#                              (default: one per core)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
debug=
if [ "${1:-}" = --debug-kernel ]; then
	debug=1
	shift
fi
passed=0 failed=0 skipped=0
failures=()

record() {	# record PASS|FAIL|SKIP NAME
	case $1 in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failures+=("$2") ;;
	esac
}

summary() {
	if [ ${#failures[@]} -gt 0 ]; then
		echo "failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit $?
}

# Before anything long: can a VM run from where this clone is?
if ! tests/vm/run.sh -n; then
	record FAIL vm-path
	summary
fi
if ! tests/setup-deps.sh; then
	record FAIL setup-deps
	summary
fi

# Userspace: library, tools and unit tests (sanitized), built out of tree.
build_userspace() {
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		autoreconf -fi >build/autoreconf.log 2>&1 || { cat build/autoreconf.log; return 1; }
	fi
	mkdir -p build/host
	(cd build/host &&
	 { [ -f Makefile ] || ../../configure --quiet --disable-kmod; } &&
	 make -s -j"$(nproc)")
}
mkdir -p build
echo "== building userspace"
if ! build_userspace; then
	record FAIL build-userspace
	summary
fi

if [ -z "${SKIP_UNIT:-}" ]; then
	echo "== unit tests (host)"
	make -s -C build/host check >build/unit.log 2>&1
	while read -r verdict name; do
		case $verdict in
		PASS:) record PASS "$name" ;;
		SKIP:) record SKIP "$name" ;;
		FAIL: | ERROR: | XPASS:) record FAIL "$name" ;;
		*) continue ;;
		esac
		echo "${verdict%:} $name"
	done < <(grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS|XFAIL):' build/unit.log)
	if ! grep -qE '^(PASS|FAIL|ERROR):' build/unit.log; then
		cat build/unit.log
		record FAIL "unit (no test ran)"
	fi
	grep -qE '^(FAIL|ERROR):' build/unit.log && find build/host -name '*.log' -path '*tests*' \
		-newer build/unit.log -exec tail -n 40 {} + 2>/dev/null

	# Coverage-guided fuzzing of the portable core, a fixed time per target.
	echo "== fuzzing the core (host, ${FUZZ_SECONDS:-10} s per target)"
	while read -r verdict name rest; do
		case $verdict in
		PASS | FAIL) record "$verdict" "$name"; echo "$verdict $name $rest" ;;
		*) echo "$verdict $name $rest" ;;
		esac
	done < <(tests/fuzz/run.sh "${FUZZ_SECONDS:-10}" 2>&1)
fi

# Cases to run in the guest.
cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do cases+=("tests/cases/${c%.sh}.sh"); done
else
	cases=(tests/cases/*.sh)
fi

# Cases at once in a guest (tests/lib/runner.sh, RUNNER_JOBS): one case keeps about one of the
# guest's two CPUs busy, the rest of its time it waits on timers and the other side of a
# connection. The debug kernels run one at a time (kmemleak judges a case alone).
case_jobs=${CASE_JOBS:-2}

# Debian's kernels are named by version; a debug kernel by its build directory (which
# build-kmod.sh and vm/run.sh both accept), labelled debug-SERIES in the results.
vm_timeout=2400 vm_mem=1024 kernel_args=
if [ -n "$debug" ]; then
	kernels=
	for series in ${DEBUG_KERNELS:-6.1 6.12}; do
		echo "== debug kernel $series"
		start=$(date +%s)
		if dir=$(tests/debug-kernel/build.sh "$series"); then
			echo "debug kernel $series: $dir ($(( $(date +%s) - start )) s)"
			kernels="$kernels $dir"
		else
			record FAIL "debug-$series/build-kernel"
		fi
	done
	[ -n "$kernels" ] || summary
	# KASAN, lockdep and two kmemleak scans per case slow every case down: four times the
	# normal limit. KASAN's shadow and kmemleak's metadata need the memory.
	vm_timeout=9600 vm_mem=2048 case_jobs=1
	# The whole kernel log goes to the console too: a guest that stops making progress
	# (once, idle before its first case) shows where it stopped.
	kernel_args=ignore_loglevel
	# So a debug guest runs one case at a time, and a debug case spends much of its time
	# waiting on its stretched timers: two guests on two cores halved the wall time of
	# the 6.12 suite (53 and 63 minutes side by side). The cases are dealt out to one
	# guest per core.
	guests=${DEBUG_GUESTS:-$(nproc)}
	max_parallel=${PARALLEL_KERNELS:-$(nproc)}
else
	kernels=${KERNELS:-$(tests/vm/kernels.sh)}
	# Each normal guest has two emulated CPUs and keeps them busy (on 2 cores, two
	# guests took as long as one after the other, and every timing in them doubled),
	# so one guest per two cores, each running all cases of its kernel.
	guests=1
	max_parallel=${PARALLEL_KERNELS:-$(( $(nproc) / 2 ))}
	[ -n "$kernels" ] || { record FAIL "no test kernel installed"; summary; }
fi

# A clone under /tmp (hidden by the guest's own /tmp once) runs its guest commands.
# (About paths, not kernels: not again on debug kernels.)
if [ -z "$debug" ] && { [ $# -eq 0 ] || [ -n "${FROM_CLONE:-}" ]; }; then
	echo "== guest commands from a clone under /tmp"
	first=${kernels%%[[:space:]]*}
	if tests/vm/from-clone.sh "$first" /tmp; then
		record PASS "vm-from-tmp-clone"
	else
		record FAIL "vm-from-tmp-clone"
	fi
fi
# One guest: CASEs on KVER with the module KO. Verdicts go to $results/verdicts as
# "VERDICT label/NAME" lines (a background job cannot add to this shell's counts).
run_guest() {	# run_guest KVER LABEL RESULTS KO CASE...
	local kver=$1 label=$2 results=$3 ko=$4 vm_status ran=0 case_failures=0
	local verdicts=$results/verdicts
	shift 4
	# slab_nomerge: the lvs_conn cache keeps its own line in /proc/slabinfo (flood-conn-max
	# measures the table's memory there).
	VM_APPEND="slab_nomerge $kernel_args ${VM_APPEND:-}" \
	tests/vm/run.sh -k "$kver" -o "$results" -t "$vm_timeout" -m "$vm_mem" -- \
		env RUNNER_JOBS="$case_jobs" RUNNER_XTRACE="${RUNNER_XTRACE:-0}" LVS_TEST_FASTPATH="${LVS_TEST_FASTPATH:-0}" \
		LVS_TEST_ACCT="${LVS_TEST_ACCT:-0}" "$top/tests/guest-suite.sh" "$results" "$ko" "$@"
	vm_status=$?
	if [ -f "$results/results.txt" ]; then
		while read -r verdict name _; do
			case $verdict in PASS | FAIL | SKIP) ;; *) continue ;; esac
			echo "$verdict $label/$name" >>"$verdicts"
			ran=$((ran + 1))
			[ "$verdict" != FAIL ] || case_failures=$((case_failures + 1))
		done <"$results/results.txt"
	fi
	# A VM that timed out, crashed or logged a kernel problem outside any
	# case fails on its own account, even when every case passed. (The
	# runner's own status 1 just repeats failed cases.)
	if [ "$vm_status" = 1 ] && [ "$case_failures" -gt 0 ]; then
		:
	elif [ "$vm_status" != 0 ]; then
		echo "FAIL $label/vm (exit status $vm_status, see $results/console.log)" >>"$verdicts"
	elif [ "$ran" != "$#" ]; then
		echo "FAIL $label/vm (ran $ran of $# cases)" >>"$verdicts"
	fi
}

# Every kernel's module is built first, then its cases are dealt out to its guests, which
# run side by side up to max_parallel (PARALLEL_KERNELS=N overrides it).
[ "$max_parallel" -ge 1 ] || max_parallel=1
[ "$guests" -le "${#cases[@]}" ] || guests=${#cases[@]}
[ "$guests" -ge 1 ] || guests=1
runs=() pids=()
for kver in $kernels; do
	label=$kver
	case $kver in */*) label=debug-$(cut -d- -f1 "$kver/kernelrelease") ;; esac
	base=${RESULTS_ROOT:-$top/build/results}/$label
	rm -rf "$base"
	mkdir -p "$base"
	if ! ko=$(tests/build-kmod.sh "$kver" 2>"$base/build-kmod.log"); then
		cat "$base/build-kmod.log"
		record FAIL "$label/build-kmod"
		continue
	fi
	record PASS "$label/build-kmod"
	for ((g = 0; g < guests; g++)); do
		share=()
		for ((i = g; i < ${#cases[@]}; i += guests)); do share+=("${cases[i]}"); done
		results=$base
		[ "$guests" = 1 ] || results=$base/guest-$((g + 1))
		mkdir -p "$results"
		runs+=("$label $results")
		if [ "$max_parallel" -le 1 ]; then
			echo "== kernel $label${results#"$base"}"
			run_guest "$kver" "$label" "$results" "$ko" "${share[@]}" 2>&1 | tee "$results/run.log"
			continue
		fi
		while [ "$(jobs -rp | wc -l)" -ge "$max_parallel" ]; do wait -n; done
		echo "== kernel $label${results#"$base"}: started (its output is printed when it ends)"
		run_guest "$kver" "$label" "$results" "$ko" "${share[@]}" >"$results/run.log" 2>&1 &
		pids+=($!)
	done
done
for pid in "${pids[@]}"; do wait "$pid"; done
for run in "${runs[@]}"; do
	read -r label results <<<"$run"
	if [ "$max_parallel" -gt 1 ]; then
		echo "== kernel $label (${results#"${RESULTS_ROOT:-$top/build/results}"/})"
		cat "$results/run.log"
	fi
	if [ ! -s "$results/verdicts" ]; then
		record FAIL "$label/run (no verdict, see $results/run.log)"
		continue
	fi
	while read -r verdict name; do
		record "$verdict" "$name"
	done <"$results/verdicts"
done

summary
