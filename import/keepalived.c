// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keepalived.conf (with Alibaba LVS' FNAT, local_address_group, syn_proxy)
 * to the model: each virtual_server is a service, its real servers the
 * pool, its checkers the servers' nftlvs-healthd checks. What has no
 * counterpart is named with its line; what cannot work is an error.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "import.h"

struct groups {
	const struct knode	**laddr, **vip;
	unsigned int		nladdr, nvip;
};

/* What a virtual_server block says before it becomes a service. */
struct vs {
	const struct ktok	*kind, *algo, *persist, *laddr_group, *synproxy;
	unsigned int		interval_ms;
	const char		*host;		/* virtualhost */
	unsigned int		ninhibit;
};

/* IP PORT of real_server, sorry_server: the port may be left out (the VIP's). */
static bool endpoint(const struct knode *n, struct imp_addr *a, uint16_t *port)
{
	if (!knode_need(n, 1))
		return false;
	if (imp_addr_parse(knode_arg(n, 0), a)) {
		imp_error(&n->key->loc, "%s: '%s' is not an IP address", n->key->s, knode_arg(n, 0));
		return false;
	}
	*port = 0;
	if (knode_arg(n, 1) && (imp_port_parse(knode_arg(n, 1), port) || !*port)) {
		imp_error(&n->key->loc, "%s: port '%s' is not 1-65535", n->key->s, knode_arg(n, 1));
		return false;
	}
	return true;
}

static const struct knode *find_group(const struct knode **v, unsigned int n,
				      const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(knode_arg(v[i], 0), name))
			return v[i];
	return NULL;
}

/* local_address_group NAME { IP IP-LAST ... }: the addresses, expanded. */
static void laddr_group(struct imp_service *s, const struct knode *g)
{
	struct imp_addr a, last;
	const struct ktok *t;
	unsigned int i, j;

	for (i = 0; i < g->nkids; i++) {
		for (j = 0; j <= g->kids[i].nargs; j++) {
			t = j ? g->kids[i].args[j - 1] : g->kids[i].key;
			if (imp_range_parse(t->s, &a, &last)) {
				imp_error(&t->loc, "local_address_group %s: '%s' is not an address or range (IP or IP-LAST)",
					  knode_arg(g, 0), t->s);
				continue;
			}
			if (!last.family)
				last = a;
			do
				imp_laddr_add(s, &a);
			while (imp_addr_next(&a, &last));
		}
	}
}

static void vip_add(struct imp_service *s, const struct ktok *addr,
		    const struct ktok *port)
{
	struct imp_vip *v;

	s->vips = imp_grow(s->vips, s->nvips, sizeof(*s->vips));
	v = &s->vips[s->nvips];
	if (imp_range_parse(addr->s, &v->addr, &v->last)) {
		imp_error(&addr->loc, "'%s' is not an IP address or range (IP or IP-LAST)", addr->s);
		return;
	}
	if (!port || imp_port_parse(port->s, &v->port) || !v->port) {
		imp_error(&addr->loc, "%s: expected a port 1-65535 after the address (port 0, all ports, is not converted)",
			  addr->s);
		return;
	}
	s->nvips++;
}

/* virtual_server_group NAME { IP PORT; IP-LAST PORT; fwmark N } */
static void vip_group(struct imp_service *s, const struct knode *g)
{
	const struct knode *k;
	unsigned int i;

	for (i = 0; i < g->nkids; i++) {
		k = &g->kids[i];
		if (!strcmp(k->key->s, "fwmark"))
			imp_error(&k->key->loc, "virtual_server_group %s: fwmark members are not converted: a service is matched by address and port",
				  knode_arg(g, 0));
		else
			vip_add(s, k->key, k->nargs ? k->args[0] : NULL);
	}
}


static void real_server(const struct knode *n, struct imp_service *s,
			struct vs *vs)
{
	struct imp_server *rs = imp_server_add(s);
	const struct knode *k;
	unsigned int i;

	rs->loc = n->key->loc;
	if (!endpoint(n, &rs->addr, &rs->port)) {
		s->nservers--;
		return;
	}
	if (!rs->port)
		rs->port = s->nvips ? s->vips[0].port : 0;
	for (i = 0; i < n->nkids; i++) {
		k = &n->kids[i];
		if (kcheck_parse(k, rs))
			continue;
		if (!strcmp(k->key->s, "weight"))
			knode_uint(k, 65535, &rs->weight);
		else if (!strcmp(k->key->s, "inhibit_on_failure"))
			vs->ninhibit++;
		else if (!strcmp(k->key->s, "delay_loop"))
			knode_seconds(k, &rs->check.interval_ms);
		else
			knode_ignored(k);
	}
}


static bool vs_option(const struct knode *k, struct imp_service *s, struct vs *vs)
{
	const char *key = k->key->s;

	if (!strcmp(key, "delay_loop")) {
		if (knode_seconds(k, &vs->interval_ms))
			vs->interval_ms = kcheck_clamp_ms(k, vs->interval_ms);
	} else if (!strcmp(key, "lb_algo") || !strcmp(key, "lvs_sched")) {
		if (knode_need(k, 1))
			vs->algo = k->args[0];
	} else if (!strcmp(key, "lb_kind") || !strcmp(key, "lvs_method")) {
		if (knode_need(k, 1))
			vs->kind = k->args[0];
	} else if (!strcmp(key, "protocol")) {
		if (knode_need(k, 1) && !strcasecmp(knode_arg(k, 0), "udp"))
			s->proto = IPPROTO_UDP;
		else if (k->nargs && strcasecmp(knode_arg(k, 0), "tcp"))
			imp_error(&k->key->loc, "protocol %s: nftlvs balances TCP and UDP", knode_arg(k, 0));
	} else if (!strcmp(key, "persistence_timeout")) {
		vs->persist = k->key;
	} else if (!strcmp(key, "syn_proxy")) {
		vs->synproxy = k->key;
	} else if (!strcmp(key, "laddr_group_name")) {
		if (knode_need(k, 1))
			vs->laddr_group = k->args[0];
	} else if (!strcmp(key, "sorry_server")) {
		s->has_sorry = endpoint(k, &s->sorry, &s->sorry_port);
		if (s->has_sorry && !s->sorry_port)
			s->sorry_port = s->nvips ? s->vips[0].port : 0;
	} else if (!strcmp(key, "inhibit_on_failure")) {
		s->inhibit = true;
	} else if (!strcmp(key, "virtualhost")) {
		if (knode_need(k, 1))
			vs->host = knode_arg(k, 0);
	} else if (!strcmp(key, "real_server")) {
		real_server(k, s, vs);
	} else {
		return false;
	}
	return true;
}

static void vs_sched(struct imp_service *s, const struct vs *vs)
{
	const char *name = vs->algo ? vs->algo->s : "wlc";
	bool exact;

	s->sched = imp_sched(name, &exact);
	if (!s->sched) {
		s->sched = "wlc";
		imp_warn(&vs->algo->loc, "lb_algo %s: not a scheduler nftlvs has (rr wrr lc wlc sh mh): wlc is used", name);
	} else if (!exact) {
		imp_warn(&vs->algo->loc, "lb_algo %s: nftlvs has no %s: %s, the closest, is used", name, name, s->sched);
	}
	if (vs->persist) {
		imp_warn(&vs->persist->loc, "persistence_timeout: a client keeps its server by source hashing (sched sh) instead, for as long as the pool does not change");
		s->sched = "sh";
	}
}

/* FNAT and NAT become fullnat, with local addresses; DR and TUN cannot. */
static void vs_kind(struct imp_model *m, struct imp_service *s,
		    const struct vs *vs, const struct groups *g)
{
	const char *kind = vs->kind ? vs->kind->s : "NAT";
	const struct imp_loc *at = vs->kind ? &vs->kind->loc : &s->loc;
	const struct knode *lg;
	int family = imp_service_family(s);
	unsigned int i, n;

	if (!strcasecmp(kind, "DR") || !strcasecmp(kind, "TUN")) {
		imp_error(at, "lb_kind %s: not converted: the real servers would answer the clients directly, and nftlvs translates both directions (use FNAT)",
			  kind);
		return;
	}
	if (strcasecmp(kind, "FNAT") && strcasecmp(kind, "NAT")) {
		imp_error(at, "lb_kind %s: unknown (FNAT NAT DR TUN)", kind);
		return;
	}
	if (!strcasecmp(kind, "NAT"))
		imp_warn(at, "lb_kind NAT becomes FULLNAT: the real servers see the local addresses as the source (the client's in the TOA option) and need no route back through the load balancer");
	s->toa = s->proto == IPPROTO_TCP;
	if (!vs->laddr_group) {
		imp_service_via(m, s, vs->kind ? (strcasecmp(kind, "NAT") ?
			"lb_kind FNAT without laddr_group_name" :
			"lb_kind NAT without laddr_group_name") :
			"lb_kind NAT (the default) without laddr_group_name");
		return;
	}
	lg = find_group(g->laddr, g->nladdr, vs->laddr_group->s);
	if (!lg) {
		imp_error(&vs->laddr_group->loc, "laddr_group_name %s: no local_address_group of that name",
			  vs->laddr_group->s);
		return;
	}
	laddr_group(s, lg);
	/* the group may hold both families: the servers' one is used */
	for (i = n = 0; i < s->nladdrs; i++)
		if (s->laddrs[i].family == family)
			s->laddrs[n++] = s->laddrs[i];
	if (!n && s->nladdrs)
		imp_error(&vs->laddr_group->loc, "local_address_group %s has no address of the real servers' family",
			  vs->laddr_group->s);
	/* the group's name, which nft takes if it starts with a letter */
	s->laddr_set = imp_printf("%s%s%s", isalpha((unsigned char)vs->laddr_group->s[0]) ?
				  "" : "lips_", vs->laddr_group->s,
				  n < s->nladdrs ? (family == AF_INET6 ? "_6" : "_4") : "");
	for (i = 0; s->laddr_set[i]; i++)
		if (!isalnum((unsigned char)s->laddr_set[i]))
			s->laddr_set[i] = '_';
	s->nladdrs = n;
}

static void vs_check(struct imp_service *s, struct vs *vs)
{
	int family = imp_service_family(s);
	unsigned int i;

	for (i = 0; i < s->nservers; i++)
		if (s->servers[i].addr.family != family)
			imp_error(&s->servers[i].loc, "real_server: all real servers of a virtual_server are of one family");
	if (s->has_sorry && s->sorry.family != family)
		imp_error(&s->loc, "sorry_server: not of the real servers' family");
	if (vs->ninhibit && !s->inhibit && vs->ninhibit < s->nservers)
		imp_warn(&s->loc, "inhibit_on_failure of some real servers applies to all of them (nftlvs-healthd's inhibit is the pool's)");
	if (vs->ninhibit)
		s->inhibit = true;
	if (vs->synproxy && s->proto != IPPROTO_TCP) {
		imp_warn(&vs->synproxy->loc, "syn_proxy: a UDP service has no handshake to proxy: not carried over");
		s->synproxy = false;
	} else if (vs->synproxy) {
		s->synproxy = true;
	}
	if (!s->nservers)
		imp_warn(&s->loc, "no real server: the pool is empty%s",
			 s->has_sorry ? " (and the sorry server is not carried over)" : "");
}

static void virtual_server(struct imp_model *m, const struct knode *n,
			   const struct groups *g)
{
	struct vs vs = {};
	unsigned int i, errors = imp_errors;
	struct imp_service *s;
	const struct knode *vg;
	char *what, *hint;

	if (knode_arg(n, 0) && !strcmp(knode_arg(n, 0), "fwmark")) {
		imp_error(&n->key->loc, "virtual_server fwmark: not converted: nftlvs matches a service by address and port in its rule (write the match, meta mark N, by hand)");
		return;
	}
	if (!knode_need(n, 2))
		return;
	what = knode_text(n);
	s = imp_service_add(m, &n->key->loc, what);
	free(what);
	if (!strcmp(knode_arg(n, 0), "group")) {
		vg = find_group(g->vip, g->nvip, knode_arg(n, 1));
		if (!vg)
			imp_error(&n->args[1]->loc, "virtual_server group %s: no virtual_server_group of that name", knode_arg(n, 1));
		else
			vip_group(s, vg);
		hint = imp_strdup(knode_arg(n, 1));
	} else {
		vip_add(s, n->args[0], n->args[1]);
		hint = imp_printf("%s_%s", knode_arg(n, 0), knode_arg(n, 1));
	}
	/* protocol first: the pool's name says it */
	for (i = 0; i < n->nkids; i++)
		if (!vs_option(&n->kids[i], s, &vs))
			knode_ignored(&n->kids[i]);
	imp_service_name(m, s, hint);
	free(hint);
	vs_sched(s, &vs);
	/* a service refused already: what follows would only add noise */
	if (imp_errors == errors)
		vs_kind(m, s, &vs, g);
	if (imp_errors == errors)
		vs_check(s, &vs);
	kcheck_defaults(s, vs.interval_ms, vs.host);
}

static void add_group(const struct knode ***v, unsigned int *n,
		      const struct knode *k)
{
	if (!knode_need(k, 1) || !k->block) {
		if (k->nargs)
			imp_error(&k->key->loc, "%s: expected NAME { ... }", k->key->s);
		return;
	}
	if (find_group(*v, *n, knode_arg(k, 0))) {
		imp_error(&k->key->loc, "%s %s: defined twice", k->key->s, knode_arg(k, 0));
		return;
	}
	*v = imp_grow(*v, *n, sizeof(**v));
	(*v)[(*n)++] = k;
}

static bool skipped(const struct knode *k, bool *noted)
{
	static const char *const quiet[] = {
		"global_defs", "net_namespace", "use_pid_dir", "linkbeat_use_polling",
	};
	unsigned int i;

	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (!strcmp(k->key->s, quiet[i]))
			return true;
	if (strncmp(k->key->s, "vrrp_", 5) && strncmp(k->key->s, "static_", 7))
		return false;
	if (!*noted)
		imp_note(&k->key->loc, "%s and the other VRRP and static address blocks are left to keepalived (see nftlvs(8), IMPORT)",
			 k->key->s);
	*noted = true;
	return true;
}

void imp_keepalived(struct imp_model *m, const char *path)
{
	struct groups g = {};
	struct kconf kc;
	const struct knode *k;
	bool noted = false;
	unsigned int i;

	if (!kconf_read(&kc, m, path)) {
		for (i = 0; i < kc.root.nkids; i++) {
			k = &kc.root.kids[i];
			if (!strcmp(k->key->s, "local_address_group"))
				add_group(&g.laddr, &g.nladdr, k);
			else if (!strcmp(k->key->s, "virtual_server_group"))
				add_group(&g.vip, &g.nvip, k);
		}
		for (i = 0; i < kc.root.nkids; i++) {
			k = &kc.root.kids[i];
			if (!strcmp(k->key->s, "virtual_server"))
				virtual_server(m, k, &g);
			else if (strcmp(k->key->s, "local_address_group") &&
				 strcmp(k->key->s, "virtual_server_group") &&
				 !skipped(k, &noted))
				knode_ignored(k);
		}
	}
	free(g.laddr);
	free(g.vip);
	kconf_free(&kc);
}
