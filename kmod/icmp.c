// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about connections (destination unreachable, including
 * fragmentation needed, time exceeded, parameter problem): translated in
 * both directions, quoted header and quoted sequence number included, so
 * that path MTU discovery works through the LB.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/route.h>
#include "nft_lvs.h"

static bool lvs_icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* The quoted packet was sent by us; its reply direction is our key. */
static struct lvs_conn_hnode *lvs_icmp_lookup(struct lvs_net *ln,
					      const struct iphdr *inner,
					      const __be16 *ports)
{
	struct lvs_tuple t;

	memset(&t, 0, sizeof(t));
	t.src.ip = inner->daddr;
	t.dst.ip = inner->saddr;
	t.sport = ports[1];
	t.dport = ports[0];
	t.proto = inner->protocol;
	t.family = NFPROTO_IPV4;
	return lvs_conn_lookup(ln, &t);
}

static void lvs_icmp_rewrite(struct sk_buff *skb, unsigned int thoff,
			     unsigned int ioff, const struct lvs_conn *cp, u8 dir,
			     bool forwarded, bool quotes_ack)
{
	const struct lvs_tuple *other = &cp->hn[!dir].t;
	struct iphdr *iph = ip_hdr(skb);
	struct iphdr *inner = (struct iphdr *)(skb->data + ioff);
	__be16 *ports = (__be16 *)(skb->data + ioff + inner->ihl * 4);
	struct icmphdr *icmph = (struct icmphdr *)(skb->data + thoff);

	/* The quoted packet becomes the one the receiver sent. */
	inner->saddr = other->src.ip;
	inner->daddr = other->dst.ip;
	ports[0] = other->sport;
	ports[1] = other->dport;
	if (inner->protocol == IPPROTO_TCP) {
		__be32 *seq = (__be32 *)(ports + 2);
		u32 seq_added, ack_added;

		/*
		 * Undo what our translation added to the quoted segment. We
		 * sent it toward the RS: client seq + seq_delta, and behind
		 * SYNPROXY the client's ack - syn_delta. We sent it toward
		 * the client: behind SYNPROXY RS seq + syn_delta, and always
		 * the RS's ack - seq_delta. Endpoints check the seq (Linux
		 * ignores an error quoting data it has no longer in flight);
		 * the ack is put right too when the quote holds it.
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
	ip_send_check(inner);

	icmph->checksum = 0;
	icmph->checksum = csum_fold(skb_checksum(skb, thoff, skb->len - thoff, 0));
	skb->ip_summed = CHECKSUM_NONE;

	iph->saddr = other->dst.ip;
	iph->daddr = other->src.ip;
	if (forwarded)
		iph->ttl--;
	ip_send_check(iph);
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
	struct iphdr _inner, *inner;
	struct icmphdr _icmph, *icmph;
	struct lvs_conn_hnode *hn;
	__be16 _ports[4], *ports;
	struct lvs_conn *cp;
	struct rtable *rt;
	unsigned int need;
	bool quotes_ack;

	*handled = false;
	icmph = skb_header_pointer(skb, thoff, sizeof(_icmph), &_icmph);
	if (!icmph || !lvs_icmp_is_error(icmph->type))
		return NF_ACCEPT;
	inner = skb_header_pointer(skb, ioff, sizeof(_inner), &_inner);
	if (!inner || inner->ihl < 5 ||
	    (inner->protocol != IPPROTO_TCP && inner->protocol != IPPROTO_UDP))
		return NF_ACCEPT;
	/* Ports, and for TCP the sequence number: the first 8 bytes. */
	ports = skb_header_pointer(skb, ioff + inner->ihl * 4, sizeof(_ports), _ports);
	if (!ports)
		return NF_ACCEPT;
	hn = lvs_icmp_lookup(ln, inner, ports);
	if (!hn)
		return NF_ACCEPT;
	cp = lvs_hnode_conn(hn);
	/* Only errors addressed to us (VIP or lip) about that connection. */
	if (ip_hdr(skb)->daddr != hn->t.dst.ip)
		return NF_ACCEPT;

	*handled = true;
	if (forwarded && ip_hdr(skb)->ttl <= 1)
		return NF_DROP;
	need = ioff + inner->ihl * 4 + sizeof(_ports);
	/* RFC 792 promises 8 bytes of the quoted L4 header; most send more. */
	quotes_ack = inner->protocol == IPPROTO_TCP &&
		     skb->len >= need + sizeof(__be32);
	if (quotes_ack)
		need += sizeof(__be32);
	if (skb_ensure_writable(skb, need))
		goto err;

	rt = lvs_route4(nft_net(pkt), skb, cp->hn[!hn->t.dir].t.src.ip,
			cp->hn[!hn->t.dir].t.dst.ip);
	if (!rt) {
		lvs_stat_inc(ln, LVS_STAT_XMIT_NO_ROUTE);
		return NF_DROP;
	}
	lvs_icmp_rewrite(skb, thoff, ioff, cp, hn->t.dir, forwarded, quotes_ack);
	lvs_stat_inc(ln, hn->t.dir == LB_DIR_IN ? LVS_STAT_ICMP_IN : LVS_STAT_ICMP_OUT);

	return lvs_xmit4(skb, rt, nft_net(pkt));
err:
	lvs_stat_inc(ln, LVS_STAT_XMIT_ERROR);
	return NF_DROP;
}
