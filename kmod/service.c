// SPDX-License-Identifier: GPL-2.0
/*
 * A fullnat virtual service's configuration: built from the statement's
 * netlink attributes (untrusted input, every value checked), dumped back
 * exactly, and reference counted so that connections may outlive the rule.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/overflow.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include "nft_lvs.h"

/* Services alive in all namespaces: must be zero when the module leaves. */
static atomic_t lvs_live_services = ATOMIC_INIT(0);

static const struct nla_policy lvs_rs_policy[NFTA_LVS_RS_MAX + 1] = {
	[NFTA_LVS_RS_ADDR]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[NFTA_LVS_RS_PORT]	= { .type = NLA_BE16 },
	[NFTA_LVS_RS_WEIGHT]	= { .type = NLA_BE32 },
};

static unsigned int lvs_addr_len(u8 family)
{
	return family == NFPROTO_IPV4 ? sizeof(struct in_addr) :
					sizeof(struct in6_addr);
}

/*
 * The address family comes from the table (ip, ip6); an inet table must
 * say which one the service speaks.
 */
static int lvs_parse_family(const struct nft_ctx *ctx,
			    const struct nlattr *attr, u8 *family)
{
	u32 f;

	if (!attr) {
		if (ctx->family == NFPROTO_INET)
			return -EINVAL;
		*family = ctx->family;
		return 0;
	}
	f = ntohl(nla_get_be32(attr));
	if (f != NFPROTO_IPV4 && f != NFPROTO_IPV6)
		return -EAFNOSUPPORT;
	if (ctx->family != NFPROTO_INET && f != ctx->family)
		return -EAFNOSUPPORT;
	*family = f;
	return 0;
}

static int lvs_parse_addr(const struct nlattr *attr, u8 family,
			  union nf_inet_addr *addr)
{
	int len = nla_len(attr);

	if (len != sizeof(struct in_addr) && len != sizeof(struct in6_addr))
		return -EINVAL;
	if (len != lvs_addr_len(family))
		return -EAFNOSUPPORT;

	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, attr, len);

	/* Neither a real server nor a local address can be one of these. */
	if (family == NFPROTO_IPV4) {
		if (ipv4_is_zeronet(addr->ip) || ipv4_is_multicast(addr->ip) ||
		    ipv4_is_lbcast(addr->ip))
			return -EINVAL;
	} else {
		if (ipv6_addr_any(&addr->in6) ||
		    ipv6_addr_is_multicast(&addr->in6))
			return -EINVAL;
	}
	return 0;
}

/* Number of NFTA_LVS_LIST_ELEM entries in a list, or an errno. */
static int lvs_list_count(const struct nlattr *list, unsigned int max)
{
	const struct nlattr *elem;
	unsigned int n = 0;
	int rem;

	if (!list)
		return -EINVAL;
	nla_for_each_nested(elem, list, rem) {
		if (nla_type(elem) != NFTA_LVS_LIST_ELEM)
			return -EINVAL;
		if (++n > max)
			return -E2BIG;
	}
	if (rem > 0 || n == 0)	/* trailing garbage, or an empty list */
		return -EINVAL;
	return n;
}

static int lvs_parse_dest(const struct nlattr *elem, u8 family,
			  struct lvs_dest *dest)
{
	struct nlattr *tb[NFTA_LVS_RS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NFTA_LVS_RS_MAX, elem, lvs_rs_policy, NULL);
	if (err < 0)
		return err;
	if (!tb[NFTA_LVS_RS_ADDR])
		return -EINVAL;
	err = lvs_parse_addr(tb[NFTA_LVS_RS_ADDR], family, &dest->addr);
	if (err < 0)
		return err;

	dest->port = 0;
	if (tb[NFTA_LVS_RS_PORT]) {
		dest->port = nla_get_be16(tb[NFTA_LVS_RS_PORT]);
		if (!dest->port)
			return -ERANGE;
	}

	dest->weight = NFT_LVS_WEIGHT_DEFAULT;
	if (tb[NFTA_LVS_RS_WEIGHT]) {
		dest->weight = ntohl(nla_get_be32(tb[NFTA_LVS_RS_WEIGHT]));
		if (dest->weight > NFT_LVS_WEIGHT_MAX)
			return -ERANGE;
	}
	return 0;
}

static int lvs_parse_pool(struct lvs_service *svc, const struct nlattr *list)
{
	const struct nlattr *elem;
	unsigned int i = 0, j;
	int rem, err;

	nla_for_each_nested(elem, list, rem) {
		struct lvs_dest *dest = &svc->dests[i];

		err = lvs_parse_dest(elem, svc->family, dest);
		if (err < 0)
			return err;
		for (j = 0; j < i; j++)
			if (nf_inet_addr_cmp(&svc->dests[j].addr, &dest->addr) &&
			    svc->dests[j].port == dest->port)
				return -EEXIST;
		i++;
	}
	return 0;
}

static int lvs_parse_laddrs(struct lvs_service *svc, const struct nlattr *list)
{
	const struct nlattr *elem;
	unsigned int i = 0, j;
	int rem, err;

	nla_for_each_nested(elem, list, rem) {
		err = lvs_parse_addr(elem, svc->family, &svc->laddrs[i]);
		if (err < 0)
			return err;
		for (j = 0; j < i; j++)
			if (nf_inet_addr_cmp(&svc->laddrs[j], &svc->laddrs[i]))
				return -EEXIST;
		i++;
	}
	return 0;
}

static int lvs_parse_port(const struct nlattr *attr, u16 *port)
{
	if (!attr)
		return 0;
	*port = ntohs(nla_get_be16(attr));
	return *port ? 0 : -ERANGE;
}

static int lvs_parse_scalars(struct lvs_service *svc,
			     const struct nlattr * const tb[])
{
	int err;

	svc->port_min = NFT_FULLNAT_PORT_MIN_DEFAULT;
	svc->port_max = NFT_FULLNAT_PORT_MAX_DEFAULT;
	err = lvs_parse_port(tb[NFTA_FULLNAT_PORT_MIN], &svc->port_min);
	if (err < 0)
		return err;
	err = lvs_parse_port(tb[NFTA_FULLNAT_PORT_MAX], &svc->port_max);
	if (err < 0)
		return err;
	if (svc->port_min > svc->port_max)
		return -ERANGE;

	svc->sched = NFT_LVS_SCHED_DEFAULT;
	if (tb[NFTA_FULLNAT_SCHED]) {
		u32 sched = ntohl(nla_get_be32(tb[NFTA_FULLNAT_SCHED]));

		if (sched > NFT_LVS_SCHED_MAX)
			return -EOPNOTSUPP;
		svc->sched = sched;
	}

	if (tb[NFTA_FULLNAT_TIMEOUT]) {
		svc->timeout = ntohl(nla_get_be32(tb[NFTA_FULLNAT_TIMEOUT]));
		if (!svc->timeout || svc->timeout > NFT_FULLNAT_TIMEOUT_MAX)
			return -ERANGE;
	}

	if (tb[NFTA_FULLNAT_FLAGS]) {
		svc->flags = ntohl(nla_get_be32(tb[NFTA_FULLNAT_FLAGS]));
		if (svc->flags & ~NFT_FULLNAT_F_MASK)
			return -EOPNOTSUPP;
	}
	return 0;
}

/* Real-server objects and the scheduler: what the datapath needs. */
static int lvs_service_bind(struct lvs_service *svc)
{
	unsigned int alen = lvs_addr_len(svc->family), i;
	struct lb_sched_params params = {
		.type		= svc->sched,
		.addr_len	= alen,
	};
	size_t size;

	svc->lb_rs = kvcalloc(svc->nr_dests, sizeof(*svc->lb_rs),
			      GFP_KERNEL_ACCOUNT);
	if (!svc->lb_rs)
		return -ENOMEM;
	for (i = 0; i < svc->nr_dests; i++) {
		struct lvs_dest *dest = &svc->dests[i];

		dest->rs = lvs_rs_get(svc->ln, svc->family, &dest->addr,
				      dest->port);
		if (!dest->rs)
			return -ENOMEM;
		svc->lb_rs[i].weight = dest->weight;
		svc->lb_rs[i].key = lb_rs_key(&dest->addr, alen, dest->port);
		svc->lb_rs[i].conns = &dest->rs->conns;
	}

	size = lb_sched_mem_size(&params, svc->nr_dests);
	if (size) {
		svc->sched_mem = kvzalloc(size, GFP_KERNEL_ACCOUNT);
		if (!svc->sched_mem)
			return -ENOMEM;
	}
	if (lb_sched_init(&svc->scheduler, &params, svc->lb_rs, svc->nr_dests,
			  svc->sched_mem, size) < 0)
		return -EINVAL;
	return 0;
}

/* Drops what lvs_service_bind() took; safe on a half-bound service. */
static void lvs_service_release(struct lvs_service *svc)
{
	unsigned int i;

	for (i = 0; i < svc->nr_dests; i++)
		if (svc->dests[i].rs)
			lvs_rs_put(svc->dests[i].rs);
}

static void lvs_service_free(struct lvs_service *svc)
{
	kvfree(svc->sched_mem);
	kvfree(svc->lb_rs);
	kvfree(svc);
}

struct lvs_service *lvs_service_create(const struct nft_ctx *ctx,
				       const struct nlattr * const tb[])
{
	struct lvs_service *svc;
	int nr_dests, nr_laddrs, err;
	size_t size;
	u8 family;

	err = lvs_parse_family(ctx, tb[NFTA_FULLNAT_FAMILY], &family);
	if (err < 0)
		return ERR_PTR(err);
	nr_dests = lvs_list_count(tb[NFTA_FULLNAT_POOL], NFT_FULLNAT_POOL_MAX);
	if (nr_dests < 0)
		return ERR_PTR(nr_dests);
	nr_laddrs = lvs_list_count(tb[NFTA_FULLNAT_LADDRS],
				   NFT_FULLNAT_LADDRS_MAX);
	if (nr_laddrs < 0)
		return ERR_PTR(nr_laddrs);

	size = size_add(struct_size(svc, dests, nr_dests),
			array_size(nr_laddrs, sizeof(*svc->laddrs)));
	svc = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!svc)
		return ERR_PTR(-ENOMEM);
	refcount_set(&svc->ref, 1);
	svc->family = family;
	svc->nr_dests = nr_dests;
	svc->nr_laddrs = nr_laddrs;
	svc->laddrs = (union nf_inet_addr *)&svc->dests[nr_dests];

	svc->ln = lvs_pernet(ctx->net);
	spin_lock_init(&svc->sched_lock);

	err = lvs_parse_pool(svc, tb[NFTA_FULLNAT_POOL]);
	if (!err)
		err = lvs_parse_laddrs(svc, tb[NFTA_FULLNAT_LADDRS]);
	if (!err)
		err = lvs_parse_scalars(svc, tb);
	if (!err)
		err = lvs_service_bind(svc);
	if (err < 0) {
		lvs_service_release(svc);
		lvs_service_free(svc);
		return ERR_PTR(err);
	}
	atomic_inc(&lvs_live_services);
	return svc;
}

struct lvs_service *lvs_service_get(struct lvs_service *svc)
{
	refcount_inc(&svc->ref);
	return svc;
}

static void lvs_service_free_rcu(struct rcu_head *head)
{
	lvs_service_free(container_of(head, struct lvs_service, rcu));
}

/*
 * May run in softirq context: the last reference can be a connection
 * freed from an RCU callback. Nothing can look at the service any more
 * (rules and connections are gone), only the memory waits for readers.
 */
void lvs_service_put(struct lvs_service *svc)
{
	if (!refcount_dec_and_test(&svc->ref))
		return;
	lvs_service_release(svc);
	atomic_dec(&lvs_live_services);
	call_rcu(&svc->rcu, lvs_service_free_rcu);
}

int lvs_service_schedule(struct lvs_service *svc, const void *caddr,
			 __be16 cport)
{
	int idx;

	if (!lb_sched_needs_lock(svc->scheduler.type))
		return lb_sched_pick(&svc->scheduler, svc->lb_rs, svc->nr_dests,
				     caddr, cport);
	spin_lock_bh(&svc->sched_lock);
	idx = lb_sched_pick(&svc->scheduler, svc->lb_rs, svc->nr_dests, caddr,
			    cport);
	spin_unlock_bh(&svc->sched_lock);
	return idx;
}

int lvs_service_leaks(void)
{
	return atomic_read(&lvs_live_services);
}

static int lvs_dump_dest(struct sk_buff *skb, const struct lvs_dest *dest,
			 unsigned int addr_len)
{
	struct nlattr *elem = nla_nest_start(skb, NFTA_LVS_LIST_ELEM);

	if (!elem ||
	    nla_put(skb, NFTA_LVS_RS_ADDR, addr_len, &dest->addr) ||
	    (dest->port && nla_put_be16(skb, NFTA_LVS_RS_PORT, dest->port)) ||
	    nla_put_be32(skb, NFTA_LVS_RS_WEIGHT, htonl(dest->weight)))
		return -EMSGSIZE;
	nla_nest_end(skb, elem);
	return 0;
}

static int lvs_dump_lists(struct sk_buff *skb, const struct lvs_service *svc)
{
	unsigned int addr_len = lvs_addr_len(svc->family), i;
	struct nlattr *list;

	list = nla_nest_start(skb, NFTA_FULLNAT_POOL);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < svc->nr_dests; i++)
		if (lvs_dump_dest(skb, &svc->dests[i], addr_len))
			return -EMSGSIZE;
	nla_nest_end(skb, list);

	list = nla_nest_start(skb, NFTA_FULLNAT_LADDRS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < svc->nr_laddrs; i++)
		if (nla_put(skb, NFTA_LVS_LIST_ELEM, addr_len, &svc->laddrs[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, list);
	return 0;
}

/* Dump the resolved configuration: defaults are filled in, so that what
 * the kernel runs is exactly what userspace sees.
 */
int lvs_service_dump(struct sk_buff *skb, const struct lvs_service *svc)
{
	if (nla_put_be32(skb, NFTA_FULLNAT_FAMILY, htonl(svc->family)) ||
	    lvs_dump_lists(skb, svc) ||
	    nla_put_be16(skb, NFTA_FULLNAT_PORT_MIN, htons(svc->port_min)) ||
	    nla_put_be16(skb, NFTA_FULLNAT_PORT_MAX, htons(svc->port_max)) ||
	    nla_put_be32(skb, NFTA_FULLNAT_SCHED, htonl(svc->sched)) ||
	    (svc->timeout &&
	     nla_put_be32(skb, NFTA_FULLNAT_TIMEOUT, htonl(svc->timeout))) ||
	    nla_put_be32(skb, NFTA_FULLNAT_FLAGS, htonl(svc->flags)))
		return -1;
	return 0;
}
