// SPDX-License-Identifier: GPL-2.0
/*
 * Server states and the pool's set.
 *
 * A server goes down after `fall` failed checks in a row and comes up after
 * `rise` good ones. The set is then made to hold exactly: every up server
 * with its weight; every down server with weight 0 when the pool says
 * `inhibit` (keepalived's inhibit_on_failure), else nothing; the sorry
 * server only while no server is up; and nothing else, because the config
 * is the source of truth for the pools it names. One batch per pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "healthd.h"

static void set_state(struct server *s, bool up, const char *reason)
{
	bool changed = s->up != up;

	s->up = up;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	if (changed) {
		s->last_change_ms = wall_ms();
		s->pool->dirty = true;
		logmsg(up ? LOG_NOTICE : LOG_WARNING, "pool %s: server %s is %s: %s",
		       s->pool->name, s->name, up ? "UP" : "DOWN", reason);
	}
}

void server_result(struct server *s, bool ok, const char *what)
{
	char reason[REASON_MAX];

	s->checks++;
	s->last_check_ms = wall_ms();
	snprintf(s->last, sizeof(s->last), "%s: %s", ok ? "ok" : "failed", what);
	if (ok) {
		s->ok_run++;
		s->fail_run = 0;
	} else {
		s->failures++;
		s->fail_run++;
		s->ok_run = 0;
	}
	if (!s->up && ok && s->ok_run >= s->check.rise) {
		snprintf(reason, sizeof(reason), "%u good check%s (rise %u), last: %s",
			 s->ok_run, s->ok_run == 1 ? "" : "s", s->check.rise, what);
		set_state(s, true, reason);
	} else if (s->up && !ok && s->fail_run >= s->check.fall) {
		snprintf(reason, sizeof(reason), "%u failed check%s (fall %u), last: %s",
			 s->fail_run, s->fail_run == 1 ? "" : "s", s->check.fall, what);
		set_state(s, false, reason);
	}
	server_next(s);
}

/*
 * The next check is due one interval after this one was due, so that a late
 * wake-up does not shift every later check; a check that ran past the next
 * slot (a timeout longer than the interval) is followed at once.
 */
void server_next(struct server *s)
{
	uint64_t next = s->probe.slot_ms + s->check.interval_ms, now = now_ms();

	timer_set(s, next > now ? next : now);
}

/*
 * At start, before any check: a server already in the set (with a weight
 * above 0) stays there until its checks fail, so a daemon restart drops no
 * healthy server; one configured `up` is put in; every other starts down
 * and waits for `rise` good checks.
 */
void pool_init_states(struct config *cf)
{
	size_t i, j;
	char err[REASON_MAX];

	for (i = 0; i < cf->npools; i++) {
		struct pool *p = cf->pools[i];
		struct set_view v;
		bool have = nftset_read(p, &v, err, sizeof(err)) == 0;

		for (j = 0; j < p->nservers; j++) {
			struct server *s = p->servers[j];
			struct set_elem *e = have ? set_view_find(&v, &s->addr, v.has_port ? s->port : 0) : NULL;

			s->up = false;
			if (s->start_up) {
				s->up = true;
				snprintf(s->reason, sizeof(s->reason),
					 "configured up; waiting for its first checks");
			} else if (e && e->weight > 0) {
				s->up = true;
				snprintf(s->reason, sizeof(s->reason),
					 "in the set at start; kept until its checks fail");
			} else {
				snprintf(s->reason, sizeof(s->reason),
					 "starts down; waiting for %u good check%s",
					 s->check.rise, s->check.rise == 1 ? "" : "s");
			}
			s->last_change_ms = wall_ms();
		}
		p->dirty = true;
		set_view_free(&v);
	}
}

/*
 * After a reload: servers whose pool, address, port and check are unchanged
 * keep their state and counters; the others start as at start. A check in
 * flight is not carried over: the server is checked again right away.
 */
void config_take_state(struct config *next, struct config *prev)
{
	size_t i, j, k, l;

	for (i = 0; i < next->npools; i++) {
		struct pool *np = next->pools[i];

		for (k = 0; k < prev->npools; k++) {
			struct pool *op = prev->pools[k];

			if (strcmp(op->name, np->name))
				continue;
			np->sorry_active = op->sorry_active;
			for (j = 0; j < np->nservers; j++) {
				struct server *ns = np->servers[j];

				for (l = 0; l < op->nservers; l++) {
					struct server *os = op->servers[l];

					if (os->port != ns->port ||
					    memcmp(&os->addr, &ns->addr, sizeof(ns->addr)) ||
					    !check_conf_equal(&os->check, &ns->check))
						continue;
					ns->up = os->up;
					ns->ok_run = os->ok_run;
					ns->fail_run = os->fail_run;
					ns->checks = os->checks;
					ns->failures = os->failures;
					ns->last_check_ms = os->last_check_ms;
					ns->last_change_ms = os->last_change_ms;
					memcpy(ns->last, os->last, sizeof(ns->last));
					memcpy(ns->reason, os->reason, sizeof(ns->reason));
					ns->in_flight = false;
					break;
				}
			}
		}
		np->dirty = true;
	}
}

struct plan {
	struct set_change *ch;
	size_t n, cap;
};

static void plan_add(struct plan *pl, enum set_op op, const struct addr *a, uint16_t port,
		     unsigned int weight)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 16;
		pl->ch = realloc(pl->ch, pl->cap * sizeof(*pl->ch));
		if (!pl->ch)
			abort();
	}
	pl->ch[pl->n++] = (struct set_change){ .op = op, .addr = *a, .port = port,
					       .weight = weight };
}

/* Makes the element (a, port) hold `weight`, or be absent when want is false. */
static void plan_elem(struct plan *pl, struct set_view *v, const struct addr *a,
		      uint16_t port, bool want, unsigned int weight)
{
	struct set_elem *e = set_view_find(v, a, port);

	if (!v->is_map)
		weight = 1;
	if (e)
		e->matched = true;
	if (e && (!want || e->weight != weight))
		plan_add(pl, SET_DEL, a, port, 0);
	if (want && (!e || e->weight != weight))
		plan_add(pl, SET_ADD, a, port, weight);
}

static void shape_problem(struct pool *p, const char *msg)
{
	if (strcmp(p->shape_error, msg)) {
		snprintf(p->shape_error, sizeof(p->shape_error), "%s", msg);
		logmsg(LOG_ERR, "pool %s: set %s %s %s: %s", p->name, p->family_name,
		       p->table, p->set, msg);
	}
}

/* Whether the servers fit the set's shape; said once per new problem. */
static bool shape_fits(struct pool *p, const struct set_view *v)
{
	char msg[REASON_MAX];
	size_t i;

	for (i = 0; i < p->nservers; i++) {
		const struct server *s = p->servers[i];

		if (s->addr.family != v->key_family) {
			snprintf(msg, sizeof(msg), "server %s is not of the set's address family",
				 s->name);
			shape_problem(p, msg);
			return false;
		}
		if (v->has_port && !s->port) {
			snprintf(msg, sizeof(msg),
				 "the set holds ADDRESS . PORT and server %s has no port", s->name);
			shape_problem(p, msg);
			return false;
		}
	}
	if (p->has_sorry && (p->sorry_addr.family != v->key_family ||
			     (v->has_port && !p->sorry_port))) {
		snprintf(msg, sizeof(msg), "the sorry server %s does not fit the set's key",
			 p->sorry_name);
		shape_problem(p, msg);
		return false;
	}
	p->shape_error[0] = 0;
	return true;
}

static int pool_sync(struct pool *p)
{
	char err[REASON_MAX];
	struct plan pl = { 0 };
	struct set_view v;
	bool any_up = false;
	size_t i;
	int ret;

	ret = nftset_read(p, &v, err, sizeof(err));
	if (ret && !v.exists) {
		if (!p->set_missing)
			logmsg(LOG_WARNING, "pool %s: set %s %s %s: %s; it is edited once it exists",
			       p->name, p->family_name, p->table, p->set, err);
		p->set_missing = true;
		return 0;	/* the monitor tells when it appears */
	}
	if (p->set_missing)
		logmsg(LOG_NOTICE, "pool %s: set %s %s %s is there now", p->name,
		       p->family_name, p->table, p->set);
	p->set_missing = false;
	if (ret) {
		shape_problem(p, err);
		set_view_free(&v);
		return 0;
	}
	if (!shape_fits(p, &v)) {
		set_view_free(&v);
		return 0;
	}
	for (i = 0; i < p->nservers; i++) {
		struct server *s = p->servers[i];
		uint16_t port = v.has_port ? s->port : 0;

		any_up |= s->up;
		if (s->up)
			plan_elem(&pl, &v, &s->addr, port, true, s->weight);
		else
			plan_elem(&pl, &v, &s->addr, port, p->inhibit && v.is_map, 0);
	}
	if (p->has_sorry) {
		plan_elem(&pl, &v, &p->sorry_addr, v.has_port ? p->sorry_port : 0, !any_up,
			  p->sorry_weight);
		if (p->sorry_active != !any_up)
			logmsg(any_up ? LOG_NOTICE : LOG_WARNING,
			       "pool %s: %s sorry server %s", p->name,
			       any_up ? "a server is up again; removing the" :
					"every server is down; using the",
			       p->sorry_name);
		p->sorry_active = !any_up;
	}
	for (i = 0; i < v.nelems; i++) {
		struct set_elem *e = &v.elems[i];
		char name[64];

		if (e->matched)
			continue;
		addr_format(&e->addr, e->port, name, sizeof(name));
		logmsg(LOG_NOTICE, "pool %s: removing %s from the set: not a server of the pool",
		       p->name, name);
		plan_add(&pl, SET_DEL, &e->addr, e->port, 0);
	}
	ret = 0;
	if (pl.n) {
		ret = nftset_apply(p, &v, pl.ch, pl.n, err, sizeof(err));
		if (ret)
			logmsg(LOG_ERR, "pool %s: editing set %s %s %s failed: %s", p->name,
			       p->family_name, p->table, p->set, err);
	}
	free(pl.ch);
	set_view_free(&v);
	return ret;
}

/*
 * Brings every dirty pool's set to the checked state. A batch that fails
 * (someone edited the set between our read and our write) is tried again
 * from a fresh read, twice at most; after that the pool stays dirty for the
 * next round.
 */
void pools_sync(struct config *cf)
{
	size_t i;
	int tries;

	for (i = 0; i < cf->npools; i++) {
		struct pool *p = cf->pools[i];

		if (!p->dirty)
			continue;
		for (tries = 0; tries < 3; tries++)
			if (!pool_sync(p))
				break;
		if (tries < 3)
			p->dirty = false;
	}
}
