// SPDX-License-Identifier: GPL-2.0
/*
 * The iptables targets LB-DISPATCH, SYNPROXY-LB and FULLNAT: the three
 * statements behind iptables rules, for iptables-legacy and for
 * iptables-nft (through nft_compat). They run the statements' own packet
 * paths on the same connection table and counters; a rule's statement
 * travels in the target data as nft would send it (uapi/nft_lvs.h) and is
 * checked by the statement's own policy.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/netfilter/x_tables.h>
#include <net/netfilter/nf_tables_ipv4.h>
#include <net/netfilter/nf_tables_ipv6.h>
#include "nft_lvs.h"

struct xt_lvs_priv {
	struct lvs_service	*svc;
	struct lvs_synproxy_cfg	sp;		/* SYNPROXY-LB only */
};

/* The packet as an ip or ip6 table of nf_tables would see it. */
static void lvs_xt_pktinfo(struct nft_pktinfo *pkt, struct sk_buff *skb,
			   const struct xt_action_param *par)
{
	nft_set_pktinfo(pkt, skb, par->state);
	if (xt_family(par) == NFPROTO_IPV6)
		nft_set_pktinfo_ipv6_validate(pkt);
	else
		nft_set_pktinfo_ipv4_validate(pkt);
}

/* "Not ours" goes on to the next rule, as after a statement. */
static unsigned int lvs_xt_verdict(unsigned int verdict)
{
	return verdict == NFT_CONTINUE || verdict == NFT_BREAK ?
	       XT_CONTINUE : verdict;
}

static const struct nla_policy lvs_xt_elem_policy[NFTA_EXPR_MAX + 1] = {
	[NFTA_EXPR_NAME]	= { .type = NLA_STRING,
				    .len = NFT_NAME_MAXLEN - 1 },
	[NFTA_EXPR_DATA]	= { .type = NLA_NESTED },
};

/*
 * The attributes of statement @name from a field of the target data
 * (@size bytes from userspace, not trusted): one NFTA_LVS_LIST_ELEM nest of
 * name and data, checked by the statement's policy as nf_tables checks
 * an expression (without NLA_F_NESTED, which nft does not send either).
 */
static int lvs_xt_parse(const u8 *field, int size, const char *name,
			const struct nla_policy *policy, unsigned int maxattr,
			struct nlattr **tb)
{
	const struct nlattr *elem = (const struct nlattr *)field;
	struct nlattr *etb[NFTA_EXPR_MAX + 1];
	int err;

	/*
	 * Zero padding after the nest, as libxtables builds it: rules that
	 * differ only there would not compare equal for iptables -D and -C.
	 */
	if (!nla_ok(elem, size) || nla_type(elem) != NFTA_LVS_LIST_ELEM ||
	    memchr_inv(field + elem->nla_len, 0, size - elem->nla_len))
		return -EINVAL;
	err = nla_parse_nested_deprecated(etb, NFTA_EXPR_MAX, elem,
					  lvs_xt_elem_policy, NULL);
	if (err < 0)
		return err;
	if (!etb[NFTA_EXPR_NAME] || !etb[NFTA_EXPR_DATA] ||
	    nla_strcmp(etb[NFTA_EXPR_NAME], name))
		return -EINVAL;
	return nla_parse_nested_deprecated(tb, maxattr, etb[NFTA_EXPR_DATA],
					   policy, NULL);
}

/* What lvs_fullnat_setup() and _teardown() use of a rule's context. */
static void lvs_xt_ctx(struct nft_ctx *ctx, struct net *net, u8 family)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->net = net;
	ctx->family = family;
}

static int lvs_xt_service_check(const struct xt_tgchk_param *par,
				bool synproxy)
{
	struct xt_lvs_tginfo *info = par->targinfo;
	struct nlattr *ftb[NFTA_FULLNAT_MAX + 1];
	struct nlattr *stb[NFTA_SYNPROXY_LB_MAX + 1];
	struct xt_lvs_priv *priv;
	struct nft_ctx ctx;
	int err;

	priv = kzalloc(sizeof(*priv), GFP_KERNEL_ACCOUNT);
	if (!priv)
		return -ENOMEM;
	if (!synproxy && memchr_inv(info->synproxy, 0, sizeof(info->synproxy))) {
		err = -EINVAL;
		goto err_free;
	}
	if (synproxy) {
		err = lvs_xt_parse(info->synproxy, sizeof(info->synproxy),
				   NFT_LVS_EXPR_SYNPROXY,
				   lvs_synproxy_lb_policy,
				   NFTA_SYNPROXY_LB_MAX, stb);
		if (!err)
			err = lvs_synproxy_lb_setup(&priv->sp,
						    (const struct nlattr * const *)stb);
		if (err)
			goto err_free;
	}
	err = lvs_xt_parse(info->fullnat, sizeof(info->fullnat),
			   NFT_LVS_EXPR_FULLNAT, lvs_fullnat_policy,
			   NFTA_FULLNAT_MAX, ftb);
	if (err)
		goto err_free;
	/* Named sets are nf_tables objects: an iptables rule lists its pool. */
	if (ftb[NFTA_FULLNAT_POOL_SET] || ftb[NFTA_FULLNAT_LADDRS_SET]) {
		err = -EOPNOTSUPP;
		goto err_free;
	}
	lvs_xt_ctx(&ctx, par->net, par->family);
	priv->svc = lvs_fullnat_setup(&ctx, (const struct nlattr * const *)ftb);
	if (IS_ERR(priv->svc)) {
		err = PTR_ERR(priv->svc);
		goto err_free;
	}
	info->priv = priv;
	return 0;

err_free:
	kfree(priv);
	return err;
}

static int lvs_xt_fullnat_check(const struct xt_tgchk_param *par)
{
	return lvs_xt_service_check(par, false);
}

static int lvs_xt_synproxy_check(const struct xt_tgchk_param *par)
{
	return lvs_xt_service_check(par, true);
}

static void lvs_xt_service_destroy(const struct xt_tgdtor_param *par)
{
	struct xt_lvs_tginfo *info = par->targinfo;
	struct nft_ctx ctx;

	lvs_xt_ctx(&ctx, par->net, par->family);
	lvs_fullnat_teardown(&ctx, info->priv->svc);
	kfree(info->priv);
}

static unsigned int lvs_xt_fullnat(struct sk_buff *skb,
				   const struct xt_action_param *par)
{
	const struct xt_lvs_tginfo *info = par->targinfo;
	struct nft_pktinfo pkt = {};

	lvs_xt_pktinfo(&pkt, skb, par);
	return lvs_xt_verdict(lvs_fullnat_run(info->priv->svc, &pkt));
}

static unsigned int lvs_xt_synproxy(struct sk_buff *skb,
				    const struct xt_action_param *par)
{
	const struct xt_lvs_tginfo *info = par->targinfo;
	struct nft_pktinfo pkt = {};
	unsigned int verdict;

	lvs_xt_pktinfo(&pkt, skb, par);
	verdict = lvs_synproxy_lb_run(&info->priv->sp, &pkt);
	if (verdict == NFT_CONTINUE)
		verdict = lvs_fullnat_run(info->priv->svc, &pkt);
	return lvs_xt_verdict(verdict);
}

static int lvs_xt_dispatch_check(const struct xt_tgchk_param *par)
{
	return lvs_defrag_enable(par->net, par->family);
}

static void lvs_xt_dispatch_destroy(const struct xt_tgdtor_param *par)
{
	lvs_defrag_disable(par->net, par->family);
}

static unsigned int lvs_xt_dispatch(struct sk_buff *skb,
				    const struct xt_action_param *par)
{
	struct nft_pktinfo pkt = {};

	lvs_xt_pktinfo(&pkt, skb, par);
	return lvs_xt_verdict(lvs_dispatch_run(&pkt));
}

/* In the raw table, before conntrack, where the statements' chains sit. */
#define LVS_XT_TARGET(_name, _family, _target, _check, _destroy, _size)	\
	{								\
		.name		= _name,				\
		.revision	= 0,					\
		.family		= _family,				\
		.table		= "raw",				\
		.hooks		= LVS_HOOKS,				\
		.target		= _target,				\
		.checkentry	= _check,				\
		.destroy	= _destroy,				\
		.targetsize	= _size,				\
		.usersize	= _size ? offsetof(struct xt_lvs_tginfo, priv) : 0, \
		.me		= THIS_MODULE,				\
	}
#define LVS_XT_TARGETS(_family)						\
	LVS_XT_TARGET("LB-DISPATCH", _family, lvs_xt_dispatch,		\
		      lvs_xt_dispatch_check, lvs_xt_dispatch_destroy, 0), \
	LVS_XT_TARGET("SYNPROXY-LB", _family, lvs_xt_synproxy,		\
		      lvs_xt_synproxy_check, lvs_xt_service_destroy,	\
		      sizeof(struct xt_lvs_tginfo)),			\
	LVS_XT_TARGET("FULLNAT", _family, lvs_xt_fullnat,		\
		      lvs_xt_fullnat_check, lvs_xt_service_destroy,	\
		      sizeof(struct xt_lvs_tginfo))

static struct xt_target lvs_xt_targets[] __read_mostly = {
	LVS_XT_TARGETS(NFPROTO_IPV4),
	LVS_XT_TARGETS(NFPROTO_IPV6),
};

int lvs_xt_init(void)
{
	return xt_register_targets(lvs_xt_targets, ARRAY_SIZE(lvs_xt_targets));
}

void lvs_xt_exit(void)
{
	xt_unregister_targets(lvs_xt_targets, ARRAY_SIZE(lvs_xt_targets));
}

MODULE_ALIAS("ipt_LB-DISPATCH");
MODULE_ALIAS("ip6t_LB-DISPATCH");
MODULE_ALIAS("ipt_SYNPROXY-LB");
MODULE_ALIAS("ip6t_SYNPROXY-LB");
MODULE_ALIAS("ipt_FULLNAT");
MODULE_ALIAS("ip6t_FULLNAT");
