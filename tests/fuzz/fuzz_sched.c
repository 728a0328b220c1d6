// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the schedulers (kmod/core/sched.c) over pools, weights,
 * connection counts and clients from the input. Invariants: building
 * either succeeds or reports an error (never more memory than it asked
 * for: the buffer is exactly lb_sched_mem_size() on the heap); a pick is a
 * server of the pool with weight > 0, and there is none only when every
 * weight is 0; sh and mh give a client the same server every time; lc and
 * wlc never pick a server whose load is strictly above another's.
 */
#include "fuzz.h"
#include "sched.h"

#define FUZZ_MAXN	64

/* What lc and wlc weigh: an established connection counts 256 others. */
static u64 load(const struct lb_rs *rs)
{
	return (u64)core_atomic_read(&rs->conns->active) * 256 +
	       (u64)core_atomic_read(&rs->conns->inactive);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u32 primes[] = { 0, 7, 13, 251, 65537 };
	struct fuzz_in in = { data, size };
	struct lb_rs rs[FUZZ_MAXN];
	struct lb_rs_conns conns[FUZZ_MAXN];
	struct lb_sched_params p = {
		.type = fz_u8(&in) % (NFT_LVS_SCHED_MAX + 2),
		.flags = fz_u8(&in) & 1 ? LB_SCHED_F_PORT : 0,
		.seed = fz_u32(&in),
	};
	u32 n = fz_u8(&in) % (FUZZ_MAXN + 1), i, up = 0, picks, alen;
	struct lb_sched s;
	size_t mem_size;
	void *mem;
	int r;

	p.mh_size = primes[fz_u8(&in) % 5];
	for (i = 0; i < n; i++) {
		u8 addr[4] = { 10, 1, 0, (u8)i };

		/* the kernel keeps weights within 0..NFT_LVS_WEIGHT_MAX */
		rs[i].weight = fz_u8(&in) % 4 ? fz_u8(&in) % 8 : fz_u16(&in);
		rs[i].key = lb_rs_key(addr, 4, core_cpu_to_be16(8080));
		rs[i].conns = &conns[i];
		core_atomic_set(&conns[i].active, fz_u8(&in) % 4);
		core_atomic_set(&conns[i].inactive, fz_u8(&in) % 4);
		up += rs[i].weight > 0;
	}
	mem_size = lb_sched_mem_size(&p, n);
	mem = malloc(mem_size ? mem_size : 1);
	if (!mem)
		abort();
	r = lb_sched_init(&s, &p, rs, n, mem, mem_size);
	if (r < 0)
		goto out;

	for (picks = 0; picks < 16 && in.left; picks++) {
		u8 addr[16];
		__be16 port = fz_u16(&in);
		int a, b;

		/* clients of either family in one pool (NAT64) */
		alen = fz_u8(&in) & 1 ? 16 : 4;
		fz_bytes(&in, addr, alen);
		a = lb_sched_pick(&s, rs, n, addr, alen, port);
		if (a < 0) {
			FUZZ_ASSERT(!up, "no pick with %u servers up", up);
			continue;
		}
		FUZZ_ASSERT((u32)a < n && rs[a].weight > 0, "picked %d of %u (weight %u)",
			    a, n, (u32)a < n ? rs[a].weight : 0);
		if (p.type == NFT_LVS_SCHED_SH || p.type == NFT_LVS_SCHED_MH) {
			b = lb_sched_pick(&s, rs, n, addr, alen, port);
			FUZZ_ASSERT(a == b, "client moved from %d to %d", a, b);
		}
		if (p.type == NFT_LVS_SCHED_LC || p.type == NFT_LVS_SCHED_WLC) {
			bool w = p.type == NFT_LVS_SCHED_WLC;

			for (i = 0; i < n; i++) {
				u64 li, la;

				if (!rs[i].weight)
					continue;
				/* wlc: load / weight, cross-multiplied */
				li = load(&rs[i]) * (w ? rs[a].weight : 1);
				la = load(&rs[a]) * (w ? rs[i].weight : 1);
				FUZZ_ASSERT(la <= li, "%s picked %d over lighter %u",
					    w ? "wlc" : "lc", a, i);
			}
			/* the new connection counts as the kernel would count it */
			core_atomic_set(&conns[a].inactive,
					core_atomic_read(&conns[a].inactive) + 1);
		}
	}
out:
	free(mem);
	return 0;
}
