// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fullnat to POOL via LADDRS [ports LO-HI] [sched SCHED] [timeout TIME]
 *	[flags FLAG[,FLAG...]]
 *
 *   POOL   = { RS [, RS ...] } | RS | @SET	RS = ADDR[:PORT] [weight N]
 *   LADDRS = { ADDR [, ADDR ...] } | ADDR | @SET
 *
 * IPv6 addresses with a port are written [ADDR]:PORT. Any value may be a
 * variable, and a variable may hold a whole list or a set reference; lists
 * nested by variables are flattened, as nft flattens nested sets. A named
 * set is checked against what it may hold in sets.c, once the whole input
 * is read.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>

#include <libnftlvs/expr.h>
#include <nft_lvs.h>

#include "parse.h"

const char *const synproxy_lb_options[] = {
	"mss", "wscale", "sack-perm", "timestamp", "ttl", "defer", NULL,
};

const char *const fullnat_options[] = {
	"ports", "sched", "timeout", "flags", NULL,
};

/* Words nft itself starts statements with: never taken for a typo. */
static const char *const nft_words[] = {
	"accept", "drop", "reject", "queue", "continue", "return", "jump",
	"goto", "counter", "log", "limit", "quota", "meta", "mark", "ct",
	"notrack", "comment", "dnat", "snat", "masquerade", "redirect", "dup",
	"fwd", "set", "tproxy", "synproxy", "flow", "ip", "ip6", "tcp", "udp",
	"th", "numgen", "jhash", "secmark", "update", "add", "delete", "meter",
	"ether", "vlan", "arp", "icmp", "icmpv6", "inet", "sctp", "dccp",
	"fib", "rt", "osf", "socket", "ipsec", "iif", "oif", "iifname",
	"oifname", "nftrace", "priority", "exthdr", "tcp", "xt", NULL,
};

struct addr {
	int		af;
	uint8_t		a[16];
	uint16_t	port;
	uint32_t	weight;
	struct token	tok;
};

struct lists {
	struct addr	*pool;
	unsigned int	npool;
	struct addr	*laddrs;
	unsigned int	nladdrs;
};

static unsigned int edit_distance(const char *a, size_t la, const char *b)
{
	unsigned int d[32], prev, tmp, i, j;
	size_t lb = strlen(b);

	if (la >= ARRAY_SIZE(d) || lb >= ARRAY_SIZE(d))
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = d[j];
			d[j] = prev + (a[i - 1] != b[j - 1]);
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			if (tmp + 1 < d[j])
				d[j] = tmp + 1;
			prev = tmp;
		}
	}
	return d[lb];
}

bool pcheck_misspelled(struct pctx *p, const char *const *options)
{
	const struct token *t = ts_peek(p->ts);
	unsigned int i;

	if (!options || t->type != T_WORD || t->len < 3)
		return true;
	for (i = 0; nft_words[i]; i++) {
		if (tok_is(t, nft_words[i]))
			return true;
	}
	for (i = 0; options[i]; i++) {
		if (edit_distance(t->s, t->len, options[i]) <= 2) {
			perr(p, t, "%s: unknown option %.*s, did you mean %s?",
			     p->stmt, (int)t->len, t->s, options[i]);
			return false;
		}
	}
	return true;
}

static bool parse_addr_text(struct pctx *p, const struct token *t,
			    struct addr *a)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (t->type != T_WORD) {
		perr_unexpected(p, t, "an address");
		return false;
	}
	if (t->len < sizeof(buf)) {
		memcpy(buf, t->s, t->len);
		buf[t->len] = '\0';
		a->af = strchr(buf, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(a->af, buf, a->a) == 1) {
			a->tok = *t;
			return true;
		}
	}
	perr(p, t, "%s: %.*s is not an IPv4 or IPv6 address", p->stmt,
	     (int)t->len, t->s);
	return false;
}

static bool is_set_ref(const struct token *t)
{
	return t->type == T_WORD && t->len && t->s[0] == '@';
}

/* ADDR, [ADDR], and for real servers :PORT and weight N. */
static bool parse_elem(struct pctx *p, struct token *t, struct addr *a,
		       bool rs)
{
	unsigned long v;
	struct token u;

	a->weight = NFT_LVS_WEIGHT_DEFAULT;
	if (is_set_ref(t)) {
		perr(p, t, "%s: a set is a whole %s, not one of a list: write %s %.*s without braces",
		     p->stmt, rs ? "pool" : "list of local addresses",
		     rs ? "to" : "via", (int)t->len, t->s);
		return false;
	}
	if (t->type == T_LBRACK) {
		if (!pvalue(p, &u) || !parse_addr_text(p, &u, a))
			return false;
		if (a->af != AF_INET6) {
			perr(p, &u, "%s: only IPv6 addresses go in brackets",
			     p->stmt);
			return false;
		}
		ts_next(p->ts, &u);
		if (u.type != T_RBRACK) {
			perr_unexpected(p, &u, "']'");
			return false;
		}
	} else if (!parse_addr_text(p, t, a)) {
		return false;
	}
	if (!rs)
		return true;
	if (ts_peek(p->ts)->type == T_COLON) {
		ts_next(p->ts, &u);
		if (!pnum(p, "port", 1, 65535, &v))
			return false;
		a->port = v;
	}
	if (tok_is(ts_peek(p->ts), "weight")) {
		ts_next(p->ts, &u);
		if (!pnum(p, "weight", 0, NFT_LVS_WEIGHT_MAX, &v))
			return false;
		a->weight = v;
	}
	return true;
}

static bool list_add(struct pctx *p, struct addr **v, unsigned int *n,
		     const struct addr *a, unsigned int max, const char *what)
{
	struct addr *nv;

	if (*n == max) {
		perr(p, &a->tok, "%s: too many %s, at most %u", p->stmt, what,
		     max);
		return false;
	}
	if (!(*n & (*n - 1))) {
		nv = realloc(*v, (*n ? 2 * *n : 1) * sizeof(**v));
		if (!nv) {
			perr(p, &a->tok, "%s: %s", p->stmt, strerror(errno));
			return false;
		}
		*v = nv;
	}
	(*v)[(*n)++] = *a;
	return true;
}

/* The elements of a list whose '{' was just taken; '}' ends it. */
static bool parse_braced(struct pctx *p, struct addr **v, unsigned int *n,
			 unsigned int max, bool rs, const char *what)
{
	struct addr a;
	struct token t;

	for (;;) {
		if (!pvalue_nl(p, &t))
			return false;
		if (t.type == T_RBRACE)
			return true;
		if (t.type == T_LBRACE) {
			if (!parse_braced(p, v, n, max, rs, what))
				return false;
		} else {
			memset(&a, 0, sizeof(a));
			if (!parse_elem(p, &t, &a, rs) ||
			    !list_add(p, v, n, &a, max, what))
				return false;
		}
		if (!pvalue_nl(p, &t))
			return false;
		if (t.type == T_RBRACE)
			return true;
		if (t.type != T_COMMA) {
			perr_unexpected(p, &t, "comma or '}'");
			return false;
		}
	}
}

/* nft's set names: a letter, '_' or '.', then also digits, '/' and '-'. */
static bool set_name_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (!(isalpha(c) || c == '_' || c == '.' ||
		      (i && (isdigit(c) || c == '/' || c == '-'))))
			return false;
	}
	return len > 0;
}

/* @NAME, a named set of the rule's table in the place of the list. */
static bool parse_set_ref(struct pctx *p, const struct token *t,
			  struct nftlvs_expr *e, int which)
{
	static const uint16_t attrs[2] = {
		NFTLVS_FULLNAT_POOL_SET, NFTLVS_FULLNAT_LADDRS_SET,
	};
	char name[NFT_SET_MAXNAMELEN];
	size_t len = t->len - 1;

	if (!set_name_ok(t->s + 1, len)) {
		perr(p, t, "%s: %.*s is not a set name", p->stmt, (int)t->len,
		     t->s);
		return false;
	}
	if (len >= sizeof(name)) {
		perr(p, t, "%s: set name %.*s... too long, at most %zu characters",
		     p->stmt, 16, t->s + 1, sizeof(name) - 1);
		return false;
	}
	memcpy(name, t->s + 1, len);
	name[len] = '\0';
	if (nftlvs_expr_set_str(e, attrs[which], name) < 0) {
		perr(p, t, "%s: %s", p->stmt, strerror(errno));
		return false;
	}
	p->use->off[which] = t->off;
	p->use->len[which] = t->loc_len;
	return true;
}

/* A list, or a set reference (@which: 0 pool, 1 local addresses). */
static bool parse_list(struct pctx *p, struct nftlvs_expr *e, int which,
		       struct addr **v, unsigned int *n, unsigned int max,
		       bool rs, const char *what)
{
	struct token t, open;
	struct addr a = {};

	if (!pvalue(p, &t))
		return false;
	if (is_set_ref(&t))
		return parse_set_ref(p, &t, e, which);
	if (t.type != T_LBRACE)
		return parse_elem(p, &t, &a, rs) &&
		       list_add(p, v, n, &a, max, what);
	open = t;
	if (!parse_braced(p, v, n, max, rs, what))
		return false;
	if (!*n) {
		t = open;
		t.loc_len = p->ts->end - open.off;
		perr(p, &t, "%s: no %s in the list", p->stmt, what);
		return false;
	}
	return true;
}

static bool parse_ports(struct pctx *p, struct nftlvs_expr *e)
{
	unsigned long lo, hi;
	const char *dash;
	struct token t;

	if (!pvalue(p, &t))
		return false;
	dash = t.type == T_WORD ? memchr(t.s, '-', t.len) : NULL;
	if (t.type != T_WORD ||
	    !pnum_text(t.s, dash ? (size_t)(dash - t.s) : t.len, &lo) ||
	    (dash && !pnum_text(dash + 1, t.len - (dash + 1 - t.s), &hi))) {
		perr_unexpected(p, &t, "a port range LO-HI");
		return false;
	}
	if (!dash) {
		hi = lo;
		if (ts_peek(p->ts)->type == T_DASH) {
			struct token d;

			ts_next(p->ts, &d);
			if (!pnum(p, "port", 1, 65535, &hi))
				return false;
		}
	}
	if (!lo || !hi || lo > 65535 || hi > 65535) {
		perr(p, &t, "%s: port %lu out of range, expecting 1-65535",
		     p->stmt, !lo || lo > 65535 ? lo : hi);
		return false;
	}
	if (lo > hi) {
		perr(p, &t, "%s: empty port range %lu-%lu", p->stmt, lo, hi);
		return false;
	}
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, lo);
	nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, hi);
	return true;
}

/* nft's time syntax: 1d2h3m4s, units in that order; a bare number is s. */
static bool time_text(const char *s, size_t len, unsigned long *secs)
{
	static const struct { char c; unsigned long mul; } units[] = {
		{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
	};
	unsigned long total = 0, n;
	unsigned int u = 0;
	size_t i = 0, start;

	while (i < len) {
		for (start = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == start || i - start > 9 || !pnum_text(s + start, i - start, &n))
			return false;
		if (i == len) {		/* bare number: seconds */
			if (start)
				return false;
			total = n;
			break;
		}
		while (u < ARRAY_SIZE(units) && units[u].c != s[i])
			u++;
		if (u == ARRAY_SIZE(units))
			return false;	/* unknown unit, ms, or out of order */
		total += n * units[u++].mul;
		i++;
	}
	*secs = total;
	return len > 0;
}

static bool parse_sched(struct pctx *p, struct nftlvs_expr *e)
{
	char name[16] = "";
	struct token t;
	int sched;

	if (!pvalue(p, &t))
		return false;
	if (t.type == T_WORD && t.len < sizeof(name))
		memcpy(name, t.s, t.len);
	sched = nftlvs_sched_lookup(name);
	if (sched < 0) {
		perr(p, &t, "%s: unknown scheduler %.*s, expecting rr, wrr, lc, wlc, sh or mh",
		     p->stmt, (int)t.len, t.s);
		return false;
	}
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, sched);
	return true;
}

static bool parse_timeout(struct pctx *p, struct nftlvs_expr *e)
{
	unsigned long v;
	struct token t;

	if (!pvalue(p, &t))
		return false;
	if (t.type != T_WORD || !time_text(t.s, t.len, &v)) {
		perr_unexpected(p, &t, "a time (90s, 15m, 1h)");
		return false;
	}
	if (!v || v > NFT_FULLNAT_TIMEOUT_MAX) {
		perr(p, &t, "%s: timeout %.*s out of range, expecting 1s-30d",
		     p->stmt, (int)t.len, t.s);
		return false;
	}
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_TIMEOUT, v);
	return true;
}

static bool parse_flags(struct pctx *p, struct nftlvs_expr *e)
{
	uint32_t f, flags = 0;
	struct token t, kind_tok;

	for (;;) {
		char name[32] = "";

		if (!pvalue(p, &t))
			return false;
		if (t.type == T_WORD && t.len < sizeof(name))
			memcpy(name, t.s, t.len);
		f = nftlvs_flag_lookup(NFT_LVS_EXPR_FULLNAT, name);
		if (!f) {
			perr(p, &t, "%s: unknown flag %.*s, expecting toa, strip-timestamps, rst-on-expire or toa-kind-253",
			     p->stmt, (int)t.len, t.s);
			return false;
		}
		if (f == NFT_FULLNAT_F_TOA_KIND253)
			kind_tok = t;
		flags |= f;
		if (ts_peek(p->ts)->type != T_COMMA)
			break;
		ts_next(p->ts, &t);
	}
	if ((flags & NFT_FULLNAT_F_TOA_KIND253) && !(flags & NFT_FULLNAT_F_TOA)) {
		perr(p, &kind_tok, "%s: toa-kind-253 chooses the layout of the IPv6 TOA option and needs flag toa",
		     p->stmt);
		return false;
	}
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, flags);
	return true;
}

static bool parse_options(struct pctx *p, struct nftlvs_expr *e)
{
	const struct token *n;
	struct token t;
	bool ok = true;

	while (ok && (n = ts_peek(p->ts)) && n->type == T_WORD) {
		if (tok_is(n, "ports")) {
			ts_next(p->ts, &t);
			ok = parse_ports(p, e);
		} else if (tok_is(n, "sched")) {
			ts_next(p->ts, &t);
			ok = parse_sched(p, e);
		} else if (tok_is(n, "timeout")) {
			ts_next(p->ts, &t);
			ok = parse_timeout(p, e);
		} else if (tok_is(n, "flags")) {
			ts_next(p->ts, &t);
			ok = parse_flags(p, e);
		} else {
			break;
		}
	}
	return ok && pcheck_misspelled(p, fullnat_options);
}

static void addr_str(const struct addr *a, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(a->af, a->a, s, sizeof(s));
	if (a->port)
		snprintf(buf, size, a->af == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 s, a->port);
	else
		snprintf(buf, size, "%s", s);
}

/*
 * One family for all addresses, no repeats. The servers' family is the
 * table's, except that an ip6 or inet table may have IPv4 servers behind
 * its IPv6 VIP (NAT64); an ip table has IPv4 servers only.
 * *af: that family, 0 if neither table nor address tells (ip6 and inet
 * with sets: theirs decides).
 */
static bool check_lists(struct pctx *p, const struct lists *l, int *af)
{
	const struct addr *all[2] = { l->pool, l->laddrs };
	unsigned int cnt[2] = { l->npool, l->nladdrs };
	const char *what[2] = { "real server", "local address" };
	unsigned int k, i, j;
	char s[INET6_ADDRSTRLEN + 8];

	*af = l->npool ? l->pool[0].af : l->nladdrs ? l->laddrs[0].af :
	      p->family == NFPROTO_IPV4 ? AF_INET : 0;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < cnt[k]; i++) {
			const struct addr *a = &all[k][i];

			if (p->family == NFPROTO_IPV4 && a->af != AF_INET) {
				perr(p, &a->tok, "%s: IPv6 address in an ip table (IPv6 servers behind an IPv4 VIP are not served)",
				     p->stmt);
				return false;
			}
			if (a->af != *af) {
				perr(p, &a->tok, "%s: IPv4 and IPv6 addresses mixed; the servers and local addresses of one fullnat are of one family",
				     p->stmt);
				return false;
			}
			for (j = 0; j < i; j++) {
				if (!memcmp(all[k][j].a, a->a, 16) &&
				    all[k][j].port == a->port) {
					addr_str(a, s, sizeof(s));
					perr(p, &a->tok, "%s: %s %s is listed twice",
					     p->stmt, what[k], s);
					return false;
				}
			}
		}
	}
	return true;
}

static bool build_lists(struct pctx *p, const struct token *kw,
			struct nftlvs_expr *e, const struct lists *l, int af)
{
	unsigned int i;

	if (af)
		nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY,
				    af == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
	for (i = 0; i < l->npool; i++) {
		if (nftlvs_expr_fullnat_add_rs(e, af, l->pool[i].a,
					       l->pool[i].port,
					       l->pool[i].weight) < 0)
			goto err;
	}
	for (i = 0; i < l->nladdrs; i++) {
		if (nftlvs_expr_fullnat_add_laddr(e, af, l->laddrs[i].a) < 0)
			goto err;
	}
	return true;
err:
	perr(p, kw, "%s: %s", p->stmt, errno == E2BIG ?
	     "too large for one rule" : strerror(errno));
	return false;
}

bool parse_fullnat(struct pctx *p, const struct token *kw,
		   struct nftlvs_expr *e)
{
	struct lists l = {};
	struct token t;
	bool ok = false;
	int af = 0;

	ts_next(p->ts, &t);
	if (!tok_is(&t, "to")) {
		perr_unexpected(p, &t, "to");
		return false;
	}
	if (!parse_list(p, e, 0, &l.pool, &l.npool, NFT_FULLNAT_POOL_MAX, true,
			"real servers"))
		goto out;
	ts_next(p->ts, &t);
	if (!tok_is(&t, "via")) {
		perr_unexpected(p, &t, "via");
		goto out;
	}
	if (!parse_list(p, e, 1, &l.laddrs, &l.nladdrs, NFT_FULLNAT_LADDRS_MAX,
			false, "local addresses"))
		goto out;
	ok = parse_options(p, e) && check_lists(p, &l, &af) &&
	     build_lists(p, kw, e, &l, af);
	p->use->af = af;
out:
	free(l.pool);
	free(l.laddrs);
	return ok && !p->failed;
}
