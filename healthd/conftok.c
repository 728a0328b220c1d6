// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration's tokens (words, strings, braces, statement ends, with
 * their line and column) and the primitives config.c builds statements from.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conftok.h"

void fail_at(struct parser *ps, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = true;
	n = snprintf(ps->err, ps->errlen, "%s:%d:%d: ", ps->path, line, col);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
}


static int peekc(struct parser *ps)
{
	return ps->pos < ps->size ? (unsigned char)ps->src[ps->pos] : -1;
}

static int getc_(struct parser *ps)
{
	int c = peekc(ps);

	if (c < 0)
		return c;
	ps->pos++;
	if (c == '\n') {
		ps->line++;
		ps->col = 1;
	} else {
		ps->col++;
	}
	return c;
}

static bool word_char(int c)
{
	return c > ' ' && c < 127 && !strchr("{};#\"", c);
}

void next(struct parser *ps)
{
	struct token *t = &ps->tok;
	size_t cap = 0;
	int c;

	free(t->text);
	memset(t, 0, sizeof(*t));
	if (ps->failed) {
		t->type = T_EOF;
		return;
	}
	for (;;) {
		c = peekc(ps);
		if (c == '#') {
			while (c >= 0 && c != '\n')
				c = (getc_(ps), peekc(ps));
		} else if (c == ' ' || c == '\t' || c == '\r') {
			getc_(ps);
		} else {
			break;
		}
	}
	t->line = ps->line;
	t->col = ps->col;
	c = getc_(ps);
	switch (c) {
	case -1:
		t->type = T_EOF;
		return;
	case '\n':
	case ';':
		t->type = T_END;
		return;
	case '{':
		t->type = T_LBRACE;
		return;
	case '}':
		t->type = T_RBRACE;
		return;
	case '"':
		t->type = T_STRING;
		for (;;) {
			c = getc_(ps);
			if (c < 0 || c == '\n') {
				fail_at(ps, t->line, t->col, "string not closed on its line");
				t->type = T_EOF;
				return;
			}
			if (c == '"')
				break;
			if (c == '\\') {
				c = getc_(ps);
				switch (c) {
				case 'n': c = '\n'; break;
				case 'r': c = '\r'; break;
				case 't': c = '\t'; break;
				case '\\': case '"': break;
				case 'x': {
					char hex[3] = { 0 };

					hex[0] = (char)getc_(ps);
					hex[1] = (char)getc_(ps);
					if (!isxdigit((unsigned char)hex[0]) ||
					    !isxdigit((unsigned char)hex[1])) {
						fail_at(ps, ps->line, ps->col,
							"\\x wants two hex digits");
						t->type = T_EOF;
						return;
					}
					c = (int)strtol(hex, NULL, 16);
					break;
				}
				default:
					fail_at(ps, ps->line, ps->col - 2,
						"unknown escape '\\%c' (known: \\n \\r \\t \\\\ \\\" \\xHH)",
						c < 0 ? '?' : c);
					t->type = T_EOF;
					return;
				}
			}
			if (t->len + 2 > cap) {
				cap = cap ? cap * 2 : 32;
				t->text = realloc(t->text, cap);
				if (!t->text)
					abort();
			}
			t->text[t->len++] = (char)c;
		}
		if (!t->text)
			t->text = calloc(1, 1);
		else
			t->text[t->len] = 0;
		return;
	default:
		if (!word_char(c)) {
			fail_at(ps, t->line, t->col, "unexpected character 0x%02x", c);
			t->type = T_EOF;
			return;
		}
		t->type = T_WORD;
		{
			size_t start = ps->pos - 1;

			while (word_char(peekc(ps)))
				getc_(ps);
			t->len = ps->pos - start;
			t->text = strndup(ps->src + start, t->len);
			if (!t->text)
				abort();
		}
		return;
	}
}

const char *tok_desc(const struct token *t)
{
	switch (t->type) {
	case T_EOF: return "end of file";
	case T_END: return "end of statement";
	case T_LBRACE: return "'{'";
	case T_RBRACE: return "'}'";
	default: return t->text;
	}
}

bool is_word(struct parser *ps, const char *w)
{
	return ps->tok.type == T_WORD && !strcmp(ps->tok.text, w);
}

/* Takes the current word or string; NULL (and an error) otherwise. */
char *take_value(struct parser *ps, const char *what)
{
	char *v;

	if (ps->tok.type != T_WORD && ps->tok.type != T_STRING) {
		fail(ps, "%s: expected a value, got %s", what, tok_desc(&ps->tok));
		return NULL;
	}
	v = ps->tok.text;
	ps->tok.text = NULL;
	next(ps);
	return v;
}

void end_statement(struct parser *ps)
{
	if (ps->tok.type == T_END) {
		next(ps);
		return;
	}
	if (ps->tok.type == T_RBRACE || ps->tok.type == T_EOF)
		return;
	fail(ps, "unexpected '%s': one statement per line or ';'", tok_desc(&ps->tok));
}

void skip_ends(struct parser *ps)
{
	while (ps->tok.type == T_END)
		next(ps);
}

/*
 * The next statement of a block: skips empty ones; 1 when a statement
 * follows, 0 once the closing '}' is consumed, -1 on an error.
 */
int block_next(struct parser *ps, const char *what)
{
	skip_ends(ps);
	if (ps->failed)
		return -1;
	if (ps->tok.type == T_RBRACE) {
		next(ps);
		return 0;
	}
	if (ps->tok.type == T_EOF) {
		fail(ps, "the end of the file before the '}' of %s", what);
		return -1;
	}
	return 1;
}

bool expect_lbrace(struct parser *ps, const char *what)
{
	if (ps->tok.type != T_LBRACE) {
		fail(ps, "expected '{' after %s, got %s", what, tok_desc(&ps->tok));
		return false;
	}
	next(ps);
	return true;
}

bool parse_uint(struct parser *ps, const char *what, unsigned long min,
		       unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;
	int line = ps->tok.line, col = ps->tok.col;
	char *s = take_value(ps, what);

	if (!s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || v < min || v > max) {
		fail_at(ps, line, col, "%s: '%s' is not a number from %lu to %lu",
			what, s, min, max);
		free(s);
		return false;
	}
	free(s);
	*out = (unsigned int)v;
	return true;
}

/* 500ms, 2s, 1m; a plain number is seconds. */
bool parse_duration(struct parser *ps, const char *what, unsigned int *ms)
{
	int line = ps->tok.line, col = ps->tok.col;
	char *s = take_value(ps, what), *end;
	unsigned long v, mult = 1000;

	if (!s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "s") || !*end)
		mult = 1000;
	else if (!strcmp(end, "m"))
		mult = 60000;
	else
		end = NULL;
	if (!isdigit((unsigned char)*s) || !end || errno || v == 0 ||
	    v > 3600000 / mult) {
		fail_at(ps, line, col,
			"%s: '%s' is not a duration from 1ms to 1h (like 500ms, 2s, 1m)",
			what, s);
		free(s);
		return false;
	}
	free(s);
	*ms = (unsigned int)(v * mult);
	return true;
}
