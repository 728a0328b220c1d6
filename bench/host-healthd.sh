#!/bin/bash
# host-healthd.sh RESULTS_DIR
#
# The benchmark phase "healthd" (bench/healthd.sh) natively on this machine's own kernel,
# in namespaces of its own: the daemon's CPU on a real core, where the guest's figures are
# inflated by emulation. Needs root, nf_tables, veth and network namespaces; nothing leaves
# the namespaces. Results: RESULTS_DIR/raw.tsv as bench/guest.sh writes them. HD_VARIANTS
# picks the pools as in bench/run.sh.
set -eu -o pipefail

out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bench/bin
mkdir -p "$out"
raw=$out/raw.tsv
: > "$raw"
rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$raw"; }
say() { echo "bench[host $(uname -r)]: $*"; }

# Names the guest would use: refuse to touch namespaces that are already there.
for ns in $(ip netns list | cut -d' ' -f1); do
	case $ns in h*-hlb | h*-hsrv)
		echo "host-healthd: namespace $ns exists (another run?); remove it first" >&2
		exit 1 ;;
	esac
done
# A phase that stops half-way leaves its namespaces (and their processes): all ours, since
# none was there before.
cleanup() {
	local ns
	for ns in $(ip netns list | cut -d' ' -f1); do
		case $ns in h*-hlb | h*-hsrv)
			ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
			ip netns del "$ns" ;;
		esac
	done
}
trap cleanup EXIT
# shellcheck source=healthd.sh
. "$top/bench/healthd.sh"
rec info host kernel "$(uname -r)"
rec info host cpus "$(nproc)"
rec info host native 1
say "phase healthd"
phase_healthd
say "done"
