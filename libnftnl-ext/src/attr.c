// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strict reading of netlink attributes: every parse in libnftlvs goes
 * through here, so a malformed dump is refused instead of half-read.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "internal.h"

/*
 * Like mnl_attr_parse_nested(), but refuses trailing bytes that do not
 * form a whole attribute: libmnl stops there silently, which would hide a
 * truncated list.
 */
int attr_parse_nested(const struct nlattr *nest, mnl_attr_cb_t cb, void *data)
{
	const char *end = (const char *)mnl_attr_get_payload(nest) +
			  mnl_attr_get_payload_len(nest);
	const struct nlattr *pos;

	mnl_attr_for_each_nested(pos, nest) {
		if (cb(pos, data) <= MNL_CB_STOP)
			return -1;
	}
	if ((const char *)pos < end) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int attr_table_cb(const struct nlattr *attr, void *data)
{
	struct attr_tb *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Newer kernels may append attributes: ignore what we do not know. */
	if (type == 0 || type > t->max)
		return MNL_CB_OK;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

bool attr_len_is(const struct nlattr *attr, size_t len)
{
	return mnl_attr_get_payload_len(attr) == len;
}

/* memcpy: attributes of a corrupted message need not be aligned. */
uint8_t attr_u8(const struct nlattr *attr)
{
	return *(const uint8_t *)mnl_attr_get_payload(attr);
}

uint16_t attr_be16(const struct nlattr *attr)
{
	uint16_t v;

	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return ntohs(v);
}

uint32_t attr_be32(const struct nlattr *attr)
{
	uint32_t v;

	memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return ntohl(v);
}
