// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors about connections (destination unreachable,
 * fragmentation needed / packet too big, time exceeded, parameter problem):
 * translated in both directions, quoted header and quoted sequence number
 * included, so that path MTU discovery works through the LB.
 *
 * The quoted packet is one we sent, so its reverse is one of the keys of
 * the connection; the error leaves with the addresses of the other key and
 * its quote becomes the packet the receiver sent. The quoted transport
 * checksum is left alone: receivers do not check it (the quote is usually
 * cut short anyway).
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include "xlate.h"

static bool lvs_icmp_is_error(u8 family, u8 type)
{
	if (family == NFPROTO_IPV6)
		return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
		       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* The connection a quote of (@saddr, @daddr, @ports) belongs to, or NULL. */
static struct lvs_conn_hnode *lvs_icmp_lookup(struct lvs_net *ln, u8 family,
					      const union nf_inet_addr *saddr,
					      const union nf_inet_addr *daddr,
					      const __be16 *ports, u8 proto)
{
	struct lvs_tuple t;

	memset(&t, 0, sizeof(t));
	t.src = *daddr;
	t.dst = *saddr;
	t.sport = ports[1];
	t.dport = ports[0];
	t.proto = proto;
	t.family = family;
	return lvs_conn_lookup(ln, &t);
}

/*
 * The quoted ports and, for TCP, sequence number (and acknowledgment when
 * @quotes_ack) become those the receiver of the error sent.
 */
void lvs_icmp_fix_quote(__be16 *ports, u8 proto, const struct lvs_conn *cp,
			u8 dir, bool quotes_ack)
{
	const struct lvs_tuple *other = &cp->hn[!dir].t;
	__be32 *seq = (__be32 *)(ports + 2);
	u32 seq_added, ack_added;

	ports[0] = other->sport;
	ports[1] = other->dport;
	if (proto != IPPROTO_TCP)
		return;
	/*
	 * Undo what our translation added to the quoted segment. We sent it
	 * toward the RS: client seq + seq_delta, and behind SYNPROXY the
	 * client's ack - syn_delta. We sent it toward the client: behind
	 * SYNPROXY RS seq + syn_delta, and always the RS's ack - seq_delta.
	 * Endpoints check the seq (Linux ignores an error quoting data it has
	 * no longer in flight); the ack is put right too when the quote
	 * holds it.
	 */
	if (dir == LB_DIR_OUT) {
		seq_added = cp->seq_delta;
		ack_added = cp->sp ? -cp->sp->syn_delta : 0;
	} else {
		seq_added = cp->sp ? cp->sp->syn_delta : 0;
		ack_added = -cp->seq_delta;
	}
	seq[0] = htonl(ntohl(seq[0]) - seq_added);
	if (quotes_ack)
		seq[1] = htonl(ntohl(seq[1]) - ack_added);
}

/*
 * How much of the quote we rewrite from @l4off: ports and the sequence
 * number (RFC 792 promises 8 bytes of the quoted transport header), and
 * for TCP the acknowledgment when the error carries it (most do).
 */
static unsigned int lvs_icmp_quote_len(const struct sk_buff *skb,
				       unsigned int l4off, u8 proto,
				       bool *quotes_ack)
{
	unsigned int need = l4off + 8;

	*quotes_ack = proto == IPPROTO_TCP && skb->len >= need + 4;
	return *quotes_ack ? need + 4 : need;
}

/*
 * The quoted packet at @ioff: its transport protocol, where its transport
 * header starts and its addresses. An IPv6 quote may hold extension
 * headers (ours are the client's, passed through); a quote of a non-first
 * fragment has no ports and is not ours. False: not a TCP/UDP quote.
 */
static bool lvs_icmp_quote(const struct sk_buff *skb, u8 family,
			   unsigned int ioff, u8 *proto, unsigned int *l4off,
			   union nf_inet_addr *saddr, union nf_inet_addr *daddr)
{
	union {
		struct iphdr ip;
		struct ipv6hdr ip6;
	} _inner;
	const void *inner;
	__be16 frag_off;
	int off;

	if (family == NFPROTO_IPV6) {
		const struct ipv6hdr *ip6h;

		ip6h = skb_header_pointer(skb, ioff, sizeof(*ip6h), &_inner);
		if (!ip6h)
			return false;
		*proto = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, ioff + sizeof(*ip6h), proto,
				       &frag_off);
		if (off < 0 || (frag_off & htons(~0x7)))
			return false;
		inner = ip6h;
	} else {
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, ioff, sizeof(*iph), &_inner);
		if (!iph || iph->ihl < 5)
			return false;
		*proto = iph->protocol;
		off = ioff + iph->ihl * 4;
		inner = iph;
	}
	if (*proto != IPPROTO_TCP && *proto != IPPROTO_UDP)
		return false;
	*l4off = off;
	lvs_l3_addrs(inner, family, saddr, daddr);
	return true;
}

/* The ICMP checksum of the (linear) message at @thoff, after any change. */
static void lvs_icmp_csum(struct sk_buff *skb, u8 family, unsigned int thoff)
{
	unsigned int len = skb->len - thoff;
	__wsum csum;

	if (family == NFPROTO_IPV6) {
		struct icmp6hdr *icmp6h = (struct icmp6hdr *)(skb->data + thoff);
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		icmp6h->icmp6_cksum = 0;
		csum = skb_checksum(skb, thoff, len, 0);
		icmp6h->icmp6_cksum = csum_ipv6_magic(&ip6h->saddr,
						      &ip6h->daddr, len,
						      IPPROTO_ICMPV6, csum);
	} else {
		struct icmphdr *icmph = (struct icmphdr *)(skb->data + thoff);

		icmph->checksum = 0;
		icmph->checksum = csum_fold(skb_checksum(skb, thoff, len, 0));
	}
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Returns the verdict when the ICMP or ICMPv6 error was about one of our
 * connections (*handled set), NF_ACCEPT otherwise (evaluation goes on).
 */
unsigned int lvs_icmp(struct lvs_net *ln, struct sk_buff *skb,
		      const struct nft_pktinfo *pkt, bool *handled)
{
	/* Type, code, checksum and 4 bytes of rest in both families. */
	unsigned int thoff = nft_thoff(pkt), ioff = thoff + 8;
	bool forwarded = nft_hook(pkt) == NF_INET_PRE_ROUTING;
	union nf_inet_addr qsaddr, qdaddr, osaddr, odaddr;
	u8 family = nft_pf(pkt), proto, _type, *type;
	const struct lvs_tuple *other;
	struct lvs_conn_hnode *hn;
	__be16 _ports[4], *ports;
	struct dst_entry *dst;
	unsigned int l4off;
	struct lvs_conn *cp;
	bool quotes_ack;

	BUILD_BUG_ON(sizeof(struct icmphdr) != 8 || sizeof(struct icmp6hdr) != 8);
	*handled = false;
	if ((family == NFPROTO_IPV6) != (pkt->tprot == IPPROTO_ICMPV6))
		return NF_ACCEPT;
	type = skb_header_pointer(skb, thoff, sizeof(_type), &_type);
	if (!type || !lvs_icmp_is_error(family, *type))
		return NF_ACCEPT;
	if (!lvs_icmp_quote(skb, family, ioff, &proto, &l4off, &qsaddr, &qdaddr))
		return NF_ACCEPT;
	ports = skb_header_pointer(skb, l4off, sizeof(_ports), _ports);
	if (!ports)
		return NF_ACCEPT;
	hn = lvs_icmp_lookup(ln, family, &qsaddr, &qdaddr, ports, proto);
	if (!hn)
		return NF_ACCEPT;
	cp = lvs_hnode_conn(hn);
	/* Only errors addressed to us (VIP or lip) about that connection. */
	lvs_l3_addrs(skb_network_header(skb), family, &osaddr, &odaddr);
	if (!nf_inet_addr_cmp(&odaddr, &hn->t.dst))
		return NF_ACCEPT;

	*handled = true;
	if (forwarded && lvs_l3_hop_expired(skb, family))
		return NF_DROP;
	if (skb_ensure_writable(skb, lvs_icmp_quote_len(skb, l4off, proto,
							&quotes_ack)))
		goto err;

	other = &cp->hn[!hn->t.dir].t;
	if (other->family != family)
		return lvs_icmp64(skb, nft_net(pkt), cp, hn, thoff, ioff, l4off,
				  proto, forwarded);
	dst = lvs_route(nft_net(pkt), skb, family, &other->src, &other->dst);
	if (!dst) {
		lvs_stat_inc(ln, LVS_STAT_XMIT_NO_ROUTE);
		return NF_DROP;
	}

	lvs_l3_rewrite(skb->data + ioff, family, &other->src, &other->dst,
		       false);
	lvs_icmp_fix_quote((__be16 *)(skb->data + l4off), proto, cp, hn->t.dir,
			   quotes_ack);
	/* IPv6: the ICMPv6 checksum covers the new outer addresses. */
	lvs_l3_rewrite(skb_network_header(skb), family, &other->dst,
		       &other->src, forwarded);
	lvs_icmp_csum(skb, family, thoff);
	lvs_stat_inc(ln, hn->t.dir == LB_DIR_IN ? LVS_STAT_ICMP_IN : LVS_STAT_ICMP_OUT);

	return lvs_xmit(skb, dst, nft_net(pkt), family);
err:
	lvs_stat_inc(ln, LVS_STAT_XMIT_ERROR);
	return NF_DROP;
}
