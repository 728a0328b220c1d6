# shellcheck shell=bash
# ha.sh - helpers for the high-availability cases (ha-vrrp, ha-ecmp): namespaces joined by
# veth pairs and bridges, echo servers, polling and timing. Source after assert.sh and
# lvs.sh (for LBTRAFFIC).
#
# Namespace names are $HA_PREFIX + the name given (prefix empty by default).

HA_PREFIX=${HA_PREFIX:-}
HA_NAMESPACES=

# hx NAME CMD... - run CMD in namespace $HA_PREFIX$NAME.
hx() {
	local ns=$HA_PREFIX$1
	shift
	ip netns exec "$ns" "$@"
}

# ha_ns NAME... - new namespaces, loopback up, DAD and reverse-path filtering off,
# forwarding on (IPv4 and IPv6) (every node here routes or answers, none filters), and orphaned TCP
# sockets (a daemon killed while its peer is gone) given up after one retry: they hold
# their namespace, and with it the rules and the module, until they die.
ha_ns() {
	local n ns
	for n in "$@"; do
		ns=$HA_PREFIX$n
		ip netns del "$ns" 2>/dev/null
		ip netns add "$ns" || { echo "ha_ns: cannot create namespace $ns" >&2; return 1; }
		HA_NAMESPACES="$HA_NAMESPACES $ns"
		ip netns exec "$ns" sh -c 'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad &&
			echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad &&
			echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter &&
			echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter &&
			echo 1 > /proc/sys/net/ipv4/ip_forward &&
			echo 1 > /proc/sys/net/ipv6/conf/all/forwarding &&
			echo 1 > /proc/sys/net/ipv4/tcp_orphan_retries' &&
		ip -n "$ns" link set lo up || { echo "ha_ns: setting up $ns failed" >&2; return 1; }
	done
}

# ha_veth NS1 IF1 NS2 IF2 - a veth pair between two namespaces, both ends up.
ha_veth() {
	ip -n "$HA_PREFIX$1" link add "$2" type veth peer name "$4" netns "$HA_PREFIX$3" &&
	ip -n "$HA_PREFIX$1" link set "$2" up &&
	ip -n "$HA_PREFIX$3" link set "$4" up ||
		{ echo "ha_veth: $1:$2 <-> $3:$4 failed" >&2; return 1; }
}

# ha_switch NS BR NODE:IF... - a bridge BR in NS (a switch: no STP, no multicast snooping,
# so VRRP adverts and ARP reach every port at once) with one veth port per NODE, whose end
# in NODE is IF.
ha_switch() {
	local sw=$1 br=$2 port node ifname i=0
	shift 2
	ip -n "$HA_PREFIX$sw" link add "$br" type bridge stp_state 0 mcast_snooping 0 &&
	ip -n "$HA_PREFIX$sw" link set "$br" up || { echo "ha_switch: bridge $br failed" >&2; return 1; }
	for port in "$@"; do
		node=${port%%:*} ifname=${port#*:}
		i=$((i + 1))
		ha_veth "$node" "$ifname" "$sw" "$br-p$i" || return 1
		ip -n "$HA_PREFIX$sw" link set "$br-p$i" master "$br" || return 1
	done
}

# ha_addr NS IF ADDR/LEN... - addresses on an interface.
ha_addr() {
	local ns=$1 ifname=$2 a
	shift 2
	for a in "$@"; do
		ip -n "$HA_PREFIX$ns" addr add "$a" dev "$ifname" ||
			{ echo "ha_addr: $a on $ns:$ifname failed" >&2; return 1; }
	done
}

# ha_teardown - kill what runs in our namespaces and delete them.
ha_teardown() {
	local ns pids
	for ns in $HA_NAMESPACES; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	HA_NAMESPACES=
	return 0
}

# ha_servers "LISTENER..." NS... - lbtraffic echo servers named after their namespace in
# each NS, one per LISTENER (PORT[/v6], TCP), waited for until they listen (up to 60 s: a
# loaded emulated machine starts python slowly).
ha_servers() {
	local listeners=$1 n
	shift
	for n in "$@"; do
		# shellcheck disable=SC2086 # a list of listeners
		hx "$n" $LBTRAFFIC serve "$n" $listeners >"${CASE_TMP:-/tmp}/server-$n.log" 2>&1 &
	done
	for n in "$@"; do
		ha_wait 60 sh -c "[ \$(ip netns exec '$HA_PREFIX$n' ss -ltnH | wc -l) -ge $(wc -w <<<"$listeners") ]" ||
			{ echo "ha_servers: $n does not listen on all of $listeners" >&2; return 1; }
	done
}

# ha_now - seconds since the epoch, with nanoseconds.
ha_now() { date +%s.%N; }

# ha_since T0 - seconds elapsed since T0 (from ha_now), two decimals.
ha_since() { echo "scale=2; ($(date +%s.%N) - $1) / 1" | bc; }

# ha_wait SECONDS CMD... - run CMD every 0.1 s until it succeeds (0) or SECONDS passed (1).
ha_wait() {
	local end
	end=$(echo "$(date +%s.%N) + $1" | bc)
	shift
	while :; do
		"$@" && return 0
		[ "$(echo "$(date +%s.%N) > $end" | bc)" = 1 ] && return 1
		sleep 0.1
	done
}

# ha_has_addr NS ADDR - ADDR is configured on an interface of NS.
ha_has_addr() {
	ip -n "$HA_PREFIX$1" -o addr show 2>/dev/null | grep -q " inet $2/"
}

# ha_lvs_stat NS KEY - a counter of /proc/net/nft_lvs/stats in NS (0 without the module).
ha_lvs_stat() {
	local v
	v=$(hx "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/nft_lvs/stats 2>/dev/null)
	echo "${v:-0}"
}

# ha_probe NS HOST PORT PEER SECONDS - from namespace NS, open a new TCP connection to
# HOST:PORT every 0.1 s (each with 0.5 s to complete) until one is answered by a server
# that saw PEER as its peer (a lip names the load balancer that carried it), for at most
# SECONDS. Prints the time of that connection (seconds since the epoch; exit 0), or
# "timeout" (exit 1); each change of outcome goes to stderr, with its time. Start it
# before the event it measures: its first line on stderr says it runs.
ha_probe() {
	local ns=$1
	shift
	hx "$ns" $PY - "$@" <<'PY'
import json, socket, sys, time
host, port, peer, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
t0 = time.time()
last = None
while time.time() - t0 < limit:
    start = time.time()
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect((host, port))
        s.sendall(b"probe")
        s.shutdown(socket.SHUT_WR)
        data = b""
        while b"\n" not in data:
            b = s.recv(4096)
            if not b:
                break
            data += b
        got = json.loads(data.split(b"\n", 1)[0])["peer"].rsplit(":", 1)[0]
        what = "through " + got
    except Exception as e:  # noqa: BLE001 - every outcome is logged
        got, what = None, type(e).__name__ + ": " + str(e)
    finally:
        s.close()
    if what != last:
        print("%.2f %s" % (time.time(), what), file=sys.stderr, flush=True)
        last = what
    if got == peer:
        print("%.2f" % time.time())
        sys.exit(0)
    time.sleep(max(0, 0.1 - (time.time() - start)))
print("timeout")
sys.exit(1)
PY
}
