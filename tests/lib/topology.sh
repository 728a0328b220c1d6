# shellcheck shell=bash
# topology.sh - the FULLNAT test network, built from network namespaces (source it; bash).
#
#   client                  lb                                   rs1, rs2, rs3
#   eth0 ------- veth ------ cli0                       rs1p --- veth --- eth0 (rs1)
#   10.0.0.2/24              10.0.0.1/24      rsbr ----- rs2p --- veth --- eth0 (rs2)
#   (+10.0.0.3-9)            VIP 10.0.0.10    (bridge)   rs3p --- veth --- eth0 (rs3)
#   2001:db8::2/64           2001:db8::1/64   lip 10.1.0.254, 10.1.0.253     10.1.0.N/24
#                            VIP 2001:db8::10     2001:db8:1::254, ::253     2001:db8:1::N/64
#
# The real servers live on their own subnet and route only through lb's local address (lip):
# their single route is the default via 10.1.0.254 / 2001:db8:1::254. That is the situation
# FULLNAT is for: after lb rewrites the source to a lip, replies come back to lb without the
# RS knowing anything about clients. (rs -> client still works by plain forwarding through lb,
# which is how a test can tell "lb forwarded it" from "lb translated it".)
#
# Namespace names are $TOPO_PREFIX + client, lb, rs1, rs2, rs3 (prefix empty by default; set
# it before sourcing).
# Functions: topo_setup, topo_teardown, topo_add_client_addrs, topo_offloads on|off, in_ns.

TOPO_PREFIX=${TOPO_PREFIX:-}
export NS_CLIENT=${TOPO_PREFIX}client
export NS_LB=${TOPO_PREFIX}lb
export NS_RS1=${TOPO_PREFIX}rs1 NS_RS2=${TOPO_PREFIX}rs2 NS_RS3=${TOPO_PREFIX}rs3
TOPO_NAMESPACES="$NS_CLIENT $NS_LB $NS_RS1 $NS_RS2 $NS_RS3"

# Addresses.
export CLIENT4=10.0.0.2 CLIENT6=2001:db8::2
export LB_C4=10.0.0.1 LB_C6=2001:db8::1
export VIP4=10.0.0.10 VIP6=2001:db8::10
export LIP4_1=10.1.0.254 LIP4_2=10.1.0.253
export LIP6_1=2001:db8:1::254 LIP6_2=2001:db8:1::253
export RS4_1=10.1.0.1 RS4_2=10.1.0.2 RS4_3=10.1.0.3
export RS6_1=2001:db8:1::1 RS6_2=2001:db8:1::2 RS6_3=2001:db8:1::3
# Added by topo_add_client_addrs, for tests that need several clients.
export CLIENT4_EXTRA="10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8 10.0.0.9"
export CLIENT6_EXTRA="2001:db8::3 2001:db8::4 2001:db8::5 2001:db8::6 2001:db8::7 2001:db8::8 2001:db8::9"

# Interface names (each in the namespace named in the comment).
export CLIENT_IF=eth0		# client, towards lb
export LB_IF_CLIENT=cli0	# lb, towards the client (carries VIP4/VIP6)
export LB_IF_RS=rsbr		# lb, bridge towards the real servers (carries the lips)
export LB_IF_RS1=rs1p LB_IF_RS2=rs2p LB_IF_RS3=rs3p	# lb, bridge ports
export RS_IF=eth0		# rsN, towards lb

# in_ns NAME CMD... - run CMD in namespace $TOPO_PREFIX$NAME (NAME: client, lb, rs1, ...).
in_ns() {
	local ns=$TOPO_PREFIX$1
	shift
	ip netns exec "$ns" "$@"
}

# _topo_sysctl NS KEY=VALUE... - in one process: sysctl(8) may be missing, and every exec
# costs ~0.1 s under TCG. /proc/sys/net belongs to the namespace of whoever opens it.
_topo_sysctl() {
	local ns=$1 kv key script=
	shift
	for kv in "$@"; do
		key=${kv%%=*}
		script="$script echo ${kv#*=} > /proc/sys/${key//.//} &&"
	done
	ip netns exec "$ns" sh -c "$script true"
}

# _topo_ip NS - run "ip" commands from stdin in namespace NS, one ip process (batch mode).
_topo_ip() {
	ip -n "$1" -batch - || { echo "topo_setup: ip commands in $1 failed" >&2; return 1; }
}

topo_setup() {
	local i ns
	topo_teardown
	for ns in $TOPO_NAMESPACES; do
		ip netns add "$ns" || { echo "topo_setup: cannot create namespace $ns" >&2; topo_teardown; return 1; }
		# accept_dad=0 before any interface exists (it is copied from "default" when one is
		# created), so IPv6 addresses work at once; rp_filter off because clients may spoof
		# source addresses.
		_topo_sysctl "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 ||
			{ topo_teardown; return 1; }
	done
	_topo_sysctl "$NS_LB" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		{ topo_teardown; return 1; }

	# client <-> lb, one veth pair.
	_topo_ip "$NS_CLIENT" <<-EOF || { topo_teardown; return 1; }
		link set lo up
		link add $CLIENT_IF type veth peer name $LB_IF_CLIENT netns $NS_LB
		addr add $CLIENT4/24 dev $CLIENT_IF
		addr add $CLIENT6/64 dev $CLIENT_IF nodad
		link set $CLIENT_IF up
		route add default via $LB_C4
		route add ::/0 via $LB_C6
	EOF

	# lb: VIPs on the client side; on the RS side one bridge holding the lips, so every RS
	# reaches every lip. No STP (ports forward at once), no multicast snooping (it can starve
	# IPv6 neighbour discovery while no MLD querier exists).
	_topo_ip "$NS_LB" <<-EOF || { topo_teardown; return 1; }
		link set lo up
		addr add $LB_C4/24 dev $LB_IF_CLIENT
		addr add $VIP4/32 dev $LB_IF_CLIENT
		addr add $LB_C6/64 dev $LB_IF_CLIENT nodad
		addr add $VIP6/128 dev $LB_IF_CLIENT nodad
		link set $LB_IF_CLIENT up
		link add $LB_IF_RS type bridge stp_state 0 mcast_snooping 0
		addr add $LIP4_1/24 dev $LB_IF_RS
		addr add $LIP4_2/24 dev $LB_IF_RS
		addr add $LIP6_1/64 dev $LB_IF_RS nodad
		addr add $LIP6_2/64 dev $LB_IF_RS nodad
		link set $LB_IF_RS up
	EOF

	# rsN: one veth each, the lb end a port of the bridge; the only way out is lb (see the
	# header).
	for i in 1 2 3; do
		_topo_ip "${TOPO_PREFIX}rs$i" <<-EOF || { topo_teardown; return 1; }
			link set lo up
			link add $RS_IF type veth peer name rs${i}p netns $NS_LB
			addr add 10.1.0.$i/24 dev $RS_IF
			addr add 2001:db8:1::$i/64 dev $RS_IF nodad
			link set $RS_IF up
			route add default via $LIP4_1
			route add ::/0 via $LIP6_1
		EOF
	done
	_topo_ip "$NS_LB" <<-EOF || { topo_teardown; return 1; }
		link set $LB_IF_RS1 master $LB_IF_RS up
		link set $LB_IF_RS2 master $LB_IF_RS up
		link set $LB_IF_RS3 master $LB_IF_RS up
	EOF
	# A process that stays in lb: /proc/$TOPO_LB_PID/net/ shows lb's /proc/net files to any
	# reader, without entering the namespace (lvs_stat reads counters so, with no process
	# started: a start costs a few tenths of a second in an emulated guest). Not a job of
	# the shell (a "wait" for all jobs would wait for it); topo_teardown kills it.
	ip netns exec "$NS_LB" sleep infinity </dev/null >/dev/null 2>&1 &
	TOPO_LB_PID=$!
	disown "$TOPO_LB_PID"
	# LVS_TEST_FASTPATH=1 (tests/run.sh): the ingress fast path on lb's devices from the
	# start, so that the established packets of every case take it.
	if [ "${LVS_TEST_FASTPATH:-0}" = 1 ]; then
		topo_fastpath_flowtable suite_fast | ip netns exec "$NS_LB" nft -f - ||
			{ echo "topo_setup: the fast path's flowtable" >&2; topo_teardown; return 1; }
	fi
}

# topo_add_client_addrs - the extra client addresses $CLIENT4_EXTRA / $CLIENT6_EXTRA.
topo_add_client_addrs() {
	local a
	for a in $CLIENT4_EXTRA; do
		ip -n "$NS_CLIENT" addr add "$a/24" dev "$CLIENT_IF" || return
	done
	for a in $CLIENT6_EXTRA; do
		ip -n "$NS_CLIENT" addr add "$a/64" dev "$CLIENT_IF" nodad || return
	done
}

# topo_fastpath_nft: the netdev table that puts the ingress fast path (lb-dispatch) on both
# of lb's devices, as nft text.
topo_fastpath_nft() {
	cat <<-EOF
		table netdev fast {
			chain cli {
				type filter hook ingress device "$LB_IF_CLIENT" priority 0; policy accept;
				lb-dispatch
			}
			chain rs {
				type filter hook ingress device "$LB_IF_RS" priority 0; policy accept;
				lb-dispatch
			}
		}
	EOF
}

# topo_fastpath_flowtable [TABLE]: the same fast path without a chain, as nftlvs's flowtable
# in a netdev table (default "fast"), hooked on both devices.
topo_fastpath_flowtable() {
	cat <<-EOF
		table netdev ${1:-fast} {
			flowtable fp {
				hook ingress priority 0; devices = { "$LB_IF_CLIENT", "$LB_IF_RS" };
			}
		}
	EOF
}

# topo_offloads on|off - checksum offload, TSO/GSO and GRO on the senders' veths (client and
# RS). "on" (the default after setup) makes lb see CHECKSUM_PARTIAL skbs and GSO super-packets;
# "off" makes it see plain, fully checksummed segments. End-to-end cases run both ways.
topo_offloads() {
	local v=${1:-} dev
	case $v in on|off) ;; *) echo "usage: topo_offloads on|off" >&2; return 2 ;; esac
	for dev in "$NS_CLIENT:$CLIENT_IF" "$NS_RS1:$RS_IF" "$NS_RS2:$RS_IF" "$NS_RS3:$RS_IF"; do
		# stdout only lists knock-on changes ("Actual changes: ...").
		ip netns exec "${dev%%:*}" ethtool -K "${dev#*:}" tx "$v" tso "$v" gso "$v" gro "$v" \
			>/dev/null || { echo "topo_offloads: ethtool failed on $dev" >&2; return 1; }
	done
}

# topo_teardown - kill what runs in our namespaces and delete them; safe to call repeatedly.
topo_teardown() {
	local ns pids existing
	existing=" $(ip netns list 2>/dev/null | awk '{ printf "%s ", $1 }')"
	for ns in $TOPO_NAMESPACES; do
		case $existing in *" $ns "*) ;; *) continue ;; esac
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
