// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The expression object: lookup by name, scalar attributes, netlink build
 * and parse, output. Each expression supplies its struct expr_ops.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>

#include <nft_lvs.h>

#include "internal.h"

static const struct expr_ops *const expr_ops_table[] = {
	&expr_ops_dispatch,
	&expr_ops_synproxy_lb,
	&expr_ops_fullnat,
};

/* The most attributes any of our expressions has. */
#define EXPR_NATTRS_MAX		16
_Static_assert(NFTA_FULLNAT_MAX <= EXPR_NATTRS_MAX &&
	       NFTA_SYNPROXY_LB_MAX <= EXPR_NATTRS_MAX,
	       "room for every attribute when parsing");

static const struct expr_ops *expr_ops_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(expr_ops_table); i++) {
		if (!strcmp(expr_ops_table[i]->name, name))
			return expr_ops_table[i];
	}
	return NULL;
}

EXPORT_SYMBOL(nftlvs_expr_alloc);
struct nftlvs_expr *nftlvs_expr_alloc(const char *name)
{
	const struct expr_ops *ops;
	struct nftlvs_expr *e;

	if (!name) {
		errno = EINVAL;
		return NULL;
	}
	ops = expr_ops_lookup(name);
	if (!ops) {
		errno = ENOENT;
		return NULL;
	}
	e = calloc(1, sizeof(*e) + ops->alloc_len);
	if (!e)
		return NULL;
	e->ops = ops;
	return e;
}

static struct expr_str *expr_str_of(const struct nftlvs_expr *e,
				    uint16_t attr)
{
	return e->ops->field(e, attr);
}

EXPORT_SYMBOL(nftlvs_expr_free);
void nftlvs_expr_free(struct nftlvs_expr *e)
{
	const struct expr_ops *ops;
	unsigned int i;

	if (!e)
		return;
	ops = e->ops;
	for (i = 0; i < ops->nattrs; i++) {
		if (ops->attr_len[i] == ATTR_STRING)
			free(expr_str_of(e, ops->attr_first + i)->s);
	}
	if (ops->free)
		ops->free(e);
	free(e);
}

EXPORT_SYMBOL(nftlvs_expr_get_name);
const char *nftlvs_expr_get_name(const struct nftlvs_expr *e)
{
	return e->ops->name;
}

/* Width of @attr in @e (0 for a list), or -1 if @e has no such attribute. */
static int expr_attr_width(const struct nftlvs_expr *e, uint16_t attr)
{
	const struct expr_ops *ops = e->ops;

	if (attr < ops->attr_first || attr >= ops->attr_first + ops->nattrs)
		return -1;
	return ops->attr_len[attr - ops->attr_first];
}

EXPORT_SYMBOL(nftlvs_expr_is_set);
bool nftlvs_expr_is_set(const struct nftlvs_expr *e, uint16_t attr)
{
	return expr_attr_width(e, attr) >= 0 && expr_attr_set(e, attr);
}

/* Bytes that string @attr of @e takes in the payload now. */
static size_t expr_str_size(const struct nftlvs_expr *e, uint16_t attr)
{
	return expr_attr_set(e, attr) ? attr_size(expr_str_of(e, attr)->len) :
					0;
}

/* A copy of @len bytes with a NUL after them. */
static int expr_set_str(struct nftlvs_expr *e, uint16_t attr,
			const void *data, uint32_t len)
{
	struct expr_str *str = expr_str_of(e, attr);
	char *copy;

	if (len > EXPR_PAYLOAD_MAX ||
	    nftlvs_expr_payload_len(e) - expr_str_size(e, attr) +
	    attr_size(len) > EXPR_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, data, len);
	copy[len] = '\0';
	free(str->s);
	str->s = copy;
	str->len = len;
	expr_attr_mark(e, attr);
	return 0;
}

EXPORT_SYMBOL(nftlvs_expr_set);
int nftlvs_expr_set(struct nftlvs_expr *e, uint16_t attr,
		    const void *data, uint32_t len)
{
	int width = expr_attr_width(e, attr);

	if (width == ATTR_STRING && data)
		return expr_set_str(e, attr, data, len);
	if (width <= 0 || width == ATTR_STRING || len != (uint32_t)width ||
	    !data) {
		errno = EINVAL;
		return -1;
	}
	memcpy(e->ops->field(e, attr), data, len);
	expr_attr_mark(e, attr);
	return 0;
}

/* A scalar setter never stores its bytes as a string. */
static int expr_set_scalar(struct nftlvs_expr *e, uint16_t attr,
			   const void *v, uint32_t len)
{
	if (expr_attr_width(e, attr) == ATTR_STRING) {
		errno = EINVAL;
		return -1;
	}
	return nftlvs_expr_set(e, attr, v, len);
}

EXPORT_SYMBOL(nftlvs_expr_set_u8);
int nftlvs_expr_set_u8(struct nftlvs_expr *e, uint16_t attr, uint8_t v)
{
	return expr_set_scalar(e, attr, &v, sizeof(v));
}

EXPORT_SYMBOL(nftlvs_expr_set_u16);
int nftlvs_expr_set_u16(struct nftlvs_expr *e, uint16_t attr, uint16_t v)
{
	return expr_set_scalar(e, attr, &v, sizeof(v));
}

EXPORT_SYMBOL(nftlvs_expr_set_u32);
int nftlvs_expr_set_u32(struct nftlvs_expr *e, uint16_t attr, uint32_t v)
{
	return expr_set_scalar(e, attr, &v, sizeof(v));
}

EXPORT_SYMBOL(nftlvs_expr_set_str);
int nftlvs_expr_set_str(struct nftlvs_expr *e, uint16_t attr,
			const char *str)
{
	if (!str || expr_attr_width(e, attr) != ATTR_STRING) {
		errno = EINVAL;
		return -1;
	}
	return expr_set_str(e, attr, str, strlen(str) + 1);
}

EXPORT_SYMBOL(nftlvs_expr_get);
const void *nftlvs_expr_get(const struct nftlvs_expr *e, uint16_t attr,
			    uint32_t *len)
{
	int width = expr_attr_width(e, attr);

	if (width <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!expr_attr_set(e, attr)) {
		errno = ENOENT;
		return NULL;
	}
	if (width == ATTR_STRING) {
		if (len)
			*len = expr_str_of(e, attr)->len;
		return expr_str_of(e, attr)->s;
	}
	if (len)
		*len = width;
	return e->ops->field(e, attr);
}

EXPORT_SYMBOL(nftlvs_expr_get_str);
const char *nftlvs_expr_get_str(const struct nftlvs_expr *e, uint16_t attr)
{
	if (expr_attr_width(e, attr) != ATTR_STRING) {
		errno = EINVAL;
		return NULL;
	}
	return nftlvs_expr_get(e, attr, NULL);
}

/* Copy @attr into @v if it is set and @len wide. */
static bool expr_get_width(const struct nftlvs_expr *e, uint16_t attr,
			   void *v, uint32_t len)
{
	const void *data;
	uint32_t width;

	if (expr_attr_width(e, attr) == ATTR_STRING) {
		errno = EINVAL;
		return false;
	}
	data = nftlvs_expr_get(e, attr, &width);
	if (!data)
		return false;
	if (width != len) {
		errno = EINVAL;
		return false;
	}
	memcpy(v, data, len);
	return true;
}

EXPORT_SYMBOL(nftlvs_expr_get_u8);
uint8_t nftlvs_expr_get_u8(const struct nftlvs_expr *e, uint16_t attr)
{
	uint8_t v;

	return expr_get_width(e, attr, &v, sizeof(v)) ? v : 0;
}

EXPORT_SYMBOL(nftlvs_expr_get_u16);
uint16_t nftlvs_expr_get_u16(const struct nftlvs_expr *e, uint16_t attr)
{
	uint16_t v;

	return expr_get_width(e, attr, &v, sizeof(v)) ? v : 0;
}

EXPORT_SYMBOL(nftlvs_expr_get_u32);
uint32_t nftlvs_expr_get_u32(const struct nftlvs_expr *e, uint16_t attr)
{
	uint32_t v;

	return expr_get_width(e, attr, &v, sizeof(v)) ? v : 0;
}

uint32_t expr_scalar(const struct nftlvs_expr *e, uint16_t attr)
{
	const void *p = e->ops->field(e, attr);
	uint16_t v16;
	uint32_t v32;

	if (!expr_attr_set(e, attr))
		return 0;
	switch (expr_attr_width(e, attr)) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		memcpy(&v16, p, sizeof(v16));
		return v16;
	case 4:
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	return 0;
}

static void expr_store(struct nftlvs_expr *e, uint16_t attr, uint32_t v)
{
	void *p = e->ops->field(e, attr);
	uint16_t v16 = v;
	uint8_t v8 = v;

	switch (expr_attr_width(e, attr)) {
	case 1:
		memcpy(p, &v8, sizeof(v8));
		break;
	case 2:
		memcpy(p, &v16, sizeof(v16));
		break;
	case 4:
		memcpy(p, &v, sizeof(v));
		break;
	}
	expr_attr_mark(e, attr);
}

EXPORT_SYMBOL(nftlvs_expr_cmp);
bool nftlvs_expr_cmp(const struct nftlvs_expr *a, const struct nftlvs_expr *b)
{
	const struct expr_ops *ops = a->ops;
	const struct expr_str *sa, *sb;
	uint16_t attr;

	if (ops != b->ops || a->flags != b->flags)
		return false;
	for (attr = ops->attr_first; attr < ops->attr_first + ops->nattrs;
	     attr++) {
		if (expr_scalar(a, attr) != expr_scalar(b, attr))
			return false;
		if (expr_attr_width(a, attr) != ATTR_STRING ||
		    !expr_attr_set(a, attr))
			continue;
		sa = expr_str_of(a, attr);
		sb = expr_str_of(b, attr);
		if (sa->len != sb->len || memcmp(sa->s, sb->s, sa->len))
			return false;
	}
	return !ops->cmp_lists || ops->cmp_lists(a, b);
}

EXPORT_SYMBOL(nftlvs_expr_payload_len);
size_t nftlvs_expr_payload_len(const struct nftlvs_expr *e)
{
	const struct expr_ops *ops = e->ops;
	size_t len = attr_size(strlen(ops->name) + 1) + MNL_ATTR_HDRLEN;
	unsigned int i;
	uint16_t attr;

	for (i = 0; i < ops->nattrs; i++) {
		attr = ops->attr_first + i;
		if (!expr_attr_set(e, attr))
			continue;
		if (ops->attr_len[i] == ATTR_STRING)
			len += expr_str_size(e, attr);
		else if (ops->attr_len[i])
			len += attr_size(ops->attr_len[i]);
		else
			len += ops->list_len(e, attr);
	}
	return len;
}

static void expr_build_attr(struct nlmsghdr *nlh, const struct nftlvs_expr *e,
			    uint16_t attr)
{
	uint16_t type = attr - e->ops->attr_first + 1;
	uint32_t v = expr_scalar(e, attr);
	const struct expr_str *str;

	switch (expr_attr_width(e, attr)) {
	case ATTR_STRING:
		str = expr_str_of(e, attr);
		mnl_attr_put(nlh, type, str->len, str->s);
		break;
	case 0:
		e->ops->build_list(nlh, e, attr);
		break;
	case 1:
		mnl_attr_put_u8(nlh, type, v);
		break;
	case 2:
		mnl_attr_put_u16(nlh, type, htons(v));
		break;
	case 4:
		mnl_attr_put_u32(nlh, type, htonl(v));
		break;
	}
}

EXPORT_SYMBOL(nftlvs_expr_build_payload);
void nftlvs_expr_build_payload(struct nlmsghdr *nlh,
			       const struct nftlvs_expr *e)
{
	const struct expr_ops *ops = e->ops;
	struct nlattr *nest;
	uint16_t attr;

	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, ops->name);
	nest = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	for (attr = ops->attr_first; attr < ops->attr_first + ops->nattrs;
	     attr++) {
		if (expr_attr_set(e, attr))
			expr_build_attr(nlh, e, attr);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* A name as the kernel dumps it: NUL-terminated, no NUL before, not empty. */
static int expr_parse_str(struct nftlvs_expr *e, uint16_t attr,
			  const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);
	uint16_t len = mnl_attr_get_payload_len(a);

	if (len < 2 || len > NFT_SET_MAXNAMELEN || memchr(s, '\0', len) !=
	    s + len - 1) {
		errno = EINVAL;
		return -1;
	}
	return expr_set_str(e, attr, s, len);
}

/* NFTA_EXPR_DATA (may be absent: no attributes) into @e. */
static int expr_parse_data(struct nftlvs_expr *e, const struct nlattr *data)
{
	const struct nlattr *tb[EXPR_NATTRS_MAX + 1] = {};
	const struct expr_ops *ops = e->ops;
	struct attr_tb t = { tb, ops->nattrs };
	unsigned int i;
	uint16_t attr;
	int width;

	if (data && attr_parse_nested(data, attr_table_cb, &t) < 0)
		return -1;
	for (i = 0; i < ops->nattrs; i++) {
		if (!tb[i + 1])
			continue;
		attr = ops->attr_first + i;
		width = ops->attr_len[i];
		if (width == ATTR_STRING) {
			if (expr_parse_str(e, attr, tb[i + 1]) < 0)
				return -1;
			continue;
		}
		if (!width) {
			if (ops->parse_list(e, attr, tb[i + 1]) < 0)
				return -1;
			continue;
		}
		if (!attr_len_is(tb[i + 1], width)) {
			errno = EINVAL;
			return -1;
		}
		expr_store(e, attr, width == 1 ? attr_u8(tb[i + 1]) :
				    width == 2 ? attr_be16(tb[i + 1]) :
						 attr_be32(tb[i + 1]));
	}
	return ops->validate ? ops->validate(e) : 0;
}

/*
 * The expression's ops, or NULL with errno EINVAL (malformed) or ENOENT
 * (not ours).
 */
static const struct expr_ops *expr_parse_name(const struct nlattr *elem,
					      const struct nlattr **data)
{
	const struct nlattr *tb[NFTA_EXPR_MAX + 1] = {};
	struct attr_tb t = { tb, NFTA_EXPR_MAX };
	const struct expr_ops *ops;

	if (!elem || mnl_attr_get_len(elem) < MNL_ATTR_HDRLEN ||
	    mnl_attr_get_type(elem) != NFTA_LIST_ELEM ||
	    attr_parse_nested(elem, attr_table_cb, &t) < 0 ||
	    !tb[NFTA_EXPR_NAME] ||
	    mnl_attr_validate(tb[NFTA_EXPR_NAME], MNL_TYPE_NUL_STRING) < 0) {
		errno = EINVAL;
		return NULL;
	}
	ops = expr_ops_lookup(mnl_attr_get_str(tb[NFTA_EXPR_NAME]));
	if (!ops) {
		errno = ENOENT;
		return NULL;
	}
	*data = tb[NFTA_EXPR_DATA];
	return ops;
}

EXPORT_SYMBOL(nftlvs_expr_parse);
struct nftlvs_expr *nftlvs_expr_parse(const struct nlattr *elem)
{
	const struct nlattr *data = NULL;
	const struct expr_ops *ops;
	struct nftlvs_expr *e;

	ops = expr_parse_name(elem, &data);
	if (!ops)
		return NULL;
	e = nftlvs_expr_alloc(ops->name);
	if (!e)
		return NULL;
	if (expr_parse_data(e, data) < 0) {
		if (errno != ENOMEM)
			errno = EINVAL;
		nftlvs_expr_free(e);
		return NULL;
	}
	return e;
}

EXPORT_SYMBOL(nftlvs_expr_snprintf);
int nftlvs_expr_snprintf(char *buf, size_t size, const struct nftlvs_expr *e,
			 uint32_t type, uint32_t flags)
{
	struct out o = { .buf = buf, .size = size };

	if (size)
		buf[0] = '\0';
	switch (type) {
	case NFTLVS_OUTPUT_DEFAULT:
		e->ops->output(&o, e, flags);
		break;
	case NFTLVS_OUTPUT_JSON:
		e->ops->output_json(&o, e, flags);
		break;
	default:
		errno = EOPNOTSUPP;
		return -1;
	}
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

EXPORT_SYMBOL(nftlvs_flag_lookup);
uint32_t nftlvs_flag_lookup(const char *expr_name, const char *flag)
{
	const struct expr_ops *ops;
	unsigned int i;

	if (!expr_name || !flag)
		return 0;
	ops = expr_ops_lookup(expr_name);
	for (i = 0; ops && i < ops->nflags; i++) {
		if (!strcmp(ops->flag_names[i], flag))
			return 1U << i;
	}
	return 0;
}

EXPORT_SYMBOL(nftlvs_flag_name);
const char *nftlvs_flag_name(const char *expr_name, uint32_t bit)
{
	const struct expr_ops *ops;
	unsigned int i;

	if (!expr_name)
		return NULL;
	ops = expr_ops_lookup(expr_name);
	for (i = 0; ops && i < ops->nflags; i++) {
		if (bit == 1U << i)
			return ops->flag_names[i];
	}
	return NULL;
}
