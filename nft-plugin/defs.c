// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Variables (define, redefine, undefine, -D), so that our statements can
 * use them: `fullnat to { $rs1:8080, $rs2:8080 } via $lips`. As in nft, a
 * table or chain block opens a scope, and the top scope lives as long as
 * the process (interactive mode keeps its variables).
 *
 * Values are kept as text and parsed where they are used.
 */
#include <stdlib.h>
#include <string.h>

#include "nftlvs.h"

struct def {
	char		*name;
	char		*value;
	struct def	*next;
};

#define SCOPES_MAX	8

static struct def *scopes[SCOPES_MAX];
static unsigned int depth;	/* scopes[depth] is the innermost one */
static unsigned int overflow;	/* scopes opened beyond SCOPES_MAX */

static void scope_free(struct def *d)
{
	struct def *next;

	for (; d; d = next) {
		next = d->next;
		free(d->name);
		free(d->value);
		free(d);
	}
}

void defs_push(void)
{
	if (depth + 1 < SCOPES_MAX)
		scopes[++depth] = NULL;
	else
		overflow++;
}

void defs_pop(void)
{
	if (overflow) {
		overflow--;
	} else if (depth) {
		scope_free(scopes[depth]);
		scopes[depth--] = NULL;
	}
}

static struct def *defs_lookup(unsigned int scope, const char *name,
			       size_t nlen)
{
	struct def *d;

	for (d = scopes[scope]; d; d = d->next) {
		if (strlen(d->name) == nlen && !memcmp(d->name, name, nlen))
			return d;
	}
	return NULL;
}

/*
 * nft refuses to define a name twice in one scope unless redefined; that
 * is nft's error to report, so here the newest value simply wins.
 */
int defs_set(const char *name, size_t nlen, const char *value, size_t vlen,
	     bool redefine)
{
	struct def *d = defs_lookup(depth, name, nlen);
	char *v = strndup(value, vlen);

	(void)redefine;
	if (!v)
		return -1;
	if (d) {
		free(d->value);
		d->value = v;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strndup(name, nlen))) {
		free(d);
		free(v);
		return -1;
	}
	d->value = v;
	d->next = scopes[depth];
	scopes[depth] = d;
	return 0;
}

void defs_unset(const char *name, size_t nlen)
{
	struct def **pp, *d;

	for (pp = &scopes[depth]; (d = *pp); pp = &d->next) {
		if (strlen(d->name) == nlen && !memcmp(d->name, name, nlen)) {
			*pp = d->next;
			d->next = NULL;
			scope_free(d);
			return;
		}
	}
}

const char *defs_get(const char *name, size_t nlen)
{
	unsigned int i = depth + 1;
	struct def *d;

	while (i--) {
		d = defs_lookup(i, name, nlen);
		if (d)
			return d->value;
	}
	return NULL;
}

void defs_free_all(void)
{
	while (depth)
		defs_pop();
	scope_free(scopes[0]);
	scopes[0] = NULL;
	overflow = 0;
}
