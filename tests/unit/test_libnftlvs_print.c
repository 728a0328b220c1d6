// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libnftlvs: the exact text and JSON the statements print as (golden
 * outputs), timeouts, odd values, snprintf limits and names.
 */
#include "libnftlvs_fixture.h"

/* The example of syntax.md. */
static struct nftlvs_expr *fullnat_example(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4);
	add_rs(e, "10.1.0.1", 8080, 3);
	add_rs(e, "10.1.0.2", 8080, 1);
	add_rs(e, "10.1.0.3", 8080, 1);
	add_laddr(e, "10.1.0.254");
	add_laddr(e, "10.1.0.253");
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_MH);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_TOA);
	return e;
}

/* What the kernel dumps: every default filled in. */
static struct nftlvs_expr *fullnat_defaults(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4);
	add_rs(e, "10.1.0.1", 0, 1);
	add_rs(e, "10.1.0.2", 0, 1);
	add_laddr(e, "10.1.0.254");
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 5000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 65535);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_WLC);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, 0);
	return e;
}

static struct nftlvs_expr *fullnat_ipv6(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV6);
	add_rs(e, "2001:db8::1", 8080, 2);
	add_rs(e, "2001:db8::2", 0, 0);
	add_laddr(e, "2001:db8:1::fe");
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 10000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 20000);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_TIMEOUT, 90);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_MASK);
	return e;
}

/* syntax.md's service on sets: as the kernel dumps it. */
static struct nftlvs_expr *fullnat_set_example(void)
{
	struct nftlvs_expr *e = fullnat_sets("web", "lips");

	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, 5000);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, 65535);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_WLC);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_TOA);
	return e;
}

static struct nftlvs_expr *synproxy(int mss, int wscale, int ttl, int flags)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);

	if (mss >= 0)
		nftlvs_expr_set_u16(e, NFTLVS_SYNPROXY_LB_MSS, mss);
	if (wscale >= 0)
		nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_WSCALE, wscale);
	if (ttl >= 0)
		nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_TTL, ttl);
	if (flags >= 0)
		nftlvs_expr_set_u32(e, NFTLVS_SYNPROXY_LB_FLAGS, flags);
	return e;
}

/* Text and JSON, both from the object and from its parsed copy. */
static void check_golden(struct nftlvs_expr *e, const char *text,
			 const char *json)
{
	struct nftlvs_expr *back = roundtrip(e);

	CHECK_STR(print(e, NFTLVS_OUTPUT_DEFAULT, 0), text);
	CHECK_STR(print(e, NFTLVS_OUTPUT_JSON, 0), json);
	if (CHECK(back != NULL)) {
		CHECK_STR(print(back, NFTLVS_OUTPUT_DEFAULT, 0), text);
		CHECK_STR(print(back, NFTLVS_OUTPUT_JSON, 0), json);
	}
	nftlvs_expr_free(back);
	nftlvs_expr_free(e);
}

static void test_golden(void)
{
	check_golden(nftlvs_expr_alloc(NFT_LVS_EXPR_DISPATCH), "lb-dispatch",
		     "{\"lb-dispatch\": null}");
	check_golden(synproxy(-1, -1, -1, -1), "synproxy-lb",
		     "{\"synproxy-lb\": null}");
	check_golden(synproxy(1452, 0, 63, 0), "synproxy-lb",
		     "{\"synproxy-lb\": null}");
	check_golden(synproxy(1460, 7, 63, 3),
		     "synproxy-lb mss 1460 wscale 7 sack-perm timestamp",
		     "{\"synproxy-lb\": {\"mss\": 1460, \"wscale\": 7, "
		     "\"flags\": [\"sack-perm\", \"timestamp\"]}}");
	check_golden(synproxy(-1, -1, 64, 7),
		     "synproxy-lb sack-perm timestamp ttl 64 defer",
		     "{\"synproxy-lb\": {\"ttl\": 64, "
		     "\"flags\": [\"sack-perm\", \"timestamp\", \"defer\"]}}");
	check_golden(synproxy(-1, 14, -1, NFT_SYNPROXY_LB_F_DEFER),
		     "synproxy-lb wscale 14 defer",
		     "{\"synproxy-lb\": {\"wscale\": 14, \"flags\": [\"defer\"]}}");
	check_golden(fullnat_example(),
		     "fullnat to { 10.1.0.1:8080 weight 3, 10.1.0.2:8080, "
		     "10.1.0.3:8080 } via { 10.1.0.254, 10.1.0.253 } "
		     "sched mh flags toa",
		     "{\"fullnat\": {\"to\": [{\"addr\": \"10.1.0.1\", "
		     "\"port\": 8080, \"weight\": 3}, {\"addr\": \"10.1.0.2\", "
		     "\"port\": 8080}, {\"addr\": \"10.1.0.3\", \"port\": 8080}], "
		     "\"via\": [\"10.1.0.254\", \"10.1.0.253\"], "
		     "\"sched\": \"mh\", \"flags\": [\"toa\"]}}");
	check_golden(fullnat_defaults(),
		     "fullnat to { 10.1.0.1, 10.1.0.2 } via { 10.1.0.254 }",
		     "{\"fullnat\": {\"to\": [{\"addr\": \"10.1.0.1\"}, "
		     "{\"addr\": \"10.1.0.2\"}], \"via\": [\"10.1.0.254\"]}}");
	check_golden(fullnat_ipv6(),
		     "fullnat to { [2001:db8::1]:8080 weight 2, 2001:db8::2 "
		     "weight 0 } via { 2001:db8:1::fe } ports 10000-20000 "
		     "timeout 1m30s flags toa,strip-timestamps,rst-on-expire,"
		     "toa-kind-253",
		     "{\"fullnat\": {\"to\": [{\"addr\": \"2001:db8::1\", "
		     "\"port\": 8080, \"weight\": 2}, {\"addr\": \"2001:db8::2\", "
		     "\"weight\": 0}], \"via\": [\"2001:db8:1::fe\"], "
		     "\"ports\": {\"range\": [10000, 20000]}, \"timeout\": 90, "
		     "\"flags\": [\"toa\", \"strip-timestamps\", "
		     "\"rst-on-expire\", \"toa-kind-253\"]}}");
	check_golden(fullnat_set_example(),
		     "fullnat to @web via @lips flags toa",
		     "{\"fullnat\": {\"to\": \"@web\", \"via\": \"@lips\", "
		     "\"flags\": [\"toa\"]}}");
	check_golden(fullnat_sets("web", NULL),
		     "fullnat to @web via { 10.1.0.254 }",
		     "{\"fullnat\": {\"to\": \"@web\", "
		     "\"via\": [\"10.1.0.254\"]}}");
	check_golden(fullnat_sets(NULL, "lips"),
		     "fullnat to { 10.1.0.1:80 } via @lips",
		     "{\"fullnat\": {\"to\": [{\"addr\": \"10.1.0.1\", "
		     "\"port\": 80}], \"via\": \"@lips\"}}");
	/* JSON escapes what the kernel would take in a name. */
	check_golden(fullnat_sets("a\"b\\c\t", "x-y.z/1"),
		     "fullnat to @a\"b\\c\t via @x-y.z/1",
		     "{\"fullnat\": {\"to\": \"@a\\\"b\\\\c\\u0009\", "
		     "\"via\": \"@x-y.z/1\"}}");
}

static const char *fullnat_timeout(uint32_t secs, uint32_t flags)
{
	struct nftlvs_expr *e = fullnat_min();
	static char buf[256];
	const char *p;

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_TIMEOUT, secs);
	nftlvs_expr_snprintf(buf, sizeof(buf), e, NFTLVS_OUTPUT_DEFAULT, flags);
	nftlvs_expr_free(e);
	p = strstr(buf, "timeout ");
	return p ? p + 8 : buf;
}

/* nft's time_print(): d, h, m, s, zero parts left out. */
static void test_time(void)
{
	CHECK_STR(fullnat_timeout(90, 0), "1m30s");
	CHECK_STR(fullnat_timeout(59, 0), "59s");
	CHECK_STR(fullnat_timeout(3600, 0), "1h");
	CHECK_STR(fullnat_timeout(900, 0), "15m");
	CHECK_STR(fullnat_timeout(86400 + 3661, 0), "1d1h1m1s");
	CHECK_STR(fullnat_timeout(NFT_FULLNAT_TIMEOUT_MAX, 0), "30d");
	CHECK_STR(fullnat_timeout(0, 0), "0s");
	CHECK_STR(fullnat_timeout(90, NFTLVS_OF_SECONDS), "90s");
}

/* Values only the API can produce still print, not silently vanish. */
static void test_print_odd(void)
{
	struct nftlvs_expr *e = fullnat_min();
	uint8_t raw[3] = { 0x0a, 0x01, 0x00 };
	struct nftlvs_rs rs = {
		.present = NFTLVS_RS_ADDR | NFTLVS_RS_PORT,
		.addr = raw, .addr_len = 3, .port = 80,
	};

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, 99);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, 0x11);
	nftlvs_expr_fullnat_add_rs_raw(e, &rs);
	CHECK_STR(print(e, NFTLVS_OUTPUT_DEFAULT, 0),
		  "fullnat to { 10.1.0.1:8080, hex:0a0100:80 } via "
		  "{ 10.1.0.254 } sched 99 flags toa,0x10");
	CHECK_STR(print(e, NFTLVS_OUTPUT_JSON, 0),
		  "{\"fullnat\": {\"to\": [{\"addr\": \"10.1.0.1\", "
		  "\"port\": 8080}, {\"addr\": \"hex:0a0100\", \"port\": 80}], "
		  "\"via\": [\"10.1.0.254\"], \"sched\": 99, "
		  "\"flags\": [\"toa\", \"0x10\"]}}");
	nftlvs_expr_free(e);

	e = synproxy(-1, -1, -1, 0x11);
	CHECK_STR(print(e, NFTLVS_OUTPUT_DEFAULT, 0),
		  "synproxy-lb sack-perm flags 0x10");
	nftlvs_expr_free(e);

	e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	nftlvs_expr_fullnat_test_empty(e, NFTLVS_FULLNAT_POOL);
	CHECK_STR(print(e, NFTLVS_OUTPUT_DEFAULT, 0),
		  "fullnat to { } via { }");
	nftlvs_expr_free(e);

	/* A set and a list side by side: both shown, never loadable. */
	e = fullnat_min();
	nftlvs_expr_set_str(e, NFTLVS_FULLNAT_POOL_SET, "web");
	nftlvs_expr_set_str(e, NFTLVS_FULLNAT_LADDRS_SET, "lips");
	CHECK_STR(print(e, NFTLVS_OUTPUT_DEFAULT, 0),
		  "fullnat to @web { 10.1.0.1:8080 } via @lips { 10.1.0.254 }");
	CHECK_STR(print(e, NFTLVS_OUTPUT_JSON, 0),
		  "{\"fullnat\": {\"to\": \"@web\", \"to\": [{\"addr\": "
		  "\"10.1.0.1\", \"port\": 8080}], \"via\": \"@lips\", "
		  "\"via\": [\"10.1.0.254\"]}}");
	nftlvs_expr_free(e);
}

/* snprintf() semantics: needed length, truncation, NUL termination. */
static void test_snprintf(void)
{
	struct nftlvs_expr *e = fullnat_example();
	const char *full = print(e, NFTLVS_OUTPUT_DEFAULT, 0);
	int len = strlen(full);
	char small[11];

	CHECK(nftlvs_expr_snprintf(NULL, 0, e, NFTLVS_OUTPUT_DEFAULT, 0) == len);
	memset(small, 'x', sizeof(small));
	CHECK(nftlvs_expr_snprintf(small, sizeof(small), e,
				   NFTLVS_OUTPUT_DEFAULT, 0) == len);
	CHECK(!memcmp(small, full, 10) && small[10] == '\0');
	CHECK(nftlvs_expr_snprintf(small, 1, e, NFTLVS_OUTPUT_JSON, 0) > 1 &&
	      small[0] == '\0');
	CHECK_ERR(nftlvs_expr_snprintf(small, sizeof(small), e, 1, 0),
		  EOPNOTSUPP);
	nftlvs_expr_free(e);
}

static void test_names(void)
{
	CHECK(nftlvs_sched_lookup("rr") == NFT_LVS_SCHED_RR);
	CHECK(nftlvs_sched_lookup("mh") == NFT_LVS_SCHED_MH);
	CHECK(nftlvs_sched_lookup("wlc") == NFT_LVS_SCHED_WLC);
	CHECK(nftlvs_sched_lookup("dh") == -1);
	CHECK(nftlvs_sched_lookup(NULL) == -1);
	CHECK_STR(nftlvs_sched_name(NFT_LVS_SCHED_SH), "sh");
	CHECK(nftlvs_sched_name(__NFT_LVS_SCHED_MAX) == NULL);

	CHECK(nftlvs_flag_lookup("fullnat", "toa") == NFT_FULLNAT_F_TOA);
	CHECK(nftlvs_flag_lookup("fullnat", "strip-timestamps") ==
	      NFT_FULLNAT_F_STRIP_TS);
	CHECK(nftlvs_flag_lookup("fullnat", "rst-on-expire") ==
	      NFT_FULLNAT_F_RST_ON_EXPIRE);
	CHECK(nftlvs_flag_lookup("synproxy-lb", "sack-perm") ==
	      NFT_SYNPROXY_LB_F_SACK_PERM);
	CHECK(nftlvs_flag_lookup("synproxy-lb", "timestamp") ==
	      NFT_SYNPROXY_LB_F_TIMESTAMP);
	CHECK(nftlvs_flag_lookup("synproxy-lb", "defer") ==
	      NFT_SYNPROXY_LB_F_DEFER);
	CHECK(nftlvs_flag_lookup("synproxy-lb", "toa") == 0);
	CHECK(nftlvs_flag_lookup("lb-dispatch", "toa") == 0);
	CHECK(nftlvs_flag_lookup("nat", "toa") == 0);
	CHECK_STR(nftlvs_flag_name("fullnat", NFT_FULLNAT_F_RST_ON_EXPIRE),
		  "rst-on-expire");
	CHECK(nftlvs_flag_name("fullnat", 3) == NULL);
	CHECK_STR(nftlvs_flag_name("fullnat", NFT_FULLNAT_F_TOA_KIND253),
		  "toa-kind-253");
	CHECK(nftlvs_flag_name("fullnat", 16) == NULL);
}

int main(void)
{
	test_golden();
	test_time();
	test_print_odd();
	test_snprintf();
	test_names();
	return tests_finish();
}
