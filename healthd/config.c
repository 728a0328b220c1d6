// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file, nft-like blocks:
 *
 *   pool web {
 *           set ip lvs web
 *           inhibit
 *           sorry 10.1.0.99:8080
 *           check http { path /healthz; status 200; interval 2s; rise 2; fall 3 }
 *           server 10.1.0.1:8080 weight 3
 *           server 10.1.0.2:8080 up
 *           server 10.1.0.3:8080 { check tcp { port 22 } }
 *   }
 *
 * Statements end at a newline or ';'. Every error names the file, the line and
 * the column of the token at fault, and nothing of a config with an error is used.
 * This file reads addresses, servers, pools and the file; config_check.c the
 * check block.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <linux/netfilter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conftok.h"
#include "healthd.h"

int addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

void addr_format(const struct addr *a, uint16_t port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(a->family, &a->v4, ip, sizeof(ip));
	if (!port)
		snprintf(buf, len, "%s", ip);
	else if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
}

/* ADDR, ADDR:PORT, [ADDR6] or [ADDR6]:PORT */
static bool parse_endpoint(struct parser *ps, const char *what, struct addr *a,
			   uint16_t *port)
{
	int line = ps->tok.line, col = ps->tok.col;
	char *s = take_value(ps, what), *host, *p = NULL, *end;
	unsigned long v;

	if (!s)
		return false;
	host = s;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		*close = 0;
		host = s + 1;
		if (close[1] == ':')
			p = close + 2;
	} else {
		char *colon = strchr(s, ':');

		/* one colon: IPv4:port; more: a bare IPv6 address */
		if (colon && !strchr(colon + 1, ':')) {
			*colon = 0;
			p = colon + 1;
		}
	}
	if (addr_parse(host, a))
		goto bad;
	*port = 0;
	if (p) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (!isdigit((unsigned char)*p) || *end || errno || v == 0 || v > 65535) {
			fail_at(ps, line, col, "%s: port '%s' is not 1-65535", what, p);
			free(s);
			return false;
		}
		*port = (uint16_t)v;
	}
	free(s);
	return true;
bad:
	fail_at(ps, line, col,
		"%s: expected ADDRESS[:PORT] (IPv6 as [ADDRESS]:PORT)", what);
	free(s);
	return false;
}

static struct server *server_new(struct pool *p)
{
	struct server *s = calloc(1, sizeof(*s));
	struct server **v = realloc(p->servers, (p->nservers + 1) * sizeof(*v));

	if (!s || !v)
		abort();
	p->servers = v;
	p->servers[p->nservers++] = s;
	s->pool = p;
	s->weight = 1;
	s->probe.fd = -1;
	return s;
}

static bool parse_server(struct parser *ps, struct pool *p)
{
	int line = ps->tok.line, col;
	struct server *s = server_new(p);
	size_t i;

	s->line = line;
	s->col = ps->tok.col;
	next(ps);	/* "server" */
	col = ps->tok.col;
	if (!parse_endpoint(ps, "server", &s->addr, &s->port))
		return false;
	addr_format(&s->addr, s->port, s->name, sizeof(s->name));
	for (i = 0; i + 1 < p->nservers; i++) {
		struct server *o = p->servers[i];

		if (o->port == s->port && !memcmp(&o->addr, &s->addr, sizeof(s->addr))) {
			fail_at(ps, line, col, "server %s is already in pool %s (line %d)",
				s->name, p->name, o->line);
			return false;
		}
	}
	while (ps->tok.type == T_WORD) {
		if (is_word(ps, "weight")) {
			next(ps);
			if (!parse_uint(ps, "weight", 0, 65535, &s->weight))
				return false;
		} else if (is_word(ps, "up")) {
			next(ps);
			s->start_up = true;
		} else {
			fail(ps, "unknown server option '%s' (known: weight N, up, { check ... })",
			     ps->tok.text);
			return false;
		}
	}
	if (ps->tok.type == T_LBRACE) {
		next(ps);
		for (;;) {
			int more = block_next(ps, "the server");

			if (more < 0)
				return false;
			if (!more)
				break;
			if (!is_word(ps, "check")) {
				fail(ps, "a server block holds only 'check KIND { ... }', got %s",
				     tok_desc(&ps->tok));
				return false;
			}
			if (s->own_check) {
				fail(ps, "server %s has a check already", s->name);
				return false;
			}
			if (!parse_check(ps, &s->check))
				return false;
			s->own_check = true;
			end_statement(ps);
		}
	}
	end_statement(ps);
	return !ps->failed;
}

static int family_from_name(const char *name)
{
	if (!strcmp(name, "ip"))
		return NFPROTO_IPV4;
	if (!strcmp(name, "ip6"))
		return NFPROTO_IPV6;
	if (!strcmp(name, "inet"))
		return NFPROTO_INET;
	return -1;
}

static bool nft_name_ok(const char *s)
{
	size_t n = strlen(s);

	/* nft identifiers; the kernel allows 255 bytes for names */
	if (!n || n > 255 || !isalpha((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}

static bool parse_pool(struct parser *ps, struct config *cf)
{
	struct pool *p = calloc(1, sizeof(*p));
	struct pool **v = realloc(cf->pools, (cf->npools + 1) * sizeof(*v));
	int line = ps->tok.line, col = ps->tok.col;
	size_t i;

	if (!p || !v)
		abort();
	cf->pools = v;
	cf->pools[cf->npools++] = p;
	p->line = line;
	next(ps);	/* "pool" */
	if (ps->tok.type != T_WORD || !nft_name_ok(ps->tok.text)) {
		fail(ps, "expected a pool name (letters, digits, _ - .), got %s",
		     tok_desc(&ps->tok));
		return false;
	}
	p->name = take_value(ps, "pool");
	for (i = 0; i + 1 < cf->npools; i++) {
		if (!strcmp(cf->pools[i]->name, p->name)) {
			fail_at(ps, line, col, "pool %s is defined twice (first on line %d)",
				p->name, cf->pools[i]->line);
			return false;
		}
	}
	if (!expect_lbrace(ps, "the pool name"))
		return false;
	for (;;) {
		int more = block_next(ps, "the pool");

		if (more < 0)
			return false;
		if (!more)
			break;
		if (is_word(ps, "set")) {
			int fl, fc;

			if (p->set) {
				fail(ps, "pool %s names its set twice", p->name);
				return false;
			}
			next(ps);
			fl = ps->tok.line;
			fc = ps->tok.col;
			p->family_name = take_value(ps, "set FAMILY");
			if (!p->family_name)
				return false;
			p->family = family_from_name(p->family_name);
			if (p->family < 0) {
				fail_at(ps, fl, fc, "set: family '%s' is not ip, ip6 or inet",
					p->family_name);
				return false;
			}
			if (ps->tok.type != T_WORD || !nft_name_ok(ps->tok.text)) {
				fail(ps, "set: expected a table name, got %s", tok_desc(&ps->tok));
				return false;
			}
			p->table = take_value(ps, "set TABLE");
			if (ps->tok.type != T_WORD || !nft_name_ok(ps->tok.text)) {
				fail(ps, "set: expected a set name, got %s", tok_desc(&ps->tok));
				return false;
			}
			p->set = take_value(ps, "set NAME");
		} else if (is_word(ps, "inhibit")) {
			next(ps);
			p->inhibit = true;
		} else if (is_word(ps, "sorry")) {
			next(ps);
			if (p->has_sorry) {
				fail(ps, "pool %s has a sorry server already", p->name);
				return false;
			}
			if (!parse_endpoint(ps, "sorry", &p->sorry_addr, &p->sorry_port))
				return false;
			p->has_sorry = true;
			p->sorry_weight = 1;
			addr_format(&p->sorry_addr, p->sorry_port, p->sorry_name,
				    sizeof(p->sorry_name));
			if (is_word(ps, "weight")) {
				next(ps);
				if (!parse_uint(ps, "weight", 1, 65535, &p->sorry_weight))
					return false;
			}
		} else if (is_word(ps, "check")) {
			if (p->has_check) {
				fail(ps, "pool %s has a check already", p->name);
				return false;
			}
			if (!parse_check(ps, &p->check))
				return false;
			p->has_check = true;
		} else if (is_word(ps, "server")) {
			if (!parse_server(ps, p))
				return false;
			continue;
		} else {
			fail(ps, "unknown pool statement '%s' (known: set inhibit sorry check server)",
			     tok_desc(&ps->tok));
			return false;
		}
		end_statement(ps);
	}
	if (ps->failed)
		return false;
	if (!p->set) {
		fail_at(ps, line, col, "pool %s needs 'set FAMILY TABLE NAME'", p->name);
		return false;
	}
	if (!p->nservers) {
		fail_at(ps, line, col, "pool %s has no server", p->name);
		return false;
	}
	for (i = 0; i < cf->npools - 1; i++) {
		struct pool *o = cf->pools[i];

		if (!strcmp(o->table, p->table) && !strcmp(o->set, p->set) &&
		    o->family == p->family) {
			fail_at(ps, line, col,
				"pools %s and %s maintain the same set %s %s %s",
				o->name, p->name, p->family_name, p->table, p->set);
			return false;
		}
	}
	for (i = 0; i < p->nservers; i++) {
		struct server *s = p->servers[i];

		if (s->own_check) {
			/* the server's own check stands alone */
		} else if (p->has_check) {
			check_conf_copy(&s->check, &p->check);
		} else {
			check_defaults(&s->check, CHECK_TCP);
		}
		if (s->check.kind != CHECK_EXEC && !s->check.port && !s->port) {
			fail_at(ps, s->line, s->col,
				"server %s has no port and its %s check none: give one of them a port",
				s->name, check_kind_name(s->check.kind));
			return false;
		}
		if (s->check.has_source && s->check.source.family != s->addr.family) {
			fail_at(ps, s->line, s->col,
				"server %s: the check's source address is of another family",
				s->name);
			return false;
		}
		if (p->has_sorry &&
		    s->port == p->sorry_port && !memcmp(&s->addr, &p->sorry_addr, sizeof(s->addr))) {
			fail_at(ps, s->line, s->col, "server %s is also the pool's sorry server",
				s->name);
			return false;
		}
	}
	return true;
}

static bool parse_file(struct parser *ps, struct config *cf)
{
	next(ps);
	for (;;) {
		skip_ends(ps);
		if (ps->failed)
			return false;
		if (ps->tok.type == T_EOF)
			break;
		if (is_word(ps, "pool")) {
			if (!parse_pool(ps, cf))
				return false;
		} else if (is_word(ps, "status-socket")) {
			next(ps);
			free(cf->status_socket);
			cf->status_socket = take_value(ps, "status-socket");
			if (cf->status_socket && cf->status_socket[0] != '/')
				fail(ps, "status-socket wants an absolute path");
		} else {
			fail(ps, "unknown statement '%s' (known: pool, status-socket)",
			     tok_desc(&ps->tok));
			return false;
		}
		end_statement(ps);
	}
	if (!ps->failed && !cf->npools)
		fail_at(ps, ps->line, 1, "no pool is configured");
	return !ps->failed;
}

void config_free(struct config *cf)
{
	size_t i, j;

	if (!cf)
		return;
	for (i = 0; i < cf->npools; i++) {
		struct pool *p = cf->pools[i];

		for (j = 0; j < p->nservers; j++) {
			check_conf_free(&p->servers[j]->check);
			free(p->servers[j]);
		}
		free(p->servers);
		check_conf_free(&p->check);
		free(p->name);
		free(p->family_name);
		free(p->table);
		free(p->set);
		free(p);
	}
	free(cf->pools);
	free(cf->path);
	free(cf->status_socket);
	free(cf);
}

struct config *config_load(const char *path, char *err, size_t errlen)
{
	struct parser ps = { .path = path, .line = 1, .col = 1, .err = err, .errlen = errlen };
	struct config *cf;
	FILE *f = fopen(path, "r");
	char *src = NULL;
	size_t cap = 0, n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		char *nsrc = realloc(src, cap + 65536 + 1);

		if (!nsrc)
			abort();
		src = nsrc;
		n = fread(src + cap, 1, 65536, f);
		cap += n;
	} while (n == 65536 && cap < (64u << 20));
	if (ferror(f) || cap >= (64u << 20)) {
		snprintf(err, errlen, "%s: %s", path,
			 ferror(f) ? strerror(errno) : "larger than 64 MiB");
		fclose(f);
		free(src);
		return NULL;
	}
	fclose(f);
	if (memchr(src, 0, cap)) {
		snprintf(err, errlen, "%s: holds a NUL byte; not a text file", path);
		free(src);
		return NULL;
	}
	ps.src = src;
	ps.size = cap;
	cf = calloc(1, sizeof(*cf));
	if (!cf)
		abort();
	cf->path = strdup(path);
	if (!parse_file(&ps, cf)) {
		config_free(cf);
		cf = NULL;
	}
	free(ps.tok.text);
	free(src);
	return cf;
}
