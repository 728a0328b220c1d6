// SPDX-License-Identifier: GPL-2.0
/*
 * The network layer of either family for the packets we send ourselves
 * (translated ones and our own segments): route lookup, hop limit, header
 * addresses, "too big" and the ICMP answers the stack would give, and the
 * transmission. Everything above (xlate.c, icmp.c, synproxy.c) is written
 * once for both families and calls in here. The per-packet parts (header
 * rewrite, control block, sending on a kept route) are inline in xlate.h.
 *
 * What the stack does when forwarding, we do, since we send the packet
 * ourselves: the TTL / hop limit is decremented (Time Exceeded when it runs
 * out), and a packet too big for the next hop is answered with
 * fragmentation needed / Packet Too Big.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/ndisc.h>
#include <net/arp.h>
#include <net/lwtunnel.h>
#include <net/dsfield.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include "xlate.h"
#include "compat.h"

/* The output route from @saddr to @daddr, or NULL. */
struct dst_entry *lvs_route(struct net *net, const struct sk_buff *skb,
			    u8 family, const union nf_inet_addr *daddr,
			    const union nf_inet_addr *saddr)
{
	struct dst_entry *dst;

	if (family == NFPROTO_IPV6) {
		struct flowi6 fl6 = {
			.daddr		= daddr->in6,
			.saddr		= saddr->in6,
			.flowi6_mark	= skb->mark,
		};

		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			return NULL;
		}
	} else {
		struct flowi4 fl4 = {
			.daddr		= daddr->ip,
			.saddr		= saddr->ip,
			.flowi4_mark	= skb->mark,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return NULL;
		dst = &rt->dst;
	}
	return dst;
}

/* What dst_check() needs to tell whether @dst still holds. */
static u32 lvs_route_cookie(const struct dst_entry *dst, u8 family)
{
	if (family == NFPROTO_IPV6)
		return rt6_get_cookie(container_of(dst, struct rt6_info, dst));
	return 0;
}

/*
 * The route of @cp's packets received in @dir when the kept one does not
 * do (lvs_conn_route() checks it inline). A route lookup costs more than
 * the rest of the translation, and a connection's addresses do not change,
 * so the route is kept in the connection while dst_check() finds it valid:
 * a route or address change, a device going down or a new path MTU makes
 * the stack mark it stale, and the next packet looks it up again. Returned
 * without a reference (*held false), like the stack's own input routes:
 * good until the RCU read side ends. A marked packet may be routed by its
 * mark, so it is looked up every time and returned held.
 */
struct dst_entry *lvs_conn_route_lookup(struct lvs_conn *cp, u8 dir,
					const struct sk_buff *skb,
					struct net *net, bool *held)
{
	const struct lvs_tuple *other = &cp->hn[!dir].t;
	struct dst_entry *dst, *old;
	u32 cookie;

	lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_XMIT_ROUTE_LOOKUP);
	dst = lvs_route(net, skb, other->family, &other->src, &other->dst);
	if (!dst || skb->mark) {
		*held = true;
		return dst;
	}
	/*
	 * The connection takes the lookup's reference. The lock keeps each
	 * kept route with its own cookie when two CPUs replace the same stale
	 * one at once (a newer cookie could pass an older route); a reader
	 * that meets a route and cookie of different lookups sends one
	 * packet as a moment earlier or looks up once more. A reader that
	 * met the old route is safe until its RCU grace period ends.
	 */
	cookie = lvs_route_cookie(dst, other->family);
	spin_lock_bh(&cp->lock);
	old = cp->dst[dir];
	WRITE_ONCE(cp->dst_cookie[dir], cookie);
	WRITE_ONCE(cp->dst[dir], dst);
	spin_unlock_bh(&cp->lock);
	dst_release(old);
	*held = false;
	return dst;
}

/* When the connection is freed (after its RCU grace period). */
void lvs_conn_route_release(struct lvs_conn *cp)
{
	dst_release(cp->dst[LB_DIR_IN]);
	dst_release(cp->dst[LB_DIR_OUT]);
}

/* The addresses of the IP header at @nh. */
void lvs_l3_addrs(const void *nh, u8 family, union nf_inet_addr *saddr,
		  union nf_inet_addr *daddr)
{
	memset(saddr, 0, sizeof(*saddr));
	memset(daddr, 0, sizeof(*daddr));
	if (family == NFPROTO_IPV6) {
		saddr->in6 = ((const struct ipv6hdr *)nh)->saddr;
		daddr->in6 = ((const struct ipv6hdr *)nh)->daddr;
	} else {
		saddr->ip = ((const struct iphdr *)nh)->saddr;
		daddr->ip = ((const struct iphdr *)nh)->daddr;
	}
}

/*
 * NAT64 (RFC 7915's header translation, for TCP and UDP): replace the IP
 * header of @skb, whose transport header is at *@thoff, by one of family @to
 * with the addresses @saddr and @daddr. Traffic class and TOS map to each
 * other, hop limit and TTL too (the hop is taken later, with the rest);
 * toward IPv4 DF is set, toward IPv6 a datagram without DF may be
 * fragmented on the way out as the translator must. IPv6 extension headers
 * and IPv4 options are not carried. The transport checksum moves to the new
 * pseudo-header; a UDP datagram without a checksum gets one toward IPv6.
 * On success *@thoff is the new transport offset. @skb must be writable up
 * to the transport header and start at its network header.
 */
int lvs_l3_convert(struct sk_buff *skb, unsigned int *thoff, u8 to, u8 proto,
		   const union nf_inet_addr *saddr,
		   const union nf_inet_addr *daddr)
{
	u8 from = to == NFPROTO_IPV6 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	unsigned int oldlen = *thoff, newlen, alen_old, alen_new;
	union nf_inet_addr osaddr, odaddr;
	bool df = true, udp_nocsum = false;
	__sum16 *check;
	__wsum diff;
	u8 tos, hops;

	newlen = to == NFPROTO_IPV6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	alen_old = lvs_addr_len(from);
	alen_new = lvs_addr_len(to);
	lvs_l3_addrs(skb_network_header(skb), from, &osaddr, &odaddr);
	if (from == NFPROTO_IPV6) {
		tos = ipv6_get_dsfield(ipv6_hdr(skb));
		hops = ipv6_hdr(skb)->hop_limit;
	} else {
		tos = ipv4_get_dsfield(ip_hdr(skb));
		hops = ip_hdr(skb)->ttl;
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
	}

	if (proto == IPPROTO_TCP) {
		check = &((struct tcphdr *)(skb->data + oldlen))->check;
	} else {
		check = &((struct udphdr *)(skb->data + oldlen))->check;
		udp_nocsum = !*check && skb->ip_summed != CHECKSUM_PARTIAL;
	}
	if (!udp_nocsum) {
		diff = csum_add(csum_partial(saddr, alen_new, 0),
				csum_partial(daddr, alen_new, 0));
		diff = csum_sub(diff, csum_add(csum_partial(&osaddr, alen_old, 0),
					       csum_partial(&odaddr, alen_old, 0)));
		lvs_csum_replace_by_diff(check, skb, diff, true,
					 to == NFPROTO_IPV6);
	}

	if (newlen > oldlen) {
		if (skb_cow_head(skb, newlen - oldlen))
			return -ENOMEM;
		skb_push(skb, newlen - oldlen);
	} else {
		skb_pull(skb, oldlen - newlen);
	}
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, newlen);
	skb_reset_mac_header(skb);
	/* The control block belongs to the other family's output path now. */
	lvs_l3_reset_cb(skb, to);

	if (to == NFPROTO_IPV6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6_flow_hdr(ip6h, tos, 0);
		ip6h->payload_len = htons(skb->len - newlen);
		ip6h->nexthdr = proto;
		ip6h->hop_limit = hops;
		ip6h->saddr = saddr->in6;
		ip6h->daddr = daddr->in6;
		skb->protocol = htons(ETH_P_IPV6);
		skb->ignore_df = !df;
	} else {
		struct iphdr *iph = ip_hdr(skb);

		*iph = (struct iphdr) {
			.version	= 4,
			.ihl		= sizeof(*iph) / 4,
			.tos		= tos,
			.tot_len	= htons(skb->len),
			.frag_off	= htons(IP_DF),
			.ttl		= hops,
			.protocol	= proto,
			.saddr		= saddr->ip,
			.daddr		= daddr->ip,
		};
		ip_send_check(iph);
		skb->protocol = htons(ETH_P_IP);
	}

	if (udp_nocsum) {
		/* IPv6 has no UDP datagram without a checksum. */
		struct udphdr *uh = udp_hdr(skb);
		unsigned int len = skb->len - newlen;

		uh->check = 0;
		uh->check = csum_ipv6_magic(&saddr->in6, &daddr->in6, len,
					    IPPROTO_UDP,
					    skb_checksum(skb, newlen, len, 0));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}

	if (skb_is_gso(skb)) {
		struct skb_shared_info *shinfo = skb_shinfo(skb);

		if (shinfo->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) {
			shinfo->gso_type &= ~(SKB_GSO_TCPV4 | SKB_GSO_TCPV6);
			shinfo->gso_type |= to == NFPROTO_IPV6 ? SKB_GSO_TCPV6 :
								SKB_GSO_TCPV4;
		}
		/* Let segmentation check the headers it did not write. */
		shinfo->gso_type |= SKB_GSO_DODGY;
		shinfo->gso_segs = 0;
	}
	*thoff = newlen;
	return 0;
}

/* Whether forwarding @skb would take its last hop. */
bool lvs_l3_hop_expired(const struct sk_buff *skb, u8 family)
{
	if (family == NFPROTO_IPV6)
		return ipv6_hdr(skb)->hop_limit <= 1;
	return ip_hdr(skb)->ttl <= 1;
}

/*
 * As the stack decides when forwarding. IPv4: only a DF packet is too big
 * (the output path fragments the others). IPv6 routers never fragment, but
 * a packet nf_defrag_ipv6 reassembled fits if its largest fragment does
 * (it leaves in fragments of that size again). A GSO packet fits if its
 * segments do.
 */
bool lvs_l3_too_big(const struct sk_buff *skb, u8 family, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (family == NFPROTO_IPV6) {
		if (IP6CB(skb)->frag_max_size && IP6CB(skb)->frag_max_size > mtu)
			return true;
	} else if (!(ip_hdr(skb)->frag_off & htons(IP_DF))) {
		return false;
	}
	if (skb->ignore_df)
		return false;
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return true;
}

/*
 * The ICMP error the stack would send about @skb, a packet we have not
 * translated yet, from the address it was sent to (VIP or lip, both
 * local). @mtu is the next hop's for LVS_L3_TOO_BIG.
 */
void lvs_l3_icmp_reply(struct sk_buff *skb, u8 family, enum lvs_l3_error err,
		       unsigned int mtu)
{
	const struct iphdr *iph;

	/* A packet kept by SYNPROXY no longer knows where it came from. */
	if (!skb->dev)
		return;
	if (family == NFPROTO_IPV6) {
		/* icmpv6_send() answers from the destination when it is ours. */
		if (err == LVS_L3_TOO_BIG)
			icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		else
			icmpv6_send(skb, ICMPV6_TIME_EXCEED,
				    ICMPV6_EXC_HOPLIMIT, 0);
		return;
	}
	/*
	 * At prerouting the skb has no route, which icmp_send() needs to pick
	 * the source: look up the input route.
	 */
	iph = ip_hdr(skb);
	if (!skb_dst(skb) &&
	    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos, skb->dev))
		return;
	if (err == LVS_L3_TOO_BIG)
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	else
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
}

/*
 * Send a packet we rewrote or built on the route @dst, whose reference
 * goes with the packet.
 */
unsigned int lvs_xmit(struct sk_buff *skb, struct dst_entry *dst,
		      struct net *net, u8 family)
{
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return lvs_xmit_routed(skb, net, family, false);
}

