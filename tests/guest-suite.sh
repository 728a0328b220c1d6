#!/bin/bash
# Runs inside the test VM: installs the freshly built module into the
# guest's (throw-away, overlay) module tree so that nf_tables can autoload
# it by alias, then runs the cases.
#   guest-suite.sh RESULTS_DIR KO CASE...
set -euo pipefail
results=$1 ko=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$(uname -r)

# Every CPU the VM was given must be online: races between CPUs are part of what the cases
# test, and a kernel that sees one CPU (a config without the firmware tables that describe
# the others) would pass them without ever racing.
cpus=$(sed -n 's/.*vmtest_cpus=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$cpus" ] && [ "$(nproc)" -lt "$cpus" ]; then
	echo "guest-suite: $(nproc) CPU(s) online, the VM has $cpus: $kver cannot see them all" >&2
	exit 1
fi

mkdir -p "/lib/modules/$kver/updates"
cp "$ko" "/lib/modules/$kver/updates/"
# build-kmod.sh indexed the kernel's modules with ours on the host; without its index, depmod
# here (slow: it reads every module over 9p).
index=$(dirname "$ko")/../depmod/lib/modules/$kver
if [ -f "$index/modules.dep.bin" ]; then
	cp "$index"/modules.* "/lib/modules/$kver/"
else
	depmod -a "$kver"
fi

export TOP=$top
export LVSRULE=$top/build/host/tests/tools/lvsrule
# The build tree's nftlvs is libtool's wrapper script, which sets the library path and execs
# the program: bash and sed on every call, twice the time of the call itself here. The
# cases run the program with the path set once.
if [ -x "$top/build/host/nft-plugin/.libs/nftlvs" ]; then
	export NFTLVS=$top/build/host/nft-plugin/.libs/nftlvs
	export LD_LIBRARY_PATH=$top/build/host/libnftnl-ext/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
else
	export NFTLVS=$top/build/host/nft-plugin/nftlvs
fi
# iptables and ip6tables find the FULLNAT, SYNPROXY-LB and LB-DISPATCH extensions of the
# build tree before their own.
export XTABLES_LIBDIR=$top/build/host/xtables/.libs:$(pkg-config --variable=xtlibdir xtables 2>/dev/null ||
	echo /usr/lib/x86_64-linux-gnu/xtables)
export NFT_LVS_KO=$ko
# Test-only helper (tests/kmod), loaded by the cases that need it.
export LVS_CSUM_TEST_KO=$(dirname "$ko")/../testmod/lvs_csum_test.ko
# After each case the runner has flushed the ruleset and deleted every namespace; once the
# namespaces are gone (asynchronously) nothing may still hold the module: a reference left
# over means a leak (a rule, a namespace or an object kept alive).
module_refs_left() {
	local refs _
	for _ in $(seq 1 150); do
		refs=$(awk '$1 == "nft_lvs" { print $3 }' /proc/modules)
		[ -n "$refs" ] && [ "$refs" != 0 ] || return 0
		sleep 0.1
	done
	echo "nft_lvs still has $refs reference(s) 15 s after the cleanup"
	ip netns list
	nft list ruleset | head -20
}
export -f module_refs_left
export RUNNER_CHECK=module_refs_left
if [ "${LVS_TEST_ACCT:-0}" != 1 ]; then
	exec "$top/tests/lib/runner.sh" "$results" "$@"
fi
# LVS_TEST_ACCT=1: every process of the run is accounted (BSD process accounting, the
# kernel's record of each exit) into RESULTS_DIR/acct, for tests/tools/acct-report.py:
# where the guest's CPU time goes. Straight into the results, so that a run that times
# out leaves its records too.
acct() { /usr/bin/python3 -S -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.acct(sys.argv[1].encode() if sys.argv[1] else None):
    sys.exit("acct: " + os.strerror(ctypes.get_errno()))' "$1"; }
: >"$results/acct"
acct "$results/acct"
status=0
"$top/tests/lib/runner.sh" "$results" "$@" || status=$?
acct ""
exit "$status"
