/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs portable core: real server schedulers (enum nft_lvs_sched).
 *
 * A scheduler is built once per service over an array of real servers and
 * then picks an index into that array per new connection. The core never
 * allocates: lb_sched_mem_size() says how much memory the state needs,
 * the caller provides it (8-byte aligned) and frees it after the state.
 *
 *   rr   round robin over servers with weight > 0           O(1), lockless
 *   wrr  smooth weighted round robin (nginx)                O(n), LOCKED
 *   lc   least active * 256 + inactive (IPVS "overhead")    O(n), lockless
 *   wlc  least overhead / weight, by cross-multiplication   O(n), lockless
 *   sh   client hash -> Maglev table, >= 16 slots per server O(1), lockless
 *   mh   Maglev consistent hashing, weighted, prime size    O(1), lockless
 *
 * wrr keeps per-server state that every pick rewrites: the caller must
 * serialise lb_sched_pick() for it (lb_sched_needs_lock()). The others
 * only read the state (rr: one atomic counter), so they run under RCU.
 * lc/wlc read the connection counters with relaxed atomic loads; a stale
 * count only makes a pick slightly less fair. Ties go to the lower index.
 *
 * sh and mh tables depend on the set of (key, weight) pairs only, not on
 * the order of the array, so LBs of a cluster with the same servers and
 * seed map every client to the same server. mh with 65537 slots moves,
 * besides the ~1/N of the keys of a server that leaves or joins, about
 * 0.2% (N = 10) to 0.6% (N = 100..1000) of all keys, as textbook Maglev
 * does; a larger prime lowers that.
 */
#ifndef _NFTLVS_CORE_SCHED_H
#define _NFTLVS_CORE_SCHED_H

#include "core_types.h"
#include <nft_lvs.h>

#define LB_SCHED_MH_SIZE	65537	/* prime; Katran's size */
#define LB_SCHED_MH_SIZE_MAX	(1u << 20)
#define LB_SCHED_SH_SIZE_MIN	LB_SCHED_MH_SIZE	/* prime */
#define LB_SCHED_MAX_SERVERS	65535	/* indices fit in a u16 slot */

/* Maglev permutation of a server: offset and skip from core_hash_u32()
 * of its key with these seeds. Part of the cluster contract: LBs that
 * must agree on mappings must agree on these.
 */
#define LB_SCHED_MH_SEED_OFFSET	0x2545f491
#define LB_SCHED_MH_SEED_SKIP	0x9e3779b9

/* Connection counts of one real server; may outlive a service. */
struct lb_rs_conns {
	core_atomic_t	active;		/* ESTABLISHED */
	core_atomic_t	inactive;	/* every other state */
};

struct lb_rs {
	u32			weight;	/* 0: drained, never picked */
	u32			key;	/* stable identity for mh: lb_rs_key() */
	struct lb_rs_conns	*conns;	/* lc, wlc; unused by the others */
};

#define LB_SCHED_F_PORT		(1 << 0)	/* sh, mh: hash the port too */

struct lb_sched_params {
	u8	type;		/* enum nft_lvs_sched */
	u8	flags;		/* LB_SCHED_F_* */
	u32	mh_size;	/* mh table size, a prime; 0: LB_SCHED_MH_SIZE */
	u32	seed;		/* client hash seed; equal on all LBs of a cluster */
};

struct lb_sched {
	u8		type;
	u8		flags;
	u32		n;		/* servers the state was built for */
	u32		nr_up;		/* of which weight > 0 */
	u32		size;		/* table slots (rr: nr_up) */
	u32		seed;
	core_atomic_t	rr_next;
	u32		total_weight;
	u16		*table;		/* rr, sh, mh: server indices */
	s64		*wrr_cur;	/* wrr: current weights */
};

enum lb_sched_err {
	LB_SCHED_E_INVAL	= -1,	/* bad type, size, weight or count */
	LB_SCHED_E_NOMEM	= -2,	/* @mem_size below lb_sched_mem_size() */
};

size_t lb_sched_mem_size(const struct lb_sched_params *p, u32 n);
int lb_sched_init(struct lb_sched *s, const struct lb_sched_params *p,
		  const struct lb_rs *rs, u32 n, void *mem, size_t mem_size);
int lb_sched_pick(struct lb_sched *s, const struct lb_rs *rs, u32 n,
		  const void *addr, u32 addr_len, __be16 port);

static inline bool lb_sched_needs_lock(u8 type)
{
	return type == NFT_LVS_SCHED_WRR;
}

/*
 * The core's hash: 32-bit, seeded, the same on every architecture (reads
 * bytes little-endian), so LBs of one cluster agree on sh/mh mappings.
 */
u32 core_hash(const void *data, size_t len, u32 seed);
u32 core_hash_u32(u32 v, u32 seed);
u32 lb_rs_key(const void *addr, unsigned int alen, __be16 port);

#endif /* _NFTLVS_CORE_SCHED_H */
