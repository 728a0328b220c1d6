// SPDX-License-Identifier: GPL-2.0
/*
 * lb-dispatch: the fast path for packets of existing connections, in both
 * directions, including ICMP errors about them. In ip, ip6 and inet tables
 * at prerouting (and output), where it takes every packet of a connection;
 * in netdev tables at ingress, where it takes the established connections'
 * plain packets before the IP stack (fastpath.c) and leaves the rest to the
 * stack and prerouting.
 */
#include <linux/module.h>
#include <net/ip.h>
#include "nft_lvs.h"
#include "compat.h"

/* A verdict, or NFT_CONTINUE when the packet is no connection's. */
unsigned int lvs_dispatch_run(const struct nft_pktinfo *pkt)
{
	struct lvs_net *ln = lvs_pernet(nft_net(pkt));
	struct sk_buff *skb = pkt->skb;
	unsigned int verdict;
	struct lvs_tuple t;
	bool handled;

	/*
	 * Fragments were reassembled before our priority; one still here
	 * (a defrag failure, or a chain placed before defrag) has no ports,
	 * nor has an IPv6 packet whose extension headers lead nowhere.
	 */
	if (!(pkt->flags & NFT_PKTINFO_L4PROTO) || pkt->fragoff ||
	    (nft_pf(pkt) == NFPROTO_IPV4 && ip_is_fragment(ip_hdr(skb)))) {
		lvs_stat_inc(ln, LVS_STAT_NO_TRANSPORT);
		return NFT_CONTINUE;
	}

	switch (pkt->tprot) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (lvs_tuple_from_skb(skb, nft_thoff(pkt), pkt->tprot,
				       nft_pf(pkt), &t) ||
		    !lvs_dispatch(ln, skb, pkt, &t, &verdict))
			return NFT_CONTINUE;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		verdict = lvs_icmp(ln, skb, pkt, &handled);
		if (!handled)
			return NFT_CONTINUE;
		break;
	default:
		return NFT_CONTINUE;
	}
	return verdict;
}

static void nft_lb_dispatch_eval(const struct nft_expr *expr,
				 struct nft_regs *regs,
				 const struct nft_pktinfo *pkt)
{
	unsigned int verdict = lvs_dispatch_run(pkt);

	if (verdict != NFT_CONTINUE)
		regs->verdict.code = verdict;
}

static const struct nla_policy nft_lb_dispatch_policy[NFTA_LB_DISPATCH_MAX + 1] = {};

static int nft_lb_dispatch_init(const struct nft_ctx *ctx,
				const struct nft_expr *expr,
				const struct nlattr * const tb[])
{
	return lvs_defrag_enable(ctx->net, ctx->family);
}

static void nft_lb_dispatch_destroy(const struct nft_ctx *ctx,
				    const struct nft_expr *expr)
{
	lvs_defrag_disable(ctx->net, ctx->family);
}

static int nft_lb_dispatch_dump(struct sk_buff *skb, const struct nft_expr *expr)
{
	return 0;
}
LVS_DEFINE_DUMP(nft_lb_dispatch_dump)

static int nft_lb_dispatch_validate(const struct nft_ctx *ctx,
				    const struct nft_expr *expr)
{
	return nft_chain_validate_hooks(ctx->chain, LVS_HOOKS);
}
LVS_DEFINE_VALIDATE(nft_lb_dispatch_validate)

static const struct nft_expr_ops nft_lb_dispatch_ops = {
	.type		= &nft_lb_dispatch_types[0],
	.size		= NFT_EXPR_SIZE(0),
	.eval		= nft_lb_dispatch_eval,
	.init		= nft_lb_dispatch_init,
	.destroy	= nft_lb_dispatch_destroy,
	.dump		= LVS_DUMP_OP(nft_lb_dispatch_dump),
	.validate	= LVS_VALIDATE_OP(nft_lb_dispatch_validate),
};

struct nft_expr_type nft_lb_dispatch_types[LVS_NFAMILIES] =
	LVS_EXPR_TYPES(NFT_LVS_EXPR_DISPATCH, &nft_lb_dispatch_ops,
		       nft_lb_dispatch_policy, NFTA_LB_DISPATCH_MAX);

static void nft_lb_dispatch_ingress_eval(const struct nft_expr *expr,
					 struct nft_regs *regs,
					 const struct nft_pktinfo *pkt)
{
	unsigned int verdict = lvs_fastpath(nft_net(pkt), pkt->skb);

	if (verdict != NFT_CONTINUE)
		regs->verdict.code = verdict;
}

static int nft_lb_dispatch_ingress_validate(const struct nft_ctx *ctx,
					    const struct nft_expr *expr)
{
	return nft_chain_validate_hooks(ctx->chain, 1 << NF_NETDEV_INGRESS);
}
LVS_DEFINE_VALIDATE(nft_lb_dispatch_ingress_validate)

static const struct nft_expr_ops nft_lb_dispatch_ingress_ops = {
	.type		= &nft_lb_dispatch_netdev_type,
	.size		= NFT_EXPR_SIZE(0),
	.eval		= nft_lb_dispatch_ingress_eval,
	.dump		= LVS_DUMP_OP(nft_lb_dispatch_dump),
	.validate	= LVS_VALIDATE_OP(nft_lb_dispatch_ingress_validate),
};

struct nft_expr_type nft_lb_dispatch_netdev_type =
	LVS_EXPR_TYPE(NFT_LVS_EXPR_DISPATCH, &nft_lb_dispatch_ingress_ops,
		      nft_lb_dispatch_policy, NFTA_LB_DISPATCH_MAX,
		      NFPROTO_NETDEV);

MODULE_ALIAS_NFT_AF_EXPR(2, "lb-dispatch");
MODULE_ALIAS_NFT_AF_EXPR(5, "lb-dispatch");
MODULE_ALIAS_NFT_AF_EXPR(10, "lb-dispatch");
MODULE_ALIAS_NFT_AF_EXPR(1, "lb-dispatch");
