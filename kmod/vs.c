// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual services of a namespace, for their counters: one entry per
 * protocol, VIP and port that connections were made for. The fullnat
 * statement does not know its VIP (the rule's matches do), so services are
 * named by what the connections saw, which is also what an operator calls
 * a service, and stays the same across ruleset reloads.
 *
 * Entries are found with an RCU hash lookup when a connection is made and
 * live until no fullnat statement is left in the namespace (then the idle
 * ones go) or the namespace goes. At most LVS_VS_MAX: past that, new
 * services are not counted (service_untracked), so that a catch-all rule
 * hit by a port scan cannot grow the table without bound. Connections hold
 * no reference: an entry with connections is never removed.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include "nft_lvs.h"

#define LVS_VS_MAX	4096

static u32 lvs_vs_hash(const struct lvs_tuple *t)
{
	return jhash_3words((__force u32)t->dst.all[0] ^ (__force u32)t->dst.all[3],
			    (__force u32)t->dport << 8 | t->proto,
			    (__force u32)t->dst.all[1] ^ (__force u32)t->dst.all[2],
			    0) & (LVS_VS_HASH_SIZE - 1);
}

static bool lvs_vs_match(const struct lvs_vs *vs, const struct lvs_tuple *t)
{
	return vs->proto == t->proto && vs->port == t->dport &&
	       vs->family == t->family &&
	       nf_inet_addr_cmp(&vs->addr, &t->dst);
}

static struct lvs_vs *lvs_vs_lookup(struct lvs_net *ln,
				    const struct lvs_tuple *t, u32 hash)
{
	struct lvs_vs *vs;

	hlist_for_each_entry_rcu(vs, &ln->vs_hash[hash], node,
				 lockdep_is_held(&ln->vs_lock))
		if (lvs_vs_match(vs, t))
			return vs;
	return NULL;
}

/* The service of client tuple @t (its destination), made on first use. */
struct lvs_vs *lvs_vs_get(struct lvs_net *ln, const struct lvs_tuple *t)
{
	u32 hash = lvs_vs_hash(t);
	struct lvs_vs *vs, *found;

	vs = lvs_vs_lookup(ln, t, hash);
	if (likely(vs))
		return vs;

	vs = kzalloc(sizeof(*vs), GFP_ATOMIC);
	if (!vs)
		goto untracked;
	vs->stats = alloc_percpu_gfp(struct lvs_rs_stats, GFP_ATOMIC);
	if (!vs->stats) {
		kfree(vs);
		goto untracked;
	}
	vs->family = t->family;
	vs->proto = t->proto;
	vs->port = t->dport;
	vs->addr = t->dst;

	spin_lock_bh(&ln->vs_lock);
	found = lvs_vs_lookup(ln, t, hash);
	if (!found && ln->vs_count < LVS_VS_MAX) {
		hlist_add_head_rcu(&vs->node, &ln->vs_hash[hash]);
		ln->vs_count++;
		spin_unlock_bh(&ln->vs_lock);
		return vs;
	}
	spin_unlock_bh(&ln->vs_lock);
	free_percpu(vs->stats);
	kfree(vs);
	if (found)
		return found;
untracked:
	lvs_stat_inc(ln, LVS_STAT_VS_UNTRACKED);
	return NULL;
}

static void lvs_vs_free_rcu(struct rcu_head *head)
{
	struct lvs_vs *vs = container_of(head, struct lvs_vs, rcu);

	free_percpu(vs->stats);
	kfree(vs);
}

/*
 * Drop the services without connections, or all of them (@all, when the
 * namespace goes and its connections are gone).
 */
void lvs_vs_purge(struct lvs_net *ln, bool all)
{
	struct hlist_node *tmp;
	struct lvs_vs *vs;
	unsigned int i;

	spin_lock_bh(&ln->vs_lock);
	for (i = 0; i < LVS_VS_HASH_SIZE; i++) {
		hlist_for_each_entry_safe(vs, tmp, &ln->vs_hash[i], node) {
			if (!all && (atomic_read(&vs->conns.active) ||
				     atomic_read(&vs->conns.inactive)))
				continue;
			hlist_del_rcu(&vs->node);
			ln->vs_count--;
			call_rcu(&vs->rcu, lvs_vs_free_rcu);
		}
	}
	spin_unlock_bh(&ln->vs_lock);
}

void lvs_vs_init(struct lvs_net *ln)
{
	unsigned int i;

	spin_lock_init(&ln->vs_lock);
	for (i = 0; i < LVS_VS_HASH_SIZE; i++)
		INIT_HLIST_HEAD(&ln->vs_hash[i]);
	ln->vs_count = 0;
}
