#!/bin/bash
# bench/run.sh - nftlvs side by side with plain forwarding, IPVS NAT, nft conntrack NAT and
# stock nft synproxy, on every test kernel. One command, from a fresh Debian 12 machine:
#   1. installs the packages it needs (tests/setup-deps.sh, plus ipvsadm, valgrind,
#      python3-matplotlib, gdb),
#   2. builds userspace, the benchmark tools and nft_lvs.ko for each kernel,
#   3. boots one QEMU guest per kernel and measures all variants in that boot
#      (bench/guest.sh): packet rate, connection rate, SYN flood, connection-table cost,
#      nftlvs-healthd at 100 and 1000 servers (this phase also runs natively on the
#      host, bench/host-healthd.sh: the daemon's CPU on a real core); then the packet
#      rates once more in a guest on an instruction clock,
#   4. counts instructions of the portable core's operations with callgrind (bench_core),
#   5. prints the table and writes results.json, results.csv, table.md and plot.png.
#
#   bench/run.sh                 everything, results in build/bench/results-DATE/
#   KERNELS="6.1.0-56-amd64"     restricts the kernels
#   BENCH_PHASES="variants"      phases to run (default: variants flood table healthd icount;
#                                icount: the packet rates in the instruction-clock guest)
#   BENCH_QUICK=1                small counts, to try the command out (numbers meaningless)
#   HD_VARIANTS="100:tcp"        the healthd phase's pools (default: 100:tcp 1000:tcp 1000:http)
#   ICOUNT_PHASES="bulk_only"    what the instruction-clock guest runs (default: variants);
#   BULK_VARIANTS="ft cft f"     with bulk_only, the TCP bulk rows of these variants alone
#   BULK_REPS=7 BULK_BUF=4194304 the bulk rows' rounds and fixed socket buffers (0: autotuned)
#
# The guest is emulated (TCG): compare the variants of one run with each other; absolute
# numbers depend on the host and its load.
set -eu -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

tests/setup-deps.sh ipvsadm valgrind python3-matplotlib gdb

echo "== building userspace"
mkdir -p build
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >build/autoreconf.log 2>&1 || { cat build/autoreconf.log; exit 1; }
fi
mkdir -p build/host
(cd build/host &&
 { [ -f Makefile ] || ../../configure --quiet --disable-kmod; } &&
 make -s -j"$(nproc)")
mkdir -p build/bench/bin
for tool in connsrv connload bulk; do
	cc -O2 -Wall -Wextra -Werror -o "build/bench/bin/$tool" "bench/$tool.c"
done
clang -O2 -Wall -Werror -target bpf -I"/usr/include/$(gcc -dumpmachine)" \
	-c bench/xdp-pass.c -o build/bench/bin/xdp-pass.o

out=$top/build/bench/results-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
[ -n "${BENCH_PHASES:-}" ] || ln -sfn "$(basename "$out")" build/bench/latest
# What was measured: the commit, and whether the module's sources differ from it.
{
	git describe --always --dirty 2>/dev/null || echo unknown
	git status --short -- kmod uapi Kbuild 2>/dev/null
} > "$out/source.txt"

# The host's CPU time for the fixed work that guest.sh's healthd phase also times in the
# guest (best of three): their ratio says how much the guest's CPU figures are inflated.
host_calib() {
	local best="" u
	TIMEFORMAT='%U %S'
	for _ in 1 2 3; do
		u=$( { time eval "$1"; } 2>&1 | awk '{ print $1 + $2 }')
		best=$(printf '%s\n' $best "$u" | sort -g | head -n1)
	done
	echo "$best"
}
{
	printf 'calib_loop_s\t%s\n' "$(host_calib "awk 'BEGIN { for (i = 0; i < 2000000; i++) s += i % 7 }' >/dev/null")"
	printf 'calib_syscall_s\t%s\n' "$(host_calib "dd if=/dev/zero of=/dev/null bs=64 count=50000 2>/dev/null")"
	printf 'load\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/host-calib.tsv"

# The wall-clock guest's phases, and whether the instruction-clock guest runs.
phases=${BENCH_PHASES:-variants flood table healthd icount}
guest_phases=$(printf '%s\n' $phases | { grep -vx icount || true; } | paste -sd' ')
case " $phases " in *" icount "*) icount=1 ;; *) icount="" ;; esac

# The daemon's CPU on a real core first, while nothing else of the benchmark runs.
case " $phases " in
*" healthd "*)
	echo "== healthd (natively, host kernel $(uname -r))"
	bench/host-healthd.sh "$out/host-$(uname -r)" ||
		echo "bench: the host's healthd phase failed" >&2
	;;
esac

# guest_params NAME... - the named settings this command was given, as lines of the guest's
# params.sh (the guest's defaults stand for the others).
guest_params() {
	local name
	for name in "$@"; do
		[ -z "${!name:-}" ] || printf '%s="%s"\n' "$name" "${!name}"
	done
}

kernels=${KERNELS:-$(tests/vm/kernels.sh)}
[ -n "$kernels" ] || { echo "bench: no kernel to boot" >&2; exit 1; }
for kver in $kernels; do
	[ -n "$guest_phases" ] || break
	echo "== kernel $kver"
	ko=$(tests/build-kmod.sh "$kver")
	mkdir -p "$out/$kver"
	# The connection object's size, from the module's debug information.
	gdb -batch -ex 'print sizeof(struct lvs_conn)' "$ko" 2>/dev/null |
		sed -n 's/^\$1 = //p' > "$out/$kver/lvs_conn_size" || true
	{
		echo "BENCH_PHASES=\"$guest_phases\""
		guest_params HD_VARIANTS BULK_BUF BULK_REPS
		if [ -n "${BENCH_QUICK:-}" ]; then
			echo "PKTS=30000 PPS_REPS=1 BULK_REPS=1 CPS_SECS=2 CPS_ROUNDS=1 FLOOD_SECS=2 FLOOD_ROUNDS=1 FILL1=20000 FILL2=30000"
		fi
	} > "$out/$kver/params.sh"
	# slab_nomerge: the lvs_conn cache keeps its own line in /proc/slabinfo.
	# Memory: a million connections plus the rest of the guest. Time: the healthd phase
	# alone can take 15 minutes in a guest that cannot keep up.
	cut -d' ' -f1-3 /proc/loadavg > "$out/$kver/host-load-before"
	status=0
	VM_APPEND="slab_nomerge" tests/vm/run.sh -k "$kver" -o "$out/$kver" -t 2400 -m 2048 -- \
		"$top/bench/guest.sh" "$out/$kver" "$ko" || status=$?
	echo "$status" > "$out/$kver/vm-status"
	cut -d' ' -f1-3 /proc/loadavg > "$out/$kver/host-load-after"
	[ "$status" = 0 ] || echo "bench: the VM for $kver ended with status $status" >&2

done

for kver in $kernels; do
	[ -n "$icount" ] || break
	# The packet rates again in a guest whose clock counts instructions (1 ns each): what
	# the host's load does to the wall-clock figures above does not reach these. CPU model
	# qemu64: with "max" this mode once raised a stray debug exception in the guest kernel.
	echo "== kernel $kver, instruction clock"
	ko=$(tests/build-kmod.sh "$kver")
	mkdir -p "$out/$kver/icount"
	{
		echo "BENCH_PHASES=\"${ICOUNT_PHASES:-variants}\""
		guest_params BULK_VARIANTS BULK_BUF BULK_REPS
		if [ -n "${BENCH_QUICK:-}" ]; then
			echo "PKTS=20000 PPS_REPS=1 BULK_REPS=1 CPS_ROUNDS=0"
		else
			echo "PKTS=100000 PPS_REPS=5 CPS_ROUNDS=0"
		fi
	} > "$out/$kver/icount/params.sh"
	status=0
	VM_CPU=qemu64 VM_ICOUNT=0 VM_APPEND="slab_nomerge" tests/vm/run.sh -k "$kver" -o "$out/$kver/icount" \
		-t 2400 -m 2048 -- "$top/bench/guest.sh" "$out/$kver/icount" "$ko" || status=$?
	echo "$status" > "$out/$kver/icount/vm-status"
	[ "$status" = 0 ] || echo "bench: the instruction-clock VM for $kver ended with status $status" >&2
done

echo "== callgrind (portable core, host)"
bench/callgrind.sh "$top/build/host/tests/bench/bench_core" "$out/callgrind.tsv"

echo "== report"
/usr/bin/python3 bench/report.py "$out"
echo "results: $out"
