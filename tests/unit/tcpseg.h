/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the unit tests of kmod/core/tcpopt.[ch] (test_core_tcpopt.c:
 * parsing and option rewriting; test_core_toa.c: TOA insertion, sequence
 * translation, random headers): a TCP segment behind an IPv4
 * pseudo-header with an independent checksum reference, and byte helpers.
 * Include after core_harness.h.
 */
#ifndef _NFTLVS_TCPSEG_H_
#define _NFTLVS_TCPSEG_H_

#include <stdlib.h>

#include "csum.h"
#include "tcpopt.h"

static inline void hexdump(const char *what, const u8 *p, size_t len)
{
	size_t i;

	printf("  %s:", what);
	for (i = 0; i < len; i++)
		printf(" %02x", p[i]);
	putchar('\n');
}

static inline bool bytes_eq(const u8 *got, const u8 *want, size_t len)
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

static inline void ref_check(struct seg *s, u8 out[2])
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

static inline void seg_init(struct seg *s, u32 seq, u32 ack, u8 flags,
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
static inline bool seg_csum_ok(struct seg *s, u32 diff)
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
static inline u8 *exact(const u8 *src, size_t len)
{
	u8 *p = malloc(len);

	if (!p)
		abort();
	memcpy(p, src, len);
	return p;
}

static const u8 syn_opts[20] __attribute__((unused)) = {
	0x02, 0x04, 0x05, 0xb4,				/* MSS 1460 */
	0x04, 0x02,					/* SACK_PERM */
	0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,	/* TS */
	0x01,						/* NOP */
	0x03, 0x03, 0x07,				/* WS 7 */
};

/* A SACK option at @p holding @n block edges (n / 2 blocks). */
static inline void put_sack(u8 *p, const u32 *edges, unsigned int n)
{
	unsigned int i;

	p[0] = TCPOPT_KIND_SACK;
	p[1] = (u8)(2 + 4 * n);
	for (i = 0; i < n; i++)
		core_put_be32(p + 2 + 4 * i, edges[i]);
}

#endif /* _NFTLVS_TCPSEG_H_ */
