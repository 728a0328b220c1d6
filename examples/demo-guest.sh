#!/bin/bash
# Runs inside the demo VM: a client, a load balancer and three real servers
# on another subnet, each in its own network namespace; a FULLNAT web
# service and a UDP service; real traffic; what everyone saw.
set -euo pipefail
ko=$1
export TOP
TOP=$(cd "$(dirname "$0")/.." && pwd)
export LVSRULE=$TOP/build/host/tests/tools/lvsrule
kver=$(uname -r)
mkdir -p "/lib/modules/$kver/updates"
cp "$ko" "/lib/modules/$kver/updates/" && depmod -a

. "$TOP/tests/lib/assert.sh"
. "$TOP/tests/lib/lvs.sh"
. "$TOP/tests/lib/topology.sh"
say() { printf '\n\033[1m## %s\033[0m\n' "$*"; }

say "Topology: client $CLIENT4 -> lb (VIP $VIP4; local addresses $LIP4_1, $LIP4_2) -> rs1..rs3 ($RS4_1-$RS4_3)"
topo_setup
topo_add_client_addrs
for ns in rs1 rs2 rs3; do ip -n "$ns" route del default; done
echo "The real servers have no route to the client subnet:"
ip -n rs1 route

say "Real servers: a TCP echo service on :8080 and a UDP one on :5353"
lvs_start_servers 8080
lvs_start_servers 5353 --udp

say "The load balancer's ruleset (the module is autoloaded by the first rule)"
lvs_service_table "$VIP4" 80 tcp
ip netns exec lb nft add chain ip lvs dns
ip netns exec lb nft insert rule ip lvs pre ip daddr "$VIP4" udp dport 53 jump dns
ip netns exec lb "$LVSRULE" add ip lvs svc fullnat \
	"pool=$RS4_1:8080@3,$RS4_2:8080,$RS4_3:8080" "laddrs=$LIP4_1,$LIP4_2" sched=wrr flags=toa
ip netns exec lb "$LVSRULE" add ip lvs dns fullnat \
	"pool=$RS4_1:5353,$RS4_2:5353,$RS4_3:5353" "laddrs=$LIP4_1" sched=sh
ip netns exec lb "$TOP/build/host/nft-plugin/nftlvs" list table ip lvs

say "What the real servers see: capturing rs1's handshake ACKs"
ip netns exec rs1 tcpdump -U -s 200 -i eth0 -w /tmp/rs1.pcap 'tcp dst port 8080' 2>/dev/null &
dump=$!
sleep 1

say "50 TCP connections (random payloads up to 1 MB, checked byte for byte)"
out=$(ip netns exec client $LBTRAFFIC tcp "$VIP4" 80 --count 50 --parallel 5 \
	--sizes 100,20000,1000000,5)
echo "$out" | /usr/bin/python3 -c 'import json,sys
r=json.load(sys.stdin)
print("ok %d, failed %d" % (r["ok"], r["failed"]))
print("connections per real server (weights 3:1:1):", r["rs"])
print("peer address the real servers saw:", r["peers"])'

say "UDP from five client addresses (sh keeps each client on one server)"
for src in 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6; do
	r=$(ip netns exec client $LBTRAFFIC udp "$VIP4" 53 --count 4 --src "$src" --sizes 64,1400,3000)
	echo "$src -> $(json_get rs <<<"$r")"
done

kill "$dump"; wait "$dump" 2>/dev/null || true
say "TOA: the client address inside TCP option 254, as rs1 received it"
$LBTRAFFIC tcpopts /tmp/rs1.pcap >/tmp/rs1.txt
grep -m 3 toa /tmp/rs1.txt

say "Module counters (/proc/net/nft_lvs/stats) and real servers"
ip netns exec lb grep -vE ' 0$' /proc/net/nft_lvs/stats
ip netns exec lb column -t /proc/net/nft_lvs/real
say "A few connections (/proc/net/nft_lvs/conns)"
ip netns exec lb cat /proc/net/nft_lvs/conns >/tmp/conns.txt
head -n 6 /tmp/conns.txt | column -t

say "The kernel refuses bad input (port 0)"
ip netns exec lb "$LVSRULE" add ip lvs svc fullnat "pool=$RS4_1:0" "laddrs=$LIP4_1" || true
disown -a	# the servers die with their namespaces; no job notices
topo_teardown
