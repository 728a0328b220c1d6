// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/csum.[ch]: known vectors, and random data where
 * every incremental update is checked against a from-scratch computation
 * by an independent reference (RFC 1071, big-endian words, byte output).
 */
#include <stdio.h>
#include <stdlib.h>

#define CORE_TEST_SEED	0x9e3779b97f4a7c15ull
#include "core_harness.h"
#include "csum.h"

/* Reference: RFC 1071 over big-endian words, result as two bytes. */
static void ref_csum(const u8 *p, size_t len, size_t check_off, u8 out[2])
{
	u32 sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2) {
		u32 hi = i == check_off || i == check_off + 1 ? 0 : p[i];
		u32 lo = i + 1 >= len ? 0 :
			 (i + 1 == check_off || i + 1 == check_off + 1) ? 0 :
			 p[i + 1];

		sum += hi << 8 | lo;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	out[0] = (u8)(sum >> 8);
	out[1] = (u8)sum;
}

static u16 load16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static void store16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void test_vectors(void)
{
	/* RFC 1071 section 3 example: sum ddf2, checksum 220d */
	static const u8 rfc[8] = { 0x00, 0x01, 0xf2, 0x03,
				   0xf4, 0xf5, 0xf6, 0xf7 };
	/* an IPv4 header with checksum b861 */
	u8 ip[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
		      0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01,
		      0xc0, 0xa8, 0x00, 0xc7 };
	u8 out[2];
	u16 c;

	c = core_csum_finish(core_csum_partial(rfc, sizeof(rfc), 0));
	store16(out, c);
	CHECK(out[0] == 0x22 && out[1] == 0x0d, "got %02x%02x", out[0], out[1]);
	c = core_csum_fold(core_csum_partial(rfc, sizeof(rfc), 0));
	store16(out, c);
	CHECK(out[0] == 0xdd && out[1] == 0xf2, "got %02x%02x", out[0], out[1]);

	ip[10] = ip[11] = 0;
	store16(ip + 10, core_csum_finish(core_csum_partial(ip, 20, 0)));
	CHECK(ip[10] == 0xb8 && ip[11] == 0x61, "got %02x%02x", ip[10], ip[11]);
	/* a header with a correct checksum sums to 0xffff */
	CHECK(core_csum_fold(core_csum_partial(ip, 20, 0)) == 0xffff, "ip");

	CHECK(core_csum_fold(0) == 0, "fold 0");
	CHECK(core_csum_fold(0xffffffff) == 0xffff, "fold ~0");
	CHECK(core_csum_fold(0x10000) == 1, "fold carry");
	CHECK(core_csum_fold(0x1fffe) == 0xffff, "fold 1fffe");
	CHECK(core_csum_add(0xffffffff, 1) == 1, "end-around carry");
	CHECK(core_csum_add(0x80000000, 0x80000000) == 1, "end-around 2");
	CHECK(core_csum_sub(5, 5) == 0xffffffff, "x - x is -0");
	CHECK(core_csum_fold(core_csum_sub(7, 3)) == 4, "7 - 3");
	CHECK(core_csum_shift(0x1234, 1) == core_ror32(0x1234, 8), "shift");
	CHECK(core_csum_shift(0x1234, 2) == 0x1234, "shift even");

	/* odd trailing byte is the high byte of a zero-padded word */
	store16(out, core_csum_fold(core_csum_partial(rfc, 3, 0)));
	CHECK(out[0] == 0xf2 && out[1] == 0x01, "odd tail %02x%02x",
	      out[0], out[1]);
}

/* sum(A || B) == sum(A) + shift(sum(B), len(A)) for any split. */
static void test_concat(void)
{
	unsigned int bad = 0, round;
	u8 buf[256];

	for (round = 0; round < 20000; round++) {
		size_t len = rnd() % sizeof(buf), cut = len ? rnd() % len : 0;
		u32 whole, parts;

		rnd_bytes(buf, len);
		whole = core_csum_partial(buf, len, 0);
		parts = core_csum_add(core_csum_partial(buf, cut, 0),
				      core_csum_shift(core_csum_partial(
					buf + cut, len - cut, 0), cut));
		LOOP_CHECK(bad, core_csum_fold(whole) == core_csum_fold(parts),
			   "len %zu cut %zu", len, cut);
	}
	CHECK(bad == 0, "%u splits disagree", bad);
}

/* Random data, random edits, incremental vs full recomputation. */
#define BUF 200

static void edit_range(u8 *buf, size_t len, size_t check_off, u32 *diff)
{
	size_t n = 1 + rnd() % 24, off;
	u8 old[32];

	if (n > len)
		n = len;
	off = rnd() % (len - n + 1);
	/* keep the checksum field itself out of the edited range */
	if (off < check_off + 2 && off + n > check_off)
		return;
	memcpy(old, buf + off, n);
	rnd_bytes(buf + off, n);
	if (rnd() % 8 == 0)
		memcpy(buf + off, old, n);	/* a no-op edit */
	*diff = core_csum_range_diff(*diff, old, buf + off, n, off);
}

static void edit_word(u8 *buf, size_t len, size_t check_off, u32 *diff)
{
	size_t off = (rnd() % (len / 2)) * 2;
	__be16 o16, n16;
	__be32 o32, n32;

	if (rnd() & 1) {
		if (off == check_off)
			return;
		o16 = load16(buf + off);
		rnd_bytes(buf + off, 2);
		n16 = load16(buf + off);
		*diff = core_csum_update_u16(*diff, o16, n16);
		return;
	}
	if (off + 4 > len || (off + 4 > check_off && off < check_off + 2))
		return;
	memcpy(&o32, buf + off, 4);
	rnd_bytes(buf + off, 4);
	memcpy(&n32, buf + off, 4);
	*diff = core_csum_update_u32(*diff, o32, n32);
}

static void edit_addr(u8 *buf, size_t len, size_t check_off, u32 *diff)
{
	unsigned int alen = rnd() & 1 ? 16 : 4;
	size_t off;
	u8 old[16];

	if (len < alen + 2)
		return;
	off = (rnd() % ((len - alen) / 2 + 1)) * 2;
	if (off + alen > len ||
	    (off + alen > check_off && off < check_off + 2))
		return;
	memcpy(old, buf + off, alen);
	rnd_bytes(buf + off, alen);
	*diff = core_csum_addr_diff(*diff, old, buf + off, alen);
}

static void test_random_updates(void)
{
	unsigned int bad = 0, zeros = 0, round;
	u8 buf[BUF], want[2];

	for (round = 0; round < 200000; round++) {
		size_t len = 4 + 2 * (rnd() % (BUF / 2 - 2));
		size_t check_off = 2 * (rnd() % (len / 2));
		unsigned int edits = 1 + rnd() % 4, i;
		u32 diff = 0;
		u16 check;

		if (len & 1 || rnd() % 4 == 0)
			len |= 1;	/* odd lengths too */
		if (len > BUF)
			len = BUF - 1;
		if (check_off + 2 > len)
			check_off = 0;
		rnd_bytes(buf, len);
		ref_csum(buf, len, check_off, buf + check_off);

		for (i = 0; i < edits; i++) {
			switch (rnd() % 3) {
			case 0:
				edit_range(buf, len, check_off, &diff);
				break;
			case 1:
				edit_word(buf, len, check_off, &diff);
				break;
			default:
				edit_addr(buf, len, check_off, &diff);
			}
		}
		check = core_csum_replace(load16(buf + check_off), diff);
		ref_csum(buf, len, check_off, want);
		store16(buf + check_off, check);
		zeros += !want[0] && !want[1];
		LOOP_CHECK(bad, !memcmp(buf + check_off, want, 2),
			   "round %u: incremental %02x%02x, full %02x%02x",
			   round, buf[check_off], buf[check_off + 1],
			   want[0], want[1]);
	}
	CHECK(bad == 0, "%u of 200000 incremental updates differ", bad);
	fprintf(stdout, "  (%u results were checksum 0000)\n", zeros);
}

/*
 * The zero question: a full computation never yields ffff (for nonzero
 * data) and yields 0000 when the data sums to -0. The incremental update
 * must agree in both directions across that boundary.
 */
static void test_negative_zero(void)
{
	unsigned int bad = 0, round;
	u8 buf[40], want[2];

	for (round = 0; round < 20000; round++) {
		u32 diff = 0, s;
		__be16 old, new;
		u16 fix;

		rnd_bytes(buf, sizeof(buf));
		buf[2] = buf[3] = 0;		/* checksum field at 2 */
		/* choose word 10 so the whole sums to 0xffff (-0) */
		buf[10] = buf[11] = 0;
		s = core_csum_fold(core_csum_partial(buf, sizeof(buf), 0));
		fix = (u16)~s;
		store16(buf + 10, fix);
		ref_csum(buf, sizeof(buf), 2, want);
		LOOP_CHECK(bad, !want[0] && !want[1], "setup %02x%02x",
			   want[0], want[1]);
		memcpy(buf + 2, want, 2);

		/* move away from -0 ... */
		old = load16(buf + 10);
		rnd_bytes(buf + 10, 2);
		new = load16(buf + 10);
		diff = core_csum_update_u16(0, old, new);
		store16(buf + 2, core_csum_replace(load16(buf + 2), diff));
		ref_csum(buf, sizeof(buf), 2, want);
		LOOP_CHECK(bad, !memcmp(buf + 2, want, 2), "away");

		/* ... and back */
		diff = core_csum_update_u16(0, new, old);
		store16(buf + 10, old);
		store16(buf + 2, core_csum_replace(load16(buf + 2), diff));
		LOOP_CHECK(bad, buf[2] == 0 && buf[3] == 0, "back: %02x%02x",
			   buf[2], buf[3]);
	}
	CHECK(bad == 0, "%u failures around -0", bad);
}

/* A full TCP checksum over an IPv6 pseudo-header, then an address swap. */
static void test_pseudo_v6(void)
{
	u8 pkt[40 + 32];
	u8 want[2], nd[16];
	unsigned int bad = 0, round;

	for (round = 0; round < 5000; round++) {
		u32 diff;

		rnd_bytes(pkt, sizeof(pkt));
		/* pseudo: src 0-15, dst 16-31, len 32-35, zero, next hdr */
		memset(pkt + 32, 0, 8);
		pkt[35] = 32;
		pkt[39] = 6;
		ref_csum(pkt, sizeof(pkt), 40 + 16, pkt + 40 + 16);
		rnd_bytes(nd, 16);
		diff = core_csum_addr_diff(0, pkt + 16, nd, 16);
		memcpy(pkt + 16, nd, 16);
		store16(pkt + 56, core_csum_replace(load16(pkt + 56), diff));
		ref_csum(pkt, sizeof(pkt), 56, want);
		LOOP_CHECK(bad, !memcmp(pkt + 56, want, 2), "round %u", round);
	}
	CHECK(bad == 0, "%u v6 pseudo-header updates differ", bad);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_vectors();
	test_concat();
	test_random_updates();
	test_negative_zero();
	test_pseudo_v6();
	return core_test_report();
}
