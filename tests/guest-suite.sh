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

mkdir -p "/lib/modules/$kver/updates"
cp "$ko" "/lib/modules/$kver/updates/"
depmod -a "$kver"

export TOP=$top
export LVSRULE=$top/build/host/tests/tools/lvsrule
export NFTLVS=$top/build/host/nft-plugin/nftlvs
export NFT_LVS_KO=$ko
exec "$top/tests/lib/runner.sh" "$results" "$@"
