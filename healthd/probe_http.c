// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP part of the http and https checks: the request, reading the
 * response as it arrives (plain or through TLS) and judging its status and
 * body, and the body expectation UDP replies share. Connecting, TLS and the
 * timers are probe.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "healthd.h"
#include "probe.h"

void http_request(struct server *s)
{
	const struct check_conf *c = &s->check;
	char host[INET6_ADDRSTRLEN + 2];
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (c->host) {
		snprintf(host, sizeof(host), "%.*s", (int)sizeof(host) - 1, c->host);
	} else {
		inet_ntop(s->addr.family, &s->addr.v4, ip, sizeof(ip));
		snprintf(host, sizeof(host), s->addr.family == AF_INET6 ? "[%s]" : "%s", ip);
	}
	n = snprintf(NULL, 0,
		     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: nftlvs-healthd\r\n"
		     "Connection: close\r\n\r\n", c->path, c->host ? c->host : host);
	s->probe.cap = (size_t)n + 1;
	s->probe.buf = malloc(s->probe.cap);
	if (!s->probe.buf)
		abort();
	snprintf(s->probe.buf, s->probe.cap,
		 "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: nftlvs-healthd\r\n"
		 "Connection: close\r\n\r\n", c->path, c->host ? c->host : host);
	s->probe.len = (size_t)n;
	s->probe.sent = 0;
}

bool body_matches(struct server *s, const char *body, size_t len, char *why,
			 size_t whylen)
{
	const struct check_conf *c = &s->check;

	if (c->expect && !memmem(body, len, c->expect, c->expect_len)) {
		snprintf(why, whylen, "expected text not in the reply");
		return false;
	}
	if (c->digest_alg != DIGEST_NONE) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		const EVP_MD *alg = c->digest_alg == DIGEST_MD5 ? EVP_md5() : EVP_sha256();

		if (!EVP_Digest(body, len, md, &mdlen, alg, NULL) ||
		    memcmp(md, c->digest, mdlen)) {
			snprintf(why, whylen, "body digest differs");
			return false;
		}
	}
	return true;
}

/* The whole response is in; judge it. */
void http_judge(struct server *s)
{
	struct probe *pr = &s->probe;
	unsigned int status;
	char why[80];
	char *hdr_end, *line_end;
	const char *tls = s->check.kind == CHECK_HTTPS ? "https" : "http";

	pr->buf[pr->len] = 0;
	line_end = memchr(pr->buf, '\n', pr->len);
	if (!line_end || sscanf(pr->buf, "HTTP/%*u.%*u %u", &status) != 1) {
		probe_finish(s, false, "%s: not an HTTP response", tls);
		return;
	}
	if (status < s->check.status_lo || status > s->check.status_hi) {
		probe_finish(s, false, "%s: status %u", tls, status);
		return;
	}
	hdr_end = memmem(pr->buf, pr->len, "\r\n\r\n", 4);
	if (!hdr_end) {
		probe_finish(s, false, "%s: response headers not complete", tls);
		return;
	}
	hdr_end += 4;
	if (!body_matches(s, hdr_end, pr->len - (size_t)(hdr_end - pr->buf), why, sizeof(why))) {
		probe_finish(s, false, "%s: status %u, %s", tls, status, why);
		return;
	}
	probe_finish(s, true, "%s: status %u", tls, status);
}

/*
 * Whether the response is complete before the server closes: a server that
 * keeps the connection open despite "Connection: close" is still judged as
 * soon as Content-Length bytes of body are in.
 */
static bool http_complete(const struct probe *pr)
{
	const char *end = memmem(pr->buf, pr->len, "\r\n\r\n", 4);
	const char *p;
	unsigned long clen;

	if (!end)
		return false;
	for (p = pr->buf; p && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
		if (*p == '\n')
			p++;
		if (!strncasecmp(p, "Content-Length:", 15)) {
			clen = strtoul(p + 15, NULL, 10);
			return (size_t)(end + 4 - pr->buf) + clen <= pr->len;
		}
	}
	return false;
}

/* Read what is there; 1 when the response is complete, 0 for more, -1 when judged. */
int http_read(struct server *s, int epfd)
{
	struct probe *pr = &s->probe;

	for (;;) {
		ssize_t n;

		if (pr->cap - pr->len < 4096 + 1) {
			if (pr->cap > HTTP_BODY_MAX) {
				probe_finish(s, false, "%s: response larger than %u bytes",
				       check_kind_name(s->check.kind), HTTP_BODY_MAX);
				return -1;
			}
			pr->cap = pr->cap * 2 + 8192;
			pr->buf = realloc(pr->buf, pr->cap);
			if (!pr->buf)
				abort();
		}
		if (pr->ssl) {
			int r;

			ERR_clear_error();
			r = SSL_read(pr->ssl, pr->buf + pr->len, (int)(pr->cap - pr->len - 1));
			if (r > 0) {
				pr->len += (size_t)r;
				continue;
			}
			switch (SSL_get_error(pr->ssl, r)) {
			case SSL_ERROR_WANT_READ:
				probe_watch(s, epfd, EPOLLIN);
				return http_complete(pr);
			case SSL_ERROR_WANT_WRITE:
				probe_watch(s, epfd, EPOLLOUT);
				return 0;
			case SSL_ERROR_ZERO_RETURN:
				return 1;
			case SSL_ERROR_SYSCALL:
				/* a close without close_notify: the end, as for http */
				if (pr->len)
					return 1;
				/* fall through */
			default: {
				char e[120];

				ERR_error_string_n(ERR_peek_last_error(), e, sizeof(e));
				probe_finish(s, false, "https: read failed (%s)",
				       ERR_peek_last_error() ? e : strerror(errno));
				return -1;
			}
			}
		}
		n = recv(pr->fd, pr->buf + pr->len, pr->cap - pr->len - 1, 0);
		if (n > 0) {
			pr->len += (size_t)n;
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EAGAIN || errno == EINTR)
			return http_complete(pr);
		probe_finish(s, false, "http: %s", strerror(errno));
		return -1;
	}
}
