// SPDX-License-Identifier: GPL-2.0
/*
 * Real servers of a namespace. Pools refer to them by address and port;
 * the same server named by several rules, by the old and the new rules of
 * a reload, or removed from a set and added back, is one object, so its
 * connection counts and counters stay right.
 *
 * The namespace's table holds a reference of its own: a server nobody
 * uses any more stays (with its counters) while the namespace has fullnat
 * rules, and idle ones go with the last rule (lvs_rs_purge). Pools of
 * thousands of servers are built often (every edit of a large set), hence
 * a hash rather than a list walk per lookup.
 *
 * References may be dropped from RCU callbacks (a connection that outlived
 * its rule), hence BH-safe locking.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include "nft_lvs.h"

static u32 lvs_rs_hash(u8 family, const union nf_inet_addr *addr, __be16 port)
{
	return jhash2((const u32 *)addr, 4, (__force u32)port << 8 | family) &
	       (LVS_RS_HASH_SIZE - 1);
}

static struct lvs_rs *lvs_rs_find(struct lvs_net *ln, u8 family,
				  const union nf_inet_addr *addr, __be16 port,
				  u32 hash)
{
	struct lvs_rs *rs;

	hlist_for_each_entry(rs, &ln->rs_hash[hash], hnode)
		if (rs->family == family && rs->port == port &&
		    nf_inet_addr_cmp(&rs->addr, addr))
			return rs;
	return NULL;
}

/* Process context only (pool building). */
struct lvs_rs *lvs_rs_get(struct lvs_net *ln, u8 family,
			  const union nf_inet_addr *addr, __be16 port)
{
	u32 hash = lvs_rs_hash(family, addr, port);
	struct lvs_rs *rs, *found;

	spin_lock_bh(&ln->rs_lock);
	found = lvs_rs_find(ln, family, addr, port, hash);
	if (found)
		refcount_inc(&found->ref);
	spin_unlock_bh(&ln->rs_lock);
	if (found)
		return found;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs)
		return NULL;
	rs->stats = alloc_percpu_gfp(struct lvs_rs_stats, GFP_KERNEL_ACCOUNT);
	if (!rs->stats) {
		kfree(rs);
		return NULL;
	}
	refcount_set(&rs->ref, 2);	/* the table's and the caller's */
	rs->family = family;
	rs->addr = *addr;
	rs->port = port;
	rs->ln = ln;

	spin_lock_bh(&ln->rs_lock);
	found = lvs_rs_find(ln, family, addr, port, hash);
	if (found) {
		refcount_inc(&found->ref);
	} else {
		hlist_add_head(&rs->hnode, &ln->rs_hash[hash]);
		list_add_tail(&rs->list, &ln->rs_list);
	}
	spin_unlock_bh(&ln->rs_lock);

	if (found) {
		free_percpu(rs->stats);
		kfree(rs);
		return found;
	}
	return rs;
}

static void lvs_rs_free(struct lvs_rs *rs)
{
	free_percpu(rs->stats);
	kfree(rs);
}

/* Only the table's reference can be the last one of a listed server. */
void lvs_rs_put(struct lvs_rs *rs)
{
	if (refcount_dec_and_test(&rs->ref))
		lvs_rs_free(rs);
}

/*
 * Forget the servers that nothing but the table holds, or all of them
 * (@all: the namespace goes; pools that still hold one free it later).
 */
void lvs_rs_purge(struct lvs_net *ln, bool all)
{
	struct lvs_rs *rs, *tmp;
	LIST_HEAD(gone);

	spin_lock_bh(&ln->rs_lock);
	list_for_each_entry_safe(rs, tmp, &ln->rs_list, list) {
		if (!all && refcount_read(&rs->ref) != 1)
			continue;
		hlist_del(&rs->hnode);
		list_move(&rs->list, &gone);
	}
	spin_unlock_bh(&ln->rs_lock);

	list_for_each_entry_safe(rs, tmp, &gone, list)
		lvs_rs_put(rs);
}

void lvs_rs_init(struct lvs_net *ln)
{
	unsigned int i;

	spin_lock_init(&ln->rs_lock);
	INIT_LIST_HEAD(&ln->rs_list);
	for (i = 0; i < LVS_RS_HASH_SIZE; i++)
		INIT_HLIST_HEAD(&ln->rs_hash[i]);
}
