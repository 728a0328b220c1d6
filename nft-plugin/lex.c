// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tokens of nft's input syntax, as far as finding and parsing our
 * statements needs them: strings and comments are skipped whole (a keyword
 * in them is not a statement), newlines and semicolons end rules, braces
 * nest, and addresses come out as one word, IPv6 ones included.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "nftlvs.h"

void lex_init(struct lexer *lx, const char *buf, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->buf = buf;
	lx->len = len;
}

static bool word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '/' || c == '-' ||
	       c == '*' || c == '@';
}

static bool ip6_char(int c)
{
	return isxdigit(c) || c == ':' || c == '.';
}

/* An IPv6 address at @p: a run of hex digits, dots and two colons or more. */
static size_t ip6_len(const char *p, size_t n)
{
	size_t i, colons = 0;

	for (i = 0; i < n && ip6_char((unsigned char)p[i]); i++)
		colons += p[i] == ':';
	return colons >= 2 ? i : 0;
}

static void lex_skip_blank(struct lexer *lx)
{
	const char *b = lx->buf;

	while (lx->pos < lx->len) {
		char c = b[lx->pos];

		if (c == ' ' || c == '\t' || c == '\r') {
			lx->pos++;
		} else if (c == '\\' && lx->pos + 1 < lx->len &&
			   b[lx->pos + 1] == '\n') {
			lx->pos += 2;	/* line continuation */
		} else if (c == '#') {
			while (lx->pos < lx->len && b[lx->pos] != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
}

void lex_next(struct lexer *lx, struct token *t)
{
	const char *b = lx->buf;
	size_t start, n;
	unsigned char c;

	lex_skip_blank(lx);
	start = lx->pos;
	memset(t, 0, sizeof(*t));
	t->s = b + start;
	if (start >= lx->len) {
		t->type = T_EOF;
		goto out;
	}
	c = b[start];
	lx->pos++;
	switch (c) {
	case '\n':
		t->type = T_NEWLINE;
		break;
	case ';':
		t->type = T_SEMI;
		break;
	case '{':
		t->type = T_LBRACE;
		break;
	case '}':
		t->type = T_RBRACE;
		break;
	case '[':
		t->type = T_LBRACK;
		break;
	case ']':
		t->type = T_RBRACK;
		break;
	case ',':
		t->type = T_COMMA;
		break;
	case '"':
		/* nft knows no escapes in strings. */
		while (lx->pos < lx->len && b[lx->pos] != '"')
			lx->pos++;
		if (lx->pos < lx->len)
			lx->pos++;
		t->type = T_STRING;
		break;
	case '$':
		while (lx->pos < lx->len &&
		       (isalnum((unsigned char)b[lx->pos]) ||
			b[lx->pos] == '_' || b[lx->pos] == '.' ||
			b[lx->pos] == '-'))
			lx->pos++;
		t->type = T_VAR;
		break;
	default:
		n = ip6_len(b + start, lx->len - start);
		if (n) {
			lx->pos = start + n;
			t->type = T_WORD;
		} else if (c == ':') {
			t->type = T_COLON;
		} else if (c == '-') {
			t->type = T_DASH;
		} else if (word_char(c)) {
			while (lx->pos < lx->len &&
			       word_char((unsigned char)b[lx->pos]))
				lx->pos++;
			t->type = T_WORD;
		} else {
			t->type = T_OTHER;
		}
		break;
	}
out:
	t->len = lx->pos - start;
	if (lx->expansion) {
		t->off = lx->loc_off;
		t->loc_len = lx->loc_len;
	} else {
		t->off = start;
		t->loc_len = t->len ? t->len : 1;
	}
}

bool tok_is(const struct token *t, const char *word)
{
	size_t n = strlen(word);

	return t->type == T_WORD && t->len == n && !memcmp(t->s, word, n);
}

/* Named as bison names nft's tokens in its syntax errors. */
void tok_describe(const struct token *t, char *buf, size_t size)
{
	switch (t->type) {
	case T_EOF:
		snprintf(buf, size, "end of file");
		break;
	case T_NEWLINE:
		snprintf(buf, size, "newline");
		break;
	case T_SEMI:
		snprintf(buf, size, "semicolon");
		break;
	case T_STRING:
		snprintf(buf, size, "quoted string");
		break;
	case T_LBRACE:
	case T_RBRACE:
	case T_LBRACK:
	case T_RBRACK:
	case T_OTHER:
		snprintf(buf, size, "'%c'", t->s[0]);
		break;
	case T_COMMA:
		snprintf(buf, size, "comma");
		break;
	case T_COLON:
		snprintf(buf, size, "colon");
		break;
	case T_DASH:
		snprintf(buf, size, "dash");
		break;
	case T_VAR:
	case T_WORD:
		snprintf(buf, size, "%.*s", (int)(t->len > 64 ? 64 : t->len),
			 t->s);
		break;
	}
}

void ts_init(struct tsrc *ts, const struct src *src, size_t pos)
{
	memset(ts, 0, sizeof(*ts));
	ts->src = src;
	lex_init(&ts->lx[0], src->orig, src->orig_len);
	ts->lx[0].pos = pos;
	ts->end = pos;
}

const struct token *ts_peek(struct tsrc *ts)
{
	while (!ts->peeked) {
		lex_next(&ts->lx[ts->depth], &ts->peek);
		if (ts->peek.type == T_EOF && ts->depth) {
			ts->depth--;	/* end of a variable's value */
			continue;
		}
		ts->peeked = true;
	}
	return &ts->peek;
}

void ts_next(struct tsrc *ts, struct token *t)
{
	ts_peek(ts);
	*t = ts->peek;
	ts->peeked = false;
	if (t->type != T_EOF && t->off + t->loc_len > ts->end)
		ts->end = t->off + t->loc_len;
}

int ts_expand(struct tsrc *ts, const struct token *var)
{
	const char *value = defs_get(var->s + 1, var->len - 1);
	struct lexer *lx;

	if (!value) {
		src_error(ts->src, var->off, var->loc_len,
			  "unknown identifier '%.*s'", (int)var->len - 1,
			  var->s + 1);
		return -1;
	}
	if (ts->depth == TSRC_DEPTH_MAX) {
		src_error(ts->src, var->off, var->loc_len,
			  "variables nested too deeply");
		return -1;
	}
	/* A pending look-ahead came from the level below: read it again. */
	if (ts->peeked) {
		ts->lx[ts->depth].pos = ts->peek.s - ts->lx[ts->depth].buf;
		ts->peeked = false;
	}
	lx = &ts->lx[++ts->depth];
	lex_init(lx, value, strlen(value));
	lx->expansion = true;
	lx->loc_off = var->off;
	lx->loc_len = var->loc_len;
	return 0;
}
