/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs portable core: incremental Internet checksum (RFC 1071, RFC 1624).
 *
 * A "sum" or "diff" here is a 32-bit ones'-complement accumulator of
 * 16-bit words loaded in memory (native) order: exactly the kernel's
 * __wsum. A diff built with these helpers can therefore be handed to
 * inet_proto_csum_replace_by_diff() as (__force __wsum)diff, and the
 * 16-bit check values are the raw bytes of the header field (__sum16).
 * Ones'-complement sums do not care about byte order as long as both ends
 * agree, which is why no byte swapping appears anywhere below.
 *
 * Offsets count from the start of the checksummed data (for TCP: from the
 * TCP header, which sits at an even offset behind the pseudo-header). A
 * byte at an odd offset is the second byte of its 16-bit word.
 */
#ifndef _NFTLVS_CORE_CSUM_H
#define _NFTLVS_CORE_CSUM_H

#include "core_types.h"

/* a + b with end-around carry. */
static inline u32 core_csum_add(u32 a, u32 b)
{
	a += b;
	return a + (a < b);
}

/* a - b: adding the ones' complement (~b == -b modulo 0xffff). */
static inline u32 core_csum_sub(u32 a, u32 b)
{
	return core_csum_add(a, ~b);
}

/* Fold to 16 bits, NOT complemented; never 0 for a nonzero sum. */
static inline u16 core_csum_fold(u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

/* The value that goes into a checksum field for data summing to @sum. */
static inline u16 core_csum_finish(u32 sum)
{
	return (u16)~core_csum_fold(sum);
}

/*
 * A sum computed as if its data started at an even offset, moved to
 * @offset: at an odd offset every byte swaps its place in the word, and a
 * byte swap of a ones'-complement sum is a rotation by 8 (2^16 == 1).
 */
static inline u32 core_csum_shift(u32 sum, size_t offset)
{
	return (offset & 1) ? core_ror32(sum, 8) : sum;
}

/* diff += new - old for one 16-bit field at an even offset (raw bytes). */
static inline u32 core_csum_update_u16(u32 diff, __be16 old, __be16 new)
{
	return core_csum_add(core_csum_add(diff, (u16)~old), (u16)new);
}

/* diff += new - old for one 32-bit field at an even offset (raw bytes). */
static inline u32 core_csum_update_u32(u32 diff, __be32 old, __be32 new)
{
	return core_csum_add(core_csum_add(diff, ~old), new);
}

/*
 * The new checksum field after the covered data changed by @diff
 * (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')). Matches a full
 * recomputation exactly, including which zero comes out. (UDP's "no
 * checksum" 0 and its 0 -> ffff rule are the caller's business.)
 */
static inline u16 core_csum_replace(u16 check, u32 diff)
{
	return (u16)~core_csum_fold(core_csum_add(diff, (u16)~check));
}

u32 core_csum_partial(const void *buf, size_t len, u32 sum);
u32 core_csum_range_diff(u32 diff, const void *old, const void *new,
			 size_t len, size_t offset);
u32 core_csum_addr_diff(u32 diff, const void *old, const void *new,
			unsigned int alen);

#endif /* _NFTLVS_CORE_CSUM_H */
