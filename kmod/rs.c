// SPDX-License-Identifier: GPL-2.0
/*
 * Real servers of a namespace. Services refer to them by address and port;
 * the same server named by several rules, or by the old and the new rules
 * of a reload, is one object, so its connection counts stay right.
 *
 * The last reference may go from an RCU callback (a connection that
 * outlived its rule frees its service), hence a BH-safe spinlock.
 */
#include <linux/slab.h>
#include "nft_lvs.h"

static struct lvs_rs *lvs_rs_find(struct lvs_net *ln, u8 family,
				  const union nf_inet_addr *addr, __be16 port)
{
	struct lvs_rs *rs;

	list_for_each_entry(rs, &ln->rs_list, list)
		if (rs->family == family && rs->port == port &&
		    nf_inet_addr_cmp(&rs->addr, addr) &&
		    refcount_inc_not_zero(&rs->ref))
			return rs;
	return NULL;
}

/* Process context only (rule creation). */
struct lvs_rs *lvs_rs_get(struct lvs_net *ln, u8 family,
			  const union nf_inet_addr *addr, __be16 port)
{
	struct lvs_rs *rs, *found;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs)
		return NULL;
	rs->stats = alloc_percpu_gfp(struct lvs_rs_stats, GFP_KERNEL_ACCOUNT);
	if (!rs->stats) {
		kfree(rs);
		return NULL;
	}
	refcount_set(&rs->ref, 1);
	rs->family = family;
	rs->addr = *addr;
	rs->port = port;
	rs->ln = ln;

	spin_lock_bh(&ln->rs_lock);
	found = lvs_rs_find(ln, family, addr, port);
	if (!found)
		list_add_tail(&rs->list, &ln->rs_list);
	spin_unlock_bh(&ln->rs_lock);

	if (found) {
		free_percpu(rs->stats);
		kfree(rs);
		return found;
	}
	return rs;
}

void lvs_rs_put(struct lvs_rs *rs)
{
	struct lvs_net *ln = rs->ln;

	if (refcount_dec_not_one(&rs->ref))
		return;
	spin_lock_bh(&ln->rs_lock);
	if (!refcount_dec_and_test(&rs->ref)) {
		spin_unlock_bh(&ln->rs_lock);
		return;
	}
	list_del(&rs->list);
	spin_unlock_bh(&ln->rs_lock);
	free_percpu(rs->stats);
	kfree(rs);
}
