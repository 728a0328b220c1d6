// SPDX-License-Identifier: GPL-2.0
/*
 * Set-backed pools: `fullnat to @web via @lips` binds named nft sets of the
 * rule's table, as lookup binds its set, so that stock `nft add element` /
 * `nft delete element` edit a pool while the rule stays.
 *
 * nf_tables tells nobody inside the kernel that elements changed, but it
 * does tell netlink listeners: a kernel socket of ours in each namespace
 * that has set-backed services joins NFNLGRP_NFTABLES, and every committed
 * element change (sent after the new generation is current) queues
 * pool_work, which walks the sets of the namespace's set-backed services
 * and publishes a new pool snapshot where something changed. That takes
 * milliseconds; meanwhile lvs_pool_pick() checks every pick against the
 * set itself (one lookup per new connection), so a removed or drained
 * server gets no connection once the edit has returned, whatever the
 * snapshot still says.
 *
 * Locking: pool_mutex (per namespace) serialises rebuilds, the watch list
 * and the socket; walks run under RCU as nf_tables' own dumps do. The
 * rule's destroy unlinks its service under pool_mutex before it releases
 * the sets, so no walk outlives a set.
 */
#include <linux/jhash.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/slab.h>
#include <net/sock.h>
#include "nft_lvs.h"
#include "compat.h"

/* nft's datatype numbers, which the kernel stores but never reads. */
#define NFT_DTYPE_IPADDR	7
#define NFT_DTYPE_IP6ADDR	8
#define NFT_DTYPE_INET_SERVICE	13
#define NFT_DTYPE_MARK		19
#define NFT_DTYPE_BITS		6

struct lvs_set_elem {
	u32	key[5];
	u32	weight;
};

struct lvs_set_walk {
	struct nft_set_iter	iter;
	struct lvs_set_elem	*elems;
	unsigned int		n, cap;
	bool			full;
};

/*
 * The shapes a pool can have: addresses, or addresses . inet_service
 * (klen rounds each field up to 32 bits), optionally mapped to a mark
 * (the weight). Local addresses: addresses only. Typeless sets (ktype 0,
 * which only raw netlink users can make) are judged by their lengths.
 */
static int lvs_set_shape(const struct nft_set *set, u8 family, bool pool)
{
	u32 atype = family == NFPROTO_IPV4 ? NFT_DTYPE_IPADDR : NFT_DTYPE_IP6ADDR;
	u32 ptype = atype << NFT_DTYPE_BITS | NFT_DTYPE_INET_SERVICE;
	unsigned int alen = lvs_addr_len(family);

	if (set->flags & (NFT_SET_ANONYMOUS | NFT_SET_INTERVAL | NFT_SET_OBJECT))
		return -EPROTOTYPE;
	if (set->flags & NFT_SET_MAP) {
		if (!pool || set->dlen != sizeof(u32) ||
		    (set->dtype && set->dtype != NFT_DTYPE_MARK))
			return -EPROTOTYPE;
	}
	if (set->klen == alen && (!set->ktype || set->ktype == atype))
		return 0;
	if (pool && set->klen == alen + sizeof(u32) &&
	    (!set->ktype || set->ktype == ptype))
		return 0;
	return -EPROTOTYPE;
}

static int lvs_set_walk_elem(struct nft_set *set,
			     const struct nft_set_iter *iter, void *priv)
{
	struct lvs_set_walk *w = container_of(iter, struct lvs_set_walk, iter);
	const struct nft_set_ext *ext = nft_set_elem_ext(set, priv);
	struct lvs_set_elem *e;

	if (!nft_set_elem_active(ext, iter->genmask) || nft_set_elem_expired(ext))
		return 0;
	if (w->n == w->cap) {
		w->full = true;
		return -ENOSPC;
	}
	e = &w->elems[w->n++];
	memset(e->key, 0, sizeof(e->key));
	memcpy(e->key, nft_set_ext_key(ext), set->klen);
	e->weight = NFT_LVS_WEIGHT_DEFAULT;
	if (set->flags & NFT_SET_MAP)
		e->weight = min_t(u32, nft_set_ext_data(ext)->data[0],
				  NFT_LVS_WEIGHT_MAX);
	return 0;
}
LVS_DEFINE_WALK(lvs_set_walk_elem)

/*
 * The elements of @set active in @genmask, at most @max (a larger set is
 * cut, and said so once). Process context: memory for the copy is taken
 * before the walk, which runs under RCU and cannot sleep.
 */
static struct lvs_set_elem *lvs_set_read(struct lvs_net *ln, struct nft_set *set,
					 u8 genmask, unsigned int max,
					 unsigned int *n)
{
	struct nft_ctx ctx = {
		.net	= ln->net,
		.table	= set->table,
		.family	= set->table->family,
	};
	struct lvs_set_walk w;
	unsigned int cap;

	cap = clamp_t(unsigned int, atomic_read(&set->nelems) + 16, 16, max);
	for (;;) {
		memset(&w, 0, sizeof(w));
		w.cap = cap;
		w.elems = kvmalloc_array(cap, sizeof(*w.elems), GFP_KERNEL_ACCOUNT);
		if (!w.elems)
			return ERR_PTR(-ENOMEM);
		w.iter.genmask = genmask;
		w.iter.type = NFT_ITER_READ;
		w.iter.fn = LVS_WALK_FN(lvs_set_walk_elem);
		rcu_read_lock();
		set->ops->walk(&ctx, set, &w.iter);
		rcu_read_unlock();
		if (!w.full || cap == max)
			break;
		kvfree(w.elems);
		cap = min(max, cap * 2);
	}
	if (w.full)
		pr_warn_once("nft_lvs: set %s has more than %u elements; fullnat uses the first %u\n",
			     set->name, max, max);
	*n = w.n;
	return w.elems;
}

/* Key bytes of a pool element -> address and port. */
static void lvs_elem_addr(const struct lvs_service *svc, const struct nft_set *set,
			  const struct lvs_set_elem *e, union nf_inet_addr *addr,
			  __be16 *port)
{
	unsigned int alen = lvs_addr_len(svc->family);

	memset(addr, 0, sizeof(*addr));
	memcpy(addr, e->key, alen);
	*port = 0;
	if (set->klen > alen)
		memcpy(port, (const u8 *)e->key + alen, sizeof(*port));
}

/* Index of @dests by key, for matching a set's elements to old members. */
struct lvs_dest_index {
	unsigned int	mask;
	u32		*slot;		/* 1 + index into dests; 0: empty */
};

static u32 lvs_key_hash(const u32 *key, unsigned int klen)
{
	return jhash(key, klen, 0);
}

static int lvs_dest_index_build(struct lvs_dest_index *ix,
				struct lvs_dest *const *dests, unsigned int n)
{
	unsigned int size = roundup_pow_of_two(max(2 * n, 16u)), i;

	ix->mask = size - 1;
	ix->slot = kvcalloc(size, sizeof(*ix->slot), GFP_KERNEL_ACCOUNT);
	if (!ix->slot)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		u32 h = lvs_key_hash(dests[i]->key, dests[i]->klen) & ix->mask;

		while (ix->slot[h])
			h = (h + 1) & ix->mask;
		ix->slot[h] = i + 1;
	}
	return 0;
}

static int lvs_dest_index_find(const struct lvs_dest_index *ix,
			       struct lvs_dest *const *dests, const u32 *key,
			       unsigned int klen)
{
	u32 h = lvs_key_hash(key, klen) & ix->mask;

	for (; ix->slot[h]; h = (h + 1) & ix->mask) {
		const struct lvs_dest *d = dests[ix->slot[h] - 1];

		if (d->klen == klen && !memcmp(d->key, key, klen))
			return ix->slot[h] - 1;
	}
	return -1;
}

static bool lvs_pool_same(const struct lvs_pool *pool,
			  const struct lvs_set_elem *elems, unsigned int n,
			  unsigned int klen)
{
	unsigned int i;

	if (!pool || pool->nr != n)
		return false;
	for (i = 0; i < n; i++)
		if (pool->lb_rs[i].weight != elems[i].weight ||
		    memcmp(pool->dests[i]->key, elems[i].key, klen))
			return false;
	return true;
}

/*
 * Bring @svc's pool in line with its set as of @genmask. Members that stay
 * are the same objects (their connections, their wrr turn); members that
 * leave are marked removed for the connections that still use them.
 * Called at rule creation, before the service is visible, and from
 * pool_work under pool_mutex: never concurrently for one service.
 */
static int lvs_pool_sync(struct lvs_service *svc, u8 genmask)
{
	const struct nft_set *set = svc->pool_set.set;
	struct lvs_pool *prev = rcu_dereference_protected(svc->pool, 1);
	struct lvs_dest_index ix = {};
	struct lvs_set_elem *elems;
	struct lvs_dest **dests;
	unsigned long *kept = NULL;
	int *from = NULL;
	struct lvs_pool *pool;
	unsigned int n, i;
	int err = -ENOMEM;

	elems = lvs_set_read(svc->ln, svc->pool_set.set, genmask,
			     NFT_FULLNAT_SET_POOL_MAX, &n);
	if (IS_ERR(elems))
		return PTR_ERR(elems);
	if (lvs_pool_same(prev, elems, n, set->klen)) {
		kvfree(elems);
		return 0;
	}
	dests = kvcalloc(max(n, 1u), sizeof(*dests), GFP_KERNEL_ACCOUNT);
	from = kvmalloc_array(max(n, 1u), sizeof(*from), GFP_KERNEL_ACCOUNT);
	if (!dests || !from)
		goto out;
	if (prev && prev->nr) {
		kept = bitmap_zalloc(prev->nr, GFP_KERNEL);
		if (!kept || lvs_dest_index_build(&ix, prev->dests, prev->nr))
			goto out;
	}
	for (i = 0; i < n; i++) {
		struct lvs_dest *d = NULL;
		int k = ix.slot ? lvs_dest_index_find(&ix, prev->dests,
						      elems[i].key, set->klen) : -1;

		from[i] = -1;
		if (k >= 0 && !test_and_set_bit(k, kept)) {
			from[i] = k;
			d = prev->dests[k];
			refcount_inc(&d->ref);
			WRITE_ONCE(d->weight, elems[i].weight);
		} else {
			union nf_inet_addr addr;
			__be16 port;

			lvs_elem_addr(svc, set, &elems[i], &addr, &port);
			d = lvs_dest_new(svc, &addr, port, elems[i].weight);
			if (!d)
				break;
			memcpy(d->key, elems[i].key, sizeof(d->key));
			d->klen = set->klen;
		}
		dests[i] = d;
	}
	if (i < n) {
		while (i--)
			lvs_dest_put(dests[i]);
		goto out;
	}
	pool = lvs_pool_build(svc, dests, n);
	if (!pool)
		goto out;
	for (i = 0; prev && i < prev->nr; i++)
		if (!kept || !test_bit(i, kept))
			WRITE_ONCE(prev->dests[i]->removed, 1);
	lvs_pool_replace(svc, pool, prev, from);
	err = 0;
out:
	kvfree(from);
	kvfree(ix.slot);
	bitmap_free(kept);
	kvfree(dests);
	kvfree(elems);
	return err;
}

static int lvs_laddrs_sync(struct lvs_service *svc, u8 genmask)
{
	const struct lvs_laddrs *prev = rcu_dereference_protected(svc->laddrs, 1);
	unsigned int alen = lvs_addr_len(svc->family), n, i;
	struct lvs_set_elem *elems;
	struct lvs_laddrs *la;

	elems = lvs_set_read(svc->ln, svc->laddrs_set.set, genmask,
			     NFT_FULLNAT_SET_LADDRS_MAX, &n);
	if (IS_ERR(elems))
		return PTR_ERR(elems);
	la = lvs_laddrs_alloc(n);
	if (!la) {
		kvfree(elems);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		memcpy(&la->addrs[i], elems[i].key, alen);
	kvfree(elems);
	if (prev && prev->nr == n &&
	    !memcmp(prev->addrs, la->addrs, n * sizeof(la->addrs[0]))) {
		kvfree(la);
		return 0;
	}
	lvs_laddrs_replace(svc, la);
	return 0;
}

static void lvs_poolset_sync(struct lvs_service *svc, u8 genmask)
{
	int err = 0;

	if (svc->pool_set.set)
		err = lvs_pool_sync(svc, genmask);
	if (!err && svc->laddrs_set.set)
		err = lvs_laddrs_sync(svc, genmask);
	if (err)	/* the old snapshot stays; the next edit or pick retries */
		pr_warn_ratelimited("nft_lvs: cannot follow a set-backed pool (%d)\n",
				    err);
}

/*
 * A pick's check against the set itself (packet path, under RCU). The
 * set lives as long as the rule that is being evaluated.
 */
bool lvs_poolset_live(const struct lvs_service *svc, const struct lvs_dest *dest)
{
	const struct nft_set *set = svc->pool_set.set;
	const struct nft_set_ext *ext;

	if (!set)
		return true;
	ext = lvs_set_lookup(svc->ln->net, set, dest->key);
	if (!ext)
		return false;
	return !(set->flags & NFT_SET_MAP) || nft_set_ext_data(ext)->data[0];
}

/* ---- the namespace's listener ---- */

/* Does a queued notification say that a set or its elements changed? */
static bool lvs_pool_msgs_relevant(struct sk_buff *skb)
{
	const struct nlmsghdr *nlh;
	int len = skb->len;

	for (nlh = (struct nlmsghdr *)skb->data; nlmsg_ok(nlh, len);
	     nlh = nlmsg_next(nlh, &len)) {
		switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
		case NFT_MSG_NEWSETELEM:
		case NFT_MSG_DELSETELEM:
		case NFT_MSG_NEWSET:
		case NFT_MSG_DELSET:
			return true;
		}
	}
	return false;
}

static void lvs_pool_work(struct work_struct *work)
{
	struct lvs_net *ln = container_of(work, struct lvs_net, pool_work);
	struct lvs_service *svc;
	struct sk_buff *skb;
	bool resync = true;

	mutex_lock(&ln->pool_mutex);
	if (ln->pool_dead)
		goto out;
	if (ln->pool_sock) {
		struct sock *sk = ln->pool_sock->sk;

		/* Only set edits matter, unless we may have missed some
		 * (a full receive queue) or a pick found a stale pool.
		 */
		resync = sock_error(sk) || test_and_clear_bit(0, &ln->pool_stale);
		while ((skb = skb_dequeue(&sk->sk_receive_queue))) {
			resync = resync || lvs_pool_msgs_relevant(skb);
			kfree_skb(skb);
		}
	}
	if (!resync)
		goto out;
	list_for_each_entry(svc, &ln->pool_watch, watch)
		lvs_poolset_sync(svc, nft_genmask_cur(ln->net));
out:
	mutex_unlock(&ln->pool_mutex);
}

/* Runs in the notifier's context (nf_tables' commit): only schedule. */
static void lvs_pool_data_ready(struct sock *sk)
{
	struct lvs_net *ln = sk->sk_user_data;

	queue_work(system_long_wq, &ln->pool_work);
}

/*
 * The listener, opened with the first set-backed service (in the context
 * of the process that adds the rule, which may join the group). Under
 * pool_mutex.
 */
static int lvs_pool_sock_open(struct lvs_net *ln)
{
	struct sockaddr_nl addr = {
		.nl_family	= AF_NETLINK,
		.nl_groups	= 1 << (NFNLGRP_NFTABLES - 1),
	};
	struct socket *sock;
	int err;

	if (ln->pool_sock)
		return 0;
	err = sock_create_kern(ln->net, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER,
			       &sock);
	if (err)
		return err;
	sock->sk->sk_user_data = ln;
	sock->sk->sk_data_ready = lvs_pool_data_ready;
	/* A burst of edits is one rebuild; room for its notifications. */
	sock->sk->sk_rcvbuf = 4 << 20;
	err = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (err) {
		sock_release(sock);
		return err;
	}
	ln->pool_sock = sock;
	return 0;
}

/* ---- binding, from the rule's life cycle ---- */

static int lvs_set_ref_bind(const struct nft_ctx *ctx, struct lvs_set_ref *ref,
			    const struct nlattr *name, u8 family, bool pool)
{
	struct nft_set *set;
	int err;

	set = nft_set_lookup_global(ctx->net, ctx->table, name, NULL,
				    nft_genmask_next(ctx->net));
	if (IS_ERR(set))
		return PTR_ERR(set);
	err = lvs_set_shape(set, family, pool);
	if (err)
		return err;
	/* No data goes to registers: nothing for nf_tables to validate. */
	ref->binding.flags = 0;
	err = nf_tables_bind_set(ctx, set, &ref->binding);
	if (err)
		return err;
	ref->set = set;
	return 0;
}

static void lvs_set_ref_unbind(const struct nft_ctx *ctx, struct lvs_set_ref *ref)
{
	if (!ref->set)
		return;
	nf_tables_deactivate_set(ctx, ref->set, &ref->binding,
				 NFT_TRANS_PREPARE_ERROR);
	nf_tables_destroy_set(ctx, ref->set);
	ref->set = NULL;
}

/*
 * Bind the named sets (either may be NULL: an inline list), build the
 * first snapshots from what the transaction will commit, and start
 * following the sets. On error nothing stays bound.
 */
int lvs_poolset_bind(const struct nft_ctx *ctx, struct lvs_service *svc,
		     const struct nlattr *pool_name,
		     const struct nlattr *laddrs_name)
{
	struct lvs_net *ln = svc->ln;
	int err = 0;

	if (!pool_name && !laddrs_name)
		return 0;
	if (pool_name)
		err = lvs_set_ref_bind(ctx, &svc->pool_set, pool_name,
				       svc->family, true);
	if (!err && laddrs_name)
		err = lvs_set_ref_bind(ctx, &svc->laddrs_set, laddrs_name,
				       svc->family, false);
	if (err)
		goto err;

	if (svc->pool_set.set)
		err = lvs_pool_sync(svc, nft_genmask_next(ctx->net));
	if (!err && svc->laddrs_set.set)
		err = lvs_laddrs_sync(svc, nft_genmask_next(ctx->net));
	if (err)
		goto err;

	mutex_lock(&ln->pool_mutex);
	err = lvs_pool_sock_open(ln);
	if (!err)
		list_add_tail(&svc->watch, &ln->pool_watch);
	mutex_unlock(&ln->pool_mutex);
	if (err)
		goto err;
	return 0;
err:
	lvs_set_ref_unbind(ctx, &svc->laddrs_set);
	lvs_set_ref_unbind(ctx, &svc->pool_set);
	return err;
}

void lvs_poolset_activate(const struct nft_ctx *ctx, struct lvs_service *svc)
{
	if (svc->pool_set.set)
		nf_tables_activate_set(ctx, svc->pool_set.set);
	if (svc->laddrs_set.set)
		nf_tables_activate_set(ctx, svc->laddrs_set.set);
}

void lvs_poolset_deactivate(const struct nft_ctx *ctx, struct lvs_service *svc,
			    enum nft_trans_phase phase)
{
	if (svc->pool_set.set)
		nf_tables_deactivate_set(ctx, svc->pool_set.set,
					 &svc->pool_set.binding, phase);
	if (svc->laddrs_set.set)
		nf_tables_deactivate_set(ctx, svc->laddrs_set.set,
					 &svc->laddrs_set.binding, phase);
}

/* Stop following the sets; true if the service had any. */
static bool lvs_poolset_unwatch(struct lvs_service *svc)
{
	struct lvs_net *ln = svc->ln;

	if (!svc->pool_set.set && !svc->laddrs_set.set)
		return false;
	mutex_lock(&ln->pool_mutex);
	list_del(&svc->watch);
	mutex_unlock(&ln->pool_mutex);
	return true;
}

/* The rule is destroyed: stop following the sets, then let them go. */
void lvs_poolset_destroy(const struct nft_ctx *ctx, struct lvs_service *svc)
{
	if (!lvs_poolset_unwatch(svc))
		return;
	if (svc->pool_set.set)
		nf_tables_destroy_set(ctx, svc->pool_set.set);
	if (svc->laddrs_set.set)
		nf_tables_destroy_set(ctx, svc->laddrs_set.set);
	svc->pool_set.set = NULL;
	svc->laddrs_set.set = NULL;
}

/* The rule failed after a successful bind: undo it all. */
void lvs_poolset_abort(const struct nft_ctx *ctx, struct lvs_service *svc)
{
	if (!lvs_poolset_unwatch(svc))
		return;
	lvs_set_ref_unbind(ctx, &svc->laddrs_set);
	lvs_set_ref_unbind(ctx, &svc->pool_set);
}

void lvs_poolset_net_init(struct lvs_net *ln)
{
	mutex_init(&ln->pool_mutex);
	INIT_LIST_HEAD(&ln->pool_watch);
	INIT_WORK(&ln->pool_work, lvs_pool_work);
	ln->pool_sock = NULL;
	ln->pool_dead = false;
	ln->pool_stale = 0;
}

/*
 * The namespace goes. Its rules are destroyed after this (see net.c), and
 * they only unlink themselves from pool_watch: no more rebuilds from here.
 */
void lvs_poolset_net_exit(struct lvs_net *ln)
{
	mutex_lock(&ln->pool_mutex);
	ln->pool_dead = true;
	mutex_unlock(&ln->pool_mutex);
	cancel_work_sync(&ln->pool_work);
	if (ln->pool_sock) {
		sock_release(ln->pool_sock);
		ln->pool_sock = NULL;
	}
}
