// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/tcpopt.[ch], part one: option parsing, malformed
 * options and header lengths, MSS clamping, SACK edges, option stripping.
 * Hand-built headers with expected output bytes; checksum deltas checked
 * against a full recomputation over pseudo-header + segment (tcpseg.h).
 * Part two is test_core_toa.c.
 */
#include <stdio.h>
#include <stdlib.h>

#define CORE_TEST_SEED	0x2545f4914f6cdd1dull
#include "core_harness.h"
#include "tcpseg.h"


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
		CHECK(tcpopt_toa_insert(th, (unsigned int)s.hl, TCPOPT_KIND_TOA,
					CORE_AF_INET,
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
		      tcpopt_toa_insert(th, 20, TCPOPT_KIND_TOA, CORE_AF_INET,
					"abcd", 0,
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

	/* NOP NOP TS: the common case, nothing to do */
	opts[0] = opts[1] = TCPOPT_KIND_NOP;
	opts[2] = TCPOPT_KIND_TS;
	opts[3] = TCPOPT_LEN_TS;
	memset(opts + 4, 0xab, 8);
	seg_init(&s, 5, 6, CORE_TCPF_ACK, opts, 12, "data");
	memcpy(want, s.th, s.hl);
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, 5, &diff) == 0 && diff == 0 &&
	      bytes_eq(s.th, want, s.hl), "timestamps only");
	/* ... and with a SACK after it (two blocks fill 40 bytes) */
	put_sack(opts + 12, in, 4);
	opts[30] = opts[31] = TCPOPT_KIND_NOP;
	seg_init(&s, 5, 6, CORE_TCPF_ACK, opts, 32, NULL);
	diff = 0;
	CHECK(tcpopt_sack_adjust(s.th, 0x20, &diff) == 2 &&
	      core_get_be32(s.th + 34) == 0x10, "timestamps then sack");
	CHECK(seg_csum_ok(&s, diff), "timestamps then sack csum");

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
	u8 want[60], toa2[40];
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

	/* DPVS's IPv6 layout (kind 254, 20 bytes) goes too */
	memset(toa2, 0, sizeof(toa2));
	toa2[0] = TCPOPT_KIND_TOA;
	toa2[1] = TCPOPT_LEN_TOA6;
	toa2[20] = TCPOPT_KIND_TOA6;
	toa2[21] = TCPOPT_LEN_TOA6;
	seg_init(&s, 5, 6, CORE_TCPF_ACK, toa2, sizeof(toa2), "req");
	diff = 0;
	CHECK(tcpopt_strip_toa(s.th, &diff) == 2, "strip 254/20 and 253/20");
	memset(want + 20, TCPOPT_KIND_NOP, 40);
	CHECK(bytes_eq(s.th + 20, want + 20, 40), "strip 254/20 bytes");
	CHECK(seg_csum_ok(&s, diff), "strip 254/20 csum");
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
	return core_test_report();
}
