// SPDX-License-Identifier: GPL-2.0
/*
 * Translation of a packet that belongs to a connection, for either family:
 * the TCP work (sequence deltas, options, TOA, state), ports, addresses and
 * checksums, and our own TCP segments (l3.c has the per-family network
 * layer). Translated packets are routed on the new addresses and sent by us
 * (NF_STOLEN), as IPVS does. Accepting a rewritten packet would not work at
 * prerouting: its new source (lip toward the RS, VIP toward the client) is
 * local, and input routing drops it as a martian. The steps every packet
 * takes are inline in xlate.h, which the ingress fast path shares; what
 * is here is rarer: the checks before them, TOA insertion, our segments.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include <net/checksum.h>
#include <net/netfilter/nf_conntrack.h>
#include "xlate.h"
#include "compat.h"

/*
 * Insert the client address option (TOA) right after the fixed TCP header:
 * move the IP header (with any IPv6 extension headers) and TCP header
 * toward the head by the option length, so the payload stays where it is.
 * The option carries the client's address in its own family; an IPv6
 * address under kind 254 (DPVS) or, when the service asks, 253 (LVS v2).
 */
void lvs_toa_insert(struct lvs_conn *cp, struct sk_buff *skb,
		    unsigned int thoff, unsigned int mtu)
{
	const struct lvs_tuple *ct = &cp->hn[LB_DIR_IN].t;
	int family = ct->family == NFPROTO_IPV6 ? CORE_AF_INET6 : CORE_AF_INET;
	unsigned int olen = tcpopt_toa_len(family), hl, tcplen;
	u8 kind = family == CORE_AF_INET6 &&
		  (cp->flags & NFT_FULLNAT_F_TOA_KIND253) ?
		  TCPOPT_KIND_TOA6 : TCPOPT_KIND_TOA;
	struct lvs_net *ln = lvs_conn_ln(cp);
	struct tcphdr *th;
	u32 diff = 0;

	if (skb_is_gso(skb)) {
		lvs_stat_inc(ln, LVS_STAT_TOA_GSO);
		return;
	}
	hl = ((struct tcphdr *)(skb->data + thoff))->doff * 4;
	if (hl + olen > CORE_TCP_HDR_MAX) {
		lvs_stat_inc(ln, LVS_STAT_TOA_HEAD_FULL);
		return;
	}
	if (skb->len + olen > mtu) {
		lvs_stat_inc(ln, LVS_STAT_TOA_FAIL_LEN);
		return;
	}
	if (skb_network_offset(skb) != 0 || skb_cow_head(skb, olen)) {
		lvs_stat_inc(ln, LVS_STAT_TOA_FAIL_MEM);
		return;
	}
	tcplen = skb->len - thoff;
	skb_push(skb, olen);
	memmove(skb->data, skb->data + olen, thoff + hl);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	skb_reset_mac_header(skb);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		skb->csum_start -= olen;

	th = (struct tcphdr *)(skb->data + thoff);
	if (tcpopt_toa_insert((u8 *)th, hl + olen, kind, family, &ct->src,
			      ct->sport, &diff) != olen) {
		/* Cannot happen after the checks above; undo nothing, count. */
		lvs_stat_inc(ln, LVS_STAT_TOA_FAIL_MEM);
		return;
	}
	/* The packet's own family (NAT64: not the client's). */
	if (cp->hn[LB_DIR_OUT].t.family == NFPROTO_IPV6)
		ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
	else
		ip_hdr(skb)->tot_len = htons(skb->len);
	lvs_csum_replace_by_diff(&th->check, skb, (__force __wsum)diff, false,
				 false);
	inet_proto_csum_replace4(&th->check, skb, htonl(tcplen),
				 htonl(tcplen + olen), true);
	lvs_stat_inc(ln, LVS_STAT_TOA_OK);
}

/*
 * Translate a TCP/UDP packet of @cp received in @dir, its transport header
 * at @thoff, and send it. The new tuple is the other direction's key
 * reversed. @forwarded: the packet came from another host (prerouting), so
 * it loses a hop as the stack's forwarding would take one.
 */
unsigned int lvs_xlate(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
		       unsigned int thoff, struct net *net, bool forwarded)
{
	/* NAT64: the packet arrives in the other family than it leaves in. */
	u8 in_family = cp->hn[dir].t.family;
	struct lvs_net *ln = lvs_conn_ln(cp);
	struct dst_entry *dst;
	unsigned int mtu;
	bool held;

	if (forwarded && lvs_l3_hop_expired(skb, in_family)) {
		lvs_l3_icmp_reply(skb, in_family, LVS_L3_HOP_EXPIRED, 0);
		lvs_stat_inc(ln, LVS_STAT_TTL_EXCEEDED);
		return NF_DROP;
	}
	dst = lvs_conn_route(cp, dir, skb, net, &held);
	if (!dst) {
		lvs_stat_inc(ln, LVS_STAT_XMIT_NO_ROUTE);
		return NF_DROP;
	}
	/* The answer goes to the sender in its own family. */
	mtu = lvs_xlate_mtu(cp, dir, dst, thoff);
	if (lvs_l3_too_big(skb, in_family, mtu)) {
		lvs_l3_icmp_reply(skb, in_family, LVS_L3_TOO_BIG,
				  in_family == NFPROTO_IPV6 ?
				  max_t(unsigned int, mtu, IPV6_MIN_MTU) : mtu);
		lvs_stat_inc(ln, LVS_STAT_XMIT_FRAG_NEEDED);
		if (held)
			dst_release(dst);
		return NF_DROP;
	}
	return lvs_xlate_send(cp, dir, skb, thoff, net, dst, held, forwarded,
			      false);
}

unsigned int lvs_xlate_pkt(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			   const struct nft_pktinfo *pkt)
{
	return lvs_xlate(cp, dir, skb, nft_thoff(pkt), nft_net(pkt),
			 nft_hook(pkt) == NF_INET_PRE_ROUTING);
}

/*
 * The fast path: if the packet belongs to a connection, translate and send
 * it (true, *verdict set); otherwise false and evaluation goes on.
 */
bool lvs_dispatch(struct lvs_net *ln, struct sk_buff *skb,
		  const struct nft_pktinfo *pkt, const struct lvs_tuple *t,
		  unsigned int *verdict)
{
	struct lvs_conn_hnode *hn = lvs_conn_lookup(ln, t);
	struct lvs_conn *cp;
	struct tcphdr _th;
	const struct tcphdr *th;

	if (!hn)
		return false;
	cp = lvs_hnode_conn(hn);
	if (lvs_conn_nodest(cp, ln)) {
		lvs_conn_end_nodest(cp);
		*verdict = NF_DROP;
		return true;
	}
	if (cp->sp) {
		switch (lvs_synproxy_dispatch(cp, hn->t.dir, skb, pkt, verdict)) {
		case LVS_SP_DONE:
			return true;
		case LVS_SP_GONE:
			return false;
		}
	}
	if (t->proto == IPPROTO_TCP && hn->t.dir == LB_DIR_IN) {
		th = skb_header_pointer(skb, nft_thoff(pkt), sizeof(_th), &_th);
		if (!th) {
			*verdict = NF_DROP;
			return true;
		}
		/*
		 * A new SYN on a closed connection starts it over, on the same
		 * server and local port. Unless that server has left the pool
		 * or is drained: then the connection ends here and the SYN is
		 * scheduled like any new one (the rules after this go on).
		 */
		if (th->syn && !th->ack && lb_tcp_reusable(READ_ONCE(cp->state))) {
			if (!lvs_dest_takes_new(cp->dest)) {
				if (lvs_conn_kill(cp))
					lvs_stat_inc(ln, LVS_STAT_CONN_REUSED);
				return false;
			}
			lvs_conn_reuse(cp, ntohl(th->seq));
		}
	}
	*verdict = lvs_xlate_pkt(cp, hn->t.dir, skb, pkt);
	return true;
}

/*
 * A TCP segment of our own (cookie SYN-ACK, SYN or ACK to an RS, RST) to
 * the sender of @t, from the address and port it sent to (VIP or lip), in
 * its family: headers and options only, no data. @flags are CORE_TCPF_*;
 * @optlen a multiple of 4; @ttl is the hop limit for IPv6.
 */
struct sk_buff *lvs_tcp_build(const struct lvs_tuple *t, u32 seq, u32 ack,
			      u8 flags, u16 win, const u8 *opts,
			      unsigned int optlen, u8 ttl)
{
	bool v6 = t->family == NFPROTO_IPV6;
	unsigned int tcplen = sizeof(struct tcphdr) + optlen;
	unsigned int nhlen = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	struct sk_buff *skb;
	struct tcphdr *th;
	__wsum csum;

	skb = alloc_skb(LL_MAX_HEADER + nhlen + tcplen, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	skb_put_zero(skb, nhlen);
	skb_set_transport_header(skb, nhlen);
	th = skb_put_zero(skb, tcplen);

	th->source = t->dport;
	th->dest = t->sport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = tcplen / 4;
	((u8 *)th)[CORE_TCP_FLAGS_OFF] = flags;
	th->window = htons(win);
	if (optlen)
		memcpy(th + 1, opts, optlen);
	csum = csum_partial(th, tcplen, 0);

	if (v6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		skb->protocol = htons(ETH_P_IPV6);
		th->check = csum_ipv6_magic(&t->dst.in6, &t->src.in6, tcplen,
					    IPPROTO_TCP, csum);
		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(tcplen);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = ttl;
		ip6h->saddr = t->dst.in6;
		ip6h->daddr = t->src.in6;
	} else {
		struct iphdr *iph = ip_hdr(skb);

		skb->protocol = htons(ETH_P_IP);
		th->check = tcp_v4_check(tcplen, t->dst.ip, t->src.ip, csum);
		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->tot_len = htons(nhlen + tcplen);
		iph->frag_off = htons(IP_DF);
		iph->ttl = ttl;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = t->dst.ip;
		iph->daddr = t->src.ip;
		ip_send_check(iph);
	}
	return skb;
}

/* Route a segment from lvs_tcp_build() and send it; it is consumed. */
void lvs_tcp_send(struct net *net, struct sk_buff *skb)
{
	u8 family = skb->protocol == htons(ETH_P_IPV6) ? NFPROTO_IPV6 :
							   NFPROTO_IPV4;
	union nf_inet_addr saddr, daddr;
	struct dst_entry *dst;

	lvs_l3_addrs(skb_network_header(skb), family, &saddr, &daddr);
	dst = lvs_route(net, skb, family, &daddr, &saddr);
	if (dst)
		lvs_xmit(skb, dst, net, family);
	else
		kfree_skb(skb);
}

/* A bare RST to the sender of @t, routed and sent by us. */
void lvs_send_rst(struct net *net, const struct lvs_tuple *t, u32 seq)
{
	struct sk_buff *skb;

	skb = lvs_tcp_build(t, seq, 0, CORE_TCPF_RST, 0, NULL, 0, 64);
	if (skb)
		lvs_tcp_send(net, skb);
}

/*
 * Translate and send a packet of @cp kept earlier (behind SYNPROXY, while
 * the RS was being reached): its transport header is found again.
 */
unsigned int lvs_xlate_held(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			    struct net *net, bool forwarded)
{
	__be16 frag_off;
	u8 nexthdr;
	int thoff;

	if (cp->hn[LB_DIR_IN].t.family != NFPROTO_IPV6)
		return lvs_xlate(cp, dir, skb, ip_hdrlen(skb), net, forwarded);
	nexthdr = ipv6_hdr(skb)->nexthdr;
	thoff = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nexthdr,
				 &frag_off);
	if (thoff < 0 || nexthdr != IPPROTO_TCP)
		return NF_DROP;
	return lvs_xlate(cp, dir, skb, thoff, net, forwarded);
}
