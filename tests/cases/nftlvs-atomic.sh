#!/bin/bash
# nftlvs: a file is one transaction. When its last rule is refused - by our parser, by nft,
# or by the kernel - nothing of it is applied and the ruleset in place stays as it was,
# services counted in the namespace included.
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/nftlvs.sh"

modprobe nft_lvs || fail "modprobe nft_lvs"
assert_ok nftlvs -f "$GOLDEN/ruleset/basic.nft"
before=$(nftlvs list ruleset)
services=$(lvs_services)
assert_eq 2 "$services" "services after basic.nft"

# A new ruleset (flush first, as a saved ruleset does) whose last rule is $1.
bad() {
	cat <<-EOF
	flush ruleset
	table ip lvs {
		chain pre {
			type filter hook prerouting priority raw; policy accept;
			lb-dispatch
			ip daddr 10.0.0.20 tcp dport 80 fullnat to { 10.1.0.5:80, 10.1.0.6:80 } via { 10.1.0.254 }
			ip daddr 10.0.0.21 tcp dport 80 fullnat to { 10.1.0.7:80 } via { 10.1.0.254 }
			$1
		}
	}
	table ip other {
		chain c {
			type filter hook input priority 0;
			counter
		}
	}
	EOF
}

check_unchanged() {
	assert_eq "$before" "$(nftlvs list ruleset)" "ruleset after $1"
	assert_eq "$services" "$(lvs_services)" "services after $1"
}

i=0
for last in \
	'ip daddr 10.0.0.22 fullnat to { 10.1.0.8:0 } via { 10.1.0.254 }' \
	'ip daddr 10.0.0.22 jump nowhere' \
	'ip daddr 10.0.0.22 ct helper set "nope" fullnat to { 10.1.0.8 } via { 10.1.0.254 }' \
	'ip daddr 10.0.0.22 synproxy-lb sack-perm fullnat to { 10.1.0.8 } via { 2001:db8:1::254 }'; do
	i=$((i + 1))
	bad "$last" >"$CASE_TMP/bad$i.nft"
	assert_fails_with Error nftlvs -f "$CASE_TMP/bad$i.nft"
	check_unchanged "bad$i.nft"
done

# The kernel refuses the hook of the last chain's rule (validated at commit).
cat >"$CASE_TMP/hook.nft" <<'EOF'
flush ruleset
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip daddr 10.0.0.20 fullnat to { 10.1.0.5 } via { 10.1.0.254 }
	}
	chain in {
		type filter hook input priority 0; policy accept;
		ip daddr 10.0.0.20 fullnat to { 10.1.0.6 } via { 10.1.0.254 }
	}
}
EOF
assert_fails_with EOPNOTSUPP nftlvs -f "$CASE_TMP/hook.nft"
check_unchanged hook.nft

# The same file without its bad rule lands whole.
bad "" >"$CASE_TMP/good.nft"
assert_ok nftlvs -f "$CASE_TMP/good.nft"
assert_eq 2 "$(lvs_services)" "services after good.nft"
assert_eq 3 "$(nftlvs list chain ip lvs pre | grep -c -e lb-dispatch -e fullnat)" \
	"our statements after good.nft"
nftlvs list table ip other >/dev/null || fail "table other missing"
