// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libnftlvs must refuse every payload the kernel would never dump and
 * must never read out of bounds doing so (ASan and UBSan watch). Here:
 * values the API can build but the kernel never sends (out of range,
 * missing or empty lists, bad set names); test_malformed_wire.c has the
 * payloads only hand-made netlink can express, and the fuzzing.
 */
#include "harness.h"

#include <linux/netfilter.h>

/* The API builds it (no clamping), the parser refuses it; frees @e. */
#define BAD_VALUE(e)							\
	do {								\
		struct nftlvs_expr *_x = (e);				\
		static struct msg _m;					\
		REFUSED(msg_expr(&_m, _x), EINVAL);			\
		nftlvs_expr_free(_x);					\
	} while (0)

#define GOOD_VALUE(e)							\
	do {								\
		struct nftlvs_expr *_x = (e);				\
		static struct msg _m;					\
		ACCEPTED(msg_expr(&_m, _x));				\
		nftlvs_expr_free(_x);					\
	} while (0)

static struct nftlvs_expr *sp_u8(uint16_t attr, uint8_t v)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);

	nftlvs_expr_set_u8(e, attr, v);
	return e;
}

static struct nftlvs_expr *sp_u16(uint16_t attr, uint16_t v)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);

	nftlvs_expr_set_u16(e, attr, v);
	return e;
}

static struct nftlvs_expr *sp_u32(uint16_t attr, uint32_t v)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);

	nftlvs_expr_set_u32(e, attr, v);
	return e;
}

static struct nftlvs_expr *fn_u16(uint16_t attr, uint16_t v)
{
	struct nftlvs_expr *e = fullnat_min();

	nftlvs_expr_set_u16(e, attr, v);
	return e;
}

static struct nftlvs_expr *fn_u32(uint16_t attr, uint32_t v)
{
	struct nftlvs_expr *e = fullnat_min();

	nftlvs_expr_set_u32(e, attr, v);
	return e;
}

static void test_synproxy_values(void)
{
	BAD_VALUE(sp_u16(NFTLVS_SYNPROXY_LB_MSS, NFT_SYNPROXY_LB_MSS_MIN - 1));
	BAD_VALUE(sp_u16(NFTLVS_SYNPROXY_LB_MSS, NFT_SYNPROXY_LB_MSS_MAX + 1));
	BAD_VALUE(sp_u16(NFTLVS_SYNPROXY_LB_MSS, 0));
	BAD_VALUE(sp_u8(NFTLVS_SYNPROXY_LB_WSCALE,
			NFT_SYNPROXY_LB_WSCALE_MAX + 1));
	BAD_VALUE(sp_u8(NFTLVS_SYNPROXY_LB_TTL, 0));
	BAD_VALUE(sp_u32(NFTLVS_SYNPROXY_LB_FLAGS, NFT_SYNPROXY_LB_F_DEFER << 1));
	BAD_VALUE(sp_u32(NFTLVS_SYNPROXY_LB_FLAGS, 0x80000000));

	GOOD_VALUE(sp_u16(NFTLVS_SYNPROXY_LB_MSS, NFT_SYNPROXY_LB_MSS_MIN));
	GOOD_VALUE(sp_u16(NFTLVS_SYNPROXY_LB_MSS, NFT_SYNPROXY_LB_MSS_MAX));
	GOOD_VALUE(sp_u8(NFTLVS_SYNPROXY_LB_WSCALE, NFT_SYNPROXY_LB_WSCALE_MAX));
	GOOD_VALUE(sp_u8(NFTLVS_SYNPROXY_LB_TTL, 1));
	GOOD_VALUE(sp_u8(NFTLVS_SYNPROXY_LB_TTL, 255));
	GOOD_VALUE(sp_u32(NFTLVS_SYNPROXY_LB_FLAGS, NFT_SYNPROXY_LB_F_MASK));
}

static void test_fullnat_scalars(void)
{
	struct nftlvs_expr *e;

	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_FAMILY, NFPROTO_INET));
	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_FAMILY, 0));
	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV6));
	BAD_VALUE(fn_u16(NFTLVS_FULLNAT_PORT_MIN, 0));
	BAD_VALUE(fn_u16(NFTLVS_FULLNAT_PORT_MAX, 0));
	/* Alone below the default minimum 5000. */
	BAD_VALUE(fn_u16(NFTLVS_FULLNAT_PORT_MAX, 4999));
	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_SCHED, __NFT_LVS_SCHED_MAX));
	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_SCHED, UINT32_MAX));
	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_TIMEOUT, 0));
	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_TIMEOUT, NFT_FULLNAT_TIMEOUT_MAX + 1));
	BAD_VALUE(fn_u32(NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_TOA_KIND253 << 1));

	e = fn_u16(NFTLVS_FULLNAT_PORT_MIN, 6000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 5999);
	BAD_VALUE(e);

	GOOD_VALUE(fn_u32(NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4));
	GOOD_VALUE(fn_u16(NFTLVS_FULLNAT_PORT_MIN, 65535));
	GOOD_VALUE(fn_u16(NFTLVS_FULLNAT_PORT_MAX, 5000));
	GOOD_VALUE(fn_u32(NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_MAX));
	GOOD_VALUE(fn_u32(NFTLVS_FULLNAT_TIMEOUT, 1));
	GOOD_VALUE(fn_u32(NFTLVS_FULLNAT_TIMEOUT, NFT_FULLNAT_TIMEOUT_MAX));
	GOOD_VALUE(fn_u32(NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_MASK));
}

/* A fullnat with only the given lists; entries added by the caller. */
static struct nftlvs_expr *fn_bare(void)
{
	return nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
}

static struct nftlvs_expr *fn_raw_rs(uint32_t present, size_t addr_len,
				     uint16_t port, uint32_t weight)
{
	static const uint8_t addr[32] = { 10, 1, 0, 1 };
	struct nftlvs_expr *e = fn_bare();
	struct nftlvs_rs rs = {
		.present = present, .addr = addr, .addr_len = addr_len,
		.port = port, .weight = weight,
	};

	nftlvs_expr_fullnat_add_rs_raw(e, &rs);
	add_laddr(e, "10.1.0.254");
	return e;
}

static void test_fullnat_lists(void)
{
	struct nftlvs_expr *e;
	uint8_t a[16] = { 10 };
	unsigned int i;

	/* Missing and empty lists. */
	BAD_VALUE(fn_bare());
	e = fn_bare();
	add_rs(e, "10.1.0.1", 0, 1);
	BAD_VALUE(e);
	e = fn_bare();
	add_laddr(e, "10.1.0.254");
	BAD_VALUE(e);
	e = fn_bare();
	nftlvs_expr_fullnat_test_empty(e, NFTLVS_FULLNAT_POOL);
	add_laddr(e, "10.1.0.254");
	BAD_VALUE(e);
	e = fn_bare();
	add_rs(e, "10.1.0.1", 0, 1);
	nftlvs_expr_fullnat_test_empty(e, NFTLVS_FULLNAT_LADDRS);
	BAD_VALUE(e);

	/* Real servers: address mandatory, 4 or 16 bytes, port, weight. */
	BAD_VALUE(fn_raw_rs(NFTLVS_RS_PORT | NFTLVS_RS_WEIGHT, 0, 80, 1));
	BAD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR, 0, 0, 0));
	BAD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR, 3, 0, 0));
	BAD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR, 5, 0, 0));
	BAD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR, 17, 0, 0));
	BAD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR | NFTLVS_RS_PORT, 4, 0, 0));
	BAD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR | NFTLVS_RS_WEIGHT, 4, 0,
			    NFT_LVS_WEIGHT_MAX + 1));
	GOOD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR, 4, 0, 0));
	GOOD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR | NFTLVS_RS_WEIGHT, 4, 0,
			     NFT_LVS_WEIGHT_MAX));
	GOOD_VALUE(fn_raw_rs(NFTLVS_RS_ADDR | NFTLVS_RS_WEIGHT, 4, 0, 0));

	/* Local addresses of odd length. */
	e = fn_bare();
	add_rs(e, "10.1.0.1", 0, 1);
	nftlvs_expr_fullnat_add_laddr_raw(e, a, 5);
	BAD_VALUE(e);
	e = fn_bare();
	add_rs(e, "10.1.0.1", 0, 1);
	nftlvs_expr_fullnat_add_laddr_raw(e, a, 0);
	BAD_VALUE(e);

	/* Families: mixed lengths, or lengths against the family. */
	e = fn_bare();
	add_rs(e, "10.1.0.1", 0, 1);
	add_rs(e, "2001:db8::1", 0, 1);
	add_laddr(e, "10.1.0.254");
	BAD_VALUE(e);
	e = fn_bare();
	add_rs(e, "2001:db8::1", 0, 1);
	add_laddr(e, "10.1.0.254");
	BAD_VALUE(e);
	e = fn_bare();
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4);
	add_rs(e, "2001:db8::1", 0, 1);
	add_laddr(e, "2001:db8::fe");
	BAD_VALUE(e);
	e = fn_bare();
	add_rs(e, "2001:db8::1", 0, 1);
	add_laddr(e, "2001:db8::fe");
	GOOD_VALUE(e);

	/* One entry over the limits. */
	e = fn_bare();
	for (i = 0; i <= NFT_FULLNAT_POOL_MAX; i++) {
		a[3] = i;
		a[2] = i >> 8;
		nftlvs_expr_fullnat_add_rs(e, AF_INET, a, 0, 1);
	}
	add_laddr(e, "10.1.0.254");
	BAD_VALUE(e);
	e = fn_bare();
	add_rs(e, "10.1.0.1", 0, 1);
	for (i = 0; i <= NFT_FULLNAT_LADDRS_MAX; i++) {
		a[3] = i;
		a[2] = i >> 8;
		nftlvs_expr_fullnat_add_laddr(e, AF_INET, a);
	}
	BAD_VALUE(e);
}

/* A set name in the place of a list: alone, or beside one (refused). */
static struct nftlvs_expr *fn_sets(const char *pool, const char *laddrs)
{
	struct nftlvs_expr *e = fn_bare();

	if (pool)
		nftlvs_expr_set_str(e, NFTLVS_FULLNAT_POOL_SET, pool);
	if (laddrs)
		nftlvs_expr_set_str(e, NFTLVS_FULLNAT_LADDRS_SET, laddrs);
	return e;
}

static void test_fullnat_sets(void)
{
	char name[NFT_SET_MAXNAMELEN + 1];
	struct nftlvs_expr *e;

	GOOD_VALUE(fn_sets("web", "lips"));
	e = fn_sets("web", NULL);
	add_laddr(e, "10.1.0.254");
	GOOD_VALUE(e);
	e = fn_sets(NULL, "lips");
	add_rs(e, "2001:db8::1", 0, 1);
	GOOD_VALUE(e);

	/* Neither, or both: a list and a set name for the same thing. */
	BAD_VALUE(fn_sets("web", NULL));
	BAD_VALUE(fn_sets(NULL, "lips"));
	e = fn_sets("web", "lips");
	add_rs(e, "10.1.0.1", 0, 1);
	BAD_VALUE(e);
	e = fn_sets("web", "lips");
	add_laddr(e, "10.1.0.254");
	BAD_VALUE(e);
	e = fn_sets("web", "lips");
	nftlvs_expr_fullnat_test_empty(e, NFTLVS_FULLNAT_POOL);
	BAD_VALUE(e);
	e = fn_sets("web", "lips");
	nftlvs_expr_fullnat_test_empty(e, NFTLVS_FULLNAT_LADDRS);
	BAD_VALUE(e);

	/* The family still rules the list beside a set. */
	e = fn_sets("web", NULL);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV6);
	add_laddr(e, "10.1.0.254");
	BAD_VALUE(e);
	e = fn_sets(NULL, "lips");
	add_rs(e, "10.1.0.1", 0, 1);
	add_rs(e, "2001:db8::1", 0, 1);
	BAD_VALUE(e);

	/* Names: NUL-terminated, not empty, shorter than NFT_SET_MAXNAMELEN. */
	memset(name, 'n', sizeof(name));
	name[NFT_SET_MAXNAMELEN - 1] = '\0';
	GOOD_VALUE(fn_sets(name, "lips"));
	name[NFT_SET_MAXNAMELEN - 1] = 'n';
	name[NFT_SET_MAXNAMELEN] = '\0';
	BAD_VALUE(fn_sets(name, "lips"));
	BAD_VALUE(fn_sets("web", name));
	BAD_VALUE(fn_sets("", "lips"));
	e = fn_sets(NULL, "lips");
	nftlvs_expr_set(e, NFTLVS_FULLNAT_POOL_SET, "web", 3);	/* no NUL */
	BAD_VALUE(e);
	e = fn_sets("web", NULL);
	nftlvs_expr_set(e, NFTLVS_FULLNAT_LADDRS_SET, "", 0);
	BAD_VALUE(e);
	e = fn_sets("web", NULL);
	nftlvs_expr_set(e, NFTLVS_FULLNAT_LADDRS_SET, "li\0ps", 6);
	BAD_VALUE(e);
	e = fn_sets("web", NULL);
	nftlvs_expr_set(e, NFTLVS_FULLNAT_LADDRS_SET, "\0lips", 6);
	BAD_VALUE(e);
}

int main(void)
{
	test_synproxy_values();
	test_fullnat_scalars();
	test_fullnat_lists();
	test_fullnat_sets();
	return tests_finish();
}
