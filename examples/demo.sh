#!/bin/bash
# The demo: installs what it needs, builds nftlvs, boots a test VM with
# Debian's kernel (this machine's kernel may not load modules) and shows
# the module at work inside it.
#   examples/demo.sh [KVER]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

tests/vm/run.sh -n	# says in one line, before any build, when a VM cannot run from here
tests/setup-deps.sh
mkdir -p build
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >build/autoreconf.log 2>&1 || { cat build/autoreconf.log; exit 1; }
fi
mkdir -p build/host
(cd build/host && { [ -f Makefile ] || ../../configure --quiet --disable-kmod; } && make -s -j"$(nproc)")

kver=${1:-$(tests/vm/kernels.sh | head -n1)}
ko=$(tests/build-kmod.sh "$kver")
echo "== booting Debian's kernel $kver in a VM"
results=$top/build/demo
rm -rf "$results"
mkdir -p "$results"
exec tests/vm/run.sh -k "$kver" -o "$results" -t 600 -- "$top/examples/demo-guest.sh" "$ko"
