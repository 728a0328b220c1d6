// SPDX-License-Identifier: GPL-2.0
/*
 * The ingress fast path: `lb-dispatch` in a netdev ingress chain takes the
 * packets of established connections before the IP stack and sends them
 * out on the connection's kept route. It does what the stack's receive
 * path and forwarding would have done for such a packet and nothing else;
 * whatever needs more (an IP option, a fragment, a last hop, a packet that
 * does not fit the next hop, a TCP state change, an ICMP error, NAT64) is
 * left to the stack, where `lb-dispatch` at prerouting deals with it.
 *
 * The same fast path also comes without a chain around it: a flowtable in
 * a netdev table hooks it on the flowtable's devices directly, as the nft
 * flowtable hooks conntrack's flows (lvs_flowtable_type, below).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/if_vlan.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_flow_table.h>
#include "xlate.h"
#include "compat.h"

/* Drop link padding after an IP packet of @len bytes, as ip_rcv() does. */
static int lvs_fast_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->len < len)
		return -1;
	return pskb_trim_rcsum(skb, len);
}

/*
 * What ip_rcv()/ipv6_rcv() check, and what makes a packet one we can
 * forward without the stack: a whole IPv4 header of 20 bytes with a good
 * checksum, no fragment, a hop left; an IPv6 header followed by TCP or UDP
 * directly (extension headers go the long way). Link padding after the
 * packet (a short Ethernet frame) is trimmed as the stack would trim it.
 * Returns the transport header's offset, or 0.
 */
static __always_inline unsigned int lvs_fast_l3(struct sk_buff *skb,
						u8 *family, u8 *proto)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return 0;
		iph = ip_hdr(skb);
		if (iph->version != 4 || iph->ihl != 5 ||
		    ntohs(iph->tot_len) < sizeof(*iph) || ip_is_fragment(iph) ||
		    iph->ttl <= 1 || ip_fast_csum(iph, iph->ihl) ||
		    lvs_fast_trim(skb, ntohs(iph->tot_len)))
			return 0;
		*family = NFPROTO_IPV4;
		*proto = ip_hdr(skb)->protocol;	/* the trim may move the head */
		return sizeof(*iph);
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return 0;
		ip6h = ipv6_hdr(skb);
		/* A zero payload length is a jumbogram's: the long way. */
		if (ip6h->version != 6 || !ip6h->payload_len ||
		    ip6h->hop_limit <= 1 ||
		    lvs_fast_trim(skb, ntohs(ip6h->payload_len) + sizeof(*ip6h)))
			return 0;
		*family = NFPROTO_IPV6;
		*proto = ipv6_hdr(skb)->nexthdr;
		return sizeof(*ip6h);
	}
	return 0;
}

/*
 * Whether @cp's packet @skb, received in @dir, can be translated here
 * without changing the connection's state: TCP established or half-closed,
 * carrying an ACK without SYN, FIN or RST (those go through the state
 * machine on prerouting), or UDP; its TCP header in the linear data.
 */
static __always_inline bool lvs_fast_conn_ok(struct lvs_conn *cp, u8 dir,
					     struct sk_buff *skb,
					     unsigned int thoff, u8 family)
{
	const struct tcphdr *th;
	unsigned int hl;
	u8 flags;

	/* NAT64 converts the header: left to prerouting for now. */
	if (cp->hn[!dir].t.family != family ||
	    lvs_conn_nodest(cp, lvs_conn_ln(cp)))
		return false;
	if (cp->hn[dir].t.proto != IPPROTO_TCP)
		return true;
	/* Data and ACKs of a half-closed connection keep its state too. */
	switch (READ_ONCE(cp->state)) {
	case LB_TCP_ESTABLISHED:
	case LB_TCP_FIN_WAIT:
	case LB_TCP_CLOSE_WAIT:
		break;
	default:
		return false;
	}
	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return false;
	th = (const struct tcphdr *)(skb->data + thoff);
	hl = th->doff * 4;
	flags = ((const u8 *)th)[CORE_TCP_FLAGS_OFF];
	return (flags & (CORE_TCPF_SYN | CORE_TCPF_FIN | CORE_TCPF_RST |
			 CORE_TCPF_ACK)) == CORE_TCPF_ACK &&
	       hl >= sizeof(*th) && pskb_may_pull(skb, thoff + hl);
}

/*
 * synproxy-lb's say, last because its ACK-storm guard counts what it sees:
 * a packet it passes is translated here, not looked at again on prerouting.
 */
static bool lvs_fast_synproxy_ok(struct lvs_conn *cp, u8 dir,
				 const struct sk_buff *skb, unsigned int thoff,
				 bool *drop)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);

	*drop = false;
	if (!cp->sp || cp->hn[dir].t.proto != IPPROTO_TCP)
		return true;
	return lvs_synproxy_fast_ok(cp, dir, th,
				    skb->len - thoff - th->doff * 4, drop);
}

/* A connection's packet left to the stack and prerouting. */
static unsigned int lvs_fast_pass(struct lvs_net *ln)
{
	lvs_stat_inc(ln, LVS_STAT_FASTPATH_PASSED);
	return NFT_CONTINUE;
}

/*
 * A verdict when @skb was an established connection's and was sent (or
 * dropped), NFT_CONTINUE when it is left to the stack. @skb is ours alone.
 * Inline: a call more per packet is a cost the fast path exists to avoid.
 */
static __always_inline unsigned int lvs_fastpath_one(struct net *net,
						     struct sk_buff *skb)
{
	struct lvs_net *ln = lvs_pernet(net);
	struct lvs_conn_hnode *hn;
	unsigned int thoff, mtu, verdict;
	struct dst_entry *dst;
	struct lvs_tuple t;
	struct lvs_conn *cp;
	u8 family, proto, dir;
	bool held, drop;

	thoff = lvs_fast_l3(skb, &family, &proto);
	if (!thoff || (proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    lvs_tuple_from_skb(skb, thoff, proto, family, &t))
		return NFT_CONTINUE;
	hn = lvs_conn_lookup(ln, &t);
	if (!hn)
		return NFT_CONTINUE;
	cp = lvs_hnode_conn(hn);
	dir = hn->t.dir;
	if (!lvs_fast_conn_ok(cp, dir, skb, thoff, family))
		goto slow;
	dst = lvs_conn_route(cp, dir, skb, net, &held);
	if (!dst)
		goto slow;
	/* The GSO check reads the transport header. */
	skb_set_transport_header(skb, thoff);
	/* Too big: prerouting answers it, or fragments it (IPv4 without DF). */
	mtu = lvs_xlate_mtu(cp, dir, dst, thoff);
	if (skb_is_gso(skb) ? !skb_gso_validate_network_len(skb, mtu) :
			      skb->len > mtu)
		goto slow_release;
	if (!lvs_fast_synproxy_ok(cp, dir, skb, thoff, &drop)) {
		if (!drop)
			goto slow_release;
		if (held)
			dst_release(dst);
		return NF_DROP;
	}
	/*
	 * What ip_rcv() does before the stack forwards: the sender's socket
	 * (veth and bridges pass it across namespaces) and the IP control
	 * block are the receive path's to reset.
	 */
	skb_orphan(skb);
	lvs_l3_reset_cb(skb, family);
	verdict = lvs_xlate_send(cp, dir, skb, thoff, net, dst, held, true,
				 true);
	if (verdict == NF_STOLEN)
		lvs_stat_inc(ln, LVS_STAT_FASTPATH_PKTS);
	return verdict;

slow_release:
	if (held)
		dst_release(dst);
slow:
	return lvs_fast_pass(ln);
}

/* A shared packet: its clone takes the fast path (see lvs_fastpath()). */
static noinline unsigned int lvs_fastpath_shared(struct net *net,
						 struct sk_buff *skb)
{
	unsigned int verdict;
	struct sk_buff *nskb;

	nskb = skb_clone(skb, GFP_ATOMIC);
	if (!nskb)
		return NFT_CONTINUE;
	verdict = lvs_fastpath(net, nskb);
	switch (verdict) {
	case NFT_CONTINUE:
		consume_skb(nskb);
		return NFT_CONTINUE;
	case NF_STOLEN:
		consume_skb(skb);
		return NF_STOLEN;
	default:
		kfree_skb(nskb);
		return verdict;
	}
}

/*
 * The fast path for a packet at ingress. A packet another holder still
 * references (one a packet generator reuses, or a tap's) must not change
 * under it: ip_rcv() would take a clone, and so does the fast path, sending
 * the clone and letting go of its reference to the original.
 */
static __always_inline unsigned int __lvs_fastpath(struct net *net,
						   struct sk_buff *skb)
{
	/*
	 * A VLAN tag still on the packet (the chain sits on the lower device)
	 * would leave with it; a socket assigned by a BPF program at tc is
	 * the stack's to deliver to.
	 */
	if (skb->pkt_type != PACKET_HOST || skb_network_offset(skb) ||
	    skb_vlan_tag_present(skb) || skb_sk_is_prefetched(skb))
		return NFT_CONTINUE;
	if (likely(!skb_shared(skb)))
		return lvs_fastpath_one(net, skb);
	return lvs_fastpath_shared(net, skb);
}

/* `lb-dispatch` in a netdev ingress chain. */
unsigned int __flatten lvs_fastpath(struct net *net, struct sk_buff *skb)
{
	return __lvs_fastpath(net, skb);
}

/*
 * A flowtable in a netdev table is nftlvs's: nf_tables asks for the
 * flowtable type of the table's family (module alias nf-flowtable-5), then
 * registers the type's hook on each device of the flowtable and keeps it
 * across device changes, as it does for the conntrack flowtable. The
 * connections come from fullnat on prerouting, so no `flow add` fills it.
 * Without a chain to walk, the hook costs a packet what the conntrack
 * flowtable's does: nft_do_chain() and its packet info cost `lb-dispatch`
 * in an ingress chain some 230-270 instructions a packet more. The hook
 * has the whole fast path inline, as lvs_fastpath() has for the chain.
 */
static unsigned int __flatten
lvs_fastpath_hook(void *priv, struct sk_buff *skb,
		  const struct nf_hook_state *state)
{
	unsigned int verdict = __lvs_fastpath(state->net, skb);

	return verdict == NFT_CONTINUE ? NF_ACCEPT : verdict;
}

/*
 * Hardware offload and flow counters are the conntrack flowtable's: refused
 * when the flowtable is made (nf_tables parses its flags first) and when a
 * device is bound to it.
 */
static int lvs_flowtable_init(struct nf_flowtable *ft)
{
	return ft->flags ? -EOPNOTSUPP : 0;
}

static int lvs_flowtable_setup(struct nf_flowtable *ft, struct net_device *dev,
			       enum flow_block_command cmd)
{
	return cmd == FLOW_BLOCK_BIND && ft->flags ? -EOPNOTSUPP : 0;
}

/* The table of connections is the namespace's: nothing to free here. */
static void lvs_flowtable_free(struct nf_flowtable *ft)
{
}

struct nf_flowtable_type lvs_flowtable_type = {
	.family		= NFPROTO_NETDEV,
	.init		= lvs_flowtable_init,
	.setup		= lvs_flowtable_setup,
	.free		= lvs_flowtable_free,
	.hook		= lvs_fastpath_hook,
	.owner		= THIS_MODULE,
};
MODULE_ALIAS("nf-flowtable-5");	/* NFPROTO_NETDEV */
