#!/bin/bash
# guest-init.sh RESULTS_DIR CWD
#
# Stage 2 of the test VM: PID 1 after the initramfs switch_root'ed into the host's filesystem
# (read-only 9p + tmpfs overlay). Prepares a minimal system, runs RESULTS_DIR/cmd.sh (written
# by run.sh) in CWD with its output in RESULTS_DIR/output.log, records its exit status and the
# kernel log, and powers off.
#
# No "set -e": if PID 1 exits, the kernel panics (and the panic prints a Call Trace, which
# would read as a kernel problem). Every step reports its own failure and we carry on.
set -u

RESULTS=${1:-}
CWD=${2:-/}

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
VM_KVER=$(uname -r)
export VM_GUEST=1 VM_RESULTS="$RESULTS" VM_KVER
umask 022

say() { echo "guest-init: $*" >&2; }

poweroff_now() {
	sync
	# A reboot, not a power-off: QEMU runs with -no-reboot, so a reboot ends it just the
	# same, and a kernel without ACPI (the debug kernels) cannot power off: it halts and
	# QEMU would wait for its timeout. busybox's reboot -f calls reboot(2) directly; sysrq
	# 'b' is the fallback. PID 1 must not exit meanwhile (see above), hence the loop.
	busybox reboot -f 2>/dev/null
	echo b > /proc/sysrq-trigger
	while :; do sleep 1; done
}

# mnt TYPE DIR [OPTIONS] -- mount unless something is mounted there already.
mnt() {
	mkdir -p "$2"
	mountpoint -q "$2" && return 0
	mount -t "$1" ${3:+-o "$3"} "$1" "$2"
}

# First sign of life for run.sh, which boots a guest again that never gets here.
[ -z "$RESULTS" ] || : > "$RESULTS/booted" 2>/dev/null
mnt proc /proc || say "cannot mount /proc"
mnt sysfs /sys || say "cannot mount /sys"
mnt devtmpfs /dev || say "cannot mount /dev"
mnt devpts /dev/pts gid=5,mode=620,ptmxmode=666 || say "cannot mount /dev/pts"
mnt tmpfs /dev/shm mode=1777 || say "cannot mount /dev/shm"
# /run holds /run/netns (ip netns) and /tmp is the tests' scratch space: both must be fresh,
# not the host's contents. What the run needs from below them stays visible: the repository
# (CWD: a clone under /tmp is common) and the results share (run.sh -o /tmp/x) are parked
# while the fresh mounts go on, then put back at the same paths.
covered() {	# covered PATH: would the fresh /run or /tmp hide PATH?
	case $1 in /run | /run/* | /tmp | /tmp/*) return 0 ;; esac
	return 1
}
parked_results= parked_cwd=
if [ -n "$RESULTS" ] && mountpoint -q "$RESULTS"; then
	mkdir -p /.vm-results && mount --move "$RESULTS" /.vm-results && parked_results=1
fi
if covered "$CWD" && [ -d "$CWD" ]; then
	mkdir -p /.vm-cwd && mount --rbind "$CWD" /.vm-cwd && parked_cwd=1
fi
mnt tmpfs /run mode=0755 || say "cannot mount /run"
mnt tmpfs /tmp mode=1777 || say "cannot mount /tmp"
if [ -n "$parked_cwd" ]; then
	mkdir -p "$CWD" && mount --move /.vm-cwd "$CWD" ||
		say "cannot put the repository back at $CWD"
fi
if [ -n "$parked_results" ]; then
	mkdir -p "$RESULTS" && mount --move /.vm-results "$RESULTS" ||
		say "cannot put the results share back at $RESULTS"
fi
# Optional extras; tests that need them can check for them.
mnt cgroup2 /sys/fs/cgroup 2>/dev/null
mnt bpf /sys/fs/bpf mode=0700 2>/dev/null
mnt debugfs /sys/kernel/debug 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mkdir -p /var/tmp /var/run /run/lock

# A kernel built outside Debian's packages (tests/debug-kernel/) has no /lib/modules/KVER on the
# host: run.sh names its module tree (vmtest_modroot=) and it is copied in place (the overlay is
# writable), so that modprobe sees the built-in modules and depmod can add ours.
modroot=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^vmtest_modroot=//p')
if [ ! -d "/lib/modules/$VM_KVER" ] && [ -n "$modroot" ] && [ "$modroot" != / ]; then
	cp -a "$modroot/lib/modules/$VM_KVER" /lib/modules/ ||
		say "cannot copy the module tree from $modroot"
fi

hostname vmtest 2>/dev/null || echo vmtest > /proc/sys/kernel/hostname
ip link set lo up || say "cannot bring lo up"
ulimit -c 0
# Warnings are detected from the log by check-kernel-log.sh; a panic would lose the run.
echo 0 > /proc/sys/kernel/panic_on_warn 2>/dev/null

# Netfilter switches each of its hooks on and off across the whole kernel with a static key:
# the first base chain or conntrack user of a (family, hook) in any namespace patches the
# kernel's text, the last one leaving patches it back. The cases create and delete hundreds of
# namespaces, so the guest patches its text thousands of times a run while the other CPU runs
# that text. Under TCG that once ended in "Oops: int3" in ip_local_deliver: a CPU met the
# patching breakpoint after the patch was done. nft_lvs patches no text; the emulation's
# handling of code modified across CPUs is the likely fault. An unnamed namespace (out of the
# cleanup's reach) holding an empty chain at every hook keeps netfilter's keys on for the
# whole boot, so they are never patched again.
hold_hook_keys() {
	unshare --net sh -c '
		hold() {	# hold FAMILY CHAIN...: a table of empty base chains (one table a call, so
			# that a kernel without one family still holds the others)
			family=$1; shift
			{
				echo "table $family hold {"
				for chain; do echo "chain ${chain%% *} { type filter hook $chain priority 0; }"; done
				echo "}"
			} | nft -f - || echo "guest: cannot hold the $family hooks"
		}
		ip link set lo up
		for family in inet bridge; do
			hold $family prerouting input forward output postrouting
		done
		hold arp input output
		hold netdev "ingress device lo" "egress device lo"
		exec sleep infinity' < /dev/null > /dev/console 2>&1 &
}
command -v nft >/dev/null && command -v unshare >/dev/null && hold_hook_keys

# The kernel's once-only secrets are the same kind of key: the first use generates the secret
# and switches its key off (DO_ONCE), patching the text. A case's first connect died of
# "Oops: int3" in secure_ipv4_port_ephemeral on 6.12 twice, two cases connecting at once.
# One connect per family to a closed port on lo, alone, before any case runs, takes the port
# and sequence secret and (the refusal's socket lookup) the established-hash secrets.
for addr in 127.0.0.1 ::1; do
	(exec 3<>"/dev/tcp/$addr/9") 2>/dev/null
done

if [ -z "$RESULTS" ] || [ ! -f "$RESULTS/cmd.sh" ]; then
	say "no command to run (results dir '${RESULTS:-unset}' has no cmd.sh)"
	poweroff_now
fi

cd "$CWD" || say "cannot cd to $CWD; running in $(pwd)"
# Appending, not truncating: run.sh already follows the (empty) file with tail -f.
bash "$RESULTS/cmd.sh" >> "$RESULTS/output.log" 2>&1 < /dev/null
status=$?

echo "$status" > "$RESULTS/exit-status.tmp" && mv "$RESULTS/exit-status.tmp" "$RESULTS/exit-status"
dmesg > "$RESULTS/dmesg.log" 2>&1
poweroff_now
