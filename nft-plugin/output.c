// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What nft prints, made to speak of our statements again.
 *
 * Output: nft writes into a stream of ours; each complete line is searched
 * for placeholders (`log prefix "nftlvs-NONCE-N"`, or its JSON form) and
 * each one found is replaced by the statement in canonical form. Lines go
 * out as soon as they are complete, so `monitor` works too.
 *
 * Errors: nft's messages name places in the text it read, which is ours
 * with placeholders; they are mapped back to the user's text, and the
 * kernel's refusal of one of our expressions gets a clearer reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netfilter.h>

#include <libnftlvs/expr.h>

#include "nftlvs.h"

struct ostream {
	FILE		*out;
	bool		json;
	uint32_t	flags;	/* NFTLVS_OF_* */
	char		*buf;
	size_t		len, size;
};

/* The statement @idx as text or JSON, malloc'ed. */
static char *stmt_print(unsigned int idx, bool json, uint32_t flags)
{
	struct stmt *s = stmt_get(idx);
	char *buf = NULL;
	int n;

	if (!s)
		return NULL;
	if (!s->expr) {
		/* Shown, never loadable again: nothing is silently lost. */
		if (asprintf(&buf, json ? "{\"%s\": \"unreadable\"}" :
				   "%s [unreadable]", s->name) < 0)
			return NULL;
		return buf;
	}
	n = nftlvs_expr_snprintf(NULL, 0, s->expr, json ? NFTLVS_OUTPUT_JSON :
					  NFTLVS_OUTPUT_DEFAULT, flags);
	if (n < 0 || !(buf = malloc(n + 1)))
		return NULL;
	nftlvs_expr_snprintf(buf, n + 1, s->expr, json ? NFTLVS_OUTPUT_JSON :
				      NFTLVS_OUTPUT_DEFAULT, flags);
	return buf;
}

/*
 * Write @line (@len bytes) to @f with every placeholder replaced. In text
 * a placeholder reads `log prefix "MARKER"`, in JSON
 * `{"log": {"prefix": "MARKER"}}`.
 */
static void rewrite_line(FILE *f, const char *line, size_t len, bool json,
			 uint32_t flags)
{
	const char *open = json ? "{\"log\": {\"prefix\": \"" : "log prefix \"";
	const char *close = json ? "\"}}" : "\"";
	size_t olen = strlen(open), clen = strlen(close);
	const char *p = line, *end = line + len, *m, *q;
	char *text;
	int idx;

	while ((m = memmem(p, end - p, marker_prefix(),
			   strlen(marker_prefix())))) {
		q = memchr(m, '"', end - m);
		idx = q ? marker_parse(m, q - m) : -1;
		if (idx < 0 || m - p < (long)olen ||
		    memcmp(m - olen, open, olen) ||
		    (size_t)(end - q) < clen || memcmp(q, close, clen) ||
		    !(text = stmt_print(idx, json, flags))) {
			fwrite(p, 1, m + 1 - p, f);
			p = m + 1;
			continue;
		}
		fwrite(p, 1, m - olen - p, f);
		fputs(text, f);
		free(text);
		p = q + clen;
	}
	fwrite(p, 1, end - p, f);
}

static ssize_t ostream_write(void *cookie, const char *data, size_t n)
{
	struct ostream *o = cookie;
	char *nl, *nb;
	size_t done;

	if (o->len + n > o->size) {
		size_t size = o->size ? o->size : 4096;

		while (size < o->len + n)
			size *= 2;
		nb = realloc(o->buf, size);
		if (!nb)
			return -1;
		o->buf = nb;
		o->size = size;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
	nl = memrchr(o->buf, '\n', o->len);
	if (nl) {
		done = nl + 1 - o->buf;
		rewrite_line(o->out, o->buf, done, o->json, o->flags);
		memmove(o->buf, o->buf + done, o->len - done);
		o->len -= done;
		fflush(o->out);
	}
	return n;
}

static int ostream_close(void *cookie)
{
	struct ostream *o = cookie;

	rewrite_line(o->out, o->buf, o->len, o->json, o->flags);
	fflush(o->out);
	free(o->buf);
	free(o);
	return 0;
}

FILE *output_open(FILE *out, bool json, bool numeric_time)
{
	cookie_io_functions_t fns = {
		.write	= ostream_write,
		.close	= ostream_close,
	};
	struct ostream *o = calloc(1, sizeof(*o));
	FILE *f;

	if (!o)
		return NULL;
	o->out = out;
	o->json = json;
	o->flags = numeric_time ? NFTLVS_OF_SECONDS : 0;
	f = fopencookie(o, "w", fns);
	if (!f) {
		free(o);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

void output_close(FILE *f)
{
	if (f)
		fclose(f);
}

/* Markers in any other error text: the statement's name will do. */
void write_plain(FILE *f, const char *line, size_t len)
{
	rewrite_line(f, line, len, false, 0);
}
