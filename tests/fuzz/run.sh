#!/bin/bash
# Build the libFuzzer targets of the portable core (clang, ASan + UBSan) and
# run each for a fixed time, starting from the corpus of earlier runs.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]    SECONDS per target, default 20
# Prints "PASS fuzz-NAME" or "FAIL fuzz-NAME" per target; a failing input is
# kept as build/fuzz/NAME/crash-* (replay: build/fuzz/NAME/fuzz_NAME FILE).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-20}
shift || true
targets=${*:-tcpopt synproxy sched}
out=$top/build/fuzz
core=$top/kmod/core
rc=0

command -v clang >/dev/null || { echo "FAIL fuzz-build (no clang)"; exit 1; }
for t in $targets; do
	dir=$out/$t
	mkdir -p "$dir/corpus"
	if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Werror -I"$core" -I"$top/uapi" -o "$dir/fuzz_$t" \
		"$top/tests/fuzz/fuzz_$t.c" "$core"/csum.c "$core"/tcpopt.c "$core"/sched.c \
		"$core"/synproxy.c >"$dir/build.log" 2>&1; then
		cat "$dir/build.log"
		echo "FAIL fuzz-$t"
		rc=1
		continue
	fi
	# -seed: repeatable for a given corpus; the corpus grows across runs.
	if (cd "$dir" && "./fuzz_$t" -max_total_time="$secs" -seed=1 -max_len=256 \
		-print_final_stats=1 corpus >"$dir/run.log" 2>&1); then
		echo "PASS fuzz-$t ($(grep -o 'stat::number_of_executed_units: *[0-9]*' \
			"$dir/run.log" | grep -o '[0-9]*$') inputs in ${secs}s)"
	else
		tail -n 30 "$dir/run.log"
		echo "FAIL fuzz-$t"
		rc=1
	fi
done
exit $rc
