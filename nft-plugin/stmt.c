// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our statements by number, and the placeholders that stand for them where
 * stock nft and libnftnl must not see them.
 *
 * A placeholder is `log prefix "nftlvs-NONCE-N"`: nft accepts a log
 * statement in every family, chain type and hook, compiles it into exactly
 * one expression whose only attribute is that prefix, and prints it back
 * unchanged, in text and JSON. NONCE is random per process, so a user's
 * own log prefix can never be taken for one of ours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include <libnftlvs/expr.h>

#include "nftlvs.h"

static struct stmt *stmts;
static unsigned int nstmts, stmts_size;
static char prefix[32];

void marker_init(void)
{
	uint32_t nonce;

	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) != sizeof(nonce))
		nonce = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	snprintf(prefix, sizeof(prefix), "nftlvs-%08x-", nonce);
}

const char *marker_prefix(void)
{
	return prefix;
}

int marker_format(char *buf, size_t size, unsigned int idx)
{
	return snprintf(buf, size, "%s%u", prefix, idx);
}

int marker_parse(const char *s, size_t len)
{
	size_t plen = strlen(prefix);
	unsigned long idx = 0;
	size_t i;

	if (len <= plen || len > plen + 9 || memcmp(s, prefix, plen))
		return -1;
	for (i = plen; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		idx = idx * 10 + (s[i] - '0');
	}
	return idx < nstmts ? (int)idx : -1;
}

int placeholder_text(char *buf, size_t size, unsigned int idx)
{
	return snprintf(buf, size, "log prefix \"%s%u\"", prefix, idx);
}

int placeholder_json(char *buf, size_t size, unsigned int idx)
{
	return snprintf(buf, size, "{\"log\": {\"prefix\": \"%s%u\"}}",
			prefix, idx);
}

/* Takes @e (which may be NULL: an expression we could not read). */
int stmt_add(struct nftlvs_expr *e, const char *name)
{
	struct stmt *s;

	if (nstmts == stmts_size) {
		s = realloc(stmts, (stmts_size ? 2 * stmts_size : 64) *
				   sizeof(*s));
		if (!s) {
			nftlvs_expr_free(e);
			return -1;
		}
		stmts = s;
		stmts_size = stmts_size ? 2 * stmts_size : 64;
	}
	s = &stmts[nstmts];
	memset(s, 0, sizeof(*s));
	s->expr = e;
	snprintf(s->name, sizeof(s->name), "%s",
		 e ? nftlvs_expr_get_name(e) : name);
	return nstmts++;
}

struct stmt *stmt_get(unsigned int idx)
{
	return idx < nstmts ? &stmts[idx] : NULL;
}

unsigned int stmt_count(void)
{
	return nstmts;
}

void stmt_free_all(void)
{
	unsigned int i;

	for (i = 0; i < nstmts; i++)
		nftlvs_expr_free(stmts[i].expr);
	free(stmts);
	stmts = NULL;
	nstmts = stmts_size = 0;
}
