// SPDX-License-Identifier: GPL-2.0
/*
 * A service's pool: its real servers (struct lvs_dest) and the scheduler
 * built over them, as one immutable snapshot that the packet path reads
 * under RCU and that is replaced as a whole when a set-backed pool changes
 * (poolset.c). The local addresses work the same way.
 *
 * A replacement keeps what a scheduler has learnt: rr continues its turn,
 * wrr keeps each remaining server's current weight; lc and wlc read the
 * connection counts of the namespace-wide real servers, which no
 * replacement touches; sh and mh tables depend on the set of servers only.
 */
#include <linux/slab.h>
#include "nft_lvs.h"

/* A new member of @svc's pool, holding its real server; process context. */
struct lvs_dest *lvs_dest_new(struct lvs_service *svc,
			      const union nf_inet_addr *addr, __be16 port,
			      u32 weight)
{
	struct lvs_dest *dest;

	dest = kzalloc(sizeof(*dest), GFP_KERNEL_ACCOUNT);
	if (!dest)
		return NULL;
	dest->rs = lvs_rs_get(svc->ln, svc->family, addr, port);
	if (!dest->rs) {
		kfree(dest);
		return NULL;
	}
	refcount_set(&dest->ref, 1);
	dest->weight = weight;
	dest->svc = lvs_service_get(svc);
	return dest;
}

/* May run in softirq context (RCU callbacks of pools and connections). */
void lvs_dest_put(struct lvs_dest *dest)
{
	if (!refcount_dec_and_test(&dest->ref))
		return;
	lvs_rs_put(dest->rs);
	lvs_service_put(dest->svc);
	kfree(dest);
}

void lvs_pool_free(struct lvs_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr; i++)
		lvs_dest_put(pool->dests[i]);
	kvfree(pool->sched_mem);
	kvfree(pool->lb_rs);
	kvfree(pool);
}

/*
 * Under sched_lock, so the previous pool's wrr state is stable. @from[i]
 * is the index in @prev of the new pool's member i, or -1 (NULL: none).
 */
static void lvs_pool_carry(struct lvs_pool *pool, const struct lvs_pool *prev,
			   const int *from)
{
	unsigned int i;

	if (!prev)
		return;
	core_atomic_set(&pool->sched.rr_next,
			core_atomic_read(&prev->sched.rr_next));
	if (pool->sched.type != NFT_LVS_SCHED_WRR ||
	    prev->sched.type != NFT_LVS_SCHED_WRR || !from)
		return;
	for (i = 0; i < pool->nr; i++)
		if (from[i] >= 0 && from[i] < prev->nr)
			pool->sched.wrr_cur[i] = prev->sched.wrr_cur[from[i]];
}

/*
 * A snapshot of @nr members (their references move into it; on failure
 * they are dropped). What the scheduler learnt comes over when it is
 * published (lvs_pool_replace).
 */
struct lvs_pool *lvs_pool_build(struct lvs_service *svc,
				struct lvs_dest **dests, unsigned int nr)
{
	unsigned int alen = lvs_addr_len(svc->family), i;
	struct lb_sched_params params = {
		.type		= svc->sched,
	};
	struct lvs_pool *pool;
	size_t size;

	pool = kvzalloc(struct_size(pool, dests, nr), GFP_KERNEL_ACCOUNT);
	if (!pool)
		goto err_put;
	memcpy(pool->dests, dests, nr * sizeof(*dests));
	pool->nr = nr;
	pool->lb_rs = kvcalloc(max(nr, 1u), sizeof(*pool->lb_rs),
			       GFP_KERNEL_ACCOUNT);
	if (!pool->lb_rs)
		goto err_free;
	for (i = 0; i < nr; i++) {
		const struct lvs_rs *rs = dests[i]->rs;

		pool->lb_rs[i].weight = dests[i]->weight;
		pool->lb_rs[i].key = lb_rs_key(&rs->addr, alen, rs->port);
		pool->lb_rs[i].conns = &dests[i]->rs->conns;
	}
	size = lb_sched_mem_size(&params, nr);
	if (size) {
		pool->sched_mem = kvzalloc(size, GFP_KERNEL_ACCOUNT);
		if (!pool->sched_mem)
			goto err_free;
	}
	if (lb_sched_init(&pool->sched, &params, pool->lb_rs, nr,
			  pool->sched_mem, size) < 0)
		goto err_free;
	return pool;

err_free:
	if (pool) {
		lvs_pool_free(pool);
		return NULL;
	}
err_put:
	for (i = 0; i < nr; i++)
		lvs_dest_put(dests[i]);
	return NULL;
}

static void lvs_pool_free_rcu(struct rcu_head *head)
{
	lvs_pool_free(container_of(head, struct lvs_pool, rcu));
}

/*
 * Publish @pool in place of @prev (what the caller built it from; @from
 * maps members to their index in it, see lvs_pool_carry); the old one goes
 * after the readers. Scheduler state moves over under the lock the wrr
 * pickers take, so no turn is lost or repeated.
 */
void lvs_pool_replace(struct lvs_service *svc, struct lvs_pool *pool,
		      const struct lvs_pool *prev, const int *from)
{
	struct lvs_pool *old;

	spin_lock_bh(&svc->sched_lock);
	old = rcu_dereference_protected(svc->pool,
					lockdep_is_held(&svc->sched_lock));
	/* Only the rule's own rebuilds replace pools, one at a time. */
	lvs_pool_carry(pool, old, old == prev ? from : NULL);
	rcu_assign_pointer(svc->pool, pool);
	spin_unlock_bh(&svc->sched_lock);
	if (old)
		call_rcu(&old->rcu, lvs_pool_free_rcu);
}

struct lvs_laddrs *lvs_laddrs_alloc(unsigned int nr)
{
	struct lvs_laddrs *la;

	la = kvzalloc(struct_size(la, addrs, nr), GFP_KERNEL_ACCOUNT);
	if (la)
		la->nr = nr;
	return la;
}

static void lvs_laddrs_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct lvs_laddrs, rcu));
}

void lvs_laddrs_replace(struct lvs_service *svc, struct lvs_laddrs *la)
{
	struct lvs_laddrs *old;

	spin_lock_bh(&svc->sched_lock);
	old = rcu_dereference_protected(svc->laddrs,
					lockdep_is_held(&svc->sched_lock));
	rcu_assign_pointer(svc->laddrs, la);
	spin_unlock_bh(&svc->sched_lock);
	if (old)
		call_rcu(&old->rcu, lvs_laddrs_free_rcu);
}

/* The rule is gone: connections keep their members, nothing else is needed. */
void lvs_service_drop_lists(struct lvs_service *svc)
{
	struct lvs_laddrs *la;
	struct lvs_pool *pool;

	spin_lock_bh(&svc->sched_lock);
	pool = rcu_replace_pointer(svc->pool, NULL,
				   lockdep_is_held(&svc->sched_lock));
	la = rcu_replace_pointer(svc->laddrs, NULL,
				 lockdep_is_held(&svc->sched_lock));
	spin_unlock_bh(&svc->sched_lock);
	if (pool)
		call_rcu(&pool->rcu, lvs_pool_free_rcu);
	if (la)
		call_rcu(&la->rcu, lvs_laddrs_free_rcu);
}

static int lvs_pool_sched(struct lvs_service *svc, struct lvs_pool *pool,
			  const union nf_inet_addr *caddr, u8 cfamily,
			  __be16 cport)
{
	unsigned int alen = lvs_addr_len(cfamily);
	int idx;

	if (!lb_sched_needs_lock(pool->sched.type))
		return lb_sched_pick(&pool->sched, pool->lb_rs, pool->nr,
				     caddr, alen, cport);
	spin_lock_bh(&svc->sched_lock);
	idx = lb_sched_pick(&pool->sched, pool->lb_rs, pool->nr, caddr, alen,
			    cport);
	spin_unlock_bh(&svc->sched_lock);
	return idx;
}

/*
 * The real server for a new connection, or NULL. Under RCU (packet path).
 *
 * A set-backed pool's snapshot may trail the set by the time it takes to
 * rebuild it after an edit; the member picked is therefore checked
 * against the set itself, so that no connection made after an edit has
 * been committed goes to a server the edit removed or drained. A stale
 * pick asks for a rebuild and takes the next live member meanwhile.
 * sh and mh hash the client's address in its own family (@cfamily).
 */
struct lvs_dest *lvs_pool_pick(struct lvs_service *svc,
			       const union nf_inet_addr *caddr, u8 cfamily,
			       __be16 cport)
{
	struct lvs_pool *pool = rcu_dereference(svc->pool);
	unsigned int i;
	int idx;

	if (!pool || !pool->nr)
		return NULL;
	idx = lvs_pool_sched(svc, pool, caddr, cfamily, cport);
	if (idx < 0)
		return NULL;
	if (likely(lvs_poolset_live(svc, pool->dests[idx])))
		return pool->dests[idx];

	set_bit(0, &svc->ln->pool_stale);
	queue_work(system_long_wq, &svc->ln->pool_work);
	for (i = 1; i < pool->nr; i++) {
		unsigned int k = (idx + i) % pool->nr;

		if (pool->lb_rs[k].weight &&
		    lvs_poolset_live(svc, pool->dests[k]))
			return pool->dests[k];
	}
	return NULL;
}
