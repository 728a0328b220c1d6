// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmark of the portable core: the per-packet operations and the
 * per-connection scheduler picks (1000 real servers), plus the Maglev
 * build, and the portable half of a cookie SYN-ACK. Prints ns/op;
 * asserts nothing about time.
 *
 *   bench_core [ITERS] [OP...]
 *
 * Each operation runs in its own bench_<op>() function, so that
 *   valgrind --tool=callgrind --toggle-collect='bench_*' bench_core 2000
 * attributes instructions per operation (callgrind_annotate --inclusive=yes;
 * divide by the iterations printed). Keep ITERS modest under valgrind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "csum.h"
#include "sched.h"
#include "synproxy.h"
#include "tcpopt.h"

#define NOINLINE	__attribute__((noinline))
#define NSERVERS	1000
#define NCLIENTS	4096		/* power of 2 */

static u8 clients[NCLIENTS][4];
static struct lb_rs servers[NSERVERS];
static struct lb_rs_conns conns[NSERVERS];

/* An ACK with NOP NOP TS and NOP NOP SACK(3 blocks): 20 + 12 + 28. */
static const u8 ack_hdr[60] = {
	0x12, 0x34, 0x00, 0x50, 0x10, 0x20, 0x30, 0x40,
	0x50, 0x60, 0x70, 0x80, 0xf0, 0x10, 0xff, 0xff,
	0x12, 0x34, 0x00, 0x00,
	0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8,
	0x01, 0x01, 0x05, 0x1a, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
	0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6,
};

/* A SYN: MSS, SACK_PERM, TS, NOP, WS. */
static const u8 syn_hdr[40] = {
	0x12, 0x34, 0x00, 0x50, 0x10, 0x20, 0x30, 0x40,
	0, 0, 0, 0, 0xa0, 0x02, 0xff, 0xff, 0x12, 0x34, 0, 0,
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 1, 2, 3, 4,
	0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07,
};

/* A handshake ACK with NOP NOP TS, room behind it for TOA. */
static const u8 toa_hdr[32] = {
	0x12, 0x34, 0x00, 0x50, 0x10, 0x20, 0x30, 0x40,
	0x50, 0x60, 0x70, 0x80, 0x80, 0x10, 0xff, 0xff, 0x12, 0x34, 0, 0,
	0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8,
};

static NOINLINE u64 bench_csum_range(u32 iters)
{
	u8 a[12] = "abcdefghijk", b[12] = "ABCDEFGHIJK";
	u32 diff = 0, i;

	for (i = 0; i < iters; i++) {
		a[0] = (u8)i;
		diff = core_csum_range_diff(diff, a, b, 10, i & 1);
	}
	return diff;
}

static NOINLINE u64 bench_csum_addr6(u32 iters)
{
	u8 a[16] = { 0x20, 0x01, 0x0d, 0xb8 }, b[16] = { 0xfe, 0x80 };
	u32 diff = 0, i;

	for (i = 0; i < iters; i++) {
		a[15] = (u8)i;
		diff = core_csum_addr_diff(diff, a, b, 16);
	}
	return diff;
}

static NOINLINE u64 bench_parse(u32 iters)
{
	struct tcpopt_info info;
	u64 sum = 0;
	u32 i;

	for (i = 0; i < iters; i++) {
		tcpopt_parse(syn_hdr, &info);
		sum += info.mss + info.tsval;
	}
	return sum;
}

static NOINLINE u64 bench_mss_clamp(u32 iters)
{
	u8 th[40];
	u32 diff = 0, i;

	memcpy(th, syn_hdr, sizeof(th));
	for (i = 0; i < iters; i++) {
		th[22] = 0x05;		/* back to 1460: every call clamps */
		th[23] = 0xb4;
		tcpopt_clamp_mss(th, 1400, &diff);
	}
	return diff;
}

static NOINLINE u64 bench_sack_adjust(u32 iters)
{
	u8 th[60];
	u32 diff = 0, i;

	memcpy(th, ack_hdr, sizeof(th));
	for (i = 0; i < iters; i++)
		tcpopt_sack_adjust(th, i & 1 ? 0x1000 : -0x1000, &diff);
	return diff;
}

static NOINLINE u64 bench_translate(u32 iters)
{
	u8 th[60];
	u32 diff = 0, i;

	memcpy(th, ack_hdr, sizeof(th));
	for (i = 0; i < iters; i++)
		core_tcp_translate(th, 0x1234, -0x5678, &diff);
	return diff;
}

static NOINLINE u64 bench_toa_insert(u32 iters)
{
	static const u8 addr[4] = { 192, 0, 2, 1 };
	u8 th[60];
	u32 diff = 0, i;

	for (i = 0; i < iters; i++) {
		memcpy(th, toa_hdr, sizeof(toa_hdr));	/* included */
		diff += (u32)tcpopt_toa_insert(th, sizeof(th), TCPOPT_KIND_TOA,
					       CORE_AF_INET,
					       addr, 0x5000, &diff);
	}
	return diff + th[21];
}

static NOINLINE u64 bench_strip_ts(u32 iters)
{
	u8 th[40];
	u32 diff = 0, i;

	for (i = 0; i < iters; i++) {
		memcpy(th, syn_hdr, sizeof(th));	/* included */
		tcpopt_strip_timestamps(th, &diff);
	}
	return diff;
}

/*
 * What synproxy-lb does for each SYN apart from the MAC and the skb: read
 * the client's options, pack them into the cookie's low byte and write
 * the SYN-ACK's options. The SYN-flood rate depends on it.
 */
static NOINLINE u64 bench_synack_opts(u32 iters)
{
	struct tcpopt_info o;
	struct syn_opts c;
	u8 opts[SYNPROXY_OPTS_MAX];
	u64 sum = 0;
	u32 i;

	for (i = 0; i < iters; i++) {
		tcpopt_parse(syn_hdr, &o);
		c.mss = o.present & TCPOPT_F_MSS ? o.mss : 536;
		c.wscale = o.present & TCPOPT_F_WSCALE ? o.wscale :
			   SYNCOOKIE_WSCALE_NONE;
		c.sack_perm = o.present & TCPOPT_F_SACK_PERM;
		c.ts = o.present & TCPOPT_F_TS;
		sum += syncookie_data(&c);
		sum += synproxy_build_options(opts, 1460, 7, c.sack_perm, c.ts,
					      i, o.tsval);
	}
	return sum + opts[0];
}

static struct lb_sched sched[__NFT_LVS_SCHED_MAX];
static void *sched_mem[__NFT_LVS_SCHED_MAX];

static void build(u8 type)
{
	struct lb_sched_params p = { .type = type };
	size_t size = lb_sched_mem_size(&p, NSERVERS);

	free(sched_mem[type]);
	sched_mem[type] = malloc(size ? size : 1);
	if (lb_sched_init(&sched[type], &p, servers, NSERVERS,
			  sched_mem[type], size)) {
		fprintf(stderr, "lb_sched_init(%u) failed\n", type);
		exit(2);
	}
}

static u64 pick_loop(u8 type, u32 iters)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < iters; i++) {
		int r = lb_sched_pick(&sched[type], servers, NSERVERS,
				      clients[i & (NCLIENTS - 1)], 4, 0);

		sum += (u32)r;
	}
	return sum;
}

static NOINLINE u64 bench_pick_rr(u32 iters)
{
	return pick_loop(NFT_LVS_SCHED_RR, iters);
}

static NOINLINE u64 bench_pick_wrr(u32 iters)
{
	return pick_loop(NFT_LVS_SCHED_WRR, iters);
}

static NOINLINE u64 bench_pick_lc(u32 iters)
{
	return pick_loop(NFT_LVS_SCHED_LC, iters);
}

static NOINLINE u64 bench_pick_wlc(u32 iters)
{
	return pick_loop(NFT_LVS_SCHED_WLC, iters);
}

static NOINLINE u64 bench_pick_sh(u32 iters)
{
	return pick_loop(NFT_LVS_SCHED_SH, iters);
}

static NOINLINE u64 bench_pick_mh(u32 iters)
{
	return pick_loop(NFT_LVS_SCHED_MH, iters);
}

static NOINLINE u64 bench_build_mh(u32 iters)
{
	u32 i;

	for (i = 0; i < iters; i++)
		build(NFT_LVS_SCHED_MH);
	return sched[NFT_LVS_SCHED_MH].table[0];
}

static NOINLINE u64 bench_build_sh(u32 iters)
{
	u32 i;

	for (i = 0; i < iters; i++)
		build(NFT_LVS_SCHED_SH);
	return sched[NFT_LVS_SCHED_SH].table[0];
}

static const struct {
	const char	*name;
	u64		(*fn)(u32 iters);
	u32		divisor;	/* fewer rounds for the slow ones */
} ops[] = {
	{ "csum_range",	 bench_csum_range,	1 },
	{ "csum_addr6",	 bench_csum_addr6,	1 },
	{ "parse",	 bench_parse,		1 },
	{ "mss_clamp",	 bench_mss_clamp,	1 },
	{ "sack_adjust", bench_sack_adjust,	1 },
	{ "translate",	 bench_translate,	1 },
	{ "toa_insert",	 bench_toa_insert,	1 },
	{ "strip_ts",	 bench_strip_ts,	1 },
	{ "synack_opts", bench_synack_opts,	1 },
	{ "pick_rr",	 bench_pick_rr,		1 },
	{ "pick_wrr",	 bench_pick_wrr,	100 },
	{ "pick_lc",	 bench_pick_lc,		100 },
	{ "pick_wlc",	 bench_pick_wlc,	100 },
	{ "pick_sh",	 bench_pick_sh,		1 },
	{ "pick_mh",	 bench_pick_mh,		1 },
	{ "build_sh",	 bench_build_sh,	2000 },
	{ "build_mh",	 bench_build_mh,	20000 },
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static bool wanted(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 3)
		return true;
	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

static void setup(void)
{
	u32 i, x = 0x12345678;

	for (i = 0; i < NSERVERS; i++) {
		u8 addr[4] = { 10, 1, (u8)(i >> 8), (u8)i };

		servers[i].weight = 1 + i % 7;
		servers[i].key = lb_rs_key(addr, 4, 0x901f);
		servers[i].conns = &conns[i];
		core_atomic_set(&conns[i].active, (int)(i * 7919 % 1000));
		core_atomic_set(&conns[i].inactive, (int)(i % 13));
	}
	for (i = 0; i < NCLIENTS; i++) {
		x = x * 1103515245 + 12345;
		core_put_be32(clients[i], x);
	}
	for (i = 0; i <= NFT_LVS_SCHED_MAX; i++)
		build((u8)i);
}

int main(int argc, char **argv)
{
	u32 iters = argc > 1 ? (u32)strtoul(argv[1], NULL, 0) : 1000000;
	volatile u64 sink = 0;
	unsigned int i;

	setup();
	printf("%-12s %10s %12s\n", "op", "iters", "ns/op");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		u32 n = iters / ops[i].divisor ? iters / ops[i].divisor : 1;
		double t;

		if (!wanted(ops[i].name, argc, argv))
			continue;
		t = now_ns();
		sink += ops[i].fn(n);
		t = now_ns() - t;
		printf("%-12s %10u %12.1f\n", ops[i].name, n, t / n);
	}
	for (i = 0; i <= NFT_LVS_SCHED_MAX; i++)
		free(sched_mem[i]);
	return sink == 42;	/* never; keeps the results alive */
}
