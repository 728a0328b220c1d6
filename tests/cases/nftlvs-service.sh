#!/bin/bash
# examples/nftlvs.service: its commands load /etc/nftlvs.conf as one transaction, reload it,
# and flush on stop (run here by hand: the test VM has no systemd).
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/nftlvs.sh"

unit=$TOP/examples/nftlvs.service
conf=$CASE_TMP/nftlvs.conf
{ echo "flush ruleset"; cat "$GOLDEN/ruleset/basic.nft"; } >"$conf"

# unit_cmd KEY - the command of KEY= in the unit, with our paths.
unit_cmd() {
	sed -n "s/^$1=//p" "$unit" | sed -e "s|/usr/local/sbin/nftlvs|$NFTLVS|" \
		-e "s|/etc/nftlvs.conf|$conf|"
}

for key in ExecStartPre ExecStart; do
	cmd=$(unit_cmd $key)
	[ -n "$cmd" ] || fail "no $key in the unit"
	# shellcheck disable=SC2086 # a command line, as systemd splits it
	assert_ok $cmd
done
diff -u "$GOLDEN/ruleset/basic.list" <(nftlvs list ruleset) || fail "ruleset after ExecStart"
# shellcheck disable=SC2046
assert_ok $(unit_cmd ExecReload)
diff -u "$GOLDEN/ruleset/basic.list" <(nftlvs list ruleset) || fail "ruleset after ExecReload"
# shellcheck disable=SC2046
assert_ok $(unit_cmd ExecStop)
assert_eq "" "$(nftlvs list ruleset)" "ruleset after ExecStop"
