// SPDX-License-Identifier: GPL-2.0
/*
 * A pool's nft set over netlink (libmnl + libnftnl): its shape, its
 * elements, and edits sent as one batch, so that every edit of a pool is a
 * single nf_tables transaction, all of it or nothing.
 *
 * The shapes fullnat's `to @SET` accepts (see nftlvs(8), POOLS IN SETS):
 *   set of ipv4_addr / ipv6_addr                 address only, weight 1
 *   set of ipv4_addr . inet_service (or IPv6)    address and port, weight 1
 *   map of either : mark                         the mark is the weight
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "healthd.h"

/* nft's datatype ids; a concatenation's type is (first << 6) | second */
#define NFT_TYPE_IPADDR		7
#define NFT_TYPE_IP6ADDR	8
#define NFT_TYPE_INET_SERVICE	13
#define NFT_TYPE_MARK		19
#define CONCAT(a, b)		((a) << 6 | (b))

static struct mnl_socket *nl;
static uint32_t nl_portid, nl_seq;

int nftset_open(void)
{
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl);
		nl = NULL;
		return err;
	}
	nl_portid = mnl_socket_get_portid(nl);
	nl_seq = (uint32_t)time(NULL);
	return 0;
}

void nftset_close(void)
{
	if (nl)
		mnl_socket_close(nl);
	nl = NULL;
}

/*
 * Waits for the answers to the requests with sequence numbers
 * [first, first + n): calls cb on data messages; returns 0, or the first
 * error (negative errno) and the index of the request it answered.
 */
static int receive(uint32_t first, unsigned int n, mnl_cb_t cb, void *data,
		   unsigned int *bad)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	unsigned int answered = 0;
	int result = 0;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };

	while (answered < n) {
		ssize_t len;
		struct nlmsghdr *nlh;
		int left;

		if (poll(&pfd, 1, 3000) <= 0)
			return result ? result : -ETIMEDOUT;
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		left = (int)len;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			uint32_t idx = nlh->nlmsg_seq - first;

			if (nlh->nlmsg_pid != nl_portid || idx >= n)
				continue;	/* a late answer to something earlier */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				answered++;
				if (e->error && !result) {
					result = e->error;
					if (bad)
						*bad = idx;
				}
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				answered++;
			} else if (cb && cb(nlh, data) < 0) {
				return -errno ? -errno : -EPROTO;
			}
		}
	}
	return result;
}

static struct nftnl_set *set_new(const struct pool *p)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		abort();
	nftnl_set_set_str(s, NFTNL_SET_TABLE, p->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, p->set);
	return s;
}

static int shape_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = data;

	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWSET &&
	    nftnl_set_nlmsg_parse(nlh, s) < 0)
		return -1;
	return 0;
}

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = data;

	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWSETELEM &&
	    nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
		return -1;
	return 0;
}

static int shape_of(struct nftnl_set *s, struct set_view *v, char *err, size_t errlen)
{
	uint32_t ktype = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
	uint32_t klen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);

	switch (ktype) {
	case NFT_TYPE_IPADDR:
		v->key_family = AF_INET;
		break;
	case NFT_TYPE_IP6ADDR:
		v->key_family = AF_INET6;
		break;
	case CONCAT(NFT_TYPE_IPADDR, NFT_TYPE_INET_SERVICE):
		v->key_family = AF_INET;
		v->has_port = true;
		break;
	case CONCAT(NFT_TYPE_IP6ADDR, NFT_TYPE_INET_SERVICE):
		v->key_family = AF_INET6;
		v->has_port = true;
		break;
	default:
		snprintf(err, errlen,
			 "its key is not ipv4_addr or ipv6_addr, optionally . inet_service (type %u)",
			 ktype);
		return -EPROTOTYPE;
	}
	if (klen != (v->key_family == AF_INET ? 4u : 16u) + (v->has_port ? 4u : 0u)) {
		snprintf(err, errlen, "its key has %u bytes, not what its type needs", klen);
		return -EPROTOTYPE;
	}
	if (flags & NFT_SET_INTERVAL) {
		snprintf(err, errlen, "it is an interval set; a pool lists single servers");
		return -EPROTOTYPE;
	}
	if (flags & NFT_SET_MAP) {
		if (nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE) != NFT_TYPE_MARK ||
		    nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN) != 4) {
			snprintf(err, errlen, "it is a map whose data is not a mark (the weight)");
			return -EPROTOTYPE;
		}
		v->is_map = true;
	}
	return 0;
}

static int elem_collect(struct nftnl_set_elem *e, void *data)
{
	struct set_view *v = data;
	struct set_elem *el;
	uint32_t klen = 0, dlen = 0;
	const unsigned char *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
	size_t alen = v->key_family == AF_INET ? 4 : 16;

	if (!key || klen < alen + (v->has_port ? 2 : 0))
		return 0;
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
	    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END))
		return 0;
	el = realloc(v->elems, (v->nelems + 1) * sizeof(*el));
	if (!el)
		abort();
	v->elems = el;
	el = &v->elems[v->nelems++];
	memset(el, 0, sizeof(*el));
	el->addr.family = v->key_family;
	memcpy(&el->addr.v4, key, alen);
	if (v->has_port)
		el->port = (uint16_t)(key[alen] << 8 | key[alen + 1]);
	el->weight = 1;
	if (v->is_map) {
		const void *d = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &dlen);
		uint32_t w = 0;

		if (d && dlen == 4)
			memcpy(&w, d, 4);
		el->weight = w;
	}
	return 0;
}

static int elem_cmp(const void *a, const void *b)
{
	const struct set_elem *x = a, *y = b;
	int c = x->addr.family - y->addr.family;

	if (!c)
		c = memcmp(&x->addr.v6, &y->addr.v6,
			   x->addr.family == AF_INET ? 4 : 16);
	if (!c)
		c = (int)x->port - (int)y->port;
	return c;
}

/* The element (a, port), or NULL: the elements are sorted once read. */
struct set_elem *set_view_find(struct set_view *v, const struct addr *a, uint16_t port)
{
	struct set_elem key = { .addr = *a, .port = port };

	if (!v->nelems)
		return NULL;
	return bsearch(&key, v->elems, v->nelems, sizeof(key), elem_cmp);
}

void set_view_free(struct set_view *v)
{
	free(v->elems);
	memset(v, 0, sizeof(*v));
}

int nftset_read(const struct pool *p, struct set_view *v, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_set *s;
	struct nlmsghdr *nlh;
	uint32_t seq;
	int ret;

	memset(v, 0, sizeof(*v));
	s = set_new(p);
	seq = ++nl_seq;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, (uint16_t)p->family, NLM_F_ACK, seq);
	nftnl_set_nlmsg_build_payload(nlh, s);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = receive(seq, 1, shape_cb, s, NULL);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "no such set");
		goto out;
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the set: %s", strerror(-ret));
		goto out;
	}
	v->exists = true;
	ret = shape_of(s, v, err, errlen);
	if (ret)
		goto out;

	nftnl_set_free(s);
	s = set_new(p);
	seq = ++nl_seq;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, (uint16_t)p->family,
				    NLM_F_DUMP | NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = receive(seq, 1, elems_cb, s, NULL);
	if (ret) {
		snprintf(err, errlen, "cannot read the elements: %s", strerror(-ret));
		goto out;
	}
	nftnl_set_elem_foreach(s, elem_collect, v);
	qsort(v->elems, v->nelems, sizeof(*v->elems), elem_cmp);
out:
	nftnl_set_free(s);
	return ret;
}

static void put_change(char *buf, const struct pool *p, const struct set_view *v,
		       const struct set_change *c, uint32_t seq)
{
	unsigned char key[20] = { 0 };
	size_t alen = v->key_family == AF_INET ? 4 : 16, klen = alen;
	struct nftnl_set *s = set_new(p);
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;

	if (!e)
		abort();
	memcpy(key, &c->addr.v4, alen);
	if (v->has_port) {
		/* each part of a concatenation fills whole 32-bit registers */
		key[alen] = (unsigned char)(c->port >> 8);
		key[alen + 1] = (unsigned char)c->port;
		klen += 4;
	}
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, (uint32_t)klen);
	if (v->is_map && c->op == SET_ADD) {
		uint32_t w = c->weight;

		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &w, sizeof(w));
	}
	nftnl_set_elem_add(s, e);
	nlh = nftnl_nlmsg_build_hdr(buf,
				    c->op == SET_ADD ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
				    (uint16_t)p->family,
				    NLM_F_ACK | (c->op == SET_ADD ? NLM_F_CREATE : 0), seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
}

int nftset_apply(const struct pool *p, const struct set_view *v,
		 const struct set_change *ch, size_t n, char *err, size_t errlen)
{
	size_t size = (n + 2) * 256, i;
	char *buf = malloc(size);
	struct mnl_nlmsg_batch *b;
	uint32_t first;
	unsigned int bad = 0;
	int ret = 0;

	if (!buf)
		abort();
	b = mnl_nlmsg_batch_start(buf, size);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), ++nl_seq);
	mnl_nlmsg_batch_next(b);
	first = nl_seq + 1;
	for (i = 0; i < n; i++) {
		put_change(mnl_nlmsg_batch_current(b), p, v, &ch[i], ++nl_seq);
		mnl_nlmsg_batch_next(b);
	}
	nftnl_batch_end(mnl_nlmsg_batch_current(b), ++nl_seq);
	mnl_nlmsg_batch_next(b);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0)
		ret = -errno;
	else
		ret = receive(first, (unsigned int)n, NULL, NULL, &bad);
	if (ret) {
		if (bad < n) {
			char name[64];

			addr_format(&ch[bad].addr, ch[bad].port, name, sizeof(name));
			snprintf(err, errlen, "%s %s: %s", ch[bad].op == SET_ADD ? "adding" : "removing",
				 name, strerror(-ret));
		} else {
			snprintf(err, errlen, "%s", strerror(-ret));
		}
	}
	mnl_nlmsg_batch_stop(b);
	free(buf);
	return ret;
}

int nftset_monitor_open(void)
{
	struct mnl_socket *m = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int fd;

	if (!m)
		return -errno;
	if (mnl_socket_bind(m, 1u << (NFNLGRP_NFTABLES - 1), MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(m);
		return err;
	}
	/* only the descriptor is kept: reading it is all the monitor does */
	fd = dup(mnl_socket_get_fd(m));
	mnl_socket_close(m);
	return fd;
}

/*
 * Empties the monitor socket; returns whether anything came (or was lost)
 * that our own batches did not cause: a notification carries the port id
 * of the socket whose batch made the change.
 */
int nftset_monitor_drain(int fd)
{
	char buf[65536];
	int got = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
			int left = (int)n;

			for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
				if (nlh->nlmsg_pid != nl_portid)
					got = 1;
			continue;
		}
		if (n < 0 && errno == ENOBUFS) {
			got = 1;	/* events were lost: resync anyway */
			continue;
		}
		return got;
	}
}
