// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipvsadm rules, as `ipvsadm -S -n` saves them or a script runs them
 * (a leading "ipvsadm" is skipped), with Alibaba LVS' extensions:
 *
 *   -A -t|-u VIP:PORT [-s SCHED] [-p [TIMEOUT]] [-j enable|disable]
 *   -a -t|-u VIP:PORT -r RS[:PORT] -b|-m|-g|-i [-w WEIGHT]
 *   -P -t|-u VIP:PORT -z LADDR                  (--add-laddr, --laddr)
 *   --set TCP TCPFIN UDP
 *
 * IPv6 as [ADDR]:PORT. Long options as ipvsadm spells them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "import.h"

/* What a service needs to know beyond the model while the rules are read. */
struct svc_state {
	bool		nat;
	struct imp_loc	at;		/* its -A */
};

struct ipvs {
	struct imp_model	*m;
	struct svc_state	*st;		/* parallel to m->svcs */
	struct imp_loc		loc;
	unsigned int		tcp_timeout, udp_timeout;
};

/* One line's command and options. */
struct line {
	char		cmd;		/* A a P, 0: none */
	const char	*cmd_word;
	int		proto;
	const char	*service, *sched, *real, *laddr, *synproxy;
	bool		persist, method_set;
	char		method;		/* b m g i */
	const char	*weight;
	char		**set;		/* --set's three values */
};

static const struct {
	const char	*s, *l;
	char		opt;
	bool		arg;
} opts[] = {
	{ "-A", "--add-service", 'A', false }, { "-a", "--add-server", 'a', false },
	{ "-P", "--add-laddr", 'P', false }, { "-t", "--tcp-service", 't', true },
	{ "-u", "--udp-service", 'u', true }, { "-f", "--fwmark-service", 'f', true },
	{ "-s", "--scheduler", 's', true }, { "-p", "--persistent", 'p', false },
	{ "-r", "--real-server", 'r', true }, { "-w", "--weight", 'w', true },
	{ "-m", "--masquerading", 'm', false }, { "-g", "--gatewaying", 'g', false },
	{ "-i", "--ipip", 'i', false }, { "-b", "--fullnat", 'b', false },
	{ "-z", "--laddr", 'z', true }, { "-j", "--synproxy", 'j', true },
	{ "-M", "--netmask", 'M', true }, { "-x", "--u-threshold", 'x', true },
	{ "-y", "--l-threshold", 'y', true }, { "-o", "--ops", 'o', false },
	{ NULL, "--pe", 'e', true }, { NULL, "--set", 'S', false },
	{ "-C", "--clear", 'C', false },
};

/* VIP:PORT, [VIP6]:PORT; the port may be left out. */
static int parse_endpoint(char *s, struct imp_addr *a, uint16_t *port)
{
	char *host = s, *p = NULL, *close, *colon;

	*port = 0;
	if (*s == '[') {
		close = strchr(s, ']');
		if (!close || (close[1] && close[1] != ':'))
			return -1;
		*close = 0;
		host = s + 1;
		p = close[1] ? close + 2 : NULL;
	} else {
		/* one colon: IPv4:PORT; more: a bare IPv6 address */
		colon = strchr(s, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = 0;
			p = colon + 1;
		}
	}
	if (imp_addr_parse(host, a))
		return -1;
	if (p && (imp_port_parse(p, port) || !*port))
		return -1;
	return 0;
}

static bool endpoint(struct ipvs *iv, const char *what, const char *s,
		     struct imp_addr *a, uint16_t *port, bool need_port)
{
	char *copy = imp_strdup(s);
	int rc = parse_endpoint(copy, a, port);

	free(copy);
	if (rc) {
		imp_error(&iv->loc, "%s '%s': expected ADDRESS:PORT with a numeric address and port (IPv6 as [ADDRESS]:PORT; save with ipvsadm -S -n)",
			  what, s);
		return false;
	}
	if (need_port && !*port) {
		imp_error(&iv->loc, "%s '%s': no port (a service on all ports is not converted)",
			  what, s);
		return false;
	}
	return true;
}

static int find_opt(const char *w)
{
	unsigned int i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if ((opts[i].s && !strcmp(w, opts[i].s)) || !strcmp(w, opts[i].l))
			return (int)i;
	return -1;
}

static bool is_number(const char *s)
{
	return s && *s && strspn(s, "0123456789") == strlen(s);
}

static bool take_opt(struct ipvs *iv, struct line *l, int o, char **w,
		     unsigned int n, unsigned int *i)
{
	const char *v = opts[o].arg && *i + 1 < n ? w[*i + 1] : NULL;

	if (opts[o].arg) {
		if (!v) {
			imp_error(&iv->loc, "%s: expected a value", w[*i]);
			return false;
		}
		(*i)++;
	}
	switch (opts[o].opt) {
	case 'A': case 'a': case 'P': case 'C': case 'S':
		if (l->cmd) {
			imp_error(&iv->loc, "%s: one command per line", w[*i]);
			return false;
		}
		l->cmd = opts[o].opt;
		l->cmd_word = w[*i];
		if (l->cmd == 'S')
			l->set = w + *i + 1;
		if (l->cmd == 'S' && (n < *i + 4 || !is_number(w[*i + 1]) ||
				      !is_number(w[*i + 2]) || !is_number(w[*i + 3]))) {
			imp_error(&iv->loc, "--set: expected three timeouts, TCP TCPFIN UDP");
			return false;
		}
		if (l->cmd == 'S')
			*i += 3;
		break;
	case 't': case 'u':
		l->proto = opts[o].opt == 't' ? IPPROTO_TCP : IPPROTO_UDP;
		l->service = v;
		break;
	case 'f':
		imp_error(&iv->loc, "%s %s: a firewall-mark service is not converted: nftlvs matches a service by address and port in its rule (write the match, meta mark N, by hand)",
			  w[*i - 1], v);
		return false;
	case 's': l->sched = v; break;
	case 'p':
		l->persist = true;
		if (*i + 1 < n && is_number(w[*i + 1]))
			(*i)++;
		break;
	case 'r': l->real = v; break;
	case 'w': l->weight = v; break;
	case 'z': l->laddr = v; break;
	case 'j': l->synproxy = v; break;
	case 'm': case 'g': case 'i': case 'b':
		l->method = opts[o].opt;
		l->method_set = true;
		break;
	default:
		imp_warn(&iv->loc, "%s: not carried over", opts[o].arg ? w[*i - 1] : w[*i]);
	}
	return true;
}

static struct imp_service *find_svc(struct ipvs *iv, const struct line *l,
				    unsigned int *idx)
{
	struct imp_addr a;
	uint16_t port;
	unsigned int i;

	*idx = ~0u;
	if (!l->service) {
		imp_error(&iv->loc, "%s: expected -t or -u VIP:PORT", l->cmd_word);
		return NULL;
	}
	if (!endpoint(iv, "service", l->service, &a, &port, true))
		return NULL;
	for (i = 0; i < iv->m->nsvcs; i++) {
		if (iv->m->svcs[i].proto == l->proto &&
		    !imp_addr_cmp(&iv->m->svcs[i].vips[0].addr, &a) &&
		    iv->m->svcs[i].vips[0].port == port) {
			*idx = i;
			return &iv->m->svcs[i];
		}
	}
	if (l->cmd != 'A')
		imp_error(&iv->loc, "%s %s: no -A for this service before", l->cmd_word, l->service);
	*idx = iv->m->nsvcs;
	return NULL;
}

static void add_service(struct ipvs *iv, const struct line *l, const char *text)
{
	struct imp_service *s;
	struct imp_vip *v;
	unsigned int idx;
	bool exact;

	if (find_svc(iv, l, &idx)) {
		imp_error(&iv->loc, "-A %s: the service was added before", l->service);
		return;
	}
	if (idx != iv->m->nsvcs)
		return;
	iv->st = imp_grow(iv->st, iv->m->nsvcs, sizeof(*iv->st));
	iv->st[idx].at = iv->loc;
	s = imp_service_add(iv->m, &iv->loc, text);
	s->proto = l->proto;
	s->vips = v = imp_alloc(sizeof(*v));
	s->nvips = 1;
	endpoint(iv, "service", l->service, &v->addr, &v->port, true);
	imp_service_name(iv->m, s, l->service);
	s->sched = imp_sched(l->sched ? l->sched : "wlc", &exact);
	if (!s->sched) {
		s->sched = "wlc";
		imp_warn(&iv->loc, "-s %s: not a scheduler nftlvs has (rr wrr lc wlc sh mh): wlc is used", l->sched);
	} else if (!exact) {
		imp_warn(&iv->loc, "-s %s: nftlvs has no %s: %s, the closest, is used", l->sched, l->sched, s->sched);
	}
	if (l->persist) {
		imp_warn(&iv->loc, "-p: a client keeps its server by source hashing (sched sh) instead, for as long as the pool does not change");
		s->sched = "sh";
	}
	if (l->synproxy && strcmp(l->synproxy, "enable") && strcmp(l->synproxy, "disable"))
		imp_error(&iv->loc, "-j %s: expected enable or disable", l->synproxy);
	s->synproxy = l->synproxy && !strcmp(l->synproxy, "enable");
	if (s->synproxy && s->proto != IPPROTO_TCP) {
		imp_warn(&iv->loc, "-j enable: a UDP service has no handshake to proxy: not carried over");
		s->synproxy = false;
	}
}

static void add_server(struct ipvs *iv, const struct line *l)
{
	struct imp_service *s;
	struct imp_server *rs;
	unsigned int idx;
	char *end;

	s = find_svc(iv, l, &idx);
	if (!s)
		return;
	if (!l->real) {
		imp_error(&iv->loc, "-a: expected -r RS[:PORT]");
		return;
	}
	/* ipvsadm's default is -g */
	if (!l->method_set || l->method == 'g' || l->method == 'i') {
		imp_error(&iv->loc, "-a -r %s %s: not converted: the real server would answer the client directly, and nftlvs translates both directions (use -b)",
			  l->real, l->method == 'i' ? "-i (tunneling)" :
			  l->method == 'g' ? "-g (direct routing)" :
			  "without -b or -m (ipvsadm's default, -g, direct routing)");
		return;
	}
	if (l->method == 'm' && !iv->st[idx].nat)
		imp_warn(&iv->loc, "-m (masquerading) becomes FULLNAT: the real servers see the local addresses as the source (the client's in the TOA option) and need no route back through the load balancer");
	iv->st[idx].nat |= l->method == 'm';
	rs = imp_server_add(s);
	rs->loc = iv->loc;
	if (!endpoint(iv, "-r", l->real, &rs->addr, &rs->port, false)) {
		s->nservers--;
		return;
	}
	if (!rs->port)
		rs->port = s->vips[0].port;
	if (l->weight) {
		errno = 0;
		rs->weight = strtoul(l->weight, &end, 10);
		if (!is_number(l->weight) || errno || rs->weight > 65535)
			imp_error(&iv->loc, "-w %s: not a weight 0-65535", l->weight);
	}
}

static void add_laddr(struct ipvs *iv, const struct line *l)
{
	struct imp_service *s;
	struct imp_addr a;
	unsigned int idx;

	s = find_svc(iv, l, &idx);
	if (!s)
		return;
	if (!l->laddr) {
		imp_error(&iv->loc, "-P: expected -z LADDR");
		return;
	}
	if (imp_addr_parse(l->laddr, &a)) {
		imp_error(&iv->loc, "-z %s: not an IP address", l->laddr);
		return;
	}
	imp_laddr_add(s, &a);
}

static void run_line(struct ipvs *iv, char **w, unsigned int n, const char *text)
{
	struct line l = { .proto = IPPROTO_TCP };
	unsigned int i = 0;
	int o;

	if (n && !strcmp(w[0], "ipvsadm"))
		i = 1;
	for (; i < n; i++) {
		o = find_opt(w[i]);
		if (o < 0) {
			imp_error(&iv->loc, "'%s': not an ipvsadm option nftlvs import knows", w[i]);
			return;
		}
		if (!take_opt(iv, &l, o, w, n, &i))
			return;
	}
	switch (l.cmd) {
	case 'A': add_service(iv, &l, text); break;
	case 'a': add_server(iv, &l); break;
	case 'P': add_laddr(iv, &l); break;
	case 'S':
		iv->tcp_timeout = strtoul(l.set[0], NULL, 10);
		iv->udp_timeout = strtoul(l.set[2], NULL, 10);
		if (strcmp(l.set[1], "0"))
			imp_warn(&iv->loc, "--set: the TCP FIN timeout is the namespace's (sysctl net.nft_lvs.timeout_fin_wait): not carried over");
		break;
	case 'C': break;
	case 0:
		imp_error(&iv->loc, "no command (-A, -a, -P)");
		break;
	}
}

/* Local addresses, timeouts: what the whole input decides per service. */
static void finish(struct ipvs *iv)
{
	struct imp_service *s;
	unsigned int i, j, n;
	int family;

	for (i = 0; i < iv->m->nsvcs; i++) {
		s = &iv->m->svcs[i];
		s->toa = s->proto == IPPROTO_TCP;
		s->timeout_s = s->proto == IPPROTO_TCP ? iv->tcp_timeout : iv->udp_timeout;
		family = imp_service_family(s);
		for (j = 0; j < s->nservers; j++)
			if (s->servers[j].addr.family != family)
				imp_error(&s->servers[j].loc, "-r: all real servers of a service are of one family");
		for (j = n = 0; j < s->nladdrs; j++)
			if (s->laddrs[j].family == family)
				s->laddrs[n++] = s->laddrs[j];
		if (n < s->nladdrs)
			imp_warn(&iv->st[i].at, "-z: local addresses of another family than the real servers' are left out");
		s->nladdrs = n;
		/* a service whose servers were all refused needs no more noise */
		if (!n && (s->nservers || !imp_errors)) {
			imp_service_via(iv->m, s, iv->st[i].nat ? "-m (masquerading) without -P ... -z LADDR" : "no -P ... -z LADDR for this service");
			continue;
		}
		if (n)
			s->laddr_set = imp_printf("%s_lips", s->name);
	}
}

static void split(char *line, char ***w, unsigned int *n)
{
	char *tok, *save;

	*n = 0;
	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		*w = imp_grow(*w, *n, sizeof(**w));
		(*w)[(*n)++] = tok;
	}
}

/* The words joined by one blank: how the source comment quotes the line. */
static char *join(char **w, unsigned int n)
{
	char *text = imp_strdup(w[0]), *t;
	unsigned int i;

	for (i = 1; i < n; i++) {
		t = imp_printf("%s %s", text, w[i]);
		free(text);
		text = t;
	}
	return text;
}

void imp_ipvsadm(struct imp_model *m, const char *path)
{
	struct ipvs iv = { .m = m };
	bool is_stdin = !path || !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	char *line = NULL, *text, *hash, **w = NULL;
	size_t cap = 0;
	unsigned int n;

	if (!f) {
		imp_error(NULL, "%s: %s", path, strerror(errno));
		return;
	}
	iv.loc.file = imp_file_name(m, is_stdin ? "stdin" : path);
	while (getline(&line, &cap, f) >= 0) {
		iv.loc.line++;
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		split(line, &w, &n);
		if (n) {
			text = join(w, n);
			run_line(&iv, w, n, text);
			free(text);
		}
		free(w);
		w = NULL;
	}
	if (ferror(f))
		imp_error(NULL, "%s: %s", iv.loc.file, strerror(errno));
	if (!is_stdin)
		fclose(f);
	free(line);
	finish(&iv);
	free(iv.st);
}
