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
 *   {"fullnat": {"to": "@web", "via": "@lips"}}
 *
 * Each one found in a rule's "expr" array is written out as statement
 * text and parsed by the text parser, so both inputs obey the same rules
 * and errors show the statement with a caret under the offending value.
 * Then the JSON object is replaced by the placeholder's JSON form. The
 * sets and maps the file declares are noted first, so that the named sets
 * of a statement are checked (sets.c) before anything is sent.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* A rule's place: its table's family and name, what its matches imply. */
struct jplace {
	int		family;
	const struct jv	*table;		/* J_STR, or NULL */
};

static void json_stmt(struct src *s, const struct jparser *p,
		      const struct jv *o, const struct jplace *where,
		      int match_af)
{
	char repl[128], header[4200], table[NFT_TABLE_MAXNAMELEN] = "";
	struct stmt_place at = {
		.family = where->family, .table = table,
		.match_af = match_af > 0 ? match_af : 0,
	};
	struct src tmp = {};
	struct nftlvs_expr *e;
	struct sbuf b = {};
	unsigned int line, col;
	struct set_use use;
	struct tsrc ts;
	struct token kw;
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
	if (where->table)
		snprintf(table, sizeof(table), "%.*s",
			 (int)(where->table->end - where->table->off - 2),
			 p->s + where->table->off + 1);
	ts_init(&ts, &tmp, 0);
	ts_next(&ts, &kw);
	e = parse_stmt(&ts, &kw, &at, &use);
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
	    src_edit(s, o->off, o->end, repl, idx) < 0) {
		src_error(s, o->off, 1, "out of memory");
		goto out;
	}
	/* The file's sets are known already: judged here, on this text. */
	use.stmt = idx;
	sets_check(&use);
out:
	tmp.header = NULL;
	free(b.s);
}

/*
 * The family a match implies in an inet table: a payload of protocol
 * "ip" or "ip6" anywhere in @v; -1 once both were seen.
 */
static void json_match_af(const struct jparser *p, const struct jv *v,
			  int *match_af)
{
	unsigned int i;
	int af;

	for (i = 0; i < v->n && (v->type == J_ARR || v->type == J_OBJ); i++) {
		if (v->type == J_OBJ && jis(p, &v->keys[i], "protocol")) {
			af = jis(p, &v->kids[i], "ip") ? AF_INET :
			     jis(p, &v->kids[i], "ip6") ? AF_INET6 : 0;
			if (af && !*match_af)
				*match_af = af;
			else if (af && *match_af != af)
				*match_af = -1;
		}
		json_match_af(p, &v->kids[i], match_af);
	}
}

static void json_walk(struct src *s, const struct jparser *p,
		      const struct jv *v, struct jplace where)
{
	const struct jv *f, *x;
	unsigned int i, j;
	int match_af;

	if (v->type == J_ARR) {
		for (i = 0; i < v->n; i++)
			json_walk(s, p, &v->kids[i], where);
		return;
	}
	if (v->type != J_OBJ)
		return;
	f = jmember(p, v, "family");
	if (f)
		where.family = family_of(p, f);
	f = jmember(p, v, "table");
	if (f && f->type == J_STR)
		where.table = f;
	for (i = 0; i < v->n; i++) {
		if (!jis(p, &v->keys[i], "expr") || v->kids[i].type != J_ARR) {
			json_walk(s, p, &v->kids[i], where);
			continue;
		}
		match_af = 0;
		for (j = 0; j < v->kids[i].n; j++) {
			x = &v->kids[i].kids[j];
			if (is_ours(p, x))
				json_stmt(s, p, x, &where, match_af);
			else
				json_match_af(p, x, &match_af);
		}
	}
}

/* A string member's contents into @buf ("" if it is none). */
static void jstr(const struct jparser *p, const struct jv *v, char *buf,
		 size_t size)
{
	if (v && v->type == J_STR)
		snprintf(buf, size, "%.*s", (int)(v->end - v->off - 2),
			 p->s + v->off + 1);
	else if (size)
		buf[0] = '\0';
}

/* One type name, or an array of them, into @sh and its description. */
static void jtype(const struct jparser *p, const struct jv *v,
		  struct set_shape *sh, bool data, char *desc, size_t size)
{
	const struct jv *t = v;
	unsigned int i, n = v->type == J_ARR ? v->n : 1;
	size_t len = strlen(desc);

	for (i = 0; i < n; i++) {
		if (v->type == J_ARR)
			t = &v->kids[i];
		if (t->type != J_STR) {
			shape_typeof(sh, "", 0, data);	/* not known */
			continue;
		}
		shape_type(sh, p->s + t->off + 1, t->end - t->off - 2, data);
		if (len < size)
			len += snprintf(desc + len, size - len, "%s%.*s",
					i ? " . " : data ? " : " : "type ",
					(int)(t->end - t->off - 2),
					p->s + t->off + 1);
	}
}

/*
 * {"set": {...}} and {"map": {...}} that declare one, anywhere in @v
 * (also inside {"add": ...}): their type and flags for sets.c.
 */
static void json_sets(const struct jparser *p, const struct jv *v)
{
	char table[NFT_TABLE_MAXNAMELEN], name[NFT_SET_MAXNAMELEN];
	const struct jv *d, *type, *data, *flags, *f;
	struct set_shape sh;
	unsigned int i, j;
	bool map;

	for (i = 0; i < v->n && (v->type == J_ARR || v->type == J_OBJ); i++) {
		json_sets(p, &v->kids[i]);
		map = v->type == J_OBJ && jis(p, &v->keys[i], "map");
		if (v->type != J_OBJ || (!map && !jis(p, &v->keys[i], "set")))
			continue;
		d = &v->kids[i];
		type = jmember(p, d, "type");
		if (d->type != J_OBJ || !type || !jmember(p, d, "name") ||
		    !jmember(p, d, "table"))
			continue;
		memset(&sh, 0, sizeof(sh));
		sh.map = map;
		jtype(p, type, &sh, false, sh.desc, sizeof(sh.desc));
		data = jmember(p, d, "map");
		if (map && data)
			jtype(p, data, &sh, true, sh.desc, sizeof(sh.desc));
		flags = jmember(p, d, "flags");
		for (j = 0; flags && j < (flags->type == J_ARR ? flags->n : 1);
		     j++) {
			f = flags->type == J_ARR ? &flags->kids[j] : flags;
			if (f->type == J_STR)
				shape_flag(&sh, p->s + f->off + 1,
					   f->end - f->off - 2);
		}
		jstr(p, jmember(p, d, "table"), table, sizeof(table));
		jstr(p, jmember(p, d, "name"), name, sizeof(name));
		f = jmember(p, d, "family");
		sets_declare(f ? family_of(p, f) : NFPROTO_IPV4, table, name,
			     strlen(name), &sh);
	}
}

int json_scan_src(struct src *s)
{
	struct jparser p = { .s = s->orig, .len = s->orig_len };
	unsigned int errors = nftlvs_errors;
	struct jv root = {};

	/* Malformed JSON is nft's to report: leave it as it is. */
	if (jparse(&p, &root)) {
		json_sets(&p, &root);
		json_walk(s, &p, &root, (struct jplace){ 0 });
	}
	jv_free(&root);
	if (src_finish(s) < 0)
		nftlvs_errors++;
	return nftlvs_errors == errors ? 0 : -1;
}
