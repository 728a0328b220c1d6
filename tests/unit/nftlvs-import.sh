#!/bin/sh
# nftlvs import, without a kernel: the sample configurations of ../import/
# converted, and the ruleset, the nftlvs-healthd configuration, the
# warnings and errors compared byte for byte with ../import/expected/; the
# bad inputs refused with nothing on standard output; the healthd
# configurations accepted by nftlvs-healthd -t; the rulesets read by
# nftlvs' own scanner (unit/test_import_scan).
#
# IMPORT overrides the converter (default: the sanitized unit/import-san;
# "IMPORT=../nft-plugin/nftlvs" runs the installed form). UPDATE=1 writes
# the expected files instead of comparing (review them before committing).

top=$(cd "$(dirname "$0")/.." && pwd)
samples=${srcdir:-$top}/import
samples=$(cd "$samples" && pwd)
IMPORT=${IMPORT:-$PWD/unit/import-san}
NFTLVS=${NFTLVS:-$PWD/../nft-plugin/nftlvs}
HEALTHD=${HEALTHD:-$PWD/../healthd/nftlvs-healthd}
SCAN=${SCAN:-$PWD/unit/test_import_scan}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# same NAME GOT: GOT against expected/NAME (or written to it with UPDATE=1)
same() {
	if [ -n "$UPDATE" ]; then
		cp "$2" "$samples/expected/$1"
	elif cmp -s "$2" "$samples/expected/$1"; then
		ok
	else
		fail "$1 differs:"
		diff -u "$samples/expected/$1" "$2" >&2
	fi
}

# run NAME EXIT_CODE ARGS...: nftlvs import ARGS in the samples' directory
# (file names in the output are as given); stdout and stderr to NAME.out
# and NAME.err, both compared; an error leaves standard output empty.
run() {
	name=$1 want_rc=$2
	shift 2
	(cd "$samples" && "$IMPORT" import "$@") >"$dir/$name.nft" 2>"$dir/$name.err"
	rc=$?
	[ "$rc" = "$want_rc" ] && ok || fail "$name: exit $rc, wanted $want_rc: $(cat "$dir/$name.err")"
	if [ "$want_rc" = 0 ]; then
		same "$name.nft" "$dir/$name.nft"
	else
		[ -s "$dir/$name.nft" ] && fail "$name: output despite the error" || ok
	fi
	same "$name.err" "$dir/$name.err"
}

healthd_ok() {	# healthd_ok NAME FILE: nftlvs-healthd -t accepts it
	out=$("$HEALTHD" -t -f "$2" 2>&1) && ok || fail "$1: nftlvs-healthd -t: $out"
}

# The seed's stack: FNAT, local_address_group, syn_proxy, every checker,
# sorry_server, inhibit_on_failure, include files, virtual_server_group,
# a NAT service taking --via, IPv4 and IPv6 (an inet table).
run keepalived 0 keepalived keepalived.conf --via 10.1.0.200 --healthd "$dir/keepalived.healthd"
same keepalived.healthd "$dir/keepalived.healthd"
healthd_ok keepalived "$dir/keepalived.healthd"

# Without --healthd, the healthd configuration follows as #healthd lines.
run keepalived-stdout 0 keepalived keepalived.conf --via 10.1.0.200
sed -nE 's/^#healthd ?//p' "$dir/keepalived-stdout.nft" >"$dir/extracted.healthd"
cmp -s "$dir/extracted.healthd" "$dir/keepalived.healthd" && ok ||
	fail "the #healthd section is not the --healthd file"

# IPv4 only: an ip table, its name from --table.
run simple 0 keepalived simple.conf --table lb --healthd "$dir/simple.healthd"
same simple.healthd "$dir/simple.healthd"
healthd_ok simple "$dir/simple.healthd"

# ipvsadm -S -n with Alibaba's -P/-z, -b, -j; from a file and from stdin.
run ipvsadm 0 ipvsadm ipvsadm.rules --via 10.1.0.200
(cd "$samples" && "$IMPORT" import ipvsadm - --via 10.1.0.200 <ipvsadm.rules) \
	>"$dir/stdin.nft" 2>"$dir/stdin.err" && ok || fail "ipvsadm from stdin"
sed 's/^\(# .*\)stdin/\1ipvsadm.rules/; s/^\(\t*# \)stdin:/\1ipvsadm.rules:/' \
	"$dir/stdin.nft" | cmp -s - "$samples/expected/ipvsadm.nft" && ok ||
	fail "ipvsadm from stdin differs from the file's"

# The NAT services need local addresses: without --via, errors only.
run keepalived-novia 1 keepalived keepalived.conf
run ipvsadm-novia 1 ipvsadm ipvsadm.rules

# Bad inputs: every construct refused, with its line; nothing printed.
for f in refused unclosed brace loop string; do
	run "bad-$f" 1 keepalived "bad/$f.conf"
done
run bad-rules 1 ipvsadm bad/refused.rules

# The command line.
run usage-none 1
run usage-kind 1 haproxy x.cfg
run usage-table 1 keepalived simple.conf --table 1x
run usage-via 1 keepalived simple.conf --via 10.0.0.300
run usage-healthd 1 ipvsadm ipvsadm.rules --healthd x
run usage-missing 1 keepalived missing.conf

# nftlvs itself dispatches import before anything else: no root, no module.
if [ -x "$NFTLVS" ]; then
	(cd "$samples" && "$NFTLVS" import ipvsadm ipvsadm.rules --via 10.1.0.200) \
		>"$dir/nftlvs.nft" 2>/dev/null && cmp -s "$dir/nftlvs.nft" "$samples/expected/ipvsadm.nft" &&
		ok || fail "nftlvs import differs from the converter's output"
fi

# nftlvs' scanner reads every ruleset: statements parse, sets are declared
# with shapes fullnat takes, the statements are in canonical form.
if [ -z "$UPDATE" ]; then
	out=$("$SCAN" "$samples"/expected/*.nft 2>&1) && ok || fail "scan: $out"
fi

echo "nftlvs-import: $passed passed, $failed failed"
[ "$failed" = 0 ]
