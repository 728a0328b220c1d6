// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keepalived's checkers (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK) as
 * nftlvs-healthd checks: their timings as faithfully as healthd's
 * interval, timeout, rise and fall allow; what healthd has no counterpart
 * for is named with its line.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* keepalived's defaults: delay_loop 60 s, connect_timeout 5 s. */
#define KA_DELAY_LOOP_MS	60000
#define KA_CONNECT_TIMEOUT_MS	5000
#define HEALTHD_MAX_MS		3600000

unsigned int kcheck_clamp_ms(const struct knode *n, unsigned int ms)
{
	if (ms <= HEALTHD_MAX_MS)
		return ms;
	imp_warn(&n->key->loc, "%s: nftlvs-healthd's limit is 1 hour, which is used", n->key->s);
	return HEALTHD_MAX_MS;
}

/* status_code 200 or 200-299 (keepalived 2). */
static void status_code(const struct knode *n, struct imp_check *c)
{
	const char *s = knode_arg(n, 0);
	unsigned long lo, hi;
	char *end;

	if (!knode_need(n, 1))
		return;
	lo = hi = strtoul(s, &end, 10);
	if (*end == '-')
		hi = strtoul(end + 1, &end, 10);
	if (*end || lo < 100 || hi > 599 || lo > hi) {
		imp_warn(&n->key->loc, "status_code %s: not carried over (nftlvs-healthd takes a code or a range 100-599); the check accepts any status", s);
		return;
	}
	c->status_lo = (unsigned int)lo;
	c->status_hi = (unsigned int)hi;
}

static void url_block(const struct knode *u, struct imp_check *c)
{
	const struct knode *k;
	unsigned int i;

	for (i = 0; i < u->nkids; i++) {
		k = &u->kids[i];
		if (!strcmp(k->key->s, "path")) {
			if (knode_need(k, 1) && (knode_arg(k, 0)[0] != '/' || strpbrk(knode_arg(k, 0), " \t")))
				imp_error(&k->key->loc, "path: '%s' must start with '/' and hold no blanks", knode_arg(k, 0));
			else if (k->nargs)
				c->path = imp_strdup(knode_arg(k, 0));
		} else if (!strcmp(k->key->s, "status_code")) {
			status_code(k, c);
		} else if (!strcmp(k->key->s, "digest")) {
			if (knode_need(k, 1) && strlen(knode_arg(k, 0)) == 32 &&
			    strspn(knode_arg(k, 0), "0123456789abcdefABCDEF") == 32)
				c->digest = imp_strdup(knode_arg(k, 0));
			else
				imp_warn(&k->key->loc, "digest: not an MD5 digest (32 hex digits): not carried over");
		} else {
			knode_ignored(k);
		}
	}
}

static const struct {
	const char		*name;
	enum imp_check_kind	kind;
} checkers[] = {
	{ "TCP_CHECK", IMP_CHECK_TCP }, { "HTTP_GET", IMP_CHECK_HTTP },
	{ "SSL_GET", IMP_CHECK_HTTPS }, { "MISC_CHECK", IMP_CHECK_EXEC },
};

static bool check_option(const struct knode *k, struct imp_check *c,
			 bool *urls)
{
	const char *key = k->key->s;
	unsigned int v;

	if (!strcmp(key, "connect_port")) {
		if (knode_need(k, 1) && (imp_port_parse(knode_arg(k, 0), &c->port) || !c->port))
			imp_error(&k->key->loc, "connect_port: '%s' is not 1-65535", knode_arg(k, 0));
	} else if (!strcmp(key, "connect_timeout") || !strcmp(key, "misc_timeout")) {
		if (knode_seconds(k, &c->timeout_ms))
			c->timeout_ms = kcheck_clamp_ms(k, c->timeout_ms);
	} else if (!strcmp(key, "delay_loop")) {
		if (knode_seconds(k, &c->interval_ms))
			c->interval_ms = kcheck_clamp_ms(k, c->interval_ms);
	} else if (!strcmp(key, "nb_get_retry")) {
		/* keepalived 1: the number of attempts before the server is down */
		if (knode_uint(k, 100, &v))
			c->fall = v ? v : 1;
	} else if (!strcmp(key, "retry")) {
		/* keepalived 2: retries after a first failure */
		if (knode_uint(k, 99, &v))
			c->fall = v + 1;
	} else if (!strcmp(key, "delay_before_retry")) {
		imp_warn(&k->key->loc, "delay_before_retry: nftlvs-healthd retries at the check's interval: not carried over");
	} else if (!strcmp(key, "bindto")) {
		if (knode_need(k, 1) && imp_addr_parse(knode_arg(k, 0), &c->source))
			imp_error(&k->key->loc, "bindto: '%s' is not an IP address", knode_arg(k, 0));
		c->has_source = c->source.family != 0;
	} else if (!strcmp(key, "virtualhost") && (c->kind == IMP_CHECK_HTTP ||
						    c->kind == IMP_CHECK_HTTPS)) {
		if (knode_need(k, 1)) {
			free(c->host);
			c->host = imp_strdup(knode_arg(k, 0));
		}
	} else if (!strcmp(key, "url") && c->kind != IMP_CHECK_TCP &&
		   c->kind != IMP_CHECK_EXEC) {
		if (*urls)
			imp_warn(&k->key->loc, "url: nftlvs-healthd checks one URL per server: only the first is carried over");
		else
			url_block(k, c);
		*urls = true;
	} else if (!strcmp(key, "misc_path") && c->kind == IMP_CHECK_EXEC) {
		if (knode_need(k, 1))
			c->command = imp_strdup(knode_arg(k, 0));
	} else if (!strcmp(key, "misc_dynamic")) {
		imp_warn(&k->key->loc, "misc_dynamic: the script's exit code does not set the weight in nftlvs-healthd (0 is up, anything else down): not carried over");
	} else {
		return false;
	}
	return true;
}

static void checker(const struct knode *n, struct imp_server *rs,
		    enum imp_check_kind kind)
{
	struct imp_check *c = &rs->check;
	bool urls = false;
	unsigned int i;

	if (c->kind != IMP_CHECK_NONE) {
		imp_warn(&n->key->loc, "%s: nftlvs-healthd runs one check per server: only the first checker is carried over",
			 n->key->s);
		return;
	}
	c->kind = kind;
	c->rise = c->fall = 1;	/* keepalived: one result changes the state */
	for (i = 0; i < n->nkids; i++)
		if (!check_option(&n->kids[i], c, &urls))
			knode_ignored(&n->kids[i]);
	if (kind == IMP_CHECK_EXEC && !c->command)
		imp_error(&n->key->loc, "MISC_CHECK without misc_path");
}

bool kcheck_parse(const struct knode *n, struct imp_server *rs)
{
	unsigned int i;

	for (i = 0; i < sizeof(checkers) / sizeof(checkers[0]); i++) {
		if (!strcmp(n->key->s, checkers[i].name)) {
			checker(n, rs, checkers[i].kind);
			return true;
		}
	}
	return false;
}

/* Fill what the checks left to keepalived's defaults. */
void kcheck_defaults(struct imp_service *s, unsigned int interval_ms,
		     const char *host)
{
	struct imp_check *c;
	unsigned int i;

	for (i = 0; i < s->nservers; i++) {
		c = &s->servers[i].check;
		if (!c->interval_ms)
			c->interval_ms = interval_ms ? interval_ms : KA_DELAY_LOOP_MS;
		if (!c->timeout_ms)
			c->timeout_ms = c->kind == IMP_CHECK_EXEC ? c->interval_ms :
					KA_CONNECT_TIMEOUT_MS;
		if (!c->host && host && (c->kind == IMP_CHECK_HTTP ||
					 c->kind == IMP_CHECK_HTTPS))
			c->host = imp_strdup(host);
		/* keepalived without status_code: any status is up */
		if ((c->kind == IMP_CHECK_HTTP || c->kind == IMP_CHECK_HTTPS) &&
		    !c->status_lo) {
			c->status_lo = 100;
			c->status_hi = 599;
		}
	}
}
