/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _NFTLVS_INTERNAL_H_
#define _NFTLVS_INTERNAL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftlvs/expr.h>

/* Built with -fvisibility=hidden: only what is marked here is exported. */
#define __visible		__attribute__((visibility("default")))
#define EXPORT_SYMBOL(x)	typeof(x) (x) __visible

#define UNUSED			__attribute__((unused))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * The largest payload one expression may have: its NFTA_LIST_ELEM and the
 * rule's NFTA_RULE_EXPRESSIONS nest must still fit a 16-bit nla_len.
 */
#define EXPR_PAYLOAD_MAX	(UINT16_MAX - 2 * MNL_ATTR_HDRLEN)

/*
 * attr_len of a string attribute. Strings are names of nft sets: one that
 * the kernel dumps is at most NFT_SET_MAXNAMELEN bytes, its NUL included.
 */
#define ATTR_STRING		0xff

/* A string attribute: @len bytes as set, and a NUL after them. */
struct expr_str {
	char		*s;
	uint16_t	len;
};

/* Text being printed, with snprintf()'s semantics: len keeps counting. */
struct out {
	char	*buf;
	size_t	size;
	size_t	len;
};

void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void out_addr(struct out *o, const void *addr, size_t len, bool bracket);
void out_time(struct out *o, uint32_t secs, uint32_t flags);
void out_flags(struct out *o, const char *const *names, unsigned int n,
	       uint32_t flags, const char *sep, bool json);
void out_json_escaped(struct out *o, const char *s);
void out_json_key(struct out *o, bool *opened, const char *key);
void out_json_end(struct out *o, bool opened);

struct nftlvs_expr;

/*
 * One expression. Its attribute ids run from attr_first in the order of
 * the uapi enum, so id attr_first + i is netlink type i + 1. attr_len
 * holds each one's width: 1, 2 or 4 for scalars (u8 sent as is, u16 and
 * u32 big endian), ATTR_STRING for strings (field() gives their struct
 * expr_str), 0 for the lists that the list callbacks handle.
 */
struct expr_ops {
	const char		*name;
	size_t			alloc_len;
	uint16_t		attr_first;
	uint16_t		nattrs;
	const uint8_t		*attr_len;
	const char *const	*flag_names;	/* indexed by bit number */
	unsigned int		nflags;
	void	*(*field)(const struct nftlvs_expr *e, uint16_t attr);
	void	(*free)(struct nftlvs_expr *e);
	size_t	(*list_len)(const struct nftlvs_expr *e, uint16_t attr);
	void	(*build_list)(struct nlmsghdr *nlh, const struct nftlvs_expr *e,
			      uint16_t attr);
	int	(*parse_list)(struct nftlvs_expr *e, uint16_t attr,
			      const struct nlattr *nest);
	bool	(*cmp_lists)(const struct nftlvs_expr *a,
			     const struct nftlvs_expr *b);
	/* After parsing: mandatory attributes and value ranges. */
	int	(*validate)(const struct nftlvs_expr *e);
	void	(*output)(struct out *o, const struct nftlvs_expr *e,
			  uint32_t flags);
	void	(*output_json)(struct out *o, const struct nftlvs_expr *e,
			       uint32_t flags);
};

struct nftlvs_expr {
	const struct expr_ops	*ops;
	uint32_t		flags;	/* bit (attr - attr_first): set */
	uint64_t		data[];	/* ops->alloc_len bytes */
};

static inline void *nftlvs_expr_data(const struct nftlvs_expr *e)
{
	return (void *)e->data;
}

static inline bool expr_attr_set(const struct nftlvs_expr *e, uint16_t attr)
{
	return e->flags & (1U << (attr - e->ops->attr_first));
}

static inline void expr_attr_mark(struct nftlvs_expr *e, uint16_t attr)
{
	e->flags |= 1U << (attr - e->ops->attr_first);
}

extern const struct expr_ops expr_ops_dispatch;
extern const struct expr_ops expr_ops_synproxy_lb;
extern const struct expr_ops expr_ops_fullnat;

/* Bytes an attribute with @len bytes of payload takes, padding included. */
static inline size_t attr_size(size_t len)
{
	return MNL_ALIGN(MNL_ATTR_HDRLEN + len);
}

/* Strict netlink attribute reading (attr.c). */
int attr_parse_nested(const struct nlattr *nest, mnl_attr_cb_t cb, void *data);
/* For attr_table_cb(): tb[type] = attr for types 1..max, others ignored. */
struct attr_tb {
	const struct nlattr	**tb;
	uint16_t		max;
};
int attr_table_cb(const struct nlattr *attr, void *data);
bool attr_len_is(const struct nlattr *attr, size_t len);
uint8_t attr_u8(const struct nlattr *attr);
uint16_t attr_be16(const struct nlattr *attr);
uint32_t attr_be32(const struct nlattr *attr);

/* A scalar of @e in host order, widened; 0 if unset. */
uint32_t expr_scalar(const struct nftlvs_expr *e, uint16_t attr);

#endif /* _NFTLVS_INTERNAL_H_ */
