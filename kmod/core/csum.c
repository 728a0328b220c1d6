// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs portable core: checksum sums over byte ranges. The ranges the
 * datapath touches are short (an address, an option, a 60-byte header),
 * so this favours simple code over the unrolled loops of csum_partial().
 */
#include "csum.h"

/* Fold a 64-bit accumulator of 32-bit words into a 32-bit one. */
static inline u32 csum_fold64(u64 acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (u32)acc;
}

/*
 * Sum @len bytes at @buf, as if @buf sat at an even offset, into @sum.
 * Native 32-bit loads are fine: 2^16 == 1 modulo 0xffff, so a 32-bit word
 * counts as its two 16-bit halves whatever the byte order. A trailing odd
 * byte is the first byte of a word whose second byte is zero.
 */
u32 core_csum_partial(const void *buf, size_t len, u32 sum)
{
	const u8 *p = buf;
	u64 acc = sum;

	for (; len >= 4; p += 4, len -= 4) {
		u32 w;

		memcpy(&w, p, 4);
		acc += w;
	}
	if (len >= 2) {
		u16 w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		u8 last[2] = { p[0], 0 };
		u16 w;

		memcpy(&w, last, 2);
		acc += w;
	}
	return csum_fold64(acc);
}

/*
 * diff += sum(new) - sum(old) for a range of @len bytes that starts at
 * @offset in the checksummed data; @old and @new may be unaligned and the
 * range may start and end at odd offsets.
 */
u32 core_csum_range_diff(u32 diff, const void *old, const void *new,
			 size_t len, size_t offset)
{
	u32 d = core_csum_sub(core_csum_partial(new, len, 0),
			      core_csum_partial(old, len, 0));

	return core_csum_add(diff, core_csum_shift(d, offset));
}

/*
 * diff += new - old for an IPv4 (@alen 4) or IPv6 (@alen 16) address at
 * an even offset, e.g. in the pseudo-header. Unrolled for the two sizes
 * that matter; anything else takes the generic path.
 */
u32 core_csum_addr_diff(u32 diff, const void *old, const void *new,
			unsigned int alen)
{
	u32 o[4], n[4];

	if (alen == 4) {
		memcpy(o, old, 4);
		memcpy(n, new, 4);
		return core_csum_update_u32(diff, o[0], n[0]);
	}
	if (alen == 16) {
		u64 acc = diff;

		memcpy(o, old, 16);
		memcpy(n, new, 16);
		acc += (u64)n[0] + n[1] + n[2] + n[3];
		acc += (u64)(u32)~o[0] + (u32)~o[1] + (u32)~o[2] + (u32)~o[3];
		return csum_fold64(acc);
	}
	return core_csum_range_diff(diff, old, new, alen, 0);
}
