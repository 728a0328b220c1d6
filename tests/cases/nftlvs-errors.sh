#!/bin/bash
# nftlvs: each bad input of tests/golden/errors/ is refused with exactly the message of its
# .err file (file:line:col, the line, carets under the offending token), exit status 1,
# and the ruleset in place stays as it was. Inputs: NAME.nft (nftlvs -f NAME.nft),
# NAME.cmd (its line as the command line), NAME.json (nftlvs -j -f NAME.json).
# timeout: 600
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/nftlvs.sh"

modprobe nft_lvs || fail "modprobe nft_lvs"
cd "$GOLDEN/errors" || fail "no $GOLDEN/errors"
# Something to keep: a table with one of our rules. Each refusal must leave it as it is, so
# every input meets the same ruleset without a new namespace per input.
ns_new er
assert_ok nsx er "$NFTLVS" -f "$GOLDEN/ruleset/basic.nft"
before=$(nsx er "$NFTLVS" list ruleset)
n=0
for f in *.nft *.cmd *.json; do
	[ -e "$f" ] || continue
	name=${f%.*}
	log "$name"
	rc=0
	case $f in
	*.nft) nsx er "$NFTLVS" -f "$f" ;;
	*.cmd) nsx er "$NFTLVS" "$(cat "$f")" ;;
	*.json) nsx er "$NFTLVS" -j -f "$f" ;;
	esac >"$CASE_TMP/out" 2>"$CASE_TMP/err" || rc=$?
	assert_eq 1 "$rc" "$name: exit status"
	[ ! -s "$CASE_TMP/out" ] || fail "$name: printed on stdout: $(cat "$CASE_TMP/out")"
	golden_check "$GOLDEN/errors/$name.err" "$CASE_TMP/err" "$name message"
	assert_eq "$before" "$(nsx er "$NFTLVS" list ruleset)" "$name: ruleset after the refusal"
	n=$((n + 1))
done
ip netns del er
[ "$n" -ge 15 ] || fail "only $n bad inputs"
golden_done
