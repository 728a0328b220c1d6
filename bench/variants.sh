# shellcheck shell=bash
# variants.sh - what each variant of the benchmark is: the rulesets or IPVS services that
# bench/guest.sh sets up in the variant's copy of the topology (setup_variant), the servers'
# counters, and where a variant's clients send (targets). Sourced by guest.sh, inside the
# benchmark VM; uses its settings (UDP_PORT, TCP_PORT, NFTLVS, the topology's names).

# Counters at every real server: delivered UDP (then dropped: no ICMP back, no socket) and
# SYNs that reached the server.
rs_tables() {
	local ns
	for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
		ip netns exec "$ns" nft -f - <<-EOF
			table inet bench {
				counter rx {}
				counter syn {}
				chain pre {
					type filter hook prerouting priority -300; policy accept;
					udp dport $UDP_PORT counter name rx drop
					tcp flags & (syn | ack) == syn counter name syn
				}
			}
		EOF
	done
}

rs_counter() {	# rs_counter NAME: summed over rs1..rs3
	local ns n=0 v
	for ns in $NS_RS1 $NS_RS2 $NS_RS3; do
		v=$(ip netns exec "$ns" nft list counter inet bench "$1" | awk '$1 == "packets" { print $2 }')
		n=$((n + v))
	done
	echo "$n"
}

nftlvs_rules() {	# nftlvs_rules "SYNPROXY_STMT" "LIPS"
	ip netns exec "$NS_LB" "$NFTLVS" -f - <<-EOF
		table ip lvs {
			chain pre {
				type filter hook prerouting priority raw; policy accept;
				lb-dispatch
				ip daddr $VIP4 udp dport $UDP_PORT fullnat to { $RS4_1, $RS4_2, $RS4_3 } via { $2 } sched rr
				ip daddr $VIP4 tcp dport $TCP_PORT $1 fullnat to { $RS4_1, $RS4_2, $RS4_3 } via { $2 } sched rr
			}
		}
	EOF
}

# An IPv6 UDP service: FNAT66 (ip6 table, IPv6 servers) or NAT64 (inet table, IPv4 ones).
ipv6_service_rules() {	# ipv6_service_rules FAMILY TABLE "SERVERS" "LIPS"
	ip netns exec "$NS_LB" "$NFTLVS" -f - <<-EOF
		table $1 $2 {
			chain pre {
				type filter hook prerouting priority raw; policy accept;
				lb-dispatch
				ip6 daddr $VIP6 udp dport $UDP_PORT fullnat to { $3 } via { $4 } sched rr
			}
		}
	EOF
}

# The ingress fast path of nftlvs at both of the LB's devices: as its flowtable in a netdev
# table (f, f6), or as lb-dispatch in netdev ingress chains (fc).
fastpath_rules() { topo_fastpath_flowtable | ip netns exec "$NS_LB" "$NFTLVS" -f -; }
fastpath_chains() { topo_fastpath_nft | ip netns exec "$NS_LB" "$NFTLVS" -f -; }

# The load balancer as nft writes it with conntrack (c): DNAT to the servers in turn, SNAT to
# one local address.
conntrack_nat_rules() {
	ip netns exec "$NS_LB" nft -f - <<-EOF
		table ip nat {
			chain pre {
				type nat hook prerouting priority dstnat; policy accept;
				ip daddr $VIP4 meta l4proto { tcp, udp } th dport { $UDP_PORT, $TCP_PORT } dnat to numgen inc mod 3 map { 0 : $RS4_1, 1 : $RS4_2, 2 : $RS4_3 }
			}
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "$LB_IF_RS" ip daddr { $RS4_1, $RS4_2, $RS4_3 } ct status dnat snat to $LIP4_1
			}
		}
	EOF
}

# The stack's own fast path (ft, cft): conntrack puts a flow in the flowtable at its second
# packet, and the flowtable's ingress hook forwards the rest before the IP stack, applying
# the flow's NAT if it has one.
flowtable_rules() {
	ip netns exec "$NS_LB" nft -f - <<-EOF
		table inet ft {
			flowtable f {
				hook ingress priority 0; devices = { "$LB_IF_CLIENT", "$LB_IF_RS" };
			}
			chain fw {
				type filter hook forward priority filter; policy accept;
				meta l4proto { tcp, udp } flow add @f
			}
		}
	EOF
}

setup_variant() {
	topo_setup
	rs_tables
	case $1 in
	a) ;;
	n)
		ip netns exec "$NS_LB" nft -f - <<-EOF
			table ip diag {
				chain pre {
					type filter hook prerouting priority raw; policy accept;
					ip daddr $VIP4 udp dport 1 drop
				}
			}
		EOF
		;;
	m)
		ip netns exec "$NS_LB" "$NFTLVS" -f - <<-EOF
			table ip lvs {
				chain pre {
					type filter hook prerouting priority raw; policy accept;
					lb-dispatch
				}
			}
		EOF
		;;
	b)
		ip netns exec "$NS_LB" ipvsadm -R <<-EOF
			-A -u $VIP4:$UDP_PORT -s rr
			-a -u $VIP4:$UDP_PORT -r $RS4_1:$UDP_PORT -m
			-a -u $VIP4:$UDP_PORT -r $RS4_2:$UDP_PORT -m
			-a -u $VIP4:$UDP_PORT -r $RS4_3:$UDP_PORT -m
			-A -t $VIP4:$TCP_PORT -s rr
			-a -t $VIP4:$TCP_PORT -r $RS4_1:$TCP_PORT -m
			-a -t $VIP4:$TCP_PORT -r $RS4_2:$TCP_PORT -m
			-a -t $VIP4:$TCP_PORT -r $RS4_3:$TCP_PORT -m
		EOF
		;;
	c) conntrack_nat_rules ;;
	cft) conntrack_nat_rules && flowtable_rules ;;
	d) nftlvs_rules "" "$LIP4_1, $LIP4_2" ;;
	a6) ;;
	b6)
		ip netns exec "$NS_LB" ipvsadm -R <<-EOF
			-A -u [$VIP6]:$UDP_PORT -s rr
			-a -u [$VIP6]:$UDP_PORT -r [$RS6_1]:$UDP_PORT -m
			-a -u [$VIP6]:$UDP_PORT -r [$RS6_2]:$UDP_PORT -m
			-a -u [$VIP6]:$UDP_PORT -r [$RS6_3]:$UDP_PORT -m
		EOF
		;;
	d6) ipv6_service_rules ip6 lvs6 "$RS6_1, $RS6_2, $RS6_3" "$LIP6_1, $LIP6_2" ;;
	d64) ipv6_service_rules inet lvs64 "$RS4_1, $RS4_2, $RS4_3" "$LIP4_1, $LIP4_2" ;;
	e) nftlvs_rules "synproxy-lb mss 1460 wscale 7 sack-perm timestamp" "$LIP4_1, $LIP4_2" ;;
	f) nftlvs_rules "" "$LIP4_1, $LIP4_2" && fastpath_rules ;;
	fc) nftlvs_rules "" "$LIP4_1, $LIP4_2" && fastpath_chains ;;
	f6)
		ipv6_service_rules ip6 lvs6 "$RS6_1, $RS6_2, $RS6_3" "$LIP6_1, $LIP6_2" &&
			fastpath_rules
		;;
	ft) flowtable_rules ;;
	s)
		# The stock SYNPROXY recipe: SYNs untracked, the proxy answers them and the
		# handshake-completing ACK (invalid while loose tracking is off) in forward.
		ip netns exec "$NS_LB" nft -f - <<-EOF
			table ip sp {
				chain pre {
					type filter hook prerouting priority raw; policy accept;
					tcp dport $TCP_PORT tcp flags & (syn | ack) == syn notrack
				}
				chain proxy {
					type filter hook forward priority filter; policy accept;
					tcp dport $TCP_PORT ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
					ct state invalid drop
				}
			}
		EOF
		ip netns exec "$NS_LB" sh -c 'echo 0 > /proc/sys/net/netfilter/nf_conntrack_tcp_loose'
		;;
	esac
}

# Where clients send: the VIP, or (plain forwarding and stock synproxy) the servers.
targets() {	# targets VARIANT PORT
	local a
	case $1 in
	a|m|n) for a in $RS_ALL; do printf '%s:%s ' "$a" "$2"; done ;;
	s) printf '%s:%s' "$RS4_1" "$2" ;;
	*) printf '%s:%s' "$VIP4" "$2" ;;
	esac
}
