// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libnftlvs against payloads made by hand (wrong sizes, missing and
 * repeated nests, truncation, trailing junk) and mutated dumps: each one
 * refused, or accepted and printed and built back the same, never read out
 * of bounds (ASan and UBSan watch). The values the API itself can build
 * are in test_malformed.c.
 */
#include "harness.h"

#include <linux/netfilter.h>

/* Payloads made by hand, for what the API cannot express. */
struct raw {
	struct msg	m;
	struct nlmsghdr	*nlh;
	struct nlattr	*elem;
	struct nlattr	*data;
};

static void raw_start(struct raw *r, const char *name)
{
	r->nlh = msg_start(&r->m);
	r->elem = mnl_attr_nest_start(r->nlh, NFTA_LIST_ELEM);
	if (name)
		mnl_attr_put_strz(r->nlh, NFTA_EXPR_NAME, name);
	r->data = mnl_attr_nest_start(r->nlh, NFTA_EXPR_DATA);
}

static struct nlattr *raw_end(struct raw *r)
{
	mnl_attr_nest_end(r->nlh, r->data);
	mnl_attr_nest_end(r->nlh, r->elem);
	return r->elem;
}

/* @n bytes of junk at the end of the open nest (no attribute header). */
static void raw_junk(struct raw *r, unsigned int n)
{
	memset(mnl_nlmsg_get_payload_tail(r->nlh), 0xab, n);
	r->nlh->nlmsg_len += n;
}

static void raw_pool(struct raw *r, const void *addr, size_t len)
{
	struct nlattr *pool, *rs;

	pool = mnl_attr_nest_start(r->nlh, NFTA_FULLNAT_POOL);
	rs = mnl_attr_nest_start(r->nlh, NFTA_LVS_LIST_ELEM);
	mnl_attr_put(r->nlh, NFTA_LVS_RS_ADDR, len, addr);
	mnl_attr_nest_end(r->nlh, rs);
	mnl_attr_nest_end(r->nlh, pool);
}

static void raw_laddrs(struct raw *r)
{
	static const uint8_t a[4] = { 10, 1, 0, 254 };
	struct nlattr *nest = mnl_attr_nest_start(r->nlh, NFTA_FULLNAT_LADDRS);

	mnl_attr_put(r->nlh, NFTA_LVS_LIST_ELEM, 4, a);
	mnl_attr_nest_end(r->nlh, nest);
}

static void test_wire_expr(void)
{
	static struct raw r;
	struct nlattr *elem;

	/* The element itself. */
	raw_start(&r, NFT_LVS_EXPR_DISPATCH);
	elem = raw_end(&r);
	ACCEPTED(elem);
	elem->nla_type = NFTA_LIST_ELEM + 1;
	REFUSED(elem, EINVAL);
	elem->nla_type = NFTA_LIST_ELEM;
	elem->nla_len = 2;
	REFUSED(elem, EINVAL);

	raw_start(&r, NULL);
	REFUSED(raw_end(&r), EINVAL);
	raw_start(&r, "counter");
	REFUSED(raw_end(&r), ENOENT);
	raw_start(&r, "");
	REFUSED(raw_end(&r), ENOENT);

	r.nlh = msg_start(&r.m);
	r.elem = mnl_attr_nest_start(r.nlh, NFTA_LIST_ELEM);
	mnl_attr_put(r.nlh, NFTA_EXPR_NAME, 7, "fullnat");	/* no NUL */
	mnl_attr_nest_end(r.nlh, r.elem);
	REFUSED(r.elem, EINVAL);

	/* No data at all: fine for lb-dispatch, not for fullnat. */
	r.nlh = msg_start(&r.m);
	r.elem = mnl_attr_nest_start(r.nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(r.nlh, NFTA_EXPR_NAME, NFT_LVS_EXPR_DISPATCH);
	mnl_attr_nest_end(r.nlh, r.elem);
	ACCEPTED(r.elem);
	r.nlh = msg_start(&r.m);
	r.elem = mnl_attr_nest_start(r.nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(r.nlh, NFTA_EXPR_NAME, NFT_LVS_EXPR_FULLNAT);
	mnl_attr_nest_end(r.nlh, r.elem);
	REFUSED(r.elem, EINVAL);

	/* Attributes of a newer kernel are ignored; junk is not. */
	raw_start(&r, NFT_LVS_EXPR_DISPATCH);
	mnl_attr_put_u32(r.nlh, 7, 1);
	ACCEPTED(raw_end(&r));
	raw_start(&r, NFT_LVS_EXPR_DISPATCH);
	raw_junk(&r, 3);
	REFUSED(raw_end(&r), EINVAL);
	raw_start(&r, NFT_LVS_EXPR_DISPATCH);
	mnl_attr_nest_end(r.nlh, r.data);
	raw_junk(&r, 2);
	mnl_attr_nest_end(r.nlh, r.elem);
	REFUSED(r.elem, EINVAL);

	/* NFTA_EXPR_DATA that is not a nest. */
	r.nlh = msg_start(&r.m);
	r.elem = mnl_attr_nest_start(r.nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(r.nlh, NFTA_EXPR_NAME, NFT_LVS_EXPR_SYNPROXY);
	mnl_attr_put(r.nlh, NFTA_EXPR_DATA, 3, "abc");
	mnl_attr_nest_end(r.nlh, r.elem);
	REFUSED(r.elem, EINVAL);
}

static void test_wire_synproxy(void)
{
	static const struct {
		uint16_t	type;
		unsigned int	len;
	} bad[] = {
		{ NFTA_SYNPROXY_LB_MSS, 1 }, { NFTA_SYNPROXY_LB_MSS, 4 },
		{ NFTA_SYNPROXY_LB_MSS, 0 }, { NFTA_SYNPROXY_LB_WSCALE, 2 },
		{ NFTA_SYNPROXY_LB_WSCALE, 0 }, { NFTA_SYNPROXY_LB_TTL, 4 },
		{ NFTA_SYNPROXY_LB_FLAGS, 2 }, { NFTA_SYNPROXY_LB_FLAGS, 8 },
	};
	static const uint8_t bytes[8] = { 0x05, 0xb4, 0, 0, 0, 0, 0, 1 };
	static struct raw r;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_start(&r, NFT_LVS_EXPR_SYNPROXY);
		mnl_attr_put(r.nlh, bad[i].type, bad[i].len, bytes);
		REFUSED(raw_end(&r), EINVAL);
	}
	/* An attribute claiming more than its nest holds. */
	raw_start(&r, NFT_LVS_EXPR_SYNPROXY);
	mnl_attr_put_u32(r.nlh, NFTA_SYNPROXY_LB_FLAGS, 0);
	((struct nlattr *)mnl_attr_get_payload(r.data))->nla_len = 12;
	REFUSED(raw_end(&r), EINVAL);
}

static void test_wire_fullnat(void)
{
	static const uint8_t v4[4] = { 10, 1, 0, 1 };
	static struct raw r;
	struct nlattr *nest, *rs;

	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	raw_pool(&r, v4, 4);
	raw_laddrs(&r);
	ACCEPTED(raw_end(&r));

	/* Scalars of the wrong size. */
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	raw_pool(&r, v4, 4);
	raw_laddrs(&r);
	mnl_attr_put_u16(r.nlh, NFTA_FULLNAT_FAMILY, htons(NFPROTO_IPV4));
	REFUSED(raw_end(&r), EINVAL);
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	raw_pool(&r, v4, 4);
	raw_laddrs(&r);
	mnl_attr_put_u32(r.nlh, NFTA_FULLNAT_PORT_MIN, htonl(6000));
	REFUSED(raw_end(&r), EINVAL);

	/* List entries of another type, or not nested. */
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_POOL);
	rs = mnl_attr_nest_start(r.nlh, NFTA_LVS_LIST_ELEM + 1);
	mnl_attr_put(r.nlh, NFTA_LVS_RS_ADDR, 4, v4);
	mnl_attr_nest_end(r.nlh, rs);
	mnl_attr_nest_end(r.nlh, nest);
	raw_laddrs(&r);
	REFUSED(raw_end(&r), EINVAL);

	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_POOL);
	mnl_attr_put(r.nlh, NFTA_LVS_LIST_ELEM, 3, v4);
	mnl_attr_nest_end(r.nlh, nest);
	raw_laddrs(&r);
	REFUSED(raw_end(&r), EINVAL);

	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	raw_pool(&r, v4, 4);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_LADDRS);
	mnl_attr_put(r.nlh, NFTA_LVS_LIST_ELEM + 1, 4, v4);
	mnl_attr_nest_end(r.nlh, nest);
	REFUSED(raw_end(&r), EINVAL);

	/* Port and weight of the wrong size. */
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_POOL);
	rs = mnl_attr_nest_start(r.nlh, NFTA_LVS_LIST_ELEM);
	mnl_attr_put(r.nlh, NFTA_LVS_RS_ADDR, 4, v4);
	mnl_attr_put_u32(r.nlh, NFTA_LVS_RS_PORT, htonl(80));
	mnl_attr_nest_end(r.nlh, rs);
	mnl_attr_nest_end(r.nlh, nest);
	raw_laddrs(&r);
	REFUSED(raw_end(&r), EINVAL);

	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_POOL);
	rs = mnl_attr_nest_start(r.nlh, NFTA_LVS_LIST_ELEM);
	mnl_attr_put(r.nlh, NFTA_LVS_RS_ADDR, 4, v4);
	mnl_attr_put_u16(r.nlh, NFTA_LVS_RS_WEIGHT, htons(1));
	mnl_attr_nest_end(r.nlh, rs);
	mnl_attr_nest_end(r.nlh, nest);
	raw_laddrs(&r);
	REFUSED(raw_end(&r), EINVAL);

	/* Junk after the last entry of a list. */
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	raw_pool(&r, v4, 4);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_LADDRS);
	mnl_attr_put(r.nlh, NFTA_LVS_LIST_ELEM, 4, v4);
	raw_junk(&r, 2);
	mnl_attr_nest_end(r.nlh, nest);
	REFUSED(raw_end(&r), EINVAL);

	/* Unknown attributes inside an entry are ignored, like elsewhere. */
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_POOL);
	rs = mnl_attr_nest_start(r.nlh, NFTA_LVS_LIST_ELEM);
	mnl_attr_put(r.nlh, NFTA_LVS_RS_ADDR, 4, v4);
	mnl_attr_put_u32(r.nlh, NFTA_LVS_RS_MAX + 1, 0);
	mnl_attr_nest_end(r.nlh, rs);
	mnl_attr_nest_end(r.nlh, nest);
	raw_laddrs(&r);
	mnl_attr_put_u32(r.nlh, NFTA_FULLNAT_MAX + 1, 0);
	ACCEPTED(raw_end(&r));

	/* Set names: a nest where a string belongs, a second name. */
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	mnl_attr_put_strz(r.nlh, NFTA_FULLNAT_POOL_SET, "web");
	mnl_attr_put_strz(r.nlh, NFTA_FULLNAT_LADDRS_SET, "lips");
	ACCEPTED(raw_end(&r));
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	nest = mnl_attr_nest_start(r.nlh, NFTA_FULLNAT_POOL_SET);
	mnl_attr_put_strz(r.nlh, NFTA_LVS_LIST_ELEM, "web");
	mnl_attr_nest_end(r.nlh, nest);
	mnl_attr_put_strz(r.nlh, NFTA_FULLNAT_LADDRS_SET, "lips");
	REFUSED(raw_end(&r), EINVAL);
	/* A name cut by its nest. */
	raw_start(&r, NFT_LVS_EXPR_FULLNAT);
	mnl_attr_put_strz(r.nlh, NFTA_FULLNAT_LADDRS_SET, "lips");
	mnl_attr_put_strz(r.nlh, NFTA_FULLNAT_POOL_SET, "web");
	((struct nlattr *)((char *)mnl_attr_get_payload(r.data) + 12))->nla_len = 12;
	REFUSED(raw_end(&r), EINVAL);
}

/* Deterministic: every run mutates the same way. */
static uint32_t rng_state = 2463534242u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* One to four random edits of the bytes, lengths included. */
static void mutate(uint8_t *p, size_t len)
{
	unsigned int n = 1 + rng() % 4;
	uint16_t v;
	size_t off;

	while (n--) {
		off = rng() % len;
		switch (rng() % 5) {
		case 0:
			p[off] ^= 1 << (rng() % 8);
			break;
		case 1:
			p[off] = rng();
			break;
		case 2:	/* an nla_len, somewhere near the truth */
			off &= ~(size_t)3;
			memcpy(&v, p + off, 2);
			v += (int)(rng() % 17) - 8;
			memcpy(p + off, &v, 2);
			break;
		case 3:	/* an nla_type */
			off = (off & ~(size_t)3) + 2;
			if (off + 1 < len)
				p[off] = rng() % 12;
			break;
		case 4:	/* cut the element short */
			v = MNL_ATTR_HDRLEN + rng() % (len - MNL_ATTR_HDRLEN);
			memcpy(p, &v, 2);
			break;
		}
	}
}

/* Whatever parsed must print, rebuild and parse to the same thing. */
static bool parsed_is_sane(const struct nftlvs_expr *e)
{
	struct nftlvs_expr *again = roundtrip(e);
	char buf[64];
	int len;
	bool ok;

	len = nftlvs_expr_snprintf(buf, sizeof(buf), e,
				   NFTLVS_OUTPUT_DEFAULT, 0);
	ok = len > 0 && (size_t)len == strlen(print(e, 0, 0)) &&
	     nftlvs_expr_snprintf(NULL, 0, e, NFTLVS_OUTPUT_JSON, 0) > 0 &&
	     again && nftlvs_expr_cmp(e, again) &&
	     nftlvs_expr_fullnat_rs_count(e) <= NFT_FULLNAT_POOL_MAX &&
	     nftlvs_expr_fullnat_laddr_count(e) <= NFT_FULLNAT_LADDRS_MAX;
	nftlvs_expr_free(again);
	return ok;
}

#define MUTATIONS	5000

static void fuzz_one(const struct nftlvs_expr *base)
{
	static struct msg m, work;
	struct nlattr *elem = msg_expr(&m, base);
	unsigned int i, accepted = 0, insane = 0, bad_errno = 0;
	size_t len = elem->nla_len;
	struct nftlvs_expr *e;
	uint16_t nla_len;

	for (i = 0; i < MUTATIONS; i++) {
		memcpy(work.buf, elem, len);
		mutate((uint8_t *)work.buf, len);
		/* The caller's duty: the element lies inside the buffer. */
		memcpy(&nla_len, work.buf, 2);
		if (nla_len < MNL_ATTR_HDRLEN || nla_len > len)
			nla_len = len;
		memcpy(work.buf, &nla_len, 2);

		e = parse_copy((struct nlattr *)work.buf);
		if (e) {
			accepted++;
			if (!parsed_is_sane(e))
				insane++;
		} else if (errno != EINVAL && errno != ENOENT) {
			bad_errno++;
		}
		nftlvs_expr_free(e);
	}
	CHECK(insane == 0);
	CHECK(bad_errno == 0);
	printf("%s: %u of %u mutations accepted\n", nftlvs_expr_get_name(base),
	       accepted, MUTATIONS);
	/* Both outcomes happen, or the mutations test nothing. */
	CHECK(accepted > 0 && accepted < MUTATIONS);
}

static struct nftlvs_expr *synproxy_all(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);

	nftlvs_expr_set_u16(e, NFTLVS_SYNPROXY_LB_MSS, 1460);
	nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_WSCALE, 7);
	nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_TTL, 63);
	nftlvs_expr_set_u32(e, NFTLVS_SYNPROXY_LB_FLAGS, 3);
	return e;
}

/* As the kernel dumps it: every attribute there. */
static struct nftlvs_expr *fullnat_v4(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4);
	add_rs(e, "10.1.0.1", 8080, 3);
	add_rs(e, "10.1.0.2", 0, 1);
	add_rs(e, "10.1.0.3", 8080, 0);
	add_laddr(e, "10.1.0.254");
	add_laddr(e, "10.1.0.253");
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 5000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 65535);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_MH);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_TIMEOUT, 90);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_TOA);
	return e;
}

static struct nftlvs_expr *fullnat_v6(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV6);
	add_rs(e, "2001:db8::1", 443, 2);
	add_rs(e, "2001:db8::2", 0, 1);
	add_laddr(e, "2001:db8:1::fe");
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 1024);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 2047);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_MASK);
	return e;
}

/* Sets on both sides, the rest as the kernel dumps it. */
static struct nftlvs_expr *fullnat_sets_all(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4);
	nftlvs_expr_set_str(e, NFTLVS_FULLNAT_POOL_SET, "web");
	nftlvs_expr_set_str(e, NFTLVS_FULLNAT_LADDRS_SET, "lips");
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 5000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 65535);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_WLC);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_TOA);
	return e;
}

static void test_fuzz(void)
{
	struct nftlvs_expr *e;

	e = synproxy_all();
	fuzz_one(e);
	nftlvs_expr_free(e);

	e = fullnat_v4();
	fuzz_one(e);
	nftlvs_expr_free(e);

	e = fullnat_v6();
	fuzz_one(e);
	nftlvs_expr_free(e);

	e = fullnat_sets_all();
	fuzz_one(e);
	nftlvs_expr_free(e);

	e = nftlvs_expr_alloc(NFT_LVS_EXPR_DISPATCH);
	fuzz_one(e);
	nftlvs_expr_free(e);
}
int main(void)
{
	test_wire_expr();
	test_wire_synproxy();
	test_wire_fullnat();
	test_fuzz();
	return tests_finish();
}
