// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Named sets as fullnat's pool (`to @web`) and local addresses
 * (`via @lips`).
 *
 * The kernel binds a set by name when the rule is added and refuses one
 * that does not exist (ENOENT) or whose shape fullnat cannot use
 * (EPROTOTYPE). What can be judged before anything is sent is judged
 * here: the sets and maps the input declares (text or JSON) are recorded
 * with their type, and once the whole input is read (a table block may
 * declare its sets after its chains) each statement's sets are checked
 * against the shapes fullnat takes. In an inet table, where no address may
 * tell a statement's family, the sets' types tell it.
 *
 * After a refusal the kernel's ENOENT and EPROTOTYPE are said by set name,
 * with the kernel asked for the sets it has (GETSET, on our own socket).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>

#include <libnftlvs/expr.h>
#include <nft_lvs.h>

#include "nftlvs.h"

/*
 * nft's datatype numbers, which the kernel keeps as a set's key and data
 * type; a concatenation puts its fields' types 6 bits apart.
 */
enum {
	DT_IPADDR	= 7,
	DT_IP6ADDR	= 8,
	DT_ETHERADDR	= 9,
	DT_INET_PROTO	= 12,
	DT_INET_SERVICE	= 13,
	DT_MARK		= 19,
	DT_IFNAME	= 41,
	DT_BITS		= 6,
	/* Ours: a type by a name that fullnat never takes. */
	DT_OTHER	= 0xff,
	DT_VERDICT	= NFT_DATA_VERDICT,
};

static const struct {
	const char	*name;
	uint32_t	type;
} dt_names[] = {
	{ "ipv4_addr", DT_IPADDR }, { "ipv6_addr", DT_IP6ADDR },
	{ "ether_addr", DT_ETHERADDR }, { "inet_proto", DT_INET_PROTO },
	{ "inet_service", DT_INET_SERVICE }, { "mark", DT_MARK },
	{ "ifname", DT_IFNAME }, { "verdict", DT_VERDICT },
};

/* typeof expressions and their types; others are not known (0). */
static const struct {
	const char	*expr;
	uint32_t	type;
} typeof_exprs[] = {
	{ "ip saddr", DT_IPADDR }, { "ip daddr", DT_IPADDR },
	{ "ip6 saddr", DT_IP6ADDR }, { "ip6 daddr", DT_IP6ADDR },
	{ "tcp sport", DT_INET_SERVICE }, { "tcp dport", DT_INET_SERVICE },
	{ "udp sport", DT_INET_SERVICE }, { "udp dport", DT_INET_SERVICE },
	{ "th sport", DT_INET_SERVICE }, { "th dport", DT_INET_SERVICE },
	{ "sctp sport", DT_INET_SERVICE }, { "sctp dport", DT_INET_SERVICE },
	{ "dccp sport", DT_INET_SERVICE }, { "dccp dport", DT_INET_SERVICE },
	{ "udplite sport", DT_INET_SERVICE },
	{ "udplite dport", DT_INET_SERVICE },
	{ "meta mark", DT_MARK }, { "ct mark", DT_MARK }, { "mark", DT_MARK },
	{ "ip protocol", DT_INET_PROTO }, { "meta l4proto", DT_INET_PROTO },
	{ "ether saddr", DT_ETHERADDR }, { "ether daddr", DT_ETHERADDR },
	{ "iifname", DT_IFNAME }, { "oifname", DT_IFNAME },
	{ "meta iifname", DT_IFNAME }, { "meta oifname", DT_IFNAME },
};

/* Data of maps to stateful objects (`: counter`, `: ct helper`). */
static const char *const object_types[] = {
	"counter", "quota", "limit", "secmark", "synproxy", "ct",
};

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static void shape_put(struct set_shape *sh, uint32_t type, bool data)
{
	if (data)
		sh->data = type;
	else if (sh->nkey < SET_FIELDS_MAX)
		sh->key[sh->nkey++] = type;
	else
		sh->key[SET_FIELDS_MAX - 1] = DT_OTHER;
}

/* One field of `type A . B : C` (data: C); a name we do not know is none of ours. */
void shape_type(struct set_shape *sh, const char *name, size_t len, bool data)
{
	uint32_t type = DT_OTHER;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dt_names); i++) {
		if (word_is(name, len, dt_names[i].name))
			type = dt_names[i].type;
	}
	for (i = 0; data && i < ARRAY_SIZE(object_types); i++) {
		if (word_is(name, len, object_types[i]))
			sh->object = true;
	}
	shape_put(sh, type, data);
}

/* One expression of `typeof E . F : G`, its words one blank apart. */
void shape_typeof(struct set_shape *sh, const char *expr, size_t len,
		  bool data)
{
	uint32_t type = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(typeof_exprs); i++) {
		if (word_is(expr, len, typeof_exprs[i].expr))
			type = typeof_exprs[i].type;
	}
	shape_put(sh, type, data);
}

void shape_flag(struct set_shape *sh, const char *flag, size_t len)
{
	if (word_is(flag, len, "interval"))
		sh->interval = true;
}

void shape_desc(struct set_shape *sh, const char *text, size_t len)
{
	snprintf(sh->desc, sizeof(sh->desc), "%.*s", (int)len, text);
}

static int shape_af(const struct set_shape *sh)
{
	if (!sh->nkey)
		return 0;
	return sh->key[0] == DT_IPADDR ? AF_INET :
	       sh->key[0] == DT_IP6ADDR ? AF_INET6 : 0;
}

static bool field_is(uint32_t type, uint32_t want)
{
	return !type || type == want;	/* 0: not known, the kernel judges */
}

/*
 * The shapes the kernel takes: a pool is a set of ADDR or ADDR .
 * inet_service, or a map of those to mark; local addresses a set of ADDR.
 * No intervals, no maps to objects.
 */
static bool shape_fits(const struct set_shape *sh, bool pool, int af)
{
	uint32_t addr = af == AF_INET6 ? DT_IP6ADDR : DT_IPADDR;

	if (sh->interval || sh->object)
		return false;
	if (sh->map && (!pool || !field_is(sh->data, DT_MARK)))
		return false;
	switch (sh->nkey) {
	case 0:
		return true;
	case 1:
		return field_is(sh->key[0], addr);
	case 2:
		return pool && field_is(sh->key[0], addr) &&
		       field_is(sh->key[1], DT_INET_SERVICE);
	}
	return false;
}

/* "set 'x' (type ipv4_addr . ipv4_addr) cannot be a fullnat pool: use ..." */
static void shape_refusal(char *buf, size_t size, const char *name,
			  const struct set_shape *sh, bool pool, int af)
{
	const char *a = af == AF_INET6 ? "ipv6_addr" : "ipv4_addr";
	const char *no_interval = sh && sh->interval ?
				  ", without flags interval" : "";
	char what[NFT_SET_MAXNAMELEN + sizeof(sh->desc) + 32];

	if (sh && sh->desc[0])
		snprintf(what, sizeof(what), "%s '%s' (%s%s)",
			 sh->map ? "map" : "set", name, sh->desc,
			 sh->interval ? ", flags interval" : "");
	else
		snprintf(what, sizeof(what), "%s '%s'",
			 sh && sh->map ? "map" : "set", name);
	if (pool)
		snprintf(buf, size, "fullnat: %s cannot be a fullnat pool: use a set of %s or %s . inet_service, or a map of those to mark%s",
			 what, a, a, no_interval);
	else
		snprintf(buf, size, "fullnat: %s cannot hold fullnat's local addresses: use a set of %s%s",
			 what, a, no_interval);
}

static const char *family_word(int family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	}
	return "?";
}

/* ---- the input's declarations ---- */

struct set_decl {
	struct set_decl		*next;
	int			family;
	char			*table;
	char			*name;
	struct set_shape	shape;
};

static struct set_decl *decls;

int sets_declare(int family, const char *table, const char *name,
		 size_t nlen, const struct set_shape *sh)
{
	struct set_decl *d = calloc(1, sizeof(*d));

	if (!d || !(d->table = strdup(table)) ||
	    !(d->name = strndup(name, nlen))) {
		if (d)
			free(d->table);
		free(d);
		return -1;
	}
	d->family = family;
	d->shape = *sh;
	d->next = decls;
	decls = d;
	return 0;
}

static bool decl_find(int family, const char *table, const char *name,
		      struct set_shape *sh)
{
	const struct set_decl *d;

	for (d = decls; d; d = d->next) {
		if (d->family == family && !strcmp(d->table, table) &&
		    !strcmp(d->name, name)) {
			*sh = d->shape;
			return true;
		}
	}
	return false;
}

/* ---- checks of a statement's sets ---- */

static const uint16_t set_attrs[2] = {
	NFTLVS_FULLNAT_POOL_SET, NFTLVS_FULLNAT_LADDRS_SET,
};

sets_kernel_fn sets_kernel;

/*
 * The family of the servers: an address of the statement decides (u->af),
 * else the type of a set this input declares, else (inet) the rule's ip or
 * ip6 matches, else the type of the set as the kernel has it, else (ip6)
 * the table's. IPv4 sets in an ip6 table are NAT64.
 */
void sets_check(const struct set_use *u)
{
	const char *name[2] = { NULL, NULL };
	struct stmt *st = stmt_get(u->stmt);
	struct set_shape sh[2];
	bool known[2] = { false, false };
	int af = u->af, absent = -1, i, r;
	char msg[1024];

	if (!st || !st->expr || (!u->len[0] && !u->len[1]))
		return;
	for (i = 0; i < 2; i++) {
		if (!u->len[i])
			continue;
		name[i] = nftlvs_expr_get_str(st->expr, set_attrs[i]);
		known[i] = name[i] && decl_find(u->family, u->table, name[i],
						&sh[i]);
	}
	for (i = 0; !af && i < 2; i++)
		af = known[i] ? shape_af(&sh[i]) : 0;
	/* In an ip6 table the sets decide (IPv4 ones: NAT64), then the table. */
	if (!af && u->family == NFPROTO_INET)
		af = u->match_af;
	/* Not ip, ip6 or inet: the kernel refuses fullnat there anyway. */
	if (!af && u->family != NFPROTO_INET && u->family != NFPROTO_IPV6)
		return;
	/* Asked at all, the kernel is asked about each set it may have. */
	for (i = 0; !af && sets_kernel && i < 2; i++) {
		if (!name[i] || known[i])
			continue;
		memset(&sh[i], 0, sizeof(sh[i]));
		r = sets_kernel(u->family, u->table, name[i], &sh[i]);
		known[i] = r > 0;
		if (!r && absent < 0)
			absent = i;
	}
	for (i = 0; !af && i < 2; i++)
		af = known[i] ? shape_af(&sh[i]) : 0;
	if (absent >= 0) {
		/* The kernel would refuse it (ENOENT): say so now. */
		src_error(u->src, u->off[absent], u->len[absent],
			  "fullnat: set '%s' does not exist in table %s %s",
			  name[absent], family_word(u->family), u->table);
		return;
	}
	if (!af && u->family == NFPROTO_IPV6)
		af = AF_INET6;
	if (!af) {
		i = name[0] ? 0 : 1;
		src_error(u->src, u->off[i], u->len[i],
			  "fullnat: cannot tell the family of set '%s' in an inet table: declare the set in this input, or match ip daddr or ip6 daddr before fullnat",
			  name[i]);
		return;
	}
	for (i = 0; i < 2; i++) {
		if (known[i] && !shape_fits(&sh[i], i == 0, af)) {
			shape_refusal(msg, sizeof(msg), name[i], &sh[i], i == 0,
				      af);
			src_error(u->src, u->off[i], u->len[i], "%s", msg);
		}
	}
	nftlvs_expr_set_u32(st->expr, NFTLVS_FULLNAT_FAMILY,
			    af == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
}

static struct set_use *pending;
static unsigned int npending, pending_size;

void sets_defer(const struct set_use *u)
{
	struct set_use *p;

	if (!u->len[0] && !u->len[1])
		return;
	if (npending == pending_size) {
		p = realloc(pending, (pending_size ? 2 * pending_size : 16) *
				     sizeof(*p));
		if (!p) {
			sets_check(u);	/* without what follows it */
			return;
		}
		pending = p;
		pending_size = pending_size ? 2 * pending_size : 16;
	}
	pending[npending++] = *u;
}

void sets_resolve(void)
{
	unsigned int i;

	for (i = 0; i < npending; i++)
		sets_check(&pending[i]);
	npending = 0;
}

void sets_forget(void)
{
	struct set_decl *d;

	while ((d = decls)) {
		decls = d->next;
		free(d->table);
		free(d->name);
		free(d);
	}
	free(pending);
	pending = NULL;
	npending = pending_size = 0;
}

/* ---- the kernel's sets ---- */

static const char *dt_name(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dt_names); i++) {
		if (dt_names[i].type == type)
			return dt_names[i].name;
	}
	return NULL;
}

/* "type ipv4_addr . inet_service : mark", or "" if a type has no name. */
static void kernel_desc(struct set_shape *sh)
{
	size_t len = 0;
	unsigned int i;
	const char *n;

	sh->desc[0] = '\0';
	for (i = 0; i < sh->nkey; i++) {
		n = dt_name(sh->key[i]);
		if (!n)
			goto none;
		len += snprintf(sh->desc + len, sizeof(sh->desc) - len, "%s%s",
				i ? " . " : "type ", n);
	}
	if (sh->map) {
		n = sh->object ? "object" : dt_name(sh->data);
		if (!n)
			goto none;
		snprintf(sh->desc + len, sizeof(sh->desc) - len, " : %s", n);
	}
	return;
none:
	sh->desc[0] = '\0';
}

static int set_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct set_shape *sh = data;
	const struct nlattr *a;
	uint32_t type, flags = 0;
	uint32_t fields[SET_FIELDS_MAX];
	unsigned int n = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_payload_len(a) != sizeof(uint32_t))
			continue;
		switch (mnl_attr_get_type(a)) {
		case NFTA_SET_FLAGS:
			flags = ntohl(mnl_attr_get_u32(a));
			break;
		case NFTA_SET_KEY_TYPE:
			/* The first field in the highest bits. */
			for (type = ntohl(mnl_attr_get_u32(a)); type &&
			     n < SET_FIELDS_MAX; type >>= DT_BITS)
				fields[n++] = type & ((1U << DT_BITS) - 1);
			break;
		case NFTA_SET_DATA_TYPE:
			sh->data = ntohl(mnl_attr_get_u32(a));
			break;
		}
	}
	while (n)
		sh->key[sh->nkey++] = fields[--n];
	sh->map = flags & NFT_SET_MAP;
	sh->object = flags & NFT_SET_OBJECT;
	sh->interval = flags & NFT_SET_INTERVAL;
	sh->map |= sh->object;
	kernel_desc(sh);
	return MNL_CB_OK;
}

int sets_kernel_query(int family, const char *table, const char *name,
		      struct set_shape *sh)
{
	int r;

	memset(sh, 0, sizeof(*sh));
	r = kernel_get(NFT_MSG_GETSET, family, NFTA_SET_TABLE, table,
		       NFTA_SET_NAME, name, set_reply_cb, sh);
	if (r > 0)	/* No such table is no such set either. */
		return r == ENOENT ? 0 : -1;
	return r ? -1 : 1;
}

/* ---- the kernel's refusals, said by set name ---- */

/* 1: the set exists (shape in @sh if known), 0: it does not, -1: unknown. */
static int set_state(const struct stmt *st, const char *name,
		     struct set_shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	if (decl_find(st->family, st->table, name, sh))
		return 1;	/* made by the same batch */
	return sets_kernel ? sets_kernel(st->family, st->table, name, sh) :
			     -1;
}

static int stmt_af(const struct stmt *st)
{
	uint32_t f = nftlvs_expr_get_u32(st->expr, NFTLVS_FULLNAT_FAMILY);

	if (!f)
		f = st->family;
	return f == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
}

/*
 * ENOENT: the sets known to be missing, else those not known to exist
 * (created by the same batch counts as existing).
 */
static bool explain_enoent(const struct stmt *st, const char **name,
			   const int *state, const char *prefix, char *msg,
			   size_t size)
{
	const char *t = family_word(st->family), *which[2];
	unsigned int n = 0, missing, i;

	for (i = 0; i < 2; i++) {
		if (name[i] && !state[i])
			which[n++] = name[i];
	}
	missing = n;
	for (i = 0; !missing && i < 2; i++) {
		if (name[i] && state[i] < 0)
			which[n++] = name[i];
	}
	if (n == 1)
		snprintf(msg, size, "%sfullnat: set '%s' does not exist in table %s %s",
			 prefix, which[0], t, st->table);
	else if (n == 2 && missing)
		snprintf(msg, size, "%sfullnat: sets '%s' and '%s' do not exist in table %s %s",
			 prefix, which[0], which[1], t, st->table);
	else if (n == 2)
		snprintf(msg, size, "%sfullnat: set '%s' or '%s' does not exist in table %s %s",
			 prefix, which[0], which[1], t, st->table);
	return n > 0;
}

bool sets_explain(const struct stmt *st, const char *prefix, char *msg,
		  size_t size)
{
	const char *name[2] = { NULL, NULL };
	struct set_shape sh[2];
	int state[2] = { 1, 1 }, af, i, n = 0;
	char why[1024];

	if (!st->expr || strcmp(st->name, NFT_LVS_EXPR_FULLNAT))
		return false;
	for (i = 0; i < 2; i++) {
		name[i] = nftlvs_expr_get_str(st->expr, set_attrs[i]);
		if (name[i]) {
			state[i] = set_state(st, name[i], &sh[i]);
			n++;
		}
	}
	if (!n)
		return false;
	if (st->kernel_err == ENOENT)
		return explain_enoent(st, name, state, prefix, msg, size);
	if (st->kernel_err != EPROTOTYPE)
		return false;
	af = stmt_af(st);
	for (i = 0; i < 2; i++) {
		if (name[i] && state[i] > 0 &&
		    !shape_fits(&sh[i], i == 0, af)) {
			shape_refusal(why, sizeof(why), name[i], &sh[i], i == 0,
				      af);
			snprintf(msg, size, "%s%s", prefix, why);
			return true;
		}
	}
	/* Not told apart: what each side takes. */
	if (n == 1) {
		i = name[0] ? 0 : 1;
		shape_refusal(why, sizeof(why), name[i], NULL, i == 0, af);
		snprintf(msg, size, "%s%s", prefix, why);
	} else {
		snprintf(msg, size, "%sfullnat: set '%s' or '%s' has a shape fullnat cannot use: the pool takes a set of %s or %s . inet_service, or a map of those to mark; the local addresses a set of %s",
			 prefix, name[0], name[1],
			 af == AF_INET6 ? "ipv6_addr" : "ipv4_addr",
			 af == AF_INET6 ? "ipv6_addr" : "ipv4_addr",
			 af == AF_INET6 ? "ipv6_addr" : "ipv4_addr");
	}
	return true;
}
