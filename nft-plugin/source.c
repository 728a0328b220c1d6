// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Input texts: the original, what libnftables reads instead, the map
 * between the two, and error messages in nft's format at a place of the
 * original text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nftlvs.h"

static struct src *srcs;

struct src *src_new(const char *name, char *text, size_t len)
{
	struct src *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (name) {
		s->name = strdup(name);
		if (!s->name) {
			free(s);
			return NULL;
		}
	}
	s->orig = text;
	s->orig_len = len;
	s->text = text;
	s->text_len = len;
	s->next = srcs;
	srcs = s;
	return s;
}

/* The newest one of that name: a file read again is registered again. */
struct src *src_find(const char *name)
{
	struct src *s;

	for (s = srcs; s; s = s->next) {
		if (s->name && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}

struct src *src_cmdline(void)
{
	struct src *s;

	for (s = srcs; s; s = s->next) {
		if (!s->name)
			return s;
	}
	return NULL;
}

static void src_free(struct src *s)
{
	unsigned int i;

	for (i = 0; i < s->nedits; i++)
		free(s->edits[i].repl);
	free(s->edits);
	if (s->text != s->orig)
		free(s->text);
	free(s->orig);
	free(s->name);
	free(s->header);
	free(s);
}

void src_free_all(void)
{
	struct src *s, *next;

	for (s = srcs; s; s = next) {
		next = s->next;
		src_free(s);
	}
	srcs = NULL;
}

int src_edit(struct src *s, size_t start, size_t end, const char *repl,
	     int stmt)
{
	struct edit *e;

	if (!(s->nedits & (s->nedits - 1))) {
		e = realloc(s->edits, (s->nedits ? 2 * s->nedits : 1) *
				      sizeof(*e));
		if (!e)
			return -1;
		s->edits = e;
	}
	e = &s->edits[s->nedits];
	memset(e, 0, sizeof(*e));
	e->orig_start = start;
	e->orig_end = end;
	e->stmt = stmt;
	e->repl = strdup(repl);
	if (!e->repl)
		return -1;
	s->nedits++;
	return 0;
}

/* Build the rewritten text; edits come in text order and never overlap. */
int src_finish(struct src *s)
{
	size_t len = s->orig_len, pos = 0, out = 0, n;
	unsigned int i;
	char *text;

	if (!s->nedits)
		return 0;
	for (i = 0; i < s->nedits; i++)
		len += strlen(s->edits[i].repl);
	text = malloc(len + 1);
	if (!text)
		return -1;
	for (i = 0; i < s->nedits; i++) {
		struct edit *e = &s->edits[i];

		n = e->orig_start - pos;
		memcpy(text + out, s->orig + pos, n);
		out += n;
		n = strlen(e->repl);
		e->new_start = out;
		memcpy(text + out, e->repl, n);
		out += n;
		e->new_end = out;
		pos = e->orig_end;
		free(e->repl);
		e->repl = NULL;
	}
	memcpy(text + out, s->orig + pos, s->orig_len - pos);
	out += s->orig_len - pos;
	text[out] = '\0';
	s->text = text;
	s->text_len = out;
	return 0;
}

const struct edit *src_edit_at(const struct src *s, size_t off)
{
	unsigned int i;

	for (i = 0; i < s->nedits; i++) {
		if (off >= s->edits[i].new_start && off < s->edits[i].new_end)
			return &s->edits[i];
	}
	return NULL;
}

/*
 * Inside a placeholder, the start maps to the statement's first byte and
 * an (inclusive) end to its last one.
 */
size_t src_orig_offset(const struct src *s, size_t off, bool end)
{
	long delta = 0;
	unsigned int i;

	for (i = 0; i < s->nedits; i++) {
		const struct edit *e = &s->edits[i];

		if (off < e->new_start)
			break;
		if (off < e->new_end)
			return end ? e->orig_end - 1 : e->orig_start;
		delta += (long)(e->new_end - e->new_start) -
			 (long)(e->orig_end - e->orig_start);
	}
	return off - delta;
}

void text_pos(const char *text, size_t len, size_t off, unsigned int *line,
	      unsigned int *col, size_t *line_start)
{
	size_t i, start = 0;
	unsigned int l = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			start = i + 1;
		}
	}
	*line = l;
	*col = off - start + 1;
	if (line_start)
		*line_start = start;
}

size_t text_offset(const char *text, size_t len, unsigned int line,
		   unsigned int col)
{
	size_t i = 0;

	while (line > 1 && i < len) {
		if (text[i++] == '\n')
			line--;
	}
	i += col ? col - 1 : 0;
	return i > len ? len : i;
}

static void print_include_chain(FILE *f, const struct src *s)
{
	const char *prefix = "In file included from";
	const struct src *p;
	unsigned int line, col;

	for (; s->parent; s = p) {
		p = s->parent;
		text_pos(p->orig, p->orig_len, s->incl_off, &line, &col, NULL);
		fprintf(f, "%s %s:%u:%u-%u:\n", prefix,
			p->name ? p->name : "<cmdline>", line, col,
			col + (unsigned int)s->incl_len - 1);
		prefix = "                 from";
	}
}

void src_print_located(FILE *f, const struct src *s, size_t off, size_t len,
		       const char *kind, const char *msg)
{
	unsigned int line, col, last, i;
	size_t start, end;

	text_pos(s->orig, s->orig_len, off, &line, &col, &start);
	for (end = start; end < s->orig_len && s->orig[end] != '\n'; end++)
		;
	if (!len)
		len = 1;
	last = col + len - 1;
	/* A location that goes on past its line: carets up to its end. */
	if (off + len > end && end > off)
		last = col + (end - off) - 1;
	print_include_chain(f, s);
	if (s->header)
		fprintf(f, "%s: ", s->header);
	else if (s->name)
		fprintf(f, "%s:%u:%u-%u: ", s->name, line, col, last);
	fprintf(f, "%s: %s\n", kind, msg);
	fprintf(f, "%.*s\n", (int)(end - start), s->orig + start);
	/* Tabs of the line stay tabs, so that the carets line up. */
	for (i = 1; i < col; i++)
		fputc(start + i - 1 < end && s->orig[start + i - 1] == '\t' ?
		      '\t' : ' ', f);
	for (; i <= last; i++)
		fputc('^', f);
	fputc('\n', f);
}

FILE *nftlvs_errfp;

FILE *err_out(void)
{
	return nftlvs_errfp ? nftlvs_errfp : stderr;
}

void src_error(const struct src *s, size_t off, size_t len,
	       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	src_print_located(err_out(), s, off, len, "Error", msg);
	nftlvs_errors++;
}

/* A whole file, NUL-terminated; NULL with errno. Never through fopen(). */
char *read_file(const char *path, size_t *len)
{
	size_t size = 4096, n = 0;
	char *buf = malloc(size), *nb;
	ssize_t r;
	int fd;

	/* nft's stdin: not every system has the /dev/stdin link. */
	fd = strcmp(path, "/dev/stdin") ? open(path, O_RDONLY | O_CLOEXEC) :
					  dup(STDIN_FILENO);
	if (fd < 0 || !buf)
		goto err;
	for (;;) {
		if (n + 1 >= size) {
			nb = realloc(buf, size * 2);
			if (!nb)
				goto err;
			buf = nb;
			size *= 2;
		}
		r = read(fd, buf + n, size - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto err;
		if (!r)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
err:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

