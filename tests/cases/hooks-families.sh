#!/bin/bash
# Our statements work only at prerouting and output, and only in ip, ip6
# and inet tables (IPv4 and IPv6 statements); lb-dispatch also at netdev
# ingress (the fast path); everything else is refused and changes nothing.
. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"

exprs4=("lb-dispatch" "synproxy-lb" "fullnat pool=10.1.0.1 laddrs=10.1.0.254")
exprs6=("lb-dispatch" "synproxy-lb" "fullnat pool=[2001:db8:1::1] laddrs=2001:db8:1::fe")
exprs=("${exprs4[@]}")

for fam in ip ip6 inet; do
	case $fam in
	ip) exprs=("${exprs4[@]}") ;;
	ip6) exprs=("${exprs6[@]}") ;;
	inet) exprs=("${exprs4[@]}" "fullnat family=ip6 pool=[2001:db8:1::1] laddrs=2001:db8:1::fe") ;;
	esac
	for hook in prerouting output; do
		nft add table $fam ok
		nft add chain $fam ok c "{ type filter hook $hook priority raw; }"
		for e in "${exprs[@]}"; do
			# shellcheck disable=SC2086
			assert_ok lvsrule add $fam ok c $e
		done
		nft delete table $fam ok
	done
	for hook in input forward postrouting; do
		nft add table $fam bad
		nft add chain $fam bad c "{ type filter hook $hook priority 0; }"
		for e in "${exprs[@]}"; do
			# shellcheck disable=SC2086
			assert_fails_with EOPNOTSUPP lvsrule add $fam bad c $e
		done
		assert_eq "" "$(lvsrule list $fam bad c)" \
			"rules left in a $hook chain"
		nft delete table $fam bad
	done
done

# A regular chain is checked when a base chain jumps to it.
nft add table ip j
nft add chain ip j sub
assert_ok lvsrule add ip j sub fullnat pool=10.1.0.1 laddrs=10.1.0.254
nft add chain ip j in '{ type filter hook input priority 0; }'
nft add chain ip j pre '{ type filter hook prerouting priority raw; }'
nft add rule ip j in jump sub 2>/tmp/err && fail "jump from input to a chain with fullnat accepted"
grep -q 'Operation not supported' /tmp/err || fail "jump refused with: $(cat /tmp/err)"
assert_ok nft add rule ip j pre jump sub
nft delete table ip j

# Families without our expression types: the kernel finds no such expression.
for fam in netdev bridge arp; do
	nft add table $fam t
	nft add chain $fam t c
	for e in "${exprs[@]}"; do
		[ "$fam" = netdev ] && [ "$e" = lb-dispatch ] && continue
		# shellcheck disable=SC2086
		assert_fails_with ENOENT lvsrule add $fam t c $e
	done
	nft delete table $fam t
done

# lb-dispatch in a netdev table: at ingress, not at egress (nor in a chain egress jumps to).
ip link add lbhk0 type veth peer name lbhk1
nft add table netdev t
nft add chain netdev t in '{ type filter hook ingress device "lbhk0" priority 0; }'
nft add chain netdev t out '{ type filter hook egress device "lbhk0" priority 0; }'
nft add chain netdev t sub
assert_ok lvsrule add netdev t in lb-dispatch
assert_ok lvsrule add netdev t sub lb-dispatch
assert_fails_with EOPNOTSUPP lvsrule add netdev t out lb-dispatch
nft add rule netdev t out jump sub 2>/tmp/err && fail "jump from egress to a chain with lb-dispatch accepted"
grep -q 'Operation not supported' /tmp/err || fail "jump refused with: $(cat /tmp/err)"
assert_ok nft add rule netdev t in jump sub
assert_eq "" "$(lvsrule list netdev t out)" "rules left in the egress chain"
nft delete table netdev t
ip link del lbhk0
assert_eq "" "$(nft list ruleset)" "ruleset after refused rules"
