// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft's error messages, pointed back at the user's text.
 *
 * nft prints an error as
 *	[In file included from FILE:L:C-C:]...
 *	FILE:LINE:FIRST-LAST: Error: MESSAGE	(no location for a buffer)
 *	the line it read
 *	carets under FIRST..LAST
 * about the text it read, which has placeholders where the user wrote our
 * statements. We read that back, map the place to the original text (a
 * placeholder maps to the whole statement) and print it again the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netfilter.h>

#include "nftlvs.h"

struct line {
	const char	*s;
	size_t		len;
};

static bool starts(const struct line *l, const char *p)
{
	size_t n = strlen(p);

	return l->len >= n && !memcmp(l->s, p, n);
}

static bool is_caret_line(const struct line *l)
{
	bool caret = false;
	size_t i;

	for (i = 0; i < l->len; i++) {
		if (l->s[i] == '^')
			caret = true;
		else if (!strchr(" \t~", l->s[i]))
			return false;
	}
	return caret;
}

/* Line @n (1-based) of @s's rewritten text equals @l. */
static bool same_line(const struct src *s, unsigned int n,
		      const struct line *l)
{
	size_t off = text_offset(s->text, s->text_len, n, 1), end = off;

	while (end < s->text_len && s->text[end] != '\n')
		end++;
	return end - off == l->len && !memcmp(s->text + off, l->s, l->len);
}

static const char *family_name(uint16_t family)
{
	switch (family) {
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	}
	return "such";
}

/* A clearer reason when the kernel refused one of our expressions. */
static void kernel_reason(struct stmt *st, char *msg, size_t size)
{
	const char *rule = "Could not process rule: ";

	if (!st || strncmp(msg, rule, strlen(rule)))
		return;
	st->reported = true;
	switch (st->kernel_err) {
	case ENOENT:
		if (access("/sys/module/nft_lvs", F_OK))
			snprintf(msg, size, "%sthe kernel has no %s: the nft_lvs module is not loaded; load it with modprobe nft_lvs, or install it",
				 rule, st->name);
		else if (st->family == NFPROTO_NETDEV)
			snprintf(msg, size, "%s%s is not available in netdev tables, only in ip, ip6 and inet ones (lb-dispatch also in netdev ones, at ingress)",
				 rule, st->name);
		else if (st->family != NFPROTO_IPV4 &&
			 st->family != NFPROTO_IPV6 &&
			 st->family != NFPROTO_INET)
			snprintf(msg, size, "%s%s is not available in %s tables, only in ip, ip6 and inet ones",
				 rule, st->name, family_name(st->family));
		else
			sets_explain(st, rule, msg, size);
		break;
	case EPROTOTYPE:
		sets_explain(st, rule, msg, size);
		break;
	case EOPNOTSUPP:
		if (st->family == NFPROTO_NETDEV) {
			snprintf(msg, size, "%sOperation not supported: %s is allowed in netdev tables only in chains at the ingress hook (and chains they jump to)",
				 rule, st->name);
			break;
		}
		snprintf(msg, size, "%sOperation not supported: %s is allowed only in chains at the prerouting and output hooks (and chains they jump to)",
			 rule, st->name);
		break;
	}
}

/* Print one located error of @s, @i standing on its header line. */
static void print_mapped(FILE *f, const struct src *s, unsigned int lineno,
			 unsigned int c1, unsigned int c2, const char *kind,
			 const char *msg, size_t msglen, const struct line *lines,
			 unsigned int n, unsigned int *i)
{
	size_t o1, o2, a1, a2;
	const struct edit *e;
	char m[1024];

	snprintf(m, sizeof(m), "%.*s", (int)msglen, msg);
	o1 = text_offset(s->text, s->text_len, lineno, c1);
	o2 = text_offset(s->text, s->text_len, lineno, c2 ? c2 : c1);
	a1 = src_orig_offset(s, o1, false);
	a2 = src_orig_offset(s, o2, true);
	e = src_edit_at(s, o1);
	if (!e)
		e = src_edit_at(s, o2);
	if (e)
		kernel_reason(stmt_get(e->stmt), m, sizeof(m));
	/* Skip nft's copy of the line and its carets. */
	if (*i + 1 < n && (same_line(s, s->name ? lineno : 1, &lines[*i + 1]))) {
		(*i)++;
		if (*i + 1 < n && is_caret_line(&lines[*i + 1]))
			(*i)++;
	}
	src_print_located(f, s, a1, a2 >= a1 ? a2 - a1 + 1 : 1, kind, m);
}

/* "NAME:LINE:FIRST-LAST: KIND: MSG" */
static bool parse_header(const struct line *l, char *name, size_t nsize,
			 unsigned int *lineno, unsigned int *c1,
			 unsigned int *c2, const char **kind,
			 const char **msg)
{
	static const char *const kinds[] = { "Error", "Warning" };
	const char *k = NULL, *p;
	unsigned int i;
	char tag[16];

	for (i = 0; i < ARRAY_SIZE(kinds) && !k; i++) {
		snprintf(tag, sizeof(tag), ": %s: ", kinds[i]);
		k = memmem(l->s, l->len, tag, strlen(tag));
		if (k) {
			*kind = kinds[i];
			*msg = k + strlen(tag);
		}
	}
	if (!k)
		return false;
	/* Back from k: "-LAST", ":FIRST", ":LINE". */
	for (p = k - 1; p > l->s && *p >= '0' && *p <= '9'; p--)
		;
	if (p <= l->s || *p != '-' || sscanf(p + 1, "%u", c2) != 1)
		return false;
	for (p--; p > l->s && *p >= '0' && *p <= '9'; p--)
		;
	if (p <= l->s || *p != ':' || sscanf(p + 1, "%u", c1) != 1)
		return false;
	for (p--; p > l->s && *p >= '0' && *p <= '9'; p--)
		;
	if (p <= l->s || *p != ':' || sscanf(p + 1, "%u", lineno) != 1 ||
	    (size_t)(p - l->s) >= nsize)
		return false;
	memcpy(name, l->s, p - l->s);
	name[p - l->s] = '\0';
	return true;
}

/*
 * An error without a place (JSON input has none): if the kernel refused
 * one of our statements, say so in the first message about a rule.
 */
static void print_unlocated(FILE *f, const struct line *l)
{
	const char *rule = "Could not process rule: ";
	const char *m = memmem(l->s, l->len, rule, strlen(rule));
	unsigned int i;
	struct stmt *st;
	char msg[1024];

	for (i = 0; m && i < stmt_count(); i++) {
		st = stmt_get(i);
		if (!st->kernel_err || st->reported)
			continue;
		snprintf(msg, sizeof(msg), "%.*s", (int)(l->s + l->len - m), m);
		kernel_reason(st, msg, sizeof(msg));
		fprintf(f, "%.*s%s\n", (int)(m - l->s), l->s, msg);
		return;
	}
	write_plain(f, l->s, l->len);
	fputc('\n', f);
}

static void flush_pending(FILE *f, const struct line *lines,
			  unsigned int from, unsigned int to)
{
	for (; from < to; from++) {
		write_plain(f, lines[from].s, lines[from].len);
		fputc('\n', f);
	}
}

void errors_print(FILE *f, const char *text)
{
	unsigned int n = 0, i, pending = 0, npending = 0, lineno, c1, c2;
	const char *p, *kind, *msg;
	struct line *lines;
	const struct src *s;
	char name[4096];

	for (p = text; *p; p++)
		n += *p == '\n';
	lines = calloc(n + 1, sizeof(*lines));
	if (!lines) {
		fputs(text, f);
		return;
	}
	for (p = text, n = 0; *p; n++) {
		const char *nl = strchrnul(p, '\n');

		lines[n].s = p;
		lines[n].len = nl - p;
		p = *nl ? nl + 1 : nl;
	}
	for (i = 0; i < n; i++) {
		const struct line *l = &lines[i];

		if (starts(l, "In file included from ") ||
		    starts(l, "                 from ")) {
			if (!npending++)
				pending = i;
			continue;
		}
		s = NULL;
		if (parse_header(l, name, sizeof(name), &lineno, &c1, &c2,
				 &kind, &msg)) {
			s = src_find(name);
		} else if ((starts(l, "Error: ") || starts(l, "Warning: ")) &&
			   (s = src_cmdline()) && i + 2 < n &&
			   same_line(s, 1, &lines[i + 1]) &&
			   is_caret_line(&lines[i + 2])) {
			/* A command line: the carets are the location. */
			kind = starts(l, "Error: ") ? "Error" : "Warning";
			msg = l->s + strlen(kind) + 2;
			lineno = 1;
			c1 = strchr(lines[i + 2].s, '^') - lines[i + 2].s + 1;
			c2 = (const char *)memrchr(lines[i + 2].s, '^',
						   lines[i + 2].len) -
			     lines[i + 2].s + 1;
		} else {
			s = NULL;
		}
		if (!s) {
			flush_pending(f, lines, pending, pending + npending);
			npending = 0;
			print_unlocated(f, l);
			continue;
		}
		if (!s->parent)
			flush_pending(f, lines, pending, pending + npending);
		npending = 0;
		print_mapped(f, s, lineno, c1, c2, kind, msg,
			     l->s + l->len - msg, lines, n, &i);
	}
	flush_pending(f, lines, pending, pending + npending);
	free(lines);
}
