// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 (FNAT66): the header, route and transmission of a translated packet.
 * The TCP work and our own segments (lvs_tcp_build) are shared with IPv4
 * (xlate.c).
 *
 * What the stack would do when forwarding, we do here, since we send the
 * packet ourselves: the hop limit is decremented (Time Exceeded when it runs
 * out), and a packet too big for the next hop is answered with Packet Too
 * Big (IPv6 routers never fragment). Extension headers stay as they are;
 * @thoff, the transport header's offset, already skips them.
 */
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/netfilter/nf_conntrack.h>
#include "nft_lvs.h"
#include "core/tcpopt.h"
#include "compat.h"

struct dst_entry *lvs_route6(struct net *net, struct sk_buff *skb,
			     const struct in6_addr *daddr,
			     const struct in6_addr *saddr)
{
	struct flowi6 fl6 = {
		.daddr		= *daddr,
		.saddr		= *saddr,
		.flowi6_mark	= skb->mark,
	};
	struct dst_entry *dst;

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

static bool lvs_route6_local(const struct dst_entry *dst)
{
	const struct rt6_info *rt = container_of(dst, struct rt6_info, dst);

	return rt->rt6i_flags & RTF_LOCAL;
}

/*
 * ICMPv6 about a packet we have not translated yet, from the address it
 * was sent to (VIP or lip, both local: icmpv6_send() answers from the
 * destination when it is one of ours).
 */
static void lvs_icmp6_reply(struct sk_buff *skb, u8 type, u8 code, __u32 info)
{
	/* A packet kept by SYNPROXY no longer knows where it came from. */
	if (!skb->dev)
		return;
	icmpv6_send(skb, type, code, info);
}

/*
 * As the stack decides when forwarding: a reassembled packet fits if its
 * largest fragment does (it leaves in fragments of that size again), a GSO
 * packet if its segments do.
 */
static bool lvs_too_big6(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (IP6CB(skb)->frag_max_size && IP6CB(skb)->frag_max_size > mtu)
		return true;
	if (skb->ignore_df)
		return false;
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return true;
}

/* A reply to a client on the LB itself: delivered directly, as for IPv4. */
static unsigned int lvs_deliver_local6(struct sk_buff *skb,
				       struct dst_entry *dst)
{
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	skb->dev = dst->dev;
	skb->pkt_type = PACKET_HOST;
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	dst_input(skb);
	return NF_STOLEN;
}

unsigned int lvs_xmit6(struct sk_buff *skb, struct dst_entry *dst,
		       struct net *net)
{
	if (lvs_route6_local(dst))
		return lvs_deliver_local6(skb, dst);

	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	skb->dev = dst->dev;
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	skb_clear_tstamp(skb);
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	dst_output(net, skb->sk, skb);
	return NF_STOLEN;
}

/*
 * Rewrite the L4 ports and the pseudo-header part of the checksum. Unlike
 * IPv4, a UDP checksum is mandatory over IPv6: there is no 0 to keep.
 */
static void lvs_xlate_l4_6(struct sk_buff *skb, u8 proto, unsigned int thoff,
			   const struct ipv6hdr *ip6h,
			   const struct in6_addr *saddr,
			   const struct in6_addr *daddr,
			   __be16 sport, __be16 dport)
{
	__be16 *ports = (__be16 *)(skb->data + thoff);
	__sum16 *check;

	if (proto == IPPROTO_TCP)
		check = &((struct tcphdr *)ports)->check;
	else
		check = &((struct udphdr *)ports)->check;
	inet_proto_csum_replace16(check, skb, ip6h->saddr.s6_addr32,
				  saddr->s6_addr32, true);
	inet_proto_csum_replace16(check, skb, ip6h->daddr.s6_addr32,
				  daddr->s6_addr32, true);
	inet_proto_csum_replace2(check, skb, ports[0], sport, false);
	inet_proto_csum_replace2(check, skb, ports[1], dport, false);
	ports[0] = sport;
	ports[1] = dport;
	if (proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/*
 * Translate a TCP/UDP packet of @cp received in @dir and send it. The new
 * tuple is the other direction's key reversed.
 */
unsigned int lvs_xlate6(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			unsigned int thoff, struct net *net, bool forwarded)
{
	const struct lvs_tuple *other = &cp->hn[!dir].t;
	const struct in6_addr *saddr = &other->dst.in6, *daddr = &other->src.in6;
	u8 proto = cp->hn[LB_DIR_IN].t.proto;
	unsigned int mtu, len = skb->len;
	struct lvs_net *ln = lvs_conn_ln(cp);
	struct tcphdr *th;
	struct ipv6hdr *ip6h;
	struct dst_entry *dst;

	if (forwarded && ipv6_hdr(skb)->hop_limit <= 1) {
		lvs_icmp6_reply(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		lvs_stat_inc(ln, LVS_STAT_TTL_EXCEEDED);
		return NF_DROP;
	}
	dst = lvs_route6(net, skb, daddr, saddr);
	if (!dst) {
		lvs_stat_inc(ln, LVS_STAT_XMIT_NO_ROUTE);
		return NF_DROP;
	}
	mtu = dst_mtu(dst);
	if (lvs_too_big6(skb, mtu)) {
		lvs_icmp6_reply(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		lvs_stat_inc(ln, LVS_STAT_XMIT_FRAG_NEEDED);
		goto drop;
	}

	if (lvs_xlate_transport(cp, dir, skb, thoff, &th))
		goto err;
	ip6h = ipv6_hdr(skb);
	lvs_xlate_l4_6(skb, proto, thoff, ip6h, saddr, daddr, other->dport,
		       other->sport);
	if (th && dir == LB_DIR_IN && lvs_wants_toa(cp, th))
		lvs_toa_insert(cp, skb, thoff, mtu);

	ip6h = ipv6_hdr(skb);
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	if (forwarded)
		ip6h->hop_limit--;

	lvs_count(cp, dir, len);
	return lvs_xmit6(skb, dst, net);

err:
	lvs_stat_inc(ln, LVS_STAT_XMIT_ERROR);
drop:
	dst_release(dst);
	return NF_DROP;
}

unsigned int lvs_xlate_ipv6(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			    const struct nft_pktinfo *pkt)
{
	return lvs_xlate6(cp, dir, skb, nft_thoff(pkt), nft_net(pkt),
			  nft_hook(pkt) == NF_INET_PRE_ROUTING);
}
