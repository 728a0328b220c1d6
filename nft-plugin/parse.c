// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The statements, as nftlvs(8) documents them:
 *
 *	lb-dispatch
 *	synproxy-lb [mss N] [wscale N] [sack-perm] [timestamp] [ttl N] [defer]
 *	fullnat to POOL via LADDRS [ports LO-HI] [sched SCHED]
 *		[timeout TIME] [flags FLAG[,FLAG...]]
 *
 * Options may come in any order; the listing prints them in the order
 * above. Values are checked here against the kernel's limits, so that a
 * mistake is reported at its place in the text, before anything is sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>

#include <libnftlvs/expr.h>
#include <nft_lvs.h>

#include "nftlvs.h"
#include "parse.h"

bool is_stmt_keyword(const struct token *t)
{
	return tok_is(t, NFT_LVS_EXPR_DISPATCH) ||
	       tok_is(t, NFT_LVS_EXPR_SYNPROXY) ||
	       tok_is(t, NFT_LVS_EXPR_FULLNAT);
}

void perr(struct pctx *p, const struct token *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	src_error(p->ts->src, t->off, t->loc_len, "%s", msg);
	p->failed = true;
}

void perr_unexpected(struct pctx *p, const struct token *t,
		     const char *expecting)
{
	char what[80];

	tok_describe(t, what, sizeof(what));
	perr(p, t, "syntax error, unexpected %s, expecting %s", what,
	     expecting);
}

/* The next token, with variables replaced by their values. */
bool pvalue(struct pctx *p, struct token *t)
{
	for (;;) {
		ts_next(p->ts, t);
		if (t->type != T_VAR)
			return true;
		if (ts_expand(p->ts, t) < 0) {
			p->failed = true;
			return false;
		}
	}
}

/* The next token after skipping newlines (inside braces). */
bool pvalue_nl(struct pctx *p, struct token *t)
{
	do {
		if (!pvalue(p, t))
			return false;
	} while (t->type == T_NEWLINE);
	return true;
}

/* Decimal or 0x hex, nothing else. */
bool pnum_text(const char *s, size_t len, unsigned long *v)
{
	unsigned long r = 0, base = 10, d;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		if (r > (0xffffffffUL - d) / base)
			r = 0xffffffffUL + 1;	/* saturate: out of range */
		else
			r = r * base + d;
	}
	*v = r;
	return true;
}

/* A number token in [min, max]; @what names it in messages. */
bool pnum(struct pctx *p, const char *what, unsigned long min,
	  unsigned long max, unsigned long *v)
{
	struct token t;

	if (!pvalue(p, &t))
		return false;
	if (t.type != T_WORD || !pnum_text(t.s, t.len, v)) {
		perr_unexpected(p, &t, "a number");
		return false;
	}
	if (*v < min || *v > max) {
		perr(p, &t, "%s: %s %.*s out of range, expecting %lu-%lu",
		     p->stmt, what, (int)t.len, t.s, min, max);
		return false;
	}
	return true;
}

static bool parse_synproxy_lb(struct pctx *p, struct nftlvs_expr *e)
{
	uint32_t flags = 0;
	unsigned long v;
	struct token t;
	const struct token *n;

	while ((n = ts_peek(p->ts)) && n->type == T_WORD) {
		if (tok_is(n, "mss")) {
			ts_next(p->ts, &t);
			if (!pnum(p, "mss", NFT_SYNPROXY_LB_MSS_MIN,
				  NFT_SYNPROXY_LB_MSS_MAX, &v))
				return false;
			nftlvs_expr_set_u16(e, NFTLVS_SYNPROXY_LB_MSS, v);
		} else if (tok_is(n, "wscale")) {
			ts_next(p->ts, &t);
			if (!pnum(p, "wscale", 0, NFT_SYNPROXY_LB_WSCALE_MAX,
				  &v))
				return false;
			nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_WSCALE, v);
		} else if (tok_is(n, "ttl")) {
			ts_next(p->ts, &t);
			if (!pnum(p, "ttl", 1, 255, &v))
				return false;
			nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_TTL, v);
		} else if (tok_is(n, "sack-perm")) {
			ts_next(p->ts, &t);
			flags |= NFT_SYNPROXY_LB_F_SACK_PERM;
		} else if (tok_is(n, "timestamp")) {
			ts_next(p->ts, &t);
			flags |= NFT_SYNPROXY_LB_F_TIMESTAMP;
		} else if (tok_is(n, "defer")) {
			ts_next(p->ts, &t);
			flags |= NFT_SYNPROXY_LB_F_DEFER;
		} else {
			break;
		}
	}
	if (p->failed)
		return false;
	if (flags)
		nftlvs_expr_set_u32(e, NFTLVS_SYNPROXY_LB_FLAGS, flags);
	return pcheck_misspelled(p, synproxy_lb_options);
}

/*
 * @kw is the keyword just taken from @ts. On success the token source
 * stands on the first token after the statement, and @use says which
 * named sets it refers to and where (for sets_check(), once the caller
 * has added the statement).
 */
struct nftlvs_expr *parse_stmt(struct tsrc *ts, const struct token *kw,
			       const struct stmt_place *at,
			       struct set_use *use)
{
	struct pctx p = { .ts = ts, .family = at->family, .at = at,
			  .use = use };
	struct nftlvs_expr *e;
	bool ok = true;

	memset(use, 0, sizeof(*use));
	use->src = ts->src;
	use->stmt = -1;
	use->family = at->family;
	use->match_af = at->match_af;
	snprintf(use->table, sizeof(use->table), "%s", at->table);

	snprintf(p.stmt, sizeof(p.stmt), "%.*s", (int)kw->len, kw->s);
	e = nftlvs_expr_alloc(p.stmt);
	if (!e) {
		perr(&p, kw, "%s: %s", p.stmt, strerror(errno));
		return NULL;
	}
	if (tok_is(kw, NFT_LVS_EXPR_SYNPROXY))
		ok = parse_synproxy_lb(&p, e);
	else if (tok_is(kw, NFT_LVS_EXPR_FULLNAT))
		ok = parse_fullnat(&p, kw, e);
	else if (tok_is(kw, NFT_LVS_EXPR_DISPATCH))
		ok = pcheck_misspelled(&p, NULL);
	if (!ok || p.failed) {
		nftlvs_expr_free(e);
		return NULL;
	}
	return e;
}
