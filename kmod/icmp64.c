// SPDX-License-Identifier: GPL-2.0
/*
 * NAT64's ICMP: an error about a connection whose two sides are of
 * different families (IPv6 client, IPv4 server) is translated as RFC 7915
 * says (sections 4.2 and 5.2): type and code mapped, the MTU of "too big"
 * moved by the 20 bytes the IP header changes by, the pointer of a
 * parameter problem moved to the same field of the other header, and the
 * quoted packet turned into the one the receiver sent, in its family, with
 * its addresses, ports and sequence number. Errors without a counterpart
 * are dropped and counted. The translation is a new packet: both headers
 * change size.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/dsfield.h>
#include "nft_lvs.h"

/* What an error becomes in the other family. */
struct lvs_icmp_xlat {
	u8	type, code;
	u32	info;		/* MTU or pointer, host order; 0: none */
};

/* IPv4 header field offsets to IPv6 ones (RFC 7915 4.2, figure 3); -1: none. */
static int lvs_icmp_ptr4to6(u8 ptr)
{
	static const s8 map[20] = { 0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1,
				    8, 8, 8, 8, 24, 24, 24, 24 };

	return ptr < ARRAY_SIZE(map) ? map[ptr] : -1;
}

/* IPv6 header field offsets to IPv4 ones (RFC 7915 5.2, figure 6). */
static int lvs_icmp_ptr6to4(u32 ptr)
{
	if (ptr <= 1)
		return ptr;
	if (ptr == 4 || ptr == 5)
		return 2;
	if (ptr == 6)
		return 9;
	if (ptr == 7)
		return 8;
	if (ptr >= 8 && ptr < 24)
		return 12;
	if (ptr >= 24 && ptr < 40)
		return 16;
	return -1;
}

static bool lvs_icmp_4to6(const struct icmphdr *ih, struct lvs_icmp_xlat *x)
{
	int ptr;

	x->info = 0;
	switch (ih->type) {
	case ICMP_DEST_UNREACH:
		x->type = ICMPV6_DEST_UNREACH;
		switch (ih->code) {
		case ICMP_NET_UNREACH: case ICMP_HOST_UNREACH:
		case ICMP_SR_FAILED: case ICMP_NET_UNKNOWN:
		case ICMP_HOST_UNKNOWN: case ICMP_HOST_ISOLATED:
		case ICMP_NET_UNR_TOS: case ICMP_HOST_UNR_TOS:
			x->code = ICMPV6_NOROUTE;
			return true;
		case ICMP_PORT_UNREACH:
			x->code = ICMPV6_PORT_UNREACH;
			return true;
		case ICMP_NET_ANO: case ICMP_HOST_ANO: case ICMP_PKT_FILTERED:
		case ICMP_PREC_VIOLATION:
			x->code = ICMPV6_ADM_PROHIBITED;
			return true;
		case ICMP_PROT_UNREACH:
			x->type = ICMPV6_PARAMPROB;
			x->code = ICMPV6_UNK_NEXTHDR;
			x->info = offsetof(struct ipv6hdr, nexthdr);
			return true;
		case ICMP_FRAG_NEEDED:
			x->type = ICMPV6_PKT_TOOBIG;
			x->code = 0;
			x->info = max_t(u32, ntohs(ih->un.frag.mtu) + 20, IPV6_MIN_MTU);
			return true;
		}
		return false;
	case ICMP_TIME_EXCEEDED:
		x->type = ICMPV6_TIME_EXCEED;
		x->code = ih->code;
		return ih->code <= ICMP_EXC_FRAGTIME;
	case ICMP_PARAMETERPROB:
		if (ih->code != 0 && ih->code != 2)
			return false;
		ptr = lvs_icmp_ptr4to6(ntohl(ih->un.gateway) >> 24);
		if (ptr < 0)
			return false;
		x->type = ICMPV6_PARAMPROB;
		x->code = ICMPV6_HDR_FIELD;
		x->info = ptr;
		return true;
	}
	return false;
}

static bool lvs_icmp_6to4(const struct icmp6hdr *ih, struct lvs_icmp_xlat *x)
{
	int ptr;

	x->info = 0;
	switch (ih->icmp6_type) {
	case ICMPV6_DEST_UNREACH:
		x->type = ICMP_DEST_UNREACH;
		switch (ih->icmp6_code) {
		case ICMPV6_NOROUTE: case ICMPV6_NOT_NEIGHBOUR:
		case ICMPV6_ADDR_UNREACH:
			x->code = ICMP_HOST_UNREACH;
			return true;
		case ICMPV6_ADM_PROHIBITED:
			x->code = ICMP_HOST_ANO;
			return true;
		case ICMPV6_PORT_UNREACH:
			x->code = ICMP_PORT_UNREACH;
			return true;
		}
		return false;
	case ICMPV6_PKT_TOOBIG:
		x->type = ICMP_DEST_UNREACH;
		x->code = ICMP_FRAG_NEEDED;
		x->info = min_t(u32, ntohl(ih->icmp6_mtu) - 20, 0xffff);
		return ntohl(ih->icmp6_mtu) > 20 + 68;
	case ICMPV6_TIME_EXCEED:
		x->type = ICMP_TIME_EXCEEDED;
		x->code = ih->icmp6_code;
		return ih->icmp6_code <= ICMPV6_EXC_FRAGTIME;
	case ICMPV6_PARAMPROB:
		if (ih->icmp6_code == ICMPV6_UNK_NEXTHDR) {
			x->type = ICMP_DEST_UNREACH;
			x->code = ICMP_PROT_UNREACH;
			return true;
		}
		if (ih->icmp6_code != ICMPV6_HDR_FIELD)
			return false;
		ptr = lvs_icmp_ptr6to4(ntohl(ih->icmp6_pointer));
		if (ptr < 0)
			return false;
		x->type = ICMP_PARAMETERPROB;
		x->code = 0;
		x->info = ptr;
		return true;
	}
	return false;
}

/*
 * Translate the error @skb (ICMP header at @thoff, quoted transport header
 * at @l4off, protocol @proto) about @cp, found by its key @hn, and send it
 * to the other side. Always consumes what it needs; the verdict for @skb.
 */
unsigned int lvs_icmp64(struct sk_buff *skb, struct net *net,
			struct lvs_conn *cp, const struct lvs_conn_hnode *hn,
			unsigned int thoff, unsigned int ioff, unsigned int l4off,
			u8 proto, bool forwarded)
{
	const struct lvs_tuple *other = &cp->hn[!hn->t.dir].t;
	u8 from = hn->t.family, to = other->family;
	unsigned int hl = to == NFPROTO_IPV6 ? sizeof(struct ipv6hdr) :
					       sizeof(struct iphdr);
	unsigned int qlen = skb->len - l4off, max, len;
	struct lvs_net *ln = lvs_conn_ln(cp);
	union {
		struct icmphdr ih4;
		struct icmp6hdr ih6;
	} _ih;
	struct lvs_icmp_xlat x;
	struct dst_entry *dst;
	struct sk_buff *nskb;
	u8 hops, qhops, qtos;
	u16 qlen_orig;
	void *ih, *nh;

	ih = skb_header_pointer(skb, thoff, sizeof(_ih), &_ih);
	if (!ih || qlen < 8 ||
	    !(from == NFPROTO_IPV4 ? lvs_icmp_4to6(ih, &x) : lvs_icmp_6to4(ih, &x)))
		goto untranslated;

	/* The hop count, TOS and length of the quoted packet, in its terms. */
	if (from == NFPROTO_IPV4) {
		struct iphdr _q;
		const struct iphdr *q = skb_header_pointer(skb, ioff, sizeof(_q), &_q);

		hops = ip_hdr(skb)->ttl;
		if (!q)
			goto untranslated;
		qhops = q->ttl;
		qtos = q->tos;
		/* What the receiver sent: its IPv6 payload. */
		qlen_orig = ntohs(q->tot_len) - q->ihl * 4;
	} else {
		struct ipv6hdr _q;
		const struct ipv6hdr *q = skb_header_pointer(skb, ioff, sizeof(_q), &_q);

		hops = ipv6_hdr(skb)->hop_limit;
		if (!q)
			goto untranslated;
		qhops = q->hop_limit;
		qtos = ipv6_get_dsfield(q);
		/* What the receiver sent: an IPv4 packet, total length. */
		qlen_orig = ntohs(q->payload_len) - (l4off - ioff - sizeof(*q)) +
			    sizeof(struct iphdr);
	}
	if (forwarded && hops <= 1)
		return NF_DROP;

	/* An ICMPv6 error fits 1280 bytes, an ICMP one 576 (RFC 1812). */
	max = to == NFPROTO_IPV6 ? IPV6_MIN_MTU : 576;
	qlen = min(qlen, max - 2 * hl - 8);
	len = 2 * hl + 8 + qlen;
	nskb = alloc_skb(LL_MAX_HEADER + len, GFP_ATOMIC);
	if (!nskb)
		goto err;
	skb_reserve(nskb, LL_MAX_HEADER);
	skb_put(nskb, len);
	skb_reset_network_header(nskb);
	skb_set_transport_header(nskb, hl);
	nskb->mark = skb->mark;
	if (skb_copy_bits(skb, l4off, nskb->data + 2 * hl + 8, qlen))
		goto err_free;
	lvs_icmp_fix_quote((__be16 *)(nskb->data + 2 * hl + 8), proto, cp,
			   hn->t.dir, qlen >= 12);

	/* The quote: what the receiver sent (other->src to other->dst). */
	nh = nskb->data + hl + 8;
	if (to == NFPROTO_IPV6) {
		struct ipv6hdr *q = nh;

		ip6_flow_hdr(q, qtos, 0);
		q->payload_len = htons(qlen_orig);
		q->nexthdr = proto;
		q->hop_limit = qhops;
		q->saddr = other->src.in6;
		q->daddr = other->dst.in6;
	} else {
		struct iphdr *q = nh;

		*q = (struct iphdr) {
			.version = 4, .ihl = 5, .tos = qtos,
			.tot_len = htons(qlen_orig), .frag_off = htons(IP_DF),
			.ttl = qhops, .protocol = proto,
			.saddr = other->src.ip, .daddr = other->dst.ip,
		};
		ip_send_check(q);
	}

	/* The error itself, from the address the receiver sent to. */
	hops -= forwarded;
	if (to == NFPROTO_IPV6) {
		struct ipv6hdr *ip6h = ipv6_hdr(nskb);
		struct icmp6hdr *ih6 = (struct icmp6hdr *)(nskb->data + hl);

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(len - hl);
		ip6h->nexthdr = IPPROTO_ICMPV6;
		ip6h->hop_limit = hops;
		ip6h->saddr = other->dst.in6;
		ip6h->daddr = other->src.in6;
		memset(ih6, 0, sizeof(*ih6));
		ih6->icmp6_type = x.type;
		ih6->icmp6_code = x.code;
		ih6->icmp6_mtu = htonl(x.info);	/* also the pointer */
		ih6->icmp6_cksum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
						   len - hl, IPPROTO_ICMPV6,
						   csum_partial(ih6, len - hl, 0));
		nskb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph = ip_hdr(nskb);
		struct icmphdr *ih4 = (struct icmphdr *)(nskb->data + hl);

		*iph = (struct iphdr) {
			.version = 4, .ihl = 5, .tot_len = htons(len),
			.ttl = hops, .protocol = IPPROTO_ICMP,
			.saddr = other->dst.ip, .daddr = other->src.ip,
		};
		ip_send_check(iph);
		memset(ih4, 0, sizeof(*ih4));
		ih4->type = x.type;
		ih4->code = x.code;
		if (x.type == ICMP_PARAMETERPROB)
			ih4->un.gateway = htonl(x.info << 24);
		else
			ih4->un.frag.mtu = htons(x.info);
		ih4->checksum = csum_fold(csum_partial(ih4, len - hl, 0));
		nskb->protocol = htons(ETH_P_IP);
	}
	nskb->ip_summed = CHECKSUM_NONE;

	dst = lvs_route(net, nskb, to, &other->src, &other->dst);
	if (!dst) {
		lvs_stat_inc(ln, LVS_STAT_XMIT_NO_ROUTE);
		kfree_skb(nskb);
		return NF_DROP;
	}
	lvs_stat_inc(ln, hn->t.dir == LB_DIR_IN ? LVS_STAT_ICMP_IN : LVS_STAT_ICMP_OUT);
	lvs_xmit(nskb, dst, net, to);
	return NF_DROP;

err_free:
	kfree_skb(nskb);
err:
	lvs_stat_inc(ln, LVS_STAT_XMIT_ERROR);
	return NF_DROP;
untranslated:
	lvs_stat_inc(ln, LVS_STAT_ICMP_NAT64);
	return NF_DROP;
}
