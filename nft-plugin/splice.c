// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Netlink, both ways.
 *
 * Out: in the NEWRULE messages of a batch, each placeholder expression
 * (log with one of our prefixes) becomes the real expression, and the
 * enclosing NFTA_RULE_EXPRESSIONS nest and message grow or shrink with it.
 * Nothing else in the batch changes, so it still commits as a whole.
 *
 * In: in every rule the kernel sends (dumps, echoes, events), each of our
 * expressions becomes a placeholder that libnftnl and nft can parse and
 * print; the output stream turns it back into our statement. An error
 * about a message we changed gets its attribute offset translated back
 * into the message libnftables built, so that nft points at the statement
 * that failed; its echo of our request is dropped (NLM_F_CAPPED) so that
 * it fits nft's receive buffer however large the rule grew.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftlvs/expr.h>
#include <nft_lvs.h>

#include "nftlvs.h"

/* One replaced expression: where it is now and where it was. */
struct rep {
	uint32_t	new_off, new_len;
	uint32_t	orig_off, orig_len;
	int		stmt;
};

/* The chain a message of the batch is about. */
struct place {
	uint32_t	seq;
	uint16_t	family;
	int		hook;	/* NF_INET_*, -1: none or not known */
	char		table[NFT_TABLE_MAXNAMELEN];
	char		chain[NFT_CHAIN_MAXNAMELEN];
};

/* A message of the last batch that we changed. */
struct splice_msg {
	struct place	where;
	struct rep	*reps;
	unsigned int	nreps;
};

static struct splice_msg *msgs;
static unsigned int nmsgs;
/* The chains that the last batch created or changed. */
static struct place *chains;
static unsigned int nchains;

void splice_forget(void)
{
	unsigned int i;

	for (i = 0; i < nmsgs; i++)
		free(msgs[i].reps);
	free(msgs);
	msgs = NULL;
	nmsgs = 0;
	free(chains);
	chains = NULL;
	nchains = 0;
}

static void get_place(const struct nlmsghdr *nlh, uint16_t table_attr,
		      uint16_t chain_attr, struct place *p)
{
	const struct nlattr *a;

	memset(p, 0, sizeof(*p));
	p->hook = -1;
	p->seq = nlh->nlmsg_seq;
	p->family = ((const struct nfgenmsg *)
		     mnl_nlmsg_get_payload(nlh))->nfgen_family;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		if (mnl_attr_get_type(a) == table_attr)
			snprintf(p->table, sizeof(p->table), "%s",
				 mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == chain_attr)
			snprintf(p->chain, sizeof(p->chain), "%s",
				 mnl_attr_get_str(a));
	}
}

static void get_hook(const struct nlmsghdr *nlh, struct place *p)
{
	const struct nlattr *a, *h;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_CHAIN_HOOK)
			continue;
		mnl_attr_for_each_nested(h, a) {
			if (mnl_attr_get_type(h) == NFTA_HOOK_HOOKNUM &&
			    mnl_attr_get_payload_len(h) == sizeof(uint32_t))
				p->hook = ntohl(mnl_attr_get_u32(h));
		}
	}
}

static void add_chain_msg(const struct nlmsghdr *nlh)
{
	struct place *p;

	if (nlh->nlmsg_type != (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return;
	p = realloc(chains, (nchains + 1) * sizeof(*p));
	if (!p)
		return;		/* only a less precise error message */
	chains = p;
	get_place(nlh, NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME, &chains[nchains]);
	get_hook(nlh, &chains[nchains++]);
}

static bool is_rule_msg(const struct nlmsghdr *nlh, bool del_too)
{
	uint16_t type = nlh->nlmsg_type;

	return type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE) ||
	       (del_too &&
		type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELRULE));
}

/* The statement a placeholder expression stands for, or -1. */
static int placeholder_of(const struct nlattr *elem)
{
	const struct nlattr *a, *name = NULL, *data = NULL, *prefix = NULL;
	int n = 0;

	mnl_attr_for_each_nested(a, elem) {
		if (mnl_attr_get_type(a) == NFTA_EXPR_NAME)
			name = a;
		else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA)
			data = a;
	}
	if (!name || !data ||
	    mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0 ||
	    strcmp(mnl_attr_get_str(name), "log"))
		return -1;
	mnl_attr_for_each_nested(a, data) {
		n++;
		if (mnl_attr_get_type(a) == NFTA_LOG_PREFIX)
			prefix = a;
	}
	if (n != 1 || !prefix ||
	    mnl_attr_validate(prefix, MNL_TYPE_NUL_STRING) < 0)
		return -1;
	return marker_parse(mnl_attr_get_str(prefix),
			    strlen(mnl_attr_get_str(prefix)));
}

/* Our expression's name in @elem, or NULL. */
static const char *ours(const struct nlattr *elem)
{
	static const char *const names[] = {
		NFT_LVS_EXPR_DISPATCH, NFT_LVS_EXPR_SYNPROXY,
		NFT_LVS_EXPR_FULLNAT,
	};
	const struct nlattr *a;
	unsigned int i;

	mnl_attr_for_each_nested(a, elem) {
		if (mnl_attr_get_type(a) != NFTA_EXPR_NAME ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (!strcmp(mnl_attr_get_str(a), names[i]))
				return names[i];
		}
	}
	return NULL;
}

static const struct nlattr *rule_exprs(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return NULL;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS)
			return a;
	}
	return NULL;
}

static void put_raw(struct nlmsghdr *nlh, const void *p, size_t len)
{
	memcpy(mnl_nlmsg_get_payload_tail(nlh), p, len);
	nlh->nlmsg_len += MNL_ALIGN(len);
}

/* A nest with the same type bits as @like. */
static struct nlattr *nest_start(struct nlmsghdr *nlh, const struct nlattr *like)
{
	struct nlattr *n = mnl_nlmsg_get_payload_tail(nlh);

	n->nla_type = like->nla_type;
	n->nla_len = MNL_ATTR_HDRLEN;
	nlh->nlmsg_len += MNL_ATTR_HDRLEN;
	return n;
}

static int nest_end(struct nlmsghdr *nlh, struct nlattr *n)
{
	size_t len = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)n;

	if (len > UINT16_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	n->nla_len = len;
	return 0;
}

/*
 * Copy rule message @in to @out, each expression through @fn: it appends
 * a replacement to @out and returns 1, or returns 0 to copy it as is.
 */
typedef int (*elem_fn)(struct nlmsghdr *out, const struct nlattr *elem,
		       const struct nlmsghdr *in, void *data);

static int rewrite_rule(struct nlmsghdr *out, const struct nlmsghdr *in,
			elem_fn fn, void *data)
{
	const struct nlattr *a, *elem;
	struct nlattr *nest;
	int r;

	memcpy(out, in, MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	out->nlmsg_len = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));
	mnl_attr_for_each(a, in, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS) {
			put_raw(out, a, a->nla_len);
			continue;
		}
		nest = nest_start(out, a);
		mnl_attr_for_each_nested(elem, a) {
			r = fn(out, elem, in, data);
			if (r < 0)
				return -1;
			if (!r)
				put_raw(out, elem, elem->nla_len);
		}
		if (nest_end(out, nest) < 0)
			return -1;
	}
	return 0;
}

/* Out: the statement of a placeholder we can splice in, or NULL. */
static struct stmt *spliceable(const struct nlattr *elem, int *idx)
{
	struct stmt *s;

	*idx = placeholder_of(elem);
	s = *idx >= 0 ? stmt_get(*idx) : NULL;
	return s && s->expr ? s : NULL;
}

static int out_elem(struct nlmsghdr *out, const struct nlattr *elem,
		    const struct nlmsghdr *in, void *data)
{
	struct splice_msg *m = data;
	struct nlattr *nest;
	struct stmt *s;
	struct rep *r;
	int idx;

	s = spliceable(elem, &idx);
	if (!s)
		return 0;
	r = realloc(m->reps, (m->nreps + 1) * sizeof(*r));
	if (!r)
		return -1;
	m->reps = r;
	r = &m->reps[m->nreps++];
	r->stmt = idx;
	r->orig_off = (const char *)elem - (const char *)in;
	r->orig_len = MNL_ALIGN(elem->nla_len);
	r->new_off = out->nlmsg_len;
	nest = nest_start(out, elem);
	nftlvs_expr_build_payload(out, s->expr);
	if (nest_end(out, nest) < 0)
		return -1;
	r->new_len = out->nlmsg_len - r->new_off;
	return 1;
}

/* Placeholders in a message, and how much it grows; 0: none. */
static unsigned int count_placeholders(const struct nlmsghdr *nlh,
				       long *growth)
{
	const struct nlattr *exprs = rule_exprs(nlh), *elem;
	unsigned int n = 0;
	struct stmt *s;
	long g;
	int idx;

	if (!exprs)
		return 0;
	mnl_attr_for_each_nested(elem, exprs) {
		s = spliceable(elem, &idx);
		if (!s)
			continue;
		n++;
		g = (long)(MNL_ATTR_HDRLEN + nftlvs_expr_payload_len(s->expr)) -
		    (long)MNL_ALIGN(elem->nla_len);
		*growth += g > 0 ? g : 0;
	}
	return n;
}

int splice_batch(const void *buf, size_t len, void **outp, size_t *out_len)
{
	const struct nlmsghdr *nlh;
	struct nlmsghdr *o;
	struct splice_msg *m;
	long growth = 0;
	unsigned int n = 0;
	int left;
	char *out;
	size_t pos = 0;

	*outp = NULL;
	splice_forget();
	left = len;
	for (nlh = buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (is_rule_msg(nlh, false))
			n += count_placeholders(nlh, &growth);
		add_chain_msg(nlh);
	}
	if (!n) {
		splice_forget();
		return 0;
	}
	out = malloc(len + growth + 64);
	msgs = calloc(n, sizeof(*msgs));
	if (!out || !msgs)
		goto err;
	left = len;
	for (nlh = buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		growth = 0;
		o = (struct nlmsghdr *)(out + pos);
		if (!is_rule_msg(nlh, false) || !count_placeholders(nlh, &growth)) {
			memcpy(o, nlh, nlh->nlmsg_len);
			pos += MNL_ALIGN(nlh->nlmsg_len);
			continue;
		}
		m = &msgs[nmsgs++];
		get_place(nlh, NFTA_RULE_TABLE, NFTA_RULE_CHAIN, &m->where);
		if (rewrite_rule(o, nlh, out_elem, m) < 0)
			goto err;
		pos += o->nlmsg_len;
	}
	*outp = out;
	*out_len = pos;
	return 0;
err:
	free(out);
	splice_forget();
	if (!errno)
		errno = ENOMEM;
	return -1;
}

/* In: our expression becomes a placeholder. */
static int in_elem(struct nlmsghdr *out, const struct nlattr *elem,
		   const struct nlmsghdr *in, void *data)
{
	const char *name = ours(elem);
	struct nlattr *nest, *d;
	struct nftlvs_expr *e;
	char marker[64];
	int idx;

	(void)data;
	if (!name)
		return 0;
	e = nftlvs_expr_parse(elem);
	idx = stmt_add(e, name);
	if (idx < 0)
		return -1;
	stmt_get(idx)->family = ((const struct nfgenmsg *)
				 mnl_nlmsg_get_payload(in))->nfgen_family;
	marker_format(marker, sizeof(marker), idx);
	nest = nest_start(out, elem);
	mnl_attr_put_strz(out, NFTA_EXPR_NAME, "log");
	d = mnl_attr_nest_start(out, NFTA_EXPR_DATA);
	mnl_attr_put_strz(out, NFTA_LOG_PREFIX, marker);
	mnl_attr_nest_end(out, d);
	return nest_end(out, nest) < 0 ? -1 : 1;
}

static bool has_ours(const struct nlmsghdr *nlh)
{
	const struct nlattr *exprs = rule_exprs(nlh), *elem;

	if (!exprs)
		return false;
	mnl_attr_for_each_nested(elem, exprs) {
		if (ours(elem))
			return true;
	}
	return false;
}

static struct splice_msg *msg_by_seq(uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < nmsgs; i++) {
		if (msgs[i].where.seq == seq)
			return &msgs[i];
	}
	return NULL;
}

/*
 * Our expressions are fine at these hooks: when the batch itself puts the
 * rule's chain there, an EOPNOTSUPP is about something else.
 */
static int chain_hook_cb(const struct nlmsghdr *nlh, void *data)
{
	struct place p = { .hook = -1 };

	get_hook(nlh, &p);
	*(int *)data = p.hook;
	return MNL_CB_OK;
}

/*
 * One NFT_MSG_GET* request (@msg) for the object named @name (attribute
 * @name_attr) of table @table (attribute @table_attr) in @family, asked
 * on a socket of our own, outside the interposed calls; @cb gets each
 * reply with @data. 0 once the kernel has answered, the errno of its
 * refusal (or of a reply that did not parse), -1 when it could not be
 * asked.
 */
int kernel_get(uint16_t msg, int family, uint16_t table_attr,
	       const char *table, uint16_t name_attr, const char *name,
	       int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	uint32_t portid, seq = 1;
	int ret = -1, r;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_NFTABLES << 8 | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	mnl_attr_put_strz(nlh, table_attr, table);
	mnl_attr_put_strz(nlh, name_attr, name);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while ((r = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		r = mnl_cb_run(buf, r, seq, portid, cb, data);
		if (r < 0) {
			ret = errno ? errno : EIO;
			break;
		}
		if (r == MNL_CB_STOP) {
			ret = 0;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

/*
 * The hook of a chain as the kernel has it (the transaction failed, so as
 * it was before): NF_INET_*, or -1 for a regular chain or when unknown.
 */
static int kernel_chain_hook(const struct place *w)
{
	int hook = -1;

	kernel_get(NFT_MSG_GETCHAIN, w->family, NFTA_CHAIN_TABLE, w->table,
		   NFTA_CHAIN_NAME, w->chain, chain_hook_cb, &hook);
	return hook;
}

/*
 * Whether the rule's chain is at a hook our statements work at. A chain
 * of the same batch tells its hook there; one that existed before is
 * asked of the kernel, so that an EOPNOTSUPP from another expression of a
 * rule added to an existing prerouting chain is not put on ours.
 */
static bool hook_is_ours(const struct splice_msg *m)
{
	unsigned int i;
	int hook = -2;

	for (i = 0; i < nchains; i++) {
		if (chains[i].family == m->where.family &&
		    !strcmp(chains[i].table, m->where.table) &&
		    !strcmp(chains[i].chain, m->where.chain)) {
			hook = chains[i].hook;
			break;
		}
	}
	if (hook == -2)
		hook = kernel_chain_hook(&m->where);
	return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_OUT;
}

/* An offset into a message we changed, back into the one nft built. */
static uint32_t orig_offset(struct splice_msg *m, uint32_t off, int *stmt)
{
	long delta = 0;
	unsigned int i;

	for (i = 0; i < m->nreps; i++) {
		const struct rep *r = &m->reps[i];

		if (off < r->new_off)
			break;
		if (off < r->new_off + r->new_len) {
			*stmt = r->stmt;
			return r->orig_off;
		}
		delta += (long)r->new_len - (long)r->orig_len;
	}
	return off - delta;
}

/*
 * An error about a message we changed: offset translated, or added when
 * the kernel gave none but refused the rule's hook (our expressions' hook
 * check runs when the table is validated, which names no attribute).
 */
static void rewrite_error(struct nlmsghdr *out, const struct nlmsghdr *in)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(in);
	struct splice_msg *m;
	const struct nlattr *a;
	size_t hlen;
	bool offs = false;
	int stmt = -1;

	m = msg_by_seq(err->msg.nlmsg_seq);
	memcpy(out, in, MNL_NLMSG_HDRLEN + sizeof(*err));
	out->nlmsg_len = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*err));
	out->nlmsg_flags |= NLM_F_CAPPED;
	hlen = sizeof(*err);
	if (!(in->nlmsg_flags & NLM_F_CAPPED) &&
	    err->msg.nlmsg_len >= MNL_NLMSG_HDRLEN)
		hlen += MNL_ALIGN(err->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	if (in->nlmsg_flags & NLM_F_ACK_TLVS &&
	    MNL_NLMSG_HDRLEN + hlen <= in->nlmsg_len) {
		mnl_attr_for_each(a, in, hlen) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
			    mnl_attr_get_payload_len(a) == sizeof(uint32_t)) {
				mnl_attr_put_u32(out, NLMSGERR_ATTR_OFFS,
						 orig_offset(m, mnl_attr_get_u32(a),
							     &stmt));
				offs = true;
			} else {
				put_raw(out, a, a->nla_len);
			}
		}
	}
	if (!offs && err->error == -EOPNOTSUPP && m->nreps && !hook_is_ours(m)) {
		mnl_attr_put_u32(out, NLMSGERR_ATTR_OFFS, m->reps[0].orig_off);
		out->nlmsg_flags |= NLM_F_ACK_TLVS;
		stmt = m->reps[0].stmt;
	}
	if (stmt >= 0) {
		stmt_get(stmt)->kernel_err = -err->error;
		stmt_get(stmt)->family = m->where.family;
		snprintf(stmt_get(stmt)->table, sizeof(stmt_get(stmt)->table),
			 "%s", m->where.table);
	}
}

static bool is_spliced_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	return nlh->nlmsg_type == NLMSG_ERROR &&
	       nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof(*err) &&
	       err->error && msg_by_seq(err->msg.nlmsg_seq);
}

ssize_t splice_recv(void *buf, size_t len, size_t size)
{
	const struct nlmsghdr *nlh;
	struct nlmsghdr *o;
	bool change = false;
	size_t pos = 0, room;
	char *out;
	int left = len;

	for (nlh = buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		change |= (is_rule_msg(nlh, true) && has_ours(nlh)) ||
			  is_spliced_error(nlh);
	if (!change)
		return len;
	/* A placeholder takes at most 64 bytes more than what it replaces. */
	room = 2 * len + 4096;
	out = malloc(room);
	if (!out)
		return -1;
	left = len;
	for (nlh = buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		o = (struct nlmsghdr *)(out + pos);
		if (is_rule_msg(nlh, true) && has_ours(nlh)) {
			if (rewrite_rule(o, nlh, in_elem, NULL) < 0)
				goto err;
		} else if (is_spliced_error(nlh)) {
			rewrite_error(o, nlh);
		} else {
			memcpy(o, nlh, nlh->nlmsg_len);
		}
		pos += MNL_ALIGN(o->nlmsg_len);
	}
	if (pos > size) {
		errno = ENOSPC;
		goto err;
	}
	memcpy(buf, out, pos);
	free(out);
	return pos;
err:
	free(out);
	return -1;
}
