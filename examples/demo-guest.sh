#!/bin/bash
# Runs inside the demo VM: a client, a load balancer and three real servers
# on another subnet, each in its own network namespace; a FULLNAT web
# service and a UDP service; real traffic; what everyone saw.
set -euo pipefail
ko=$1
export TOP
TOP=$(cd "$(dirname "$0")/.." && pwd)
NFTLVS=$TOP/build/host/nft-plugin/nftlvs
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

say "The load balancer's ruleset, examples/demo.nft (the module is autoloaded by it)"
ip netns exec lb "$NFTLVS" -f "$TOP/examples/demo.nft"
ip netns exec lb "$NFTLVS" list ruleset

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

say "The pool is the map 'web': stock nft drains rs1 (weight 0) and adds rs1 back at weight 1 while rs3 leaves"
spread10() {
	ip netns exec client $LBTRAFFIC tcp "$VIP4" 80 --count 10 | json_get rs
}
ip netns exec lb nft -f - <<NFT
delete element ip lvs web { $RS4_1 . 8080 : 3 }
add element ip lvs web { $RS4_1 . 8080 : 0 }
NFT
echo "rs1 drained, the next 10 connections: $(spread10)"
ip netns exec lb nft -f - <<NFT
delete element ip lvs web { $RS4_1 . 8080 : 0, $RS4_3 . 8080 : 1 }
add element ip lvs web { $RS4_1 . 8080 : 1 }
NFT
echo "rs1 back at weight 1, rs3 removed: $(spread10)"
ip netns exec lb nft list map ip lvs web

say "UDP from five client addresses (sh keeps each client on one server)"
for src in 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6; do
	r=$(ip netns exec client $LBTRAFFIC udp "$VIP4" 53 --count 4 --src "$src" --sizes 64,1400,3000)
	echo "$src -> $(json_get rs <<<"$r")"
done

kill "$dump"; wait "$dump" 2>/dev/null || true
say "TOA: the client address inside TCP option 254, as rs1 received it"
$LBTRAFFIC tcpopts /tmp/rs1.pcap >/tmp/rs1.txt
grep -m 3 toa /tmp/rs1.txt

say "A spoofed SYN flood (20000 SYNs from random 198.18.0.0/16 addresses) while 20 real clients connect"
ip netns exec lb ip route add 198.18.0.0/16 via "$CLIENT4"
ip netns exec client "$TOP/build/host/tests/tools/synflood" "$VIP4" 80 198.18.0.0/16 20000 30 syn \
	>/tmp/flood.json &
flood=$!
out=$(ip netns exec client $LBTRAFFIC tcp "$VIP4" 80 --count 20 --parallel 4 --size 2000)
wait "$flood" || true
echo "flood: $(cat /tmp/flood.json)"
echo "real clients during the flood: ok $(json_get ok <<<"$out"), failed $(json_get failed <<<"$out")"
echo "connections in the table: $(lvs_stat conns) (the flood made none)"

say "nftlvs list stats: counters (zeros left out), services, real servers"
ip netns exec lb "$NFTLVS" list stats | awk 'NF != 2 || $2 != 0'
say "A few connections (nftlvs list connections)"
ip netns exec lb "$NFTLVS" list connections >/tmp/conns.txt
head -n 6 /tmp/conns.txt

say "The kernel refuses bad input, nothing is half-applied (a port of 0)"
ip netns exec lb "$NFTLVS" add rule ip lvs pre ip daddr 10.0.0.11 fullnat to 10.1.0.1:0 via 10.1.0.254 || true
disown -a	# the servers die with their namespaces; no job notices
topo_teardown
