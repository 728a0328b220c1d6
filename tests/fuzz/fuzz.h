/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets of the portable core (kmod/core): the
 * fuzzer's input read as a stream of choices (past its end every read is
 * 0, so a short input is a valid one), an assertion that stops the run
 * with the failing input saved, and an RFC 1071 checksum reference that
 * does not use csum.c.
 */
#ifndef _NFTLVS_FUZZ_H_
#define _NFTLVS_FUZZ_H_

#include <stdio.h>
#include <stdlib.h>

#include "core_types.h"
#include "csum.h"

struct fuzz_in {
	const u8	*p;
	size_t		left;
};

static inline u8 fz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline u16 fz_u16(struct fuzz_in *in)
{
	return (u16)(fz_u8(in) << 8 | fz_u8(in));
}

static inline u32 fz_u32(struct fuzz_in *in)
{
	return (u32)fz_u16(in) << 16 | fz_u16(in);
}

/* Up to @max bytes of the input into @buf (zeros after its end); how many. */
static inline size_t fz_bytes(struct fuzz_in *in, u8 *buf, size_t max)
{
	size_t n = in->left < max ? in->left : max;

	memcpy(buf, in->p, n);
	memset(buf + n, 0, max - n);
	in->p += n;
	in->left -= n;
	return n;
}

#define FUZZ_ASSERT(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* RFC 1071 over an IPv4 pseudo-header for a TCP segment of @len bytes at
 * @seg, its checksum field (bytes 16-17) taken as zero. */
static inline u16 fz_tcp_csum(const u8 *seg, size_t len)
{
	static const u8 addrs[8] = { 10, 0, 0, 1, 10, 0, 0, 10 };
	u32 sum = 6 + (u32)len;
	size_t i;

	for (i = 0; i < 8; i += 2)
		sum += (u32)(addrs[i] << 8 | addrs[i + 1]);
	for (i = 0; i < len; i += 2) {
		if (i == 16)
			continue;
		sum += (u32)seg[i] << 8 | (i + 1 < len ? seg[i + 1] : 0);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

static inline void fz_set_csum(u8 *seg, size_t len)
{
	u16 c = fz_tcp_csum(seg, len);

	seg[16] = (u8)(c >> 8);
	seg[17] = (u8)c;
}

/* The stored checksum after folding in @diff (as the kernel glue does)
 * against a full recomputation. */
static inline bool fz_csum_ok(u8 *seg, size_t len, u32 diff)
{
	u16 c, want = fz_tcp_csum(seg, len);

	memcpy(&c, seg + 16, 2);
	c = core_csum_replace(c, diff);
	memcpy(seg + 16, &c, 2);
	return seg[16] == (u8)(want >> 8) && seg[17] == (u8)want;
}

#endif /* _NFTLVS_FUZZ_H_ */
