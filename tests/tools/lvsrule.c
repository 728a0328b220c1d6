// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lvsrule: add rules holding nftlvs expressions and list them back, at the
 * netlink level, for the VM tests (and before nftlvs itself exists).
 *
 *   lvsrule [--dry-run[=raw|text|hex]] add FAMILY TABLE CHAIN EXPR
 *		[KEY=VALUE ...] [EXPR ...] [-- EXPR ...]
 *   lvsrule list [-r] [-a] FAMILY TABLE CHAIN
 *
 * All rules of one "add" go in one batch, so the kernel adds all or none.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include <libnftlvs/expr.h>

#include "lvsrule.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* Room for the largest message the kernel can send us, plus a page. */
#define RECV_BUF_SIZE	(UINT16_MAX + 4096)

enum dry_run {
	DRY_RUN_NONE,
	DRY_RUN_RAW,
	DRY_RUN_TEXT,
	DRY_RUN_HEX,
};

static const struct {
	int		err;
	const char	*name;
} errno_names[] = {
	{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	{ EINTR, "EINTR" },
	{ E2BIG, "E2BIG" },	{ EAGAIN, "EAGAIN" },	{ ENOMEM, "ENOMEM" },
	{ EBUSY, "EBUSY" },	{ EEXIST, "EEXIST" },	{ ENODEV, "ENODEV" },
	{ EINVAL, "EINVAL" },	{ ENFILE, "ENFILE" },	{ ENOSPC, "ENOSPC" },
	{ ERANGE, "ERANGE" },	{ EMSGSIZE, "EMSGSIZE" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT" },	{ ENOBUFS, "ENOBUFS" },
	{ ELOOP, "ELOOP" },	{ EOVERFLOW, "EOVERFLOW" },
	{ ETIMEDOUT, "ETIMEDOUT" },	{ ENOTDIR, "ENOTDIR" },
	{ EFAULT, "EFAULT" },	{ EBADF, "EBADF" },
	{ EPROTOTYPE, "EPROTOTYPE" },
};

static void kernel_refused(int err)
{
	const char *name = NULL;
	unsigned int i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
		if (errno_names[i].err == err)
			name = errno_names[i].name;
	}
	if (name)
		fprintf(stderr, "lvsrule: kernel refused: %s (%s)\n", name,
			strerror(err));
	else
		fprintf(stderr, "lvsrule: kernel refused: %d (%s)\n", err,
			strerror(err));
}

static void die(const char *what)
{
	fprintf(stderr, "lvsrule: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: lvsrule [--dry-run[=raw|text|hex]] add FAMILY TABLE CHAIN EXPR [KEY=VALUE ...]\n"
		"                  [EXPR [KEY=VALUE ...] ...] [-- EXPR ...]\n"
		"       lvsrule list [-r] [-a] FAMILY TABLE CHAIN\n"
		"EXPR: lb-dispatch | synproxy-lb | fullnat | counter\n"
		"synproxy-lb: mss=N wscale=N ttl=N flags=sack-perm,timestamp,defer|0xHEX\n"
		"fullnat: family=ip|ip6|N|none pool=ELEM[,ELEM...] laddrs=ADDR[,ADDR...]\n"
		"         pool-set=NAME|hex:BYTES laddrs-set=NAME|hex:BYTES\n"
		"         ports=LO-HI port-min=N port-max=N sched=rr|wrr|lc|wlc|sh|mh|N\n"
		"         timeout=SECONDS flags=toa,strip-timestamps,rst-on-expire,toa-kind-253|0xHEX\n"
		"ELEM: ADDR[:PORT][@WEIGHT], [IPV6]:PORT, hex:BYTES for a raw address;\n"
		"      pool= and laddrs= alone send an empty list; a set NAME is sent\n"
		"      with its NUL, hex:BYTES exactly as given\n");
	exit(2);
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1;

	if (!nl)
		die("netlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind");
	/* Errors need not echo our (possibly large) request back. */
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	return nl;
}

/* Bytes one rule message takes, or 0 if its expressions overflow a nest. */
static size_t rule_msg_len(const struct add_req *req, const struct rule *r)
{
	size_t exprs = MNL_ATTR_HDRLEN;
	unsigned int i;

	for (i = 0; i < r->nexprs; i++) {
		exprs += MNL_ATTR_HDRLEN;
		/* A stock counter without attributes: name and empty nest. */
		exprs += r->exprs[i].lvs ?
			 nftlvs_expr_payload_len(r->exprs[i].lvs) : 64;
	}
	if (exprs > UINT16_MAX)
		return 0;
	return MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg)) +
	       MNL_ALIGN(MNL_ATTR_HDRLEN + strlen(req->table) + 1) +
	       MNL_ALIGN(MNL_ATTR_HDRLEN + strlen(req->chain) + 1) + exprs;
}

static void build_rule(struct nlmsghdr *nlh, const struct add_req *req,
		       const struct rule *r)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct nlattr *list, *elem;
	unsigned int i;

	if (!nr)
		die("nftnl_rule_alloc");
	nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, req->table);
	nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, req->chain);
	nftnl_rule_nlmsg_build_payload(nlh, nr);
	nftnl_rule_free(nr);

	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	for (i = 0; i < r->nexprs; i++) {
		elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		if (r->exprs[i].lvs)
			nftlvs_expr_build_payload(nlh, r->exprs[i].lvs);
		else
			nftnl_expr_build_payload(nlh, r->exprs[i].stock);
		mnl_attr_nest_end(nlh, elem);
	}
	mnl_attr_nest_end(nlh, list);
}

/*
 * BEGIN, one NEWRULE per rule, END; returns the length. Only the last rule
 * asks for an ack: errors come for every rule anyway, and hundreds of
 * acks would overrun the socket's receive buffer.
 */
static size_t build_batch(char **bufp, const struct add_req *req,
			  uint32_t seq)
{
	size_t size = 2 * MNL_NLMSG_HDRLEN + 64, len, off = 0;
	struct nlmsghdr *nlh;
	unsigned int i;
	char *buf;

	for (i = 0; i < req->nrules; i++) {
		len = rule_msg_len(req, &req->rules[i]);
		if (!len || len > UINT32_MAX / 2) {
			fprintf(stderr, "lvsrule: rule %u is too large for one netlink attribute\n",
				i + 1);
			exit(2);
		}
		size += len + 64;
	}
	buf = calloc(1, size);
	if (!buf)
		die("batch buffer");

	nlh = nftnl_batch_begin(buf, seq++);
	off += nlh->nlmsg_len;
	for (i = 0; i < req->nrules; i++) {
		nlh = nftnl_nlmsg_build_hdr(buf + off, NFT_MSG_NEWRULE,
					    req->family,
					    NLM_F_CREATE | NLM_F_APPEND |
					    (i + 1 == req->nrules ? NLM_F_ACK : 0),
					    seq++);
		build_rule(nlh, req, &req->rules[i]);
		off += nlh->nlmsg_len;
	}
	nlh = nftnl_batch_end(buf + off, seq);
	off += nlh->nlmsg_len;
	*bufp = buf;
	return off;
}

/* What the batch says, decoded as "list" would print it. */
static int dry_run(const char *buf, size_t len, enum dry_run mode)
{
	struct print_opts opts = {
		.raw		= mode == DRY_RUN_RAW,
		.location	= true,
	};
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int ret = 0, left = len;

	if (mode == DRY_RUN_HEX) {
		mnl_nlmsg_fprintf(stdout, buf, len, sizeof(struct nfgenmsg));
		return 0;
	}
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) |
					NFT_MSG_NEWRULE))
			continue;
		if (print_rule(stdout, nlh, &opts) < 0)
			ret = 1;
	}
	return ret;
}

/* Errors and acks in one read: the first error wins. */
static void read_acks(const char *buf, int len, uint32_t last_seq,
		      bool *done, int *err)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlmsgerr *e;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type != NLMSG_ERROR ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
			continue;
		e = mnl_nlmsg_get_payload(nlh);
		if (nlh->nlmsg_seq == last_seq)
			*done = true;
		if (e->error && !*err)
			*err = -e->error;
	}
}

/*
 * The kernel processes the whole batch inside sendmsg() and only then
 * queues all errors and the ack, so read until the last rule is answered,
 * or an error came, and nothing more is waiting.
 */
static int batch_talk(struct mnl_socket *nl, const char *buf, size_t len,
		      uint32_t last_seq)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
	static char rbuf[RECV_BUF_SIZE];
	bool done = false, overrun = false;
	int err = 0, n;

	if (mnl_socket_sendto(nl, buf, len) < 0)
		die("sendto");
	for (;;) {
		n = poll(&pfd, 1, err || done ? 0 : 5000);
		if (n < 0)
			die("poll");
		if (n == 0)
			break;
		n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0 && errno == ENOBUFS) {
			/* Some errors were lost; the first ones are queued. */
			overrun = true;
			continue;
		}
		if (n < 0)
			return errno;
		read_acks(rbuf, n, last_seq, &done, &err);
	}
	if (!err)
		err = overrun ? ENOBUFS : done ? 0 : ETIMEDOUT;
	return err;
}

static int cmd_add(int argc, char **argv, enum dry_run mode)
{
	struct add_req req = {};
	uint32_t seq = time(NULL);
	struct mnl_socket *nl;
	size_t len;
	char *buf;
	int err;

	if (argc < 4)
		usage();
	req.family = parse_family(argv[0]);
	req.table = argv[1];
	req.chain = argv[2];
	if (strlen(req.table) > 4096 || strlen(req.chain) > 4096)
		usage_error(argv[1], "name too long");
	parse_rules(&req, argc - 3, argv + 3);
	len = build_batch(&buf, &req, seq);

	if (mode != DRY_RUN_NONE) {
		err = dry_run(buf, len, mode);
	} else {
		nl = nl_open();
		/* BEGIN has seq, the rules seq + 1 ... seq + nrules. */
		err = batch_talk(nl, buf, len, seq + req.nrules);
		mnl_socket_close(nl);
		if (err)
			kernel_refused(err);
		err = !!err;
	}
	free(buf);
	free_rules(&req);
	return err;
}

/* Run one request: @cb sees each reply; errno on failure. */
static int nl_query(struct mnl_socket *nl, const struct nlmsghdr *nlh,
		    mnl_cb_t cb, void *data)
{
	static char rbuf[RECV_BUF_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	int n, ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("sendto");
	do {
		n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0)
			return errno;
		ret = mnl_cb_run(rbuf, n, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? errno : 0;
}

/* A dump of rules does not fail for a missing chain: ask for it first. */
static int chain_exists(struct mnl_socket *nl, uint16_t family,
			const char *table, const char *chain, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		die("nftnl_chain_alloc");
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, family, NLM_F_ACK,
				    seq);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	return nl_query(nl, nlh, NULL, NULL);
}

struct list_ctx {
	FILE			*out;
	struct print_opts	opts;
	int			malformed;
};

static int list_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *ctx = data;

	if (print_rule(ctx->out, nlh, &ctx->opts) < 0)
		ctx->malformed++;
	return MNL_CB_OK;
}

/* The dump into memory: an interrupted dump starts over. */
static int dump_rules(struct mnl_socket *nl, uint16_t family,
		      struct list_ctx *ctx, char **text, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;
	size_t size;
	int err, tries = 0;

	do {
		ctx->out = open_memstream(text, &size);
		if (!ctx->out)
			die("open_memstream");
		ctx->malformed = 0;
		r = nftnl_rule_alloc();
		if (!r)
			die("nftnl_rule_alloc");
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, ctx->opts.table);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, ctx->opts.chain);
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, family,
					    NLM_F_DUMP, seq++);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
		err = nl_query(nl, nlh, list_rule_cb, ctx);
		fclose(ctx->out);
		if (err == EINTR)
			free(*text);
	} while (err == EINTR && ++tries < 10);
	return err;
}

static int cmd_list(int argc, char **argv)
{
	struct list_ctx ctx = {};
	uint32_t seq = time(NULL);
	struct mnl_socket *nl;
	char *text = NULL;
	uint16_t family;
	int opt, err;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+ra")) != -1) {
		if (opt == 'r')
			ctx.opts.raw = true;
		else if (opt == 'a')
			ctx.opts.handle = true;
		else
			usage_error(argv[optind - 1], "unknown option");
	}
	if (argc - optind != 3)
		usage();
	family = parse_family(argv[optind]);
	ctx.opts.table = argv[optind + 1];
	ctx.opts.chain = argv[optind + 2];

	nl = nl_open();
	err = chain_exists(nl, family, ctx.opts.table, ctx.opts.chain, seq++);
	if (!err)
		err = dump_rules(nl, family, &ctx, &text, seq);
	mnl_socket_close(nl);
	if (err) {
		kernel_refused(err);
		free(text);
		return 1;
	}
	fputs(text, stdout);
	free(text);
	if (ctx.malformed) {
		fprintf(stderr,
			"lvsrule: %d rule(s) hold a malformed expression\n",
			ctx.malformed);
		return 1;
	}
	return 0;
}

static enum dry_run parse_dry_run(const char *arg)
{
	if (!strcmp(arg, "--dry-run") || !strcmp(arg, "--dry-run=raw"))
		return DRY_RUN_RAW;
	if (!strcmp(arg, "--dry-run=text"))
		return DRY_RUN_TEXT;
	if (!strcmp(arg, "--dry-run=hex"))
		return DRY_RUN_HEX;
	usage_error(arg, "unknown option");
}

int main(int argc, char **argv)
{
	enum dry_run mode = DRY_RUN_NONE;
	int i = 1;

	if (i < argc && !strncmp(argv[i], "--dry-run", 9))
		mode = parse_dry_run(argv[i++]);
	if (i >= argc)
		usage();
	if (!strcmp(argv[i], "add"))
		return cmd_add(argc - i - 1, argv + i + 1, mode);
	if (!strcmp(argv[i], "list")) {
		if (mode != DRY_RUN_NONE)
			usage_error(argv[1], "only add has a dry run");
		return cmd_list(argc - i, argv + i);
	}
	usage_error(argv[i], "unknown command");
}
