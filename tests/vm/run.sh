#!/bin/bash
# run.sh [-v] [-k KVER] [-o RESULTS_DIR] [-t TIMEOUT_S] [-m MEM_MB] -- CMD [ARGS...]
# run.sh -n
#
# Boot a throw-away QEMU/TCG guest on kernel KVER with the host's root filesystem
# (read-only 9p + tmpfs overlay, see mkinitrd.sh) and run CMD ARGS in it, as root, in the
# repository's top directory. The machine's own kernel cannot load modules; the guest can.
#
#   -k KVER         kernel to boot (default: newest from kernels.sh): a Debian kernel's
#                   version (/boot/vmlinuz-KVER), or the directory of a debug kernel built by
#                   tests/debug-kernel/build.sh (its bzImage; its modroot/ stands in for the
#                   /lib/modules/KVER that the host lacks)
#   -o DIR          results directory (default: new build/vm-run.XXXXXX in the repository)
#   -t SECONDS      wall-clock limit for the whole VM (default 900)
#   -m MB           guest memory (default 1024)
#   -n              only check that a VM can run from this repository's path, say why not
#                   in one line (exit 2) and exit: callers do it before a long build
#   -v              also stream the serial console (kernel messages) to stdout; or VERBOSE=1
#   VM_APPEND       extra kernel command line arguments
#   VM_QEMU_EXTRA   extra QEMU arguments (split on spaces), e.g. "-s" for a gdb stub
#   VM_CPU          the emulated CPU model (default max)
#   VM_BOOT_LIMIT   seconds the guest has to reach its init (default 300): a boot that
#                   stalls before (once in a few boots of the 6.1 debug kernel, idle in early
#                   x86 setup) is killed and booted again, twice at most, and says so
#   VM_ICOUNT       N: an instruction clock, each guest instruction 2^N ns of guest time
#                   (QEMU's -icount, one CPU, idle time skipped): the guest's timings then
#                   count its instructions, whatever the host's load
#
# Results directory (shared writable into the guest at the same absolute path):
#   cmd.sh        CMD ARGS, quoted with printf %q (only paths go on the kernel command line,
#                 so any argument survives intact)
#   output.log    CMD's stdout+stderr. It is written through 9p as the guest runs and this
#                 script follows it with tail -f, so the command's output appears here live.
#                 (Picking it out of the serial console instead would mix it with kernel
#                 messages, which can land in the middle of a line.)
#   console.log   serial console: kernel messages at warning level and above, boot errors
#   dmesg.log     the full kernel log, saved by the guest just before power-off
#   exit-status   CMD's exit status
#
# Exit status: CMD's; 124 if the VM hit the time limit; 125 if the guest never reported a
# status (panic, crash, boot failure); 3 if CMD succeeded but the kernel log shows a problem
# (check-kernel-log.sh; the offending lines are printed as "vm: kernel problem: ...").
set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
	sed -n '2,2s/^# //p' "$0" >&2
	exit 2
}
die() { echo "vm: $*" >&2; exit 2; }

KVER=
RESULTS=
TIMEOUT=900
MEM=1024
VERBOSE=${VERBOSE:-0}
CHECK_ONLY=
while getopts "k:o:t:m:nvh" opt; do
	case $opt in
	k) KVER=$OPTARG ;;
	o) RESULTS=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	m) MEM=$OPTARG ;;
	v) VERBOSE=1 ;;
	n) CHECK_ONLY=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))

# Paths go on the kernel command line (space-separated, no quoting) and into QEMU's
# comma-separated -virtfs options: keep them plain.
check_path() {
	case $1 in
	*[!A-Za-z0-9._/+@:=-]*)
		die "the $2 path '$1' contains characters the VM command line cannot carry" \
		    "(allowed: letters, digits and ._/+@:=-); move it to a plain path" ;;
	esac
}
check_path "$REPO" repository
if [ -n "$CHECK_ONLY" ]; then
	exit 0
fi
[ $# -gt 0 ] || usage

case $TIMEOUT in ''|*[!0-9]*) die "-t wants whole seconds, got '$TIMEOUT'" ;; esac
case $MEM in ''|*[!0-9]*) die "-m wants megabytes, got '$MEM'" ;; esac

if [ -z "$KVER" ]; then
	KVER=$("$HERE/kernels.sh" | tail -n1)
	[ -n "$KVER" ] || die "no kernel with both /boot/vmlinuz-KVER and headers found"
fi
# MODROOT: the root under which lib/modules/KVER lives (the initramfs takes its modules from
# there, and the guest copies it in place when its own / lacks it).
case $KVER in
*/*)
	KDIR=$(cd "$KVER" 2>/dev/null && pwd) || die "no kernel build directory $KVER"
	[ -f "$KDIR/complete" ] || die "$KDIR is not a finished tests/debug-kernel/build.sh build"
	KVER=$(cat "$KDIR/kernelrelease")
	KIMAGE=$KDIR/bzImage
	MODROOT=$KDIR/modroot
	check_path "$MODROOT" "kernel modules"
	;;
*)
	KIMAGE=/boot/vmlinuz-$KVER
	MODROOT=/
	;;
esac
[ -r "$KIMAGE" ] || die "no readable $KIMAGE"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (install qemu-system-x86)"

if [ -z "$RESULTS" ]; then
	mkdir -p "$REPO/build"
	RESULTS=$(mktemp -d "$REPO/build/vm-run.XXXXXX")
else
	mkdir -p "$RESULTS"
	RESULTS=$(cd "$RESULTS" && pwd -P)
fi
check_path "$RESULTS" results
[ "$RESULTS" != / ] || die "the results directory cannot be /"

INITRD=$REPO/build/vm/initrd-$KVER.img
"$HERE/mkinitrd.sh" "$KVER" "$INITRD" "$MODROOT"

rm -f "$RESULTS"/{cmd.sh,output.log,console.log,dmesg.log,exit-status,booted} "$RESULTS"/console.stalled-*.log
{
	echo '#!/bin/bash'
	echo '# Written by tests/vm/run.sh; run in the guest by guest-init.sh.'
	printf '%q ' "$@"
	echo
} > "$RESULTS/cmd.sh"
: > "$RESULTS/output.log"
: > "$RESULTS/console.log"

# No network device: the guest's only traffic is between its own namespaces.
# RCU-stall and soft-lockup timeouts are raised (21 s -> 60 s, 20 s -> 60 s): an emulated CPU
# starved by a busy host must not read as a kernel bug; a real lockup lasts longer than that.
accel="-accel tcg,thread=multi"
smp=2
# One CPU: 6.1 hangs bringing up its second CPU on this clock.
[ -z "${VM_ICOUNT:-}" ] || accel="-accel tcg,thread=single -icount shift=$VM_ICOUNT,sleep=off" smp=1
boot() {
	# shellcheck disable=SC2086 # accel and VM_QEMU_EXTRA are lists of arguments
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
		$accel ${VM_QEMU_EXTRA:-} -smp $smp -cpu "${VM_CPU:-max}" -m "$MEM" \
		-nographic -no-reboot -nic none \
		-kernel "$KIMAGE" -initrd "$INITRD" \
		-append "console=ttyS0 quiet panic=-1 rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30 vmtest_init=$HERE/guest-init.sh vmtest_results=$RESULTS vmtest_cwd=$REPO vmtest_modroot=$MODROOT vmtest_cpus=$smp ${VM_APPEND:-}" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$RESULTS,mount_tag=results,security_model=none,multidevs=remap" \
		< /dev/null > "$RESULTS/console.log" 2>&1 &
	vm=$!
}
# timeout(1) puts QEMU in its own process group, out of reach of the terminal's Ctrl-C and of
# signals sent to this script alone: forward them. "wait" (unlike a foreground child) lets the
# trap run at once.
interrupted=
trap 'interrupted=1; kill -TERM $vm 2>/dev/null' INT TERM HUP
# guest-init.sh touches "booted" first thing. A guest without it by the limit has stalled
# before its init (and is idle: no lockup detector speaks); its console is kept.
boot_limit=${VM_BOOT_LIMIT:-300}
for attempt in 1 2 3; do
	boot
	waited=0
	while [ ! -e "$RESULTS/booted" ] && [ -z "$interrupted" ] && kill -0 $vm 2>/dev/null &&
		[ "$waited" -lt "$boot_limit" ]; do
		sleep 1
		waited=$((waited + 1))
	done
	[ ! -e "$RESULTS/booted" ] && [ -z "$interrupted" ] && kill -0 $vm 2>/dev/null &&
		[ "$attempt" -lt 3 ] || break
	kill -TERM $vm 2>/dev/null
	wait $vm 2>/dev/null
	mv "$RESULTS/console.log" "$RESULTS/console.stalled-$attempt.log"
	echo "vm: the guest did not reach its init in $boot_limit s (console ends:" \
	     "'$(sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r$//; s/qemu-system-x86_64: terminating.*//' \
		"$RESULTS/console.stalled-$attempt.log" | grep -v '^$' | tail -n 1)');" \
	     "booting it again" >&2
done

# Follow the output while the VM runs; --pid: tail exits once the VM has gone and everything
# written has been printed. In verbose mode the console joins in, minus the firmware's
# terminal escapes (SeaBIOS clears the screen) and CRs.
if [ "$VERBOSE" = 1 ]; then
	tail -q -n +1 -s 0.2 -f --pid=$vm "$RESULTS/output.log" "$RESULTS/console.log" |
		sed -u 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r$//' &
else
	tail -q -n +1 -s 0.2 -f --pid=$vm "$RESULTS/output.log" &
fi
follower=$!
until wait $follower || ! kill -0 $follower 2>/dev/null; do :; done
rc=0
until wait $vm; rc=$?; ! kill -0 $vm 2>/dev/null; do :; done
trap - INT TERM HUP
if [ -n "$interrupted" ]; then
	echo "vm: interrupted (results in $RESULTS)" >&2
	exit 130
fi

# Kernel log scan: the same message can be in both files; print it once.
logs=("$RESULTS/console.log")
[ ! -f "$RESULTS/dmesg.log" ] || logs=("$RESULTS/dmesg.log" "${logs[@]}")
problems=$("$HERE/check-kernel-log.sh" "${logs[@]}" |
	sed 's/^\[ *[0-9]*\.[0-9]*\] //' | awk '!seen[$0]++' || true)
if [ -n "$problems" ]; then
	printf '%s\n' "$problems" | sed 's/^/vm: kernel problem: /' >&2
fi

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "vm: timed out after $TIMEOUT s (kernel $KVER, results in $RESULTS)" >&2
	exit 124
fi
status=$(cat "$RESULTS/exit-status" 2>/dev/null || true)
case $status in
''|*[!0-9]*)
	echo "vm: the guest never reported an exit status (qemu exit $rc; kernel panic," \
	     "crash or boot failure?). Last console lines, from $RESULTS/console.log:" >&2
	tail -n 30 "$RESULTS/console.log" | tr -d '\r' | sed 's/^/vm:   /' >&2
	exit 125
	;;
esac
if [ -n "$problems" ]; then
	echo "vm: kernel $KVER logged problems (command exit $status; results in $RESULTS)" >&2
	[ "$status" -ne 0 ] || status=3
fi
exit "$status"
