// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keepalived.conf's syntax: words separated by blanks, '{' and '}' words of
 * their own, "strings" (no escapes, as keepalived reads them), comments
 * from '#' or '!' to the end of the line. A statement is a keyword and the
 * words after it on its line, then a block if a '{' follows. `include GLOB`
 * reads the matching files in place, GLOB relative to the including file.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define INCLUDE_DEPTH_MAX	8

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, n = 0, r;
	char *buf, *nb;

	if (!f)
		return NULL;
	buf = imp_alloc(cap + 1);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

static void add_tok(struct kconf *kc, const char *s, size_t len,
		    const struct imp_loc *loc, bool bol)
{
	struct ktok *t;

	kc->toks = imp_grow(kc->toks, kc->ntoks, sizeof(*kc->toks));
	t = &kc->toks[kc->ntoks++];
	t->s = strndup(s, len);
	if (!t->s)
		t->s = imp_strdup("");	/* ends the program: no memory */
	t->loc = *loc;
	t->bol = bol;
}

static int read_file(struct kconf *kc, struct imp_model *m, const char *path,
		     const struct imp_loc *from, unsigned int depth);

/* `include GLOB` of @at: relative to the directory of the including file. */
static int include(struct kconf *kc, struct imp_model *m, const char *pattern,
		   const struct imp_loc *at, unsigned int depth)
{
	const char *slash = strrchr(at->file, '/');
	char *full;
	glob_t g;
	size_t i;
	int rc = 0;

	if (pattern[0] == '/' || !slash)
		full = imp_strdup(pattern);
	else
		full = imp_printf("%.*s/%s", (int)(slash - at->file), at->file,
				  pattern);
	switch (glob(full, 0, NULL, &g)) {
	case 0:
		for (i = 0; i < g.gl_pathc && !rc; i++)
			rc = read_file(kc, m, g.gl_pathv[i], at, depth + 1);
		globfree(&g);
		break;
	case GLOB_NOMATCH:
		imp_warn(at, "include %s: no file matches", full);
		break;
	default:
		imp_error(at, "include %s: cannot read the directory", full);
		rc = -1;
	}
	free(full);
	return rc;
}

static int lex_line(struct kconf *kc, struct imp_model *m, const char *p,
		    const char *end, struct imp_loc *loc, unsigned int depth)
{
	unsigned int first = kc->ntoks;
	const char *q;
	char *pattern;
	int rc;

	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f') {
			p++;
			continue;
		}
		if (*p == '#' || *p == '!')
			break;
		if (*p == '{' || *p == '}') {
			add_tok(kc, p++, 1, loc, kc->ntoks == first);
			continue;
		}
		if (*p == '"') {
			q = memchr(p + 1, '"', end - p - 1);
			if (!q) {
				imp_error(loc, "string not closed on its line");
				return -1;
			}
			add_tok(kc, p + 1, q - p - 1, loc, kc->ntoks == first);
			p = q + 1;
			continue;
		}
		for (q = p; q < end && !strchr(" \t\r\v\f{}\"", *q); q++)
			;
		add_tok(kc, p, q - p, loc, kc->ntoks == first);
		p = q;
	}
	if (kc->ntoks == first || strcmp(kc->toks[first].s, "include"))
		return 0;
	/* The include statement is replaced by the files' statements. */
	if (kc->ntoks != first + 2) {
		imp_error(loc, "include: expected one file name or pattern");
		return -1;
	}
	pattern = kc->toks[first + 1].s;
	free(kc->toks[first].s);
	kc->ntoks = first;
	rc = include(kc, m, pattern, loc, depth);
	free(pattern);
	return rc;
}

static int read_file(struct kconf *kc, struct imp_model *m, const char *path,
		     const struct imp_loc *from, unsigned int depth)
{
	struct imp_loc loc = { imp_file_name(m, path), 0 };
	char *text, *p, *nl;
	size_t len;
	int rc = 0;

	if (depth > INCLUDE_DEPTH_MAX) {
		imp_error(from, "include %s: nested too deep (an include loop?)", path);
		return -1;
	}
	text = read_all(path, &len);
	if (!text) {
		imp_error(from, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (memchr(text, 0, len)) {
		loc.line = 1;
		imp_error(&loc, "a NUL byte: not a text file");
		free(text);
		return -1;
	}
	for (p = text; p < text + len && !rc; p = nl + 1) {
		nl = memchr(p, '\n', text + len - p);
		if (!nl)
			nl = text + len;
		loc.line++;
		rc = lex_line(kc, m, p, nl, &loc, depth);
	}
	free(text);
	return rc;
}

static bool is_brace(const struct ktok *t, char c)
{
	return t->s[0] == c && !t->s[1];
}

/* Statements from token *@i up to a '}' (@depth > 0) or the end. */
static int build(struct kconf *kc, unsigned int *i, struct knode *parent,
		 unsigned int depth)
{
	const struct ktok *t;
	struct knode *n;
	int rc;

	while (*i < kc->ntoks) {
		t = &kc->toks[*i];
		if (is_brace(t, '}')) {
			if (!depth) {
				imp_error(&t->loc, "'}' without a block to close");
				return -1;
			}
			(*i)++;
			return 0;
		}
		if (is_brace(t, '{')) {
			imp_error(&t->loc, "'{' without a keyword before it");
			return -1;
		}
		parent->kids = imp_grow(parent->kids, parent->nkids, sizeof(*n));
		n = &parent->kids[parent->nkids++];
		n->key = t;
		for ((*i)++; *i < kc->ntoks && !kc->toks[*i].bol &&
			     !is_brace(&kc->toks[*i], '{') &&
			     !is_brace(&kc->toks[*i], '}'); (*i)++) {
			n->args = imp_grow(n->args, n->nargs, sizeof(*n->args));
			n->args[n->nargs++] = &kc->toks[*i];
		}
		if (*i < kc->ntoks && is_brace(&kc->toks[*i], '{')) {
			n->block = true;
			(*i)++;
			rc = build(kc, i, n, depth + 1);
			if (rc > 0)
				imp_error(&t->loc, "%s: the block is not closed", t->s);
			if (rc)
				return -1;
		}
	}
	if (depth)
		return 1;	/* the end before '}': the caller names its block */
	return 0;
}

int kconf_read(struct kconf *kc, struct imp_model *m, const char *path)
{
	struct imp_loc top = { NULL, 0 };
	unsigned int i = 0;
	int rc;

	memset(kc, 0, sizeof(*kc));
	if (read_file(kc, m, path, &top, 0))
		return -1;
	rc = build(kc, &i, &kc->root, 0);
	return rc ? -1 : 0;
}

static void knode_free(struct knode *n)
{
	unsigned int i;

	for (i = 0; i < n->nkids; i++)
		knode_free(&n->kids[i]);
	free(n->kids);
	free(n->args);
}

void kconf_free(struct kconf *kc)
{
	unsigned int i;

	knode_free(&kc->root);
	for (i = 0; i < kc->ntoks; i++)
		free(kc->toks[i].s);
	free(kc->toks);
	memset(kc, 0, sizeof(*kc));
}

char *knode_text(const struct knode *n)
{
	char *s = imp_strdup(n->key->s), *t;
	unsigned int i;

	for (i = 0; i < n->nargs; i++) {
		t = imp_printf("%s %s", s, n->args[i]->s);
		free(s);
		s = t;
	}
	return s;
}

const char *knode_arg(const struct knode *n, unsigned int i)
{
	return i < n->nargs ? n->args[i]->s : NULL;
}

bool knode_need(const struct knode *n, unsigned int count)
{
	if (n->nargs >= count)
		return true;
	imp_error(&n->key->loc, "%s: expected %u argument%s", n->key->s, count,
		  count > 1 ? "s" : "");
	return false;
}

void knode_ignored(const struct knode *n)
{
	imp_warn(&n->key->loc, "%s: not carried over", n->key->s);
}

/* Seconds, fractions allowed (keepalived 2), as milliseconds. */
bool knode_seconds(const struct knode *n, unsigned int *ms)
{
	const char *s = knode_arg(n, 0);
	double v;
	char *end;

	if (!knode_need(n, 1))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (!isdigit((unsigned char)*s) || *end || errno || v < 0.001 || v > 86400) {
		imp_error(&n->key->loc, "%s: '%s' is not a number of seconds", n->key->s, s);
		return false;
	}
	*ms = (unsigned int)(v * 1000 + 0.5);
	return true;
}

bool knode_uint(const struct knode *n, unsigned int max, unsigned int *v)
{
	const char *s = knode_arg(n, 0);
	unsigned long u;
	char *end;

	if (!knode_need(n, 1))
		return false;
	errno = 0;
	u = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || u > max) {
		imp_error(&n->key->loc, "%s: '%s' is not a number from 0 to %u",
			  n->key->s, s, max);
		return false;
	}
	*v = (unsigned int)u;
	return true;
}
