# shellcheck shell=bash
# Helpers for the nftlvs cases (sourced after assert.sh). NFTLVS and TOP come from
# tests/guest-suite.sh.

GOLDEN=$TOP/tests/golden

nftlvs() { "$NFTLVS" "$@"; }

# ns_new NAME - a fresh, empty network namespace (nft handles count per namespace, so a
# listing with handles is reproducible only in a new one).
ns_new() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" || fail "ip netns add $1"
}

# nsx NAME CMD... - run CMD in namespace NAME.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# golden_check EXPECTED ACTUAL WHAT - ACTUAL must equal the golden file EXPECTED byte for
# byte. On a difference the case goes on (so that one run shows every difference), ACTUAL
# is kept as $RESULTS_DIR/golden/<EXPECTED's path under tests/golden> for review, and
# golden_done fails the case.
GOLDEN_FAILURES=0
golden_check() {
	local exp=$1 act=$2 what=$3 keep
	if [ -f "$exp" ] && cmp -s "$exp" "$act"; then
		return 0
	fi
	keep=$RESULTS_DIR/golden/${exp#"$GOLDEN"/}
	mkdir -p "$(dirname "$keep")"
	cp "$act" "$keep"
	if [ -f "$exp" ]; then
		diff -u "$exp" "$act"
		printf 'MISMATCH: %s: differs from %s (output kept in %s)\n' "$what" "$exp" "$keep"
	else
		printf 'MISMATCH: %s: no golden file %s (output kept in %s)\n' "$what" "$exp" "$keep"
	fi
	GOLDEN_FAILURES=$((GOLDEN_FAILURES + 1))
	return 1
}

# golden_done - fail if any golden_check failed.
golden_done() {
	[ "$GOLDEN_FAILURES" = 0 ] || fail "$GOLDEN_FAILURES golden file(s) differ"
}
