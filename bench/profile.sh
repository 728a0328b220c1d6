#!/bin/bash
# bench/profile.sh [VARIANT...] - where the packet path spends its instructions, per kernel
# function, for the benchmark's variants (default: a n m d; see bench/guest.sh for the
# letters). perf cannot sample an emulated guest usefully; this counts instead: each kernel
# boots on the instruction clock (as the benchmark's icount phase) with the insnprof QEMU
# plugin (bench/insnprof/), which counts every translation block's runs between two marks
# around PKTS packets of established flows; bench/insnprof/report.py maps the blocks to the
# guest's symbols and prints instructions per delivered packet, by function, and each
# variant's changes against the first.
#
#   bench/profile.sh             a n m d on every test kernel; build/bench/profile-DATE/
#   bench/profile.sh a d         two variants
#   KERNELS=... PKTS=50000 TOP=40
#   PROFILE_BULK=1 PKTS=20     a TCP bulk download of PKTS MB per variant instead of packets
#                              (offloads on): the figures are then instructions per MB
#   BULK_BUF=0                 its socket buffers autotuned (default: fixed, bench/guest.sh)
#
# Run bench/run.sh once first (it installs the packages and builds the tools this uses).
set -eu -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
variants=${*:-a n m d}
bin=$top/build/bench/bin
mkdir -p "$bin"
cc -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -o "$bin/insnprof.so" \
	bench/insnprof/insnprof.c
cc -O2 -Wall -Wextra -Werror -o "$bin/profmark" bench/insnprof/profmark.c
for tool in connsrv connload bulk; do
	[ -x "$bin/$tool" ] || cc -O2 -Wall -Wextra -Werror -o "$bin/$tool" "bench/$tool.c"
done
clang -O2 -Wall -Werror -target bpf -I"/usr/include/$(gcc -dumpmachine)" \
	-c bench/xdp-pass.c -o "$bin/xdp-pass.o"
[ -x build/host/nft-plugin/nftlvs ] || { echo "profile: build userspace first (bench/run.sh)" >&2; exit 1; }

out=$top/build/bench/profile-$(date +%Y%m%d-%H%M%S)
for kver in ${KERNELS:-$(tests/vm/kernels.sh)}; do
	echo "== kernel $kver"
	ko=$(tests/build-kmod.sh "$kver")
	dir=$out/$kver
	mkdir -p "$dir"
	{
		printf 'BENCH_PHASES="profile" PROFILE_VARIANTS="%s" PKTS=%s PROFILE_BULK=%s\n' \
			"$variants" "${PKTS:-50000}" "${PROFILE_BULK:-0}"
		[ -z "${BULK_BUF:-}" ] || echo "BULK_BUF=$BULK_BUF"
	} > "$dir/params.sh"
	VM_CPU=qemu64 VM_ICOUNT=0 VM_QEMU_EXTRA="-plugin $bin/insnprof.so,out=$dir/blocks.txt" \
		tests/vm/run.sh -k "$kver" -o "$dir" -t 1800 -m 2048 -- \
		"$top/bench/guest.sh" "$dir" "$ko"
	/usr/bin/python3 bench/insnprof/report.py "$dir" "${TOP:-25}" | tee "$dir/profile.txt"
done
echo "results: $out"
