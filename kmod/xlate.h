/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-packet translation and transmission of a connection's packet,
 * shared by `lb-dispatch` at prerouting (xlate.c) and the ingress fast path
 * (fastpath.c). Inline, so that each path is one function: a packet of an
 * established connection crosses a dozen of these steps, and a call with
 * its saved registers and stack guard cost it more than some of the steps.
 * xlate.c and l3.c keep what is rare (TOA insertion, NAT64, route lookups,
 * our own segments).
 */
#ifndef _NFT_LVS_XLATE_H
#define _NFT_LVS_XLATE_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/ndisc.h>
#include <net/arp.h>
#include <net/checksum.h>
#include <net/netfilter/nf_conntrack.h>
#include "nft_lvs.h"
#include "core/tcpopt.h"

/* Transport: TCP's sequence space, state and options, ports, checksum. */

/* The checksum difference of 32-bit word @from becoming @to. */
static __always_inline __wsum
lvs_csum_diff4(__be32 from, __be32 to)
{
	return csum_sub((__force __wsum)to, (__force __wsum)from);
}

/*
 * The pseudo-header's difference when the packet at @nh takes the addresses
 * @saddr and @daddr.
 */
static __always_inline __wsum
lvs_pseudo_diff(const void *nh, u8 family, const union nf_inet_addr *saddr,
		const union nf_inet_addr *daddr)
{
	__wsum diff;
	int i;

	if (family == NFPROTO_IPV4) {
		const struct iphdr *iph = nh;

		return csum_add(lvs_csum_diff4(iph->saddr, saddr->ip),
				lvs_csum_diff4(iph->daddr, daddr->ip));
	}
	diff = 0;
	for (i = 0; i < 4; i++) {
		const struct ipv6hdr *ip6h = nh;

		diff = csum_add(diff,
				lvs_csum_diff4(ip6h->saddr.s6_addr32[i],
					       saddr->in6.s6_addr32[i]));
		diff = csum_add(diff,
				lvs_csum_diff4(ip6h->daddr.s6_addr32[i],
					       daddr->in6.s6_addr32[i]));
	}
	return diff;
}

/*
 * Rewrite the L4 ports and update the checksum once for them, @diff (what
 * the TCP work changed) and the pseudo-header's new addresses. An IPv4 UDP
 * checksum of 0 means none and stays 0; over IPv6 the UDP checksum is
 * mandatory.
 */
static __always_inline void
lvs_xlate_l4(struct sk_buff *skb, u8 family, u8 proto, unsigned int thoff,
	     const union nf_inet_addr *saddr, const union nf_inet_addr *daddr,
	     __be16 sport, __be16 dport, __wsum diff)
{
	__be16 *ports = (__be16 *)(skb->data + thoff);
	__be16 new_ports[2] = { sport, dport };
	__be32 old_word, new_word;
	__wsum pseudo;
	__sum16 *check;

	/*
	 * The updates below keep the checksum field right, not a sum over
	 * the whole packet (lvs_xmit_routed() would drop it anyway).
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	if (proto == IPPROTO_TCP) {
		check = &((struct tcphdr *)ports)->check;
	} else {
		check = &((struct udphdr *)ports)->check;
		if (family == NFPROTO_IPV4 && !*check &&
		    skb->ip_summed != CHECKSUM_PARTIAL) {
			ports[0] = sport;
			ports[1] = dport;
			return;
		}
	}
	pseudo = lvs_pseudo_diff(skb_network_header(skb), family, saddr, daddr);
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		/*
		 * The field holds the pseudo-header's sum and the device (or
		 * skb_checksum_help()) sums the rest, ports and TCP changes
		 * included.
		 */
		*check = ~csum_fold(csum_add(pseudo, csum_unfold(*check)));
	} else {
		/* Both ports in one 32-bit step. */
		memcpy(&old_word, ports, sizeof(old_word));
		memcpy(&new_word, new_ports, sizeof(new_word));
		diff = csum_add(diff, lvs_csum_diff4(old_word, new_word));
		csum_replace_by_diff(check, csum_add(diff, pseudo));
	}
	ports[0] = sport;
	ports[1] = dport;
	if (proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/*
 * TCP-only work on a packet in @dir: sequence deltas and options. Behind
 * SYNPROXY the client and the RS each saw an ISN of their own from us, so
 * both numbers move, and timestamps and windows are translated too.
 * Returns the checksum difference of what changed, which lvs_xlate_l4()
 * applies with the ports'.
 */
static __always_inline __wsum
lvs_xlate_tcp(struct lvs_conn *cp, u8 dir, struct tcphdr *th)
{
	u8 flags = ((u8 *)th)[CORE_TCP_FLAGS_OFF];
	const struct lvs_synproxy *sp = cp->sp;
	bool options = th->doff > 5;
	u32 diff = 0;

	if (dir == LB_DIR_IN) {
		if (options && (cp->flags & NFT_FULLNAT_F_TOA))
			/* Only our TOA may reach the RS: drop a forged one. */
			tcpopt_strip_toa((u8 *)th, &diff);
		if (options && (flags & CORE_TCPF_SYN) &&
		    (cp->flags & NFT_FULLNAT_F_STRIP_TS))
			tcpopt_strip_timestamps((u8 *)th, &diff);
		if (sp) {
			core_tcp_translate((u8 *)th, cp->seq_delta,
					   -sp->syn_delta, &diff);
			if (options && sp->ts)
				synproxy_tcp_ts_adjust((u8 *)th, sp->ts_in_delta,
						       -sp->ts_delta,
						       &diff);
			synproxy_tcp_rescale((u8 *)th, sp->ws.in_from,
					     sp->ws.in_to, &diff);
		} else {
			core_tcp_seq_add((u8 *)th, cp->seq_delta, &diff);
		}
	} else if (sp) {
		/* The RS's SYN-ACK never gets here: synproxy consumed it. */
		core_tcp_translate((u8 *)th, sp->syn_delta, -cp->seq_delta,
				   &diff);
		if (options && sp->ts)
			synproxy_tcp_ts_adjust((u8 *)th, sp->ts_delta,
					       -sp->ts_in_delta, &diff);
		synproxy_tcp_rescale((u8 *)th, sp->ws.out_from, sp->ws.out_to,
				     &diff);
	} else {
		if ((flags & (CORE_TCPF_SYN | CORE_TCPF_ACK)) ==
		    (CORE_TCPF_SYN | CORE_TCPF_ACK)) {
			WRITE_ONCE(cp->rs_isn1, ntohl(th->seq) + 1);
			/* Room for the option in the client's family. */
			if (options && (cp->flags & NFT_FULLNAT_F_TOA))
				tcpopt_reduce_mss((u8 *)th,
						  cp->hn[LB_DIR_IN].t.family == NFPROTO_IPV6 ?
						  TCPOPT_LEN_TOA6 : TCPOPT_LEN_TOA,
						  &diff);
		}
		core_tcp_ack_sub((u8 *)th, cp->seq_delta, &diff);
	}
	return (__force __wsum)diff;
}

/* Remember where each side's sequence space ends (for rst-on-expire). */
static __always_inline void
lvs_tcp_track(struct lvs_conn *cp, u8 dir, const struct tcphdr *th,
	      unsigned int payload)
{
	u32 end = ntohl(th->seq) + payload + th->syn + th->fin;
	u32 *last = dir == LB_DIR_IN ? &cp->in_end : &cp->out_end;
	u32 cur = READ_ONCE(*last);

	if (th->rst)
		return;
	if (!cur || core_seq_after(end, cur))
		WRITE_ONCE(*last, end);
}

/* The state a segment of @cp leads to; the timeout starts over. */
static __always_inline void
lvs_tcp_state(struct lvs_conn *cp, u8 dir, const struct tcphdr *th)
{
	u8 flags = ((const u8 *)th)[CORE_TCP_FLAGS_OFF];
	u8 state = READ_ONCE(cp->state);
	u8 next = lb_tcp_next_state(state, dir, flags);

	if (next != state)
		lvs_conn_set_state(cp, next);
	else
		lvs_conn_touch(cp);
}

/*
 * The transport work both families share: the headers made writable, and
 * for TCP the sequence space and state tracked and sequence numbers and
 * options translated. *@thp is the TCP header (NULL for UDP); *@diff what
 * the TCP header's checksum still has to take in. -1: a malformed or
 * unwritable packet.
 */
static __always_inline int
lvs_xlate_transport(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
		    unsigned int thoff, struct tcphdr **thp, __wsum *diff)
{
	unsigned int hl = sizeof(struct udphdr);
	struct tcphdr *th;

	*thp = NULL;
	*diff = 0;
	if (cp->hn[LB_DIR_IN].t.proto == IPPROTO_TCP) {
		if (!pskb_may_pull(skb, thoff + sizeof(struct tcphdr)))
			return -1;
		hl = ((struct tcphdr *)(skb->data + thoff))->doff * 4;
		if (hl < sizeof(struct tcphdr))
			return -1;
	}
	/*
	 * What skb_ensure_writable() checks first, inline: the headers are
	 * linear, and ours or in a clone's private head (TCP's segments are
	 * clones of what the sender keeps for retransmission).
	 */
	if ((skb_headlen(skb) < thoff + hl ||
	     (skb_cloned(skb) && !skb_clone_writable(skb, thoff + hl))) &&
	    skb_ensure_writable(skb, thoff + hl))
		return -1;
	if (cp->hn[LB_DIR_IN].t.proto != IPPROTO_TCP) {
		if (dir == LB_DIR_OUT &&
		    !(READ_ONCE(cp->flags) & LVS_CONN_F_REPLIED))
			lvs_conn_replied(cp);
		lvs_conn_touch(cp);
		return 0;
	}
	th = (struct tcphdr *)(skb->data + thoff);
	/* Only rst-on-expire's RSTs need where each side's sequence ends. */
	if (cp->flags & NFT_FULLNAT_F_RST_ON_EXPIRE)
		lvs_tcp_track(cp, dir, th, skb->len - thoff - hl);
	lvs_tcp_state(cp, dir, th);
	*diff = lvs_xlate_tcp(cp, dir, th);
	*thp = th;
	return 0;
}

/* Whether @th is a segment that carries the client address (TOA). */
static __always_inline bool
lvs_wants_toa(const struct lvs_conn *cp, const struct tcphdr *th)
{
	u8 flags = ((const u8 *)th)[CORE_TCP_FLAGS_OFF];

	/* Pre-response packets: the client still acks the RS's SYN. */
	return (cp->flags & NFT_FULLNAT_F_TOA) && (flags & CORE_TCPF_ACK) &&
	       !(flags & (CORE_TCPF_SYN | CORE_TCPF_FIN | CORE_TCPF_RST)) &&
	       ntohl(th->ack_seq) == READ_ONCE(cp->rs_isn1) &&
	       cp->state >= LB_TCP_SYN_RECV;
}

static __always_inline void
lvs_count_one(struct lvs_rs_stats __percpu *stats, u8 dir, unsigned int len)
{
	struct lvs_rs_stats *s = this_cpu_ptr(stats);

	if (dir == LB_DIR_IN) {
		s->pkts_in++;
		s->bytes_in += len;
	} else {
		s->pkts_out++;
		s->bytes_out += len;
	}
}

/* A translated packet of @len bytes, in the counters it belongs to. */
static __always_inline void
lvs_count(struct lvs_conn *cp, u8 dir, unsigned int len)
{
	struct lvs_net *ln = lvs_conn_ln(cp);

	if (dir == LB_DIR_IN) {
		lvs_stat_inc(ln, LVS_STAT_PKTS_IN);
		lvs_stat_add(ln, LVS_STAT_BYTES_IN, len);
	} else {
		lvs_stat_inc(ln, LVS_STAT_PKTS_OUT);
		lvs_stat_add(ln, LVS_STAT_BYTES_OUT, len);
	}
	lvs_count_one(lvs_conn_rs(cp)->stats, dir, len);
	if (cp->vs)
		lvs_count_one(cp->vs->stats, dir, len);
}

/* Network layer: addresses, hop, route, next hop. */

/*
 * Give the (writable) IP header at @nh new addresses and, when @hop, one
 * hop less; an IPv4 header checksum follows.
 */
static __always_inline void
lvs_l3_rewrite(void *nh, u8 family, const union nf_inet_addr *saddr,
	       const union nf_inet_addr *daddr, bool hop)
{
	if (family == NFPROTO_IPV6) {
		struct ipv6hdr *ip6h = nh;

		ip6h->saddr = saddr->in6;
		ip6h->daddr = daddr->in6;
		if (hop)
			ip6h->hop_limit--;
	} else {
		struct iphdr *iph = nh;

		iph->saddr = saddr->ip;
		iph->daddr = daddr->ip;
		if (hop)
			iph->ttl--;
		/* ip_send_check(), without a call for its few instructions. */
		iph->check = 0;
		iph->check = ip_fast_csum(iph, iph->ihl);
	}
}

/*
 * The IP control block of @skb as the receive path of @family leaves it
 * for a packet that came in on skb_iif: cleared, with the input interface
 * and, for IPv6, where the next-header byte is. The output path reads the
 * block, and a packet we deliver locally (a client on the LB) takes the
 * input path from the transport layer on.
 */
static __always_inline void lvs_l3_reset_cb(struct sk_buff *skb, u8 family)
{
	memset(skb->cb, 0, max(sizeof(struct inet_skb_parm),
			       sizeof(struct inet6_skb_parm)));
	if (family == NFPROTO_IPV6) {
		IP6CB(skb)->iif = skb->skb_iif;
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
	} else {
		IPCB(skb)->iif = skb->skb_iif;
	}
}

/* A route that delivers to this host. */
static inline bool
lvs_dst_local(const struct dst_entry *dst, u8 family)
{
	if (family == NFPROTO_IPV6)
		return container_of(dst, struct rt6_info, dst)->rt6i_flags &
		       RTF_LOCAL;
	return container_of(dst, struct rtable, dst)->rt_type == RTN_LOCAL;
}

/*
 * Whether the ingress fast path may hand @dst's packets to the next hop's
 * neighbour itself: a plain route whose output is the stack's own (IPsec
 * and the lightweight tunnels have outputs or transmits of their own).
 */
static inline bool
lvs_dst_direct(const struct dst_entry *dst, u8 family)
{
	if (dst->lwtstate)
		return false;
	return family == NFPROTO_IPV6 ? dst->output == ip6_output :
					dst->output == ip_output;
}

/*
 * What ip_finish_output2()/ip6_finish_output2() do: room for the link
 * header, the next hop's neighbour (made when missing, resolved by the
 * neighbour layer, which queues the packet meanwhile), and out. The output
 * path before it (its postrouting hook, the cgroup egress programs of a
 * local socket, fragmentation) has nothing to do for a forwarded packet
 * that fits, and the nft flowtable skips it likewise.
 */
static __always_inline void
lvs_xmit_neigh(struct sk_buff *skb, struct dst_entry *dst, u8 family)
{
	struct net_device *dev = dst->dev;
	unsigned int hh_len = LL_RESERVED_SPACE(dev);
	struct neighbour *neigh;
	bool is_v6gw = false;

	if (unlikely(skb_headroom(skb) < hh_len && dev->header_ops) &&
	    pskb_expand_head(skb, SKB_DATA_ALIGN(hh_len - skb_headroom(skb)),
			     0, GFP_ATOMIC))
		goto drop;
	if (family == NFPROTO_IPV6) {
		const struct in6_addr *nexthop =
			rt6_nexthop(container_of(dst, struct rt6_info, dst),
				    &ipv6_hdr(skb)->daddr);

		skb->protocol = htons(ETH_P_IPV6);
		neigh = __ipv6_neigh_lookup_noref(dev, nexthop);
		if (unlikely(!neigh))
			neigh = __neigh_create(&nd_tbl, nexthop, dev, false);
	} else {
		skb->protocol = htons(ETH_P_IP);
		neigh = ip_neigh_for_gw(container_of(dst, struct rtable, dst),
					skb, &is_v6gw);
	}
	if (IS_ERR_OR_NULL(neigh))
		goto drop;
	neigh_output(neigh, skb, is_v6gw);
	return;
drop:
	kfree_skb(skb);
}

/*
 * Hand a packet we rewrote or built to the output path on its route, or
 * (@direct, the ingress fast path) to the next hop's neighbour.
 */
static __always_inline unsigned int
lvs_xmit_routed(struct sk_buff *skb, struct net *net, u8 family, bool direct)
{
	struct dst_entry *dst = skb_dst(skb);
	bool local = lvs_dst_local(dst, family);

	skb->dev = dst->dev;
	/* We keep the state: conntrack must leave these packets alone. */
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	/* Checksums were fixed incrementally; a COMPLETE sum no longer holds. */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	if (local) {
		/*
		 * A reply to a client on the LB itself: an output route to a
		 * local address delivers on input. Sent through loopback it
		 * would walk prerouting again, where the ruleset's "drop what
		 * else goes to the VIP" rule would eat it.
		 */
		skb->pkt_type = PACKET_HOST;
		dst_input(skb);
		return NF_STOLEN;
	}
	skb_clear_tstamp(skb);
	if (direct && lvs_dst_direct(skb_dst(skb), family))
		lvs_xmit_neigh(skb, skb_dst(skb), family);
	else
		dst_output(net, skb->sk, skb);
	return NF_STOLEN;
}

/*
 * ... on a route held elsewhere (lvs_conn_route()); the stack takes a
 * reference of its own where the packet outlives the RCU read side (the
 * neighbour layer does, for a packet it queues).
 */
static __always_inline unsigned int
lvs_xmit_noref(struct sk_buff *skb, struct dst_entry *dst, struct net *net,
	       u8 family, bool direct)
{
	skb_dst_drop(skb);
	skb_dst_set_noref(skb, dst);
	return lvs_xmit_routed(skb, net, family, direct);
}

/*
 * The route of @cp's packets received in @dir: the kept one while
 * dst_check() finds it valid, else a new lookup (lvs_conn_route_lookup()).
 */
static __always_inline struct dst_entry *
lvs_conn_route(struct lvs_conn *cp, u8 dir, const struct sk_buff *skb,
	       struct net *net, bool *held)
{
	struct dst_entry *dst = READ_ONCE(cp->dst[dir]);

	if (likely(dst && !skb->mark) &&
	    likely(dst_check(dst, READ_ONCE(cp->dst_cookie[dir])))) {
		*held = false;
		return dst;
	}
	return lvs_conn_route_lookup(cp, dir, skb, net, held);
}

/*
 * The part of lvs_xlate() after the checks, shared with the ingress fast
 * path: translate and send on @dst (a reference of ours if @held), which
 * the packet fits; @direct: to the next hop's neighbour (lvs_xmit_noref()).
 */
static __always_inline unsigned int
lvs_xlate_send(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
	       unsigned int thoff, struct net *net, struct dst_entry *dst,
	       bool held, bool forwarded, bool direct)
{
	const struct lvs_tuple *other = &cp->hn[!dir].t;
	const union nf_inet_addr *saddr = &other->dst, *daddr = &other->src;
	u8 proto = other->proto, family = other->family;
	unsigned int len = skb->len;
	struct tcphdr *th;
	__wsum diff;

	if (lvs_xlate_transport(cp, dir, skb, thoff, &th, &diff))
		goto err;
	if (cp->hn[dir].t.family != family) {
		if (lvs_l3_convert(skb, &thoff, family, proto, saddr, daddr))
			goto err;
		if (th)
			th = (struct tcphdr *)(skb->data + thoff);
	}
	lvs_xlate_l4(skb, family, proto, thoff, saddr, daddr, other->dport,
		     other->sport, diff);
	if (th && dir == LB_DIR_IN && lvs_wants_toa(cp, th))
		lvs_toa_insert(cp, skb, thoff, dst_mtu(dst));
	lvs_l3_rewrite(skb_network_header(skb), family, saddr, daddr,
		       forwarded);

	lvs_count(cp, dir, len);
	if (held)
		return lvs_xmit(skb, dst, net, family);
	return lvs_xmit_noref(skb, dst, net, family, direct);

err:
	lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_XMIT_ERROR);
	if (held)
		dst_release(dst);
	return NF_DROP;
}

#endif /* _NFT_LVS_XLATE_H */
