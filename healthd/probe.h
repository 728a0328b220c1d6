/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the checker: what probe.c (connections, TLS, commands, timers)
 * and probe_http.c (HTTP requests and responses) share.
 */
#ifndef _NFTLVS_HEALTHD_PROBE_H
#define _NFTLVS_HEALTHD_PROBE_H

#include "healthd.h"

/* End the check of @s with a verdict and its reason (the time is added). */
void probe_finish(struct server *s, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Wait for @events on the check's descriptor. */
void probe_watch(struct server *s, int epfd, uint32_t events);

/* HTTP (probe_http.c); body_matches() judges UDP replies too. */
void http_request(struct server *s);
int http_read(struct server *s, int epfd);
void http_judge(struct server *s);
bool body_matches(struct server *s, const char *body, size_t len, char *why,
		  size_t whylen);

#endif /* _NFTLVS_HEALTHD_PROBE_H */
