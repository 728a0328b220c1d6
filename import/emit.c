// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs import: the model printed as an nftlvs ruleset (one table: the
 * pools' maps and the local addresses' sets, then one prerouting chain,
 * lb-dispatch first, the services in input order) and as the
 * nftlvs-healthd configuration that keeps those maps current.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "import.h"

static const char *table_family(const struct imp_model *m)
{
	bool v4 = false, v6 = false;
	unsigned int i, j;
	int f;

	for (i = 0; i < m->nsvcs; i++) {
		f = imp_service_family(&m->svcs[i]);
		v4 |= f == AF_INET;
		v6 |= f == AF_INET6;
		for (j = 0; j < m->svcs[i].nvips; j++) {
			v4 |= m->svcs[i].vips[j].addr.family == AF_INET;
			v6 |= m->svcs[i].vips[j].addr.family == AF_INET6;
		}
	}
	return v4 && v6 ? "inet" : v6 ? "ip6" : "ip";
}

static const char *addr_type(int family)
{
	return family == AF_INET6 ? "ipv6_addr" : "ipv4_addr";
}

static void print_addr(FILE *f, const struct imp_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	imp_addr_format(a, buf, sizeof(buf));
	fputs(buf, f);
}

/* ADDR:PORT, [ADDR6]:PORT, as nftlvs-healthd reads them. */
static void print_endpoint(FILE *f, const struct imp_addr *a, uint16_t port)
{
	fputs(a->family == AF_INET6 ? "[" : "", f);
	print_addr(f, a);
	fprintf(f, "%s:%u", a->family == AF_INET6 ? "]" : "", port);
}

static void emit_pool(FILE *f, const struct imp_service *s)
{
	unsigned int i;

	fprintf(f, "\t# %s\n", s->origin);
	fprintf(f, "\tmap %s { type %s . inet_service : mark;", s->name,
		addr_type(imp_service_family(s)));
	for (i = 0; i < s->nservers; i++) {
		fputs(i ? ", " : " elements = { ", f);
		print_addr(f, &s->servers[i].addr);
		fprintf(f, " . %u : %u", s->servers[i].port, s->servers[i].weight);
	}
	fputs(s->nservers ? " } }\n" : " }\n", f);
}

static void emit_laddrs(FILE *f, const struct imp_model *m, unsigned int idx)
{
	const struct imp_service *s = &m->svcs[idx];
	unsigned int i;

	for (i = 0; i < idx; i++)
		if (!strcmp(m->svcs[i].laddr_set, s->laddr_set))
			return;		/* a group that an earlier service uses */
	fprintf(f, "\tset %s { type %s; elements = { ", s->laddr_set,
		addr_type(imp_service_family(s)));
	for (i = 0; i < s->nladdrs; i++) {
		fputs(i ? ", " : "", f);
		print_addr(f, &s->laddrs[i]);
	}
	fputs(" } }\n", f);
}

/* " timeout 1h30m", as nftlvs lists it. */
static void print_time(FILE *f, unsigned int secs)
{
	static const unsigned int unit_secs[] = { 86400, 3600, 60, 1 };
	static const char units[] = "dhms";
	unsigned int i;

	fputs(" timeout ", f);
	for (i = 0; i < sizeof(unit_secs) / sizeof(unit_secs[0]); i++) {
		if (secs >= unit_secs[i]) {
			fprintf(f, "%u%c", secs / unit_secs[i], units[i]);
			secs %= unit_secs[i];
		}
	}
}

static void emit_rule(FILE *f, const struct imp_service *s,
		      const struct imp_vip *v)
{
	fprintf(f, "\t\t%s daddr ", v->addr.family == AF_INET6 ? "ip6" : "ip");
	print_addr(f, &v->addr);
	if (v->last.family) {
		fputc('-', f);
		print_addr(f, &v->last);
	}
	fprintf(f, " %s dport %u ", s->proto == IPPROTO_UDP ? "udp" : "tcp", v->port);
	if (s->synproxy)
		fputs("synproxy-lb ", f);
	fprintf(f, "fullnat to @%s via @%s", s->name, s->laddr_set);
	if (s->sched && strcmp(s->sched, "wlc"))
		fprintf(f, " sched %s", s->sched);
	if (s->timeout_s)
		print_time(f, s->timeout_s);
	if (s->toa)
		fputs(" flags toa", f);
	fputc('\n', f);
}

void imp_emit_ruleset(const struct imp_model *m, const char *source, FILE *f)
{
	const char *family = table_family(m);
	unsigned int i, j;

	fprintf(f, "# Converted by nftlvs import from %s.\n", source);
	fprintf(f, "# Load with nftlvs -f: it replaces table %s %s as a whole.\n",
		family, m->table);
	fprintf(f, "table %s %s\ndelete table %s %s\n", family, m->table,
		family, m->table);
	fprintf(f, "table %s %s {\n", family, m->table);
	for (i = 0; i < m->nsvcs; i++) {
		emit_pool(f, &m->svcs[i]);
		emit_laddrs(f, m, i);
	}
	fputs(m->nsvcs ? "\n" : "", f);
	fputs("\tchain pre {\n"
	      "\t\ttype filter hook prerouting priority raw; policy accept;\n"
	      "\t\tlb-dispatch\n", f);
	for (i = 0; i < m->nsvcs; i++) {
		fprintf(f, "\t\t# %s\n", m->svcs[i].origin);
		for (j = 0; j < m->svcs[i].nvips; j++)
			emit_rule(f, &m->svcs[i], &m->svcs[i].vips[j]);
	}
	fputs("\t}\n}\n", f);
}

/* A healthd string: quoted, with its escapes. */
static void print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < ' ' || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void print_duration(FILE *f, const char *name, unsigned int ms)
{
	if (ms % 1000)
		fprintf(f, "%s %ums", name, ms);
	else
		fprintf(f, "%s %us", name, ms / 1000);
}

static const char *const check_names[] = {
	[IMP_CHECK_TCP] = "tcp", [IMP_CHECK_HTTP] = "http",
	[IMP_CHECK_HTTPS] = "https", [IMP_CHECK_EXEC] = "exec",
};

static void emit_check(FILE *f, const struct imp_check *c)
{
	fprintf(f, "check %s { ", check_names[c->kind]);
	if (c->port)
		fprintf(f, "port %u; ", c->port);
	if (c->has_source) {
		fputs("source ", f);
		print_addr(f, &c->source);
		fputs("; ", f);
	}
	if (c->path) {
		fputs("path ", f);
		print_string(f, c->path);
		fputs("; ", f);
	}
	if (c->host) {
		fputs("host ", f);
		print_string(f, c->host);
		fputs("; ", f);
	}
	if (c->status_lo == c->status_hi && c->status_lo)
		fprintf(f, "status %u; ", c->status_lo);
	else if (c->status_lo)
		fprintf(f, "status %u-%u; ", c->status_lo, c->status_hi);
	if (c->digest)
		fprintf(f, "digest md5 %s; ", c->digest);
	if (c->command) {
		fputs("command ", f);
		print_string(f, c->command);
		fputs("; ", f);
	}
	print_duration(f, "interval", c->interval_ms);
	print_duration(f, "; timeout", c->timeout_ms);
	fprintf(f, "; rise %u; fall %u }", c->rise, c->fall);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool check_same(const struct imp_check *a, const struct imp_check *b)
{
	return a->kind == b->kind && a->port == b->port &&
	       a->has_source == b->has_source &&
	       (!a->has_source || !imp_addr_cmp(&a->source, &b->source)) &&
	       str_same(a->path, b->path) && str_same(a->host, b->host) &&
	       str_same(a->digest, b->digest) && str_same(a->command, b->command) &&
	       a->status_lo == b->status_lo && a->status_hi == b->status_hi &&
	       a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
	       a->rise == b->rise && a->fall == b->fall;
}

/* A server without a checker is always up in keepalived. */
static const struct imp_check always_up = {
	.kind = IMP_CHECK_EXEC, .command = "exit 0", .interval_ms = 60000,
	.timeout_ms = 5000, .rise = 1, .fall = 1,
};

static void emit_server(FILE *f, const struct imp_server *rs, bool own_check)
{
	fputs("\tserver ", f);
	print_endpoint(f, &rs->addr, rs->port);
	fprintf(f, " weight %u", rs->weight);
	if (rs->check.kind == IMP_CHECK_NONE)
		fputs(" up", f);
	if (own_check) {
		fputs(" { ", f);
		emit_check(f, rs->check.kind == IMP_CHECK_NONE ? &always_up : &rs->check);
		fputs(" }", f);
	}
	fputc('\n', f);
}

static bool emit_hpool(FILE *f, const struct imp_model *m,
		       const struct imp_service *s, const char *family)
{
	bool checked = false, shared = true;
	unsigned int i;

	for (i = 0; i < s->nservers; i++) {
		checked |= s->servers[i].check.kind != IMP_CHECK_NONE;
		shared &= check_same(&s->servers[i].check, &s->servers[0].check);
	}
	if (!checked) {
		fprintf(f, "\n# %s: no checker, the pool stays as the ruleset has it\n",
			s->origin);
		return false;
	}
	fprintf(f, "\n# %s\npool %s {\n\tset %s %s %s\n", s->origin, s->name,
		family, m->table, s->name);
	if (s->inhibit)
		fputs("\tinhibit\n", f);
	if (s->has_sorry) {
		fputs("\tsorry ", f);
		print_endpoint(f, &s->sorry, s->sorry_port);
		fputc('\n', f);
	}
	if (shared) {
		fputc('\t', f);
		emit_check(f, &s->servers[0].check);
		fputc('\n', f);
	}
	for (i = 0; i < s->nservers; i++)
		emit_server(f, &s->servers[i], !shared);
	fputs("}\n", f);
	return true;
}

bool imp_emit_healthd(const struct imp_model *m, const char *source, FILE *f)
{
	const char *family = table_family(m);
	bool any = false;
	unsigned int i;

	fprintf(f, "# nftlvs-healthd configuration, converted by nftlvs import from %s.\n",
		source);
	for (i = 0; i < m->nsvcs; i++)
		any |= emit_hpool(f, m, &m->svcs[i], family);
	return any;
}
