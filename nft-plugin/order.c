// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The order of creations in a batch built from JSON input.
 *
 * nft creates the objects of a JSON file in the file's order, and its JSON
 * listing puts sets, maps and named objects before the chains. Loaded back,
 * a verdict map element that jumps to a chain fails (ENOENT: no such chain
 * yet), and handles are handed out in another order than a text load gives,
 * so the listing changes. In every run of consecutive creations in a batch,
 * the tables are moved first and the chains right after them, the order nft
 * gives a text file; everything else keeps its order, and every message its
 * sequence number, so errors still point at their commands.
 */
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "nftlvs.h"

static bool is_creation(const struct nlmsghdr *nlh)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return false;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_NEWSET:
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_NEWOBJ:
	case NFT_MSG_NEWFLOWTABLE:
	case NFT_MSG_NEWRULE:
		return true;
	}
	return false;
}

/* Tables first, then chains, then the rest. */
static int creation_rank(const struct nlmsghdr *nlh)
{
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
		return 0;
	case NFT_MSG_NEWCHAIN:
		return 1;
	}
	return 2;
}

/* The message at @p if a whole one lies before @end, else NULL. */
static const struct nlmsghdr *msg_at(const char *p, const char *end)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;

	if ((size_t)(end - p) < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) ||
	    nlh->nlmsg_len > (size_t)(end - p))
		return NULL;
	return nlh;
}

/* Its length with padding, as far as the buffer goes. */
static size_t msg_size(const struct nlmsghdr *nlh, const char *end)
{
	size_t n = MNL_ALIGN(nlh->nlmsg_len), left = end - (const char *)nlh;

	return n < left ? n : left;
}

/* Tables, then chains, first in each run of creations of @buf. */
int splice_chains_first(void *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	char *tmp, *p = buf, *end = p + len, *run, *q;
	size_t pos;
	int rank;

	tmp = malloc(len ? len : 1);
	if (!tmp)
		return -1;
	while ((nlh = msg_at(p, end))) {
		if (!is_creation(nlh)) {
			p += msg_size(nlh, end);
			continue;
		}
		run = p;
		while ((nlh = msg_at(p, end)) && is_creation(nlh))
			p += msg_size(nlh, end);
		/* [run, p) is a run of creations: rebuild it rank by rank. */
		pos = 0;
		for (rank = 0; rank <= 2; rank++) {
			for (q = run; q < p; q += msg_size(nlh, p)) {
				nlh = (const struct nlmsghdr *)q;
				if (creation_rank(nlh) != rank)
					continue;
				memcpy(tmp + pos, q, msg_size(nlh, p));
				pos += msg_size(nlh, p);
			}
		}
		memcpy(run, tmp, pos);
	}
	free(tmp);
	return 0;
}
