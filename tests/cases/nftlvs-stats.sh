#!/bin/bash
# nftlvs list stats / list connections: the module's counters and connection table of the
# namespace, as text and JSON (formats in nftlvs(8)).
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/nftlvs.sh"

modprobe nft_lvs || fail "modprobe nft_lvs"
assert_ok nftlvs -f "$GOLDEN/ruleset/basic.nft"
out=$(nftlvs list stats) || fail "list stats"
log "$out"
printf '%s\n' "$out" | grep -qE '^services +2$' || fail "list stats: $out"
assert_eq 2 "$(nftlvs -j list stats | json_get stats.services)" "services in JSON"
nftlvs -j list stats | grep -qE '^\{"stats": \{.*\}, "services": \[.*\], "reals": \[.*\]\}$' || fail "JSON: $(nftlvs -j list stats)"

# Per namespace: a new one has its own (empty) state.
ns_new st
assert_eq "services 0" "$(nsx st "$NFTLVS" list stats | grep '^services' | tr -s ' ')" "stats of a new namespace"
ip netns del st

if [ -e /proc/net/nft_lvs/conns ]; then
	hdr=$(head -n1 /proc/net/nft_lvs/conns | tr -s ' \t' ' ')
	assert_eq "$hdr" "$(nftlvs list connections | head -n1 | tr -s ' ' ' ')" "connections header"
	nftlvs -j list connections | grep -qE '^\{"connections": \[.*\]\}$' ||
		fail "JSON: $(nftlvs -j list connections)"
else
	out=$(nftlvs list connections 2>&1) && fail "list connections without conns: $out"
	assert_eq "Error: this nft_lvs module has no connection table (no /proc/net/nft_lvs/conns): it is older than the FULLNAT datapath" \
		"$out" "list connections without a conns file"
fi
