// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table of a namespace: one rhashtable holding two keys per
 * connection, the client side (cip:cport -> vip:vport) and the real-server
 * side (rip:rport -> lip:lport), so that a packet of either direction is
 * found with one RCU lookup.
 *
 * Lifetime: packets only move conn->expires forward (a plain store); the
 * per-connection timer, when it fires, re-arms itself to that time or kills
 * the connection. Whoever sets LVS_CONN_F_DEAD (under conn->lock) owns the
 * kill; the timer is never armed on a dead connection, so its memory is
 * free for the RCU head once the owner has stopped it (or is it). Memory
 * goes after an RCU grace period, so lookups take no references.
 */
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/ktime.h>
#include "nft_lvs.h"
#include "core/tcpopt.h"

static struct kmem_cache *lvs_conn_cachep __read_mostly;

/*
 * Connections are the memory that grows with traffic. Each costs its
 * object plus its share of the buckets (two keys, the table kept under 75%
 * load: 24 to 48 bytes); 216 bytes pack 18 to a 4 KiB slab page, so 252 to
 * 276 bytes a connection in all. 24 of them are the cached routes, which
 * save a route lookup on every packet.
 */
#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC)
/* Debug kernels grow every spinlock; the budget is for production ones. */
static_assert(sizeof(struct lvs_conn) <= 216);
#endif
static_assert(NFT_FULLNAT_F_MASK < LVS_CONN_F_REPLIED);

/*
 * How many buckets an early drop looks through for a connection to end. The
 * table keeps 30-75% as many buckets as keys, two keys a connection: 32
 * buckets hold 5 to 12 client-side keys.
 */
#define LVS_EARLY_DROP_BUCKETS	32

/* Lookups during a port search try this many ports per local address. */
#define LVS_LPORT_TRIES		64

static void lvs_conn_count(struct lvs_conn *cp, u8 state, int d)
{
	struct lb_rs_conns *c = &lvs_conn_rs(cp)->conns;
	bool active = state == LB_TCP_ESTABLISHED;

	atomic_add(d, active ? &c->active : &c->inactive);
	if (cp->vs)
		atomic_add(d, active ? &cp->vs->conns.active :
				       &cp->vs->conns.inactive);
}

static void lvs_conn_free_rcu(struct rcu_head *head)
{
	struct lvs_conn *cp = container_of(head, struct lvs_conn, rcu);

	lvs_synproxy_free(cp->sp);
	lvs_conn_route_release(cp);
	lvs_dest_put(cp->dest);
	kmem_cache_free(lvs_conn_cachep, cp);
}

/* The caller set LVS_CONN_F_DEAD and made sure the timer will not run. */
static void lvs_conn_unlink(struct lvs_conn *cp)
{
	struct lvs_net *ln = lvs_conn_ln(cp);

	rhashtable_remove_fast(&ln->conn_tab, &cp->hn[LB_DIR_IN].node,
			       lvs_conn_params);
	rhashtable_remove_fast(&ln->conn_tab, &cp->hn[LB_DIR_OUT].node,
			       lvs_conn_params);
	lvs_conn_count(cp, cp->state, -1);
	atomic_dec(&ln->conn_count);
	call_rcu(&cp->rcu, lvs_conn_free_rcu);
}

static bool lvs_conn_claim(struct lvs_conn *cp)
{
	bool won;

	spin_lock_bh(&cp->lock);
	won = !(cp->flags & LVS_CONN_F_DEAD);
	WRITE_ONCE(cp->flags, cp->flags | LVS_CONN_F_DEAD);
	spin_unlock_bh(&cp->lock);
	return won;
}

/*
 * rst-on-expire: tell both ends that an idle established connection is
 * gone, instead of letting their next packet hit the "defence" drop.
 * Sequence numbers are the next ones each side expects.
 */
static void lvs_conn_reset(struct lvs_conn *cp)
{
	const struct lvs_tuple *c = &cp->hn[LB_DIR_IN].t;
	const struct lvs_tuple *r = &cp->hn[LB_DIR_OUT].t;
	struct net *net = lvs_conn_ln(cp)->net;
	u32 to_client = READ_ONCE(cp->out_end) + (cp->sp ? cp->sp->syn_delta : 0);
	u32 to_rs = READ_ONCE(cp->in_end) + cp->seq_delta;

	lvs_send_rst(net, c, to_client);
	lvs_send_rst(net, r, to_rs);
	lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_RST_ON_EXPIRE);
}

static void lvs_conn_expire(struct timer_list *t)
{
	struct lvs_conn *cp = from_timer(cp, t, timer);
	unsigned long expires;

	spin_lock(&cp->lock);
	if (lvs_conn_dead(cp)) {
		spin_unlock(&cp->lock);
		return;
	}
	expires = READ_ONCE(cp->expires);
	if (time_before(jiffies, expires)) {
		mod_timer(&cp->timer, expires);
		spin_unlock(&cp->lock);
		return;
	}
	if (lvs_synproxy_retry(cp)) {
		mod_timer(&cp->timer, cp->expires);
		spin_unlock(&cp->lock);
		lvs_synproxy_resend(cp);
		return;
	}
	WRITE_ONCE(cp->flags, cp->flags | LVS_CONN_F_DEAD);
	spin_unlock(&cp->lock);

	lvs_synproxy_gone(cp);

	if ((cp->flags & NFT_FULLNAT_F_RST_ON_EXPIRE) &&
	    cp->state == LB_TCP_ESTABLISHED)
		lvs_conn_reset(cp);
	lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_CONN_EXPIRED);
	lvs_conn_unlink(cp);
}

/*
 * End @cp now, from the packet path (a SYN that starts a closed connection
 * over behind SYNPROXY, an RS that refused). False if someone else already
 * ends it. The timer, if it is running meanwhile, finds the connection
 * dead and leaves it; the memory outlives it by the RCU grace period.
 */
bool lvs_conn_kill(struct lvs_conn *cp)
{
	if (!lvs_conn_claim(cp))
		return false;
	timer_delete(&cp->timer);
	lvs_conn_unlink(cp);
	return true;
}

/*
 * expire_nodest_conn: a packet of a connection whose real server has left
 * its pool ends the connection (RSTs to both ends with rst-on-expire) and
 * is dropped, as IPVS does.
 */
void lvs_conn_end_nodest(struct lvs_conn *cp)
{
	u8 state;

	if (!lvs_conn_claim(cp))
		return;
	timer_delete(&cp->timer);
	/* Both ends still hold the connection, half-closed ones included. */
	state = READ_ONCE(cp->state);
	if ((cp->flags & NFT_FULLNAT_F_RST_ON_EXPIRE) &&
	    cp->hn[LB_DIR_IN].t.proto == IPPROTO_TCP &&
	    state >= LB_TCP_ESTABLISHED && state <= LB_TCP_LAST_ACK)
		lvs_conn_reset(cp);
	lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_CONN_NODEST);
	lvs_conn_unlink(cp);
}

/*
 * A UDP flow's server answered: from now on the flow is kept when the table
 * is full. The packet path calls this only while the flag is still clear.
 */
void lvs_conn_replied(struct lvs_conn *cp)
{
	spin_lock_bh(&cp->lock);
	WRITE_ONCE(cp->flags, cp->flags | LVS_CONN_F_REPLIED);
	spin_unlock_bh(&cp->lock);
}

/*
 * A connection that may make room in a full table: a TCP connection whose
 * handshake never completed (or that a reset closed), unless SYNPROXY has
 * proven its client; a UDP flow its server never answered. What a spoofed
 * flood creates, and nothing a real client depends on for long.
 */
static bool lvs_conn_embryonic(const struct lvs_conn *cp)
{
	u8 state = READ_ONCE(cp->state);

	if (lvs_conn_dead(cp) || cp->sp)
		return false;
	if (cp->hn[LB_DIR_IN].t.proto != IPPROTO_TCP)
		return !(READ_ONCE(cp->flags) & LVS_CONN_F_REPLIED);
	return state < LB_TCP_ESTABLISHED || state == LB_TCP_CLOSE;
}

/*
 * With the table full, end one embryonic connection so that a new one can
 * take its place, as conntrack's early drop does: a flood of spoofed SYNs
 * or datagrams then cycles through its own entries instead of locking real
 * clients out until its entries time out. Of the candidates in a few
 * buckets from a random one (each connection counted by its client-side
 * key), the one idle longest goes: a real client's handshake in progress is
 * younger than most of a flood's entries. Under RCU: the connection's
 * memory outlives the walk.
 */
static bool lvs_conn_early_drop(struct lvs_net *ln)
{
	struct lvs_conn *cp, *victim = NULL;
	unsigned long last, oldest = 0;
	struct lvs_conn_hnode *hn;
	struct bucket_table *tbl;
	struct rhash_head *pos;
	unsigned int i, b;
	bool dropped;

	rcu_read_lock();
	tbl = rht_dereference_rcu(ln->conn_tab.tbl, &ln->conn_tab);
	b = get_random_u32();
	for (i = 0; i < LVS_EARLY_DROP_BUCKETS; i++) {
		rht_for_each_entry_rcu(hn, pos, tbl, (b + i) & (tbl->size - 1), node) {
			if (hn->t.dir != LB_DIR_IN)
				continue;
			cp = lvs_hnode_conn(hn);
			if (!lvs_conn_embryonic(cp))
				continue;
			/* Its last packet: the timeout of its state before it expires. */
			last = READ_ONCE(cp->expires) -
			       lvs_conn_timeout(cp, READ_ONCE(cp->state));
			if (!victim || time_before(last, oldest)) {
				victim = cp;
				oldest = last;
			}
		}
	}
	/* Lost to its timer or a packet meanwhile: refused this time. */
	dropped = victim && lvs_conn_kill(victim);
	rcu_read_unlock();
	if (dropped)
		lvs_stat_inc(ln, LVS_STAT_CONN_EARLY_DROP);
	return dropped;
}

/*
 * Count a connection about to be created, unless the table holds conn_max
 * already. A compare-and-exchange rather than an increment undone on
 * failure: the count (what "conns" shows) never passes conn_max, not even
 * for a moment while CPUs race for the last places.
 */
static bool lvs_conn_reserve(struct lvs_net *ln)
{
	unsigned int max = READ_ONCE(ln->cfg.conn_max);
	int n = atomic_read(&ln->conn_count);

	do {
		if ((unsigned int)n >= max)
			return false;
	} while (!atomic_try_cmpxchg(&ln->conn_count, &n, n + 1));
	return true;
}

/* State changes are rare (a few per connection): they may re-arm. */
void lvs_conn_set_state(struct lvs_conn *cp, u8 state)
{
	unsigned long expires;

	spin_lock_bh(&cp->lock);
	if (lvs_conn_dead(cp) || cp->state == state) {
		spin_unlock_bh(&cp->lock);
		return;
	}
	lvs_conn_count(cp, cp->state, -1);
	lvs_conn_count(cp, state, 1);
	cp->state = state;
	expires = jiffies + lvs_conn_timeout(cp, state);
	WRITE_ONCE(cp->expires, expires);
	mod_timer(&cp->timer, expires);
	spin_unlock_bh(&cp->lock);
}

/* The RS side of @cp for local address @lip and port @lport. */
static void lvs_conn_rs_tuple(struct lvs_conn *cp, const struct lvs_rs *rs,
			      const union nf_inet_addr *lip, u16 lport)
{
	struct lvs_tuple *rt = &cp->hn[LB_DIR_OUT].t;
	const struct lvs_tuple *ct = &cp->hn[LB_DIR_IN].t;

	memset(rt, 0, sizeof(*rt));
	rt->src = rs->addr;
	rt->dst = *lip;
	rt->sport = rs->port ?: ct->dport;
	rt->dport = htons(lport);
	rt->proto = ct->proto;
	rt->family = rs->family;	/* NAT64: not the client's */
	rt->dir = LB_DIR_OUT;
}

/*
 * Find a free lip:lport for this real server: insert the RS-side key and
 * take the first one the table accepts. Ports start at a random offset so
 * that concurrent creations spread instead of racing for the same port.
 */
static int lvs_conn_bind_lport(struct lvs_conn *cp, struct lvs_service *svc)
{
	const struct lvs_laddrs *la = rcu_dereference(svc->laddrs);
	u32 range = svc->port_max - svc->port_min + 1;
	u32 tries = min_t(u32, range, LVS_LPORT_TRIES);
	u32 pstart = reciprocal_scale(get_random_u32(), range);
	u32 lstart, i, j;
	int err;

	if (!la || !la->nr)	/* an emptied set of local addresses */
		return -EADDRINUSE;
	lstart = reciprocal_scale(get_random_u32(), la->nr);
	for (i = 0; i < la->nr; i++) {
		const union nf_inet_addr *lip = &la->addrs[(lstart + i) % la->nr];

		for (j = 0; j < tries; j++) {
			u16 lport = svc->port_min + (pstart + j) % range;

			lvs_conn_rs_tuple(cp, cp->dest->rs, lip, lport);
			err = rhashtable_lookup_insert_fast(&svc->ln->conn_tab,
					&cp->hn[LB_DIR_OUT].node, lvs_conn_params);
			if (err != -EEXIST)
				return err;
			lvs_stat_inc(svc->ln, LVS_STAT_LPORT_CONFLICT);
		}
	}
	return -EADDRINUSE;
}

/* A fresh secure ISN toward the RS, per lip:lport -> rip:rport. */
static u32 lvs_conn_isn(const struct lvs_conn *cp)
{
	const struct lvs_tuple *rt = &cp->hn[LB_DIR_OUT].t;
	u32 hash;

	if (rt->family == NFPROTO_IPV6)
		/* src, dst, sport and dport lie together at the tuple's head */
		hash = siphash(&rt->src, offsetof(struct lvs_tuple, proto),
			       &lvs_conn_ln(cp)->isn_key);
	else
		hash = siphash_3u32((__force u32)rt->dst.ip, (__force u32)rt->src.ip,
				    (__force u32)rt->dport << 16 |
				    (__force u32)rt->sport,
				    &lvs_conn_ln(cp)->isn_key);
	return hash + (u32)(ktime_get_real_ns() >> 6);
}

/*
 * A client SYN on a connection in TIME_WAIT or CLOSE: same RS, same
 * lip:lport, fresh sequence delta (a new ISN, later than the old one, so
 * the RS's TIME_WAIT accepts it).
 */
void lvs_conn_reuse(struct lvs_conn *cp, u32 client_isn)
{
	spin_lock_bh(&cp->lock);
	if (!lvs_conn_dead(cp) && lb_tcp_reusable(cp->state)) {
		WRITE_ONCE(cp->seq_delta, lvs_conn_isn(cp) - client_isn);
		WRITE_ONCE(cp->rs_isn1, 0);
	}
	spin_unlock_bh(&cp->lock);
	lvs_conn_set_state(cp, LB_TCP_SYN_SENT);
	lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_CONN_REUSED);
}

/*
 * Create a connection for the client tuple @t on @svc, behind SYNPROXY if
 * @sp is given (it becomes the connection's on success only). Returns NULL
 * with *reason set to the LVS_STAT_* that explains the refusal, or -1 when
 * a concurrent creation won (the caller looks the connection up again).
 */
struct lvs_conn *lvs_conn_create(struct lvs_net *ln, struct lvs_service *svc,
				 const struct lvs_tuple *t, u32 client_isn,
				 struct lvs_synproxy *sp, int *reason)
{
	struct lvs_dest *dest;
	struct lvs_conn *cp;
	int err;

	/* Room made by an early drop may go to another CPU: refused then. */
	if (!lvs_conn_reserve(ln) &&
	    !(lvs_conn_early_drop(ln) && lvs_conn_reserve(ln))) {
		*reason = LVS_STAT_CONN_EXCEEDED;
		return NULL;
	}
	dest = lvs_pool_pick(svc, &t->src, t->family, t->sport);
	if (!dest) {
		*reason = LVS_STAT_CONN_SCHED_UNREACH;
		goto err_count;
	}

	cp = kmem_cache_zalloc(lvs_conn_cachep, GFP_ATOMIC);
	if (!cp) {
		*reason = LVS_STAT_CONN_NOMEM;
		goto err_count;
	}
	spin_lock_init(&cp->lock);
	timer_setup(&cp->timer, lvs_conn_expire, 0);
	refcount_inc(&dest->ref);
	cp->dest = dest;
	cp->vs = lvs_vs_get(ln, t);
	cp->flags = svc->flags;
	/* Only a SYN or a UDP packet creates a connection. */
	cp->state = t->proto == IPPROTO_TCP ? LB_TCP_SYN_SENT : LB_TCP_ESTABLISHED;
	cp->hn[LB_DIR_IN].t = *t;
	cp->hn[LB_DIR_IN].t.dir = LB_DIR_IN;

	/* RS side first: nothing can arrive there before we send. */
	err = lvs_conn_bind_lport(cp, svc);
	if (err) {
		*reason = err == -EADDRINUSE ? LVS_STAT_LPORT_EXHAUSTED :
					       LVS_STAT_CONN_NOMEM;
		goto err_free;
	}
	if (t->proto == IPPROTO_TCP)
		cp->seq_delta = lvs_conn_isn(cp) - client_isn;
	/* Behind SYNPROXY the timer first paces the SYNs to the RS. */
	cp->expires = jiffies + (sp ? HZ : lvs_conn_timeout(cp, cp->state));
	lvs_conn_count(cp, cp->state, 1);
	cp->sp = sp;

	err = rhashtable_lookup_insert_fast(&ln->conn_tab, &cp->hn[LB_DIR_IN].node,
					    lvs_conn_params);
	if (err) {
		/*
		 * Lost a race with another CPU creating the same connection,
		 * for example a proxied handshake ACK and the request behind
		 * it handled on two CPUs. The pick above is lost with it, so
		 * a weighted rotation moves on by one: counted, to show that.
		 */
		rhashtable_remove_fast(&ln->conn_tab, &cp->hn[LB_DIR_OUT].node,
				       lvs_conn_params);
		lvs_conn_count(cp, cp->state, -1);
		atomic_dec(&ln->conn_count);
		if (err == -EEXIST) {
			lvs_stat_inc(ln, LVS_STAT_CONN_CLASH);
			*reason = -1;
		} else {
			*reason = LVS_STAT_CONN_NOMEM;
		}
		cp->sp = NULL;
		call_rcu(&cp->rcu, lvs_conn_free_rcu);
		return NULL;
	}
	/* Visible now: a packet may already have killed it (lvs_conn_kill). */
	spin_lock_bh(&cp->lock);
	if (!lvs_conn_dead(cp))
		mod_timer(&cp->timer, cp->expires);
	spin_unlock_bh(&cp->lock);
	atomic64_inc(&lvs_conn_rs(cp)->conns_total);
	if (cp->vs)
		atomic64_inc(&cp->vs->conns_total);
	lvs_stat_inc(ln, LVS_STAT_CONN_NEW);
	return cp;

err_free:
	lvs_dest_put(cp->dest);
	kmem_cache_free(lvs_conn_cachep, cp);
err_count:
	atomic_dec(&ln->conn_count);
	return NULL;
}

int lvs_conn_table_init(struct lvs_net *ln)
{
	atomic_set(&ln->conn_count, 0);
	return rhashtable_init(&ln->conn_tab, &lvs_conn_params);
}

/* Claim and unlink every connection one walk finds; returns how many. */
static unsigned int lvs_conn_flush_walk(struct lvs_net *ln)
{
	struct rhashtable_iter iter;
	struct lvs_conn_hnode *hn;
	struct lvs_conn *cp;
	unsigned int n = 0;

	rhashtable_walk_enter(&ln->conn_tab, &iter);
	rhashtable_walk_start(&iter);
	while ((hn = rhashtable_walk_next(&iter)) != NULL) {
		if (IS_ERR(hn) || hn->t.dir != LB_DIR_IN)
			continue;
		cp = lvs_hnode_conn(hn);
		if (!lvs_conn_claim(cp))
			continue;
		rhashtable_walk_stop(&iter);
		timer_delete_sync(&cp->timer);
		lvs_conn_unlink(cp);
		n++;
		rhashtable_walk_start(&iter);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return n;
}

/*
 * Namespace exit (no rule can create connections any more) or unload.
 * A walk that removes entries as it goes may skip some (the bucket chain
 * shifts under the iterator, a resize restarts it), so walk until the
 * table is empty; timers that claimed a connection just before us finish
 * unlinking it on their own meanwhile.
 */
void lvs_conn_table_exit(struct lvs_net *ln)
{
	while (atomic_read(&ln->conn_count)) {
		if (!lvs_conn_flush_walk(ln))
			schedule_timeout_uninterruptible(1);
	}
	/* Connections hold services, services hold real servers (in ln). */
	rcu_barrier();
	rhashtable_destroy(&ln->conn_tab);
}

int lvs_conn_kmem_init(void)
{
	/* Not cache-line aligned: 192 bytes would take 256. */
	lvs_conn_cachep = KMEM_CACHE(lvs_conn, 0);
	return lvs_conn_cachep ? 0 : -ENOMEM;
}

void lvs_conn_kmem_exit(void)
{
	kmem_cache_destroy(lvs_conn_cachep);
}
