// SPDX-License-Identifier: GPL-2.0
/*
 * fullnat: creates a connection for a new flow to a virtual service:
 * schedules a real server, picks lip:lport, translates the first packet.
 */
#include <linux/module.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include "nft_lvs.h"
#include "compat.h"

struct nft_fullnat {
	struct lvs_service	*svc;
};

/*
 * Only a SYN, or an ACK whose cookie the synproxy-lb before us validated,
 * opens a TCP connection; @pass is filled in the second case.
 */
static bool nft_fullnat_schedulable(const struct nft_pktinfo *pkt, u32 *isn,
				    struct lvs_synproxy_pass *pass,
				    bool *proxied)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	*isn = 0;
	*proxied = false;
	if (pkt->tprot == IPPROTO_UDP)
		return true;
	th = skb_header_pointer(pkt->skb, nft_thoff(pkt), sizeof(_th), &_th);
	if (!th || th->rst)
		return false;
	if (th->syn && !th->ack && !th->fin) {
		*isn = ntohl(th->seq);
		return true;
	}
	if (th->syn || !lvs_synproxy_take(pkt->skb, th, pass))
		return false;
	*isn = pass->seq - 1;
	*proxied = true;
	return true;
}

/* A verdict, or NFT_BREAK when the packet cannot open a connection. */
unsigned int lvs_fullnat_run(struct lvs_service *svc,
			     const struct nft_pktinfo *pkt)
{
	struct lvs_net *ln = svc->ln;
	struct sk_buff *skb = pkt->skb;
	struct lvs_synproxy_pass pass;
	struct lvs_synproxy *sp = NULL;
	unsigned int verdict;
	struct lvs_tuple t;
	struct lvs_conn *cp;
	bool proxied;
	int reason;
	u32 isn;

	/*
	 * Clients of the servers' family, and IPv6 clients of IPv4 servers
	 * (NAT64); IPv4 clients of IPv6 servers are not served.
	 */
	if ((nft_pf(pkt) != svc->family && nft_pf(pkt) != NFPROTO_IPV6) ||
	    !(pkt->flags & NFT_PKTINFO_L4PROTO) || pkt->fragoff ||
	    (pkt->tprot != IPPROTO_TCP && pkt->tprot != IPPROTO_UDP))
		goto nomatch;
	if (lvs_tuple_from_skb(skb, nft_thoff(pkt), pkt->tprot, nft_pf(pkt), &t))
		goto nomatch;

	/* Packets of existing connections, when no lb-dispatch came first. */
	if (lvs_dispatch(ln, skb, pkt, &t, &verdict))
		goto out;
	if (!nft_fullnat_schedulable(pkt, &isn, &pass, &proxied)) {
		lvs_stat_inc(ln, LVS_STAT_NOT_SCHEDULABLE);
		goto nomatch;
	}
	if (proxied) {
		sp = lvs_synproxy_alloc(&pass,
					nft_hook(pkt) == NF_INET_PRE_ROUTING);
		if (!sp) {
			lvs_stat_inc(ln, LVS_STAT_CONN_NOMEM);
			verdict = NF_DROP;
			goto out;
		}
	}

	cp = lvs_conn_create(ln, svc, &t, isn, sp, &reason);
	if (!cp) {
		lvs_synproxy_free(sp);
		/* Another CPU created it first: use that one. */
		if (reason < 0 && lvs_dispatch(ln, skb, pkt, &t, &verdict))
			goto out;
		if (reason >= 0)
			lvs_stat_inc(ln, reason);
		verdict = NF_DROP;
		goto out;
	}
	if (sp) {
		/* The packet waits in the connection for the RS's SYN-ACK. */
		lvs_synproxy_start(cp, skb);
		verdict = NF_STOLEN;
	} else {
		verdict = lvs_xlate_pkt(cp, LB_DIR_IN, skb, pkt);
	}
out:
	return verdict;
nomatch:
	return NFT_BREAK;
}

static void nft_fullnat_eval(const struct nft_expr *expr,
			     struct nft_regs *regs,
			     const struct nft_pktinfo *pkt)
{
	const struct nft_fullnat *priv = nft_expr_priv(expr);

	regs->verdict.code = lvs_fullnat_run(priv->svc, pkt);
}

const struct nla_policy lvs_fullnat_policy[NFTA_FULLNAT_MAX + 1] = {
	[NFTA_FULLNAT_FAMILY]	= { .type = NLA_BE32 },
	[NFTA_FULLNAT_POOL]	= { .type = NLA_NESTED },
	[NFTA_FULLNAT_LADDRS]	= { .type = NLA_NESTED },
	[NFTA_FULLNAT_PORT_MIN]	= { .type = NLA_BE16 },
	[NFTA_FULLNAT_PORT_MAX]	= { .type = NLA_BE16 },
	[NFTA_FULLNAT_SCHED]	= { .type = NLA_BE32 },
	[NFTA_FULLNAT_TIMEOUT]	= { .type = NLA_BE32 },
	[NFTA_FULLNAT_FLAGS]	= { .type = NLA_BE32 },
	[NFTA_FULLNAT_POOL_SET]	= { .type = NLA_STRING,
				    .len = NFT_SET_MAXNAMELEN - 1 },
	[NFTA_FULLNAT_LADDRS_SET] = { .type = NLA_STRING,
				      .len = NFT_SET_MAXNAMELEN - 1 },
};

/* The service of a new rule (a statement's or an iptables target's). */
struct lvs_service *lvs_fullnat_setup(const struct nft_ctx *ctx,
				      const struct nlattr * const tb[])
{
	struct lvs_service *svc;
	int err;

	svc = lvs_service_create(ctx, tb);
	if (IS_ERR(svc))
		return svc;
	/* Reassembly for the clients' family: the table's (NAT64 differs). */
	err = lvs_defrag_enable(ctx->net, ctx->family);
	if (err) {
		lvs_poolset_abort(ctx, svc);
		lvs_service_drop_lists(svc);
		lvs_service_put(svc);
		return ERR_PTR(err);
	}
	atomic_inc(&svc->ln->services);
	return svc;
}

static int nft_fullnat_init(const struct nft_ctx *ctx,
			    const struct nft_expr *expr,
			    const struct nlattr * const tb[])
{
	struct nft_fullnat *priv = nft_expr_priv(expr);
	struct lvs_service *svc;

	svc = lvs_fullnat_setup(ctx, tb);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	priv->svc = svc;
	return 0;
}

/* Bound sets follow the rule through the transaction, as lookup's do. */
static void nft_fullnat_activate(const struct nft_ctx *ctx,
				 const struct nft_expr *expr)
{
	struct nft_fullnat *priv = nft_expr_priv(expr);

	lvs_poolset_activate(ctx, priv->svc);
}

static void nft_fullnat_deactivate(const struct nft_ctx *ctx,
				   const struct nft_expr *expr,
				   enum nft_trans_phase phase)
{
	struct nft_fullnat *priv = nft_expr_priv(expr);

	lvs_poolset_deactivate(ctx, priv->svc, phase);
}

void lvs_fullnat_teardown(const struct nft_ctx *ctx, struct lvs_service *svc)
{
	lvs_poolset_destroy(ctx, svc);
	/* Connections keep their members; the lists go with the rule. */
	lvs_service_drop_lists(svc);
	/* The last service gone: so are the counters of idle services. */
	if (atomic_dec_and_test(&svc->ln->services)) {
		lvs_vs_purge(svc->ln, false);
		lvs_rs_purge(svc->ln, false);
	}
	lvs_defrag_disable(ctx->net, ctx->family);
	lvs_service_put(svc);
}

static void nft_fullnat_destroy(const struct nft_ctx *ctx,
				const struct nft_expr *expr)
{
	struct nft_fullnat *priv = nft_expr_priv(expr);

	lvs_fullnat_teardown(ctx, priv->svc);
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
	.activate	= nft_fullnat_activate,
	.deactivate	= nft_fullnat_deactivate,
	.destroy	= nft_fullnat_destroy,
	.dump		= LVS_DUMP_OP(nft_fullnat_dump),
	.validate	= LVS_VALIDATE_OP(nft_fullnat_validate),
};

struct nft_expr_type nft_fullnat_types[LVS_NFAMILIES] =
	LVS_EXPR_TYPES(NFT_LVS_EXPR_FULLNAT, &nft_fullnat_ops,
		       lvs_fullnat_policy, NFTA_FULLNAT_MAX);

MODULE_ALIAS_NFT_AF_EXPR(2, "fullnat");
MODULE_ALIAS_NFT_AF_EXPR(10, "fullnat");
MODULE_ALIAS_NFT_AF_EXPR(1, "fullnat");
