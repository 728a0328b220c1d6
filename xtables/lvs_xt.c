// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The iptables side of FULLNAT and SYNPROXY-LB. The options build the same
 * libnftlvs expressions that nftlvs builds for the statements; the target
 * data carries them in netlink form (struct xt_lvs_tginfo), so the kernel
 * checks an iptables rule exactly as it checks a statement, and listing,
 * saving and translating read them back with libnftlvs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftlvs/expr.h>
#include "lvs_xt.h"

#define lvs_xt_error(ext, fmt, ...) \
	xtables_error(PARAMETER_PROBLEM, "%s: " fmt, ext, ##__VA_ARGS__)

void lvs_xt_fullnat_help(void)
{
	printf(
"  --to RS[,RS...]        real servers; RS = ADDR[:PORT][@WEIGHT], an IPv6\n"
"                         address with a port in brackets: [ADDR]:PORT.\n"
"                         No PORT: the packet's destination port. WEIGHT\n"
"                         0..65535, default 1, 0 drains\n"
"  --via ADDR[,ADDR...]   local addresses the servers see as the client\n"
"  --ports LO-HI          local ports (default 5000-65535)\n"
"  --sched NAME           rr, wrr, lc, wlc (default), sh or mh\n"
"  --timeout TIME         established timeout: N, Ns, Nm, Nh or Nd\n"
"  --toa                  client address option toward the servers\n"
"  --toa-kind-253         IPv6 clients: option kind 253 instead of 254\n"
"  --strip-timestamps     remove the timestamp option from client SYNs\n"
"  --rst-on-expire        reset both ends of an expired connection\n");
}

static unsigned long lvs_xt_number(const char *ext, const char *opt,
				   const char *s, unsigned long min,
				   unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v < min || v > max)
		lvs_xt_error(ext, "--%s: '%s' is not a number from %lu to %lu",
			     opt, s, min, max);
	return v;
}

void lvs_xt_parse(struct xt_option_call *cb)
{
	struct lvs_xt_rule *r = cb->udata;
	const char *ext = cb->ext_name, *opt = cb->entry->name;
	unsigned long mult = 1;
	char *s, *end;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_TO:
		free(r->to);
		r->to = xtables_strdup(cb->arg);
		break;
	case O_VIA:
		free(r->via);
		r->via = xtables_strdup(cb->arg);
		break;
	case O_PORTS:
		s = xtables_strdup(cb->arg);
		end = strchr(s, '-');
		if (!end)
			lvs_xt_error(ext, "--ports: '%s' is not LO-HI", cb->arg);
		*end++ = '\0';
		r->port_min = lvs_xt_number(ext, opt, s, 1, 65535);
		r->port_max = lvs_xt_number(ext, opt, end, 1, 65535);
		free(s);
		if (r->port_min > r->port_max)
			lvs_xt_error(ext, "--ports: %u-%u: the first port is above the last",
				     r->port_min, r->port_max);
		break;
	case O_SCHED:
		r->sched = nftlvs_sched_lookup(cb->arg);
		if (r->sched < 0)
			lvs_xt_error(ext, "--sched: unknown scheduler '%s' (rr, wrr, lc, wlc, sh, mh)",
				     cb->arg);
		break;
	case O_TIMEOUT:
		s = xtables_strdup(cb->arg);
		end = s + strlen(s);
		if (end > s) {
			switch (end[-1]) {
			case 's': mult = 1; break;
			case 'm': mult = 60; break;
			case 'h': mult = 3600; break;
			case 'd': mult = 86400; break;
			default: end = NULL;
			}
			if (end)
				end[-1] = '\0';
		}
		r->timeout = lvs_xt_number(ext, opt, s, 1,
					   NFT_FULLNAT_TIMEOUT_MAX / mult) * mult;
		free(s);
		break;
	case O_MSS:
		r->mss = lvs_xt_number(ext, opt, cb->arg, NFT_SYNPROXY_LB_MSS_MIN,
				       NFT_SYNPROXY_LB_MSS_MAX);
		break;
	case O_WSCALE:
		r->wscale = lvs_xt_number(ext, opt, cb->arg, 0,
					  NFT_SYNPROXY_LB_WSCALE_MAX);
		break;
	case O_TTL:
		r->ttl = lvs_xt_number(ext, opt, cb->arg, 1, 255);
		break;
	}
}

/* One server or local address: family (AF_*), address, port, weight. */
struct lvs_xt_addr {
	int		family;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} a;
	uint16_t	port;
	uint32_t	weight;
};

/*
 * ADDR, [ADDR6], ADDR:PORT or [ADDR6]:PORT, with @WEIGHT after it for a
 * server. @what names the option for errors.
 */
static void lvs_xt_addr_parse(const char *ext, const char *what, char *tok,
			      bool server, struct lvs_xt_addr *out)
{
	char *addr = tok, *port = NULL, *weight, *p;
	const char *orig = xtables_strdup(tok);

	out->port = 0;
	out->weight = NFT_LVS_WEIGHT_DEFAULT;
	weight = server ? strrchr(tok, '@') : NULL;
	if (weight)
		*weight++ = '\0';
	if (addr[0] == '[') {
		p = strchr(addr, ']');
		if (!p || (p[1] && p[1] != ':'))
			lvs_xt_error(ext, "--%s: '%s': an IPv6 address in brackets is [ADDR] or [ADDR]:PORT",
				     what, orig);
		*p = '\0';
		addr++;
		if (p[1] == ':')
			port = p + 2;
	} else if ((p = strchr(addr, ':')) && !strchr(p + 1, ':')) {
		*p = '\0';	/* IPv4:PORT; more colons: a bare IPv6 address */
		port = p + 1;
	}
	if (port && !server)
		lvs_xt_error(ext, "--%s: '%s': a local address takes no port (see --ports)",
			     what, orig);
	if (inet_pton(AF_INET, addr, &out->a.v4) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &out->a.v6) == 1)
		out->family = AF_INET6;
	else
		lvs_xt_error(ext, "--%s: '%s': '%s' is not an IPv4 or IPv6 address",
			     what, orig, addr);
	if (port)
		out->port = lvs_xt_number(ext, what, port, 1, 65535);
	if (weight)
		out->weight = lvs_xt_number(ext, what, weight, 0,
					    NFT_LVS_WEIGHT_MAX);
	free((void *)orig);
}

/* Add each comma-separated entry of @list; returns their family. */
static int lvs_xt_add_list(const char *ext, struct nftlvs_expr *e,
			   const char *what, const char *list, bool server)
{
	char *copy = xtables_strdup(list), *rest = copy, *tok;
	struct lvs_xt_addr a;
	int family = 0, err;

	while ((tok = strsep(&rest, ","))) {
		if (!*tok)
			lvs_xt_error(ext, "--%s: an empty entry in '%s'", what, list);
		lvs_xt_addr_parse(ext, what, tok, server, &a);
		if (family && a.family != family)
			lvs_xt_error(ext, "--%s: IPv4 and IPv6 addresses mixed ('%s')",
				     what, list);
		family = a.family;
		err = server ? nftlvs_expr_fullnat_add_rs(e, family, &a.a,
							  a.port, a.weight) :
			       nftlvs_expr_fullnat_add_laddr(e, family, &a.a);
		if (err < 0)
			lvs_xt_error(ext, "--%s: '%s': %s", what, tok,
				     errno == E2BIG ? "too many addresses" :
						      strerror(errno));
	}
	free(copy);
	if (!family)
		lvs_xt_error(ext, "--%s: no address in '%s'", what, list);
	return family;
}

/* The expression, as one NFTA_LVS_LIST_ELEM nest, into a target field. */
static void lvs_xt_put(const char *ext, uint8_t *field, size_t size,
		       const struct nftlvs_expr *e)
{
	size_t len = MNL_ATTR_HDRLEN + nftlvs_expr_payload_len(e);
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char *buf;

	if (len > size)
		lvs_xt_error(ext, "the servers and local addresses need %zu bytes, an iptables rule holds %zu: use fewer, or an nft set",
			     len, size);
	buf = xtables_calloc(1, MNL_NLMSG_HDRLEN + len);
	nlh = mnl_nlmsg_put_header(buf);
	nest = mnl_attr_nest_start(nlh, NFTA_LVS_LIST_ELEM);
	nftlvs_expr_build_payload(nlh, e);
	mnl_attr_nest_end(nlh, nest);
	if (nest->nla_len > size)	/* payload_len() promised less */
		xtables_error(OTHER_PROBLEM, "%s: the statement took %u bytes, not %zu",
			      ext, nest->nla_len, len);
	memset(field, 0, size);
	memcpy(field, nest, nest->nla_len);
	free(buf);
}

static const struct {
	enum lvs_xt_opt	opt;
	uint32_t	flag;
} lvs_xt_fullnat_flags[] = {
	{ O_TOA,		NFT_FULLNAT_F_TOA },
	{ O_STRIP_TS,		NFT_FULLNAT_F_STRIP_TS },
	{ O_RST_ON_EXPIRE,	NFT_FULLNAT_F_RST_ON_EXPIRE },
	{ O_TOA_KIND_253,	NFT_FULLNAT_F_TOA_KIND253 },
}, lvs_xt_synproxy_flags[] = {
	{ O_SACK_PERM,		NFT_SYNPROXY_LB_F_SACK_PERM },
	{ O_TIMESTAMP,		NFT_SYNPROXY_LB_F_TIMESTAMP },
	{ O_DEFER,		NFT_SYNPROXY_LB_F_DEFER },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define GIVEN(opt)	(cb->xflags & (1U << (opt)))

static uint32_t lvs_xt_flags(const struct xt_fcheck_call *cb, bool synproxy)
{
	unsigned int i, n = synproxy ? ARRAY_SIZE(lvs_xt_synproxy_flags) :
				       ARRAY_SIZE(lvs_xt_fullnat_flags);
	uint32_t flags = 0;

	for (i = 0; i < n; i++) {
		if (synproxy && GIVEN(lvs_xt_synproxy_flags[i].opt))
			flags |= lvs_xt_synproxy_flags[i].flag;
		if (!synproxy && GIVEN(lvs_xt_fullnat_flags[i].opt))
			flags |= lvs_xt_fullnat_flags[i].flag;
	}
	return flags;
}

void lvs_xt_fcheck(struct xt_fcheck_call *cb)
{
	struct xt_lvs_tginfo *info = cb->data;
	struct lvs_xt_rule *r = cb->udata;
	const char *ext = cb->ext_name;
	struct nftlvs_expr *e;
	int family, lfamily;
	uint32_t flags;

	/* Before libxtables' own check of mandatory options, which comes later. */
	if (!GIVEN(O_TO) || !GIVEN(O_VIA))
		lvs_xt_error(ext, "--to (the real servers) and --via (the local addresses) are required");
	e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);
	if (!e)
		xtables_error(OTHER_PROBLEM, "%s: out of memory", ext);
	family = lvs_xt_add_list(ext, e, "to", r->to, true);
	lfamily = lvs_xt_add_list(ext, e, "via", r->via, false);
	if (family != lfamily)
		lvs_xt_error(ext, "the servers (--to) and local addresses (--via) are not of one family");
	/* IPv4 servers behind an IPv6 rule are NAT64; the reverse is not served. */
	if (family == AF_INET6 && !strstr(xt_params->program_name, "ip6"))
		lvs_xt_error(ext, "IPv6 servers behind an IPv4 rule: use ip6tables");
	flags = lvs_xt_flags(cb, false);
	if ((flags & NFT_FULLNAT_F_TOA_KIND253) && !(flags & NFT_FULLNAT_F_TOA))
		lvs_xt_error(ext, "--toa-kind-253 needs --toa");
	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY,
			    family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
	if (GIVEN(O_PORTS)) {
		nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MIN, r->port_min);
		nftlvs_expr_set_u16(e, NFTLVS_FULLNAT_PORT_MAX, r->port_max);
	}
	if (GIVEN(O_SCHED))
		nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_SCHED, r->sched);
	if (GIVEN(O_TIMEOUT))
		nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_TIMEOUT, r->timeout);
	if (flags)
		nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FLAGS, flags);
	lvs_xt_put(ext, info->fullnat, sizeof(info->fullnat), e);
	nftlvs_expr_free(e);
	free(r->to);
	free(r->via);
	r->to = r->via = NULL;

	memset(info->synproxy, 0, sizeof(info->synproxy));
	if (strcmp(ext, "SYNPROXY-LB"))
		return;
	e = nftlvs_expr_alloc(NFT_LVS_EXPR_SYNPROXY);
	if (!e)
		xtables_error(OTHER_PROBLEM, "%s: out of memory", ext);
	if (GIVEN(O_MSS))
		nftlvs_expr_set_u16(e, NFTLVS_SYNPROXY_LB_MSS, r->mss);
	if (GIVEN(O_WSCALE))
		nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_WSCALE, r->wscale);
	if (GIVEN(O_TTL))
		nftlvs_expr_set_u8(e, NFTLVS_SYNPROXY_LB_TTL, r->ttl);
	flags = lvs_xt_flags(cb, true);
	if (flags)
		nftlvs_expr_set_u32(e, NFTLVS_SYNPROXY_LB_FLAGS, flags);
	lvs_xt_put(ext, info->synproxy, sizeof(info->synproxy), e);
	nftlvs_expr_free(e);
}

/* The expression in a target field; NULL for an empty or broken one. */
static struct nftlvs_expr *lvs_xt_get(const uint8_t *field, size_t size)
{
	const struct nlattr *elem = (const struct nlattr *)field;

	if (!mnl_attr_ok(elem, size) || !mnl_attr_get_payload_len(elem))
		return NULL;
	return nftlvs_expr_parse(elem);
}

/* The statement as nft prints it, " " first; false if there is none. */
static bool lvs_xt_print_stmt(const uint8_t *field, size_t size,
			      const char *prefix)
{
	struct nftlvs_expr *e = lvs_xt_get(field, size);
	char buf[65536];

	if (!e)
		return false;
	nftlvs_expr_snprintf(buf, sizeof(buf), e, NFTLVS_OUTPUT_DEFAULT, 0);
	printf("%s%s", prefix, buf);
	nftlvs_expr_free(e);
	return true;
}

void lvs_xt_print(const void *ip, const struct xt_entry_target *target,
		  int numeric)
{
	const struct xt_lvs_tginfo *info = (const void *)target->data;

	lvs_xt_print_stmt(info->synproxy, sizeof(info->synproxy), " ");
	if (!lvs_xt_print_stmt(info->fullnat, sizeof(info->fullnat), " "))
		printf(" (unreadable target data)");
}

static void lvs_xt_save_addr(int family, const void *addr, uint16_t port,
			     uint32_t weight, bool first)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, buf, sizeof(buf));
	printf("%s", first ? "" : ",");
	if (port)
		printf(family == AF_INET6 ? "[%s]:%u" : "%s:%u", buf, port);
	else
		printf("%s", buf);
	if (weight != NFT_LVS_WEIGHT_DEFAULT)
		printf("@%" PRIu32, weight);
}

static void lvs_xt_save_flags(const struct nftlvs_expr *e, uint16_t attr,
			      const char *expr)
{
	uint32_t flags = nftlvs_expr_get_u32(e, attr), bit;

	if (!nftlvs_expr_is_set(e, attr))
		return;
	for (bit = 1; bit; bit <<= 1) {
		const char *name = nftlvs_flag_name(expr, bit);

		/* A flag of a newer module than these extensions: not an option. */
		if ((flags & bit) && name)
			printf(" --%s", name);
	}
}

void lvs_xt_save(const void *ip, const struct xt_entry_target *target)
{
	const struct xt_lvs_tginfo *info = (const void *)target->data;
	struct nftlvs_expr *e;
	struct nftlvs_rs rs;
	unsigned int i, n;
	size_t alen;
	const void *a;

	e = lvs_xt_get(info->synproxy, sizeof(info->synproxy));
	if (e) {
		if (nftlvs_expr_is_set(e, NFTLVS_SYNPROXY_LB_MSS))
			printf(" --mss %u", nftlvs_expr_get_u16(e, NFTLVS_SYNPROXY_LB_MSS));
		if (nftlvs_expr_is_set(e, NFTLVS_SYNPROXY_LB_WSCALE))
			printf(" --wscale %u", nftlvs_expr_get_u8(e, NFTLVS_SYNPROXY_LB_WSCALE));
		if (nftlvs_expr_is_set(e, NFTLVS_SYNPROXY_LB_TTL))
			printf(" --ttl %u", nftlvs_expr_get_u8(e, NFTLVS_SYNPROXY_LB_TTL));
		lvs_xt_save_flags(e, NFTLVS_SYNPROXY_LB_FLAGS, NFT_LVS_EXPR_SYNPROXY);
		nftlvs_expr_free(e);
	}
	e = lvs_xt_get(info->fullnat, sizeof(info->fullnat));
	if (!e)
		return;
	printf(" --to ");
	n = nftlvs_expr_fullnat_rs_count(e);
	for (i = 0; i < n && !nftlvs_expr_fullnat_get_rs(e, i, &rs); i++)
		lvs_xt_save_addr(rs.addr_len == 16 ? AF_INET6 : AF_INET,
				 rs.addr, rs.port, rs.weight, i == 0);
	printf(" --via ");
	n = nftlvs_expr_fullnat_laddr_count(e);
	for (i = 0; i < n && (a = nftlvs_expr_fullnat_get_laddr(e, i, &alen)); i++)
		lvs_xt_save_addr(alen == 16 ? AF_INET6 : AF_INET, a, 0,
				 NFT_LVS_WEIGHT_DEFAULT, i == 0);
	if (nftlvs_expr_is_set(e, NFTLVS_FULLNAT_PORT_MIN))
		printf(" --ports %u-%u", nftlvs_expr_get_u16(e, NFTLVS_FULLNAT_PORT_MIN),
		       nftlvs_expr_get_u16(e, NFTLVS_FULLNAT_PORT_MAX));
	if (nftlvs_expr_is_set(e, NFTLVS_FULLNAT_SCHED) &&
	    nftlvs_sched_name(nftlvs_expr_get_u32(e, NFTLVS_FULLNAT_SCHED)))
		printf(" --sched %s",
		       nftlvs_sched_name(nftlvs_expr_get_u32(e, NFTLVS_FULLNAT_SCHED)));
	if (nftlvs_expr_is_set(e, NFTLVS_FULLNAT_TIMEOUT))
		printf(" --timeout %" PRIu32, nftlvs_expr_get_u32(e, NFTLVS_FULLNAT_TIMEOUT));
	lvs_xt_save_flags(e, NFTLVS_FULLNAT_FLAGS, NFT_LVS_EXPR_FULLNAT);
	nftlvs_expr_free(e);
}

/* iptables-translate: the statements, as nftlvs loads them. */
int lvs_xt_xlate(struct xt_xlate *xl, const struct xt_xlate_tg_params *params)
{
	const struct xt_lvs_tginfo *info = (const void *)params->target->data;
	struct nftlvs_expr *e;
	char buf[65536];
	int ok = 0;

	e = lvs_xt_get(info->synproxy, sizeof(info->synproxy));
	if (e) {
		nftlvs_expr_snprintf(buf, sizeof(buf), e, NFTLVS_OUTPUT_DEFAULT, 0);
		xt_xlate_add(xl, "%s ", buf);
		nftlvs_expr_free(e);
	}
	e = lvs_xt_get(info->fullnat, sizeof(info->fullnat));
	if (e) {
		nftlvs_expr_snprintf(buf, sizeof(buf), e, NFTLVS_OUTPUT_DEFAULT, 0);
		xt_xlate_add(xl, "%s", buf);
		nftlvs_expr_free(e);
		ok = 1;
	}
	return ok;
}
