/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small harness for the libnftlvs unit tests: checks that count, and
 * helpers that put an expression in a message as a rule dump holds it.
 */
#ifndef _NFTLVS_TEST_HARNESS_H_
#define _NFTLVS_TEST_HARNESS_H_

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftlvs/expr.h>
#include <nft_lvs.h>

static unsigned int tests_passed, tests_failed;

static inline bool check(bool ok, const char *file, int line,
			 const char *what)
{
	if (ok) {
		tests_passed++;
	} else {
		tests_failed++;
		fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
	}
	return ok;
}

#define CHECK(cond)	check(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_STR(got, want)						\
	do {								\
		const char *_g = (got), *_w = (want);			\
		if (!check(_g && !strcmp(_g, _w), __FILE__, __LINE__,	\
			   #got " == " #want))				\
			fprintf(stderr, "  got:  %s\n  want: %s\n",	\
				_g ? _g : "(null)", _w);		\
	} while (0)

/* Refused with exactly this errno. */
#define CHECK_ERR(call, err)						\
	do {								\
		errno = 0;						\
		check((call) < 0 && errno == (err), __FILE__, __LINE__,	\
		      #call " fails with " #err);			\
	} while (0)

static inline int tests_finish(void)
{
	printf("%u passed, %u failed\n", tests_passed, tests_failed);
	return tests_failed ? 1 : 0;
}

/* Big enough for the largest expression; aligned like a netlink buffer. */
#define MSG_BUF_SIZE	(2 * 65536)

struct msg {
	uint32_t	buf[MSG_BUF_SIZE / sizeof(uint32_t)];
};

static inline struct nlmsghdr *msg_start(struct msg *m)
{
	memset(m->buf, 0, sizeof(m->buf));
	return mnl_nlmsg_put_header(m->buf);
}

/* @e in an NFTA_LIST_ELEM, as in NFTA_RULE_EXPRESSIONS. */
static inline struct nlattr *msg_expr(struct msg *m,
				      const struct nftlvs_expr *e)
{
	struct nlmsghdr *nlh = msg_start(m);
	struct nlattr *elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);

	nftlvs_expr_build_payload(nlh, e);
	mnl_attr_nest_end(nlh, elem);
	return elem;
}

/* A heap copy of exactly the attribute, so ASan sees any overread. */
static inline struct nlattr *attr_dup(const void *attr, size_t len)
{
	struct nlattr *copy = malloc(len);

	if (!copy)
		abort();
	memcpy(copy, attr, len);
	return copy;
}

static inline struct nftlvs_expr *parse_copy(const struct nlattr *elem)
{
	struct nlattr *copy = attr_dup(elem, elem->nla_len);
	struct nftlvs_expr *e;
	int err;

	e = nftlvs_expr_parse(copy);
	err = errno;
	free(copy);
	errno = err;
	return e;
}

/* Parsing refuses @elem with @err. */
#define REFUSED(elem, err)						\
	do {								\
		struct nftlvs_expr *_e;					\
		errno = 0;						\
		_e = parse_copy(elem);					\
		check(!_e && errno == (err), __FILE__, __LINE__,	\
		      "refused with " #err);				\
		nftlvs_expr_free(_e);					\
	} while (0)

#define ACCEPTED(elem)							\
	do {								\
		struct nftlvs_expr *_e = parse_copy(elem);		\
		check(_e != NULL, __FILE__, __LINE__, "accepted");	\
		nftlvs_expr_free(_e);					\
	} while (0)
/* Build, parse back. */
static inline struct nftlvs_expr *roundtrip(const struct nftlvs_expr *e)
{
	static struct msg m;

	return parse_copy(msg_expr(&m, e));
}

static inline const char *print(const struct nftlvs_expr *e, uint32_t type,
				uint32_t flags)
{
	static char buf[65536];

	if (nftlvs_expr_snprintf(buf, sizeof(buf), e, type, flags) < 0)
		return NULL;
	return buf;
}

static inline void pton(int family, const char *s, void *addr)
{
	if (inet_pton(family, s, addr) != 1)
		abort();
}

/* add_rs() by text address. */
static inline int add_rs(struct nftlvs_expr *e, const char *addr,
			 uint16_t port, uint32_t weight)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	uint8_t a[16];

	pton(family, addr, a);
	return nftlvs_expr_fullnat_add_rs(e, family, a, port, weight);
}

static inline int add_laddr(struct nftlvs_expr *e, const char *addr)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	uint8_t a[16];

	pton(family, addr, a);
	return nftlvs_expr_fullnat_add_laddr(e, family, a);
}

/* A valid fullnat: one IPv4 real server and local address. */
static inline struct nftlvs_expr *fullnat_min(void)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	if (!e || add_rs(e, "10.1.0.1", 8080, 1) < 0 ||
	    add_laddr(e, "10.1.0.254") < 0)
		abort();
	return e;
}

#endif /* _NFTLVS_TEST_HARNESS_H_ */
