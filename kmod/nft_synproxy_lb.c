// SPDX-License-Identifier: GPL-2.0
/*
 * synproxy-lb: the SYN-cookie front of a virtual service. Answers SYNs
 * statelessly and lets a validated cookie ACK continue to the fullnat
 * statement that follows it in the same rule.
 */
#include <linux/module.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include "nft_lvs.h"
#include "core/tcpopt.h"
#include "compat.h"


static u32 lvs_syncookie_period(void)
{
	return (u32)(ktime_get_seconds() >> SYNCOOKIE_PERIOD_SHIFT);
}

/* Answer a SYN with a cookie SYN-ACK that offers what both sides can do. */
static void nft_synproxy_lb_syn(const struct lvs_synproxy_cfg *priv,
				struct lvs_net *ln, const struct lvs_tuple *t,
				const struct tcphdr *th)
{
	/*
	 * mss is what an IPv4 client hears; an IPv6 client hears
	 * LVS_IPV6_MSS_LESS less (1420 for the default), so one rule serves
	 * both families of an inet table alike.
	 */
	const struct synproxy_cfg cfg = {
		.mss		= t->family == NFPROTO_IPV6 ?
				  priv->mss - LVS_IPV6_MSS_LESS : priv->mss,
		.wscale		= priv->wscale,
		.sack_perm	= priv->flags & NFT_SYNPROXY_LB_F_SACK_PERM,
		.ts		= priv->flags & NFT_SYNPROXY_LB_F_TIMESTAMP,
	};
	u32 isn = ntohl(th->seq), cookie;
	u8 opts[SYNPROXY_OPTS_MAX], data;
	struct synack_offer offer;
	struct syn_opts client;
	struct tcpopt_info o;
	unsigned int optlen;
	struct sk_buff *skb;

	tcpopt_parse((const u8 *)th, &o);
	synproxy_negotiate(&o, &cfg, &client, &offer);
	data = syncookie_data(&client);
	cookie = syncookie_make(lvs_syncookie_mac(ln, t, isn,
						  lvs_syncookie_period(), data),
				data);
	optlen = synproxy_build_options(opts, offer.mss, offer.wscale,
					offer.sack_perm, offer.ts,
					lvs_synproxy_clock(), o.tsval);
	/*
	 * The window lets the client send no more than the connection keeps
	 * while the RS is being reached; the RS's own window follows with
	 * its first segment.
	 */
	skb = lvs_tcp_build(t, cookie, isn + 1, CORE_TCPF_SYN | CORE_TCPF_ACK,
			    min_t(u32, 0xffff,
				  (LVS_SYNPROXY_QUEUE_MAX - 1) * offer.mss),
			    opts, optlen, priv->ttl);
	if (!skb)
		return;
	lvs_tcp_send(ln->net, skb);
	lvs_stat_inc(ln, LVS_STAT_SP_SYN);
}

struct nft_synproxy_lb_mac_ctx {
	const struct lvs_net	*ln;
	const struct lvs_tuple	*t;
	u32			isn;
};

static u32 nft_synproxy_lb_mac(const void *ctx, u32 period, u8 data)
{
	const struct nft_synproxy_lb_mac_ctx *c = ctx;

	return lvs_syncookie_mac(c->ln, c->t, c->isn, period, data);
}

/*
 * An ACK without connection: valid if it acknowledges a cookie of ours
 * for this tuple and the client's ISN, made in this clock period or the
 * one before, and its checksum is good (checked after the cookie, which
 * costs less under a flood of forged ACKs). Then the fullnat after us
 * gets what the cookie carried.
 */
static bool nft_synproxy_lb_ack(const struct lvs_synproxy_cfg *priv,
				struct lvs_net *ln, const struct lvs_tuple *t,
				const struct nft_pktinfo *pkt,
				const struct tcphdr *th, unsigned int payload)
{
	struct sk_buff *skb = pkt->skb;
	u32 seq = ntohl(th->seq), ack = ntohl(th->ack_seq);
	const struct nft_synproxy_lb_mac_ctx ctx = {
		.ln	= ln,
		.t	= t,
		.isn	= seq - 1,
	};
	struct lvs_synproxy_pass pass = {
		.skb	= skb,
		.seq	= seq,
		.ack	= ack,
		.win	= ntohs(th->window),
		.our_wscale = priv->wscale,
	};
	struct tcpopt_info o;

	if (!syncookie_valid(ack - 1, lvs_syncookie_period(),
			     nft_synproxy_lb_mac, &ctx, &pass.client)) {
		lvs_stat_inc(ln, LVS_STAT_SP_BAD_ACK);
		return false;
	}
	if (!lvs_synproxy_csum_ok(ln, skb, pkt, t->family))
		return false;
	if ((priv->flags & NFT_SYNPROXY_LB_F_DEFER) && !payload) {
		/* A handshake alone costs no RS connection: wait for data. */
		lvs_stat_inc(ln, LVS_STAT_SP_NULL_ACK);
		return false;
	}
	tcpopt_parse((const u8 *)th, &o);
	pass.client.ts = (priv->flags & NFT_SYNPROXY_LB_F_TIMESTAMP) &&
			 (o.present & TCPOPT_F_TS);
	pass.client.tsval = o.tsval;
	pass.client.tsecr = o.tsecr;
	lvs_synproxy_pass_set(&pass);
	lvs_stat_inc(ln, LVS_STAT_SP_OK_ACK);
	return true;
}

/*
 * A verdict, or NFT_CONTINUE to go on to the fullnat of the rule (UDP, and
 * an ACK that carries a valid cookie).
 */
unsigned int lvs_synproxy_lb_run(const struct lvs_synproxy_cfg *priv,
				 const struct nft_pktinfo *pkt)
{
	struct lvs_net *ln = lvs_pernet(nft_net(pkt));
	struct sk_buff *skb = pkt->skb;
	unsigned int thoff, hl, verdict;
	u8 _th[CORE_TCP_HDR_MAX], flags;
	const struct tcphdr *th;
	struct lvs_tuple t;

	/* UDP and the rest go on to fullnat as they are. */
	if (!(pkt->flags & NFT_PKTINFO_L4PROTO) || pkt->tprot != IPPROTO_TCP ||
	    pkt->fragoff ||
	    (nft_pf(pkt) == NFPROTO_IPV4 && ip_is_fragment(ip_hdr(skb))))
		return NFT_CONTINUE;
	thoff = nft_thoff(pkt);
	if (lvs_tuple_from_skb(skb, thoff, IPPROTO_TCP, nft_pf(pkt), &t))
		goto drop;

	/* Packets of connections, when no lb-dispatch came first. */
	if (lvs_dispatch(ln, skb, pkt, &t, &verdict))
		return verdict;

	th = skb_header_pointer(skb, thoff, sizeof(struct tcphdr), _th);
	if (!th || th->doff < 5)
		goto drop;
	hl = th->doff * 4;
	th = skb_header_pointer(skb, thoff, hl, _th);
	if (!th)
		goto drop;
	flags = ((const u8 *)th)[CORE_TCP_FLAGS_OFF];

	switch (flags & (CORE_TCPF_SYN | CORE_TCPF_ACK | CORE_TCPF_RST)) {
	case CORE_TCPF_SYN:
		if (!lvs_synproxy_csum_ok(ln, skb, pkt, t.family))
			goto drop;
		nft_synproxy_lb_syn(priv, ln, &t, th);
		consume_skb(skb);
		return NF_STOLEN;
	case CORE_TCPF_ACK:
		if (flags & CORE_TCPF_FIN && skb->len == thoff + hl)
			break;	/* a bare FIN: nothing to connect */
		if (nft_synproxy_lb_ack(priv, ln, &t, pkt, th,
					skb->len - thoff - hl))
			return NFT_CONTINUE;
		goto drop;
	}
	lvs_stat_inc(ln, LVS_STAT_SP_STRAY);
drop:
	return NF_DROP;
}

static void nft_synproxy_lb_eval(const struct nft_expr *expr,
				 struct nft_regs *regs,
				 const struct nft_pktinfo *pkt)
{
	unsigned int verdict = lvs_synproxy_lb_run(nft_expr_priv(expr), pkt);

	if (verdict != NFT_CONTINUE)
		regs->verdict.code = verdict;
}

const struct nla_policy lvs_synproxy_lb_policy[NFTA_SYNPROXY_LB_MAX + 1] = {
	[NFTA_SYNPROXY_LB_MSS]		= { .type = NLA_BE16 },
	[NFTA_SYNPROXY_LB_WSCALE]	= { .type = NLA_U8 },
	[NFTA_SYNPROXY_LB_TTL]		= { .type = NLA_U8 },
	[NFTA_SYNPROXY_LB_FLAGS]	= { .type = NLA_BE32 },
};

int lvs_synproxy_lb_setup(struct lvs_synproxy_cfg *cfg,
			  const struct nlattr * const tb[])
{
	cfg->mss = NFT_SYNPROXY_LB_MSS_DEFAULT;
	cfg->wscale = NFT_SYNPROXY_LB_WSCALE_DEFAULT;
	cfg->ttl = NFT_SYNPROXY_LB_TTL_DEFAULT;
	cfg->flags = 0;

	if (tb[NFTA_SYNPROXY_LB_MSS]) {
		cfg->mss = ntohs(nla_get_be16(tb[NFTA_SYNPROXY_LB_MSS]));
		if (cfg->mss < NFT_SYNPROXY_LB_MSS_MIN ||
		    cfg->mss > NFT_SYNPROXY_LB_MSS_MAX)
			return -ERANGE;
	}
	if (tb[NFTA_SYNPROXY_LB_WSCALE]) {
		cfg->wscale = nla_get_u8(tb[NFTA_SYNPROXY_LB_WSCALE]);
		if (cfg->wscale > NFT_SYNPROXY_LB_WSCALE_MAX)
			return -ERANGE;
	}
	if (tb[NFTA_SYNPROXY_LB_TTL]) {
		cfg->ttl = nla_get_u8(tb[NFTA_SYNPROXY_LB_TTL]);
		if (!cfg->ttl)
			return -ERANGE;
	}
	if (tb[NFTA_SYNPROXY_LB_FLAGS]) {
		cfg->flags = ntohl(nla_get_be32(tb[NFTA_SYNPROXY_LB_FLAGS]));
		if (cfg->flags & ~NFT_SYNPROXY_LB_F_MASK)
			return -EOPNOTSUPP;
	}
	return 0;
}

static int nft_synproxy_lb_init(const struct nft_ctx *ctx,
				const struct nft_expr *expr,
				const struct nlattr * const tb[])
{
	return lvs_synproxy_lb_setup(nft_expr_priv(expr), tb);
}

static int nft_synproxy_lb_dump(struct sk_buff *skb, const struct nft_expr *expr)
{
	const struct lvs_synproxy_cfg *priv = nft_expr_priv(expr);

	if (nla_put_be16(skb, NFTA_SYNPROXY_LB_MSS, htons(priv->mss)) ||
	    nla_put_u8(skb, NFTA_SYNPROXY_LB_WSCALE, priv->wscale) ||
	    nla_put_u8(skb, NFTA_SYNPROXY_LB_TTL, priv->ttl) ||
	    nla_put_be32(skb, NFTA_SYNPROXY_LB_FLAGS, htonl(priv->flags)))
		return -1;
	return 0;
}
LVS_DEFINE_DUMP(nft_synproxy_lb_dump)

static int nft_synproxy_lb_validate(const struct nft_ctx *ctx,
				    const struct nft_expr *expr)
{
	return nft_chain_validate_hooks(ctx->chain, LVS_HOOKS);
}
LVS_DEFINE_VALIDATE(nft_synproxy_lb_validate)

static const struct nft_expr_ops nft_synproxy_lb_ops = {
	.type		= &nft_synproxy_lb_types[0],
	.size		= NFT_EXPR_SIZE(sizeof(struct lvs_synproxy_cfg)),
	.eval		= nft_synproxy_lb_eval,
	.init		= nft_synproxy_lb_init,
	.dump		= LVS_DUMP_OP(nft_synproxy_lb_dump),
	.validate	= LVS_VALIDATE_OP(nft_synproxy_lb_validate),
};

struct nft_expr_type nft_synproxy_lb_types[LVS_NFAMILIES] =
	LVS_EXPR_TYPES(NFT_LVS_EXPR_SYNPROXY, &nft_synproxy_lb_ops,
		       lvs_synproxy_lb_policy, NFTA_SYNPROXY_LB_MAX);

MODULE_ALIAS_NFT_AF_EXPR(2, "synproxy-lb");
MODULE_ALIAS_NFT_AF_EXPR(10, "synproxy-lb");
MODULE_ALIAS_NFT_AF_EXPR(1, "synproxy-lb");
