// SPDX-License-Identifier: GPL-2.0
/*
 * The check block of the configuration file (config.c reads the rest):
 *
 *   check http { path /healthz; status 200; interval 2s; rise 2; fall 3 }
 *
 * Its kinds and their defaults, the options each kind takes, and copying,
 * comparing and freeing a parsed check.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conftok.h"
#include "healthd.h"

const char *check_kind_name(enum check_kind k)
{
	static const char *const names[] = {
		[CHECK_TCP] = "tcp", [CHECK_HTTP] = "http", [CHECK_HTTPS] = "https",
		[CHECK_UDP] = "udp", [CHECK_EXEC] = "exec",
	};
	return names[k];
}

void check_conf_free(struct check_conf *c)
{
	free(c->path);
	free(c->host);
	free(c->expect);
	free(c->send);
	free(c->command);
	memset(c, 0, sizeof(*c));
}

static char *dup_bytes(const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

void check_conf_copy(struct check_conf *dst, const struct check_conf *src)
{
	*dst = *src;
	dst->path = dup_bytes(src->path, src->path ? strlen(src->path) : 0);
	dst->host = dup_bytes(src->host, src->host ? strlen(src->host) : 0);
	dst->expect = dup_bytes(src->expect, src->expect_len);
	dst->send = dup_bytes(src->send, src->send_len);
	dst->command = dup_bytes(src->command, src->command ? strlen(src->command) : 0);
}

static bool str_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (!a || !b)
		return a == b;
	return alen == blen && !memcmp(a, b, alen);
}

bool check_conf_equal(const struct check_conf *a, const struct check_conf *b)
{
	return a->kind == b->kind && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->rise == b->rise &&
	       a->fall == b->fall && a->port == b->port &&
	       a->has_source == b->has_source &&
	       (!a->has_source || !memcmp(&a->source, &b->source, sizeof(a->source))) &&
	       str_eq(a->path, a->path ? strlen(a->path) : 0, b->path, b->path ? strlen(b->path) : 0) &&
	       str_eq(a->host, a->host ? strlen(a->host) : 0, b->host, b->host ? strlen(b->host) : 0) &&
	       a->status_lo == b->status_lo && a->status_hi == b->status_hi &&
	       a->digest_alg == b->digest_alg && !memcmp(a->digest, b->digest, sizeof(a->digest)) &&
	       str_eq(a->expect, a->expect_len, b->expect, b->expect_len) &&
	       str_eq(a->send, a->send_len, b->send, b->send_len) &&
	       str_eq(a->command, a->command ? strlen(a->command) : 0,
		      b->command, b->command ? strlen(b->command) : 0);
}

static bool parse_hex(const char *s, unsigned char *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return false;
	for (i = 0; i < n; i++) {
		char b[3] = { s[2 * i], s[2 * i + 1], 0 };

		if (!isxdigit((unsigned char)b[0]) || !isxdigit((unsigned char)b[1]))
			return false;
		out[i] = (unsigned char)strtoul(b, NULL, 16);
	}
	return true;
}

/* Which check kinds take an option: keeps the error for a misplaced one clear. */
static bool option_allowed(enum check_kind k, const char *opt, const char **kinds)
{
	static const struct { const char *opt; unsigned int mask; const char *kinds; } t[] = {
		{ "path",   1u << CHECK_HTTP | 1u << CHECK_HTTPS, "http and https" },
		{ "host",   1u << CHECK_HTTP | 1u << CHECK_HTTPS, "http and https" },
		{ "status", 1u << CHECK_HTTP | 1u << CHECK_HTTPS, "http and https" },
		{ "digest", 1u << CHECK_HTTP | 1u << CHECK_HTTPS, "http and https" },
		{ "expect", 1u << CHECK_HTTP | 1u << CHECK_HTTPS | 1u << CHECK_UDP,
			    "http, https and udp" },
		{ "send",   1u << CHECK_UDP, "udp" },
		{ "command", 1u << CHECK_EXEC, "exec" },
		{ "port",   ~(1u << CHECK_EXEC), "tcp, http, https and udp" },
		{ "source", ~(1u << CHECK_EXEC), "tcp, http, https and udp" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!strcmp(t[i].opt, opt)) {
			*kinds = t[i].kinds;
			return t[i].mask & (1u << k);
		}
	}
	return true;
}

void check_defaults(struct check_conf *c, enum check_kind k)
{
	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->interval_ms = 2000;
	c->timeout_ms = k == CHECK_EXEC ? 5000 : 1000;
	c->rise = 2;
	c->fall = 3;
	c->status_lo = 200;
	c->status_hi = 299;
}

/* check KIND { OPTION VALUE ... } */
bool parse_check(struct parser *ps, struct check_conf *c)
{
	static const char *const kinds[] = { "tcp", "http", "https", "udp", "exec" };
	int kline, kcol;
	size_t i;

	next(ps);	/* "check" */
	kline = ps->tok.line;
	kcol = ps->tok.col;
	for (i = 0; i < 5; i++)
		if (is_word(ps, kinds[i]))
			break;
	if (i == 5) {
		fail(ps, "unknown check '%s' (known: tcp http https udp exec)",
		     tok_desc(&ps->tok));
		return false;
	}
	check_defaults(c, (enum check_kind)i);
	next(ps);
	if (ps->tok.type == T_LBRACE) {
		next(ps);
		for (;;) {
			const char *allowed;
			char *opt;
			int line, col, more = block_next(ps, "the check");

			if (more < 0)
				return false;
			if (!more)
				break;
			if (ps->tok.type != T_WORD) {
				fail(ps, "expected a check option or '}', got %s",
				     tok_desc(&ps->tok));
				return false;
			}
			line = ps->tok.line;
			col = ps->tok.col;
			opt = ps->tok.text;
			ps->tok.text = NULL;
			next(ps);
			if (!option_allowed(c->kind, opt, &allowed)) {
				fail_at(ps, line, col, "'%s' is an option of %s checks, not of %s",
					opt, allowed, check_kind_name(c->kind));
			} else if (!strcmp(opt, "interval")) {
				parse_duration(ps, opt, &c->interval_ms);
			} else if (!strcmp(opt, "timeout")) {
				parse_duration(ps, opt, &c->timeout_ms);
			} else if (!strcmp(opt, "rise")) {
				parse_uint(ps, opt, 1, 100, &c->rise);
			} else if (!strcmp(opt, "fall")) {
				parse_uint(ps, opt, 1, 100, &c->fall);
			} else if (!strcmp(opt, "port")) {
				unsigned int p;

				if (parse_uint(ps, opt, 1, 65535, &p))
					c->port = (uint16_t)p;
			} else if (!strcmp(opt, "source")) {
				int sl = ps->tok.line, sc = ps->tok.col;
				char *v = take_value(ps, opt);

				if (v && addr_parse(v, &c->source))
					fail_at(ps, sl, sc, "source: '%s' is not an IP address", v);
				c->has_source = true;
				free(v);
			} else if (!strcmp(opt, "path")) {
				int sl = ps->tok.line, sc = ps->tok.col;

				free(c->path);
				c->path = take_value(ps, opt);
				if (c->path && (c->path[0] != '/' || strpbrk(c->path, " \r\n")))
					fail_at(ps, sl, sc,
						"path: '%s' must start with '/' and hold no spaces or line breaks",
						c->path);
			} else if (!strcmp(opt, "host")) {
				int sl = ps->tok.line, sc = ps->tok.col;

				free(c->host);
				c->host = take_value(ps, opt);
				if (c->host && (!*c->host || strpbrk(c->host, " \r\n")))
					fail_at(ps, sl, sc, "host: '%s' is not a host name", c->host);
			} else if (!strcmp(opt, "status")) {
				int sl = ps->tok.line, sc = ps->tok.col;
				char *v = take_value(ps, opt), *end;
				unsigned long lo, hi;

				if (v) {
					lo = hi = strtoul(v, &end, 10);
					if (*end == '-')
						hi = strtoul(end + 1, &end, 10);
					if (!isdigit((unsigned char)*v) || *end || lo < 100 ||
					    hi > 599 || lo > hi)
						fail_at(ps, sl, sc,
							"status: '%s' is not a status or range from 100 to 599 (like 200 or 200-399)",
							v);
					c->status_lo = (unsigned int)lo;
					c->status_hi = (unsigned int)hi;
				}
				free(v);
			} else if (!strcmp(opt, "expect")) {
				free(c->expect);
				c->expect_len = ps->tok.len;
				c->expect = take_value(ps, opt);
			} else if (!strcmp(opt, "send")) {
				free(c->send);
				c->send_len = ps->tok.len;
				c->send = take_value(ps, opt);
			} else if (!strcmp(opt, "command")) {
				free(c->command);
				c->command = take_value(ps, opt);
			} else if (!strcmp(opt, "digest")) {
				int sl = ps->tok.line, sc = ps->tok.col;
				char *alg = take_value(ps, opt), *hex = NULL;

				if (alg) {
					sl = ps->tok.line;
					sc = ps->tok.col;
					hex = take_value(ps, "digest");
				}
				if (!alg || !hex) {
					/* the error is said */
				} else if (!strcmp(alg, "md5") && parse_hex(hex, c->digest, 16)) {
					c->digest_alg = DIGEST_MD5;
				} else if (!strcmp(alg, "sha256") && parse_hex(hex, c->digest, 32)) {
					c->digest_alg = DIGEST_SHA256;
				} else {
					fail_at(ps, sl, sc,
						"digest: expected 'md5 HEX32' or 'sha256 HEX64'");
				}
				free(alg);
				free(hex);
			} else {
				fail_at(ps, line, col,
					"unknown check option '%s' (known: interval timeout rise fall port source path host status expect digest send command)",
					opt);
			}
			free(opt);
			end_statement(ps);
		}
	}
	if (ps->failed)
		return false;
	if (c->kind == CHECK_EXEC && !c->command) {
		fail_at(ps, kline, kcol, "an exec check needs a command");
		return false;
	}
	if (c->kind == CHECK_UDP && !c->send) {
		fail_at(ps, kline, kcol,
			"a udp check needs 'send' (the request; \"\" sends an empty datagram)");
		return false;
	}
	if ((c->kind == CHECK_HTTP || c->kind == CHECK_HTTPS) && !c->path)
		c->path = strdup("/");
	return true;
}
