// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two lists of fullnat: the real-server pool (NFTA_FULLNAT_POOL) and
 * the local addresses (NFTA_FULLNAT_LADDRS), each a nest of
 * NFTA_LVS_LIST_ELEM entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <nft_lvs.h>

#include "fullnat.h"

#define NFTLVS_RS_ALL	(NFTLVS_RS_ADDR | NFTLVS_RS_PORT | NFTLVS_RS_WEIGHT)

static struct nftlvs_expr_fullnat *fullnat_of(const struct nftlvs_expr *e)
{
	if (e->ops != &expr_ops_fullnat) {
		errno = EINVAL;
		return NULL;
	}
	return nftlvs_expr_data(e);
}

static int family_addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct in_addr);
	case AF_INET6:
		return sizeof(struct in6_addr);
	}
	errno = EAFNOSUPPORT;
	return -1;
}

/* Make room for one more element in *@v, which holds @n of @cap. */
static int list_grow(void **v, unsigned int *cap, unsigned int n, size_t size)
{
	unsigned int ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* A copy of @len bytes at @addr; NULL only when out of memory. */
static uint8_t *addr_dup(const void *addr, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, addr, len);
	return p;
}

/*
 * Would @e still fit in one rule with @bytes more in list @attr? The nest
 * header counts too when the list is not there yet.
 */
static int fullnat_room(const struct nftlvs_expr *e, uint16_t attr,
			size_t bytes)
{
	if (!expr_attr_set(e, attr))
		bytes += MNL_ATTR_HDRLEN;
	if (nftlvs_expr_payload_len(e) + bytes > EXPR_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	return 0;
}

static size_t rs_wire_len(uint32_t present, size_t addr_len)
{
	size_t len = MNL_ATTR_HDRLEN;

	if (present & NFTLVS_RS_ADDR)
		len += attr_size(addr_len);
	if (present & NFTLVS_RS_PORT)
		len += attr_size(sizeof(uint16_t));
	if (present & NFTLVS_RS_WEIGHT)
		len += attr_size(sizeof(uint32_t));
	return len;
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_add_rs_raw);
int nftlvs_expr_fullnat_add_rs_raw(struct nftlvs_expr *e,
				   const struct nftlvs_rs *rs)
{
	struct nftlvs_expr_fullnat *fn = fullnat_of(e);
	size_t addr_len, bytes;
	struct lvs_rs *r;

	if (!fn)
		return -1;
	addr_len = rs->present & NFTLVS_RS_ADDR ? rs->addr_len : 0;
	if ((rs->present & ~NFTLVS_RS_ALL) || (addr_len && !rs->addr)) {
		errno = EINVAL;
		return -1;
	}
	bytes = rs_wire_len(rs->present, addr_len);
	if (fullnat_room(e, NFTLVS_FULLNAT_POOL, bytes) < 0 ||
	    list_grow((void **)&fn->pool, &fn->pool_cap, fn->npool,
		      sizeof(*fn->pool)) < 0)
		return -1;

	r = &fn->pool[fn->npool];
	r->addr = NULL;
	if ((rs->present & NFTLVS_RS_ADDR) &&
	    !(r->addr = addr_dup(rs->addr, addr_len)))
		return -1;
	r->addr_len = addr_len;
	r->port = rs->present & NFTLVS_RS_PORT ? rs->port : 0;
	r->weight = rs->present & NFTLVS_RS_WEIGHT ? rs->weight : 0;
	r->present = rs->present;
	fn->npool++;
	fn->pool_bytes += bytes;
	expr_attr_mark(e, NFTLVS_FULLNAT_POOL);
	return 0;
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_add_rs);
int nftlvs_expr_fullnat_add_rs(struct nftlvs_expr *e, int family,
			       const void *addr, uint16_t port,
			       uint32_t weight)
{
	struct nftlvs_rs rs = {
		.present	= NFTLVS_RS_ADDR | NFTLVS_RS_WEIGHT |
				  (port ? NFTLVS_RS_PORT : 0),
		.addr		= addr,
		.port		= port,
		.weight		= weight,
	};
	int len = family_addr_len(family);

	if (len < 0)
		return -1;
	if (!addr) {
		errno = EINVAL;
		return -1;
	}
	rs.addr_len = len;
	return nftlvs_expr_fullnat_add_rs_raw(e, &rs);
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_add_laddr_raw);
int nftlvs_expr_fullnat_add_laddr_raw(struct nftlvs_expr *e,
				      const void *addr, size_t len)
{
	struct nftlvs_expr_fullnat *fn = fullnat_of(e);
	struct lvs_laddr *l;

	if (!fn)
		return -1;
	if (len && !addr) {
		errno = EINVAL;
		return -1;
	}
	if (len > EXPR_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (fullnat_room(e, NFTLVS_FULLNAT_LADDRS, attr_size(len)) < 0 ||
	    list_grow((void **)&fn->laddrs, &fn->laddrs_cap, fn->nladdrs,
		      sizeof(*fn->laddrs)) < 0)
		return -1;

	l = &fn->laddrs[fn->nladdrs];
	l->addr = addr_dup(addr, len);
	if (!l->addr)
		return -1;
	l->len = len;
	fn->nladdrs++;
	fn->laddrs_bytes += attr_size(len);
	expr_attr_mark(e, NFTLVS_FULLNAT_LADDRS);
	return 0;
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_add_laddr);
int nftlvs_expr_fullnat_add_laddr(struct nftlvs_expr *e, int family,
				  const void *addr)
{
	int len = family_addr_len(family);

	if (len < 0)
		return -1;
	if (!addr) {
		errno = EINVAL;
		return -1;
	}
	return nftlvs_expr_fullnat_add_laddr_raw(e, addr, len);
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_test_empty);
int nftlvs_expr_fullnat_test_empty(struct nftlvs_expr *e, uint16_t attr)
{
	if (!fullnat_of(e))
		return -1;
	if (attr != NFTLVS_FULLNAT_POOL && attr != NFTLVS_FULLNAT_LADDRS) {
		errno = EINVAL;
		return -1;
	}
	if (fullnat_room(e, attr, 0) < 0)
		return -1;
	expr_attr_mark(e, attr);
	return 0;
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_rs_count);
unsigned int nftlvs_expr_fullnat_rs_count(const struct nftlvs_expr *e)
{
	struct nftlvs_expr_fullnat *fn = fullnat_of(e);

	return fn ? fn->npool : 0;
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_get_rs);
int nftlvs_expr_fullnat_get_rs(const struct nftlvs_expr *e, unsigned int i,
			       struct nftlvs_rs *rs)
{
	struct nftlvs_expr_fullnat *fn = fullnat_of(e);
	const struct lvs_rs *r;

	if (!fn)
		return -1;
	if (i >= fn->npool) {
		errno = ENOENT;
		return -1;
	}
	r = &fn->pool[i];
	rs->present = r->present;
	rs->addr = r->addr;
	rs->addr_len = r->addr_len;
	rs->port = r->port;
	rs->weight = r->weight;
	return 0;
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_laddr_count);
unsigned int nftlvs_expr_fullnat_laddr_count(const struct nftlvs_expr *e)
{
	struct nftlvs_expr_fullnat *fn = fullnat_of(e);

	return fn ? fn->nladdrs : 0;
}

EXPORT_SYMBOL(nftlvs_expr_fullnat_get_laddr);
const void *nftlvs_expr_fullnat_get_laddr(const struct nftlvs_expr *e,
					  unsigned int i, size_t *len)
{
	struct nftlvs_expr_fullnat *fn = fullnat_of(e);

	if (!fn)
		return NULL;
	if (i >= fn->nladdrs) {
		errno = ENOENT;
		return NULL;
	}
	if (len)
		*len = fn->laddrs[i].len;
	return fn->laddrs[i].addr;
}

void fullnat_free_lists(struct nftlvs_expr *e)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);
	unsigned int i;

	for (i = 0; i < fn->npool; i++)
		free(fn->pool[i].addr);
	for (i = 0; i < fn->nladdrs; i++)
		free(fn->laddrs[i].addr);
	free(fn->pool);
	free(fn->laddrs);
}

size_t fullnat_list_len(const struct nftlvs_expr *e, uint16_t attr)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);

	return MNL_ATTR_HDRLEN + (attr == NFTLVS_FULLNAT_POOL ?
				  fn->pool_bytes : fn->laddrs_bytes);
}

static void rs_build(struct nlmsghdr *nlh, const struct lvs_rs *r)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFTA_LVS_LIST_ELEM);

	if (r->present & NFTLVS_RS_ADDR)
		mnl_attr_put(nlh, NFTA_LVS_RS_ADDR, r->addr_len, r->addr);
	if (r->present & NFTLVS_RS_PORT)
		mnl_attr_put_u16(nlh, NFTA_LVS_RS_PORT, htons(r->port));
	if (r->present & NFTLVS_RS_WEIGHT)
		mnl_attr_put_u32(nlh, NFTA_LVS_RS_WEIGHT, htonl(r->weight));
	mnl_attr_nest_end(nlh, nest);
}

void fullnat_build_list(struct nlmsghdr *nlh, const struct nftlvs_expr *e,
			uint16_t attr)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);
	struct nlattr *nest;
	unsigned int i;

	if (attr == NFTLVS_FULLNAT_POOL) {
		nest = mnl_attr_nest_start(nlh, NFTA_FULLNAT_POOL);
		for (i = 0; i < fn->npool; i++)
			rs_build(nlh, &fn->pool[i]);
	} else {
		nest = mnl_attr_nest_start(nlh, NFTA_FULLNAT_LADDRS);
		for (i = 0; i < fn->nladdrs; i++)
			mnl_attr_put(nlh, NFTA_LVS_LIST_ELEM,
				     fn->laddrs[i].len, fn->laddrs[i].addr);
	}
	mnl_attr_nest_end(nlh, nest);
}

static bool addr_len_ok(const struct nlattr *attr)
{
	return attr_len_is(attr, sizeof(struct in_addr)) ||
	       attr_len_is(attr, sizeof(struct in6_addr));
}

/* One pool entry: an address is mandatory, port and weight in range. */
static int rs_parse_cb(const struct nlattr *elem, void *data)
{
	const struct nlattr *tb[NFTA_LVS_RS_MAX + 1] = {};
	struct attr_tb t = { tb, NFTA_LVS_RS_MAX };
	struct nftlvs_expr *e = data;
	struct nftlvs_rs rs = {
		.present	= NFTLVS_RS_ADDR,
	};
	const struct nlattr *a;

	if (mnl_attr_get_type(elem) != NFTA_LVS_LIST_ELEM ||
	    nftlvs_expr_fullnat_rs_count(e) >= NFT_FULLNAT_POOL_MAX ||
	    attr_parse_nested(elem, attr_table_cb, &t) < 0)
		goto err;
	a = tb[NFTA_LVS_RS_ADDR];
	if (!a || !addr_len_ok(a))
		goto err;
	rs.addr = mnl_attr_get_payload(a);
	rs.addr_len = mnl_attr_get_payload_len(a);
	a = tb[NFTA_LVS_RS_PORT];
	if (a) {
		if (!attr_len_is(a, sizeof(uint16_t)) || !attr_be16(a))
			goto err;
		rs.port = attr_be16(a);
		rs.present |= NFTLVS_RS_PORT;
	}
	a = tb[NFTA_LVS_RS_WEIGHT];
	if (a) {
		if (!attr_len_is(a, sizeof(uint32_t)) ||
		    attr_be32(a) > NFT_LVS_WEIGHT_MAX)
			goto err;
		rs.weight = attr_be32(a);
		rs.present |= NFTLVS_RS_WEIGHT;
	}
	return nftlvs_expr_fullnat_add_rs_raw(e, &rs) < 0 ? MNL_CB_ERROR :
							    MNL_CB_OK;
err:
	errno = EINVAL;
	return MNL_CB_ERROR;
}

static int laddr_parse_cb(const struct nlattr *elem, void *data)
{
	struct nftlvs_expr *e = data;

	if (mnl_attr_get_type(elem) != NFTA_LVS_LIST_ELEM ||
	    nftlvs_expr_fullnat_laddr_count(e) >= NFT_FULLNAT_LADDRS_MAX ||
	    !addr_len_ok(elem)) {
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	if (nftlvs_expr_fullnat_add_laddr_raw(e, mnl_attr_get_payload(elem),
				mnl_attr_get_payload_len(elem)) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* Counts and lengths are checked here; families in fullnat_validate(). */
int fullnat_parse_list(struct nftlvs_expr *e, uint16_t attr,
		       const struct nlattr *nest)
{
	int ret;

	if (attr == NFTLVS_FULLNAT_POOL)
		ret = attr_parse_nested(nest, rs_parse_cb, e);
	else
		ret = attr_parse_nested(nest, laddr_parse_cb, e);
	if (ret < 0)
		return -1;
	/* An empty nest is still there: validate refuses it, not us. */
	expr_attr_mark(e, attr);
	return 0;
}

static bool bytes_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

bool fullnat_cmp_lists(const struct nftlvs_expr *a,
		       const struct nftlvs_expr *b)
{
	struct nftlvs_expr_fullnat *fa = nftlvs_expr_data(a);
	struct nftlvs_expr_fullnat *fb = nftlvs_expr_data(b);
	const struct lvs_rs *ra, *rb;
	unsigned int i;

	if (fa->npool != fb->npool || fa->nladdrs != fb->nladdrs)
		return false;
	for (i = 0; i < fa->npool; i++) {
		ra = &fa->pool[i];
		rb = &fb->pool[i];
		if (ra->present != rb->present || ra->port != rb->port ||
		    ra->weight != rb->weight ||
		    !bytes_eq(ra->addr, ra->addr_len, rb->addr, rb->addr_len))
			return false;
	}
	for (i = 0; i < fa->nladdrs; i++) {
		if (!bytes_eq(fa->laddrs[i].addr, fa->laddrs[i].len,
			      fb->laddrs[i].addr, fb->laddrs[i].len))
			return false;
	}
	return true;
}
