// SPDX-License-Identifier: GPL-2.0
/*
 * One check of one server, driven by epoll: never blocks, so one process
 * checks thousands of servers. A check ends in server_result() exactly once:
 * by its answer, by an error, or by its timeout (probe_timeout).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <syslog.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "healthd.h"
#include "probe.h"

extern char **environ;

enum phase { P_IDLE, P_CONNECT, P_TLS, P_SEND, P_READ, P_EXEC };

static SSL_CTX *tls_ctx;

void probe_global_init(void)
{
	/* A server that closes while we write must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
}

static pid_t *reap_pids;
static size_t reap_n, reap_cap;

void probe_global_exit(void)
{
	if (tls_ctx)
		SSL_CTX_free(tls_ctx);
	tls_ctx = NULL;
	free(reap_pids);
	reap_pids = NULL;
	reap_n = reap_cap = 0;
}

static SSL_CTX *tls_context(void)
{
	if (!tls_ctx) {
		tls_ctx = SSL_CTX_new(TLS_client_method());
		/*
		 * A health check asks whether the server answers, not who it is:
		 * like keepalived's SSL_GET, certificates are not verified.
		 */
		if (tls_ctx) {
			SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_NONE, NULL);
			/*
			 * Many servers close after the response without a TLS
			 * close_notify; the response is complete all the same.
			 */
			SSL_CTX_set_options(tls_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
		}
	}
	return tls_ctx;
}

void probe_watch(struct server *s, int epfd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	epoll_ctl(epfd, s->probe.watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->probe.fd, &ev);
	s->probe.watched = true;
}

/*
 * Kills an exec check's process group. SIGKILL ends a process at once unless
 * it sits in an uninterruptible sleep (a hung NFS mount, say); the loop must
 * not wait for that, so a pid not reaped at once goes to reap_pids and
 * probe_reap() tries it again on every turn of the loop.
 */
static void kill_and_reap(pid_t pid)
{
	/* the whole process group: a shell may have started children */
	kill(-pid, SIGKILL);
	if (waitpid(pid, NULL, WNOHANG) != 0)
		return;
	if (reap_n == reap_cap) {
		size_t cap = reap_cap ? 2 * reap_cap : 16;
		pid_t *p = realloc(reap_pids, cap * sizeof(*p));

		if (!p) {
			/* out of memory: a zombie is the lesser harm than a stuck loop */
			return;
		}
		reap_pids = p;
		reap_cap = cap;
	}
	reap_pids[reap_n++] = pid;
}

void probe_reap(void)
{
	size_t i = 0;

	while (i < reap_n) {
		if (waitpid(reap_pids[i], NULL, WNOHANG) != 0)
			reap_pids[i] = reap_pids[--reap_n];
		else
			i++;
	}
}

static void probe_cleanup(struct server *s)
{
	struct probe *pr = &s->probe;

	if (pr->ssl) {
		SSL_free(pr->ssl);
		pr->ssl = NULL;
	}
	if (pr->fd >= 0) {
		/*
		 * close() takes the socket out of the epoll set: no other
		 * process holds it (checks' sockets are close-on-exec, and the
		 * status writer's child closes them before the loop goes on).
		 */
		close(pr->fd);
		pr->fd = -1;
	}
	pr->watched = false;
	if (pr->pid > 0) {
		kill_and_reap(pr->pid);
		pr->pid = 0;
	}
	free(pr->buf);
	pr->buf = NULL;
	pr->len = pr->cap = pr->sent = 0;
	pr->phase = P_IDLE;
	s->in_flight = false;
}

/*
 * Our own shortage (descriptors, memory, local ports) says nothing about
 * the server: the check is not counted, and the server is checked at its
 * next slot.
 */
static bool local_shortage(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM ||
	       err == EADDRNOTAVAIL || err == EAGAIN;
}

static void not_checked(struct server *s, const char *what, int err)
{
	static uint64_t said_ms;
	uint64_t now = now_ms();

	probe_cleanup(s);
	snprintf(s->last, sizeof(s->last), "not checked: %s: %s", what, strerror(err));
	if (now - said_ms > 10000 || !said_ms) {
		logmsg(LOG_ERR, "checks skipped: %s: %s (the servers are not blamed)",
		       what, strerror(err));
		said_ms = now;
	}
	server_next(s);
}

void probe_finish(struct server *s, bool ok, const char *fmt, ...)
{
	char what[REASON_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(what) - 16)
		snprintf(what + n, sizeof(what) - n, " in %llu ms",
			 (unsigned long long)(now_ms() - s->probe.started_ms));
	probe_cleanup(s);
	server_result(s, ok, what);
}

static socklen_t sockaddr_of(const struct addr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->v4;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = a->v6;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}

static int start_socket(struct server *s, int type)
{
	const struct check_conf *c = &s->check;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	fd = socket(s->addr.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (c->has_source) {
		/* the port is chosen at connect(): no port is held per check */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		len = sockaddr_of(&c->source, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, len)) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	len = sockaddr_of(&s->addr, c->port ? c->port : s->port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int start_exec(struct server *s)
{
	char addr[INET6_ADDRSTRLEN], ev_addr[80], ev_port[40], ev_pool[300];
	char *argv[] = { "/bin/sh", "-c", s->check.command, NULL };
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	size_t nenv = 0, i;
	char **envp;
	pid_t pid;
	int err, pidfd;

	inet_ntop(s->addr.family, &s->addr.v4, addr, sizeof(addr));
	snprintf(ev_addr, sizeof(ev_addr), "NFTLVS_SERVER_ADDR=%s", addr);
	snprintf(ev_port, sizeof(ev_port), "NFTLVS_SERVER_PORT=%u",
		 s->check.port ? s->check.port : s->port);
	snprintf(ev_pool, sizeof(ev_pool), "NFTLVS_POOL=%s", s->pool->name);
	while (environ[nenv])
		nenv++;
	envp = calloc(nenv + 4, sizeof(*envp));
	if (!envp)
		abort();
	for (i = 0; i < nenv; i++)
		envp[i] = environ[i];
	envp[nenv] = ev_addr;
	envp[nenv + 1] = ev_port;
	envp[nenv + 2] = ev_pool;

	posix_spawnattr_init(&attr);
	/* its own process group, so a timeout kills what the shell started too */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	{
		sigset_t all, none;

		sigfillset(&all);
		sigemptyset(&none);
		posix_spawnattr_setsigdefault(&attr, &all);
		posix_spawnattr_setsigmask(&attr, &none);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	err = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (err)
		return -err;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		err = -errno;
		kill_and_reap(pid);
		return err;
	}
	s->probe.pid = pid;
	return pidfd;
}

int probe_start(struct server *s, int epfd)
{
	struct probe *pr = &s->probe;
	int fd;

	pr->started_ms = now_ms();
	pr->slot_ms = s->due_ms;
	s->in_flight = true;
	switch (s->check.kind) {
	case CHECK_EXEC:
		fd = start_exec(s);
		if (fd < 0) {
			if (local_shortage(-fd))
				not_checked(s, "cannot run /bin/sh", -fd);
			else
				probe_finish(s, false, "cannot run /bin/sh: %s", strerror(-fd));
			return 0;
		}
		pr->fd = fd;
		pr->phase = P_EXEC;
		probe_watch(s, epfd, EPOLLIN);
		break;
	case CHECK_UDP:
		fd = start_socket(s, SOCK_DGRAM);
		if (fd < 0) {
			if (local_shortage(-fd))
				not_checked(s, "udp socket", -fd);
			else
				probe_finish(s, false, "udp: %s", strerror(-fd));
			return 0;
		}
		pr->fd = fd;
		if (send(fd, s->check.send, s->check.send_len, 0) < 0) {
			probe_finish(s, false, "udp send: %s", strerror(errno));
			return 0;
		}
		pr->phase = P_READ;
		probe_watch(s, epfd, EPOLLIN);
		break;
	default:
		fd = start_socket(s, SOCK_STREAM);
		if (fd < 0) {
			if (local_shortage(-fd))
				not_checked(s, "tcp socket", -fd);
			else
				probe_finish(s, false, "connect: %s", strerror(-fd));
			return 0;
		}
		pr->fd = fd;
		pr->phase = P_CONNECT;
		probe_watch(s, epfd, EPOLLOUT);
		break;
	}
	timer_set(s, pr->started_ms + s->check.timeout_ms);
	return 0;
}

void probe_abort(struct server *s)
{
	if (s->in_flight)
		probe_cleanup(s);
}

void probe_timeout(struct server *s)
{
	static const char *const doing[] = {
		[P_IDLE] = "idle", [P_CONNECT] = "connecting", [P_TLS] = "in the TLS handshake",
		[P_SEND] = "sending", [P_READ] = "waiting for the reply",
		[P_EXEC] = "waiting for the command",
	};
	int phase = s->probe.phase;

	probe_finish(s, false, "timeout (%u ms) %s", s->check.timeout_ms, doing[phase]);
}

static void stream_event(struct server *s, uint32_t events, int epfd)
{
	struct probe *pr = &s->probe;

	if (pr->phase == P_CONNECT) {
		/* writable without an error: connected (SO_ERROR only for the reason) */
		if (events & (EPOLLERR | EPOLLHUP)) {
			int err = 0;
			socklen_t len = sizeof(err);

			getsockopt(pr->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			probe_finish(s, false, "connect: %s", strerror(err ? err : ECONNRESET));
			return;
		}
		if (s->check.kind == CHECK_TCP) {
			/*
			 * Close with a reset: no FIN exchange for the server to
			 * handle and no TIME_WAIT left here per check.
			 */
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(pr->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			probe_finish(s, true, "tcp: connected");
			return;
		}
		http_request(s);
		if (s->check.kind == CHECK_HTTPS) {
			SSL_CTX *ctx = tls_context();

			pr->ssl = ctx ? SSL_new(ctx) : NULL;
			if (!pr->ssl) {
				probe_finish(s, false, "https: cannot set up TLS");
				return;
			}
			SSL_set_fd(pr->ssl, pr->fd);
			if (s->check.host)
				SSL_set_tlsext_host_name(pr->ssl, s->check.host);
			pr->phase = P_TLS;
		} else {
			pr->phase = P_SEND;
		}
	}
	if (pr->phase == P_TLS) {
		int r;

		ERR_clear_error();
		r = SSL_connect(pr->ssl);
		if (r != 1) {
			switch (SSL_get_error(pr->ssl, r)) {
			case SSL_ERROR_WANT_READ:
				probe_watch(s, epfd, EPOLLIN);
				return;
			case SSL_ERROR_WANT_WRITE:
				probe_watch(s, epfd, EPOLLOUT);
				return;
			default: {
				char e[120];

				ERR_error_string_n(ERR_peek_last_error(), e, sizeof(e));
				probe_finish(s, false, "https: handshake failed (%s)",
				       ERR_peek_last_error() ? e : "connection closed");
				return;
			}
			}
		}
		pr->phase = P_SEND;
	}
	if (pr->phase == P_SEND) {
		while (pr->sent < pr->len) {
			ssize_t n;

			if (pr->ssl) {
				int r;

				ERR_clear_error();
				r = SSL_write(pr->ssl, pr->buf + pr->sent, (int)(pr->len - pr->sent));
				if (r <= 0) {
					int e = SSL_get_error(pr->ssl, r);

					if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
						probe_watch(s, epfd, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
						return;
					}
					probe_finish(s, false, "https: write failed");
					return;
				}
				n = r;
			} else {
				n = send(pr->fd, pr->buf + pr->sent, pr->len - pr->sent, 0);
				if (n < 0) {
					if (errno == EAGAIN || errno == EINTR) {
						probe_watch(s, epfd, EPOLLOUT);
						return;
					}
					probe_finish(s, false, "http: %s", strerror(errno));
					return;
				}
			}
			pr->sent += (size_t)n;
		}
		pr->len = 0;
		pr->phase = P_READ;
		probe_watch(s, epfd, EPOLLIN);
	}
	if (pr->phase == P_READ) {
		int r = http_read(s, epfd);

		if (r > 0)
			http_judge(s);
	}
}

static void udp_event(struct server *s)
{
	char buf[65536], why[80];
	ssize_t n = recv(s->probe.fd, buf, sizeof(buf), 0);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* ECONNREFUSED: an ICMP port unreachable came back */
		probe_finish(s, false, "udp: %s", strerror(errno));
		return;
	}
	if (!body_matches(s, buf, (size_t)n, why, sizeof(why))) {
		probe_finish(s, false, "udp: %s", why);
		return;
	}
	probe_finish(s, true, "udp: %zd-byte reply", n);
}

static void exec_event(struct server *s)
{
	int status;
	pid_t pid = s->probe.pid;

	if (waitpid(pid, &status, WNOHANG) != pid)
		return;
	s->probe.pid = 0;
	/* the shell is gone; what it left behind in its group goes too */
	kill(-pid, SIGKILL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		probe_finish(s, true, "exec: exit 0");
	else if (WIFEXITED(status))
		probe_finish(s, false, "exec: exit %d", WEXITSTATUS(status));
	else
		probe_finish(s, false, "exec: killed by signal %d", WTERMSIG(status));
}

void probe_event(struct server *s, uint32_t events, int epfd)
{
	if (!s->in_flight)
		return;
	switch (s->check.kind) {
	case CHECK_EXEC:
		exec_event(s);
		break;
	case CHECK_UDP:
		udp_event(s);
		break;
	default:
		stream_event(s, events, epfd);
		break;
	}
}
