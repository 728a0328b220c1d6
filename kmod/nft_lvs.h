/* SPDX-License-Identifier: GPL-2.0 */
/* nft_lvs.ko: declarations shared by the module's files. */
#ifndef _NFT_LVS_H
#define _NFT_LVS_H

#include <linux/netfilter.h>
#include <linux/refcount.h>
#include <net/netfilter/nf_tables.h>
#include <nft_lvs.h>

/* The table families our expressions are registered for. */
#define LVS_NFAMILIES	3

extern struct nft_expr_type nft_lb_dispatch_types[LVS_NFAMILIES];
extern struct nft_expr_type nft_synproxy_lb_types[LVS_NFAMILIES];
extern struct nft_expr_type nft_fullnat_types[LVS_NFAMILIES];

/*
 * One nft_expr_type per family: ip, ip6 and inet only, so that a rule in
 * a netdev, bridge or arp table cannot find the expression at all.
 */
#define LVS_EXPR_TYPES(_name, _ops, _policy, _maxattr)			\
	{								\
		LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, NFPROTO_IPV4), \
		LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, NFPROTO_IPV6), \
		LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, NFPROTO_INET), \
	}
#define LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, _family)		\
	{								\
		.name		= _name,				\
		.ops		= _ops,					\
		.policy		= _policy,				\
		.maxattr	= _maxattr,				\
		.family		= _family,				\
		.owner		= THIS_MODULE,				\
	}

/* Our expressions live where IPVS's hooks live: before routing, and on
 * the way out for locally originated clients of a virtual service.
 */
#define LVS_HOOKS	((1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_OUT))

/* Per network namespace state (net.c). */
struct lvs_net {
	atomic_t		services;	/* fullnat rules in this netns */
	struct proc_dir_entry	*proc_dir;
};

struct lvs_net *lvs_pernet(const struct net *net);
int lvs_net_init(void);
void lvs_net_exit(void);

/* One real server of a pool. */
struct lvs_dest {
	union nf_inet_addr	addr;
	__be16			port;	/* 0: keep the packet's dport */
	u32			weight;
};

/*
 * The configuration of one fullnat statement: immutable once built, shared
 * by reference so that connections can outlive the rule that made them.
 */
struct lvs_service {
	refcount_t		ref;
	struct rcu_head		rcu;
	u8			family;		/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	u8			sched;		/* enum nft_lvs_sched */
	u16			port_min;
	u16			port_max;
	u32			timeout;	/* seconds; 0: namespace default */
	u32			flags;		/* NFT_FULLNAT_F_* */
	unsigned int		nr_laddrs;
	union nf_inet_addr	*laddrs;	/* points behind dests[] */
	unsigned int		nr_dests;
	struct lvs_dest		dests[];
};

struct lvs_service *lvs_service_create(const struct nft_ctx *ctx,
				       const struct nlattr * const tb[]);
int lvs_service_dump(struct sk_buff *skb, const struct lvs_service *svc);
void lvs_service_put(struct lvs_service *svc);
int lvs_service_leaks(void);

#endif /* _NFT_LVS_H */
