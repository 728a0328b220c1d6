// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs: the netlink splice. Batches as libnftables builds them (here
 * with libnftnl) get their placeholders replaced by our expressions with
 * every length right; rules as the kernel sends them get our expressions
 * replaced by placeholders that libnftnl parses; errors about spliced
 * messages point back into the message nft built.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>

#include "../../nft-plugin/nftlvs.h"

unsigned int nftlvs_errors;
bool nftlvs_json_input;

#define SEQ	100

static struct nftnl_expr *stock(const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!strcmp(name, "counter")) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
	} else if (!strcmp(name, "immediate")) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	}
	return e;
}

static struct nftnl_expr *placeholder(unsigned int idx)
{
	struct nftnl_expr *e = nftnl_expr_alloc("log");
	char m[64];

	marker_format(m, sizeof(m), idx);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, m);
	return e;
}

static struct nftlvs_expr *fullnat(unsigned int nrs, int af)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	uint8_t addr[16] = { 10, 1, 0, 0 };
	unsigned int i;

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY,
			    af == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
	for (i = 0; i < nrs; i++) {
		addr[2] = i >> 8;
		addr[3] = i;
		nftlvs_expr_fullnat_add_rs(e, af, addr, 8080, 1 + i % 3);
	}
	addr[3] = 254;
	addr[2] = 0;
	nftlvs_expr_fullnat_add_laddr(e, af, addr);
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, NFT_LVS_SCHED_MH);
	return e;
}

/* BEGIN, one NEWRULE with @exprs (taken), END. */
static size_t batch(char *buf, struct nftnl_expr **exprs, unsigned int n,
		    uint16_t family)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	size_t off = 0;
	unsigned int i;

	nlh = nftnl_batch_begin(buf, SEQ - 1);
	off += nlh->nlmsg_len;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "lvs");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "pre");
	for (i = 0; i < n; i++)
		nftnl_rule_add_expr(r, exprs[i]);
	nlh = nftnl_nlmsg_build_hdr(buf + off, NFT_MSG_NEWRULE, family,
				    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK,
				    SEQ);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	off += nlh->nlmsg_len;
	nlh = nftnl_batch_end(buf + off, SEQ + 1);
	return off + nlh->nlmsg_len;
}

/* The NEWRULE message of a batch. */
static struct nlmsghdr *rule_of(void *buf, size_t len)
{
	struct nlmsghdr *nlh = buf;
	int left = len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE))
			return nlh;
	}
	return NULL;
}

/* Expression names of a rule message, and every length consistent. */
static bool rule_names(const struct nlmsghdr *nlh, char *names, size_t size,
		       const struct nlattr **elems, unsigned int *nelems)
{
	const struct nlattr *a, *elem, *name;
	size_t sum = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));
	size_t nest_sum;

	names[0] = '\0';
	*nelems = 0;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		sum += MNL_ALIGN(a->nla_len);
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		nest_sum = MNL_ATTR_HDRLEN;
		mnl_attr_for_each_nested(elem, a) {
			nest_sum += MNL_ALIGN(elem->nla_len);
			name = mnl_attr_get_payload(elem);
			if (mnl_attr_get_type(name) != NFTA_EXPR_NAME)
				return false;
			strncat(names, mnl_attr_get_str(name), size - strlen(names) - 2);
			strcat(names, " ");
			elems[(*nelems)++] = elem;
		}
		if (nest_sum != a->nla_len)
			return false;
	}
	return sum == nlh->nlmsg_len;
}

static void test_out(void)
{
	static char buf[1 << 20];
	struct nftlvs_expr *fn = fullnat(3, AF_INET), *parsed;
	struct nftlvs_expr *sp = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	int ifn, isp;
	struct nftnl_expr *exprs[5];
	const struct nlattr *elems[8];
	unsigned int nelems;
	struct nlmsghdr *nlh;
	char names[256];
	size_t len, out_len;
	void *out;

	nftlvs_expr_set_u16(sp, NFTLVS_SYNPROXY_LB_MSS, 1460);
	isp = stmt_add(sp, NULL);
	ifn = stmt_add(fn, NULL);
	exprs[0] = stock("counter");
	exprs[1] = placeholder(isp);
	exprs[2] = placeholder(ifn);
	exprs[3] = stock("counter");
	exprs[4] = stock("immediate");
	len = batch(buf, exprs, 5, NFPROTO_IPV4);

	CHECK(splice_batch(buf, len, &out, &out_len) == 0 && out);
	nlh = rule_of(out, out_len);
	CHECK(nlh && rule_names(nlh, names, sizeof(names), elems, &nelems));
	CHECK_STR(names, "counter synproxy-lb fullnat counter immediate ");
	parsed = nftlvs_expr_parse(elems[2]);
	CHECK(parsed && nftlvs_expr_cmp(parsed, fn));
	nftlvs_expr_free(parsed);
	parsed = nftlvs_expr_parse(elems[1]);
	CHECK(parsed && nftlvs_expr_cmp(parsed, sp));
	nftlvs_expr_free(parsed);
	/* BEGIN and END unchanged around it. */
	CHECK(!memcmp(out, buf, ((struct nlmsghdr *)buf)->nlmsg_len));
	free(out);

	/* No placeholder: nothing to do. */
	exprs[0] = stock("counter");
	len = batch(buf, exprs, 1, NFPROTO_IPV4);
	CHECK(splice_batch(buf, len, &out, &out_len) == 0 && !out);
	/* A user's own log prefix that only looks like ours stays a log. */
	exprs[0] = nftnl_expr_alloc("log");
	nftnl_expr_set_str(exprs[0], NFTNL_EXPR_LOG_PREFIX, "nftlvs-00000000-0");
	len = batch(buf, exprs, 1, NFPROTO_IPV4);
	CHECK(splice_batch(buf, len, &out, &out_len) == 0 && !out);
}

/* A rule as the kernel dumps it, back to placeholders and back again. */
static void test_in(void)
{
	static char buf[1 << 20], dump[1 << 20];
	struct nftlvs_expr *fn = fullnat(512, AF_INET6);
	struct nftnl_expr *exprs[3], *e;
	struct nftnl_expr_iter *it;
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;
	char *text;
	size_t len, out_len, tlen;
	ssize_t n;
	void *out;
	int idx;
	FILE *f;

	idx = stmt_add(fn, NULL);
	exprs[0] = stock("counter");
	exprs[1] = placeholder(idx);
	exprs[2] = stock("immediate");
	len = batch(buf, exprs, 3, NFPROTO_IPV6);
	CHECK(splice_batch(buf, len, &out, &out_len) == 0 && out);
	nlh = rule_of(out, out_len);
	CHECK(nlh && nlh->nlmsg_len > 20000);
	/* The kernel's dump: the rule message alone, flags aside. */
	memcpy(dump, nlh, nlh->nlmsg_len);
	len = nlh->nlmsg_len;
	free(out);
	splice_forget();

	n = splice_recv(dump, len, sizeof(dump));
	CHECK(n > 0 && (size_t)n < len);
	r = nftnl_rule_alloc();
	CHECK(nftnl_rule_nlmsg_parse((struct nlmsghdr *)dump, r) == 0);
	it = nftnl_expr_iter_create(r);
	e = nftnl_expr_iter_next(it);
	CHECK(e && !strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter"));
	e = nftnl_expr_iter_next(it);
	CHECK(e && !strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "log"));
	idx = marker_parse(nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX),
			   strlen(nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX)));
	CHECK(idx >= 0 && nftlvs_expr_cmp(stmt_get(idx)->expr, fn));
	CHECK(stmt_get(idx)->family == NFPROTO_IPV6);
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);

	/* The placeholder prints as the statement. */
	f = open_memstream(&text, &tlen);
	fprintf(f, "counter log prefix \"");
	marker_format(buf, 64, idx);
	fprintf(f, "%s\" accept", buf);
	fclose(f);
	{
		char *shown;
		size_t slen;
		FILE *g = open_memstream(&shown, &slen);

		write_plain(g, text, strlen(text));
		fclose(g);
		CHECK(strstr(shown, "counter fullnat to { [a01::]:8080, [a01:1::]:8080 weight 2, ") == shown);
		CHECK(strstr(shown, " } via { a01:fe:: } sched mh accept"));
		free(shown);
	}
	free(text);

	/* Placeholders only: nothing to change. */
	memcpy(buf, dump, n);
	CHECK(splice_recv(buf, n, n) == n && !memcmp(buf, dump, n));
}

static void put_error(struct nlmsghdr *err, const struct nlmsghdr *req,
		      int error, bool capped, int32_t offs)
{
	struct nlmsgerr *e;

	memset(err, 0, MNL_NLMSG_HDRLEN);
	err->nlmsg_type = NLMSG_ERROR;
	err->nlmsg_len = MNL_NLMSG_HDRLEN;
	err->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(err, sizeof(*e));
	e->error = -error;
	e->msg = *req;
	if (capped) {
		err->nlmsg_flags |= NLM_F_CAPPED;
	} else {
		memcpy(mnl_nlmsg_get_payload_tail(err),
		       mnl_nlmsg_get_payload(req), req->nlmsg_len - MNL_NLMSG_HDRLEN);
		err->nlmsg_len += MNL_ALIGN(req->nlmsg_len - MNL_NLMSG_HDRLEN);
	}
	if (offs >= 0) {
		err->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(err, NLMSGERR_ATTR_MSG, "bad");
		mnl_attr_put_u32(err, NLMSGERR_ATTR_OFFS, offs);
	}
}

static int32_t error_offset(const struct nlmsghdr *err, bool *capped)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(err);
	size_t hlen = sizeof(*e);
	const struct nlattr *a;

	*capped = err->nlmsg_flags & NLM_F_CAPPED;
	if (!(err->nlmsg_flags & NLM_F_ACK_TLVS))
		return -1;
	if (!*capped)
		hlen += MNL_ALIGN(e->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	mnl_attr_for_each(a, err, hlen) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS)
			return mnl_attr_get_u32(a);
	}
	return -1;
}

static void test_errors(void)
{
	static char buf[1 << 16], ebuf[1 << 18];
	const struct nlattr *orig_elems[8], *new_elems[8];
	struct nftnl_expr *exprs[4];
	struct nlmsghdr *orig, *spliced;
	unsigned int n1, n2;
	char names[256];
	size_t len, out_len;
	bool capped;
	void *out;
	ssize_t n;
	int idx;

	idx = stmt_add(fullnat(40, AF_INET), NULL);
	exprs[0] = stock("counter");
	exprs[1] = placeholder(idx);
	exprs[2] = stock("counter");
	exprs[3] = stock("immediate");
	len = batch(buf, exprs, 4, NFPROTO_IPV4);
	CHECK(splice_batch(buf, len, &out, &out_len) == 0 && out);
	orig = rule_of(buf, len);
	spliced = rule_of(out, out_len);
	rule_names(orig, names, sizeof(names), orig_elems, &n1);
	rule_names(spliced, names, sizeof(names), new_elems, &n2);

	/* Inside our expression: its placeholder's place. */
	put_error((struct nlmsghdr *)ebuf, spliced, ERANGE, false,
		  (char *)new_elems[1] - (char *)spliced + 40);
	n = splice_recv(ebuf, ((struct nlmsghdr *)ebuf)->nlmsg_len, sizeof(ebuf));
	CHECK(n > 0 && error_offset((struct nlmsghdr *)ebuf, &capped) ==
		       (char *)orig_elems[1] - (char *)orig && capped);
	CHECK(stmt_get(idx)->kernel_err == ERANGE);
	CHECK((size_t)n < 200);		/* the echo of our request is gone */

	/* After it: moved back by what it grew. */
	put_error((struct nlmsghdr *)ebuf, spliced, EINVAL, true,
		  (char *)new_elems[3] - (char *)spliced);
	splice_recv(ebuf, ((struct nlmsghdr *)ebuf)->nlmsg_len, sizeof(ebuf));
	CHECK(error_offset((struct nlmsghdr *)ebuf, &capped) ==
	      (char *)orig_elems[3] - (char *)orig);

	/* The hook check names no attribute: ours is blamed. */
	stmt_get(idx)->kernel_err = 0;
	put_error((struct nlmsghdr *)ebuf, spliced, EOPNOTSUPP, false, -1);
	splice_recv(ebuf, ((struct nlmsghdr *)ebuf)->nlmsg_len, sizeof(ebuf));
	CHECK(error_offset((struct nlmsghdr *)ebuf, &capped) ==
	      (char *)orig_elems[1] - (char *)orig);
	CHECK(stmt_get(idx)->kernel_err == EOPNOTSUPP);

	/* An error about another message: untouched. */
	spliced->nlmsg_seq = SEQ + 7;
	put_error((struct nlmsghdr *)ebuf, spliced, ENOENT, false, 20);
	len = ((struct nlmsghdr *)ebuf)->nlmsg_len;
	CHECK(splice_recv(ebuf, len, sizeof(ebuf)) == (ssize_t)len);
	CHECK(error_offset((struct nlmsghdr *)ebuf, &capped) == 20 && !capped);

	/* Truncated input never crashes. */
	for (len = 0; len < 200; len += 7)
		splice_recv(ebuf, len, sizeof(ebuf));
	free(out);
	splice_forget();
}

/*
 * A chain and its rules in one batch: an EOPNOTSUPP without a place is
 * put on our expression, unless the batch puts the chain at a hook where
 * our expressions are fine; errors about the chain stay the chain's.
 */
static void test_chain(int hook, bool blamed)
{
	static char buf[1 << 16], ebuf[1 << 16];
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_expr *exprs[1];
	struct nlmsghdr *nlh, *chain, *orig, *spliced;
	const struct nlattr *elems[4];
	unsigned int n;
	char names[64];
	size_t len, out_len, off;
	bool capped;
	void *out;
	int idx;

	idx = stmt_add(nftlvs_expr_alloc(NFT_LVS_EXPR_DISPATCH), NULL);
	exprs[0] = placeholder(idx);
	len = batch(buf, exprs, 1, NFPROTO_IPV4);
	/* Put a NEWCHAIN for lvs/pre (seq SEQ - 2) right after BEGIN. */
	off = ((struct nlmsghdr *)buf)->nlmsg_len;
	memmove(buf + off + 256, buf + off, len - off);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "lvs");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "pre");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, -300);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	chain = nftnl_nlmsg_build_hdr(buf + off, NFT_MSG_NEWCHAIN, NFPROTO_IPV4,
				      NLM_F_CREATE, SEQ - 2);
	nftnl_chain_nlmsg_build_payload(chain, c);
	nftnl_chain_free(c);
	CHECK(chain->nlmsg_len <= 256);
	memmove(buf + off + chain->nlmsg_len, buf + off + 256, len - off);
	len += chain->nlmsg_len;
	CHECK(splice_batch(buf, len, &out, &out_len) == 0 && out);
	orig = rule_of(buf, len);
	spliced = rule_of(out, out_len);
	rule_names(orig, names, sizeof(names), elems, &n);

	stmt_get(idx)->kernel_err = 0;
	put_error((struct nlmsghdr *)ebuf, spliced, EOPNOTSUPP, true, -1);
	splice_recv(ebuf, ((struct nlmsghdr *)ebuf)->nlmsg_len, sizeof(ebuf));
	nlh = (struct nlmsghdr *)ebuf;
	CHECK(nlh->nlmsg_seq == SEQ);
	if (blamed) {
		CHECK(error_offset(nlh, &capped) == (char *)elems[0] - (char *)orig);
		CHECK(stmt_get(idx)->kernel_err == EOPNOTSUPP);
	} else {
		CHECK(error_offset(nlh, &capped) == -1);
		CHECK(stmt_get(idx)->kernel_err == 0);
	}
	/* The chain's own refusal (a hook change, say) stays the chain's. */
	put_error((struct nlmsghdr *)ebuf, chain, EOPNOTSUPP, true, -1);
	len = ((struct nlmsghdr *)ebuf)->nlmsg_len;
	CHECK(splice_recv(ebuf, len, sizeof(ebuf)) == (ssize_t)len);
	CHECK(((struct nlmsghdr *)ebuf)->nlmsg_seq == SEQ - 2);
	free(out);
	splice_forget();
}

/* A bare message of @type (NFT_MSG_*, or a batch marker) with sequence @seq. */
static size_t put_msg(char *p, uint16_t type, bool batch_marker, uint32_t seq,
		      unsigned int pad)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)p;

	memset(p, 0, MNL_ALIGN(sizeof(*nlh) + pad));
	nlh->nlmsg_len = sizeof(*nlh) + pad;
	nlh->nlmsg_type = batch_marker ? type : NFNL_SUBSYS_NFTABLES << 8 | type;
	nlh->nlmsg_seq = seq;
	return MNL_ALIGN(nlh->nlmsg_len);
}

/*
 * JSON input: in each run of creations, tables first, then chains, the
 * rest in order; a deletion ends a run (nothing moves across it); message
 * bodies and sequence numbers travel with their messages.
 */
static void test_chains_first(void)
{
	static const struct { uint16_t type; bool marker; unsigned int pad; } in[] = {
		{ NFNL_MSG_BATCH_BEGIN, true, 4 },	/* seq 1 */
		{ NFT_MSG_DELTABLE, false, 8 },		/* 2 */
		{ NFT_MSG_NEWTABLE, false, 12 },	/* 3 */
		{ NFT_MSG_NEWSET, false, 20 },		/* 4 */
		{ NFT_MSG_NEWSETELEM, false, 3 },	/* 5: unaligned length */
		{ NFT_MSG_NEWOBJ, false, 0 },		/* 6 */
		{ NFT_MSG_NEWCHAIN, false, 16 },	/* 7 */
		{ NFT_MSG_NEWRULE, false, 40 },		/* 8 */
		{ NFT_MSG_NEWCHAIN, false, 24 },	/* 9 */
		{ NFT_MSG_DELCHAIN, false, 4 },		/* 10 */
		{ NFT_MSG_NEWRULE, false, 4 },		/* 11 */
		{ NFT_MSG_NEWCHAIN, false, 4 },		/* 12 */
		{ NFNL_MSG_BATCH_END, true, 4 },	/* 13 */
	};
	static const uint32_t want[] = { 1, 2, 3, 7, 9, 4, 5, 6, 8, 10, 12, 11, 13 };
	char buf[1024], orig[1024];
	const struct nlmsghdr *nlh;
	size_t len = 0, off[16];
	unsigned int i;
	int left;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		off[i] = len;
		len += put_msg(buf + len, in[i].type, in[i].marker, i + 1, in[i].pad);
		/* A body that tells the messages apart. */
		memset(buf + off[i] + sizeof(*nlh), 0xa0 + i, in[i].pad);
	}
	memcpy(orig, buf, len);
	CHECK(splice_chains_first(buf, len) == 0);
	left = len;
	i = 0;
	for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left), i++) {
		uint32_t k = nlh->nlmsg_seq - 1;

		CHECK(i < ARRAY_SIZE(want) && nlh->nlmsg_seq == want[i]);
		CHECK(k < ARRAY_SIZE(in) &&
		      !memcmp(nlh, orig + off[k], nlh->nlmsg_len));
	}
	CHECK(i == ARRAY_SIZE(want));
	/* A truncated buffer is left as it is past the last whole message. */
	memcpy(buf, orig, len);
	CHECK(splice_chains_first(buf, off[7] + 10) == 0);
	CHECK(!memcmp(buf + off[7], orig + off[7], len - off[7]));
}

/* The string attribute @type of @elem's NFTA_EXPR_DATA, or NULL. */
static const char *expr_str_attr(const struct nlattr *elem, uint16_t type)
{
	const struct nlattr *a, *d;

	mnl_attr_for_each_nested(a, elem) {
		if (mnl_attr_get_type(a) != NFTA_EXPR_DATA)
			continue;
		mnl_attr_for_each_nested(d, a) {
			if (mnl_attr_get_type(d) == type &&
			    mnl_attr_validate(d, MNL_TYPE_NUL_STRING) == 0)
				return mnl_attr_get_str(d);
		}
	}
	return NULL;
}

/* What a statement's output stream prints for @line (text or JSON). */
static char *shown(const char *line, bool json)
{
	char *buf;
	size_t len;
	FILE *out = open_memstream(&buf, &len);
	FILE *f = output_open(out, json, false);

	fputs(line, f);
	output_close(f);
	fclose(out);
	return buf;
}

/*
 * Set-backed pools both ways: the names go out as NFTA_FULLNAT_POOL_SET and
 * _LADDRS_SET, a dump of them lists as `to @web via @lips`, in text and
 * JSON, and a refusal is kept with the rule's table for the message.
 */
static void test_sets(void)
{
	static char buf[1 << 16], dump[1 << 16], ebuf[1 << 16], line[512];
	struct nftlvs_expr *fn = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	const struct nlattr *elems[4];
	struct nftnl_expr *exprs[2];
	struct nlmsghdr *nlh;
	struct nftlvs_expr *back;
	char names[64], marker[64], *text;
	unsigned int n;
	size_t len, out_len;
	ssize_t got;
	void *out;
	int idx;

	nftlvs_expr_set_u32(fn, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4);
	nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_POOL_SET, "web");
	nftlvs_expr_set_str(fn, NFTLVS_FULLNAT_LADDRS_SET, "lips");
	nftlvs_expr_set_u32(fn, NFTLVS_FULLNAT_FLAGS, NFT_FULLNAT_F_TOA);
	idx = stmt_add(fn, NULL);
	exprs[0] = placeholder(idx);
	exprs[1] = stock("counter");
	len = batch(buf, exprs, 2, NFPROTO_INET);
	CHECK(splice_batch(buf, len, &out, &out_len) == 0 && out);
	nlh = rule_of(out, out_len);
	CHECK(nlh && rule_names(nlh, names, sizeof(names), elems, &n));
	CHECK_STR(names, "fullnat counter ");
	CHECK_STR(expr_str_attr(elems[0], NFTA_FULLNAT_POOL_SET), "web");
	CHECK_STR(expr_str_attr(elems[0], NFTA_FULLNAT_LADDRS_SET), "lips");
	back = nftlvs_expr_parse(elems[0]);
	CHECK(back && nftlvs_expr_cmp(back, fn) &&
	      nftlvs_expr_fullnat_rs_count(back) == 0);
	nftlvs_expr_free(back);

	/* The kernel refuses the set's shape: the statement keeps why. */
	put_error((struct nlmsghdr *)ebuf, nlh, EPROTOTYPE, true,
		  (char *)elems[0] - (char *)nlh);
	splice_recv(ebuf, ((struct nlmsghdr *)ebuf)->nlmsg_len, sizeof(ebuf));
	CHECK(stmt_get(idx)->kernel_err == EPROTOTYPE);
	CHECK(stmt_get(idx)->family == NFPROTO_INET);
	CHECK_STR(stmt_get(idx)->table, "lvs");

	/* Dumped back: a placeholder that prints as the statement. */
	memcpy(dump, nlh, nlh->nlmsg_len);
	len = nlh->nlmsg_len;
	free(out);
	splice_forget();
	got = splice_recv(dump, len, sizeof(dump));
	CHECK(got > 0);
	nlh = (struct nlmsghdr *)dump;
	CHECK(rule_names(nlh, names, sizeof(names), elems, &n));
	CHECK_STR(names, "log counter ");
	idx = stmt_count() - 1;
	CHECK(nftlvs_expr_cmp(stmt_get(idx)->expr, fn));
	marker_format(marker, sizeof(marker), idx);
	snprintf(line, sizeof(line), "\t\ttcp dport 80 log prefix \"%s\" counter packets 0 bytes 0\n",
		 marker);
	text = shown(line, false);
	CHECK_STR(text, "\t\ttcp dport 80 fullnat to @web via @lips flags toa counter packets 0 bytes 0\n");
	free(text);
	snprintf(line, sizeof(line), "{\"rule\": {\"expr\": [{\"log\": {\"prefix\": \"%s\"}}, {\"counter\": null}]}}\n",
		 marker);
	text = shown(line, true);
	CHECK_STR(text, "{\"rule\": {\"expr\": [{\"fullnat\": {\"to\": \"@web\", \"via\": \"@lips\", \"flags\": [\"toa\"]}}, {\"counter\": null}]}}\n");
	free(text);
}

int main(void)
{
	marker_init();
	test_chains_first();
	test_out();
	test_in();
	test_errors();
	test_chain(NF_INET_LOCAL_IN, true);
	test_chain(NF_INET_PRE_ROUTING, false);
	test_sets();
	splice_forget();
	stmt_free_all();
	return tests_finish();
}
