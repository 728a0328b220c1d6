#!/bin/bash
# Build nft_lvs.ko for one kernel in its own tree under build/, so that the
# module can be built for several kernels side by side, and beside it the
# test-only helper module tests/kmod/lvs_csum_test.ko (testmod/).
#   tests/build-kmod.sh KVER   -> prints the path of the built .ko
#   tests/build-kmod.sh DIR    the same against a debug kernel built by tests/debug-kernel/
#                              (DIR as printed by its build.sh; its obj/ is the build tree)
set -euo pipefail
kver=${1:?usage: build-kmod.sh KVER|DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
case $kver in
*/*)
	[ -f "$kver/complete" ] ||
		{ echo "build-kmod: $kver is not a finished debug kernel build" >&2; exit 1; }
	kdir=$kver/obj
	modroot=$kver/modroot
	kver=$(cat "$kver/kernelrelease")
	;;
*)
	kdir=/lib/modules/$kver/build
	modroot=
	;;
esac
[ -d "$kdir" ] || { echo "build-kmod: no kernel build tree $kdir" >&2; exit 1; }
out=$top/build/kmod-$kver
mkdir -p "$out"
# Copy only what changed so that kbuild's incremental build still works.
cp -ru "$top/Kbuild" "$top/kmod" "$top/uapi" "$out/"
mkdir -p "$out/testmod"
cp -ru "$top/tests/kmod/." "$out/testmod/"

build() {	# build DIR NAME
	local log=$1/build.log
	if ! make -s -C "$kdir" M="$1" modules W=1 >"$log" 2>&1; then
		cat "$log" >&2
		echo "build-kmod: $2 failed to build for $kver" >&2
		exit 1
	fi
	# Warnings are errors for us; the BTF notice is not a warning.
	if grep -v 'Skipping BTF generation' "$log" | grep -q .; then
		cat "$log" >&2
		echo "build-kmod: the build of $2 for $kver printed warnings" >&2
		exit 1
	fi
}
build "$out" nft_lvs
build "$out/testmod" lvs_csum_test

# The kernel's module index with nft_lvs.ko added as updates/nft_lvs.ko, made here: depmod -a
# in the guest reads every module of the kernel over 9p under emulation (about a minute a
# boot, more with 6.12's compressed modules), on the host it takes seconds. The guest copies
# these index files over its own (guest-suite.sh). The kernel's module directories are linked,
# not copied.
index=$out/depmod/lib/modules/$kver
if [ ! -f "$index/modules.dep.bin" ] || [ "$out/kmod/nft_lvs.ko" -nt "$index/modules.dep.bin" ] ||
   [ "${modroot:-}/lib/modules/$kver/modules.dep" -nt "$index/modules.dep.bin" ]; then
	rm -rf "$out/depmod"
	mkdir -p "$index/updates"
	for entry in "${modroot:-}/lib/modules/$kver"/*; do
		name=${entry##*/}
		case $name in
		build | source | updates) ;;
		modules.*) [ -d "$entry" ] || cp "$entry" "$index/" ;;
		*) ln -s "$entry" "$index/$name" ;;
		esac
	done
	cp "$out/kmod/nft_lvs.ko" "$index/updates/"
	if ! depmod -b "$out/depmod" "$kver" || ! grep -q '^updates/nft_lvs.ko:' "$index/modules.dep"; then
		rm -rf "$out/depmod"
		echo "build-kmod: depmod could not index nft_lvs.ko for $kver" >&2
		exit 1
	fi
fi
echo "$out/kmod/nft_lvs.ko"
