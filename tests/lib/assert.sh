# shellcheck shell=bash
# assert.sh - tiny assertions for test cases (source it). A case exits 0 to pass, 77 to skip,
# anything else to fail; tests/lib/runner.sh reads the last line of a skipped case's log as
# the reason.

# The cases' Python helpers use only the standard library: -S skips the site module, whose
# search of the installed packages (over 9p) made up most of a second per start in the
# guest. (What imports an installed package, lvs-pool.py's nftables, runs plain python3.)
PY="/usr/bin/python3 -S"

# log MSG... - progress note in the case's log.
log() { printf '# %s\n' "$*"; }

# fail MSG... - stop the case as failed.
fail() {
	printf 'FAIL: %s\n' "$*"
	exit 1
}

# skip MSG... - stop the case as skipped (missing tool, unsupported kernel, ...).
skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# assert_eq EXPECTED ACTUAL MSG...
assert_eq() {
	local exp=$1 act=$2
	shift 2
	[ "$exp" = "$act" ] || fail "$*: expected '$exp', got '$act'"
}

# assert_ok CMD... - CMD must succeed; its output is shown when it does not.
assert_ok() {
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	[ $rc -eq 0 ] || fail "'$*' exited $rc: $out"
	[ -z "$out" ] || printf '%s\n' "$out"
}

# _errno_text NAME - strerror() of an errno name (ERANGE -> "Numerical result out of range"),
# or nothing if unknown. Tools such as nft print the text, not the name.
_errno_text() {
	perl -MPOSIX -e 'my $n = eval "POSIX::$ARGV[0]()"; print strerror($n) if defined $n' \
		"$1" 2>/dev/null
}

# assert_fails_with ERRNAME CMD... - CMD must fail, and its output (stdout+stderr) must
# contain ERRNAME or, for an errno name like ERANGE, its strerror() text.
assert_fails_with() {
	local err=$1 out rc=0 text
	shift
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "'$*' succeeded, expected a failure with $err; output: $out"
	case $out in *"$err"*) return 0 ;; esac
	text=$(_errno_text "$err")
	if [ -n "$text" ]; then
		case $out in *"$text"*) return 0 ;; esac
		fail "'$*' failed (exit $rc) but without '$err' / '$text'; output: $out"
	fi
	fail "'$*' failed (exit $rc) but without '$err'; output: $out"
}
