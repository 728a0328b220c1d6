// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding our statements in nft's input. We follow just enough of the
 * syntax to know where a rule is: table and chain blocks, commands like
 * `add rule FAMILY TABLE CHAIN ...`, and inside a rule the words at the
 * rule's own level (not in braces, strings or comments). There, the three
 * keywords are statements, except right after a word that takes a name
 * (`jump fullnat` jumps to a chain called fullnat).
 *
 * On the way we follow define/undefine, so that statements can use
 * variables, and include, so that included files are scanned in order
 * (their definitions visible to what follows) before nft opens them. We
 * also note the type of each set and map declared (sets.c checks the
 * named sets of our statements against them once the input is read).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netfilter.h>

#include <libnftlvs/expr.h>

#include "nftlvs.h"

#define INCLUDE_DEPTH_MAX	16

enum blk {
	BLK_TOP,
	BLK_TABLE,
	BLK_CHAIN,
};

struct scanner {
	struct src	*src;
	struct tsrc	ts;
	unsigned int	include_depth;
	char		table[NFT_TABLE_MAXNAMELEN];	/* "": none yet */
};

struct scan_opts scan_opts;

static int scan_block(struct scanner *sc, enum blk kind, int family);

/* Words after which one of our keywords is a name, not a statement. */
static const char *const name_takers[] = {
	"jump", "goto", "name", "to", "prefix", "comment", "set", "map",
	"vmap", "table", "chain", "helper", "timeout", "expectation", NULL,
};

static bool takes_name(const struct token *t)
{
	unsigned int i;

	for (i = 0; name_takers[i]; i++) {
		if (tok_is(t, name_takers[i]))
			return true;
	}
	return false;
}

static int family_of(const struct token *t)
{
	static const struct {
		const char	*name;
		int		nfproto;
	} families[] = {
		{ "ip", NFPROTO_IPV4 }, { "ip6", NFPROTO_IPV6 },
		{ "inet", NFPROTO_INET }, { "arp", NFPROTO_ARP },
		{ "bridge", NFPROTO_BRIDGE }, { "netdev", NFPROTO_NETDEV },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		if (tok_is(t, families[i].name))
			return families[i].nfproto;
	}
	return -1;
}

/* The family word, if one comes next (taken), else @family. */
static int take_family(struct scanner *sc, int family)
{
	int f = family_of(ts_peek(&sc->ts));
	struct token t;

	if (f < 0)
		return family;
	ts_next(&sc->ts, &t);
	return f;
}

static bool ends_line(const struct token *t)
{
	return t->type == T_NEWLINE || t->type == T_SEMI || t->type == T_EOF;
}

/* A table's name as nft takes it: a word, or quoted. */
static void take_name(const struct token *t, char *buf, size_t size)
{
	if (t->type == T_STRING && t->len >= 2)
		snprintf(buf, size, "%.*s", (int)t->len - 2, t->s + 1);
	else
		snprintf(buf, size, "%.*s", (int)t->len, t->s);
}

/*
 * The rest of a line, braces and what they hold included. A '}' that
 * closes the enclosing block is left for the block to take.
 */
static void skip_line(struct scanner *sc, int depth)
{
	const struct token *p;
	struct token t;

	for (;;) {
		p = ts_peek(&sc->ts);
		if (p->type == T_EOF || (!depth && ends_line(p)) ||
		    (!depth && p->type == T_RBRACE))
			return;
		ts_next(&sc->ts, &t);
		if (t.type == T_LBRACE) {
			depth++;
		} else if (t.type == T_RBRACE) {
			depth--;
		}
	}
}

/* The statement's index, or -1. */
static int stmt_replace(struct scanner *sc, const struct token *kw,
			struct nftlvs_expr *e)
{
	const char *orig = sc->src->orig;
	size_t start = kw->off, end = sc->ts.end, i, line_start = start;
	char repl[256 + 3 * 64], *p;
	unsigned int lines = 0;
	int idx, n;

	idx = stmt_add(e, kw->s);
	if (idx < 0)
		return -1;
	n = placeholder_text(repl, sizeof(repl), idx);
	p = repl + n;
	/*
	 * Keep the line numbers: a statement that spanned lines leaves a
	 * line continuation for each of them, then the text that followed
	 * it starts at its old column.
	 */
	for (i = start; i < end; i++) {
		if (orig[i] != '\n')
			continue;
		if (p - repl + 3 + 1 > (long)sizeof(repl) - 64)
			break;
		memcpy(p, " \\\n", 3);
		p += 3;
		lines++;
		line_start = i + 1;
	}
	n = lines ? (int)(end - line_start) : (int)(end - start) - n;
	while (n-- > 0 && p - repl < (long)sizeof(repl) - 1)
		*p++ = ' ';
	*p = '\0';
	return src_edit(sc->src, start, end, repl, idx) < 0 ? -1 : idx;
}

/*
 * The family a match implies in an inet table: `ip ...` IPv4, `ip6 ...`
 * IPv6, and `meta nfproto ipv4|ipv6`; -1 once both were seen.
 */
static void note_match_af(int *match_af, const struct token *t,
			  const struct token *prev)
{
	int af = 0;

	if (takes_name(prev))
		return;
	if (tok_is(t, "ip") || (tok_is(prev, "nfproto") && tok_is(t, "ipv4")))
		af = AF_INET;
	else if (tok_is(t, "ip6") ||
		 (tok_is(prev, "nfproto") && tok_is(t, "ipv6")))
		af = AF_INET6;
	if (af && !*match_af)
		*match_af = af;
	else if (af && *match_af != af)
		*match_af = -1;
}

/* A rule's statements and matches, @first already taken. */
static void scan_rule(struct scanner *sc, const struct token *first,
		      int family)
{
	struct stmt_place at = { .family = family, .table = sc->table };
	struct token t = *first, prev = {};
	const struct token *p;
	struct nftlvs_expr *e;
	struct set_use use;
	int depth = 0, match_af = 0;

	for (;;) {
		if (t.type == T_LBRACE) {
			depth++;
		} else if (t.type == T_RBRACE) {
			depth--;
		} else if (!depth && is_stmt_keyword(&t) && !takes_name(&prev)) {
			at.match_af = match_af > 0 ? match_af : 0;
			e = parse_stmt(&sc->ts, &t, &at, &use);
			if (!e || (use.stmt = stmt_replace(sc, &t, e)) < 0) {
				skip_line(sc, 0);
				return;
			}
			sets_defer(&use);
		} else if (!depth) {
			note_match_af(&match_af, &t, &prev);
		}
		prev = t;
		if (depth < 0)
			depth = 0;
		p = ts_peek(&sc->ts);
		if (p->type == T_EOF || (!depth && ends_line(p)) ||
		    (!depth && p->type == T_RBRACE))
			return;
		ts_next(&sc->ts, &t);
	}
}

/* define NAME = VALUE, up to the end of the line (braces may span lines). */
static void scan_define(struct scanner *sc, bool redefine)
{
	const struct token *p;
	struct token name, t;
	size_t start = 0, end = 0;
	int depth = 0;

	ts_next(&sc->ts, &name);
	ts_next(&sc->ts, &t);
	if (name.type != T_WORD || t.type != T_OTHER || t.s[0] != '=') {
		skip_line(sc, 0);
		return;
	}
	for (;;) {
		p = ts_peek(&sc->ts);
		if (p->type == T_EOF || (!depth && ends_line(p)) ||
		    (!depth && p->type == T_RBRACE))
			break;
		ts_next(&sc->ts, &t);
		if (!end)
			start = t.off;
		end = t.off + t.len;
		depth += (t.type == T_LBRACE) - (t.type == T_RBRACE);
	}
	if (end)
		defs_set(name.s, name.len, sc->src->orig + start, end - start,
			 redefine);
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/*
 * nft's include rules: "./x", "../x" and "/x" as they are, other names in
 * each include directory in turn; the first match of a name without
 * wildcards wins, wildcards collect from every directory; files of a
 * pattern in alphabetical order.
 */
static void scan_include_pattern(struct scanner *sc, const char *pattern,
				 size_t off, size_t len, enum blk kind,
				 int family, int *found)
{
	glob_t g;
	size_t i, n;
	int err;

	if (glob(pattern, GLOB_NOESCAPE | GLOB_MARK, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		n = strlen(g.gl_pathv[i]);
		if (!n || g.gl_pathv[i][n - 1] == '/')
			continue;
		*found = 1;
		scan_file_in(g.gl_pathv[i], sc->src, off, len, kind, family,
			     sc->table, sc->include_depth + 1, &err);
	}
	globfree(&g);
}

static void scan_include(struct scanner *sc, const struct token *kw,
			 enum blk kind, int family)
{
	char path[PATH_MAX], name[PATH_MAX];
	size_t off = kw->off, len;
	unsigned int i;
	struct token t;
	int found = 0;

	ts_next(&sc->ts, &t);
	if (t.type != T_STRING || t.len < 2 || t.len - 2 >= sizeof(name) ||
	    sc->include_depth >= INCLUDE_DEPTH_MAX) {
		skip_line(sc, 0);
		return;
	}
	memcpy(name, t.s + 1, t.len - 2);
	name[t.len - 2] = '\0';
	len = t.off + t.len - off;
	if (!strncmp(name, "./", 2) || !strncmp(name, "../", 3) ||
	    name[0] == '/') {
		scan_include_pattern(sc, name, off, len, kind, family, &found);
		return;
	}
	for (i = 0; i < scan_opts.ninclude_paths; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s",
				     scan_opts.include_paths[i], name) >=
		    sizeof(path))
			return;
		scan_include_pattern(sc, path, off, len, kind, family, &found);
		if (found && !has_wildcard(name))
			return;
	}
}

/*
 * TABLE/CHAIN [FAMILY] NAME... '{': the block, in a scope of its own. The
 * first of several names, or a table's only one, names the table.
 */
static void scan_object(struct scanner *sc, enum blk inner, int nnames,
			int family)
{
	char outer[sizeof(sc->table)];
	const struct token *p;
	bool names_table;
	struct token t;

	names_table = inner != BLK_CHAIN || nnames > 1;
	if (names_table)
		family = take_family(sc, family);
	memcpy(outer, sc->table, sizeof(outer));
	while (nnames--) {
		p = ts_peek(&sc->ts);
		if (p->type != T_WORD && p->type != T_STRING)
			break;
		ts_next(&sc->ts, &t);
		if (names_table) {
			take_name(&t, sc->table, sizeof(sc->table));
			names_table = false;
		}
	}
	if (ts_peek(&sc->ts)->type == T_LBRACE) {
		ts_next(&sc->ts, &t);
		defs_push();
		scan_block(sc, inner, family);
		defs_pop();
	} else {
		skip_line(sc, 0);
	}
	memcpy(sc->table, outer, sizeof(outer));
}

/* The words of `type A . B : C` or `typeof E . F : G`, into @sh. */
static void scan_set_type(struct scanner *sc, struct set_shape *sh,
			  const struct token *kw)
{
	bool typeof_ = tok_is(kw, "typeof"), data = false;
	char desc[sizeof(sh->desc)], expr[64];
	size_t dlen, elen = 0, i, j;
	const struct token *p;
	struct token t;

	dlen = snprintf(desc, sizeof(desc), "%.*s", (int)kw->len, kw->s);
	for (;;) {
		p = ts_peek(&sc->ts);
		if (ends_line(p) || p->type == T_RBRACE)
			break;
		ts_next(&sc->ts, &t);
		if (dlen < sizeof(desc))
			dlen += snprintf(desc + dlen, sizeof(desc) - dlen,
					 " %.*s", (int)t.len, t.s);
		if (typeof_ && (t.type == T_COLON || tok_is(&t, "."))) {
			shape_typeof(sh, expr, elen, data);
			elen = 0;
		} else if (typeof_ && t.type == T_WORD) {
			if (elen < sizeof(expr))
				elen += snprintf(expr + elen, sizeof(expr) - elen,
						 "%s%.*s", elen ? " " : "",
						 (int)t.len, t.s);
		} else if (t.type == T_WORD && !(data && tok_is(&t, "interval"))) {
			/* ipv4_addr.inet_service is one word to our lexer */
			for (i = 0; i < t.len; i = j + 1) {
				for (j = i; j < t.len && t.s[j] != '.'; j++)
					;
				if (j > i)
					shape_type(sh, t.s + i, j - i, data);
			}
		} else if (t.type != T_WORD && t.type != T_COLON) {
			shape_typeof(sh, "", 0, data);	/* $var: not known */
		}
		if (t.type == T_COLON)
			data = true;
	}
	if (typeof_ && elen)
		shape_typeof(sh, expr, elen, data);
	shape_desc(sh, desc, dlen < sizeof(desc) ? dlen : sizeof(desc) - 1);
}

/*
 * set|map NAME { type ...; flags ...; ... }: its type and flags noted for
 * sets.c (in @family's table sc->table); the rest of the block is nft's.
 */
static void scan_set(struct scanner *sc, int family, bool map)
{
	struct set_shape sh = { .map = map };
	struct token name, t;
	char buf[NFT_SET_MAXNAMELEN];

	ts_next(&sc->ts, &name);
	if ((name.type != T_WORD && name.type != T_STRING) ||
	    ts_peek(&sc->ts)->type != T_LBRACE) {
		skip_line(sc, 0);
		return;
	}
	ts_next(&sc->ts, &t);
	for (;;) {
		ts_next(&sc->ts, &t);
		if (t.type == T_EOF)
			return;
		if (t.type == T_RBRACE)
			break;
		if (tok_is(&t, "type") || tok_is(&t, "typeof")) {
			scan_set_type(sc, &sh, &t);
		} else if (tok_is(&t, "flags")) {
			while (!ends_line(ts_peek(&sc->ts)) &&
			       ts_peek(&sc->ts)->type != T_RBRACE) {
				ts_next(&sc->ts, &t);
				if (t.type == T_WORD)
					shape_flag(&sh, t.s, t.len);
			}
		} else if (!ends_line(&t)) {
			skip_line(sc, t.type == T_LBRACE);
		}
	}
	take_name(&name, buf, sizeof(buf));
	sets_declare(family, sc->table, buf, strlen(buf), &sh);
}

/* add|create set|map [FAMILY] TABLE NAME { ... } */
static void scan_set_cmd(struct scanner *sc, bool map)
{
	char outer[sizeof(sc->table)];
	int family = take_family(sc, NFPROTO_IPV4);
	const struct token *p;
	struct token t;

	p = ts_peek(&sc->ts);
	if (p->type != T_WORD && p->type != T_STRING) {
		skip_line(sc, 0);
		return;
	}
	ts_next(&sc->ts, &t);
	memcpy(outer, sc->table, sizeof(outer));
	take_name(&t, sc->table, sizeof(sc->table));
	scan_set(sc, family, map);
	memcpy(sc->table, outer, sizeof(outer));
}

/* add|insert|replace rule [FAMILY] TABLE CHAIN [handle|position|index N] */
static void scan_rule_cmd(struct scanner *sc)
{
	int family = take_family(sc, NFPROTO_IPV4), i;
	const struct token *p;
	struct token t;

	for (i = 0; i < 2; i++) {
		p = ts_peek(&sc->ts);
		if (p->type != T_WORD && p->type != T_STRING)
			return;
		ts_next(&sc->ts, &t);
		if (!i)
			take_name(&t, sc->table, sizeof(sc->table));
	}
	p = ts_peek(&sc->ts);
	if (tok_is(p, "handle") || tok_is(p, "position") || tok_is(p, "index")) {
		ts_next(&sc->ts, &t);
		ts_next(&sc->ts, &t);
	}
	p = ts_peek(&sc->ts);
	if (ends_line(p) || p->type == T_RBRACE)
		return;
	ts_next(&sc->ts, &t);
	scan_rule(sc, &t, family);
}

static const char *const verbs[] = {
	"add", "create", "insert", "replace", "delete", "destroy", "list",
	"flush", "reset", "rename", "get", "describe", "monitor", "export",
	"import", NULL,
};

static void scan_command(struct scanner *sc, const struct token *first)
{
	struct token obj = *first;
	bool makes_rules = true;
	unsigned int i;

	for (i = 0; verbs[i]; i++) {
		if (tok_is(first, verbs[i])) {
			makes_rules = i < 4;	/* add create insert replace */
			ts_next(&sc->ts, &obj);
			break;
		}
	}
	if (ends_line(&obj))
		return;
	if (tok_is(&obj, "table"))
		scan_object(sc, BLK_TABLE, 1, NFPROTO_IPV4);
	else if (tok_is(&obj, "chain"))
		scan_object(sc, BLK_CHAIN, 2, NFPROTO_IPV4);
	else if (tok_is(&obj, "rule") && makes_rules)
		scan_rule_cmd(sc);
	else if ((tok_is(&obj, "set") || tok_is(&obj, "map")) && makes_rules)
		scan_set_cmd(sc, tok_is(&obj, "map"));
	else
		skip_line(sc, obj.type == T_LBRACE);
}

static const char *const chain_props[] = {
	"type", "policy", "comment", "devices", "flags", NULL,
};

static int scan_block(struct scanner *sc, enum blk kind, int family)
{
	struct token t;
	unsigned int i;

	for (;;) {
		ts_next(&sc->ts, &t);
		if (t.type == T_EOF)
			return 0;
		if (t.type == T_NEWLINE || t.type == T_SEMI)
			continue;
		if (t.type == T_RBRACE) {
			if (kind != BLK_TOP)
				return 0;
			continue;
		}
		if (tok_is(&t, "include")) {
			scan_include(sc, &t, kind, family);
		} else if (tok_is(&t, "define") || tok_is(&t, "redefine")) {
			scan_define(sc, tok_is(&t, "redefine"));
		} else if (tok_is(&t, "undefine")) {
			ts_next(&sc->ts, &t);
			if (t.type == T_WORD)
				defs_unset(t.s, t.len);
			skip_line(sc, 0);
		} else if (kind == BLK_TOP) {
			scan_command(sc, &t);
		} else if (kind == BLK_TABLE && tok_is(&t, "chain")) {
			scan_object(sc, BLK_CHAIN, 1, family);
		} else if (kind == BLK_TABLE &&
			   (tok_is(&t, "set") || tok_is(&t, "map"))) {
			scan_set(sc, family, tok_is(&t, "map"));
		} else if (kind == BLK_CHAIN && t.type != T_LBRACE) {
			for (i = 0; chain_props[i]; i++) {
				if (tok_is(&t, chain_props[i]))
					break;
			}
			if (chain_props[i])
				skip_line(sc, 0);
			else
				scan_rule(sc, &t, family);
		} else {
			skip_line(sc, t.type == T_LBRACE);
		}
	}
}

static int scan_src_in(struct src *s, enum blk kind, int family,
		       const char *table, unsigned int include_depth)
{
	unsigned int errors = nftlvs_errors;
	struct scanner sc = { .src = s, .include_depth = include_depth };

	snprintf(sc.table, sizeof(sc.table), "%s", table);
	ts_init(&sc.ts, s, 0);
	scan_block(&sc, kind, family);
	/* Read whole: the sets of its statements can be judged. */
	if (!include_depth)
		sets_resolve();
	if (src_finish(s) < 0) {
		fprintf(err_out(), "Error: %s\n", strerror(errno));
		nftlvs_errors++;
	}
	return nftlvs_errors == errors ? 0 : -1;
}

int scan_src(struct src *s)
{
	return scan_src_in(s, BLK_TOP, NFPROTO_IPV4, "", 0);
}

struct src *scan_file_in(const char *path, const struct src *parent,
			 size_t incl_off, size_t incl_len, int kind,
			 int family, const char *table,
			 unsigned int include_depth, int *err)
{
	struct src *s;
	size_t len;
	char *text;

	*err = 0;
	text = read_file(path, &len);
	if (!text) {
		*err = errno;
		return NULL;	/* nft reports it when it fails to open it */
	}
	s = src_new(path, text, len);
	if (!s) {
		free(text);
		*err = ENOMEM;
		return NULL;
	}
	s->parent = parent;
	s->incl_off = incl_off;
	s->incl_len = incl_len;
	text += strspn(text, " \t\r\n");
	if (nftlvs_json_input && *text == '{') {
		s->json = true;
		if (json_scan_src(s) < 0)
			*err = EINVAL;
	} else if (scan_src_in(s, kind, family, table, include_depth) < 0) {
		*err = EINVAL;
	}
	return s;
}

struct src *scan_file(const char *path, int *err)
{
	return scan_file_in(path, NULL, 0, 0, BLK_TOP, NFPROTO_IPV4, "", 0,
			    err);
}

