// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libnftlvs: the API (attributes, lists, strings, limits) and build -> parse
 * round trips of every attribute. What the statements print: test_libnftlvs_print.c.
 */
#include "libnftlvs_fixture.h"

static void test_alloc(void)
{
	static const char *const names[] = {
		NFT_LVS_EXPR_DISPATCH, NFT_LVS_EXPR_SYNPROXY,
		NFT_LVS_EXPR_FULLNAT,
	};
	struct nftlvs_expr *e;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		e = nftlvs_expr_alloc(names[i]);
		CHECK(e && !strcmp(nftlvs_expr_get_name(e), names[i]));
		nftlvs_expr_free(e);
	}
	errno = 0;
	CHECK(!nftlvs_expr_alloc("counter") && errno == ENOENT);
	errno = 0;
	CHECK(!nftlvs_expr_alloc("fullnat ") && errno == ENOENT);
	errno = 0;
	CHECK(!nftlvs_expr_alloc(NULL) && errno == EINVAL);
	nftlvs_expr_free(NULL);
}

static void test_scalars(void)
{
	struct nftlvs_expr *sp = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	struct nftlvs_expr *fn = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	struct nftlvs_expr *d = nftlvs_expr_alloc(NFT_LVS_EXPR_DISPATCH);
	uint32_t len = 0;

	/* Not clamped: the kernel must see what was asked for. */
	CHECK(nftlvs_expr_set_u16(sp, NFTLVS_SYNPROXY_LB_MSS, 100) == 0);
	CHECK(nftlvs_expr_get_u16(sp, NFTLVS_SYNPROXY_LB_MSS) == 100);
	CHECK(nftlvs_expr_set_u8(sp, NFTLVS_SYNPROXY_LB_WSCALE, 255) == 0);
	CHECK(nftlvs_expr_get_u8(sp, NFTLVS_SYNPROXY_LB_WSCALE) == 255);
	CHECK(nftlvs_expr_is_set(sp, NFTLVS_SYNPROXY_LB_MSS));
	CHECK(!nftlvs_expr_is_set(sp, NFTLVS_SYNPROXY_LB_TTL));
	CHECK(!nftlvs_expr_is_set(sp, NFTLVS_FULLNAT_FAMILY));
	CHECK(nftlvs_expr_get(sp, NFTLVS_SYNPROXY_LB_MSS, &len) && len == 2);

	/* Wrong width, wrong expression, lists through the scalar API. */
	CHECK_ERR(nftlvs_expr_set_u32(sp, NFTLVS_SYNPROXY_LB_MSS, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set_u8(sp, NFTLVS_SYNPROXY_LB_MSS, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set_u32(sp, NFTLVS_FULLNAT_FLAGS, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set_u32(fn, NFTLVS_SYNPROXY_LB_FLAGS, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set_u32(d, NFTLVS_SYNPROXY_LB_FLAGS, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set_u32(fn, NFTLVS_FULLNAT_POOL, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set_u32(fn, 0, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set_u32(fn, 0xffff, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set(fn, NFTLVS_FULLNAT_FLAGS, NULL, 4), EINVAL);
	CHECK(!nftlvs_expr_is_set(fn, NFTLVS_FULLNAT_FLAGS));

	/* Getters: 0 and errno for unset or wrong width. */
	errno = 0;
	CHECK(nftlvs_expr_get_u32(fn, NFTLVS_FULLNAT_SCHED) == 0 &&
	      errno == ENOENT);
	errno = 0;
	CHECK(nftlvs_expr_get_u32(sp, NFTLVS_SYNPROXY_LB_MSS) == 0 &&
	      errno == EINVAL);
	errno = 0;
	CHECK(!nftlvs_expr_get(fn, NFTLVS_FULLNAT_POOL, &len) &&
	      errno == EINVAL);

	nftlvs_expr_free(sp);
	nftlvs_expr_free(fn);
	nftlvs_expr_free(d);
}

static void test_lists(void)
{
	struct nftlvs_expr *fn = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	struct nftlvs_expr *sp = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	uint8_t a[16] = { 10, 1, 0, 1 };
	struct nftlvs_rs rs;
	size_t len;

	CHECK_ERR(nftlvs_expr_fullnat_add_rs(fn, AF_UNIX, a, 0, 1),
		  EAFNOSUPPORT);
	CHECK_ERR(nftlvs_expr_fullnat_add_laddr(fn, 7, a), EAFNOSUPPORT);
	CHECK_ERR(nftlvs_expr_fullnat_add_rs(fn, AF_INET, NULL, 0, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_fullnat_add_rs(sp, AF_INET, a, 0, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_fullnat_add_laddr(sp, AF_INET, a), EINVAL);
	CHECK_ERR(nftlvs_expr_fullnat_test_empty(sp, NFTLVS_FULLNAT_POOL),
		  EINVAL);
	CHECK_ERR(nftlvs_expr_fullnat_test_empty(fn, NFTLVS_FULLNAT_FLAGS),
		  EINVAL);
	CHECK(!nftlvs_expr_is_set(fn, NFTLVS_FULLNAT_POOL));

	CHECK(nftlvs_expr_fullnat_add_rs(fn, AF_INET, a, 0, 70000) == 0);
	CHECK(nftlvs_expr_fullnat_add_rs(fn, AF_INET6, a, 80, 0) == 0);
	CHECK(nftlvs_expr_is_set(fn, NFTLVS_FULLNAT_POOL));
	CHECK(nftlvs_expr_fullnat_rs_count(fn) == 2);
	CHECK(nftlvs_expr_fullnat_get_rs(fn, 0, &rs) == 0 &&
	      rs.present == (NFTLVS_RS_ADDR | NFTLVS_RS_WEIGHT) &&
	      rs.addr_len == 4 && !memcmp(rs.addr, a, 4) &&
	      rs.weight == 70000);
	CHECK(nftlvs_expr_fullnat_get_rs(fn, 1, &rs) == 0 &&
	      rs.present == (NFTLVS_RS_ADDR | NFTLVS_RS_PORT |
			     NFTLVS_RS_WEIGHT) &&
	      rs.addr_len == 16 && rs.port == 80 && rs.weight == 0);
	CHECK_ERR(nftlvs_expr_fullnat_get_rs(fn, 2, &rs), ENOENT);
	CHECK_ERR(nftlvs_expr_fullnat_get_rs(sp, 0, &rs), EINVAL);

	CHECK(nftlvs_expr_fullnat_add_laddr(fn, AF_INET, a) == 0);
	CHECK(nftlvs_expr_fullnat_add_laddr_raw(fn, a, 3) == 0);
	CHECK(nftlvs_expr_fullnat_laddr_count(fn) == 2);
	CHECK(nftlvs_expr_fullnat_get_laddr(fn, 1, &len) && len == 3);
	errno = 0;
	CHECK(!nftlvs_expr_fullnat_get_laddr(fn, 2, &len) && errno == ENOENT);
	CHECK(nftlvs_expr_fullnat_laddr_count(sp) == 0);
	CHECK(nftlvs_expr_fullnat_rs_count(sp) == 0);

	nftlvs_expr_free(fn);
	nftlvs_expr_free(sp);
}

/* Set names: strings, sent as set; a raw one exactly as given. */
static void test_strings(void)
{
	struct nftlvs_expr *fn = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	struct nftlvs_expr *sp = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	static char big[70000];
	const char *p;
	uint32_t len = 0;

	errno = 0;
	CHECK(!nftlvs_expr_get_str(fn, NFTLVS_FULLNAT_POOL_SET) &&
	      errno == ENOENT);
	CHECK(nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_POOL_SET, "web") == 0);
	CHECK_STR(nftlvs_expr_get_str(fn, NFTLVS_FULLNAT_POOL_SET), "web");
	CHECK(nftlvs_expr_is_set(fn, NFTLVS_FULLNAT_POOL_SET));
	p = nftlvs_expr_get(fn, NFTLVS_FULLNAT_POOL_SET, &len);
	CHECK(p && len == 4 && !memcmp(p, "web", 4));
	/* Set again: the old copy goes (ASan would see a leak). */
	CHECK(nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_POOL_SET, "web2") == 0);
	CHECK_STR(nftlvs_expr_get_str(fn, NFTLVS_FULLNAT_POOL_SET), "web2");
	/* Raw bytes, no NUL: sent as they are, read back as a string. */
	CHECK(nftlvs_expr_set(fn, NFTLVS_FULLNAT_LADDRS_SET, "lipsX", 4) == 0);
	p = nftlvs_expr_get(fn, NFTLVS_FULLNAT_LADDRS_SET, &len);
	CHECK(p && len == 4 && !memcmp(p, "lips", 4));
	CHECK_STR(nftlvs_expr_get_str(fn, NFTLVS_FULLNAT_LADDRS_SET), "lips");
	CHECK(nftlvs_expr_set(fn, NFTLVS_FULLNAT_LADDRS_SET, "", 0) == 0);
	CHECK(nftlvs_expr_get(fn, NFTLVS_FULLNAT_LADDRS_SET, &len) &&
	      len == 0);

	/* Strings only where there are strings, and not through scalars. */
	CHECK_ERR(nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_FLAGS, "x"), EINVAL);
	CHECK_ERR(nftlvs_expr_set_str(sp, NFTLVS_FULLNAT_POOL_SET, "x"),
		  EINVAL);
	CHECK_ERR(nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_POOL_SET, NULL),
		  EINVAL);
	CHECK_ERR(nftlvs_expr_set_u32(fn, NFTLVS_FULLNAT_POOL_SET, 1), EINVAL);
	CHECK_ERR(nftlvs_expr_set(fn, NFTLVS_FULLNAT_POOL_SET, NULL, 4),
		  EINVAL);
	errno = 0;
	CHECK(!nftlvs_expr_get_str(fn, NFTLVS_FULLNAT_FLAGS) &&
	      errno == EINVAL);
	errno = 0;
	CHECK(nftlvs_expr_get_u32(fn, NFTLVS_FULLNAT_POOL_SET) == 0 &&
	      errno == EINVAL);

	/* Bounded only by what one rule holds; a refusal changes nothing. */
	memset(big, 'a', sizeof(big) - 1);
	CHECK_ERR(nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_POOL_SET, big), E2BIG);
	big[UINT16_MAX - 16] = '\0';
	CHECK_ERR(nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_POOL_SET, big), E2BIG);
	CHECK_STR(nftlvs_expr_get_str(fn, NFTLVS_FULLNAT_POOL_SET), "web2");
	big[4096] = '\0';
	CHECK(nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_POOL_SET, big) == 0);
	CHECK(nftlvs_expr_payload_len(fn) > 4096);

	nftlvs_expr_free(fn);
	nftlvs_expr_free(sp);
}

/* Lists grow until the expression would not fit one rule any more. */
static void test_too_big(void)
{
	struct nftlvs_expr *fn = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned int n = 0;
	int ret;

	do {
		a[15] = n;
		a[14] = n >> 8;
		ret = nftlvs_expr_fullnat_add_rs(fn, AF_INET6, a, 80, 1);
	} while (ret == 0 && ++n < 100000);
	CHECK(ret < 0 && errno == E2BIG);
	CHECK(n > NFT_FULLNAT_POOL_MAX);
	CHECK(nftlvs_expr_payload_len(fn) <= UINT16_MAX - 8);
	CHECK_ERR(nftlvs_expr_fullnat_add_laddr_raw(fn, a, 70000), E2BIG);
	nftlvs_expr_free(fn);
}

/* payload_len() is exactly what build_payload() writes. */
static void check_payload_len(const struct nftlvs_expr *e)
{
	static struct msg m;
	struct nlmsghdr *nlh = msg_start(&m);

	nftlvs_expr_build_payload(nlh, e);
	CHECK(nlh->nlmsg_len - MNL_NLMSG_HDRLEN == nftlvs_expr_payload_len(e));
}

/* Build, parse, compare: the parsed copy equals the original. */
static void check_roundtrip(struct nftlvs_expr *e)
{
	struct nftlvs_expr *back = roundtrip(e);

	if (!CHECK(back != NULL))
		fprintf(stderr, "  %s: %s\n", print(e, 0, 0), strerror(errno));
	else
		CHECK(nftlvs_expr_cmp(e, back));
	check_payload_len(e);
	nftlvs_expr_free(back);
	nftlvs_expr_free(e);
}

static void test_roundtrip_synproxy(void)
{
	struct nftlvs_expr *e;

	check_roundtrip(nftlvs_expr_alloc(NFT_LVS_EXPR_DISPATCH));
	check_roundtrip(nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY));

	e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	nftlvs_expr_set_u16(e, NFTLVS_SYNPROXY_LB_MSS, 1460);
	check_roundtrip(e);
	e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_WSCALE, 14);
	check_roundtrip(e);
	e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_TTL, 255);
	check_roundtrip(e);
	e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	nftlvs_expr_set_u32(e, NFTLVS_SYNPROXY_LB_FLAGS,
			    NFT_SYNPROXY_LB_F_MASK);
	check_roundtrip(e);

	e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	nftlvs_expr_set_u16(e, NFTLVS_SYNPROXY_LB_MSS, 536);
	nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_WSCALE, 0);
	nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_TTL, 1);
	nftlvs_expr_set_u32(e, NFTLVS_SYNPROXY_LB_FLAGS, 0);
	check_roundtrip(e);
}

static void test_roundtrip_fullnat(void)
{
	static const uint16_t attrs[] = {
		NFTLVS_FULLNAT_FAMILY, NFTLVS_FULLNAT_PORT_MIN,
		NFTLVS_FULLNAT_PORT_MAX, NFTLVS_FULLNAT_SCHED,
		NFTLVS_FULLNAT_TIMEOUT, NFTLVS_FULLNAT_FLAGS,
	};
	static const uint32_t values[] = {
		NFPROTO_IPV4, 1, 65535, NFT_LVS_SCHED_MH, 90,
		NFT_FULLNAT_F_MASK,
	};
	struct nftlvs_rs rs = { .present = NFTLVS_RS_ADDR };
	struct nftlvs_expr *e, *back;
	uint8_t a[4] = { 10, 1, 0, 9 };
	unsigned int i;

	check_roundtrip(fullnat_min());
	for (i = 0; i < 6; i++) {
		e = fullnat_min();
		if (attrs[i] == NFTLVS_FULLNAT_PORT_MIN ||
		    attrs[i] == NFTLVS_FULLNAT_PORT_MAX)
			nftlvs_expr_set_u16(e, attrs[i], values[i]);
		else
			nftlvs_expr_set_u32(e, attrs[i], values[i]);
		check_roundtrip(e);
	}

	/* Entries with and without port and weight keep exactly those. */
	e = fullnat_min();
	rs.addr = a;
	rs.addr_len = 4;
	nftlvs_expr_fullnat_add_rs_raw(e, &rs);
	add_rs(e, "10.1.0.3", 0, 0);
	add_rs(e, "10.1.0.4", 65535, NFT_LVS_WEIGHT_MAX);
	add_laddr(e, "10.1.0.253");
	back = roundtrip(e);
	CHECK(back && nftlvs_expr_cmp(e, back));
	CHECK(back && nftlvs_expr_fullnat_rs_count(back) == 4 &&
	      nftlvs_expr_fullnat_get_rs(back, 1, &rs) == 0 &&
	      rs.present == NFTLVS_RS_ADDR &&
	      nftlvs_expr_fullnat_laddr_count(back) == 2);
	nftlvs_expr_free(back);
	check_roundtrip(e);

	/* IPv6, everything set. */
	e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV6);
	add_rs(e, "2001:db8::1", 8080, 2);
	add_rs(e, "2001:db8::2", 0, 1);
	add_laddr(e, "2001:db8:1::fe");
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 10000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 10000);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_RR);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_TIMEOUT, NFT_FULLNAT_TIMEOUT_MAX);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_TOA);
	check_roundtrip(e);
}

static void test_roundtrip_sets(void)
{
	struct nftlvs_expr *e, *back, *other;
	char name[NFT_SET_MAXNAMELEN];

	check_roundtrip(fullnat_sets("web", "lips"));
	check_roundtrip(fullnat_sets("web", NULL));
	check_roundtrip(fullnat_sets(NULL, "lips"));

	/* The longest name the kernel takes, and odd but legal ones. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	check_roundtrip(fullnat_sets(name, "x-y.z/1"));
	check_roundtrip(fullnat_sets("a\"b\\c", "_"));

	/* Without a family (an ip table implies it), with everything else. */
	e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	nftlvs_expr_set_str(e, NFTLVS_FULLNAT_POOL_SET, "web");
	nftlvs_expr_set_str(e, NFTLVS_FULLNAT_LADDRS_SET, "lips");
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 10000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 20000);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_SH);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_TIMEOUT, 90);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_MASK);
	back = roundtrip(e);
	CHECK(back && nftlvs_expr_cmp(e, back));
	CHECK(back && !nftlvs_expr_is_set(back, NFTLVS_FULLNAT_POOL) &&
	      !nftlvs_expr_is_set(back, NFTLVS_FULLNAT_FAMILY) &&
	      nftlvs_expr_fullnat_rs_count(back) == 0);
	CHECK_STR(back ? nftlvs_expr_get_str(back, NFTLVS_FULLNAT_LADDRS_SET) :
			 NULL, "lips");
	nftlvs_expr_free(back);
	check_roundtrip(e);

	/* cmp() tells names apart. */
	e = fullnat_sets("web", "lips");
	other = fullnat_sets("web", "lip");
	CHECK(!nftlvs_expr_cmp(e, other));
	nftlvs_expr_free(other);
	other = fullnat_sets("web", "lips");
	CHECK(nftlvs_expr_cmp(e, other));
	nftlvs_expr_free(other);
	other = fullnat_sets("web", NULL);
	CHECK(!nftlvs_expr_cmp(e, other));
	nftlvs_expr_free(other);
	nftlvs_expr_free(e);
}

/* The limits themselves are accepted. */
static void test_roundtrip_limits(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	struct nftlvs_expr *back;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned int i;

	for (i = 0; i < NFT_FULLNAT_POOL_MAX; i++) {
		a[14] = i >> 8;
		a[15] = i;
		nftlvs_expr_fullnat_add_rs(e, AF_INET6, a, 1 + i, i);
	}
	a[13] = 1;
	for (i = 0; i < NFT_FULLNAT_LADDRS_MAX; i++) {
		a[15] = i;
		nftlvs_expr_fullnat_add_laddr(e, AF_INET6, a);
	}
	back = roundtrip(e);
	CHECK(back && nftlvs_expr_cmp(e, back));
	CHECK(back &&
	      nftlvs_expr_fullnat_rs_count(back) == NFT_FULLNAT_POOL_MAX);
	nftlvs_expr_free(back);
	check_roundtrip(e);
}

int main(void)
{
	test_alloc();
	test_scalars();
	test_lists();
	test_strings();
	test_too_big();
	test_roundtrip_synproxy();
	test_roundtrip_fullnat();
	test_roundtrip_sets();
	test_roundtrip_limits();
	return tests_finish();
}
