#!/bin/bash
# callgrind.sh BENCH_CORE OUT.tsv
#
# Instructions per operation of the portable core (tests/bench/bench_core.c): one callgrind
# run collecting only inside the bench_<op>() functions, inclusive counts divided by the
# iterations bench_core reports. Instruction counts repeat exactly from run to run, unlike
# time; the native ns/op of a second, longer run is kept beside them for scale.
# Writes "op iters instructions_per_op ns_per_op", tab-separated, with a header line.
set -eu -o pipefail

bench=$1 out=$2
ITERS=20000		# under valgrind
NATIVE_ITERS=1000000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --toggle-collect='bench_*' \
	"$bench" "$ITERS" > "$tmp/iters.txt" 2> "$tmp/valgrind.log" ||
	{ cat "$tmp/valgrind.log" >&2; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$tmp/cg.out" > "$tmp/annotate.txt"
timeout 300 "$bench" "$NATIVE_ITERS" > "$tmp/native.txt"

# annotate lines: "  7,860,028 (10.92%)  FILE:bench_translate [BINARY]"
awk -v OFS='\t' '
	FILENAME ~ /iters/ && $1 != "op" { iters[$1] = $2; next }
	FILENAME ~ /native/ && $1 != "op" { ns[$1] = $3; next }
	FILENAME ~ /annotate/ && match($0, /:bench_[a-z0-9_]+ /) {
		op = substr($0, RSTART + 7, RLENGTH - 8)
		n = $1; gsub(",", "", n)
		ir[op] = n
	}
	END {
		print "op", "iters", "instructions_per_op", "ns_per_op"
		for (op in iters)
			if (op in ir)
				printf "%s\t%d\t%.1f\t%s\n", op, iters[op], ir[op] / iters[op], ns[op]
	}' "$tmp/iters.txt" "$tmp/native.txt" "$tmp/annotate.txt" | sort -k1,1 > "$out.tmp"
# Header first (sort put it somewhere in the middle).
{ grep '^op' "$out.tmp"; grep -v '^op' "$out.tmp"; } > "$out"
rm -f "$out.tmp"
column -t "$out"
