#!/bin/bash
# check-kernel-log.sh [FILE|-]...
#
# Scan kernel log text (dmesg output, a serial console capture; "-" or no argument reads stdin)
# for signs that the kernel went wrong. A test that passes while the kernel warned has failed,
# so both run.sh (whole VM run) and tests/lib/runner.sh (per test case) call this.
# Prints every offending line; exit 0 when clean, 1 when something was found, 2 on usage errors.
#
# CHECK_KERNEL_LOG_IGNORE, if set, is an extended regex: matching lines are not reported
# (for a known, understood message; keep it as narrow as possible).
set -eu -o pipefail

# Fixed strings, matched case-sensitively ("Oops" but not "oops" in a driver's chatter).
PATTERNS=(
	'BUG:'			# BUG: KASAN/sleeping function/scheduling while atomic/soft lockup...
	'kernel BUG at'		# BUG_ON()
	'WARNING:'		# WARN_ON(), lockdep
	'Oops'
	'general protection'
	'KASAN'
	'UBSAN:'
	'KFENCE:'
	'refcount_t'		# refcount_t: underflow; use-after-free.
	'list_del corruption'
	'list_add corruption'
	'soft lockup'
	'hard LOCKUP'
	'RCU stall'
	'self-detected stall'	# rcu: INFO: rcu_sched self-detected stall on CPU
	'detected stalls on CPUs'
	'Call Trace'
	'Kernel panic'
	# Debug kernels (tests/debug-kernel/). KASAN, lockdep ("WARNING: possible circular
	# locking dependency", "WARNING: suspicious RCU usage") and DEBUG_ATOMIC_SLEEP ("BUG:
	# sleeping function called") are caught above; these are not.
	'ODEBUG:'		# debugobjects: freeing an active timer/work...
	'suspicious RCU usage'
	'blocked for more than'	# hung task: "INFO: task x:1 blocked for more than 120 seconds."
	'suspected memory leak'	# kmemleak: "N new suspected memory leaks"
	'memory leak detector disabled'	# kmemleak gave up: leaks would go unnoticed
	'Memory pool empty'	# kmemleak's pool ran out (it disables itself next)
	'lockdep is turned off'	# lockdep gave up (table overflow): locking goes unchecked
)

args=()
for p in "${PATTERNS[@]}"; do
	args+=(-e "$p")
done

[ $# -gt 0 ] || set -- -
status=0
for f in "$@"; do
	if [ "$f" != - ] && [ ! -r "$f" ]; then
		echo "check-kernel-log: cannot read $f" >&2
		exit 2
	fi
	# Serial captures end lines with CR LF; strip the CR so the output prints cleanly.
	hits=$(tr -d '\r' < "$([ "$f" = - ] && echo /dev/stdin || echo "$f")" |
		grep -F -a "${args[@]}" |
		{ if [ -n "${CHECK_KERNEL_LOG_IGNORE:-}" ]; then
			grep -E -v -- "$CHECK_KERNEL_LOG_IGNORE"; else cat; fi; } || true)
	if [ -n "$hits" ]; then
		printf '%s\n' "$hits"
		status=1
	fi
done
exit $status
