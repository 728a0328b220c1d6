/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs portable core: the one header every core file includes.
 *
 * The core (checksums, TCP options, schedulers) is built twice: into
 * nft_lvs.ko and into userspace unit tests, fuzzers and benchmarks. Core
 * .c files include nothing but this header, so everything that differs
 * between the two worlds is decided here and nowhere else.
 */
#ifndef _NFTLVS_CORE_TYPES_H
#define _NFTLVS_CORE_TYPES_H

/* Address families as the core sees them: equal to AF_INET/AF_INET6 and
 * NFPROTO_IPV4/NFPROTO_IPV6 on Linux, so the glue passes its own values.
 */
#define CORE_AF_INET	2
#define CORE_AF_INET6	10

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/atomic.h>
#include <linux/math64.h>
#include <linux/socket.h>
#include <linux/build_bug.h>
#include <asm/byteorder.h>

static_assert(CORE_AF_INET == AF_INET && CORE_AF_INET6 == AF_INET6);

typedef atomic_t core_atomic_t;

#define core_atomic_read(v)		atomic_read(v)
#define core_atomic_set(v, i)		atomic_set(v, i)
#define core_atomic_fetch_inc(v)	atomic_fetch_inc(v)

#define core_cpu_to_be16(x)		cpu_to_be16(x)
#define core_cpu_to_be32(x)		cpu_to_be32(x)
#define core_be16_to_cpu(x)		be16_to_cpu(x)
#define core_be32_to_cpu(x)		be32_to_cpu(x)

/* u64 / u32 without libgcc helpers on 32-bit kernels. */
#define core_div_u64(a, b)		div_u64(a, b)

/* For what the packet path takes on every packet. */
#define core_always_inline		__always_inline

#else /* userspace */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* Network-order values as they sit in memory; no sparse checking here. */
typedef uint16_t __be16;
typedef uint32_t __be32;

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

/* The kernel's atomic_t shape, so that core code reads the same. */
typedef struct {
	int counter;
} core_atomic_t;

static inline int core_atomic_read(const core_atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void core_atomic_set(core_atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline int core_atomic_fetch_inc(core_atomic_t *v)
{
	return __atomic_fetch_add(&v->counter, 1, __ATOMIC_RELAXED);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define core_cpu_to_be16(x)	((__be16)__builtin_bswap16(x))
#define core_cpu_to_be32(x)	((__be32)__builtin_bswap32(x))
#define core_be16_to_cpu(x)	((u16)__builtin_bswap16(x))
#define core_be32_to_cpu(x)	((u32)__builtin_bswap32(x))
#else
#define core_cpu_to_be16(x)	((__be16)(x))
#define core_cpu_to_be32(x)	((__be32)(x))
#define core_be16_to_cpu(x)	((u16)(x))
#define core_be32_to_cpu(x)	((u32)(x))
#endif

#define core_div_u64(a, b)	((u64)(a) / (u32)(b))
#define core_always_inline	inline __attribute__((__always_inline__))

#endif /* __KERNEL__ */

/*
 * Unaligned big-endian access to packet bytes. Written with byte shifts on
 * purpose: no alignment assumption, no aliasing question, identical on
 * every architecture, and compilers turn them into one load plus bswap.
 */
static inline u16 core_get_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 core_get_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline u32 core_get_le32(const void *p)
{
	const u8 *b = p;

	return (u32)b[3] << 24 | (u32)b[2] << 16 | (u32)b[1] << 8 | b[0];
}

static inline void core_put_be16(void *p, u16 v)
{
	u8 *b = p;

	b[0] = v >> 8;
	b[1] = v;
}

static inline void core_put_be32(void *p, u32 v)
{
	u8 *b = p;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static inline u32 core_rol32(u32 v, unsigned int r)
{
	return (v << (r & 31)) | (v >> ((32 - r) & 31));
}

static inline u32 core_ror32(u32 v, unsigned int r)
{
	return (v >> (r & 31)) | (v << ((32 - r) & 31));
}

#endif /* _NFTLVS_CORE_TYPES_H */
