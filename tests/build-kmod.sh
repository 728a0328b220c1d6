#!/bin/bash
# Build nft_lvs.ko for one kernel in its own tree under build/, so that the
# module can be built for several kernels side by side.
#   tests/build-kmod.sh KVER   -> prints the path of the built .ko
set -euo pipefail
kver=${1:?usage: build-kmod.sh KVER}
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=/lib/modules/$kver/build
[ -d "$kdir" ] || { echo "build-kmod: no kernel build tree $kdir" >&2; exit 1; }
out=$top/build/kmod-$kver
mkdir -p "$out"
# Copy only what changed so that kbuild's incremental build still works.
cp -ru "$top/Kbuild" "$top/kmod" "$top/uapi" "$out/"
log=$out/build.log
if ! make -s -C "$kdir" M="$out" modules W=1 >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-kmod: build failed for $kver" >&2
	exit 1
fi
# Warnings are errors for us; the BTF notice is not a warning.
if grep -v 'Skipping BTF generation' "$log" | grep -q .; then
	cat "$log" >&2
	echo "build-kmod: the build for $kver printed warnings" >&2
	exit 1
fi
echo "$out/kmod/nft_lvs.ko"
