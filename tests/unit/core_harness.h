/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks and a repeatable random source for the unit tests of the
 * portable core (kmod/core). Define CORE_TEST_SEED before including to
 * give a test its own sequence; main() ends with core_test_report().
 */
#ifndef _NFTLVS_CORE_HARNESS_H_
#define _NFTLVS_CORE_HARNESS_H_

#include <stdio.h>

#include "core_types.h"

#ifndef CORE_TEST_SEED
#define CORE_TEST_SEED	0x9e3779b97f4a7c15ull
#endif

static unsigned int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		putchar('\n');						\
	}								\
} while (0)

/* Checks inside random loops: print the first five failures of a loop,
 * count them in @bad; the loop then CHECKs @bad once.
 */
#define LOOP_CHECK(bad, cond, ...) do {					\
	if (!(cond) && (bad)++ < 5) {					\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		putchar('\n');						\
	}								\
} while (0)

static u64 rng_state = CORE_TEST_SEED;

/* xorshift64: fast, repeatable, good enough to pick test inputs. */
static inline u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)(rng_state >> 16);
}

static inline void rnd_bytes(u8 *p, size_t len)
{
	while (len--)
		*p++ = (u8)rnd();
}

static inline int core_test_report(void)
{
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif /* _NFTLVS_CORE_HARNESS_H_ */
