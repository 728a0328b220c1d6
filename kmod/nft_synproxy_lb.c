// SPDX-License-Identifier: GPL-2.0
/*
 * synproxy-lb: the SYN-cookie front of a virtual service. Answers SYNs
 * statelessly and lets a validated cookie ACK continue to the fullnat
 * statement that follows it in the same rule.
 */
#include <linux/module.h>
#include "nft_lvs.h"
#include "compat.h"

struct nft_synproxy_lb {
	u16	mss;
	u8	wscale;
	u8	ttl;
	u32	flags;
};

static void nft_synproxy_lb_eval(const struct nft_expr *expr,
				 struct nft_regs *regs,
				 const struct nft_pktinfo *pkt)
{
	/*
	 * The cookie datapath is not implemented yet: packets pass to the
	 * next statement unchanged.
	 */
}

static const struct nla_policy nft_synproxy_lb_policy[NFTA_SYNPROXY_LB_MAX + 1] = {
	[NFTA_SYNPROXY_LB_MSS]		= { .type = NLA_BE16 },
	[NFTA_SYNPROXY_LB_WSCALE]	= { .type = NLA_U8 },
	[NFTA_SYNPROXY_LB_TTL]		= { .type = NLA_U8 },
	[NFTA_SYNPROXY_LB_FLAGS]	= { .type = NLA_BE32 },
};

static int nft_synproxy_lb_init(const struct nft_ctx *ctx,
				const struct nft_expr *expr,
				const struct nlattr * const tb[])
{
	struct nft_synproxy_lb *priv = nft_expr_priv(expr);

	priv->mss = NFT_SYNPROXY_LB_MSS_DEFAULT;
	priv->wscale = NFT_SYNPROXY_LB_WSCALE_DEFAULT;
	priv->ttl = NFT_SYNPROXY_LB_TTL_DEFAULT;
	priv->flags = 0;

	if (tb[NFTA_SYNPROXY_LB_MSS]) {
		priv->mss = ntohs(nla_get_be16(tb[NFTA_SYNPROXY_LB_MSS]));
		if (priv->mss < NFT_SYNPROXY_LB_MSS_MIN ||
		    priv->mss > NFT_SYNPROXY_LB_MSS_MAX)
			return -ERANGE;
	}
	if (tb[NFTA_SYNPROXY_LB_WSCALE]) {
		priv->wscale = nla_get_u8(tb[NFTA_SYNPROXY_LB_WSCALE]);
		if (priv->wscale > NFT_SYNPROXY_LB_WSCALE_MAX)
			return -ERANGE;
	}
	if (tb[NFTA_SYNPROXY_LB_TTL]) {
		priv->ttl = nla_get_u8(tb[NFTA_SYNPROXY_LB_TTL]);
		if (!priv->ttl)
			return -ERANGE;
	}
	if (tb[NFTA_SYNPROXY_LB_FLAGS]) {
		priv->flags = ntohl(nla_get_be32(tb[NFTA_SYNPROXY_LB_FLAGS]));
		if (priv->flags & ~NFT_SYNPROXY_LB_F_MASK)
			return -EOPNOTSUPP;
	}
	return 0;
}

static int nft_synproxy_lb_dump(struct sk_buff *skb, const struct nft_expr *expr)
{
	const struct nft_synproxy_lb *priv = nft_expr_priv(expr);

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
	.size		= NFT_EXPR_SIZE(sizeof(struct nft_synproxy_lb)),
	.eval		= nft_synproxy_lb_eval,
	.init		= nft_synproxy_lb_init,
	.dump		= LVS_DUMP_OP(nft_synproxy_lb_dump),
	.validate	= LVS_VALIDATE_OP(nft_synproxy_lb_validate),
};

struct nft_expr_type nft_synproxy_lb_types[LVS_NFAMILIES] =
	LVS_EXPR_TYPES(NFT_LVS_EXPR_SYNPROXY, &nft_synproxy_lb_ops,
		       nft_synproxy_lb_policy, NFTA_SYNPROXY_LB_MAX);

MODULE_ALIAS_NFT_AF_EXPR(2, "synproxy-lb");
MODULE_ALIAS_NFT_AF_EXPR(10, "synproxy-lb");
MODULE_ALIAS_NFT_AF_EXPR(1, "synproxy-lb");
