#!/bin/bash
# nftlvs: every golden ruleset (tests/golden/ruleset/*.nft) loads, lists exactly as its
# golden listing, text and JSON, and each listing loads back to itself byte for byte:
#   nftlvs -f x; nftlvs list ruleset > y; nftlvs flush ruleset; nftlvs -f y;
#   nftlvs list ruleset   reproduces y (and the same with -j).
# JSON listings carry the kernel's handles, which count per namespace (a table's handle
# keeps counting after "flush ruleset") and in creation order. So each JSON load runs in
# a fresh namespace; there the reloaded listing must equal the first one byte for byte,
# handles included (nftlvs creates a JSON file's chains first, as nft does a text file's).
# timeout: 600
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/nftlvs.sh"

modprobe nft_lvs || fail "modprobe nft_lvs"
cd "$GOLDEN/ruleset" || fail "no $GOLDEN/ruleset"
n=0
for f in *.nft; do
	name=${f%.nft}
	log "$name"
	y=$CASE_TMP/$name.list
	ns_new rt
	assert_ok nsx rt "$NFTLVS" -f "$f"
	nsx rt "$NFTLVS" list ruleset >"$y" || fail "$name: list ruleset"
	golden_check "$GOLDEN/ruleset/$name.list" "$y" "$name listing"
	assert_ok nsx rt "$NFTLVS" flush ruleset
	assert_ok nsx rt "$NFTLVS" -f "$y"
	nsx rt "$NFTLVS" list ruleset | diff -u "$y" - ||
		fail "$name: the listing does not load back to itself"

	# JSON: each load in a fresh namespace, so that handles repeat.
	yj=$CASE_TMP/$name.json
	ns_new rt
	assert_ok nsx rt "$NFTLVS" -f "$f"
	nsx rt "$NFTLVS" -j list ruleset >"$yj" || fail "$name: -j list ruleset"
	golden_check "$GOLDEN/ruleset/$name.json" "$yj" "$name JSON listing"
	zj=$CASE_TMP/$name.2.json
	ns_new rt
	assert_ok nsx rt "$NFTLVS" -j -f "$yj"
	nsx rt "$NFTLVS" -j list ruleset >"$zj"
	diff -u "$yj" "$zj" || fail "$name: the JSON listing does not load back to itself"
	# ... and is the same ruleset as the text one.
	nsx rt "$NFTLVS" list ruleset | diff -u "$y" - ||
		fail "$name: JSON round trip lists differently as text"
	ip netns del rt
	n=$((n + 1))
done
[ "$n" -ge 6 ] || fail "only $n golden rulesets"
golden_done
