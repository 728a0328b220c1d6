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
#include <net/route.h>
#include "nft_lvs.h"

static bool lvs_icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

static bool lvs_icmp6_is_error(u8 type)
{
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}

/* The connection a quote of (@saddr, @daddr, @ports) belongs to, or NULL. */
static struct lvs_conn_hnode *lvs_icmp_lookup(struct lvs_net *ln, u8 family,
					      const void *saddr,
					      const void *daddr, size_t alen,
					      const __be16 *ports, u8 proto)
{
	struct lvs_tuple t;

	memset(&t, 0, sizeof(t));
	memcpy(&t.src, daddr, alen);
	memcpy(&t.dst, saddr, alen);
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
static void lvs_icmp_fix_quote(__be16 *ports, u8 proto,
			       const struct lvs_conn *cp, u8 dir,
			       bool quotes_ack)
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
 * Returns the verdict when the ICMP error was about one of our connections
 * (*handled set), NF_ACCEPT otherwise (evaluation goes on).
 */
unsigned int lvs_icmp_ipv4(struct lvs_net *ln, struct sk_buff *skb,
			   const struct nft_pktinfo *pkt, bool *handled)
{
	unsigned int thoff = nft_thoff(pkt), ioff = thoff + sizeof(struct icmphdr);
	bool forwarded = nft_hook(pkt) == NF_INET_PRE_ROUTING;
	const struct lvs_tuple *other;
	struct iphdr _inner, *inner;
	struct icmphdr _icmph, *icmph;
	struct lvs_conn_hnode *hn;
	__be16 _ports[4], *ports;
	unsigned int l4off;
	struct lvs_conn *cp;
	struct iphdr *iph;
	struct rtable *rt;
	bool quotes_ack;
	u8 proto;

	*handled = false;
	icmph = skb_header_pointer(skb, thoff, sizeof(_icmph), &_icmph);
	if (!icmph || !lvs_icmp_is_error(icmph->type))
		return NF_ACCEPT;
	inner = skb_header_pointer(skb, ioff, sizeof(_inner), &_inner);
	if (!inner || inner->ihl < 5 ||
	    (inner->protocol != IPPROTO_TCP && inner->protocol != IPPROTO_UDP))
		return NF_ACCEPT;
	proto = inner->protocol;
	l4off = ioff + inner->ihl * 4;
	ports = skb_header_pointer(skb, l4off, sizeof(_ports), _ports);
	if (!ports)
		return NF_ACCEPT;
	hn = lvs_icmp_lookup(ln, NFPROTO_IPV4, &inner->saddr, &inner->daddr,
			     sizeof(inner->saddr), ports, proto);
	if (!hn)
		return NF_ACCEPT;
	cp = lvs_hnode_conn(hn);
	/* Only errors addressed to us (VIP or lip) about that connection. */
	if (ip_hdr(skb)->daddr != hn->t.dst.ip)
		return NF_ACCEPT;

	*handled = true;
	if (forwarded && ip_hdr(skb)->ttl <= 1)
		return NF_DROP;
	if (skb_ensure_writable(skb, lvs_icmp_quote_len(skb, l4off, proto,
							&quotes_ack)))
		goto err;

	other = &cp->hn[!hn->t.dir].t;
	rt = lvs_route4(nft_net(pkt), skb, other->src.ip, other->dst.ip);
	if (!rt) {
		lvs_stat_inc(ln, LVS_STAT_XMIT_NO_ROUTE);
		return NF_DROP;
	}

	inner = (struct iphdr *)(skb->data + ioff);
	inner->saddr = other->src.ip;
	inner->daddr = other->dst.ip;
	lvs_icmp_fix_quote((__be16 *)(skb->data + l4off), proto, cp, hn->t.dir,
			   quotes_ack);
	ip_send_check(inner);

	icmph = (struct icmphdr *)(skb->data + thoff);
	icmph->checksum = 0;
	icmph->checksum = csum_fold(skb_checksum(skb, thoff, skb->len - thoff, 0));
	skb->ip_summed = CHECKSUM_NONE;

	iph = ip_hdr(skb);
	iph->saddr = other->dst.ip;
	iph->daddr = other->src.ip;
	if (forwarded)
		iph->ttl--;
	ip_send_check(iph);
	lvs_stat_inc(ln, hn->t.dir == LB_DIR_IN ? LVS_STAT_ICMP_IN : LVS_STAT_ICMP_OUT);

	return lvs_xmit4(skb, rt, nft_net(pkt));
err:
	lvs_stat_inc(ln, LVS_STAT_XMIT_ERROR);
	return NF_DROP;
}

/*
 * The IPv6 twin. The quote may hold extension headers (ours are the
 * client's, passed through); a quote of a non-first fragment has no ports
 * and is not ours. The ICMPv6 checksum covers a pseudo-header, so it is
 * computed after the outer addresses change.
 */
unsigned int lvs_icmp_ipv6(struct lvs_net *ln, struct sk_buff *skb,
			   const struct nft_pktinfo *pkt, bool *handled)
{
	unsigned int thoff = nft_thoff(pkt), ioff = thoff + sizeof(struct icmp6hdr);
	bool forwarded = nft_hook(pkt) == NF_INET_PRE_ROUTING;
	struct ipv6hdr _inner, *inner, *ip6h;
	const struct lvs_tuple *other;
	struct icmp6hdr _icmph, *icmph;
	struct lvs_conn_hnode *hn;
	__be16 _ports[4], *ports;
	struct dst_entry *dst;
	struct lvs_conn *cp;
	unsigned int len;
	__be16 frag_off;
	bool quotes_ack;
	int l4off;
	u8 proto;

	*handled = false;
	icmph = skb_header_pointer(skb, thoff, sizeof(_icmph), &_icmph);
	if (!icmph || !lvs_icmp6_is_error(icmph->icmp6_type))
		return NF_ACCEPT;
	inner = skb_header_pointer(skb, ioff, sizeof(_inner), &_inner);
	if (!inner)
		return NF_ACCEPT;
	proto = inner->nexthdr;
	l4off = ipv6_skip_exthdr(skb, ioff + sizeof(*inner), &proto, &frag_off);
	if (l4off < 0 || (frag_off & htons(~0x7)) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return NF_ACCEPT;
	ports = skb_header_pointer(skb, l4off, sizeof(_ports), _ports);
	if (!ports)
		return NF_ACCEPT;
	hn = lvs_icmp_lookup(ln, NFPROTO_IPV6, &inner->saddr, &inner->daddr,
			     sizeof(inner->saddr), ports, proto);
	if (!hn)
		return NF_ACCEPT;
	cp = lvs_hnode_conn(hn);
	if (!ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &hn->t.dst.in6))
		return NF_ACCEPT;

	*handled = true;
	if (forwarded && ipv6_hdr(skb)->hop_limit <= 1)
		return NF_DROP;
	if (skb_ensure_writable(skb, lvs_icmp_quote_len(skb, l4off, proto,
							&quotes_ack)))
		goto err;

	other = &cp->hn[!hn->t.dir].t;
	dst = lvs_route6(nft_net(pkt), skb, &other->src.in6, &other->dst.in6);
	if (!dst) {
		lvs_stat_inc(ln, LVS_STAT_XMIT_NO_ROUTE);
		return NF_DROP;
	}

	inner = (struct ipv6hdr *)(skb->data + ioff);
	inner->saddr = other->src.in6;
	inner->daddr = other->dst.in6;
	lvs_icmp_fix_quote((__be16 *)(skb->data + l4off), proto, cp, hn->t.dir,
			   quotes_ack);

	ip6h = ipv6_hdr(skb);
	ip6h->saddr = other->dst.in6;
	ip6h->daddr = other->src.in6;
	if (forwarded)
		ip6h->hop_limit--;

	len = skb->len - thoff;
	icmph = (struct icmp6hdr *)(skb->data + thoff);
	icmph->icmp6_cksum = 0;
	icmph->icmp6_cksum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
					     IPPROTO_ICMPV6,
					     skb_checksum(skb, thoff, len, 0));
	skb->ip_summed = CHECKSUM_NONE;
	lvs_stat_inc(ln, hn->t.dir == LB_DIR_IN ? LVS_STAT_ICMP_IN : LVS_STAT_ICMP_OUT);

	return lvs_xmit6(skb, dst, nft_net(pkt));
err:
	lvs_stat_inc(ln, LVS_STAT_XMIT_ERROR);
	return NF_DROP;
}
