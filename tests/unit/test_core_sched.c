// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/sched.[ch]: each scheduler against its
 * definition (exact rr cycle, nginx's smooth wrr sequence, IPVS's lc/wlc
 * overhead), distribution and stability of sh and mh, and Maglev's
 * disruption when a server joins or leaves. State memory is allocated at
 * exactly lb_sched_mem_size(), so ASan sees any overrun.
 */
#include <stdio.h>
#include <stdlib.h>

#define CORE_TEST_SEED	0x853c49e6748fea9bull
#include "core_harness.h"
#include "sched.h"

#define MAXN	1100

struct pool {
	struct lb_rs		rs[MAXN];
	struct lb_rs_conns	conns[MAXN];
	u32			n;
	struct lb_sched		s;
	void			*mem;
};

/* Server i is 10.1.(i / 256).(i % 256):8080. */
static void pool_set(struct pool *p, const u32 *w, u32 n)
{
	void *mem = p->mem;
	u32 i;

	memset(p, 0, sizeof(*p));
	p->mem = mem;
	p->n = n;
	for (i = 0; i < n; i++) {
		u8 addr[4] = { 10, 1, (u8)(i >> 8), (u8)i };

		p->rs[i].weight = w ? w[i] : 1;
		p->rs[i].key = lb_rs_key(addr, 4, core_cpu_to_be16(8080));
		p->rs[i].conns = &p->conns[i];
	}
}

static int pool_build(struct pool *p, u8 type, u32 mh_size, u8 flags)
{
	struct lb_sched_params prm = {
		.type = type, .flags = flags,
		.mh_size = mh_size, .seed = 12345,
	};
	size_t size = lb_sched_mem_size(&prm, p->n);

	free(p->mem);
	p->mem = malloc(size ? size : 1);
	return lb_sched_init(&p->s, &prm, p->rs, p->n, p->mem, size);
}

static int pick4(struct pool *p, u32 client)
{
	u8 addr[4];

	core_put_be32(addr, client);
	return lb_sched_pick(&p->s, p->rs, p->n, addr, 4, core_cpu_to_be16(4242));
}

static struct pool pa, pb;

/* MurmurHash3 x86_32 reference vectors: ours is the real thing. */
static void test_hash(void)
{
	static const struct {
		const char *in;
		u32 seed, want;
	} v[] = {
		{ "", 0, 0 },
		{ "", 1, 0x514e28b7 },
		{ "", 0xffffffff, 0x81f16f39 },
		{ "\0\0\0\0", 0, 0x2362f9de },
		{ "hello", 0, 0x248bfa47 },
		{ "Hello, world!", 1234, 0xfaf6cdb3 },
		{ "The quick brown fox jumps over the lazy dog", 0x9747b28c,
		  0x2fa826cd },
	};
	unsigned int i, bad = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t len = i == 3 ? 4 : strlen(v[i].in);
		u32 h = core_hash(v[i].in, len, v[i].seed);

		CHECK(h == v[i].want, "\"%s\": %#x, want %#x", v[i].in, h,
		      v[i].want);
	}
	for (i = 0; i < 10000; i++) {
		u32 x = rnd(), seed = rnd();
		u8 le[4] = { (u8)x, (u8)(x >> 8), (u8)(x >> 16), (u8)(x >> 24) };

		bad += core_hash_u32(x, seed) != core_hash(le, 4, seed);
	}
	CHECK(bad == 0, "core_hash_u32 differs from core_hash %u times", bad);
}

static void test_rr(void)
{
	static const u32 w[4] = { 1, 0, 2, 1 };
	static const int want[3] = { 0, 2, 3 };
	static const u32 zero[3] = { 0, 0, 0 };
	int i, bad = 0;

	pool_set(&pa, w, 4);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_RR, 0, 0) == 0, "init");
	for (i = 0; i < 30; i++)
		bad += pick4(&pa, (u32)i) != want[i % 3];
	CHECK(bad == 0, "rr cycle 0,2,3");
	CHECK(lb_sched_pick(&pa.s, pa.rs, 3, "abcd", 4, 0) == -1, "n changed");

	pool_set(&pa, zero, 3);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_RR, 0, 0) == 0, "init zero");
	CHECK(pick4(&pa, 1) == -1, "all drained");
	pool_set(&pa, NULL, 0);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_RR, 0, 0) == 0 &&
	      pick4(&pa, 1) == -1, "empty pool");
}

/* nginx: {5,1,1} gives a a b a c a a. */
static void test_wrr_sequence(void)
{
	static const u32 w[3] = { 5, 1, 1 };
	static const int want[7] = { 0, 0, 1, 0, 2, 0, 0 };
	int i, bad = 0;

	CHECK(lb_sched_needs_lock(NFT_LVS_SCHED_WRR) &&
	      !lb_sched_needs_lock(NFT_LVS_SCHED_MH), "locking");
	pool_set(&pa, w, 3);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_WRR, 0, 0) == 0, "init");
	for (i = 0; i < 21; i++) {
		int got = pick4(&pa, 0);

		if (got != want[i % 7] && bad++ < 3)
			printf("  pick %d: %d, want %d\n", i, got, want[i % 7]);
	}
	CHECK(bad == 0, "swrr {5,1,1} is a,a,b,a,c,a,a");
}

/*
 * Random weights: every period of W picks gives each server exactly its
 * weight, periods repeat, a drained server never comes, and the picks
 * stay smooth: after any k picks, every server is within 2 picks of its
 * ideal share k * w / W (SWRR measures at most ~1.1 here; a bursty wrr
 * such as IPVS's reaches w_max * (1 - w_max / W)). A plain bound on runs
 * of the heaviest server does not hold for SWRR: {5,1,1} runs 4 across a
 * period boundary, {100,1,1,1} runs 50, as nginx does too.
 */
static void test_wrr_random(void)
{
	unsigned int round, bad_count = 0, bad_smooth = 0, bad_period = 0;
	static int seq[2][1000];
	s64 worst = 0;

	for (round = 0; round < 500; round++) {
		u32 n = 1 + rnd() % 16, w[16], total = 0, i, k;
		u32 count[16] = { 0 };

		for (i = 0; i < n; i++) {
			w[i] = rnd() % 4 ? rnd() % (rnd() & 1 ? 6 : 60) : 0;
			total += w[i];
		}
		pool_set(&pa, w, n);
		pool_build(&pa, NFT_LVS_SCHED_WRR, 0, 0);
		if (!total) {
			bad_count += pick4(&pa, 0) != -1;
			continue;
		}
		for (k = 0; k < 2 * total; k++) {
			int got = pick4(&pa, 0);

			seq[k / total][k % total] = got;
			if (got < 0 || !w[got]) {
				bad_count++;
				break;
			}
			if (k >= total)
				continue;
			count[got]++;
			for (i = 0; i < n; i++) {
				s64 dev = (s64)count[i] * total -
					  (s64)(k + 1) * w[i];

				dev = dev < 0 ? -dev : dev;
				if (dev * 100 / total > worst)
					worst = dev * 100 / total;
				bad_smooth += dev >= 2 * (s64)total;
			}
		}
		for (i = 0; i < n; i++)
			bad_count += count[i] != w[i];
		bad_period += memcmp(seq[0], seq[1], total * sizeof(int)) != 0;
	}
	CHECK(bad_count == 0, "%u weight sets with wrong counts", bad_count);
	CHECK(bad_period == 0, "%u weight sets not periodic", bad_period);
	CHECK(bad_smooth == 0, "%u picks off their share by 2 or more",
	      bad_smooth);
	printf("  (wrr: worst deviation from the ideal share %lld.%02lld "
	       "picks)\n", (long long)worst / 100, (long long)worst % 100);
}

static void set_conns(struct pool *p, u32 i, int active, int inactive)
{
	core_atomic_set(&p->conns[i].active, active);
	core_atomic_set(&p->conns[i].inactive, inactive);
}

static void test_lc(void)
{
	static const u32 w[4] = { 1, 1, 0, 1 };
	static const u32 ww[2] = { 1, 2 };

	pool_set(&pa, w, 4);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_LC, 0, 0) == 0, "init");
	CHECK(pick4(&pa, 0) == 0, "all idle: first");
	set_conns(&pa, 0, 3, 0);
	set_conns(&pa, 1, 2, 0);
	set_conns(&pa, 3, 2, 5);
	CHECK(pick4(&pa, 0) == 1, "fewest");
	set_conns(&pa, 1, 1, 0);		/* 256 */
	set_conns(&pa, 3, 0, 255);		/* 255 */
	CHECK(pick4(&pa, 0) == 3, "active counts 256 inactive");
	set_conns(&pa, 3, 0, 257);
	CHECK(pick4(&pa, 0) == 1, "overhead 256 < 257");
	set_conns(&pa, 3, 0, 256);
	CHECK(pick4(&pa, 0) == 1, "tie: lower index");
	CHECK(pick4(&pa, 0) != 2, "drained server is idle but never picked");

	pool_set(&pa, ww, 2);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_WLC, 0, 0) == 0, "wlc init");
	set_conns(&pa, 0, 1, 0);		/* 256 / 1 */
	set_conns(&pa, 1, 1, 255);		/* 511 / 2 */
	CHECK(pick4(&pa, 0) == 1, "wlc 255.5 < 256");
	set_conns(&pa, 1, 2, 1);		/* 513 / 2 */
	CHECK(pick4(&pa, 0) == 0, "wlc 256 < 256.5");
	set_conns(&pa, 1, 2, 0);		/* 512 / 2 */
	CHECK(pick4(&pa, 0) == 0, "wlc tie: lower index");
	/* huge counts do not overflow the cross-multiplication */
	set_conns(&pa, 0, 0x7fffffff, 0x7fffffff);
	set_conns(&pa, 1, 0x7fffffff, 0x7ffffffe);
	CHECK(pick4(&pa, 0) == 1, "wlc big");
	pa.rs[0].weight = pa.rs[1].weight = 0;
	CHECK(pick4(&pa, 0) == -1, "wlc none up");
}

/* Fraction of @picks[] per server vs weight share, worst relative error. */
static double worst_share_error(const u32 *picks, const u32 *w, u32 n,
				u32 total_picks)
{
	double worst = 0, wsum = 0;
	u32 i;

	for (i = 0; i < n; i++)
		wsum += w[i];
	for (i = 0; i < n; i++) {
		double want = w[i] / wsum, got = (double)picks[i] / total_picks;
		double err = want ? (got - want) / want : got;

		if (err < 0)
			err = -err;
		if (err > worst)
			worst = err;
	}
	return worst;
}

static void test_sh(void)
{
	static const u32 w[5] = { 1, 2, 3, 0, 4 };
	static u32 picks[5], slots[5];
	unsigned int i, unstable = 0, ported = 0;
	double err;
	u8 a6[16];

	pool_set(&pa, w, 5);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_SH, 0, 0) == 0, "init");
	for (i = 0; i < pa.s.size; i++)
		slots[pa.s.table[i]]++;
	CHECK(slots[3] == 0 && slots[0] + slots[1] + slots[2] + slots[4] ==
	      pa.s.size, "slots %u %u %u %u %u", slots[0], slots[1], slots[2],
	      slots[3], slots[4]);
	for (i = 0; i < 200000; i++) {
		u32 c = rnd();
		int got = pick4(&pa, c);

		picks[got]++;
		unstable += pick4(&pa, c) != got;
	}
	err = worst_share_error(picks, w, 5, 200000);
	CHECK(picks[3] == 0, "drained server picked %u times", picks[3]);
	CHECK(unstable == 0, "%u clients moved between two picks", unstable);
	CHECK(err < 0.03, "share error %.3f", err);
	printf("  (sh: worst share error %.2f%% over 200000 clients)\n",
	       100 * err);

	/* without F_PORT the port does not matter; with it, it does */
	for (i = 0; i < 1000; i++) {
		u8 addr[4] = { 192, 0, 2, 7 };

		ported += lb_sched_pick(&pa.s, pa.rs, 5, addr, 4,
					(u16)i) != pick4(&pa, 0xc0000207);
	}
	CHECK(ported == 0, "port changed an sh pick %u times", ported);
	pool_build(&pa, NFT_LVS_SCHED_SH, 0, LB_SCHED_F_PORT);
	for (i = 0, ported = 0; i < 1000; i++) {
		u8 addr[4] = { 192, 0, 2, 7 };

		ported += lb_sched_pick(&pa.s, pa.rs, 5, addr, 4,
					(u16)i) != pick4(&pa, 0xc0000207);
	}
	CHECK(ported > 300, "F_PORT spread one address over ports: %u",
	      ported);

	/*
	 * IPv6 clients of the same pool (NAT64 puts them in front of IPv4
	 * servers): all of the address counts, not its first 4 bytes, which
	 * are the same for all of them here.
	 */
	memset(picks, 0, sizeof(picks));
	for (i = 0; i < 50000; i++) {
		core_put_be32(a6, 0x20010db8);
		core_put_be32(a6 + 4, 0);
		core_put_be32(a6 + 8, rnd());
		core_put_be32(a6 + 12, rnd());
		picks[lb_sched_pick(&pa.s, pa.rs, 5, a6, 16, 0)]++;
	}
	CHECK(picks[3] == 0 && worst_share_error(picks, w, 5, 50000) < 0.05,
	      "v6 distribution");
}

/* ---- Maglev ---- */

static void mh_slot_counts(const struct pool *p, u32 *count)
{
	u32 i;

	memset(count, 0, p->n * sizeof(*count));
	for (i = 0; i < p->s.size; i++)
		count[p->s.table[i]]++;
}

static void test_mh_table(void)
{
	static const u32 w[6] = { 1, 2, 3, 0, 4, 10 };
	u32 count[MAXN], i, total = 20, bad = 0;
	static u32 picks[6];
	double err;

	/* small prime: fully populated, quotas exact, drained absent */
	pool_set(&pa, w, 6);
	CHECK(pool_build(&pa, NFT_LVS_SCHED_MH, 251, 0) == 0, "init 251");
	mh_slot_counts(&pa, count);
	CHECK(count[3] == 0, "drained server has %u slots", count[3]);
	for (i = 0; i < 6; i++) {
		/* 1 + floor share of the 246 spare slots, +-1 */
		double ideal = w[i] ? 1 + 246.0 * w[i] / total : 0;

		bad += count[i] < ideal - 1 || count[i] > ideal + 1;
	}
	CHECK(bad == 0, "slots %u %u %u %u %u %u", count[0], count[1],
	      count[2], count[3], count[4], count[5]);

	/* production size: client distribution follows the weights */
	CHECK(pool_build(&pa, NFT_LVS_SCHED_MH, 0, 0) == 0 &&
	      pa.s.size == 65537, "init 65537");
	for (i = 0; i < pa.s.size; i++)
		bad += pa.s.table[i] >= 6 || pa.s.table[i] == 3;
	CHECK(bad == 0, "%u bad slots", bad);
	for (i = 0; i < 400000; i++)
		picks[pick4(&pa, rnd())]++;
	err = worst_share_error(picks, w, 6, 400000);
	CHECK(err < 0.03 && picks[3] == 0, "mh share error %.3f", err);
	printf("  (mh: worst share error %.2f%% over 400000 clients)\n",
	       100 * err);

	/* every LB builds the same table, whatever the listing order */
	pb = pa;
	pb.mem = NULL;
	for (i = 0; i < 6; i++)
		pb.rs[i] = pa.rs[5 - i];
	for (i = 0; i < 6; i++)
		pb.rs[i].conns = &pb.conns[i];
	pool_build(&pb, NFT_LVS_SCHED_MH, 0, 0);
	for (i = 0, bad = 0; i < pa.s.size; i++)
		bad += pb.s.table[i] != 5 - pa.s.table[i];
	CHECK(bad == 0, "reversed pool differs in %u slots", bad);
	free(pb.mem);
	pb.mem = NULL;
}

/* Slots whose server changed, by key: indices shift when one leaves. */
static u32 mh_moved(const struct pool *a, const struct pool *b)
{
	u32 i, moved = 0;

	for (i = 0; i < a->s.size; i++)
		moved += a->rs[a->s.table[i]].key != b->rs[b->s.table[i]].key;
	return moved;
}

static int cmp_key(const void *a, const void *b)
{
	u32 ka = pa.rs[*(const u32 *)a].key, kb = pa.rs[*(const u32 *)b].key;

	return ka < kb ? -1 : ka > kb;
}

/*
 * Textbook Maglev (the paper's pseudo-code): rounds over the servers in
 * key order, each takes its next free preferred slot, until full. With
 * equal weights our table must be exactly this one.
 */
static void test_mh_classic(void)
{
	static u32 order[MAXN], next[MAXN], perm_off[MAXN], perm_skip[MAXN];
	static u16 table[65537];
	u32 n = 300, m = 65537, i, filled = 0, bad = 0;

	pool_set(&pa, NULL, n);
	pool_build(&pa, NFT_LVS_SCHED_MH, m, 0);
	for (i = 0; i < n; i++) {
		order[i] = i;
		perm_off[i] = core_hash_u32(pa.rs[i].key,
					    LB_SCHED_MH_SEED_OFFSET) % m;
		perm_skip[i] = core_hash_u32(pa.rs[i].key,
					     LB_SCHED_MH_SEED_SKIP) % (m - 1) + 1;
		next[i] = 0;
	}
	qsort(order, n, sizeof(order[0]), cmp_key);
	memset(table, 0xff, sizeof(table));
	while (filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			u32 j = order[i], c;

			do {
				c = (u32)((perm_off[j] +
					   (u64)next[j]++ * perm_skip[j]) % m);
			} while (table[c] != 0xffff);
			table[c] = (u16)j;
			filled++;
		}
	}
	for (i = 0; i < m; i++)
		bad += table[i] != pa.s.table[i];
	CHECK(bad == 0, "equal weights differ from textbook Maglev in %u "
	      "slots", bad);
}

static struct pool pc;
/*
 * Weighted Maglev by its definition, one server at a time: the next turn
 * is the server with the least (taken * floor(2^40 / w), key, index).
 * O(size * n); the library's class heap must give the same table.
 */
static void mh_reference(const struct pool *p, u32 m, u16 *table)
{
	static u32 taken[MAXN], pos[MAXN], skip[MAXN];
	u32 i, filled;

	for (i = 0; i < p->n; i++) {
		taken[i] = 0;
		pos[i] = core_hash_u32(p->rs[i].key, LB_SCHED_MH_SEED_OFFSET) % m;
		skip[i] = core_hash_u32(p->rs[i].key, LB_SCHED_MH_SEED_SKIP) %
			  (m - 1) + 1;
	}
	memset(table, 0xff, m * sizeof(*table));
	for (filled = 0; filled < m; filled++) {
		int best = -1;
		u64 bt = 0, t;

		for (i = 0; i < p->n; i++) {
			if (!p->rs[i].weight)
				continue;
			t = taken[i] * ((1ull << 40) / p->rs[i].weight);
			if (best < 0 || t < bt ||
			    (t == bt && (p->rs[i].key < p->rs[best].key ||
					 (p->rs[i].key == p->rs[best].key &&
					  i < (u32)best)))) {
				best = (int)i;
				bt = t;
			}
		}
		while (table[pos[best]] != 0xffff)
			pos[best] = (pos[best] + skip[best]) % m;
		table[pos[best]] = (u16)best;
		taken[best]++;
	}
}

static void test_mh_reference(void)
{
	static const u32 primes[4] = { 251, 1031, 4099, 65537 };
	static u16 table[65537];
	unsigned int round, bad = 0;

	for (round = 0; round < 60; round++) {
		u32 m = primes[round % 4], n = 1 + rnd() % (round % 4 == 3 ?
							  12 : 60);
		u32 w[MAXN], i, diff = 0, up = 0;

		if (n >= m)
			n = m - 1;
		for (i = 0; i < n; i++) {
			/* few distinct weights, or all distinct, or drained */
			w[i] = round & 1 ? 1 + rnd() % 3 : 1 + rnd() % 65535;
			if (rnd() % 8 == 0)
				w[i] = 0;
			up += w[i] != 0;
		}
		pool_set(&pa, w, n);
		if (round % 5 == 0 && n > 1)
			pa.rs[1].key = pa.rs[0].key;	/* a duplicate key */
		pool_build(&pa, NFT_LVS_SCHED_MH, m, 0);
		if (!up)
			continue;
		mh_reference(&pa, m, table);
		for (i = 0; i < m; i++)
			diff += table[i] != pa.s.table[i];
		if (diff && bad++ < 3)
			printf("  round %u: m %u n %u: %u slots differ\n", round,
			       m, n, diff);
	}
	CHECK(bad == 0, "%u weighted tables differ from the definition", bad);
}


/*
 * Remove one of N servers: its ~1/N of the slots must move, plus what
 * Maglev inherently moves besides (it is not a perfect consistent hash:
 * about 0.2% of the table for N = 10, 0.6% for N = 100 or 1000 at 65537
 * slots, the same as the textbook algorithm). Add one: ~1/(N+1) moves.
 */
static void test_mh_disruption(void)
{
	static const u32 ns[3] = { 10, 100, 1000 };
	unsigned int t;

	for (t = 0; t < 3; t++) {
		u32 n = ns[t], victim = n / 3, own = 0, i, moved;
		double frac;

		pool_set(&pa, NULL, n);
		pool_build(&pa, NFT_LVS_SCHED_MH, 0, 0);
		for (i = 0; i < pa.s.size; i++)
			own += pa.s.table[i] == victim;

		/* remove from the array: the indices behind it shift */
		pool_set(&pb, NULL, n);
		for (i = victim; i + 1 < n; i++)
			pb.rs[i] = pb.rs[i + 1];
		pb.n = n - 1;
		pool_build(&pb, NFT_LVS_SCHED_MH, 0, 0);
		moved = mh_moved(&pa, &pb);
		printf("  (mh remove 1 of %4u: %.3f%% of slots moved: its own "
		       "%.3f%%, others %.3f%%)\n", n, 100.0 * moved / pa.s.size,
		       100.0 * own / pa.s.size,
		       100.0 * (moved - own) / pa.s.size);
		CHECK(moved >= own && moved - own < pa.s.size / 100,
		      "remove 1 of %u: %u moved, %u its own", n, moved, own);

		/* draining (weight 0) builds the same table as removal */
		pool_set(&pc, NULL, n);
		pc.rs[victim].weight = 0;
		pool_build(&pc, NFT_LVS_SCHED_MH, 0, 0);
		CHECK(mh_moved(&pb, &pc) == 0, "drain != remove");

		/* add one server: it takes ~1/(N+1), little else moves */
		pool_set(&pb, NULL, n + 1);
		pool_build(&pb, NFT_LVS_SCHED_MH, 0, 0);
		moved = mh_moved(&pa, &pb);
		for (i = 0, own = 0; i < pb.s.size; i++)
			own += pb.s.table[i] == n;
		frac = (double)moved / pa.s.size;
		printf("  (mh add 1 to %4u:     %.3f%% of slots moved: to it "
		       "%.3f%%, ideal %.3f%%)\n", n, 100 * frac,
		       100.0 * own / pb.s.size, 100.0 / (n + 1));
		CHECK(moved >= own && moved - own < pa.s.size / 100 &&
		      own > pb.s.size / (n + 1) * 9 / 10 &&
		      own < pb.s.size / (n + 1) * 11 / 10 + 2,
		      "add 1 to %u: %u moved, %u to it", n, moved, own);
	}
	free(pb.mem);
	free(pc.mem);
	pb.mem = pc.mem = NULL;
}

/* Weighted: halving one server's weight moves about half its slots. */
static void test_mh_weight_change(void)
{
	static u32 w[20];
	u32 i, before = 0, after = 0, moved;

	for (i = 0; i < 20; i++)
		w[i] = 100;
	pool_set(&pa, w, 20);
	pool_build(&pa, NFT_LVS_SCHED_MH, 0, 0);
	w[7] = 50;
	pool_set(&pb, w, 20);
	pool_build(&pb, NFT_LVS_SCHED_MH, 0, 0);
	for (i = 0; i < pa.s.size; i++) {
		before += pa.s.table[i] == 7;
		after += pb.s.table[i] == 7;
	}
	moved = mh_moved(&pa, &pb);
	printf("  (mh weight 100 -> 50 for 1 of 20: slots %u -> %u, %.3f%% "
	       "of the table moved)\n", before, after,
	       100.0 * moved / pa.s.size);
	CHECK(after * 2 > before * 9 / 10 && after * 2 < before * 11 / 10,
	      "slots %u -> %u", before, after);
	CHECK(moved < (before - after) * 2, "moved %u", moved);
	free(pb.mem);
	pb.mem = NULL;
}

static void test_errors(void)
{
	struct lb_sched_params prm = { .type = NFT_LVS_SCHED_MH,
				       .mh_size = 256 };
	static const u32 big[2] = { 1, NFT_LVS_WEIGHT_MAX + 1 };
	static u8 mem[1 << 16];
	struct lb_sched s;

	pool_set(&pa, NULL, 10);
	CHECK(lb_sched_init(&s, &prm, pa.rs, 10, mem, sizeof(mem)) ==
	      LB_SCHED_E_INVAL, "mh size not prime");
	prm.mh_size = 7;
	CHECK(lb_sched_init(&s, &prm, pa.rs, 10, mem, sizeof(mem)) ==
	      LB_SCHED_E_INVAL, "more servers than slots");
	prm.mh_size = 11;
	CHECK(lb_sched_init(&s, &prm, pa.rs, 10, mem, sizeof(mem)) == 0,
	      "10 servers in 11 slots");
	CHECK(lb_sched_init(&s, &prm, pa.rs, 10, mem,
			    lb_sched_mem_size(&prm, 10) - 1) ==
	      LB_SCHED_E_NOMEM, "memory short");
	prm.type = NFT_LVS_SCHED_MAX + 1;
	CHECK(lb_sched_init(&s, &prm, pa.rs, 10, mem, sizeof(mem)) ==
	      LB_SCHED_E_INVAL && lb_sched_mem_size(&prm, 10) == 0, "type");
	prm.type = NFT_LVS_SCHED_WLC;
	pool_set(&pa, big, 2);
	CHECK(lb_sched_init(&s, &prm, pa.rs, 2, mem, sizeof(mem)) ==
	      LB_SCHED_E_INVAL, "weight above the maximum");
	CHECK(lb_sched_mem_size(&prm, 100) == 0, "lc needs no memory");
	pool_set(&pa, NULL, 3);
	pa.rs[1].conns = NULL;
	CHECK(lb_sched_init(&s, &prm, pa.rs, 3, mem, 0) == LB_SCHED_E_INVAL,
	      "wlc without counters");
	prm.type = NFT_LVS_SCHED_MH;
	CHECK(lb_sched_init(&s, &prm, pa.rs, 3, mem, sizeof(mem)) == 0,
	      "mh needs no counters");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_hash();
	test_rr();
	test_wrr_sequence();
	test_wrr_random();
	test_lc();
	test_sh();
	test_mh_table();
	test_mh_classic();
	test_mh_reference();
	test_mh_disruption();
	test_mh_weight_change();
	test_errors();
	free(pa.mem);
	return core_test_report();
}
