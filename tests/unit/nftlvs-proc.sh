#!/bin/sh
# nftlvs list stats / list connections, without a kernel: the output formats
# (text and JSON) over fake /proc/net/nft_lvs files, and the messages when a
# file is missing.
#
# NFTLVS overrides the binary (default: the one built in ../nft-plugin).

NFTLVS=${NFTLVS:-../nft-plugin/nftlvs}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0

# expect EXIT_CODE EXPECTED_OUTPUT ARGS... (stdout and stderr together)
expect() {
	want_rc=$1 want_out=$2
	shift 2
	out=$(NFTLVS_PROC_DIR=$dir "$NFTLVS" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: nftlvs %s: exit %s, output:\n%s\nwanted exit %s:\n%s\n' \
			"$*" "$rc" "$out" "$want_rc" "$want_out" >&2
	fi
}

printf 'services 3\nsynproxy_syn 100\n' >"$dir/stats"
expect 0 "services     3
synproxy_syn 100" list stats
expect 0 '{"stats": {"services": 3, "synproxy_syn": 100}}' -j list stats

# With the services and real servers files: their tables follow.
printf 'proto virtual conns active inactive pkts_in pkts_out bytes_in bytes_out\n' >"$dir/services"
printf 'tcp 10.0.0.10:80 12 2 1 340 300 40000 900000\n' >>"$dir/services"
printf 'real conns active inactive pkts_in pkts_out bytes_in bytes_out\n' >"$dir/real"
printf '10.1.0.1:8080 12 2 1 340 300 40000 900000\n' >>"$dir/real"
expect 0 "services     3
synproxy_syn 100

proto  virtual       conns  active  inactive  pkts_in  pkts_out  bytes_in  bytes_out
tcp    10.0.0.10:80  12     2       1         340      300       40000     900000

real           conns  active  inactive  pkts_in  pkts_out  bytes_in  bytes_out
10.1.0.1:8080  12     2       1         340      300       40000     900000" list stats
expect 0 '{"stats": {"services": 3, "synproxy_syn": 100}, "services": [{"proto": "tcp", "virtual": "10.0.0.10:80", "conns": 12, "active": 2, "inactive": 1, "pkts_in": 340, "pkts_out": 300, "bytes_in": 40000, "bytes_out": 900000}], "reals": [{"real": "10.1.0.1:8080", "conns": 12, "active": 2, "inactive": 1, "pkts_in": 340, "pkts_out": 300, "bytes_in": 40000, "bytes_out": 900000}]}' \
	-j list stats
rm "$dir/services" "$dir/real"

expect 1 "Error: this nft_lvs module has no connection table (no $dir/conns): it is older than the FULLNAT datapath" \
	list connections

printf 'proto client virtual local real state expires\n' >"$dir/conns"
expect 0 "proto  client  virtual  local  real  state  expires" list connections
expect 0 '{"connections": []}' -j list connections
printf 'tcp 10.0.0.2:40312 10.0.0.10:80 10.1.0.254:5001 10.1.0.1:8080 ESTABLISHED 87\n' >>"$dir/conns"
printf 'udp [2001:db8::2]:5353 [2001:db8::10]:53 [2001:db8:1::254]:5002 [2001:db8:1::1]:53 UDP 300\n' >>"$dir/conns"
expect 0 "proto  client              virtual            local                   real                state        expires
tcp    10.0.0.2:40312      10.0.0.10:80       10.1.0.254:5001         10.1.0.1:8080       ESTABLISHED  87
udp    [2001:db8::2]:5353  [2001:db8::10]:53  [2001:db8:1::254]:5002  [2001:db8:1::1]:53  UDP          300" \
	list connections
expect 0 '{"connections": [{"proto": "tcp", "client": "10.0.0.2:40312", "virtual": "10.0.0.10:80", "local": "10.1.0.254:5001", "real": "10.1.0.1:8080", "state": "ESTABLISHED", "expires": 87}, {"proto": "udp", "client": "[2001:db8::2]:5353", "virtual": "[2001:db8::10]:53", "local": "[2001:db8:1::254]:5002", "real": "[2001:db8:1::1]:53", "state": "UDP", "expires": 300}]}' \
	-j list connections

rm -rf "$dir"
expect 1 "Error: the nft_lvs module is not loaded (no $dir): load it with modprobe nft_lvs" list stats

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
