// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: a seeded generator of malformed lb-dispatch / synproxy-lb /
 * fullnat attributes, each sent in a well-formed NEWRULE batch to the
 * kernel of the current namespace. Every expression must be refused with
 * an errno (counted per errno) or accepted; an accepted one is dumped,
 * sent back as it was dumped into a second rule, and that rule's dump
 * must be the same bytes (the kernel's reading of an attribute set is a
 * fixpoint). The rules are deleted again after each round.
 *
 *   nlfuzz FAMILY TABLE CHAIN SEED COUNT
 *
 * FAMILY is ip, ip6 or inet; TABLE holds the sets web4 and lips4 (ip,
 * inet) and web6 and lips6 (ip6, inet) that some rules name; CHAIN is a
 * base chain at prerouting. Prints a JSON summary; exits 1 on a broken
 * fixpoint or an unexpected netlink failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "nft_lvs.h"

#define BUF_SIZE	(1 << 17)

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static bool chance(unsigned int percent)
{
	return rnd() % 100 < percent;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* An integer attribute: right size and a telling value mostly, else junk. */
static void put_int(struct nlmsghdr *nlh, uint16_t type, unsigned int size,
		    const uint32_t *good, unsigned int ngood)
{
	static const uint32_t edges[] = { 0, 1, 2, 255, 256, 65535, 65536,
					  0x7fffffff, 0xffffffff };
	uint8_t junk[40];
	uint32_t v;
	unsigned int i, len;

	if (chance(12)) {	/* wrong length, random bytes */
		len = rnd() % sizeof(junk);
		for (i = 0; i < len; i++)
			junk[i] = (uint8_t)rnd();
		mnl_attr_put(nlh, type, len, junk);
		return;
	}
	v = chance(50) && ngood ? good[rnd() % ngood] :
	    chance(60) ? edges[rnd() % 9] : rnd();
	if (size == 1)
		mnl_attr_put_u8(nlh, type, (uint8_t)v);
	else if (size == 2)
		mnl_attr_put_u16(nlh, type, htons((uint16_t)v));
	else
		mnl_attr_put_u32(nlh, type, htonl(v));
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, int family)
{
	uint8_t a[24];
	unsigned int i, len = family == NFPROTO_IPV6 ? 16 : 4;

	if (chance(10))
		len = rnd() % sizeof(a);
	for (i = 0; i < len; i++)
		a[i] = (uint8_t)rnd();
	/* mostly usable unicast addresses */
	if (len == 4 && chance(80)) {
		a[0] = 10;
		a[1] = 1;
	} else if (len == 16 && chance(80)) {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
	}
	mnl_attr_put(nlh, type, len, a);
}

static void put_name(struct nlmsghdr *nlh, uint16_t type, const char *good)
{
	char name[300];
	unsigned int i, len;

	if (chance(60)) {
		mnl_attr_put_strz(nlh, type, good);
		return;
	}
	len = chance(80) ? rnd() % 40 : rnd() % sizeof(name);
	for (i = 0; i < len; i++)
		name[i] = (char)('a' + rnd() % 26);
	if (chance(80))
		mnl_attr_put_strz(nlh, type, (name[len] = 0, name));
	else
		mnl_attr_put(nlh, type, len, name);	/* no terminator */
}

/* A list nest: elements mostly of the right type, sometimes very many. */
static void put_list(struct nlmsghdr *nlh, uint16_t type, int family, bool pool)
{
	static const uint32_t ports[] = { 80, 8080 };
	static const uint32_t weights[] = { 0, 1, 3, 65535, 65536 };
	struct nlattr *list = mnl_attr_nest_start(nlh, type), *elem;
	unsigned int n = chance(5) ? (pool ? 500 + rnd() % 40 : 250 + rnd() % 20) :
			 rnd() % 5, i;

	for (i = 0; i < n; i++) {
		if (chance(3)) {
			put_int(nlh, (uint16_t)(rnd() % 4), 4, NULL, 0);
			continue;
		}
		if (!pool) {
			put_addr(nlh, NFTA_LVS_LIST_ELEM, family);
			continue;
		}
		elem = mnl_attr_nest_start(nlh, NFTA_LVS_LIST_ELEM);
		if (chance(92))
			put_addr(nlh, NFTA_LVS_RS_ADDR, family);
		if (chance(50))
			put_int(nlh, NFTA_LVS_RS_PORT, 2, ports, 2);
		if (chance(40))
			put_int(nlh, NFTA_LVS_RS_WEIGHT, 4, weights, 5);
		if (chance(5))
			put_int(nlh, (uint16_t)(4 + rnd() % 4), 4, NULL, 0);
		mnl_attr_nest_end(nlh, elem);
	}
	mnl_attr_nest_end(nlh, list);
}

static int pick_family(int table_family)
{
	if (table_family == NFPROTO_INET)
		return chance(50) ? NFPROTO_IPV4 : NFPROTO_IPV6;
	return table_family;
}

static void gen_fullnat(struct nlmsghdr *nlh, int table_family)
{
	static const uint32_t families[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	static const uint32_t pmin[] = { 1, 1024, 5000 }, pmax[] = { 1024, 5001, 65535 };
	static const uint32_t scheds[] = { 0, 1, 2, 3, 4, 5, 6 };
	static const uint32_t timeouts[] = { 1, 900, 30 * 24 * 3600, 30 * 24 * 3600 + 1 };
	static const uint32_t flags[] = { 1, 2, 4, 8, 9, 15, 16 };
	int family = pick_family(table_family);
	bool v6 = family == NFPROTO_IPV6;
	unsigned int i, rounds = chance(10) ? 2 : 1;

	for (i = 0; i < rounds; i++) {	/* twice: repeated attributes */
		if (table_family == NFPROTO_INET ? chance(90) : chance(30))
			put_int(nlh, NFTA_FULLNAT_FAMILY, 4, families, 2);
		if (chance(15))
			put_name(nlh, NFTA_FULLNAT_POOL_SET, v6 ? "web6" : "web4");
		else if (chance(95))
			put_list(nlh, NFTA_FULLNAT_POOL, family, true);
		if (chance(15))
			put_name(nlh, NFTA_FULLNAT_LADDRS_SET, v6 ? "lips6" : "lips4");
		else if (chance(95))
			put_list(nlh, NFTA_FULLNAT_LADDRS, family, false);
		if (chance(30))
			put_int(nlh, NFTA_FULLNAT_PORT_MIN, 2, pmin, 3);
		if (chance(30))
			put_int(nlh, NFTA_FULLNAT_PORT_MAX, 2, pmax, 3);
		if (chance(40))
			put_int(nlh, NFTA_FULLNAT_SCHED, 4, scheds, 7);
		if (chance(30))
			put_int(nlh, NFTA_FULLNAT_TIMEOUT, 4, timeouts, 4);
		if (chance(30))
			put_int(nlh, NFTA_FULLNAT_FLAGS, 4, flags, 7);
		if (chance(5))	/* unknown attribute types */
			put_int(nlh, (uint16_t)(NFTA_FULLNAT_MAX + 1 + rnd() % 8), 4, NULL, 0);
	}
}

static void gen_synproxy(struct nlmsghdr *nlh)
{
	static const uint32_t mss[] = { 535, 536, 1452, 65495, 65496 };
	static const uint32_t ws[] = { 0, 7, 14, 15 }, ttl[] = { 0, 1, 63, 255 };
	static const uint32_t flags[] = { 1, 2, 4, 7, 8 };

	if (chance(50))
		put_int(nlh, NFTA_SYNPROXY_LB_MSS, 2, mss, 5);
	if (chance(50))
		put_int(nlh, NFTA_SYNPROXY_LB_WSCALE, 1, ws, 4);
	if (chance(50))
		put_int(nlh, NFTA_SYNPROXY_LB_TTL, 1, ttl, 4);
	if (chance(50))
		put_int(nlh, NFTA_SYNPROXY_LB_FLAGS, 4, flags, 5);
	if (chance(5))
		put_int(nlh, (uint16_t)(NFTA_SYNPROXY_LB_MAX + 1 + rnd() % 8), 4, NULL, 0);
}

static const char *const names[] = {
	NFT_LVS_EXPR_FULLNAT, NFT_LVS_EXPR_SYNPROXY, NFT_LVS_EXPR_DISPATCH,
};

/* NFTA_RULE_EXPRESSIONS with one expression: a fuzzed one, or @data as is. */
static void put_expr(struct nlmsghdr *nlh, int table_family, const char *name,
		     const void *data, size_t len)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	struct nlattr *elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM), *d;

	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	if (data) {
		mnl_attr_put(nlh, NFTA_EXPR_DATA, len, data);
	} else if (!chance(2)) {	/* sometimes no data at all */
		d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
		if (!strcmp(name, NFT_LVS_EXPR_FULLNAT))
			gen_fullnat(nlh, table_family);
		else if (!strcmp(name, NFT_LVS_EXPR_SYNPROXY))
			gen_synproxy(nlh);
		else if (chance(20))
			put_int(nlh, (uint16_t)(rnd() % 4), 4, NULL, 0);
		mnl_attr_nest_end(nlh, d);
	}
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
}

struct ctx {
	struct mnl_socket	*nl;
	int			family;
	const char		*table, *chain;
	uint32_t		seq;
	char			*buf, *rbuf;
};

/* BEGIN, one message built by @fill, END; the kernel's errno or 0. */
static int batch(struct ctx *c, uint16_t type, uint16_t flags,
		 void (*fill)(struct ctx *, struct nlmsghdr *, void *), void *arg)
{
	struct nlmsghdr *nlh;
	uint32_t seq;
	size_t off = 0;
	int n, err = 0;
	bool done = false;

	nlh = nftnl_batch_begin(c->buf, c->seq++);
	off += nlh->nlmsg_len;
	seq = c->seq++;
	nlh = nftnl_nlmsg_build_hdr(c->buf + off, type, (uint16_t)c->family,
				    flags | NLM_F_ACK, seq);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, c->table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, c->chain);
	if (fill)
		fill(c, nlh, arg);
	off += nlh->nlmsg_len;
	nlh = nftnl_batch_end(c->buf + off, c->seq++);
	off += nlh->nlmsg_len;
	if (mnl_socket_sendto(c->nl, c->buf, off) < 0)
		die("sendto");
	while (!done) {
		struct pollfd pfd = { .fd = mnl_socket_get_fd(c->nl), .events = POLLIN };
		const struct nlmsghdr *r;

		if (poll(&pfd, 1, 5000) <= 0)
			return ETIMEDOUT;
		n = mnl_socket_recvfrom(c->nl, c->rbuf, BUF_SIZE);
		if (n < 0)
			die("recvfrom");
		for (r = (void *)c->rbuf; mnl_nlmsg_ok(r, n); r = mnl_nlmsg_next(r, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(r);

			if (r->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error && !err)
				err = -e->error;
			if (r->nlmsg_seq == seq)
				done = true;
		}
	}
	return err;
}

struct fuzz_arg {
	const char	*name;
	const void	*data;
	size_t		len;
};

static void fill_rule(struct ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct fuzz_arg *a = arg;

	put_expr(nlh, c->family, a->name, a->data, a->len);
}

struct dump {
	uint8_t		data[3][BUF_SIZE / 4];	/* the expression data of each rule */
	size_t		len[3];
	unsigned int	n;
};

static int expr_cb(const struct nlattr *attr, void *arg)
{
	struct dump *d = arg;
	const struct nlattr *e;

	if (mnl_attr_get_type(attr) != NFTA_LIST_ELEM || d->n >= 3)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(e, attr) {
		if (mnl_attr_get_type(e) != NFTA_EXPR_DATA)
			continue;
		if (mnl_attr_get_payload_len(e) > sizeof(d->data[0]))
			return MNL_CB_ERROR;
		d->len[d->n] = mnl_attr_get_payload_len(e);
		memcpy(d->data[d->n], mnl_attr_get_payload(e), d->len[d->n]);
	}
	d->n++;
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *attr, *expr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != NFTA_RULE_EXPRESSIONS)
			continue;
		mnl_attr_for_each_nested(expr, attr)
			if (expr_cb(expr, arg) != MNL_CB_OK)
				return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* The expression data of every rule of the chain, in order. */
static void dump_chain(struct ctx *c, struct dump *d)
{
	struct nlmsghdr *nlh;
	int n, ret;

	memset(d->len, 0, sizeof(d->len));
	d->n = 0;
	nlh = nftnl_nlmsg_build_hdr(c->buf, NFT_MSG_GETRULE, (uint16_t)c->family,
				    NLM_F_DUMP, c->seq);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, c->table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, c->chain);
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		die("dump sendto");
	do {
		n = mnl_socket_recvfrom(c->nl, c->rbuf, BUF_SIZE);
		if (n < 0)
			die("dump recvfrom");
		ret = mnl_cb_run(c->rbuf, n, c->seq, mnl_socket_get_portid(c->nl),
				 rule_cb, d);
	} while (ret > 0);
	c->seq++;
	if (ret < 0)
		die("dump");
}

int main(int argc, char **argv)
{
	static struct dump d1, d2;
	struct ctx c = { 0 };
	unsigned long count, i, accepted = 0, broken = 0;
	unsigned long errnos[160] = { 0 };
	struct fuzz_arg a;
	int err, e;

	if (argc != 6) {
		fprintf(stderr, "usage: nlfuzz ip|ip6|inet TABLE CHAIN SEED COUNT\n");
		return 2;
	}
	c.family = !strcmp(argv[1], "ip") ? NFPROTO_IPV4 :
		   !strcmp(argv[1], "ip6") ? NFPROTO_IPV6 :
		   !strcmp(argv[1], "inet") ? NFPROTO_INET : -1;
	if (c.family < 0)
		return 2;
	c.table = argv[2];
	c.chain = argv[3];
	rng = strtoull(argv[4], NULL, 0) * 0x9e3779b97f4a7c15ull | 1;
	count = strtoul(argv[5], NULL, 0);
	c.buf = malloc(BUF_SIZE);
	c.rbuf = malloc(BUF_SIZE);
	c.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!c.buf || !c.rbuf || !c.nl || mnl_socket_bind(c.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink");
	c.seq = (uint32_t)time(NULL);

	for (i = 0; i < count; i++) {
		a = (struct fuzz_arg){ .name = names[rnd() % 3] };
		err = batch(&c, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, fill_rule, &a);
		if (err) {
			errnos[err < 160 ? err : 0]++;
			continue;
		}
		accepted++;
		dump_chain(&c, &d1);
		if (d1.n != 1) {
			fprintf(stderr, "round %lu: %u rules after one was added\n", i, d1.n);
			return 1;
		}
		/* the dump, sent back as it is, dumps the same */
		a.data = d1.data[0];
		a.len = d1.len[0];
		e = batch(&c, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, fill_rule, &a);
		dump_chain(&c, &d2);
		if (e || d2.n != 2 || d2.len[1] != d1.len[0] ||
		    memcmp(d2.data[1], d1.data[0], d1.len[0])) {
			fprintf(stderr, "round %lu: %s dumped back: errno %d, %u rules, "
				"%zu vs %zu bytes\n", i, a.name, e, d2.n, d2.len[1], d1.len[0]);
			broken++;
		}
		err = batch(&c, NFT_MSG_DELRULE, 0, NULL, NULL);
		if (err) {
			fprintf(stderr, "round %lu: flushing the chain: errno %d\n", i, err);
			return 1;
		}
	}
	printf("{\"rounds\": %lu, \"accepted\": %lu, \"broken\": %lu, \"errnos\": {",
	       count, accepted, broken);
	for (e = 0, err = 0; e < 160; e++)
		if (errnos[e])
			printf("%s\"%s\": %lu", err++ ? ", " : "", e ? strerrorname_np(e) : "other",
			       errnos[e]);
	printf("}}\n");
	return broken ? 1 : 0;
}
