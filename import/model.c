// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs import: the model of virtual services both parsers fill, and the
 * values they share (addresses, ranges, ports, schedulers).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "import.h"

int imp_addr_parse(const char *s, struct imp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->v6) == 1)
		a->family = AF_INET6;
	return a->family ? 0 : -1;
}

void imp_addr_format(const struct imp_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->b, buf, len))
		snprintf(buf, len, "?");
}

int imp_addr_cmp(const struct imp_addr *a, const struct imp_addr *b)
{
	if (a->family != b->family)
		return a->family - b->family;
	return memcmp(a->b, b->b, a->family == AF_INET ? 4 : 16);
}

/*
 * keepalived's ranges, "10.0.0.1-20" and "2001:db8::1-20": the last byte
 * of an IPv4 address, the last 16-bit group (hex) of an IPv6 one.
 */
int imp_range_parse(const char *s, struct imp_addr *first, struct imp_addr *last)
{
	const char *dash = strrchr(s, '-');
	char *head, *end;
	unsigned long v;
	int rc;

	memset(last, 0, sizeof(*last));
	if (!dash)
		return imp_addr_parse(s, first);
	head = imp_strdup(s);
	head[dash - s] = 0;
	rc = imp_addr_parse(head, first);
	free(head);
	if (rc || !dash[1])
		return -1;
	errno = 0;
	v = strtoul(dash + 1, &end, first->family == AF_INET ? 10 : 16);
	if (*end || errno || !isxdigit((unsigned char)dash[1]))
		return -1;
	*last = *first;
	if (first->family == AF_INET) {
		if (v > 255 || v < first->b[3])
			return -1;
		last->b[3] = (uint8_t)v;
	} else {
		if (v > 0xffff || v < (unsigned int)(first->b[14] << 8 | first->b[15]))
			return -1;
		last->b[14] = (uint8_t)(v >> 8);
		last->b[15] = (uint8_t)v;
	}
	return 0;
}

bool imp_addr_next(struct imp_addr *a, const struct imp_addr *last)
{
	int i = a->family == AF_INET ? 3 : 15;

	if (!imp_addr_cmp(a, last))
		return false;
	while (i >= 0 && ++a->b[i] == 0)
		i--;
	return true;
}

int imp_port_parse(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * IPVS' schedulers and the closest nftlvs has. The locality and expected
 * delay ones all pick by (weighted) connection count in the end; dh hashes
 * like sh; fo sends to the heaviest server, which wrr favours.
 */
static const struct {
	const char	*ipvs, *nftlvs;
} scheds[] = {
	{ "rr", "rr" }, { "wrr", "wrr" }, { "lc", "lc" }, { "wlc", "wlc" },
	{ "sh", "sh" }, { "mh", "mh" },
	{ "lblc", "wlc" }, { "lblcr", "wlc" }, { "sed", "wlc" }, { "nq", "wlc" },
	{ "ovf", "wlc" }, { "twos", "wlc" }, { "dh", "sh" }, { "fo", "wrr" },
};

const char *imp_sched(const char *name, bool *exact)
{
	unsigned int i;

	for (i = 0; i < sizeof(scheds) / sizeof(scheds[0]); i++) {
		if (!strcmp(scheds[i].ipvs, name)) {
			*exact = !strcmp(scheds[i].ipvs, scheds[i].nftlvs);
			return scheds[i].nftlvs;
		}
	}
	*exact = false;
	return NULL;
}

struct imp_service *imp_service_add(struct imp_model *m,
				    const struct imp_loc *loc, const char *what)
{
	struct imp_service *s;

	m->svcs = imp_grow(m->svcs, m->nsvcs, sizeof(*m->svcs));
	s = &m->svcs[m->nsvcs++];
	s->loc = *loc;
	s->origin = imp_printf("%s:%u %s", loc->file, loc->line, what);
	s->proto = IPPROTO_TCP;
	return s;
}

struct imp_server *imp_server_add(struct imp_service *s)
{
	s->servers = imp_grow(s->servers, s->nservers, sizeof(*s->servers));
	s->servers[s->nservers].weight = 1;
	return &s->servers[s->nservers++];
}

void imp_laddr_add(struct imp_service *s, const struct imp_addr *a)
{
	unsigned int i;

	for (i = 0; i < s->nladdrs; i++)
		if (!imp_addr_cmp(&s->laddrs[i], a))
			return;
	s->laddrs = imp_grow(s->laddrs, s->nladdrs, sizeof(*s->laddrs));
	s->laddrs[s->nladdrs++] = *a;
}

int imp_service_family(const struct imp_service *s)
{
	if (s->nservers)
		return s->servers[0].addr.family;
	if (s->has_sorry)
		return s->sorry.family;
	return s->nvips ? s->vips[0].addr.family : AF_INET;
}

static bool name_taken(const struct imp_model *m, const struct imp_service *s,
		       const char *name)
{
	unsigned int i;

	for (i = 0; i < m->nsvcs; i++) {
		if (&m->svcs[i] == s)
			continue;
		if ((m->svcs[i].name && !strcmp(m->svcs[i].name, name)) ||
		    (m->svcs[i].laddr_set && !strcmp(m->svcs[i].laddr_set, name)))
			return true;
	}
	return false;
}

/* "tcp_" and @hint, each run of other characters than letters and digits
 * made one '_' ("tcp_2001_db8_10_443" for [2001:db8::10]:443). */
void imp_service_name(struct imp_model *m, struct imp_service *s,
		      const char *hint)
{
	char *base, *p, *q;
	unsigned int n = 2;

	base = imp_printf("%s_%s", s->proto == IPPROTO_UDP ? "udp" : "tcp", hint);
	for (p = q = base; *p; p++) {
		if (isalnum((unsigned char)*p))
			*q++ = *p;
		else if (q[-1] != '_')
			*q++ = '_';
	}
	if (q[-1] == '_')
		q--;
	*q = 0;
	s->name = imp_strdup(base);
	while (name_taken(m, s, s->name)) {
		free(s->name);
		s->name = imp_printf("%s_%u", base, n++);
	}
	free(base);
}

void imp_service_via(struct imp_model *m, struct imp_service *s,
		     const char *why)
{
	int family = imp_service_family(s);
	unsigned int i;

	for (i = 0; i < m->nvia; i++)
		if (m->via[i].family == family)
			imp_laddr_add(s, &m->via[i]);
	if (!s->nladdrs) {
		imp_error(&s->loc, "%s: no local address of the servers' family: give them with --via ADDR[,ADDR...]",
			  why);
		return;
	}
	free(s->laddr_set);
	s->laddr_set = imp_strdup(family == AF_INET6 ? "via6" : "via");
}

const char *imp_file_name(struct imp_model *m, const char *name)
{
	m->files = imp_grow(m->files, m->nfiles, sizeof(*m->files));
	m->files[m->nfiles] = imp_strdup(name);
	return m->files[m->nfiles++];
}

void imp_model_free(struct imp_model *m)
{
	struct imp_service *s;
	struct imp_check *c;
	unsigned int i, j;

	for (i = 0; i < m->nsvcs; i++) {
		s = &m->svcs[i];
		for (j = 0; j < s->nservers; j++) {
			c = &s->servers[j].check;
			free(c->path);
			free(c->host);
			free(c->digest);
			free(c->command);
		}
		free(s->servers);
		free(s->laddrs);
		free(s->vips);
		free(s->laddr_set);
		free(s->name);
		free(s->origin);
	}
	free(m->svcs);
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
	memset(m, 0, sizeof(*m));
}
