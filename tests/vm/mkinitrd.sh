#!/bin/bash
# mkinitrd.sh KVER OUT [ROOT]
#
# Build the tiny initramfs that boots a test VM for kernel KVER: busybox-static plus the few
# modules needed to mount the host's root filesystem over 9p (virtio_pci, 9pnet_virtio, 9p,
# overlay and their dependencies). Its /init mounts the host's / read-only with a tmpfs overlay
# on top, mounts the writable "results" share, and switch_roots into the host's userland to run
# tests/vm/guest-init.sh. Everything else (nft, ip, our .ko) then comes from the host's files.
#
# OUT is rebuilt only when it is missing or older than this script, busybox or the kernel's
# modules.dep, so a normal run pays nothing for it.
#
# ROOT (default /) is where lib/modules/KVER is: a debug kernel built by tests/debug-kernel/
# has its own, outside /lib/modules. Modules that KVER has built in are simply left out.
set -eu -o pipefail

[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 KVER OUT [ROOT]" >&2; exit 2; }
KVER=$1
OUT=$2
ROOT=${3:-/}
MODDIR=${ROOT%/}/lib/modules/$KVER
ROOT_OPT=
[ "$ROOT" = / ] || ROOT_OPT=1
# Loaded in this order with their dependencies; on some kernels some are built in.
MODULES="virtio_pci 9pnet_virtio 9p overlay"

die() { echo "mkinitrd: $*" >&2; exit 1; }

BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || die "busybox not found (install busybox-static)"
# A dynamically linked busybox would need the host's libc inside the initramfs.
if file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked'; then
	die "$BUSYBOX is dynamically linked (install busybox-static)"
fi
[ -f "$MODDIR/modules.dep" ] || die "$MODDIR/modules.dep missing: is the kernel $KVER installed?"
command -v modprobe >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v modprobe >/dev/null || die "modprobe not found (install kmod)"

uptodate() {
	[ -s "$OUT" ] || return 1
	for dep in "$0" "$BUSYBOX" "$MODDIR/modules.dep"; do
		[ "$OUT" -nt "$dep" ] || return 1
	done
}
uptodate && exit 0

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/mkinitrd.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"/{bin,dev,proc,sys,etc,mnt,newroot,"lib/modules/$KVER"}

cp "$BUSYBOX" "$STAGE/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$STAGE/bin/$applet"
done
# The kernel opens /dev/console before running /init; without the node it warns and /init
# starts without stdio (it re-opens the console after mounting devtmpfs anyway).
mknod -m 600 "$STAGE/dev/console" c 5 1 2>/dev/null || true

# Resolve dependencies with the host's kmod against KVER's modules.dep, keep the first
# occurrence of each (deps repeat across the list), and decompress: busybox's insmod cannot
# load .ko.xz/.ko.zst/.ko.gz ("Invalid ELF header magic").
: > "$STAGE/etc/modules.load"
for mod in $MODULES; do
	# Without -d for /: modprobe would print its paths as //lib/modules/...
	deps=$(modprobe ${ROOT_OPT:+-d "$ROOT"} -S "$KVER" --show-depends "$mod") ||
		die "cannot resolve module $mod for $KVER"
	printf '%s\n' "$deps"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r src; do
	rel=${src#"$MODDIR"/}
	dst=$STAGE/lib/modules/$KVER/${rel%.ko*}.ko
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.ko.xz)  xz -dc "$src" ;;
	*.ko.zst) zstd -qdc "$src" ;;
	*.ko.gz)  gzip -dc "$src" ;;
	*.ko)     cat "$src" ;;
	*)        false ;;
	esac > "$dst.tmp" || die "cannot copy module $src"
	mv "$dst.tmp" "$dst"
	printf '%s\n' "${dst#"$STAGE"/lib/modules/"$KVER"/}" >> "$STAGE/etc/modules.load"
done

# The kernel's module indexes, with compressed names rewritten in the text modules.dep so that
# busybox modprobe would find the decompressed copies too (/init itself uses insmod in order).
cp "$MODDIR"/modules.* "$STAGE/lib/modules/$KVER/"
sed -i 's/\.ko\.\(xz\|zst\|gz\)\b/.ko/g' "$STAGE/lib/modules/$KVER/modules.dep"

cat > "$STAGE/init" <<'INIT'
#!/bin/sh
# Stage 1 of the test VM (runs from the initramfs as PID 1). Kernel command line:
#   vmtest_init=PATH     stage-2 script on the host's filesystem (tests/vm/guest-init.sh)
#   vmtest_results=PATH  where to mount the writable 9p share "results" (same path as on host)
#   vmtest_cwd=PATH      directory stage 2 runs the command in
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

die() {
	echo "vm-initramfs: $*"
	# panic=-1 plus QEMU's -no-reboot: powering off ends QEMU at once.
	poweroff -f
	sleep 10
}

for arg in $(cat /proc/cmdline); do
	case $arg in
	vmtest_init=*) GUEST_INIT=${arg#*=} ;;
	vmtest_results=*) RESULTS=${arg#*=} ;;
	vmtest_cwd=*) CWD=${arg#*=} ;;
	esac
done
[ -n "${GUEST_INIT:-}" ] || die "no vmtest_init= on the kernel command line"

KVER=$(uname -r)
while read -r mod; do
	insmod "/lib/modules/$KVER/$mod" || die "insmod $mod failed"
done < /etc/modules.load

# The host's / read-only over 9p (multidevs=remap on the QEMU side keeps inode numbers of
# different host filesystems apart), with a tmpfs overlay so the guest may write anywhere.
mkdir -p /mnt/lower /mnt/rw
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /mnt/lower ||
	die "cannot mount the host root (9p tag hostroot)"
mount -t tmpfs -o mode=0755 tmpfs /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work \
	overlay /newroot || die "cannot mount the overlay root"

if [ -n "${RESULTS:-}" ]; then
	mkdir -p "/newroot$RESULTS"
	# No cache: every write reaches the host at once (run.sh follows output.log live).
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results "/newroot$RESULTS" ||
		die "cannot mount the results share at $RESULTS"
fi

for fs in dev proc sys; do
	mount --move "/$fs" "/newroot/$fs" || die "cannot move /$fs"
done
# switch_root, not chroot: the new root must be the namespace's real root, or
# "ip netns add" fails ("Cannot open init namespace").
exec switch_root /newroot /bin/bash "$GUEST_INIT" "${RESULTS:-}" "${CWD:-/}"
die "switch_root failed"
INIT
chmod +x "$STAGE/init"

mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
