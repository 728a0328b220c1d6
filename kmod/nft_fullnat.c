// SPDX-License-Identifier: GPL-2.0
/*
 * fullnat: creates a connection for a new flow to a virtual service:
 * schedules a real server, picks lip:lport, translates the first packet.
 */
#include <linux/module.h>
#include "nft_lvs.h"
#include "compat.h"

struct nft_fullnat {
	struct lvs_service	*svc;
};

static void nft_fullnat_eval(const struct nft_expr *expr,
			     struct nft_regs *regs,
			     const struct nft_pktinfo *pkt)
{
	/*
	 * Connection creation is not implemented yet. Until it is, the
	 * statement never matches, so a later rule (e.g. a final drop)
	 * decides about the packet.
	 */
	regs->verdict.code = NFT_BREAK;
}

static const struct nla_policy nft_fullnat_policy[NFTA_FULLNAT_MAX + 1] = {
	[NFTA_FULLNAT_FAMILY]	= { .type = NLA_BE32 },
	[NFTA_FULLNAT_POOL]	= { .type = NLA_NESTED },
	[NFTA_FULLNAT_LADDRS]	= { .type = NLA_NESTED },
	[NFTA_FULLNAT_PORT_MIN]	= { .type = NLA_BE16 },
	[NFTA_FULLNAT_PORT_MAX]	= { .type = NLA_BE16 },
	[NFTA_FULLNAT_SCHED]	= { .type = NLA_BE32 },
	[NFTA_FULLNAT_TIMEOUT]	= { .type = NLA_BE32 },
	[NFTA_FULLNAT_FLAGS]	= { .type = NLA_BE32 },
};

static int nft_fullnat_init(const struct nft_ctx *ctx,
			    const struct nft_expr *expr,
			    const struct nlattr * const tb[])
{
	struct nft_fullnat *priv = nft_expr_priv(expr);
	struct lvs_service *svc;

	svc = lvs_service_create(ctx, tb);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	priv->svc = svc;
	atomic_inc(&lvs_pernet(ctx->net)->services);
	return 0;
}

static void nft_fullnat_destroy(const struct nft_ctx *ctx,
				const struct nft_expr *expr)
{
	struct nft_fullnat *priv = nft_expr_priv(expr);

	atomic_dec(&lvs_pernet(ctx->net)->services);
	lvs_service_put(priv->svc);
}

static int nft_fullnat_dump(struct sk_buff *skb, const struct nft_expr *expr)
{
	const struct nft_fullnat *priv = nft_expr_priv(expr);

	return lvs_service_dump(skb, priv->svc);
}
LVS_DEFINE_DUMP(nft_fullnat_dump)

static int nft_fullnat_validate(const struct nft_ctx *ctx,
				const struct nft_expr *expr)
{
	return nft_chain_validate_hooks(ctx->chain, LVS_HOOKS);
}
LVS_DEFINE_VALIDATE(nft_fullnat_validate)

static const struct nft_expr_ops nft_fullnat_ops = {
	.type		= &nft_fullnat_types[0],
	.size		= NFT_EXPR_SIZE(sizeof(struct nft_fullnat)),
	.eval		= nft_fullnat_eval,
	.init		= nft_fullnat_init,
	.destroy	= nft_fullnat_destroy,
	.dump		= LVS_DUMP_OP(nft_fullnat_dump),
	.validate	= LVS_VALIDATE_OP(nft_fullnat_validate),
};

struct nft_expr_type nft_fullnat_types[LVS_NFAMILIES] =
	LVS_EXPR_TYPES(NFT_LVS_EXPR_FULLNAT, &nft_fullnat_ops,
		       nft_fullnat_policy, NFTA_FULLNAT_MAX);

MODULE_ALIAS_NFT_AF_EXPR(2, "fullnat");
MODULE_ALIAS_NFT_AF_EXPR(10, "fullnat");
MODULE_ALIAS_NFT_AF_EXPR(1, "fullnat");
