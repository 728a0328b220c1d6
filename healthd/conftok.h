/* SPDX-License-Identifier: GPL-2.0 */
/* The configuration's tokens and statement primitives (conftok.c), for config.c. */
#ifndef NFTLVS_HEALTHD_CONFTOK_H
#define NFTLVS_HEALTHD_CONFTOK_H

#include <stdbool.h>
#include <stddef.h>

enum tok_type { T_EOF, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_END };

struct token {
	enum tok_type type;
	char *text;		/* T_WORD, T_STRING: malloc'ed, NUL-terminated */
	size_t len;		/* T_STRING may hold NULs (\x00) */
	int line, col;
};

struct parser {
	const char *path;
	const char *src;
	size_t pos, size;
	int line, col;
	struct token tok;	/* current token */
	char *err;
	size_t errlen;
	bool failed;
};

void fail_at(struct parser *ps, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define fail(ps, ...) fail_at(ps, (ps)->tok.line, (ps)->tok.col, __VA_ARGS__)

void next(struct parser *ps);
const char *tok_desc(const struct token *t);
bool is_word(struct parser *ps, const char *w);
char *take_value(struct parser *ps, const char *what);
void end_statement(struct parser *ps);
void skip_ends(struct parser *ps);
int block_next(struct parser *ps, const char *what);
bool expect_lbrace(struct parser *ps, const char *what);
bool parse_uint(struct parser *ps, const char *what, unsigned long min, unsigned long max,
		unsigned int *out);
bool parse_duration(struct parser *ps, const char *what, unsigned int *ms);

#endif
