#!/bin/bash
# tests/debug-kernel/build.sh SERIES   (SERIES: 6.1 or 6.12)
#
# Build a debug kernel (KASAN, UBSAN, lockdep, kmemleak, ...: nftlvs-debug.config) from Debian's
# linux-source-SERIES package: allnoconfig + the kernel's kvm_guest.config + base.config (what the
# guest's userland needs) + nftlvs-debug.config (debug options, what the cases need), once, and print the directory of the build. The directory is a
# cache outside the repository, keyed by the source package's version and a hash of the config
# inputs, so later runs only print it:
#
#   $NFTLVS_CACHE/debug-kernel/SRCVER-HASH/   (NFTLVS_CACHE defaults to /var/cache/nftlvs)
#     bzImage          the kernel tests/vm/run.sh -k DIR boots
#     kernelrelease    its "uname -r"
#     src/ obj/        source and object trees: obj/ is the kernel build tree for M= builds
#                      (tests/build-kmod.sh DIR)
#     modroot/lib/modules/KVER/   modules.builtin, modules.order, ... for the guest's modprobe
#     build.log, build-time        the build's output and its wall-clock time in seconds
#     complete         written last: a directory without it is an interrupted build, redone
#
# The build runs under "nice -n 10" with DEBUG_KERNEL_JOBS (default 2) jobs: other work shares
# the machine. The source package is installed when missing (tests/setup-deps.sh).
# No ccache: a config change rewrites include/generated/autoconf.h, which every object includes,
# so it would miss on every file anyway, and an unchanged config is served by this cache.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
series=${1:?usage: build.sh SERIES (6.1 or 6.12)}
case $series in
*[!0-9.]* | '') echo "debug-kernel: SERIES is a version like 6.1, got '$series'" >&2; exit 2 ;;
esac
jobs=${DEBUG_KERNEL_JOBS:-2}
cache=${NFTLVS_CACHE:-/var/cache/nftlvs}/debug-kernel
base=$here/base.config
fragment=$here/nftlvs-debug.config
# What one series names differently (6.1 still has nft_objref as an option, 6.12 builds it in).
fragments="$base $fragment"
[ ! -f "$here/series-$series.config" ] || fragments="$fragments $here/series-$series.config"
pkg=linux-source-$series

die() { echo "debug-kernel: $*" >&2; exit 1; }

# The source and what building it takes (beyond build-essential).
need=
for p in "$pkg" bc bison flex libelf-dev libssl-dev; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
	# shellcheck disable=SC2086
	"$top/tests/setup-deps.sh" $need >&2 || die "cannot install$need"
fi
srcver=$(dpkg-query -W -f='${Version}' "$pkg")
tarball=/usr/src/$pkg.tar.xz
[ -r "$tarball" ] || die "$pkg $srcver is installed but $tarball is missing"

# The key: whatever changes the kernel that comes out: the fragments, the compiler and the
# recipe below (bump RECIPE when changing how the config is made or what is built; comments and
# messages do not count, so editing them keeps the cache).
RECIPE=1
# shellcheck disable=SC2086
key=$( { cat $fragments; echo "recipe $RECIPE"; gcc --version | head -n1; } |
	sha256sum | cut -c1-12)
dir=$cache/$series-${srcver//[^A-Za-z0-9.+-]/_}-$key
mkdir -p "$dir"
exec 9>"$dir/lock"
flock 9	# a second run waits for the first one's build instead of racing it
if [ -f "$dir/complete" ]; then
	echo "$dir"
	exit 0
fi

src=$dir/src obj=$dir/obj
kmake() { nice -n 10 make -C "$src" O="$obj" "$@"; }
start=$(date +%s)
# "configured" marks an extracted and configured tree: a build that was interrupted after it
# (a session or machine that stopped) goes on where make left off instead of starting over.
if [ -f "$dir/configured" ]; then
	echo "debug-kernel: resuming the build of $pkg $srcver in $dir (nice, -j$jobs)" >&2
else
	echo "debug-kernel: building $pkg $srcver into $dir (nice, -j$jobs; takes a while)" >&2
	rm -rf "$dir/src" "$dir/obj" "$dir/modroot" "$dir/bzImage" "$dir/kernelrelease"
	mkdir -p "$dir/src" "$dir/obj"
	tar -xJf "$tarball" -C "$dir/src" --strip-components=1

	# allnoconfig + kvm_guest.config + our fragments, then olddefconfig resolves the rest.
	{
		kmake allnoconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
			"$src/kernel/configs/kvm_guest.config" $fragments &&
		kmake olddefconfig
	} > "$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; die "configuration failed"; }
fi

# Every option we asked for must have survived olddefconfig.
# shellcheck disable=SC2086
dropped=$(grep -hE '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' $fragments |
	while read -r line; do
		case $line in
		'# '*)	sym=${line#\# }; sym=${sym%% *}
			! grep -q "^$sym=" "$obj/.config" || echo "$line (got: $(grep "^$sym=" "$obj/.config"))" ;;
		*)	grep -qxF -- "$line" "$obj/.config" ||
				echo "$line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" || echo absent))" ;;
		esac
	done)
if [ -n "$dropped" ]; then
	printf 'debug-kernel: the final .config lacks requested options:\n%s\n' "$dropped" |
		sed '2,$s/^/  /' >&2
	exit 1
fi
touch "$dir/configured"
[ "${DEBUG_KERNEL_CONFIG_ONLY:-}" != 1 ] || { echo "$dir"; exit 0; }

kmake -j"$jobs" bzImage modules >> "$dir/build.log" 2>&1 ||
	{ tail -n 40 "$dir/build.log" >&2; die "kernel build failed (log: $dir/build.log)"; }
# No modules are expected (all =y), but modules_install also writes modules.builtin and
# modules.order, which the guest's modprobe needs to treat built-in modules as present.
kmake INSTALL_MOD_PATH="$dir/modroot" modules_install >> "$dir/build.log" 2>&1 ||
	{ tail -n 20 "$dir/build.log" >&2; die "modules_install failed"; }
kmake -s kernelrelease > "$dir/kernelrelease"
cp "$obj/arch/x86/boot/bzImage" "$dir/bzImage"
# modules_install points these at the tree; the guest has no use for them.
rm -f "$dir/modroot/lib/modules/$(cat "$dir/kernelrelease")"/{build,source}
echo $(( $(date +%s) - start )) > "$dir/build-time"
touch "$dir/complete"
echo "debug-kernel: built $(cat "$dir/kernelrelease") in $(cat "$dir/build-time") s" >&2
echo "$dir"
