#!/bin/bash
# A rule that uses one of our expressions autoloads the module by alias,
# and the module cannot be unloaded while a rule holds it.
# exclusive: unloads and autoloads nft_lvs
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

lvs_unload
for expr in lb-dispatch synproxy-lb "fullnat pool=10.1.0.1 laddrs=10.1.0.254"; do
	nft flush ruleset
	lvs_unload
	lvs_table ip
	# shellcheck disable=SC2086
	assert_ok lvsrule add ip lvs c $expr
	lvs_loaded || fail "nft_lvs not autoloaded by '$expr'"
	rmmod nft_lvs 2>/dev/null && fail "rmmod succeeded while a rule uses nft_lvs"
	lvs_loaded || fail "module gone while a rule uses it"
done
nft flush ruleset
assert_ok lvs_unload
