#!/bin/bash
# guest.sh RESULTS_DIR KO
#
# The benchmark proper; runs inside the VM that bench/run.sh boots, once per kernel. Every
# variant gets its own copy of the topology (tests/lib/topology.sh, namespaces prefixed with
# the variant's name), so no variant sees another's hooks, conntrack or IPVS state:
#   a  plain IP forwarding through lb (the ceiling)
#   b  IPVS NAT (ipvsadm, rr)
#   c  nft conntrack dnat + snat on one conntrack entry (numgen rr, as nftlb writes it)
#   d  nftlvs lb-dispatch + fullnat (rr)
#   e  nftlvs lb-dispatch + synproxy-lb + fullnat (rr)
#   s  stock nft synproxy in the forward hook (SYN-flood comparison only)
# and, for packet rate only, two steps from (a) towards (d) that show where the time goes:
#   n  plain forwarding through an nft prerouting chain at priority raw (one rule, no match)
#   m  plain forwarding through lb-dispatch (every packet looks up the table and misses)
# and the IPv6 twins of (a), (b) and (d) for packet rate: a6, b6, d6 (FNAT66), and d64:
# IPv6 clients of the IPv4 servers through nftlvs (NAT64); and the fast paths, for packet
# rate: ft plain forwarding with an nft flowtable (conntrack's flows forwarded at ingress),
# cft (c) with that flowtable (the flows' NAT applied there too),
# f and f6 (d) and (d6) with nftlvs's fast path as a flowtable in a netdev table, fc (d) with
# it as lb-dispatch in netdev ingress chains.
# Services: UDP VIP:9000 and TCP VIP:80 onto rs1..rs3 (same port).
#
# Results: RESULTS_DIR/raw.tsv, lines "METRIC VARIANT KEY VALUE" (tab-separated), read by
# bench/report.py. Knobs come from RESULTS_DIR/params.sh (written by bench/run.sh).
# Every traffic run is bounded in count and time, and stays inside the VM's namespaces.
set -eu -o pipefail

out=$1 ko=$2
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bench/bin
NFTLVS=$top/build/host/nft-plugin/nftlvs

if [ "${VM_GUEST:-0}" != 1 ]; then
	echo "guest.sh: runs only inside the benchmark VM (bench/run.sh)" >&2
	exit 2
fi

# Defaults; params.sh may override them.
PKTS=300000		# pktgen packets per measured run (64-byte UDP)
BULK_BYTES=100000000	# bytes per TCP bulk download
BULK_BUF=4194304	# the downloads' socket buffers, fixed (bench/bulk.c; 0: autotuned)
BULK_REPS=7		# bulk download rounds (each over every variant in turn); the median counts
FLOWS=1000		# UDP flows (source ports) of the packet-rate runs
PPS_REPS=5		# packet-rate rounds (each over every variant in turn); the median counts
CPS_SECS=4		# connection-rate run length ...
CPS_ROUNDS=2		# ... and runs per variant; the best one counts
CPS_CONC=16		# connections in flight
FLOOD_SECS=5		# SYN flood length ...
FLOOD_ROUNDS=2		# ... and floods per variant (alternating)
FLOOD_MAX=2000000	# SYN flood count bound
FILL1=100000		# connection-table sizes: first fill ...
FILL2=900000		# ... and the rest, up to ~1M
# shellcheck source=/dev/null
[ ! -f "$out/params.sh" ] || . "$out/params.sh"

# shellcheck source=../tests/lib/topology.sh
. "$top/tests/lib/topology.sh"

raw=$out/raw.tsv
: > "$raw"
rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$raw"; }
say() { echo "bench[$(uname -r)]: $*"; }

UDP_PORT=9000
TCP_PORT=80
RS_ALL="$RS4_1 $RS4_2 $RS4_3"

# ---------------------------------------------------------------- variants

# shellcheck source=bench/variants.sh
. "$top/bench/variants.sh"

# ---------------------------------------------------------------- pktgen

# pktgen COUNT SRC_MIN SRC_MAX DST_MIN DST_MAX SPORT_MIN SPORT_MAX
# 64-byte UDP frames from the client's eth0 to lb; prints "USEC SENT". The source port runs
# SPORT_MIN..SPORT_MAX-1 and the source address SRC_MIN..SRC_MAX, both stepping by one per
# packet, so coprime range lengths give distinct flows for the whole product of the two.
# IPv6 addresses: one source and one destination (SRC_MIN, DST_MIN), 78-byte frames (the
# smallest pktgen makes over IPv6).
pktgen() {
	local mac limit=$(($1 / 2000 + 60)) addrs
	mac=$(ip -n "$NS_LB" -br link show "$LB_IF_CLIENT" | awk '{ print $3 }')
	case $4 in
	*:*) addrs="src6 $2|dst6 $4" ;;
	*) addrs="src_min $2|src_max $3|dst_min $4|dst_max $5" ;;
	esac
	ip netns exec "$NS_CLIENT" timeout -s INT "$limit" sh -eu -c '
		cd /proc/net/pktgen
		[ -e eth0 ] || echo "add_device eth0" > kpktgend_0
		IFS="|"
		for c in $9; do echo "$c" > eth0; done
		IFS=" "
		for c in "count $1" "clone_skb 0" "pkt_size 64" "delay 0" "burst 1" \
			 "udp_src_min $6" "udp_src_max $7" \
			 "udp_dst_min '$UDP_PORT'" "udp_dst_max '$UDP_PORT'" "dst_mac $8"; do
			echo "$c" > eth0
		done
		echo start > pgctrl
		sed -n "s/^Result: OK: \([0-9]*\)(.*usec, \([0-9]*\) .*/\1 \2/p" eth0
	' pktgen "$@" "$mac" "$addrs"
}

pps_dst() {	# pps_dst VARIANT: "DST_MIN DST_MAX"
	case $1 in
	a|m|n|ft) echo "$RS4_1 $RS4_3" ;;
	a6) echo "$RS6_1 $RS6_1" ;;
	*6 | d64) echo "$VIP6 $VIP6" ;;
	*) echo "$VIP4 $VIP4" ;;
	esac
}

pps_src() {	# pps_src VARIANT: "SRC_MIN SRC_MAX"
	case $1 in
	*6 | d64) echo "$CLIENT6 $CLIENT6" ;;
	*) echo "$CLIENT4 $CLIENT4" ;;
	esac
}

# pps_send COUNT VARIANT: COUNT packets over the variant's FLOWS flows; prints pktgen's result.
pps_send() {
	# shellcheck disable=SC2046
	pktgen "$1" $(pps_src "$2") $(pps_dst "$2") 10000 $((10000 + FLOWS))
}

# pps_warm VARIANT: every flow seen twice, so connections exist and ARP/ND is resolved.
pps_warm() { pps_send $((FLOWS * 2)) "$1" >/dev/null; }

# rx_like_nic on|off: for the packet-rate runs, the load balancer's client-side veth of every
# topology in PPS_VARIANTS receives as a network card's driver does. pktgen keeps a reference
# to each packet it sends, so a veth hands the load balancer a shared packet: the stack (and
# the ingress fast path) must clone it and copy its headers before writing, which no packet
# from a network card needs, and the nft flowtable writes into it as it is. An XDP program
# that passes everything (bench/xdp-pass.c) puts the veth in its NAPI mode, which copies such
# a packet into a buffer of its own, for every variant alike. Off for the bulk runs: XDP on a
# veth turns off its peer's segmentation offloads.
rx_like_nic() {
	local v
	for v in $PPS_VARIANTS; do
		use_topo "$v"
		if [ "$1" = on ]; then
			ip -n "$NS_LB" link set dev "$LB_IF_CLIENT" xdpdrv obj "$bin/xdp-pass.o" sec xdp
		else
			ip -n "$NS_LB" link set dev "$LB_IF_CLIENT" xdpdrv off
		fi
	done
}

# pps_once METRIC VARIANT KEY: one run of PKTS packets over FLOWS flows; records
# delivered/elapsed under KEY and prints it.
pps_once() {
	local before after res pps
	before=$(rs_counter rx)
	res=$(pps_send "$PKTS" "$2")
	after=$(rs_counter rx)
	set -- "$1" "$2" "$3" $res
	[ -n "${4:-}" ] && [ "$4" -gt 0 ] || { say "pktgen gave no result" >&2; return 1; }
	pps=$(( (after - before) * 1000000 / $4 ))
	say "$1 $2 $3: sent $5 delivered $((after - before)) in $4 us: $pps pps" >&2
	rec "$1" "$2" "$3" "$pps"
	rec "$1" "$2" "delivered.$3" "$((after - before))"
	echo "$pps"
}

# Best of a list of rates: other guests on the host can only slow a run down.
best_of() { printf '%s\n' "$@" | sort -n | tail -n1; }
# Median of a list of rates (the lower middle one of an even count), and the spread: the
# range as a share of the median.
median_of() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread_of() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { m = v[int((NR + 1) / 2)]; printf "%.4f\n", m ? (v[NR] - v[1]) / m : 0 }'
}

# ---------------------------------------------------------------- connections

start_servers() { rs_listen "$bin/connsrv" "$TCP_PORT" "$1"; }	# start_servers SECONDS

# rs_listen CMD...: CMD, a server on TCP_PORT, in rs1..rs3; waits until they listen.
rs_listen() {
	local ns
	for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
		# In a subshell: this shell does not track them, nor report their end.
		(ip netns exec "$ns" "$@" >/dev/null &)
	done
	for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
		for _ in $(seq 1 50); do
			ip netns exec "$ns" ss -ltnH "sport = :$TCP_PORT" | grep -q . && break
			sleep 0.1
		done
	done
}

json_field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }

# TCP bulk throughput, offloads on (the topology's default): one download of BULK_BYTES
# from a real server per variant and round, rounds interleaved as for the packet rate.
# Plain forwarding (and its flowtable) reaches the server directly, the others the VIP.
BULK_VARIANTS=${BULK_VARIANTS:-a b c d ft cft f}
bulk_target() { case $1 in a | ft) echo "$RS4_1" ;; *) echo "$VIP4" ;; esac; }
# Segments the server retransmitted (all of the variant's real servers).
rs_retrans() {
	local ns n=0
	for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
		n=$((n + $(ip netns exec "$ns" nstat -asz TcpRetransSegs | awk '$1 == "TcpRetransSegs" { print $2 }')))
	done
	echo "$n"
}
# Packets the client's link received and sent: with the bytes, the size of the segments
# (GRO/GSO) that each variant ends up with.
client_pkts() { ip netns exec "$NS_CLIENT" cat /sys/class/net/eth0/statistics/rx_packets \
	/sys/class/net/eth0/statistics/tx_packets | paste -sd' '; }
phase_bulk() {
	local v ns rep res r x0 p0 p1
	rec info bulk bytes "$BULK_BYTES"
	for v in $BULK_VARIANTS; do
		use_topo "$v"
		rs_listen "$bin/bulk" serve "$TCP_PORT" 3600 "$BULK_BUF"
	done
	rec info bulk buffer "$BULK_BUF"
	for rep in $(seq 1 "$BULK_REPS"); do
		for v in $BULK_VARIANTS; do
			use_topo "$v"
			x0=$(rs_retrans)
			p0=$(client_pkts)
			res=$(ip netns exec "$NS_CLIENT" timeout 300 "$bin/bulk" get \
				"$(bulk_target "$v")" "$TCP_PORT" "$BULK_BYTES" "$BULK_BUF") || res=
			p1=$(client_pkts)
			say "bulk $v round $rep: $res"
			r=$(echo "$res" | json_field rate)
			rec bulk "$v" "rate.run$rep" "${r:-0}"
			rec bulk "$v" "idle.run$rep" "$(echo "$res" | json_field idle)"
			rec bulk "$v" "retrans.run$rep" "$(( $(rs_retrans) - x0 ))"
			# shellcheck disable=SC2086
			set -- $p0 $p1
			rec bulk "$v" "rx_pkts.run$rep" "$(( $3 - $1 ))"
			rec bulk "$v" "tx_pkts.run$rep" "$(( $4 - $2 ))"
			eval "bulk_$v=\"\${bulk_$v:-} ${r:-0}\""
		done
	done
	for v in $BULK_VARIANTS; do
		eval "r=\$bulk_$v"
		# shellcheck disable=SC2086
		rec bulk "$v" rate "$(median_of $r)"
		# shellcheck disable=SC2086
		rec bulk "$v" spread "$(spread_of $r)"
		use_topo "$v"
		for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
			ip netns pids "$ns" | xargs -r kill
		done
		for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
			for _ in $(seq 1 50); do
				ip netns exec "$ns" ss -ltnH "sport = :$TCP_PORT" | grep -q . || break
				sleep 0.1
			done
		done
	done
}

cps_once() {	# cps_once VARIANT ROUND
	local v=$1 res
	# shellcheck disable=SC2046
	res=$(ip netns exec "$NS_CLIENT" timeout $((CPS_SECS + 20)) "$bin/connload" \
		-c "$CPS_CONC" -t "$CPS_SECS" -w 3000 $(targets "$v" "$TCP_PORT"))
	say "cps $v round $2: $res"
	rec cps "$v" "rate.run$2" "$(echo "$res" | json_field rate)"
	rec cps "$v" "ok.run$2" "$(echo "$res" | json_field ok)"
	rec cps "$v" "failed.run$2" "$(( $(echo "$res" | json_field failed) + $(echo "$res" | json_field timeout) ))"
	eval "cps_$v=\"\${cps_$v:-} $(echo "$res" | json_field rate)\""
}

# ---------------------------------------------------------------- phases

# use_topo VARIANT: make the variant's namespaces (prefix "VARIANT-") the current topology.
use_topo() {
	TOPO_PREFIX=${1:+$1-}
	# shellcheck source=../tests/lib/topology.sh
	. "$top/tests/lib/topology.sh"
}

# 1 + 2: established-flow packet rate and new connections per second. Every variant has its
# own set of namespaces, all present at once, and the runs go round the variants in turn, so
# that a change in the host's load hits every variant alike.
PPS_VARIANTS="a n m b c d ft cft f fc a6 b6 d6 d64 f6"	# synproxy-lb is for TCP: UDP in (e) takes (d)'s path
CPS_VARIANTS="a b c d e"
phase_variants() {
	local v rep r
	for v in a n m b c d e ft cft f fc a6 b6 d6 d64 f6; do
		use_topo "$v"
		setup_variant "$v"
	done
	rx_like_nic on
	for v in $PPS_VARIANTS; do
		use_topo "$v"
		pps_warm "$v"
	done
	for rep in $(seq 1 "$PPS_REPS"); do
		for v in $PPS_VARIANTS; do
			use_topo "$v"
			r=$(pps_once pps "$v" "pps.run$rep")
			eval "pps_$v=\"\${pps_$v:-} $r\""
		done
	done
	for v in $PPS_VARIANTS; do
		eval "r=\$pps_$v"
		# shellcheck disable=SC2086
		rec pps "$v" pps "$(median_of $r)"
		# shellcheck disable=SC2086
		rec pps "$v" spread "$(spread_of $r)"
		# shellcheck disable=SC2086
		rec pps "$v" best "$(best_of $r)"
	done
	rx_like_nic off

	phase_bulk

	# CPS_ROUNDS=0: packet rate only (the instruction-clock guest of bench/run.sh)
	[ "$CPS_ROUNDS" -gt 0 ] || CPS_VARIANTS=""
	for v in $CPS_VARIANTS; do
		use_topo "$v"
		start_servers $((CPS_SECS * CPS_ROUNDS * 6 + 120))
	done
	for rep in $(seq 1 "$CPS_ROUNDS"); do
		for v in $CPS_VARIANTS; do
			use_topo "$v"
			cps_once "$v" "$rep"
		done
	done
	for v in $CPS_VARIANTS; do
		eval "r=\$cps_$v"
		# shellcheck disable=SC2086
		rec cps "$v" rate "$(best_of $r)"
	done

	use_topo c
	rec info c conntrack_entries \
		"$(ip netns exec "$NS_LB" cat /proc/sys/net/netfilter/nf_conntrack_count)"
	for v in d e f fc f6; do
		use_topo "$v"
		rec info "$v" lvs_conn_new "$(lvs_stat conn_new)"
		rec info "$v" lvs_pkts_in "$(lvs_stat pkts_in)"
		rec info "$v" lvs_fastpath_pkts "$(lvs_stat fastpath_pkts)"
		ip netns exec "$NS_LB" cat /proc/net/nft_lvs/stats > "$out/lvs-stats-$v.txt"
	done
	for v in a n m b c d e ft cft f fc a6 b6 d6 d64 f6; do
		use_topo "$v"
		topo_teardown
	done
	use_topo ""
}

# bulk: the bulk download rows alone (BULK_VARIANTS), for a quick look at TCP throughput.
phase_bulk_only() {
	local v
	for v in $BULK_VARIANTS; do
		use_topo "$v"
		setup_variant "$v"
	done
	phase_bulk
	for v in $BULK_VARIANTS; do
		use_topo "$v"
		topo_teardown
	done
	use_topo ""
}

# profile: where each variant of PROFILE_VARIANTS spends its instructions (bench/profile.sh).
# PKTS packets of established flows, between the marks of the insnprof plugin: window N of
# its output is the Nth variant. The kernel's symbols go to RESULTS_DIR/kallsyms.
PROFILE_VARIANTS=${PROFILE_VARIANTS:-a n m d}
phase_profile() {
	local v before window=0
	for v in $PROFILE_VARIANTS; do
		use_topo "$v"
		setup_variant "$v"
	done
	if [ "${PROFILE_BULK:-0}" = 1 ]; then
		# A TCP bulk download of PKTS MB instead (offloads on, lb's veth in its ordinary
		# mode, as in phase_bulk): the figures are instructions per MB delivered.
		for v in $PROFILE_VARIANTS; do
			use_topo "$v"
			rs_listen "$bin/bulk" serve "$TCP_PORT" 3600 "$BULK_BUF"
		done
	else
		PPS_VARIANTS=$PROFILE_VARIANTS rx_like_nic on
		for v in $PROFILE_VARIANTS; do
			use_topo "$v"
			pps_warm "$v"
		done
	fi
	for v in $PROFILE_VARIANTS; do
		use_topo "$v"
		before=$(rs_counter rx)
		"$bin/profmark" start
		if [ "${PROFILE_BULK:-0}" = 1 ]; then
			ip netns exec "$NS_CLIENT" timeout 600 "$bin/bulk" get \
				"$(bulk_target "$v")" "$TCP_PORT" "$((PKTS * 1000000))" \
				"$BULK_BUF" >/dev/null
		else
			pps_send "$PKTS" "$v" >/dev/null
		fi
		"$bin/profmark" stop
		window=$((window + 1))
		rec profile "$v" window "$window"
		if [ "${PROFILE_BULK:-0}" = 1 ]; then
			rec profile "$v" delivered "$PKTS"
		else
			rec profile "$v" delivered "$(( $(rs_counter rx) - before ))"
		fi
	done
	cat /proc/kallsyms > "$out/kallsyms"
	for v in $PROFILE_VARIANTS; do
		use_topo "$v"
		topo_teardown
	done
	use_topo ""
}

lvs_stat() { ip netns exec "$NS_LB" awk -v k="$1" '$1 == k { print $2 }' /proc/net/nft_lvs/stats; }

# 3: spoofed SYNs (random sources in 10.2.0.0/16, routed back to the client namespace where
# the SYN-ACKs are counted) against synproxy-lb + fullnat and stock nft synproxy, with a real
# client connecting meanwhile. Both set-ups exist side by side (namespaces "fe-*", "fs-*")
# and the floods alternate between them, FLOOD_ROUNDS each; the totals are recorded.
pkts_of() {	# pkts_of NS TABLE COUNTER
	ip netns exec "$1" nft list counter ip "$2" "$3" | awk '$1 == "packets" { print $2 }'
}

flood_setup() {	# flood_setup VARIANT
	local ns
	setup_variant "$1"
	start_servers $(( (FLOOD_SECS + 10) * FLOOD_ROUNDS * 2 + 120 ))
	ip -n "$NS_LB" route add 10.2.0.0/16 via "$CLIENT4"
	ip netns exec "$NS_CLIENT" nft -f - <<-EOF
		table ip bench {
			counter synack {}
			chain pre {
				type filter hook prerouting priority -300; policy accept;
				ip daddr 10.2.0.0/16 tcp flags & (syn | ack) == syn | ack counter name synack drop
			}
		}
	EOF
	ip netns exec "$NS_LB" nft -f - <<-EOF
		table ip benchsyn {
			counter syn {}
			chain pre {
				type filter hook prerouting priority -450; policy accept;
				ip saddr 10.2.0.0/16 tcp flags & (syn | ack) == syn counter name syn
			}
		}
	EOF
	# One SYN-ACK per SYN from a server too: a SYN cookie proxy never retransmits them,
	# and retransmissions would count as extra answers.
	for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
		ip netns exec "$ns" sh -c 'echo 0 > /proc/sys/net/ipv4/tcp_synack_retries'
	done
}

flood_once() {	# flood_once VARIANT ROUND
	local v=$1 res real synack0 lbsyn0 rssyn0 synack lbsyn rssyn target
	synack0=$(pkts_of "$NS_CLIENT" bench synack)
	lbsyn0=$(pkts_of "$NS_LB" benchsyn syn)
	rssyn0=$(rs_counter syn)
	# shellcheck disable=SC2046
	ip netns exec "$NS_CLIENT" timeout $((FLOOD_SECS + 20)) "$bin/connload" \
		-c 2 -t "$FLOOD_SECS" -w 3000 $(targets "$v" "$TCP_PORT") > /tmp/real-client.json &
	real=$!
	target=$(targets "$v" "$TCP_PORT")
	res=$(ip netns exec "$NS_CLIENT" timeout $((FLOOD_SECS + 20)) \
		"$top/build/host/tests/tools/synflood" "${target%:*}" "${target##*:}" \
		10.2.0.0/16 "$FLOOD_MAX" "$FLOOD_SECS")
	wait "$real"
	sleep 1
	synack=$(( $(pkts_of "$NS_CLIENT" bench synack) - synack0 ))
	lbsyn=$(( $(pkts_of "$NS_LB" benchsyn syn) - lbsyn0 ))
	rssyn=$(( $(rs_counter syn) - rssyn0 ))
	say "flood $v round $2: $res; SYNs at lb $lbsyn, SYN-ACKs back $synack, SYNs at servers" \
	    "$rssyn; real client $(cat /tmp/real-client.json)"
	flood_add "$v" sent "$(echo "$res" | json_field sent)"
	flood_add "$v" seconds "$(echo "$res" | json_field seconds)"
	flood_add "$v" syn_at_lb "$lbsyn"
	flood_add "$v" synack "$synack"
	flood_add "$v" syn_at_rs "$rssyn"
	flood_add "$v" client_ok "$(json_field ok < /tmp/real-client.json)"
	flood_add "$v" client_failed "$(( $(json_field failed < /tmp/real-client.json) + $(json_field timeout < /tmp/real-client.json) ))"
	rec flood "$v" "offered_rate.run$2" "$(echo "$res" | json_field rate)"
	rec flood "$v" "synack.run$2" "$synack"
}

# Totals over the rounds, kept in a file (key value) per variant.
flood_add() {	# flood_add VARIANT KEY VALUE
	echo "$2 $3" >> "/tmp/flood-$1"
}

phase_flood() {
	local v rep
	for v in e s; do
		rm -f "/tmp/flood-$v"
		use_topo "f$v"
		flood_setup "$v"
	done
	for rep in $(seq 1 "$FLOOD_ROUNDS"); do
		for v in e s; do
			use_topo "f$v"
			flood_once "$v" "$rep"
		done
	done
	for v in e s; do
		awk '{ t[$1] += $2 } END { for (k in t) print k, t[k] }' "/tmp/flood-$v" |
			while read -r k n; do rec flood "$v" "$k" "$n"; done
	done
	# Counters of the SYN-cookie front.
	use_topo fe
	ip netns exec "$NS_LB" cat /proc/net/nft_lvs/stats > "$out/lvs-stats-flood-e.txt"
	awk '$1 ~ /^synproxy_/ { print $1, $2 }' "$out/lvs-stats-flood-e.txt" > /tmp/sp-stats
	say "flood e: $(tr '\n' ' ' < /tmp/sp-stats)"
	rec flood e synproxy_counters "$(grep -c . /tmp/sp-stats || true)"
	while read -r k n; do rec flood e "$k" "$n"; done < /tmp/sp-stats
	rec flood e lvs_conn_new "$(lvs_stat conn_new)"
	for v in e s; do
		use_topo "f$v"
		topo_teardown
	done
	use_topo ""
}

# Kernel memory that a connection table can take: unreclaimable slab (the lvs_conn cache and
# kmalloc'ed hash buckets) and vmalloc (large bucket arrays), in kB.
kmem_kb() { awk '$1 == "SUnreclaim:" || $1 == "VmallocUsed:" { n += $2 } END { print n }' /proc/meminfo; }

# "NUM_SLABS PAGES_PER_SLAB OBJSIZE" of the lvs_conn cache (booted with slab_nomerge, so the
# cache is not folded into another one of the same size).
conn_slab() { awk '$1 == "lvs_conn" { print $15, $6, $4; f = 1 } END { if (!f) print 0, 0, 0 }' /proc/slabinfo; }

settle_conns() {	# wait until the connection count stops moving, then for hash resizes
	local prev=-1 cur
	for _ in $(seq 1 60); do
		cur=$(lvs_stat conns)
		[ "$cur" != "$prev" ] || break
		prev=$cur
		sleep 1
	done
	sleep 2
	echo "$cur"
}

# The service of the table phase: 16 local addresses, so that 16 x 3 servers x 60k ports
# leave the lport search easy at 1M connections; a limit and a UDP timeout above the fill.
table_setup() {
	local lips="" i
	setup_variant a
	for i in $(seq 239 254); do
		[ "10.1.0.$i" = "$LIP4_1" ] || [ "10.1.0.$i" = "$LIP4_2" ] ||
			ip -n "$NS_LB" addr add "10.1.0.$i/24" dev "$LB_IF_RS"
		lips="$lips${lips:+, }10.1.0.$i"
	done
	ip netns exec "$NS_LB" sh -c 'echo 4194304 > /proc/sys/net/nft_lvs/conn_max;
		echo 3600 > /proc/sys/net/nft_lvs/timeout_udp'
	nftlvs_rules "" "$lips"
	pps_warm d
}

# table_rounds VARIANT: the packet rate of the measured flows with 1k ("tk") and 1M ("tm")
# connections in the table, PPS_REPS rounds in turn; the best of each counts.
table_rounds() {
	local rep r k1="" m1=""
	for rep in $(seq 1 "$PPS_REPS"); do
		use_topo tk
		r=$(pps_once table "$1" "pps.1k.run$rep")
		k1="$k1 $r"
		use_topo tm
		r=$(pps_once table "$1" "pps.1M.run$rep")
		m1="$m1 $r"
	done
	# shellcheck disable=SC2086
	rec table "$1" pps.1k "$(best_of $k1)"
	# shellcheck disable=SC2086
	rec table "$1" pps.1M "$(best_of $m1)"
}

# 4: memory per connection at ~100k and ~1M entries, and the packet rate at 1M vs 1k: two
# identical set-ups side by side, "tk" with the 1k connections of the measured flows and
# "tm" filled up to 1M, measured in turn, on prerouting (d) and then through the ingress
# fast path (f).
phase_table() {
	local c0 c k0 k s0 s label res step v
	use_topo tk
	table_setup
	use_topo tm
	table_setup
	c0=$(settle_conns)
	k0=$(kmem_kb)
	set -- $(conn_slab)
	s0=$(($1 * $2 * 4096))
	rec table d objsize "$3"
	for step in 1 2; do
		# 1024 addresses x 1023 ports: a million distinct flows before one repeats.
		if [ "$step" = 1 ]; then
			res=$(pktgen "$FILL1" 10.2.0.0 10.2.3.255 "$VIP4" "$VIP4" 20000 21023)
			label=100k
		else
			res=$(pktgen "$FILL2" 10.3.0.0 10.3.3.255 "$VIP4" "$VIP4" 20000 21023)
			label=1M
		fi
		c=$(settle_conns)
		set -- $res
		rec table d "fill_rate.$label" "$(( $2 * 1000000 / $1 ))"
		k=$(kmem_kb)
		set -- $(conn_slab)
		s=$(($1 * $2 * 4096))
		say "table $label: $c connections, kernel memory +$((k - k0)) kB, lvs_conn slab +$(( (s - s0) / 1024 )) kB"
		rec table d "conns.$label" "$c"
		rec table d "slab_bytes_per_conn.$label" "$(( (s - s0) / (c - c0) ))"
		rec table d "kmem_bytes_per_conn.$label" "$(( (k - k0) * 1024 / (c - c0) ))"
	done
	rec table d conn_exceeded "$(lvs_stat conn_exceeded)"
	rec table d lport_exhausted "$(lvs_stat lport_exhausted)"
	table_rounds d
	# The same flows through the ingress fast path (the flowtable form, as f), which looks
	# them up in the same table.
	for v in tk tm; do
		use_topo "$v"
		fastpath_rules
	done
	table_rounds f
	rec table f fastpath_pkts "$(lvs_stat fastpath_pkts)"
	# Deleting a million connections takes the emulated CPU a while; the VM powers off
	# instead.
	use_topo tk
	topo_teardown
	use_topo ""
}

# 5: nftlvs-healthd at scale: bench/healthd.sh (bench/run.sh also runs it on the host).
# shellcheck source=healthd.sh
. "$top/bench/healthd.sh"

# ---------------------------------------------------------------- main

say "loading modules"
# insmod loads no dependency: the module names its own.
modprobe -a $(modinfo -F depends "$ko" | tr ',' ' ') pktgen ip_vs ip_vs_rr
insmod "$ko"
rec info host kernel "$(uname -r)"
rec info host cpus "$(nproc)"

t0=$(date +%s)
for phase in ${BENCH_PHASES:-variants flood table healthd}; do
	say "phase $phase"
	# A subshell in the background keeps "set -e" in force inside the phase, and a failed
	# phase does not stop the others.
	( "phase_$phase" ) &
	if wait $!; then
		rec info phase "$phase" ok
	else
		say "phase $phase FAILED"
		rec info phase "$phase" failed
		topo_teardown
	fi
done
rec info host seconds $(( $(date +%s) - t0 ))
say "done in $(( $(date +%s) - t0 )) s"
