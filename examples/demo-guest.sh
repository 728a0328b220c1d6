#!/bin/bash
# Runs inside the demo VM.
set -euo pipefail
ko=$1
top=$(cd "$(dirname "$0")/.." && pwd)
lvsrule=$top/build/host/tests/tools/lvsrule
kver=$(uname -r)

say() { printf '\n\033[1m## %s\033[0m\n' "$*"; }

mkdir -p "/lib/modules/$kver/updates"
cp "$ko" "/lib/modules/$kver/updates/" && depmod -a

say "A virtual service table (the module is autoloaded by the first rule)"
nft -f - <<'NFT'
table ip lvs {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
	}
}
NFT
"$lvsrule" add ip lvs pre lb-dispatch
"$lvsrule" add ip lvs pre synproxy-lb mss=1460 wscale=7 flags=sack-perm,timestamp \
	fullnat pool=10.1.0.1:8080@3,10.1.0.2:8080,10.1.0.3:8080 laddrs=10.1.0.254,10.1.0.253 \
	sched=mh flags=toa
"$lvsrule" add ip lvs pre fullnat pool=10.1.0.1,10.1.0.2 laddrs=10.1.0.254 sched=sh
grep nft_lvs /proc/modules | cut -d' ' -f1-3

say "The rules as the kernel holds them"
"$lvsrule" list ip lvs pre

say "What stock nft shows of the same table (it drops rules it cannot parse)"
nft list ruleset

say "Per-namespace module state"
cat /proc/net/nft_lvs/stats

say "The kernel refuses bad input (port 0)"
"$lvsrule" add ip lvs pre fullnat pool=10.1.0.1:0 laddrs=10.1.0.254 || true

say "Not yet: packet forwarding (the datapath is the next step)"
