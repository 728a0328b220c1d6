// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs import: messages, in the form compilers use so that editors can
 * jump to them ("FILE:LINE: warning: ..."), and allocation that either
 * succeeds or ends the program (a converter has nothing to save).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

unsigned int imp_errors;

static void vreport(const struct imp_loc *at, const char *kind,
		    const char *fmt, va_list ap)
{
	if (at && at->file)
		fprintf(stderr, "%s:%u: %s: ", at->file, at->line, kind);
	else
		fprintf(stderr, "nftlvs import: %s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void imp_warn(const struct imp_loc *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(at, "warning", fmt, ap);
	va_end(ap);
}

void imp_note(const struct imp_loc *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(at, "note", fmt, ap);
	va_end(ap);
}

void imp_error(const struct imp_loc *at, const char *fmt, ...)
{
	va_list ap;

	imp_errors++;
	va_start(ap, fmt);
	vreport(at, "error", fmt, ap);
	va_end(ap);
}

static void *check_mem(void *p)
{
	if (!p) {
		fputs("nftlvs import: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

void *imp_alloc(size_t size)
{
	return check_mem(calloc(1, size));
}

/*
 * Room for element @n of an array of @n (zeroed): the room doubles when
 * @n reaches a power of two, so appending stays linear.
 */
void *imp_grow(void *v, unsigned int n, size_t size)
{
	if (!(n & (n - 1)))
		v = check_mem(realloc(v, (size_t)(n ? 2 * n : 1) * size));
	memset((char *)v + (size_t)n * size, 0, size);
	return v;
}

char *imp_strdup(const char *s)
{
	return check_mem(strdup(s));
}

char *imp_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return check_mem(n < 0 ? NULL : s);
}
