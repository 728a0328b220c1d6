// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs-healthd [-f CONFIG] [-s SOCKET]     run (in the foreground)
 * nftlvs-healthd -t [-f CONFIG]              test the config, apply nothing
 * nftlvs-healthd status [-f CONFIG] [-s SOCKET]
 *
 * One process, one epoll loop: every check is a non-blocking socket (or a
 * child's pidfd), every server has one timer in a binary heap (its next
 * check, or the timeout of the check in flight).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "healthd.h"

static const char *const usage_text =
	"usage: nftlvs-healthd [-f CONFIG] [-s SOCKET]   run the checks (foreground)\n"
	"       nftlvs-healthd -t [-f CONFIG]            test the config, apply nothing\n"
	"       nftlvs-healthd status [-f CONFIG] [-s SOCKET]\n"
	"CONFIG defaults to " HEALTHD_CONF_DEFAULT ", SOCKET to the config's\n"
	"status-socket or " HEALTHD_SOCK_DEFAULT ". See nftlvs-healthd(8).\n";

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool to_journal;

void logmsg(int prio, const char *fmt, ...)
{
	char msg[512], stamp[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (to_journal) {
		/* journald reads the priority from the "<N>" prefix */
		fprintf(stderr, "<%d>%s\n", prio, msg);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s nftlvs-healthd: %s\n", stamp, msg);
	}
}

/*
 * Checks due within this many milliseconds start together, a little early: one
 * wake-up for each batch instead of one per check. 1,000 servers checked every
 * second would otherwise wake the loop 1,000 times a second to start them, and
 * the context switches cost more than the checks. Timeouts never fire early.
 * The next check stays due one interval after its slot, so batching does not
 * drift the schedule.
 */
#define START_BATCH_MS 10

/* The timer heap: the server whose timer is due first at heap[0]. */
static struct server **heap;
static size_t heap_n, heap_cap;

static void heap_swap(size_t a, size_t b)
{
	struct server *t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	heap[a]->heap_idx = a;
	heap[b]->heap_idx = b;
}

static void heap_fix(size_t i)
{
	while (i && heap[(i - 1) / 2]->due_ms > heap[i]->due_ms) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < heap_n && heap[l]->due_ms < heap[m]->due_ms)
			m = l;
		if (r < heap_n && heap[r]->due_ms < heap[m]->due_ms)
			m = r;
		if (m == i)
			break;
		heap_swap(i, m);
		i = m;
	}
}

void timer_set(struct server *s, uint64_t due_ms)
{
	s->due_ms = due_ms;
	heap_fix(s->heap_idx);
}

static void heap_build(struct config *cf, uint64_t now)
{
	size_t i, j, total = 0, k = 0;

	for (i = 0; i < cf->npools; i++)
		total += cf->pools[i]->nservers;
	if (total > heap_cap) {
		heap = realloc(heap, total * sizeof(*heap));
		if (!heap)
			abort();
		heap_cap = total;
	}
	heap_n = 0;
	for (i = 0; i < cf->npools; i++) {
		for (j = 0; j < cf->pools[i]->nservers; j++) {
			struct server *s = cf->pools[i]->servers[j];
			uint64_t spread = s->check.interval_ms < 1000 ? s->check.interval_ms : 1000;

			/* first checks spread over up to a second, not all at once */
			s->due_ms = now + (total > 1 ? spread * k / total : 0);
			s->heap_idx = heap_n;
			heap[heap_n++] = s;
			k++;
		}
	}
	for (i = heap_n; i-- > 0;)
		heap_fix(i);
}

static const char *socket_path(const char *opt, const struct config *cf)
{
	if (opt)
		return opt;
	if (cf && cf->status_socket)
		return cf->status_socket;
	return HEALTHD_SOCK_DEFAULT;
}

static int epoll_add(int epfd, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static size_t count_servers(const struct config *cf)
{
	size_t i, n = 0;

	for (i = 0; i < cf->npools; i++)
		n += cf->pools[i]->nservers;
	return n;
}

/* Tags for the loop's own descriptors; servers are tagged by their pointer. */
static char tag_signal, tag_monitor, tag_status;

static void abort_all(struct config *cf)
{
	size_t i, j;

	for (i = 0; i < cf->npools; i++)
		for (j = 0; j < cf->pools[i]->nservers; j++)
			probe_abort(cf->pools[i]->servers[j]);
}

/* One descriptor per check in flight: thousands of servers need more than 1024. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int run(const char *conf_path, const char *sock_opt)
{
	char err[512];
	struct config *cf = config_load(conf_path, err, sizeof(err));
	struct epoll_event evs[64];
	const char *sock;
	uint64_t sync_due = 0;
	int epfd, sfd, mfd, lfd, ret;
	sigset_t mask;
	bool stop = false;

	if (!cf) {
		logmsg(LOG_ERR, "%s", err);
		return 1;
	}
	raise_fd_limit();
	ret = nftset_open();
	if (ret) {
		logmsg(LOG_ERR, "cannot open an nf_tables netlink socket: %s", strerror(-ret));
		return 1;
	}
	mfd = nftset_monitor_open();
	if (mfd < 0) {
		logmsg(LOG_ERR, "cannot listen to nf_tables changes: %s", strerror(-mfd));
		return 1;
	}
	sock = socket_path(sock_opt, cf);
	lfd = status_listen(sock);
	if (lfd < 0) {
		logmsg(LOG_ERR, "cannot listen on %s: %s", sock, strerror(-lfd));
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || epfd < 0 || epoll_add(epfd, sfd, &tag_signal) ||
	    epoll_add(epfd, mfd, &tag_monitor) || epoll_add(epfd, lfd, &tag_status)) {
		logmsg(LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		return 1;
	}
	probe_global_init();

	pool_init_states(cf);
	pools_sync(cf);
	heap_build(cf, now_ms());
	logmsg(LOG_INFO, "started: %zu pools, %zu servers, config %s, status %s", cf->npools,
	       count_servers(cf), cf->path, sock);

	while (!stop) {
		uint64_t now = now_ms(), due = heap_n ? heap[0]->due_ms : now + 60000;
		int n, i, timeout;

		if (sync_due && sync_due < due)
			due = sync_due;
		timeout = due > now ? (int)(due - now) : 0;
		n = epoll_wait(epfd, evs, 64, timeout);
		if (n < 0 && errno != EINTR) {
			logmsg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;

			if (tag == &tag_signal) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo != SIGHUP) {
						logmsg(LOG_INFO, "stopping on signal %u; the sets stay as they are",
						       si.ssi_signo);
						stop = true;
						continue;
					}
					struct config *next = config_load(conf_path, err, sizeof(err));

					if (!next) {
						logmsg(LOG_ERR, "reload refused, the running config stays: %s",
						       err);
						continue;
					}
					abort_all(cf);
					pool_init_states(next);
					config_take_state(next, cf);
					config_free(cf);
					cf = next;
					heap_build(cf, now_ms());
					logmsg(LOG_INFO, "reloaded: %zu pools, %zu servers", cf->npools,
					       count_servers(cf));
				}
			} else if (tag == &tag_monitor) {
				if (nftset_monitor_drain(mfd) && !sync_due) {
					size_t p;

					/*
					 * A ruleset reload or someone else's edit may have undone
					 * ours: look again once the burst is over.
					 */
					for (p = 0; p < cf->npools; p++)
						cf->pools[p]->dirty = true;
					sync_due = now_ms() + 100;
				}
			} else if (tag == &tag_status) {
				status_serve(lfd, cf);
			} else {
				probe_event(tag, evs[i].events, epfd);
			}
		}
		probe_reap();
		now = now_ms();
		while (heap_n &&
		       heap[0]->due_ms <= now + (heap[0]->in_flight ? 0 : START_BATCH_MS)) {
			struct server *s = heap[0];

			if (s->in_flight)
				probe_timeout(s);
			else
				probe_start(s, epfd);
		}
		if (sync_due && sync_due <= now)
			sync_due = 0;
		if (!sync_due)
			pools_sync(cf);
	}
	abort_all(cf);
	unlink(sock);
	config_free(cf);
	nftset_close();
	probe_global_exit();
	free(heap);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "test", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *conf = HEALTHD_CONF_DEFAULT, *sock = NULL;
	bool test = false, status = false;
	int c;

	to_journal = getenv("JOURNAL_STREAM") != NULL;
	if (argc > 1 && !strcmp(argv[1], "status")) {
		status = true;
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "f:s:th", opts, NULL)) != -1) {
		switch (c) {
		case 'f': conf = optarg; break;
		case 's': sock = optarg; break;
		case 't': test = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nftlvs-healthd: unexpected argument '%s'\n%s", argv[optind],
			usage_text);
		return 2;
	}
	if (status) {
		struct config *cf = NULL;
		char err[512];
		int ret;

		if (!sock)
			cf = config_load(conf, err, sizeof(err));
		ret = status_client(socket_path(sock, cf));
		config_free(cf);
		return ret;
	}
	if (test) {
		char err[512];
		struct config *cf = config_load(conf, err, sizeof(err));

		if (!cf) {
			fprintf(stderr, "nftlvs-healthd: %s\n", err);
			return 1;
		}
		printf("%s: %zu pool%s, %zu servers: the configuration is valid\n", conf,
		       cf->npools, cf->npools == 1 ? "" : "s", count_servers(cf));
		config_free(cf);
		return 0;
	}
	return run(conf, sock);
}
