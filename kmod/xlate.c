// SPDX-License-Identifier: GPL-2.0
/*
 * Translation of a packet that belongs to a connection, for either family:
 * the TCP work (sequence deltas, options, TOA, state), ports, addresses and
 * checksums, and our own TCP segments (l3.c has the per-family network
 * layer). Translated packets are routed on the new addresses and sent by us
 * (NF_STOLEN), as IPVS does. Accepting a rewritten packet would not work at
 * prerouting: its new source (lip toward the RS, VIP toward the client) is
 * local, and input routing drops it as a martian.
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
#include "nft_lvs.h"
#include "core/tcpopt.h"
#include "compat.h"

/* The connection key of a TCP/UDP packet of either family. */
int lvs_tuple_from_skb(struct sk_buff *skb, unsigned int thoff, u8 proto,
		       u8 family, struct lvs_tuple *t)
{
	__be16 _ports[2];
	const __be16 *ports;

	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	if (family == NFPROTO_IPV6) {
		t->src.in6 = ipv6_hdr(skb)->saddr;
		t->dst.in6 = ipv6_hdr(skb)->daddr;
	} else {
		t->src.ip = ip_hdr(skb)->saddr;
		t->dst.ip = ip_hdr(skb)->daddr;
	}
	t->sport = ports[0];
	t->dport = ports[1];
	t->proto = proto;
	t->family = family;
	return 0;
}

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
 * TCP-only work on a packet in @dir: sequence deltas and options. Behind
 * SYNPROXY the client and the RS each saw an ISN of their own from us, so
 * both numbers move, and timestamps and windows are translated too.
 * Returns the checksum difference of what changed, which lvs_xlate_l4()
 * applies with the ports'.
 */
static __wsum lvs_xlate_tcp(struct lvs_conn *cp, u8 dir, struct tcphdr *th)
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

bool lvs_wants_toa(const struct lvs_conn *cp, const struct tcphdr *th)
{
	u8 flags = ((const u8 *)th)[CORE_TCP_FLAGS_OFF];

	/* Pre-response packets: the client still acks the RS's SYN. */
	return (cp->flags & NFT_FULLNAT_F_TOA) && (flags & CORE_TCPF_ACK) &&
	       !(flags & (CORE_TCPF_SYN | CORE_TCPF_FIN | CORE_TCPF_RST)) &&
	       ntohl(th->ack_seq) == READ_ONCE(cp->rs_isn1) &&
	       cp->state >= LB_TCP_SYN_RECV;
}

/* Remember where each side's sequence space ends (for rst-on-expire). */
static void lvs_tcp_track(struct lvs_conn *cp, u8 dir, const struct tcphdr *th,
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

static void lvs_tcp_state(struct lvs_conn *cp, u8 dir, const struct tcphdr *th)
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
static int lvs_xlate_transport(struct lvs_conn *cp, u8 dir,
			       struct sk_buff *skb, unsigned int thoff,
			       struct tcphdr **thp, __wsum *diff)
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
	if (skb_ensure_writable(skb, thoff + hl))
		return -1;
	if (cp->hn[LB_DIR_IN].t.proto != IPPROTO_TCP) {
		if (dir == LB_DIR_OUT)
			lvs_conn_replied(cp);
		lvs_conn_touch(cp);
		return 0;
	}
	th = (struct tcphdr *)(skb->data + thoff);
	lvs_tcp_track(cp, dir, th, skb->len - thoff - hl);
	lvs_tcp_state(cp, dir, th);
	*diff = lvs_xlate_tcp(cp, dir, th);
	*thp = th;
	return 0;
}

static void lvs_count_one(struct lvs_rs_stats __percpu *stats, u8 dir,
			  unsigned int len)
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

void lvs_count(struct lvs_conn *cp, u8 dir, unsigned int len)
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

/* The checksum difference of 32-bit word @from becoming @to. */
static __always_inline __wsum lvs_csum_diff4(__be32 from, __be32 to)
{
	return csum_sub((__force __wsum)to, (__force __wsum)from);
}

/*
 * The pseudo-header's difference when the packet at @nh takes the addresses
 * @saddr and @daddr.
 */
static __wsum lvs_pseudo_diff(const void *nh, u8 family,
			      const union nf_inet_addr *saddr,
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
static void lvs_xlate_l4(struct sk_buff *skb, u8 family, u8 proto,
			 unsigned int thoff, const union nf_inet_addr *saddr,
			 const union nf_inet_addr *daddr, __be16 sport,
			 __be16 dport, __wsum diff)
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

/*
 * The part of lvs_xlate() after the checks, shared with the ingress fast
 * path: translate and send on @dst (a reference of ours if @held), which
 * the packet fits; @direct: to the next hop's neighbour (lvs_xmit_noref()).
 */
unsigned int lvs_xlate_send(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			    unsigned int thoff, struct net *net,
			    struct dst_entry *dst, bool held, bool forwarded,
			    bool direct)
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
