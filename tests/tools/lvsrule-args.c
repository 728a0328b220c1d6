// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lvsrule add: KEY=VALUE arguments into expressions.
 *
 * Numbers are checked only against what their wire type holds: the point
 * of this tool is to hand the kernel out-of-range values and watch it
 * refuse them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>

#include <libnftnl/expr.h>
#include <libnftlvs/expr.h>
#include <nft_lvs.h>

#include "lvsrule.h"

void usage_error(const char *token, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lvsrule: bad token '%s': ", token);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static const struct {
	const char	*name;
	uint16_t	family;
} families[] = {
	{ "ip",		NFPROTO_IPV4 },
	{ "ip6",	NFPROTO_IPV6 },
	{ "inet",	NFPROTO_INET },
	{ "netdev",	NFPROTO_NETDEV },
	{ "bridge",	NFPROTO_BRIDGE },
	{ "arp",	NFPROTO_ARP },
};

/* Decimal, or hex with 0x; nothing else, and at most @max. */
static bool parse_num(const char *s, uint64_t max, uint64_t *v)
{
	int base = 10;
	char *end;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		base = 16;
		s += 2;
	}
	if (!*s || !((base == 10 && *s >= '0' && *s <= '9') ||
		     (base == 16 && strchr("0123456789abcdefABCDEF", *s))))
		return false;
	errno = 0;
	*v = strtoull(s, &end, base);
	return !errno && !*end && *v <= max;
}

static uint32_t num_or_die(const char *s, uint64_t max, const char *token)
{
	uint64_t v;

	if (!parse_num(s, max, &v))
		usage_error(token, "'%s' is not a number from 0 to %llu", s,
			    (unsigned long long)max);
	return v;
}

uint16_t parse_family(const char *s)
{
	unsigned int i;
	uint64_t v;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (!strcmp(families[i].name, s))
			return families[i].family;
	}
	if (!parse_num(s, UINT8_MAX, &v))
		usage_error(s, "not a family (ip, ip6, inet, netdev, bridge, "
			    "arp) nor a number from 0 to 255");
	return v;
}

const char *family_name(uint16_t family)
{
	unsigned int i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (families[i].family == family)
			return families[i].name;
	}
	return NULL;
}

/* What the expression being parsed still needs at its end. */
struct parse_state {
	struct add_req		*req;
	struct rule_expr	*cur;
	bool			family_given;
	int			first_addr_len;	/* -1: no address yet */
};

/* An address: IPv4, IPv6 or hex:BYTES. Returns its length, *buf malloc'ed. */
static size_t parse_addr(const char *s, uint8_t **buf, const char *token)
{
	size_t i, len;

	*buf = malloc(strlen(s) / 2 + 16);
	if (!*buf)
		usage_error(token, "out of memory");
	if (inet_pton(AF_INET, s, *buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, *buf) == 1)
		return 16;
	if (strncmp(s, "hex:", 4))
		usage_error(token, "'%s' is not an address", s);
	s += 4;
	len = strlen(s);
	if (len % 2 || strspn(s, "0123456789abcdefABCDEF") != len)
		usage_error(token, "'%s' is not an even number of hex digits",
			    s);
	for (i = 0; i < len / 2; i++) {
		char byte[3] = { s[2 * i], s[2 * i + 1], '\0' };

		(*buf)[i] = strtoul(byte, NULL, 16);
	}
	return len / 2;
}

static void note_addr(struct parse_state *st, size_t len)
{
	if (st->first_addr_len < 0)
		st->first_addr_len = len;
}

/*
 * Split ADDR[:PORT] in place: IPv6 with a port is bracketed, a bare one
 * is taken whole. Returns the port text or NULL.
 */
static char *split_port(char **addr, const char *token)
{
	char *s = *addr, *colon;
	struct in6_addr a6;

	if (*s == '[') {
		colon = strchr(s, ']');
		if (!colon || (colon[1] && colon[1] != ':'))
			usage_error(token, "'%s': bad [IPv6]:PORT", s);
		*colon = '\0';
		*addr = s + 1;
		return colon[1] ? colon + 2 : NULL;
	}
	if (!strncmp(s, "hex:", 4))
		colon = strchr(s + 4, ':');
	else if (inet_pton(AF_INET6, s, &a6) == 1)
		return NULL;
	else
		colon = strrchr(s, ':');
	if (!colon)
		return NULL;
	*colon = '\0';
	return colon + 1;
}

/* ADDR[:PORT][@WEIGHT]; an empty ADDR sends no address attribute. */
static void add_rs(struct parse_state *st, char *elem, const char *token)
{
	struct nftlvs_rs rs = {};
	char *weight, *port;
	uint8_t *buf = NULL;

	weight = strrchr(elem, '@');
	if (weight) {
		*weight++ = '\0';
		rs.weight = num_or_die(weight, UINT32_MAX, token);
		rs.present |= NFTLVS_RS_WEIGHT;
	}
	port = split_port(&elem, token);
	if (port) {
		rs.port = num_or_die(port, UINT16_MAX, token);
		rs.present |= NFTLVS_RS_PORT;
	}
	if (*elem) {
		rs.addr_len = parse_addr(elem, &buf, token);
		rs.addr = buf;
		rs.present |= NFTLVS_RS_ADDR;
		note_addr(st, rs.addr_len);
	}
	if (nftlvs_expr_fullnat_add_rs_raw(st->cur->lvs, &rs) < 0)
		usage_error(token, "cannot add: %s", strerror(errno));
	free(buf);
}

static void add_laddr(struct parse_state *st, char *elem, const char *token)
{
	uint8_t *buf;
	size_t len;

	if (*elem == '[' && elem[strlen(elem) - 1] == ']') {
		elem[strlen(elem) - 1] = '\0';
		elem++;
	}
	len = parse_addr(elem, &buf, token);
	note_addr(st, len);
	if (nftlvs_expr_fullnat_add_laddr_raw(st->cur->lvs, buf, len) < 0)
		usage_error(token, "cannot add: %s", strerror(errno));
	free(buf);
}

/* pool= and laddrs=: comma-separated; empty sends an empty nest. */
static void add_list(struct parse_state *st, uint16_t attr, char *value,
		     const char *token)
{
	char *elem, *save = NULL;

	if (!*value) {
		if (nftlvs_expr_fullnat_test_empty(st->cur->lvs, attr) < 0)
			usage_error(token, "%s", strerror(errno));
		return;
	}
	for (elem = strtok_r(value, ",", &save); elem;
	     elem = strtok_r(NULL, ",", &save)) {
		if (attr == NFTLVS_FULLNAT_POOL)
			add_rs(st, elem, token);
		else
			add_laddr(st, elem, token);
	}
}

/*
 * pool-set= and laddrs-set=: a set name sent with its NUL, or hex:BYTES
 * sent exactly (no NUL unless given), for names the kernel must refuse.
 */
static void set_name(struct parse_state *st, uint16_t attr, const char *value,
		     const char *token)
{
	struct nftlvs_expr *e = st->cur->lvs;
	uint8_t *buf;
	size_t len;
	int ret;

	if (strncmp(value, "hex:", 4)) {
		ret = nftlvs_expr_set_str(e, attr, value);
	} else {
		len = parse_addr(value, &buf, token);
		ret = nftlvs_expr_set(e, attr, buf, len);
		free(buf);
	}
	if (ret < 0)
		usage_error(token, "%s", strerror(errno));
}

/* Names joined by commas, or a number. */
static uint32_t parse_flags(const char *expr, char *value, const char *token)
{
	char *name, *save = NULL;
	uint32_t flags = 0, bit;

	if (*value >= '0' && *value <= '9')
		return num_or_die(value, UINT32_MAX, token);
	for (name = strtok_r(value, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		bit = nftlvs_flag_lookup(expr, name);
		if (!bit)
			usage_error(token, "unknown flag '%s'", name);
		flags |= bit;
	}
	if (!flags)
		usage_error(token, "no flags");
	return flags;
}

static void set_u(struct parse_state *st, uint16_t attr, unsigned int width,
		  uint32_t v, const char *token)
{
	struct nftlvs_expr *e = st->cur->lvs;
	int ret;

	ret = width == 1 ? nftlvs_expr_set_u8(e, attr, v) :
	      width == 2 ? nftlvs_expr_set_u16(e, attr, v) :
			   nftlvs_expr_set_u32(e, attr, v);
	if (ret < 0)
		usage_error(token, "%s", strerror(errno));
}

static void synproxy_key(struct parse_state *st, const char *key, char *value,
			 const char *token)
{
	if (!strcmp(key, "mss"))
		set_u(st, NFTLVS_SYNPROXY_LB_MSS, 2,
		      num_or_die(value, UINT16_MAX, token), token);
	else if (!strcmp(key, "wscale"))
		set_u(st, NFTLVS_SYNPROXY_LB_WSCALE, 1,
		      num_or_die(value, UINT8_MAX, token), token);
	else if (!strcmp(key, "ttl"))
		set_u(st, NFTLVS_SYNPROXY_LB_TTL, 1,
		      num_or_die(value, UINT8_MAX, token), token);
	else if (!strcmp(key, "flags"))
		set_u(st, NFTLVS_SYNPROXY_LB_FLAGS, 4,
		      parse_flags(NFT_LVS_EXPR_SYNPROXY, value, token), token);
	else
		usage_error(token, "unknown key for %s", NFT_LVS_EXPR_SYNPROXY);
}

static void fullnat_family(struct parse_state *st, const char *value,
			   const char *token)
{
	st->family_given = true;
	if (!strcmp(value, "none"))
		return;
	if (!strcmp(value, "ip"))
		set_u(st, NFTLVS_FULLNAT_FAMILY, 4, NFPROTO_IPV4, token);
	else if (!strcmp(value, "ip6"))
		set_u(st, NFTLVS_FULLNAT_FAMILY, 4, NFPROTO_IPV6, token);
	else
		set_u(st, NFTLVS_FULLNAT_FAMILY, 4,
		      num_or_die(value, UINT32_MAX, token), token);
}

static void fullnat_ports(struct parse_state *st, char *value,
			  const char *token)
{
	char *dash = strchr(value, '-');

	if (!dash)
		usage_error(token, "ports are LO-HI");
	*dash = '\0';
	set_u(st, NFTLVS_FULLNAT_PORT_MIN, 2,
	      num_or_die(value, UINT16_MAX, token), token);
	set_u(st, NFTLVS_FULLNAT_PORT_MAX, 2,
	      num_or_die(dash + 1, UINT16_MAX, token), token);
}

/* A name, or any number: the kernel judges it. */
static uint32_t parse_sched(const char *value, const char *token)
{
	int sched = nftlvs_sched_lookup(value);

	if (sched >= 0)
		return sched;
	if (*value < '0' || *value > '9')
		usage_error(token, "unknown scheduler '%s'", value);
	return num_or_die(value, UINT32_MAX, token);
}

static void fullnat_key(struct parse_state *st, const char *key, char *value,
			const char *token)
{
	if (!strcmp(key, "family")) {
		fullnat_family(st, value, token);
	} else if (!strcmp(key, "pool")) {
		add_list(st, NFTLVS_FULLNAT_POOL, value, token);
	} else if (!strcmp(key, "laddrs")) {
		add_list(st, NFTLVS_FULLNAT_LADDRS, value, token);
	} else if (!strcmp(key, "pool-set")) {
		set_name(st, NFTLVS_FULLNAT_POOL_SET, value, token);
	} else if (!strcmp(key, "laddrs-set")) {
		set_name(st, NFTLVS_FULLNAT_LADDRS_SET, value, token);
	} else if (!strcmp(key, "ports")) {
		fullnat_ports(st, value, token);
	} else if (!strcmp(key, "port-min")) {
		set_u(st, NFTLVS_FULLNAT_PORT_MIN, 2,
		      num_or_die(value, UINT16_MAX, token), token);
	} else if (!strcmp(key, "port-max")) {
		set_u(st, NFTLVS_FULLNAT_PORT_MAX, 2,
		      num_or_die(value, UINT16_MAX, token), token);
	} else if (!strcmp(key, "sched")) {
		set_u(st, NFTLVS_FULLNAT_SCHED, 4, parse_sched(value, token),
		      token);
	} else if (!strcmp(key, "timeout")) {
		set_u(st, NFTLVS_FULLNAT_TIMEOUT, 4,
		      num_or_die(value, UINT32_MAX, token), token);
	} else if (!strcmp(key, "flags")) {
		set_u(st, NFTLVS_FULLNAT_FLAGS, 4,
		      parse_flags(NFT_LVS_EXPR_FULLNAT, value, token), token);
	} else {
		usage_error(token, "unknown key for %s", NFT_LVS_EXPR_FULLNAT);
	}
}

static void parse_key(struct parse_state *st, const char *token)
{
	char *key = strdup(token), *value;
	const char *name;

	if (!key)
		usage_error(token, "out of memory");
	value = strchr(key, '=');
	*value++ = '\0';
	if (!st->cur || !st->cur->lvs)
		usage_error(token, "no expression of ours takes keys here");
	name = nftlvs_expr_get_name(st->cur->lvs);
	if (!strcmp(name, NFT_LVS_EXPR_SYNPROXY))
		synproxy_key(st, key, value, token);
	else if (!strcmp(name, NFT_LVS_EXPR_FULLNAT))
		fullnat_key(st, key, value, token);
	else
		usage_error(token, "%s takes no keys", name);
	free(key);
}

/*
 * The family of fullnat, unless given: the table's for ip and ip6 tables,
 * otherwise that of the first address (none if it has an odd length).
 */
static void finish_expr(struct parse_state *st)
{
	uint16_t tf = st->req->family;
	uint32_t family = 0;

	if (!st->cur || !st->cur->lvs || st->family_given ||
	    strcmp(nftlvs_expr_get_name(st->cur->lvs), NFT_LVS_EXPR_FULLNAT))
		return;
	if (tf == NFPROTO_IPV4 || tf == NFPROTO_IPV6)
		family = tf;
	else if (st->first_addr_len == 4)
		family = NFPROTO_IPV4;
	else if (st->first_addr_len == 16)
		family = NFPROTO_IPV6;
	if (family)
		nftlvs_expr_set_u32(st->cur->lvs, NFTLVS_FULLNAT_FAMILY,
				    family);
}

static struct rule *new_rule(struct add_req *req)
{
	struct rule *r;

	r = realloc(req->rules, (req->nrules + 1) * sizeof(*r));
	if (!r)
		usage_error("--", "out of memory");
	req->rules = r;
	r = &req->rules[req->nrules++];
	r->exprs = NULL;
	r->nexprs = 0;
	return r;
}

static void new_expr(struct parse_state *st, struct rule *r, const char *tok)
{
	struct rule_expr *x;

	x = realloc(r->exprs, (r->nexprs + 1) * sizeof(*x));
	if (!x)
		usage_error(tok, "out of memory");
	r->exprs = x;
	x = &r->exprs[r->nexprs++];
	x->lvs = NULL;
	x->stock = NULL;
	if (!strcmp(tok, "counter"))
		x->stock = nftnl_expr_alloc("counter");
	else
		x->lvs = nftlvs_expr_alloc(tok);
	if (!x->lvs && !x->stock)
		usage_error(tok, "unknown expression");
	st->cur = x;
	st->family_given = false;
	st->first_addr_len = -1;
}

void parse_rules(struct add_req *req, int argc, char **argv)
{
	struct parse_state st = { .req = req };
	struct rule *r = new_rule(req);
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			finish_expr(&st);
			if (!r->nexprs)
				usage_error(argv[i],
					    "a rule without expressions");
			r = new_rule(req);
			st.cur = NULL;
		} else if (strchr(argv[i], '=')) {
			parse_key(&st, argv[i]);
		} else {
			finish_expr(&st);
			new_expr(&st, r, argv[i]);
		}
	}
	finish_expr(&st);
	if (!r->nexprs)
		usage_error(argc ? argv[argc - 1] : "add",
			    "a rule without expressions");
}

void free_rules(struct add_req *req)
{
	unsigned int i, j;

	for (i = 0; i < req->nrules; i++) {
		for (j = 0; j < req->rules[i].nexprs; j++) {
			nftlvs_expr_free(req->rules[i].exprs[j].lvs);
			if (req->rules[i].exprs[j].stock)
				nftnl_expr_free(req->rules[i].exprs[j].stock);
		}
		free(req->rules[i].exprs);
	}
	free(req->rules);
}
