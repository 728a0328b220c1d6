// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs portable core: real server schedulers. See sched.h for the
 * memory and locking contract; the algorithms are described where they
 * are built.
 */
#include "sched.h"

/* ---- hashing (MurmurHash3 x86_32 structure, public domain) ---- */

static inline u32 hash_scramble(u32 k)
{
	k *= 0xcc9e2d51;
	k = core_rol32(k, 15);
	return k * 0x1b873593;
}

static inline u32 hash_round(u32 h, u32 k)
{
	h ^= hash_scramble(k);
	return core_rol32(h, 13) * 5 + 0xe6546b64;
}

static inline u32 hash_final(u32 h, u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	return h ^ (h >> 16);
}

u32 core_hash(const void *data, size_t len, u32 seed)
{
	const u8 *p = data;
	size_t left = len;
	u32 h = seed, k = 0;

	for (; left >= 4; p += 4, left -= 4)
		h = hash_round(h, core_get_le32(p));
	while (left--)
		k = k << 8 | p[left];
	if (len & 3)
		h ^= hash_scramble(k);
	return hash_final(h, (u32)len);
}

u32 core_hash_u32(u32 v, u32 seed)
{
	return hash_final(hash_round(seed, v), 4);
}

/* A server's identity for mh: the same server gets the same slots. */
u32 lb_rs_key(const void *addr, unsigned int alen, __be16 port)
{
	u8 buf[18];

	if (alen > 16)
		alen = 16;
	memcpy(buf, addr, alen);
	memcpy(buf + alen, &port, 2);
	return core_hash(buf, alen + 2, 0x4c56534b);
}

/* Client hash for sh and mh. */
static u32 client_hash(const struct lb_sched *s, const void *addr,
		       u32 addr_len, __be16 port)
{
	u32 seed = s->seed;

	if (s->flags & LB_SCHED_F_PORT)
		seed ^= hash_scramble((u16)port);
	return core_hash(addr, addr_len, seed);
}

/* ---- memory layout ---- */

/* Per-server scratch of the Maglev build, kept behind the table. */
struct mh_setup {
	u32	idx;		/* index into the server array */
	u32	key;
	u32	pos;		/* next preferred slot */
	u32	skip;
};

/* The servers of one weight, and their next turn: a heap entry. */
struct mh_class {
	u64	time;		/* of the next turn */
	u64	step;		/* virtual time between rounds */
	u32	first;		/* its servers: setup[first..end) */
	u32	end;
	u32	cur;		/* whose turn is next */
};

#define SLOT_EMPTY	0xffff

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

static bool is_prime(u32 v)
{
	u32 d;

	if (v < 2)
		return false;
	for (d = 2; d <= v / d; d++)
		if (v % d == 0)
			return false;
	return true;
}

/*
 * sh fills its table as mh does (below), so that a server that leaves or
 * joins moves its own clients and almost nobody else's: the fewer slots
 * per server, the more of the others move as well (measured: 3% of them
 * with 100 slots per server, 0.3% with 6500), hence mh's size at least.
 * Beyond 4096 servers, 16 slots each keep every share within a few
 * percent of its weight where mh's fixed size would not; a prime size, as
 * the Maglev permutations need. 16 * 65535 stays below
 * LB_SCHED_MH_SIZE_MAX, and so does the next prime.
 */
static u32 sh_size(u32 n)
{
	u32 size = n * 16 > LB_SCHED_SH_SIZE_MIN ? n * 16 : LB_SCHED_SH_SIZE_MIN;

	while (!is_prime(size))
		size++;
	return size;
}

/* Table entries for @p, or 0 when the parameters are unusable. */
static u32 table_size(const struct lb_sched_params *p, u32 n)
{
	u32 m;

	switch (p->type) {
	case NFT_LVS_SCHED_RR:
		return n;
	case NFT_LVS_SCHED_SH:
		return sh_size(n);
	case NFT_LVS_SCHED_MH:
		m = p->mh_size ? p->mh_size : LB_SCHED_MH_SIZE;
		return m <= LB_SCHED_MH_SIZE_MAX && is_prime(m) ? m : 0;
	}
	return 0;
}

size_t lb_sched_mem_size(const struct lb_sched_params *p, u32 n)
{
	size_t slots = align8(table_size(p, n) * sizeof(u16));

	switch (p->type) {
	case NFT_LVS_SCHED_RR:
		return slots;
	case NFT_LVS_SCHED_WRR:
		return n * sizeof(s64);
	case NFT_LVS_SCHED_SH:
	case NFT_LVS_SCHED_MH:
		return slots + n * (sizeof(struct mh_setup) +
				    sizeof(struct mh_class));
	}
	return 0;
}

/* ---- builders ---- */

static bool key_before(const struct lb_rs *rs, u32 a, u32 b)
{
	if (rs[a].weight != rs[b].weight)
		return rs[a].weight < rs[b].weight;
	if (rs[a].key != rs[b].key)
		return rs[a].key < rs[b].key;
	return a < b;
}

static void order_sift(const struct lb_rs *rs, u32 *order, u32 nr, u32 i)
{
	for (;;) {
		u32 c = 2 * i + 1, tmp;

		if (c >= nr)
			return;
		if (c + 1 < nr && key_before(rs, order[c], order[c + 1]))
			c++;
		if (!key_before(rs, order[i], order[c]))
			return;
		tmp = order[i];
		order[i] = order[c];
		order[c] = tmp;
		i = c;
	}
}

/*
 * The servers that are up, sorted by weight, key, index (heapsort: no
 * allocation, no recursion). Building from this order makes sh and mh
 * tables depend on the set of servers, not on how a ruleset or an nft set
 * lists them, so every LB of a cluster maps a client to the same server.
 */
static u32 order_up(const struct lb_rs *rs, u32 n, u32 *order)
{
	u32 i, nr = 0, tmp;

	for (i = 0; i < n; i++)
		if (rs[i].weight)
			order[nr++] = i;
	for (i = nr / 2; i-- > 0;)
		order_sift(rs, order, nr, i);
	for (i = nr; i-- > 1;) {
		tmp = order[0];
		order[0] = order[i];
		order[i] = tmp;
		order_sift(rs, order, i, 0);
	}
	return nr;
}

static void rr_build(struct lb_sched *s, const struct lb_rs *rs, u32 n)
{
	u32 i, j = 0;

	for (i = 0; i < n; i++)
		if (rs[i].weight)
			s->table[j++] = (u16)i;
	s->size = j;
}

/*
 * mh: Maglev (Eisenbud et al., NSDI 2016, section 3.4). Each server walks
 * its own permutation of the slots (offset + j * skip mod a prime size,
 * both from its key, so independent of the other servers) and takes the
 * next free slot on its turn, until the table is full.
 *
 * Weighted variant: server i has its t-th turn at virtual time t / w_i,
 * ties going to the lower key, so it takes turns at a rate proportional
 * to its weight, spread over the whole build (not in bursts at the end,
 * when only leftovers remain), and every server takes a first turn at
 * time 0. A turn's time depends on the server's own weight only: a server
 * that joins or leaves adds or removes its own turns and leaves the order
 * of everybody else's alone, which keeps the disruption minimal. With
 * equal weights this is exactly textbook Maglev, round by round in key
 * order.
 *
 * Servers of equal weight share their turn times, so they form one class
 * that takes its rounds in key order, and a min-heap over the classes
 * (usually one or a few) hands out the turns: O(size * log classes) plus
 * the probing.
 *
 * Times are fixed point, t * floor(2^40 / w): at most 2^20 * 2^40. Equal
 * weights give equal times, so ties are exact where they matter; unequal
 * weights only lose order between turns less than 2^-20 of a turn apart.
 * Integer math: every LB computes the same table.
 */
#define MH_TIME_ONE	(1ull << 40)

static bool mh_before(const struct mh_setup *setup, const struct mh_class *a,
		      const struct mh_class *b)
{
	const struct mh_setup *x = &setup[a->cur], *y = &setup[b->cur];

	if (a->time != b->time)
		return a->time < b->time;
	if (x->key != y->key)
		return x->key < y->key;
	return x->idx < y->idx;
}

/* Move heap[i] down to its place; the hole moves, not the entry. */
static void mh_sift_down(const struct mh_setup *setup, struct mh_class *heap,
			 u32 nr, u32 i)
{
	struct mh_class top = heap[i];
	u32 c;

	while ((c = 2 * i + 1) < nr) {
		if (c + 1 < nr && mh_before(setup, &heap[c + 1], &heap[c]))
			c++;
		if (!mh_before(setup, &heap[c], &top))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = top;
}

/* One class per run of equal weight in @order; returns the count. */
static u32 mh_setup_all(const struct lb_rs *rs, const u32 *order, u32 nr,
			u32 size, struct mh_setup *setup,
			struct mh_class *classes)
{
	u32 j, nc = 0;

	for (j = 0; j < nr; j++) {
		struct mh_setup *d = &setup[j];

		d->idx = order[j];
		d->key = rs[d->idx].key;
		d->pos = core_hash_u32(d->key, LB_SCHED_MH_SEED_OFFSET) % size;
		d->skip = core_hash_u32(d->key, LB_SCHED_MH_SEED_SKIP) %
			  (size - 1) + 1;
	}
	/* @order aliases @classes: read it all before writing a class */
	for (j = 0; j < nr; j++) {
		u32 w = rs[setup[j].idx].weight;

		if (j && w == rs[setup[j - 1].idx].weight) {
			classes[nc - 1].end = j + 1;
			continue;
		}
		classes[nc].time = 0;
		classes[nc].step = core_div_u64(MH_TIME_ONE, w);
		classes[nc].first = classes[nc].cur = j;
		classes[nc].end = j + 1;
		nc++;
	}
	return nc;
}

static void mh_build(struct lb_sched *s, const struct lb_rs *rs, u32 n,
		     void *scratch)
{
	struct mh_setup *setup = scratch;
	struct mh_class *heap = (struct mh_class *)(setup + n);
	u32 i, nr, nc, filled;

	nr = order_up(rs, n, (u32 *)heap);
	nc = mh_setup_all(rs, (u32 *)heap, nr, s->size, setup, heap);
	for (i = nc / 2; i-- > 0;)
		mh_sift_down(setup, heap, nc, i);
	for (i = 0; i < s->size; i++)
		s->table[i] = SLOT_EMPTY;

	for (filled = 0; filled < s->size; filled++) {
		struct mh_class *c = &heap[0];
		struct mh_setup *d = &setup[c->cur];

		while (s->table[d->pos] != SLOT_EMPTY) {
			d->pos += d->skip;
			if (d->pos >= s->size)
				d->pos -= s->size;
		}
		s->table[d->pos] = (u16)d->idx;
		if (++c->cur == c->end) {
			c->cur = c->first;
			c->time += c->step;
		}
		mh_sift_down(setup, heap, nc, 0);
	}
}

static int init_common(struct lb_sched *s, const struct lb_sched_params *p,
		       const struct lb_rs *rs, u32 n)
{
	u64 total = 0;
	u32 i;

	if (p->type > NFT_LVS_SCHED_MAX || n > LB_SCHED_MAX_SERVERS)
		return LB_SCHED_E_INVAL;
	memset(s, 0, sizeof(*s));
	s->type = p->type;
	s->flags = p->flags;
	s->seed = p->seed;
	s->n = n;
	for (i = 0; i < n; i++) {
		if (rs[i].weight > NFT_LVS_WEIGHT_MAX)
			return LB_SCHED_E_INVAL;
		if (!rs[i].conns && (p->type == NFT_LVS_SCHED_LC ||
				     p->type == NFT_LVS_SCHED_WLC))
			return LB_SCHED_E_INVAL;
		if (rs[i].weight)
			s->nr_up++;
		total += rs[i].weight;
	}
	/* n * NFT_LVS_WEIGHT_MAX < 2^32 */
	s->total_weight = (u32)total;
	return 0;
}

/*
 * Build the state for @rs[0..n) in @mem. The state belongs to that array
 * as it is now: weights and keys must not change while it is in use (a
 * new weight means a new state; lc/wlc only read the counters live).
 */
int lb_sched_init(struct lb_sched *s, const struct lb_sched_params *p,
		  const struct lb_rs *rs, u32 n, void *mem, size_t mem_size)
{
	int ret = init_common(s, p, rs, n);

	if (ret)
		return ret;
	s->size = table_size(p, n);
	if (p->type == NFT_LVS_SCHED_MH && (!s->size || s->nr_up > s->size))
		return LB_SCHED_E_INVAL;
	if (mem_size < lb_sched_mem_size(p, n))
		return LB_SCHED_E_NOMEM;

	switch (p->type) {
	case NFT_LVS_SCHED_RR:
		s->table = mem;
		rr_build(s, rs, n);
		break;
	case NFT_LVS_SCHED_WRR:
		s->wrr_cur = mem;
		memset(s->wrr_cur, 0, n * sizeof(s64));
		break;
	case NFT_LVS_SCHED_SH:
	case NFT_LVS_SCHED_MH:
		s->table = mem;
		if (s->nr_up)
			mh_build(s, rs, n, (u8 *)mem +
				 align8(s->size * sizeof(u16)));
		break;
	}
	return 0;
}

/* ---- pickers ---- */

/* nginx's smooth weighted round robin: no bursts to the heaviest. */
static int wrr_pick(struct lb_sched *s, const struct lb_rs *rs, u32 n)
{
	int best = -1;
	u32 i;

	for (i = 0; i < n; i++) {
		if (!rs[i].weight)
			continue;
		s->wrr_cur[i] += rs[i].weight;
		if (best < 0 || s->wrr_cur[i] > s->wrr_cur[best])
			best = i;
	}
	if (best >= 0)
		s->wrr_cur[best] -= s->total_weight;
	return best;
}

static u64 conn_overhead(const struct lb_rs *rs)
{
	return ((u64)(u32)core_atomic_read(&rs->conns->active) << 8) +
	       (u32)core_atomic_read(&rs->conns->inactive);
}

/*
 * lc: least overhead. wlc: least overhead / weight, compared as
 * oh_i * w_best < oh_best * w_i so that no division is needed (IPVS).
 * Ties go to the lower index.
 */
static int lc_pick(const struct lb_rs *rs, u32 n, bool weighted)
{
	u64 best_oh = 0, oh;
	int best = -1;
	u32 i;

	for (i = 0; i < n; i++) {
		if (!rs[i].weight)
			continue;
		oh = conn_overhead(&rs[i]);
		if (best < 0 ||
		    (weighted ? oh * rs[best].weight < best_oh * rs[i].weight
			      : oh < best_oh)) {
			best = i;
			best_oh = oh;
		}
	}
	return best;
}

/*
 * Pick a server for a new connection from @addr (@addr_len bytes, network
 * order: the client's family, which is not the servers' behind NAT64) and
 * @port. @rs and @n must be what the state was built from. Returns an index
 * into @rs, or -1 when no server takes new connections.
 */
int lb_sched_pick(struct lb_sched *s, const struct lb_rs *rs, u32 n,
		  const void *addr, u32 addr_len, __be16 port)
{
	u32 v;

	if (unlikely(!s->nr_up || n != s->n))
		return -1;

	switch (s->type) {
	case NFT_LVS_SCHED_RR:
		v = (u32)core_atomic_fetch_inc(&s->rr_next);
		return s->table[v % s->size];
	case NFT_LVS_SCHED_WRR:
		return wrr_pick(s, rs, n);
	case NFT_LVS_SCHED_LC:
		return lc_pick(rs, n, false);
	case NFT_LVS_SCHED_WLC:
		return lc_pick(rs, n, true);
	case NFT_LVS_SCHED_SH:
	case NFT_LVS_SCHED_MH:
		/* multiply-shift maps the hash onto [0, size) without a div */
		v = client_hash(s, addr, addr_len, port);
		return s->table[((u64)v * s->size) >> 32];
	}
	return -1;
}
