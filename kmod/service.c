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
	/*
	 * IPv4 servers behind an IPv6 table's VIP are NAT64; IPv6 servers
	 * behind an IPv4 table's VIP (NAT46) are not served.
	 */
	if (ctx->family == NFPROTO_IPV4 && f != NFPROTO_IPV4)
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
			  union nf_inet_addr *addr, __be16 *port, u32 *weight)
{
	struct nlattr *tb[NFTA_LVS_RS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NFTA_LVS_RS_MAX, elem, lvs_rs_policy, NULL);
	if (err < 0)
		return err;
	if (!tb[NFTA_LVS_RS_ADDR])
		return -EINVAL;
	err = lvs_parse_addr(tb[NFTA_LVS_RS_ADDR], family, addr);
	if (err < 0)
		return err;

	*port = 0;
	if (tb[NFTA_LVS_RS_PORT]) {
		*port = nla_get_be16(tb[NFTA_LVS_RS_PORT]);
		if (!*port)
			return -ERANGE;
	}

	*weight = NFT_LVS_WEIGHT_DEFAULT;
	if (tb[NFTA_LVS_RS_WEIGHT]) {
		*weight = ntohl(nla_get_be32(tb[NFTA_LVS_RS_WEIGHT]));
		if (*weight > NFT_LVS_WEIGHT_MAX)
			return -ERANGE;
	}
	return 0;
}

/* An inline pool: its members, and the one snapshot it will ever have. */
static int lvs_parse_pool(struct lvs_service *svc, const struct nlattr *list,
			  unsigned int nr)
{
	const struct nlattr *elem;
	struct lvs_dest **dests;
	struct lvs_pool *pool;
	unsigned int i = 0, j;
	int rem, err = 0;

	dests = kvcalloc(nr, sizeof(*dests), GFP_KERNEL_ACCOUNT);
	if (!dests)
		return -ENOMEM;
	nla_for_each_nested(elem, list, rem) {
		union nf_inet_addr addr;
		__be16 port;
		u32 weight;

		err = lvs_parse_dest(elem, svc->family, &addr, &port, &weight);
		for (j = 0; !err && j < i; j++)
			if (nf_inet_addr_cmp(&dests[j]->rs->addr, &addr) &&
			    dests[j]->rs->port == port)
				err = -EEXIST;
		if (!err) {
			dests[i] = lvs_dest_new(svc, &addr, port, weight);
			if (!dests[i])
				err = -ENOMEM;
		}
		if (err)
			break;
		i++;
	}
	if (err) {
		while (i--)
			lvs_dest_put(dests[i]);
		kvfree(dests);
		return err;
	}
	pool = lvs_pool_build(svc, dests, nr);
	kvfree(dests);
	if (!pool)
		return -ENOMEM;
	lvs_pool_replace(svc, pool, NULL, NULL);
	return 0;
}

static int lvs_parse_laddrs(struct lvs_service *svc, const struct nlattr *list,
			    unsigned int nr)
{
	const struct nlattr *elem;
	struct lvs_laddrs *la;
	unsigned int i = 0, j;
	int rem, err = 0;

	la = lvs_laddrs_alloc(nr);
	if (!la)
		return -ENOMEM;
	nla_for_each_nested(elem, list, rem) {
		err = lvs_parse_addr(elem, svc->family, &la->addrs[i]);
		for (j = 0; !err && j < i; j++)
			if (nf_inet_addr_cmp(&la->addrs[j], &la->addrs[i]))
				err = -EEXIST;
		if (err) {
			kvfree(la);
			return err;
		}
		i++;
	}
	lvs_laddrs_replace(svc, la);
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
		/* A choice of TOA layout without TOA is a mistake to report. */
		if ((svc->flags & NFT_FULLNAT_F_TOA_KIND253) &&
		    !(svc->flags & NFT_FULLNAT_F_TOA))
			return -EINVAL;
	}
	return 0;
}

/*
 * Each of the pool and the local addresses is an inline list or a named
 * set, never both; a set name is at most NFT_SET_MAXNAMELEN - 1 bytes.
 */
static int lvs_list_or_set(const struct nlattr *list, const struct nlattr *name,
			   unsigned int max)
{
	if (list && name)
		return -EINVAL;
	if (name)
		return nla_len(name) > 1 && nla_len(name) <= NFT_SET_MAXNAMELEN &&
		       !memchr(nla_data(name), 0, nla_len(name) - 1) ? 0 : -EINVAL;
	return lvs_list_count(list, max);
}

struct lvs_service *lvs_service_create(const struct nft_ctx *ctx,
				       const struct nlattr * const tb[])
{
	const struct nlattr *pool_name = tb[NFTA_FULLNAT_POOL_SET];
	const struct nlattr *laddrs_name = tb[NFTA_FULLNAT_LADDRS_SET];
	struct lvs_service *svc;
	int nr_dests, nr_laddrs, err;
	u8 family;

	err = lvs_parse_family(ctx, tb[NFTA_FULLNAT_FAMILY], &family);
	if (err < 0)
		return ERR_PTR(err);
	nr_dests = lvs_list_or_set(tb[NFTA_FULLNAT_POOL], pool_name,
				   NFT_FULLNAT_POOL_MAX);
	if (nr_dests < 0)
		return ERR_PTR(nr_dests);
	nr_laddrs = lvs_list_or_set(tb[NFTA_FULLNAT_LADDRS], laddrs_name,
				    NFT_FULLNAT_LADDRS_MAX);
	if (nr_laddrs < 0)
		return ERR_PTR(nr_laddrs);

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return ERR_PTR(-ENOMEM);
	refcount_set(&svc->ref, 1);
	svc->family = family;
	svc->ln = lvs_pernet(ctx->net);
	spin_lock_init(&svc->sched_lock);
	INIT_LIST_HEAD(&svc->watch);
	atomic_inc(&lvs_live_services);

	err = lvs_parse_scalars(svc, tb);
	if (!err && !pool_name)
		err = lvs_parse_pool(svc, tb[NFTA_FULLNAT_POOL], nr_dests);
	if (!err && !laddrs_name)
		err = lvs_parse_laddrs(svc, tb[NFTA_FULLNAT_LADDRS], nr_laddrs);
	if (!err)
		err = lvs_poolset_bind(ctx, svc, pool_name, laddrs_name);
	if (err < 0) {
		/* Members hold the service: it goes after them. */
		lvs_service_drop_lists(svc);
		lvs_service_put(svc);
		return ERR_PTR(err);
	}
	return svc;
}

struct lvs_service *lvs_service_get(struct lvs_service *svc)
{
	refcount_inc(&svc->ref);
	return svc;
}

/*
 * May run in softirq context: the last reference can be a pool member
 * freed from an RCU callback. Nothing can look at the service any more
 * (rule, pools and connections are gone), only the memory waits.
 */
void lvs_service_put(struct lvs_service *svc)
{
	if (!refcount_dec_and_test(&svc->ref))
		return;
	atomic_dec(&lvs_live_services);
	kfree_rcu(svc, rcu);
}

int lvs_service_leaks(void)
{
	return atomic_read(&lvs_live_services);
}

static int lvs_dump_dest(struct sk_buff *skb, const struct lvs_dest *dest,
			 unsigned int addr_len)
{
	struct nlattr *elem = nla_nest_start(skb, NFTA_LVS_LIST_ELEM);
	const struct lvs_rs *rs = dest->rs;

	if (!elem ||
	    nla_put(skb, NFTA_LVS_RS_ADDR, addr_len, &rs->addr) ||
	    (rs->port && nla_put_be16(skb, NFTA_LVS_RS_PORT, rs->port)) ||
	    nla_put_be32(skb, NFTA_LVS_RS_WEIGHT, htonl(dest->weight)))
		return -EMSGSIZE;
	nla_nest_end(skb, elem);
	return 0;
}

/*
 * Inline lists are dumped as they were given (their snapshot never
 * changes); set-backed ones by the set's name. The rule is alive, so are
 * its lists.
 */
static int lvs_dump_lists(struct sk_buff *skb, const struct lvs_service *svc)
{
	unsigned int addr_len = lvs_addr_len(svc->family), i;
	const struct lvs_laddrs *la;
	const struct lvs_pool *pool;
	struct nlattr *list;

	if (svc->pool_set.set) {
		if (nla_put_string(skb, NFTA_FULLNAT_POOL_SET,
				   svc->pool_set.set->name))
			return -EMSGSIZE;
	} else {
		pool = rcu_dereference_raw(svc->pool);
		list = nla_nest_start(skb, NFTA_FULLNAT_POOL);
		if (!list)
			return -EMSGSIZE;
		for (i = 0; i < pool->nr; i++)
			if (lvs_dump_dest(skb, pool->dests[i], addr_len))
				return -EMSGSIZE;
		nla_nest_end(skb, list);
	}

	if (svc->laddrs_set.set)
		return nla_put_string(skb, NFTA_FULLNAT_LADDRS_SET,
				      svc->laddrs_set.set->name) ? -EMSGSIZE : 0;
	la = rcu_dereference_raw(svc->laddrs);
	list = nla_nest_start(skb, NFTA_FULLNAT_LADDRS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < la->nr; i++)
		if (nla_put(skb, NFTA_LVS_LIST_ELEM, addr_len, &la->addrs[i]))
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
