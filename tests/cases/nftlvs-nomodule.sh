#!/bin/bash
# nftlvs: without the nft_lvs module the kernel knows none of our expressions. The user
# gets one line that names the module and how to load or install it, at their statement,
# and nothing is applied; list stats says the same.
# exclusive: unloads nft_lvs and keeps modprobe from loading it
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/nftlvs.sh"

nft flush ruleset
lvs_unload || fail "cannot unload nft_lvs"
# Keep modprobe from loading it (the guest's /etc is a throw-away overlay).
conf=/etc/modprobe.d/nftlvs-test-nomodule.conf
echo "install nft_lvs /bin/false" >"$conf"
trap 'rm -f "$conf"' EXIT

assert_ok nftlvs add table ip lvs
assert_ok nftlvs add chain ip lvs pre '{ type filter hook prerouting priority raw; }'
rc=0
nftlvs 'add rule ip lvs pre ip daddr 10.0.0.10 fullnat to { 10.1.0.1 } via { 10.1.0.254 }' 2>"$CASE_TMP/err" || rc=$?
assert_eq 1 "$rc" "exit status"
cat >"$CASE_TMP/want" <<'EOF'
Error: Could not process rule: the kernel has no fullnat: the nft_lvs module is not loaded; load it with modprobe nft_lvs, or install it
add rule ip lvs pre ip daddr 10.0.0.10 fullnat to { 10.1.0.1 } via { 10.1.0.254 }
                                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
EOF
diff -u "$CASE_TMP/want" "$CASE_TMP/err" || fail "message without the module"
assert_eq "" "$(nftlvs list chain ip lvs pre | grep fullnat)" "rules without the module"

# From a file, in JSON, and for list stats.
printf 'table ip lvs {\n\tchain pre {\n\t\tlb-dispatch\n\t}\n}\n' >"$CASE_TMP/f.nft"
assert_fails_with "the kernel has no lb-dispatch: the nft_lvs module is not loaded" nftlvs -f "$CASE_TMP/f.nft"
assert_fails_with "the kernel has no lb-dispatch: the nft_lvs module is not loaded" \
	nftlvs -j add rule ip lvs pre lb-dispatch
out=$(nftlvs list stats 2>&1) && fail "list stats without the module: $out"
assert_eq "Error: the nft_lvs module is not loaded (no /proc/net/nft_lvs): load it with modprobe nft_lvs" \
	"$out" "list stats without the module"
