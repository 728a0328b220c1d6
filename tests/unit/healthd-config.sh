#!/bin/sh
# nftlvs-healthd -t: valid configs pass, and every kind of mistake is refused
# with the file, line and column of the token at fault and a non-zero exit.
# No kernel is needed: -t never touches nf_tables.
#
# HEALTHD overrides the binary (default: the one built in ../healthd).

HEALTHD=${HEALTHD:-../healthd/nftlvs-healthd}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0

# expect EXIT_CODE EXPECTED_OUTPUT CONFIG_TEXT (stdout and stderr together)
expect() {
	printf '%s\n' "$3" >"$dir/c.conf"
	out=$("$HEALTHD" -t -f "$dir/c.conf" 2>&1)
	rc=$?
	want=$(printf '%s' "$2" | sed "s|@|$dir/c.conf|")
	if [ "$rc" = "$1" ] && [ "$out" = "$want" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: config:\n%s\ngave exit %s, output:\n%s\nwanted exit %s:\n%s\n' \
			"$3" "$rc" "$out" "$1" "$want" >&2
	fi
}
bad() { expect 1 "nftlvs-healthd: @:$1" "$2"; }

# The example that make install puts beside the documentation.
out=$("$HEALTHD" -t -f "${srcdir:-.}/../healthd/healthd.conf.example" 2>&1)
case $out in
*"2 pools, 5 servers: the configuration is valid") passed=$((passed + 1)) ;;
*) failed=$((failed + 1)); echo "FAIL: example config: $out" >&2 ;;
esac

expect 0 "@: 1 pool, 3 servers: the configuration is valid" 'pool web {
	set inet lb web; inhibit; sorry [2001:db8::99]:80 weight 2
	check https { host www.example.com; path /hc?x=1; status 200-204
		digest sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 }
	server [2001:db8::1]:443 weight 0
	server 2001:db8::2 { check tcp { port 22; source 2001:db8::254 } }
	server [2001:db8::3]:443 up   # comment
}'
expect 0 "@: 1 pool, 1 servers: the configuration is valid" 'status-socket /tmp/x.sock
pool a { set ip t s; server 10.0.0.1:53 { check udp { send "\x00\x01q\"\\"; expect ""; timeout 20ms } } }'

bad '2:1: no pool is configured' '# nothing'
bad '1:1: unknown statement '"'"'pools'"'"' (known: pool, status-socket)' 'pools x {}'
bad '1:6: expected a pool name (letters, digits, _ - .), got '"'"'{'"'"'' 'pool { }'
bad '2:2: unknown pool statement '"'"'servers'"'"' (known: set inhibit sorry check server)' 'pool a {
	servers 10.0.0.1:80
}'
bad '1:1: pool a needs '"'"'set FAMILY TABLE NAME'"'"'' 'pool a { server 10.0.0.1:80 }'
bad '1:1: pool a has no server' 'pool a { set ip t s }'
bad '1:14: set: family '"'"'arp'"'"' is not ip, ip6 or inet' 'pool a { set arp t s; server 10.0.0.1:80 }'
bad '1:18: set: expected a set name, got end of statement' 'pool a { set ip t; server 10.0.0.1:80 }'
bad '3:9: server 10.0.0.1:80 is already in pool a (line 2)' 'pool a { set ip t s
	server 10.0.0.1:80
	server 10.0.0.1:80 }'
bad '1:29: server: expected ADDRESS[:PORT] (IPv6 as [ADDRESS]:PORT)' 'pool a { set ip t s; server 10.0.0.300:80 }'
bad '1:29: server: port '"'"'0'"'"' is not 1-65535' 'pool a { set ip t s; server 10.0.0.1:0 }'
bad '1:48: weight: '"'"'65536'"'"' is not a number from 0 to 65535' 'pool a { set ip t s; server 10.0.0.1:80 weight 65536 }'
bad '1:41: unknown server option '"'"'down'"'"' (known: weight N, up, { check ... })' 'pool a { set ip t s; server 10.0.0.1:80 down }'
bad '1:22: server 10.0.0.1 has no port and its tcp check none: give one of them a port' 'pool a { set ip t s; server 10.0.0.1 }'
bad '1:28: unknown check '"'"'icmp'"'"' (known: tcp http https udp exec)' 'pool a { set ip t s; check icmp; server 10.0.0.1:80 }'
bad '1:34: '"'"'path'"'"' is an option of http and https checks, not of tcp' 'pool a { set ip t s; check tcp { path /x }; server 10.0.0.1:80 }'
bad '1:43: interval: '"'"'2h'"'"' is not a duration from 1ms to 1h (like 500ms, 2s, 1m)' 'pool a { set ip t s; check tcp { interval 2h }; server 10.0.0.1:80 }'
bad '1:39: rise: '"'"'0'"'"' is not a number from 1 to 100' 'pool a { set ip t s; check tcp { rise 0 }; server 10.0.0.1:80 }'
bad '1:42: status: '"'"'299-200'"'"' is not a status or range from 100 to 599 (like 200 or 200-399)' 'pool a { set ip t s; check http { status 299-200 }; server 10.0.0.1:80 }'
bad '1:46: digest: expected '"'"'md5 HEX32'"'"' or '"'"'sha256 HEX64'"'"'' 'pool a { set ip t s; check http { digest md5 abcd }; server 10.0.0.1:80 }'
bad '1:40: path: '"'"'x'"'"' must start with '"'"'/'"'"' and hold no spaces or line breaks' 'pool a { set ip t s; check http { path x }; server 10.0.0.1:80 }'
bad '1:28: a udp check needs '"'"'send'"'"' (the request; "" sends an empty datagram)' 'pool a { set ip t s; check udp; server 10.0.0.1:80 }'
bad '1:28: an exec check needs a command' 'pool a { set ip t s; check exec {}; server 10.0.0.1:80 }'
bad '1:43: string not closed on its line' 'pool a { set ip t s; check exec { command "x
}; server 10.0.0.1:80 }'
bad '1:40: unknown escape '"'"'\q'"'"' (known: \n \r \t \\ \" \xHH)' 'pool a { set ip t s; check udp { send "\q" }; server 10.0.0.1:80 }'
bad '3:1: pools a and b maintain the same set ip t s' 'pool a { set ip t s; server 10.0.0.1:80 }
# the same set again
pool b { set ip t s; server 10.0.0.2:80 }'
bad '2:1: pool a is defined twice (first on line 1)' 'pool a { set ip t s; server 10.0.0.1:80 }
pool a { set ip t u; server 10.0.0.2:80 }'
bad '1:22: server 10.0.0.1:80 is also the pool'"'"'s sorry server' 'pool a { set ip t s; server 10.0.0.1:80; sorry 10.0.0.1:80 }'
bad '1:22: server 10.0.0.1:80: the check'"'"'s source address is of another family' 'pool a { set ip t s; server 10.0.0.1:80 { check tcp { source ::1 } } }'
bad '2:10: unexpected '"'"'weight'"'"': one statement per line or '"'"';'"'"'' 'pool a { set ip t s; server 10.0.0.1:80
	inhibit weight 80 }'
bad "3:1: the end of the file before the '}' of the pool" 'pool a { set ip t s
	server 10.0.0.1:80 { check tcp { port 22 } }'
bad "1:8: unexpected character 0x01" "$(printf 'pool a \001')"

# Not a config at all.
out=$("$HEALTHD" -t -f "$dir/missing.conf" 2>&1)
[ $? = 1 ] && [ "$out" = "nftlvs-healthd: $dir/missing.conf: No such file or directory" ] &&
	passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: missing file: $out" >&2; }
out=$("$HEALTHD" -t extra 2>&1)
[ $? = 2 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: extra argument: $out" >&2; }

echo "healthd-config: $passed passed, $failed failed"
[ "$failed" = 0 ]
