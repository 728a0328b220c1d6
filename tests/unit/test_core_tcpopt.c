// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/tcpopt.[ch]: hand-built headers with expected
 * output bytes, checksum deltas checked against a full recomputation over
 * pseudo-header + segment, malformed options, and a random walk over
 * garbage headers in exactly-sized heap buffers (run under ASan/UBSan:
 * one byte read or written out of bounds aborts the program).
 */
#include <stdio.h>
#include <stdlib.h>

#define CORE_TEST_SEED	0x2545f4914f6cdd1dull
#include "core_harness.h"
#include "csum.h"
#include "tcpopt.h"

static void hexdump(const char *what, const u8 *p, size_t len)
{
	size_t i;

	printf("  %s:", what);
	for (i = 0; i < len; i++)
		printf(" %02x", p[i]);
	putchar('\n');
}

static bool bytes_eq(const u8 *got, const u8 *want, size_t len)
{
	if (!memcmp(got, want, len))
		return true;
	hexdump("got ", got, len);
	hexdump("want", want, len);
	return false;
}

/*
 * A segment with an IPv4 pseudo-header in front: pkt[0..12) pseudo,
 * th = pkt + 12, then up to 60 header bytes and a payload. The checksum
 * reference is RFC 1071 over big-endian words, independent of csum.c.
 */
struct seg {
	u8	pkt[12 + 60 + 64];
	u8	*th;
	size_t	hl;
	size_t	paylen;
};

static void ref_check(struct seg *s, u8 out[2])
{
	size_t len = s->hl + s->paylen, i;
	u8 *p = s->pkt;
	u32 sum = 0;

	core_put_be16(p + 10, (u16)len);
	for (i = 0; i < 12 + len; i += 2) {
		u32 hi = i == 12 + 16 ? 0 : p[i];
		u32 lo = i + 1 >= 12 + len || i == 12 + 16 ? 0 : p[i + 1];

		sum += hi << 8 | lo;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	out[0] = (u8)(~sum >> 8);
	out[1] = (u8)~sum;
}

static void seg_init(struct seg *s, u32 seq, u32 ack, u8 flags,
		     const u8 *opts, size_t olen, const char *payload)
{
	static const u8 pseudo[10] = { 10, 0, 0, 1, 10, 0, 0, 10, 0, 6 };

	memset(s, 0, sizeof(*s));
	memcpy(s->pkt, pseudo, sizeof(pseudo));
	s->th = s->pkt + 12;
	s->hl = 20 + olen;
	s->paylen = payload ? strlen(payload) : 0;
	core_put_be16(s->th, 0x1234);
	core_put_be16(s->th + 2, 80);
	core_put_be32(s->th + 4, seq);
	core_put_be32(s->th + 8, ack);
	s->th[12] = (u8)((s->hl / 4) << 4);
	s->th[13] = flags;
	core_put_be16(s->th + 14, 0xffff);
	if (olen)
		memcpy(s->th + 20, opts, olen);
	if (payload)
		memcpy(s->th + s->hl, payload, s->paylen);
	ref_check(s, s->th + 16);
}

/* Apply @diff to the stored checksum the way the glue will, compare. */
static bool seg_csum_ok(struct seg *s, u32 diff)
{
	u8 want[2];
	u16 c;

	memcpy(&c, s->th + 16, 2);
	c = core_csum_replace(c, diff);
	memcpy(s->th + 16, &c, 2);
	ref_check(s, want);
	if (!memcmp(s->th + 16, want, 2))
		return true;
	printf("  checksum %02x%02x, full recomputation %02x%02x\n",
	       s->th[16], s->th[17], want[0], want[1]);
	return false;
}

/* A heap copy of exactly @len bytes, so ASan sees any overrun. */
static u8 *exact(const u8 *src, size_t len)
{
	u8 *p = malloc(len);

	if (!p)
		abort();
	memcpy(p, src, len);
	return p;
}

static const u8 syn_opts[20] = {
	0x02, 0x04, 0x05, 0xb4,				/* MSS 1460 */
	0x04, 0x02,					/* SACK_PERM */
	0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,	/* TS */
	0x01,						/* NOP */
	0x03, 0x03, 0x07,				/* WS 7 */
};

static void test_parse(void)
{
	struct tcpopt_info info;
	struct tcpopt_walk w;
	struct seg s;
	int offs[8], n = 0, off;

	seg_init(&s, 1, 0, CORE_TCPF_SYN, syn_opts, sizeof(syn_opts), NULL);
	CHECK(tcpopt_hdrlen(s.th) == 40, "hl %d", tcpopt_hdrlen(s.th));
	CHECK(tcpopt_check(s.th, 40) == 40, "check");
	CHECK(tcpopt_check(s.th, 39) == TCPOPT_E_MALFORMED, "short");
	CHECK(tcpopt_check(s.th, 19) == TCPOPT_E_MALFORMED, "tiny");
	CHECK(tcpopt_parse(s.th, &info) == 0, "parse");
	CHECK(info.present == (TCPOPT_F_MSS | TCPOPT_F_SACK_PERM |
			       TCPOPT_F_TS | TCPOPT_F_WSCALE),
	      "present %#x", info.present);
	CHECK(info.mss == 1460 && info.mss_off == 20, "mss %u at %u",
	      info.mss, info.mss_off);
	CHECK(info.wscale == 7, "ws %u", info.wscale);
	CHECK(info.tsval == 0x11223344 && info.tsecr == 0 && info.ts_off == 26,
	      "ts %#x %#x at %u", info.tsval, info.tsecr, info.ts_off);

	tcpopt_walk_init(&w, s.th);
	while ((off = tcpopt_walk_next(&w)) > 0 && n < 8)
		offs[n++] = off;
	CHECK(off == 0 && n == 4 && offs[0] == 20 && offs[1] == 24 &&
	      offs[2] == 26 && offs[3] == 37, "walk %d: n %d", off, n);
	CHECK(tcpopt_walk_next(&w) == 0, "walk stays at end");
}

/* Options that end a walk, each in a buffer of exactly doff * 4 bytes. */
static void test_malformed(void)
{
	static const struct {
		const char	*name;
		u8		opts[8];
		int		parse_ret;
		u32		present;
	} cases[] = {
		{ "len 0", { 0x02, 0x00, 0x05, 0xb4 }, -1, 0 },
		{ "len 1", { 0x08, 0x01, 0x01, 0x01 }, -1, 0 },
		{ "past end", { 0x01, 0x01, 0x01, 0x08, 0x0a, 0, 0, 0 }, -1, 0 },
		{ "no len byte", { 0x01, 0x01, 0x01, 0x02 }, -1, 0 },
		{ "mss then junk", { 0x02, 0x04, 0x05, 0xb4, 0x05, 0x00 }, -1,
		  TCPOPT_F_MSS },
		{ "eol then junk", { 0x02, 0x04, 0x05, 0xb4, 0x00, 0x02, 0x00 },
		  0, TCPOPT_F_MSS },
		{ "wrong lengths", { 0x02, 0x03, 0xff, 0x03, 0x04, 0x01, 1, 1 },
		  0, 0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t olen = cases[i].opts[4] || cases[i].opts[5] ||
			      cases[i].opts[6] || cases[i].opts[7] ? 8 : 4;
		struct tcpopt_info info;
		struct seg s;
		u32 diff = 0;
		u8 *th;
		int r;

		if (i == 2)
			olen = 8;
		seg_init(&s, 1, 2, CORE_TCPF_ACK, cases[i].opts, olen, NULL);
		th = exact(s.th, s.hl);
		r = tcpopt_parse(th, &info);
		CHECK(r == cases[i].parse_ret && info.present == cases[i].present,
		      "%s: parse %d present %#x", cases[i].name, r,
		      info.present);
		/* mutators survive and keep the checksum honest */
		r = tcpopt_clamp_mss(th, 1000, &diff);
		r = tcpopt_sack_adjust(th, 12345, &diff);
		r = tcpopt_strip_timestamps(th, &diff);
		r = core_tcp_translate(th, 7, 9, &diff);
		memcpy(s.th, th, s.hl);
		CHECK(seg_csum_ok(&s, diff), "%s: checksum", cases[i].name);
		CHECK(tcpopt_toa_insert(th, (unsigned int)s.hl, CORE_AF_INET,
					"\1\2\3\4", 0, &diff) ==
		      TCPOPT_E_NO_ROOM, "%s: toa", cases[i].name);
		free(th);
	}
}

static void test_bad_doff(void)
{
	u8 *th = calloc(1, 20);
	struct tcpopt_info info;
	struct tcpopt_walk w;
	u32 diff = 0;
	unsigned int doff;

	for (doff = 0; doff < 5; doff++) {
		th[12] = (u8)(doff << 4);
		CHECK(tcpopt_hdrlen(th) == TCPOPT_E_MALFORMED, "doff %u", doff);
		CHECK(tcpopt_walk_init(&w, th) < 0 && tcpopt_walk_next(&w) == 0,
		      "walk doff %u", doff);
		CHECK(tcpopt_parse(th, &info) == TCPOPT_E_MALFORMED, "parse");
		CHECK(tcpopt_clamp_mss(th, 100, &diff) == TCPOPT_E_MALFORMED &&
		      tcpopt_sack_adjust(th, 1, &diff) == TCPOPT_E_MALFORMED &&
		      tcpopt_nop_out(th, 8, 0, &diff) == TCPOPT_E_MALFORMED &&
		      tcpopt_toa_insert(th, 20, CORE_AF_INET, "abcd", 0,
					&diff) == TCPOPT_E_MALFORMED,
		      "mutators doff %u", doff);
	}
	CHECK(diff == 0, "nothing changed");
	free(th);
}

static void test_mss(void)
{
	static const u8 opts[12] = { 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03,
				     0x07, 0x01, 0x01, 0x04, 0x02 };
	static const u8 odd[8] = { 0x01, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01,
				   0x00 };
	static const u8 two[8] = { 0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x23,
				   0x28 };
	static const u8 bad[4] = { 0x02, 0x03, 0x05, 0x01 };
	struct seg s;
	u8 want[60];
	u32 diff;

	seg_init(&s, 1, 0, CORE_TCPF_SYN, opts, sizeof(opts), "");
	memcpy(want, s.th, s.hl);
	want[22] = 0x05;
	want[23] = 0x78;
	diff = 0;
	CHECK(tcpopt_clamp_mss(s.th, 1400, &diff) == 1, "clamp");
	CHECK(bytes_eq(s.th + 18, want + 18, s.hl - 18), "clamp bytes");
	CHECK(seg_csum_ok(&s, diff), "clamp csum");
	diff = 0;
	CHECK(tcpopt_clamp_mss(s.th, 1500, &diff) == 0 && diff == 0,
	      "no clamp above");
	CHECK(tcpopt_clamp_mss(s.th, 1400, &diff) == 0 && diff == 0,
	      "no clamp equal");
	CHECK(tcpopt_reduce_mss(s.th, 8, &diff) == 1 &&
	      core_get_be16(s.th + 22) == 1392, "reduce");
	CHECK(seg_csum_ok(&s, diff), "reduce csum");

	/* at an odd offset */
	seg_init(&s, 1, 0, CORE_TCPF_SYN, odd, sizeof(odd), "xyz");
	diff = 0;
	CHECK(tcpopt_clamp_mss(s.th, 1200, &diff) == 1 &&
	      s.th[23] == 0x04 && s.th[24] == 0xb0, "odd clamp");
	CHECK(seg_csum_ok(&s, diff), "odd csum");

	/* every copy is clamped: the receiver takes the last */
	seg_init(&s, 1, 0, CORE_TCPF_SYN, two, sizeof(two), NULL);
	diff = 0;
	CHECK(tcpopt_clamp_mss(s.th, 1000, &diff) == 1 &&
	      core_get_be16(s.th + 22) == 1000 &&
	      core_get_be16(s.th + 26) == 1000, "two clamped");
	CHECK(seg_csum_ok(&s, diff), "two csum");

	/* wrong length: not an MSS option to anyone */
	seg_init(&s, 1, 0, CORE_TCPF_SYN, bad, sizeof(bad), NULL);
	diff = 0;
	CHECK(tcpopt_clamp_mss(s.th, 100, &diff) == 0 && diff == 0 &&
	      s.th[22] == 0x05, "bad len ignored");
}

static void put_sack(u8 *p, const u32 *edges, unsigned int n)
{
	unsigned int i;

	p[0] = TCPOPT_KIND_SACK;
	p[1] = (u8)(2 + 4 * n);
	for (i = 0; i < n; i++)
		core_put_be32(p + 2 + 4 * i, edges[i]);
}

static void test_sack(void)
{
	static const u32 in[4] = { 0xfffffff0, 0xfffffffc, 0x100, 0x200 };
	static const u32 plus[4] = { 0x10, 0x1c, 0x120, 0x220 };
	static const u32 four[8] = { 1, 2, 3, 4, 0x7fffffff, 0x80000000,
				     0xffffffff, 0 };
	u8 opts[40], want[60];
	struct seg s;
	unsigned int i;
	u32 diff;

	/* NOP NOP SACK(2 blocks) */
	opts[0] = opts[1] = TCPOPT_KIND_NOP;
	put_sack(opts + 2, in, 4);
	seg_init(&s, 5, 6, CORE_TCPF_ACK, opts, 20, "data");
	memcpy(want, s.th, s.hl);
	put_sack(want + 22, plus, 4);
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, 0x20, &diff) == 2, "sack 2 blocks");
	CHECK(bytes_eq(s.th + 20, want + 20, 20), "sack wrap bytes");
	CHECK(seg_csum_ok(&s, diff), "sack csum");
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, (u32)-0x20, &diff) == 2, "sack back");
	put_sack(want + 22, in, 4);
	CHECK(bytes_eq(s.th + 20, want + 20, 20), "sack wrap back");
	CHECK(seg_csum_ok(&s, diff), "sack back csum");

	/* odd offset: NOP SACK(1 block) NOP */
	opts[0] = TCPOPT_KIND_NOP;
	put_sack(opts + 1, in, 2);
	opts[11] = TCPOPT_KIND_NOP;
	seg_init(&s, 5, 6, CORE_TCPF_ACK, opts, 12, "abc");
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, 0x20, &diff) == 1 &&
	      core_get_be32(s.th + 23) == 0x10 &&
	      core_get_be32(s.th + 27) == 0x1c, "odd sack");
	CHECK(seg_csum_ok(&s, diff), "odd sack csum");

	/* four blocks, the most that fits with 2 NOPs */
	opts[0] = opts[1] = TCPOPT_KIND_NOP;
	put_sack(opts + 2, four, 8);
	seg_init(&s, 5, 6, CORE_TCPF_ACK, opts, 36, NULL);
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, 0x80000001, &diff) == 4, "4 blocks");
	for (i = 0; i < 8; i++)
		CHECK(core_get_be32(s.th + 24 + 4 * i) == four[i] + 0x80000001,
		      "edge %u", i);
	CHECK(seg_csum_ok(&s, diff), "4 blocks csum");

	/* a SACK whose length is not 2 + 8k is ignored, as Linux does */
	memset(opts, TCPOPT_KIND_NOP, 12);
	opts[0] = TCPOPT_KIND_SACK;
	opts[1] = 12;
	seg_init(&s, 5, 6, CORE_TCPF_ACK, opts, 12, NULL);
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, 5, &diff) == 0 && diff == 0,
	      "bad sack len");

	/* SACK, then a broken option: adjusted, reported, checksum right */
	put_sack(opts, in, 2);
	opts[10] = TCPOPT_KIND_TS;
	opts[11] = 1;
	seg_init(&s, 5, 6, CORE_TCPF_ACK, opts, 12, NULL);
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, 0x20, &diff) == TCPOPT_E_MALFORMED &&
	      core_get_be32(s.th + 22) == 0x10, "sack then junk");
	CHECK(seg_csum_ok(&s, diff), "sack then junk csum");
}

static void test_strip(void)
{
	static const u8 ts[12] = { 0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4,
				   5, 6, 7, 8 };
	static const u8 ts_odd[12] = { 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6,
				       7, 8, 0x00 };
	static const u8 toa[40] = {
		0xfe, 0x08, 0x1f, 0x90, 10, 9, 8, 7,		/* TOA v4 */
		0xfe, 0x06, 0xf9, 0x89, 0xaa, 0xbb,		/* TFO exp */
		0xfd, 0x14, 0x00, 0x50, 0x20, 0x01, 0x0d, 0xb8,	/* TOA v6 */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		1, 1, 1, 1, 1, 1,
	};
	u8 want[60];
	struct seg s;
	u32 diff;

	seg_init(&s, 5, 6, CORE_TCPF_ACK, ts, sizeof(ts), "x");
	memcpy(want, s.th, s.hl);
	memset(want + 22, TCPOPT_KIND_NOP, 10);
	diff = 0;
	CHECK(tcpopt_strip_timestamps(s.th, &diff) == 1, "strip");
	CHECK(bytes_eq(s.th + 18, want + 18, s.hl - 18), "strip bytes");
	CHECK(seg_csum_ok(&s, diff), "strip csum");
	diff = 0;
	CHECK(tcpopt_strip_timestamps(s.th, &diff) == 0 && diff == 0,
	      "strip again");

	seg_init(&s, 5, 6, CORE_TCPF_SYN, ts_odd, sizeof(ts_odd), NULL);
	diff = 0;
	CHECK(tcpopt_strip_timestamps(s.th, &diff) == 1 && s.th[21] == 1 &&
	      s.th[30] == 1 && s.th[31] == 0, "strip odd");
	CHECK(seg_csum_ok(&s, diff), "strip odd csum");

	/* forged TOA (v4 and v6) goes, a TFO experimental option stays */
	seg_init(&s, 5, 6, CORE_TCPF_ACK, toa, sizeof(toa), "req");
	memcpy(want, s.th, s.hl);
	memset(want + 20, TCPOPT_KIND_NOP, 8);
	memset(want + 34, TCPOPT_KIND_NOP, 20);
	diff = 0;
	CHECK(tcpopt_strip_toa(s.th, &diff) == 2, "strip toa");
	CHECK(bytes_eq(s.th + 20, want + 20, 40), "strip toa bytes");
	CHECK(seg_csum_ok(&s, diff), "strip toa csum");
}

/* What the glue does: move the payload, insert, fix the pseudo length. */
static int glue_toa(struct seg *s, int family, const void *addr,
		    __be16 port, u32 *diff)
{
	unsigned int olen = tcpopt_toa_len(family);
	__be16 old_len = core_cpu_to_be16((u16)(s->hl + s->paylen));
	int r;

	memmove(s->th + s->hl + olen, s->th + s->hl, s->paylen);
	r = tcpopt_toa_insert(s->th, (unsigned int)(s->hl + olen), family,
			      addr, port, diff);
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
	CHECK(glue_toa(&s, CORE_AF_INET, addr, core_cpu_to_be16(0xa1b2),
		       &diff) == 8, "insert v4");
	CHECK(bytes_eq(s.th, want, 16) && bytes_eq(s.th + 20, want + 20, 20),
	      "v4 bytes");
	CHECK(!memcmp(s.th + 40, "hello", 5), "payload intact");
	CHECK(seg_csum_ok(&s, diff), "v4 csum");
}

static void test_toa_v6(void)
{
	static const u8 addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				     0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef };
	static const u8 want[20] = { 0xfd, 0x14, 0x1f, 0x90, 0x20, 0x01,
				     0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
				     0xde, 0xad, 0xbe, 0xef };
	struct seg s;
	u32 diff = 0;

	seg_init(&s, 1, 2, CORE_TCPF_ACK, NULL, 0, "GET / HTTP/1.0\r\n\r\n");
	CHECK(glue_toa(&s, CORE_AF_INET6, addr, core_cpu_to_be16(8080),
		       &diff) == 20, "insert v6");
	CHECK(s.th[12] >> 4 == 10, "v6 doff %u", s.th[12] >> 4);
	CHECK(bytes_eq(s.th + 20, want, 20), "v6 bytes");
	CHECK(!memcmp(s.th + 40, "GET /", 5), "payload intact");
	CHECK(seg_csum_ok(&s, diff), "v6 csum");
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
		r = tcpopt_toa_insert(th, hl + olen, cases[i].family,
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
						cases[i].family, "abcdefghijklmnop",
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
	r = tcpopt_toa_insert(th, hl, rnd() & 1 ? CORE_AF_INET : CORE_AF_INET6,
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
		r = tcpopt_toa_insert(th, hl + olen, olen == 8 ? CORE_AF_INET :
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
	test_parse();
	test_malformed();
	test_bad_doff();
	test_mss();
	test_sack();
	test_strip();
	test_toa_v4();
	test_toa_v6();
	test_toa_refused();
	test_seq();
	test_icmp_quote();
	test_fuzz();
	return core_test_report();
}
