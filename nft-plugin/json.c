// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our statements in nft's JSON input (nft -j -f FILE), as the listing
 * prints them:
 *
 *   {"lb-dispatch": null}
 *   {"synproxy-lb": {"mss": 1460, "wscale": 7, "flags": ["sack-perm"]}}
 *   {"fullnat": {"to": [{"addr": "10.1.0.1", "port": 8080, "weight": 3}],
 *                "via": ["10.1.0.254"], "ports": {"range": [5000, 6000]},
 *                "sched": "mh", "timeout": 90, "flags": ["toa"]}}
 *
 * Each one found in a rule's "expr" array is written out as statement
 * text and parsed by the text parser, so both inputs obey the same rules
 * and errors show the statement with a caret under the offending value.
 * Then the JSON object is replaced by the placeholder's JSON form.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>

#include <libnftlvs/expr.h>
#include <nft_lvs.h>

#include "nftlvs.h"

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype	type;
	size_t		off, end;	/* [off, end) of the source */
	struct jv	*kids;		/* elements, or members' values */
	struct jv	*keys;		/* members' names (J_STR) */
	unsigned int	n;
};

struct jparser {
	const char	*s;
	size_t		len, pos;
	unsigned int	depth;
};

#define JSON_DEPTH_MAX	512

static void jv_free(struct jv *v)
{
	unsigned int i;

	for (i = 0; i < v->n; i++)
		jv_free(&v->kids[i]);
	free(v->kids);
	free(v->keys);
}

static void jskip(struct jparser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}

static bool jparse(struct jparser *p, struct jv *v);

static bool jstring(struct jparser *p, struct jv *v)
{
	v->type = J_STR;
	for (p->pos++; p->pos < p->len; p->pos++) {
		if (p->s[p->pos] == '\\')
			p->pos++;
		else if (p->s[p->pos] == '"')
			return ++p->pos <= p->len;
	}
	return false;
}

static bool jcontainer(struct jparser *p, struct jv *v, bool obj)
{
	char close = obj ? '}' : ']';
	struct jv *k;

	v->type = obj ? J_OBJ : J_ARR;
	p->pos++;
	jskip(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return true;
	}
	for (;;) {
		if (!(v->n & (v->n - 1))) {
			k = realloc(v->kids, (v->n ? 2 * v->n : 1) * sizeof(*k));
			if (!k)
				return false;
			v->kids = k;
			if (obj) {
				k = realloc(v->keys, (v->n ? 2 * v->n : 1) *
						     sizeof(*k));
				if (!k)
					return false;
				v->keys = k;
			}
		}
		/* Counted before it is parsed, so that jv_free() frees it. */
		memset(&v->kids[v->n], 0, sizeof(*v->kids));
		if (obj)
			memset(&v->keys[v->n], 0, sizeof(*v->keys));
		v->n++;
		if (obj) {
			jskip(p);
			if (p->pos >= p->len || p->s[p->pos] != '"' ||
			    !jparse(p, &v->keys[v->n - 1]))
				return false;
			jskip(p);
			if (p->pos >= p->len || p->s[p->pos++] != ':')
				return false;
		}
		if (!jparse(p, &v->kids[v->n - 1]))
			return false;
		jskip(p);
		if (p->pos >= p->len)
			return false;
		if (p->s[p->pos] == close) {
			p->pos++;
			return true;
		}
		if (p->s[p->pos++] != ',')
			return false;
	}
}

static bool jparse(struct jparser *p, struct jv *v)
{
	bool ok = true;
	char c;

	jskip(p);
	if (p->pos >= p->len || p->depth >= JSON_DEPTH_MAX)
		return false;
	v->off = p->pos;
	c = p->s[p->pos];
	p->depth++;
	if (c == '{' || c == '[') {
		ok = jcontainer(p, v, c == '{');
	} else if (c == '"') {
		ok = jstring(p, v);
	} else {
		v->type = c == 'n' ? J_NULL : c == 't' || c == 'f' ? J_BOOL :
			  J_NUM;
		while (p->pos < p->len && !strchr(" \t\r\n,]}", p->s[p->pos]))
			p->pos++;
	}
	p->depth--;
	v->end = p->pos;
	return ok;
}

static bool jis(const struct jparser *p, const struct jv *v, const char *str)
{
	size_t n = strlen(str);

	return v->type == J_STR && v->end - v->off == n + 2 &&
	       !memcmp(p->s + v->off + 1, str, n);
}

/* Growing text of the statement being written out. */
struct sbuf {
	char	*s;
	size_t	len, size;
	bool	bad;
};

static void sput(struct sbuf *b, const char *s, size_t n)
{
	char *ns;

	if (b->len + n + 1 > b->size) {
		size_t size = b->size ? b->size : 256;

		while (size < b->len + n + 1)
			size *= 2;
		ns = realloc(b->s, size);
		if (!ns) {
			b->bad = true;
			return;
		}
		b->s = ns;
		b->size = size;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sputs(struct sbuf *b, const char *s)
{
	sput(b, s, strlen(s));
}

/* A string's contents or a number's digits, as they stand. */
static void sval(struct sbuf *b, const struct jparser *p, const struct jv *v)
{
	if (v->type == J_STR)
		sput(b, p->s + v->off + 1, v->end - v->off - 2);
	else
		sput(b, p->s + v->off, v->end - v->off);
}

static const struct jv *jmember(const struct jparser *p, const struct jv *o,
				const char *key)
{
	unsigned int i;

	for (i = 0; o->type == J_OBJ && i < o->n; i++) {
		if (jis(p, &o->keys[i], key))
			return &o->kids[i];
	}
	return NULL;
}

/* One real server: "ADDR" or {"addr": ..., "port": N, "weight": N}. */
static void srs(struct sbuf *b, const struct jparser *p, const struct jv *v)
{
	const struct jv *addr = jmember(p, v, "addr");
	const struct jv *port = jmember(p, v, "port");
	const struct jv *weight = jmember(p, v, "weight");
	bool v6;

	if (v->type != J_OBJ) {
		sval(b, p, v);
		return;
	}
	if (!addr) {
		sputs(b, "{ }");	/* the parser says what is missing */
		return;
	}
	v6 = memchr(p->s + addr->off, ':', addr->end - addr->off);
	if (v6 && port)
		sputs(b, "[");
	sval(b, p, addr);
	if (v6 && port)
		sputs(b, "]");
	if (port) {
		sputs(b, ":");
		sval(b, p, port);
	}
	if (weight) {
		sputs(b, " weight ");
		sval(b, p, weight);
	}
}

/* A list: an array of elements, or one element. */
static void slist(struct sbuf *b, const struct jparser *p, const struct jv *v,
		  bool rs, const char *sep)
{
	unsigned int i;

	if (v->type != J_ARR) {
		rs ? srs(b, p, v) : sval(b, p, v);
		return;
	}
	sputs(b, "{ ");
	for (i = 0; i < v->n; i++) {
		if (i)
			sputs(b, sep);
		rs ? srs(b, p, &v->kids[i]) : sval(b, p, &v->kids[i]);
	}
	sputs(b, v->n ? " }" : "}");
}

/* Values of an array (or one value) joined by @sep, without braces. */
static void swords(struct sbuf *b, const struct jparser *p, const struct jv *v,
		   const char *sep)
{
	unsigned int i;

	if (v->type != J_ARR) {
		sval(b, p, v);
		return;
	}
	for (i = 0; i < v->n; i++) {
		if (i)
			sputs(b, sep);
		sval(b, p, &v->kids[i]);
	}
}

static void soption(struct sbuf *b, const struct jparser *p,
		    const struct jv *key, const struct jv *v)
{
	const struct jv *range = jmember(p, v, "range");
	const struct jv *r = range ? range : v;

	sputs(b, " ");
	sval(b, p, key);
	sputs(b, " ");
	if (jis(p, key, "flags")) {
		swords(b, p, v, ",");
	} else if (jis(p, key, "ports") && r->type == J_ARR && r->n == 2) {
		sval(b, p, &r->kids[0]);
		sputs(b, "-");
		sval(b, p, &r->kids[1]);
	} else if (jis(p, key, "timeout") && v->type == J_NUM) {
		sval(b, p, v);
		sputs(b, "s");
	} else {
		sval(b, p, v);
	}
}

static void sstmt(struct sbuf *b, const struct jparser *p, const struct jv *o)
{
	const struct jv *key = &o->keys[0], *v = &o->kids[0];
	bool fullnat = jis(p, key, NFT_LVS_EXPR_FULLNAT);
	const struct jv *to = jmember(p, v, "to");
	const struct jv *via = jmember(p, v, "via");
	unsigned int i;

	sval(b, p, key);
	if (fullnat && to) {
		sputs(b, " to ");
		slist(b, p, to, true, ", ");
	}
	if (fullnat && via) {
		sputs(b, " via ");
		slist(b, p, via, false, ", ");
	}
	for (i = 0; v->type == J_OBJ && i < v->n; i++) {
		if (fullnat && (jis(p, &v->keys[i], "to") ||
				jis(p, &v->keys[i], "via")))
			continue;
		if (!fullnat && jis(p, &v->keys[i], "flags")) {
			/* synproxy-lb's flags are keywords of their own */
			sputs(b, " ");
			swords(b, p, &v->kids[i], " ");
			continue;
		}
		soption(b, p, &v->keys[i], &v->kids[i]);
	}
}

static int family_of(const struct jparser *p, const struct jv *v)
{
	if (jis(p, v, "ip"))
		return NFPROTO_IPV4;
	if (jis(p, v, "ip6"))
		return NFPROTO_IPV6;
	if (jis(p, v, "inet"))
		return NFPROTO_INET;
	return 0;
}

static bool is_ours(const struct jparser *p, const struct jv *v)
{
	return v->type == J_OBJ && v->n == 1 &&
	       (jis(p, &v->keys[0], NFT_LVS_EXPR_DISPATCH) ||
		jis(p, &v->keys[0], NFT_LVS_EXPR_SYNPROXY) ||
		jis(p, &v->keys[0], NFT_LVS_EXPR_FULLNAT));
}

static void json_stmt(struct src *s, const struct jparser *p,
		      const struct jv *o, int family)
{
	struct src tmp = {};
	struct nftlvs_expr *e;
	struct sbuf b = {};
	unsigned int line, col;
	struct tsrc ts;
	struct token kw;
	char repl[128], header[4200];
	int idx;

	sstmt(&b, p, o);
	if (b.bad) {
		src_error(s, o->off, o->end - o->off, "out of memory");
		goto out;
	}
	text_pos(s->orig, s->orig_len, o->off, &line, &col, NULL);
	snprintf(header, sizeof(header), "%s:%u:%u-%u", s->name, line, col,
		 col + (unsigned int)(o->end - o->off) - 1);
	tmp.orig = b.s;
	tmp.orig_len = b.len;
	tmp.header = header;
	ts_init(&ts, &tmp, 0);
	ts_next(&ts, &kw);
	e = parse_stmt(&ts, &kw, family);
	if (!e)
		goto out;
	if (ts_peek(&ts)->type != T_EOF) {
		src_error(&tmp, ts_peek(&ts)->off,
			  ts_peek(&ts)->loc_len, "%.*s: unknown option %.*s",
			  (int)kw.len, kw.s, (int)ts_peek(&ts)->len,
			  ts_peek(&ts)->s);
		nftlvs_expr_free(e);
		goto out;
	}
	idx = stmt_add(e, NULL);
	if (idx < 0 || placeholder_json(repl, sizeof(repl), idx) < 0 ||
	    src_edit(s, o->off, o->end, repl, idx) < 0)
		src_error(s, o->off, 1, "out of memory");
out:
	tmp.header = NULL;
	free(b.s);
}

static void json_walk(struct src *s, const struct jparser *p,
		      const struct jv *v, int family)
{
	const struct jv *f;
	unsigned int i, j;

	if (v->type == J_ARR) {
		for (i = 0; i < v->n; i++)
			json_walk(s, p, &v->kids[i], family);
		return;
	}
	if (v->type != J_OBJ)
		return;
	f = jmember(p, v, "family");
	if (f)
		family = family_of(p, f);
	for (i = 0; i < v->n; i++) {
		if (!jis(p, &v->keys[i], "expr") || v->kids[i].type != J_ARR) {
			json_walk(s, p, &v->kids[i], family);
			continue;
		}
		for (j = 0; j < v->kids[i].n; j++) {
			if (is_ours(p, &v->kids[i].kids[j]))
				json_stmt(s, p, &v->kids[i].kids[j], family);
		}
	}
}

int json_scan_src(struct src *s)
{
	struct jparser p = { .s = s->orig, .len = s->orig_len };
	unsigned int errors = nftlvs_errors;
	struct jv root = {};

	/* Malformed JSON is nft's to report: leave it as it is. */
	if (jparse(&p, &root))
		json_walk(s, &p, &root, 0);
	jv_free(&root);
	if (src_finish(s) < 0)
		nftlvs_errors++;
	return nftlvs_errors == errors ? 0 : -1;
}
