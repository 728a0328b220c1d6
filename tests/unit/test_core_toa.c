// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/tcpopt.[ch], part two: TOA insertion (IPv4,
 * IPv6, refusals), sequence and SACK translation, the quoted header of an
 * ICMP error, and a random walk over garbage headers in exactly-sized heap
 * buffers (run under ASan/UBSan: one byte read or written out of bounds
 * aborts the program). Part one is test_core_tcpopt.c.
 */
#include <stdio.h>
#include <stdlib.h>

#define CORE_TEST_SEED	0x7f4a7c159e3779b9ull
#include "core_harness.h"
#include "tcpseg.h"

/* What the glue does: move the payload, insert, fix the pseudo length. */
static int glue_toa(struct seg *s, u8 kind, int family, const void *addr,
		    __be16 port, u32 *diff)
{
	unsigned int olen = tcpopt_toa_len(family);
	__be16 old_len = core_cpu_to_be16((u16)(s->hl + s->paylen));
	int r;

	memmove(s->th + s->hl + olen, s->th + s->hl, s->paylen);
	r = tcpopt_toa_insert(s->th, (unsigned int)(s->hl + olen), kind,
			      family, addr, port, diff);
	if (r > 0) {
		s->hl += (size_t)r;
		*diff = core_csum_update_u16(*diff, old_len,
				core_cpu_to_be16((u16)(s->hl + s->paylen)));
	} else {
		memmove(s->th + s->hl, s->th + s->hl + olen, s->paylen);
	}
	return r;
}

static void test_toa_v4(void)
{
	static const u8 ts[12] = { 0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1,
				   0, 0, 0, 2 };
	static const u8 addr[4] = { 192, 168, 1, 100 };
	static const u8 want[40] = {
		0x12, 0x34, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8,
		0x00, 0x00, 0x07, 0xd0, 0xa1, 0x18, 0xff, 0xff,
		0, 0, 0, 0,				/* check: below */
		0xfe, 0x08, 0xa1, 0xb2, 192, 168, 1, 100,
		0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
	};
	struct seg s;
	u32 diff = 0;

	seg_init(&s, 1000, 2000, CORE_TCPF_ACK | CORE_TCPF_PSH, ts,
		 sizeof(ts), "hello");
	s.th[12] |= 0x01;	/* a reserved bit that must survive */
	ref_check(&s, s.th + 16);
	CHECK(glue_toa(&s, TCPOPT_KIND_TOA, CORE_AF_INET, addr,
		       core_cpu_to_be16(0xa1b2), &diff) == 8, "insert v4");
	CHECK(bytes_eq(s.th, want, 16) && bytes_eq(s.th + 20, want + 20, 20),
	      "v4 bytes");
	CHECK(!memcmp(s.th + 40, "hello", 5), "payload intact");
	CHECK(seg_csum_ok(&s, diff), "v4 csum");
}

/* IPv6 client: kind 254 (DPVS, the default) or 253 (Alibaba LVS v2). */
static void test_toa_v6(void)
{
	static const u8 addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				     0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef };
	static const u8 want[20] = { 0x00, 0x14, 0x1f, 0x90, 0x20, 0x01,
				     0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
				     0xde, 0xad, 0xbe, 0xef };
	static const u8 kinds[] = { TCPOPT_KIND_TOA, TCPOPT_KIND_TOA6 };
	unsigned int k;

	for (k = 0; k < sizeof(kinds); k++) {
		struct tcpopt_info info;
		struct seg s;
		u32 diff = 0;

		seg_init(&s, 1, 2, CORE_TCPF_ACK, NULL, 0,
			 "GET / HTTP/1.0\r\n\r\n");
		CHECK(glue_toa(&s, kinds[k], CORE_AF_INET6, addr,
			       core_cpu_to_be16(8080), &diff) == 20,
		      "insert v6 kind %u", kinds[k]);
		CHECK(s.th[12] >> 4 == 10, "v6 doff %u", s.th[12] >> 4);
		CHECK(s.th[20] == kinds[k] && bytes_eq(s.th + 21, want + 1, 19),
		      "v6 bytes kind %u", kinds[k]);
		CHECK(!memcmp(s.th + 40, "GET /", 5), "payload intact");
		CHECK(seg_csum_ok(&s, diff), "v6 csum kind %u", kinds[k]);
		CHECK(tcpopt_parse(s.th, &info) == 0 &&
		      (info.present & TCPOPT_F_TOA) && info.toa_off == 20,
		      "v6 kind %u parsed as TOA", kinds[k]);
	}
}

/* Kind 253 has no IPv4 layout; other kinds are not TOA at all. */
static void test_toa_kinds(void)
{
	u8 *th = calloc(1, 40);
	u32 diff = 0;

	th[12] = 5 << 4;
	CHECK(tcpopt_toa_insert(th, 40, TCPOPT_KIND_TOA6, CORE_AF_INET, "abcd",
				0, &diff) == TCPOPT_E_FAMILY && diff == 0,
	      "253 with an IPv4 client");
	CHECK(tcpopt_toa_insert(th, 40, 252, CORE_AF_INET6, "0123456789abcdef",
				0, &diff) == TCPOPT_E_FAMILY && diff == 0,
	      "kind 252");
	CHECK(th[12] == 5 << 4, "refusals left the header alone");
	free(th);
}

/* Header-full and capacity refusals touch nothing. */
static void test_toa_refused(void)
{
	static const struct {
		int		family;
		unsigned int	doff;
		int		ret;
	} cases[] = {
		{ CORE_AF_INET, 15, TCPOPT_E_HDR_FULL },
		{ CORE_AF_INET, 14, TCPOPT_E_HDR_FULL },
		{ CORE_AF_INET, 13, 8 },
		{ CORE_AF_INET6, 11, TCPOPT_E_HDR_FULL },
		{ CORE_AF_INET6, 10, 20 },
		{ CORE_AF_INET6, 15, TCPOPT_E_HDR_FULL },
		{ 7, 5, TCPOPT_E_FAMILY },
	};
	u8 opts[40], before[60];
	unsigned int i;

	memset(opts, TCPOPT_KIND_NOP, sizeof(opts));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int hl = cases[i].doff * 4;
		unsigned int olen = tcpopt_toa_len(cases[i].family);
		struct seg s;
		u32 diff = 0;
		u8 *th;
		int r;

		seg_init(&s, 1, 2, CORE_TCPF_ACK, opts, hl - 20, NULL);
		/* exactly the capacity it asks for, on the heap */
		th = calloc(1, hl + olen);
		memcpy(th, s.th, hl);
		memcpy(before, th, hl);
		r = tcpopt_toa_insert(th, hl + olen, TCPOPT_KIND_TOA,
				      cases[i].family,
				      "0123456789abcdef", 0x5000, &diff);
		CHECK(r == cases[i].ret, "case %u: %d", i, r);
		if (r < 0)
			CHECK(!memcmp(th, before, hl) && diff == 0,
			      "case %u touched the header", i);
		else
			CHECK(th[12] >> 4 == (hl + olen) / 4, "doff");
		free(th);

		/* one byte short of room */
		if (cases[i].ret > 0) {
			th = exact(s.th, hl + olen - 1);
			diff = 0;
			CHECK(tcpopt_toa_insert(th, hl + olen - 1,
						TCPOPT_KIND_TOA, cases[i].family, "abcdefghijklmnop",
						0, &diff) == TCPOPT_E_NO_ROOM &&
			      !memcmp(th, s.th, hl) && diff == 0,
			      "case %u no room", i);
			free(th);
		}
	}
}

static void test_seq(void)
{
	static const u32 in[2] = { 100, 200 };
	u8 opts[12];
	struct seg s;
	u32 diff;

	CHECK(core_seq_before(1, 2) && !core_seq_before(2, 1), "before");
	CHECK(core_seq_before(0xffffffff, 0) && core_seq_after(0, 0xffffffff),
	      "wrap");
	CHECK(!core_seq_before(7, 7) && !core_seq_after(7, 7), "equal");
	CHECK(core_seq_after(0x7fffffff, 0) && core_seq_before(0x80000001, 0),
	      "half");

	opts[0] = opts[1] = TCPOPT_KIND_NOP;
	put_sack(opts + 2, in, 2);
	seg_init(&s, 0xfffffff0, 5, CORE_TCPF_ACK, opts, 12, "payload!");
	diff = 0;
	CHECK(core_tcp_translate(s.th, 0x20, (u32)-3, &diff) == 0, "xlate");
	CHECK(core_get_be32(s.th + 4) == 0x10 && core_get_be32(s.th + 8) == 2,
	      "seq %#x ack %#x", core_get_be32(s.th + 4),
	      core_get_be32(s.th + 8));
	CHECK(core_get_be32(s.th + 24) == 97 && core_get_be32(s.th + 28) == 197,
	      "sack edges follow the ack");
	CHECK(seg_csum_ok(&s, diff), "xlate csum");

	/* the helpers named after the directions */
	diff = 0;
	core_tcp_seq_add(s.th, 0x10, &diff);
	core_tcp_ack_sub(s.th, 2, &diff);
	CHECK(core_get_be32(s.th + 4) == 0x20 && core_get_be32(s.th + 8) == 0 &&
	      core_get_be32(s.th + 24) == 95, "seq_add / ack_sub");
	CHECK(seg_csum_ok(&s, diff), "helpers csum");

	/* no ACK flag: ack and SACK stay (a SYN's ack field is 0) */
	seg_init(&s, 1, 0, CORE_TCPF_SYN, opts, 12, NULL);
	diff = 0;
	core_tcp_translate(s.th, 1, 5, &diff);
	CHECK(core_get_be32(s.th + 4) == 2 && core_get_be32(s.th + 8) == 0 &&
	      core_get_be32(s.th + 24) == 100, "syn");
	CHECK(seg_csum_ok(&s, diff), "syn csum");
}

/* The 8 header bytes an ICMP error quotes: seq only, nothing more read. */
static void test_icmp_quote(void)
{
	static const u8 quote[8] = { 0x12, 0x34, 0x00, 0x50, 0xff, 0xff,
				     0xff, 0xf0 };
	u8 *q = exact(quote, 8);
	u32 diff = 0;

	CHECK(core_tcp_seq_add(q, 0x20, &diff) == 0 && q[4] == 0 && q[5] == 0 &&
	      q[6] == 0 && q[7] == 0x10 && !memcmp(q, quote, 4), "icmp quote");
	CHECK(core_csum_fold(core_csum_sub(core_csum_partial(q, 8, 0),
					   core_csum_partial(quote, 8, 0))) ==
	      core_csum_fold(diff), "icmp quote diff");
	free(q);
}

/* ---- random garbage: bounds, invariants, checksum honesty ---- */

/*
 * Mostly well-formed option lists, with a wrong length now and then and
 * whatever falls off the end of the header: the walker's edge cases.
 */
static void rnd_opts(u8 *p, size_t len)
{
	static const u8 kinds[] = { 1, 1, 1, 0, 2, 3, 4, 5, 5, 8, 8, 253,
				    254, 19, 34 };
	static const u8 lens[] = { 1, 1, 1, 1, 4, 3, 2, 10, 18, 10, 10, 20,
				   8, 18, 6 };
	size_t i = 0, k;

	for (k = 0; k < len; k++)
		p[k] = (u8)rnd();
	while (i < len) {
		u32 r = rnd(), pick = r % sizeof(kinds);
		u8 olen = lens[pick];

		if (kinds[pick] == 5)
			olen = (u8)(2 + 8 * (1 + (r >> 8) % 4));
		if ((r >> 16) % 16 == 0)
			olen = (u8)((r >> 20) % 46);	/* wrong length */
		p[i] = kinds[pick];
		if (olen > 1 && i + 1 < len)
			p[i + 1] = olen;
		i += olen ? olen : 1;
	}
}

/* How much of the interesting space the random headers reached. */
static unsigned int hit_opts, hit_sack, hit_clamp, hit_ts, hit_insert;

static void fuzz_one(unsigned int round, unsigned int *bad)
{
	unsigned int doff = rnd() % 16, hl = doff < 5 ? 20 : doff * 4;
	struct tcpopt_info info;
	struct seg s;
	u32 diff = 0, d = rnd();
	u8 copy[60];
	int r;
	u8 *th;

	seg_init(&s, rnd(), rnd(), (u8)rnd(), NULL, 0, NULL);
	rnd_opts(s.th + 20, 40);
	s.th[12] = (u8)(doff << 4 | (rnd() & 0xf));
	s.hl = hl;
	ref_check(&s, s.th + 16);
	th = exact(s.th, hl);

	r = tcpopt_parse(th, &info);
	hit_opts += info.present != 0;
	LOOP_CHECK(*bad, r <= 0 && (!(info.present & TCPOPT_F_MSS) ||
				   info.mss_off + 4u <= hl),
		   "round %u parse", round);

	memcpy(copy, th, hl);
	r = tcpopt_sack_adjust(th, d, &diff);
	hit_sack += r > 0;
	tcpopt_sack_adjust(th, -d, &diff);
	LOOP_CHECK(*bad, !memcmp(copy, th, hl), "round %u sack undo %d",
		   round, r);

	r = tcpopt_clamp_mss(th, 536, &diff);
	hit_clamp += r > 0;
	if (r >= 0 && tcpopt_parse(th, &info) == 0 &&
	    (info.present & TCPOPT_F_MSS))
		LOOP_CHECK(*bad, info.mss <= 536, "round %u clamp", round);
	r = tcpopt_strip_timestamps(th, &diff);
	hit_ts += r > 0;
	if (r >= 0 && tcpopt_parse(th, &info) == 0)
		LOOP_CHECK(*bad, !(info.present & TCPOPT_F_TS),
			   "round %u strip", round);
	tcpopt_strip_toa(th, &diff);
	tcpopt_reduce_mss(th, 8, &diff);
	core_tcp_translate(th, rnd(), rnd(), &diff);
	/* in a buffer with no spare byte, an insert can never succeed */
	r = tcpopt_toa_insert(th, hl, TCPOPT_KIND_TOA,
			      rnd() & 1 ? CORE_AF_INET : CORE_AF_INET6,
			      "0123456789abcdef", (u16)rnd(), &diff);
	LOOP_CHECK(*bad, r < 0, "round %u insert %d", round, r);

	memcpy(s.th, th, hl);
	LOOP_CHECK(*bad, seg_csum_ok(&s, diff), "round %u checksum", round);
	free(th);

	/* with room, an insert keeps every option that was walkable */
	if (doff >= 5 && rnd() & 1) {
		unsigned int olen = rnd() & 1 ? 8 : 20;
		struct tcpopt_walk w1, w2;
		int o1, o2;

		th = calloc(1, hl + olen);
		memcpy(th, s.th, hl);
		r = tcpopt_toa_insert(th, hl + olen, olen == 8 ? TCPOPT_KIND_TOA :
				      rnd() & 1 ? TCPOPT_KIND_TOA : TCPOPT_KIND_TOA6,
				      olen == 8 ? CORE_AF_INET :
				      CORE_AF_INET6, "0123456789abcdef", 1,
				      &diff);
		if (r > 0) {
			hit_insert++;
			tcpopt_walk_init(&w1, s.th);
			tcpopt_walk_init(&w2, th);
			o2 = tcpopt_walk_next(&w2);
			LOOP_CHECK(*bad, o2 == 20 && th[21] == olen,
				   "round %u toa first", round);
			do {
				o1 = tcpopt_walk_next(&w1);
				o2 = tcpopt_walk_next(&w2);
			} while (o1 > 0 && o2 == o1 + r);
			LOOP_CHECK(*bad, o1 <= 0 && o1 == o2,
				   "round %u walk after insert %d %d",
				   round, o1, o2);
		}
		free(th);
	}
}

static void test_fuzz(void)
{
	unsigned int bad = 0, round;

	for (round = 0; round < 100000; round++)
		fuzz_one(round, &bad);
	CHECK(bad == 0, "%u random header failures", bad);
	printf("  (random headers: %u with options, %u SACK, %u MSS clamped, "
	       "%u TS stripped, %u TOA inserted)\n", hit_opts, hit_sack,
	       hit_clamp, hit_ts, hit_insert);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_toa_v4();
	test_toa_v6();
	test_toa_kinds();
	test_toa_refused();
	test_seq();
	test_icmp_quote();
	test_fuzz();
	return core_test_report();
}
