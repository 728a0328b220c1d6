// SPDX-License-Identifier: GPL-2.0
/*
 * connload: short TCP connections as fast as they complete, for the
 * connection-rate benchmark and for the "real client" during a SYN flood.
 * A fixed number of connections is kept in flight from one epoll loop;
 * each one connects, sends a tiny request, reads the reply to EOF (the
 * server closes first) and closes.
 *
 *   connload [-c CONCURRENT] [-n MAX] [-t SECONDS] [-w TIMEOUT_MS] ADDR:PORT...
 *
 * Bounded: no new connection starts after MAX connections or SECONDS, and
 * a connection that has not finished within TIMEOUT_MS counts as failed.
 * Destinations are used in turn. Prints one JSON object:
 *   {"ok": N, "failed": N, "timeout": N, "seconds": S, "rate": R}
 * where R is ok connections per second up to the last one that succeeded,
 * so that a straggler waiting out its timeout does not dilute the rate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONC	1024
#define MAX_DST		64

enum { IDLE, CONNECTING, REPLYING };

struct slot {
	int	fd;
	int	state;
	size_t	got;		/* reply bytes so far */
	double	start;
};

static struct sockaddr_in dsts[MAX_DST];
static unsigned int ndst, next_dst;
static struct slot slots[MAX_CONC];
static unsigned long launched, ok, failed, timedout;
static double last_ok;
static int ep;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void parse_dst(const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || colon - s >= (long)sizeof(host) || ndst == MAX_DST) {
		fprintf(stderr, "connload: bad destination '%s'\n", s);
		exit(2);
	}
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	dsts[ndst].sin_family = AF_INET;
	dsts[ndst].sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, host, &dsts[ndst].sin_addr) != 1) {
		fprintf(stderr, "connload: bad address '%s'\n", host);
		exit(2);
	}
	ndst++;
}

static void finish(struct slot *s, unsigned long *counter)
{
	close(s->fd);
	s->fd = -1;
	s->state = IDLE;
	(*counter)++;
}

static void start(struct slot *s, unsigned int idx)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = idx };
	const struct sockaddr_in *d = &dsts[next_dst++ % ndst];

	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	s->state = CONNECTING;
	s->got = 0;
	s->start = now();
	launched++;
	if (s->fd < 0) {
		s->state = IDLE;
		failed++;
		return;
	}
	if ((connect(s->fd, (const struct sockaddr *)d, sizeof(*d)) &&
	     errno != EINPROGRESS) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev))
		finish(s, &failed);
}

static void step(struct slot *s, unsigned int idx)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = idx };
	char buf[512];
	socklen_t len = sizeof(int);
	int err = 0;
	ssize_t n;

	if (s->state == CONNECTING) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err ||
		    write(s->fd, req, sizeof(req) - 1) != sizeof(req) - 1 ||
		    epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev)) {
			finish(s, &failed);
			return;
		}
		s->state = REPLYING;
		return;
	}
	for (;;) {
		n = read(s->fd, buf, sizeof(buf));
		if (n > 0) {
			s->got += n;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return;
		if (n == 0 && s->got) {
			last_ok = now();
			finish(s, &ok);
		} else {
			finish(s, &failed);
		}
		return;
	}
}

int main(int argc, char **argv)
{
	unsigned long max = 1000000;
	double secs = 10, tmo = 3, t0, stop, t;
	unsigned int conc = 16, i, active;
	struct epoll_event evs[256];
	int opt, n;

	while ((opt = getopt(argc, argv, "c:n:t:w:")) != -1) {
		switch (opt) {
		case 'c': conc = atoi(optarg); break;
		case 'n': max = strtoul(optarg, NULL, 0); break;
		case 't': secs = atof(optarg); break;
		case 'w': tmo = atof(optarg) / 1000; break;
		default: goto usage;
		}
	}
	if (optind >= argc || !conc || conc > MAX_CONC)
		goto usage;
	for (; optind < argc; optind++)
		parse_dst(argv[optind]);
	ep = epoll_create1(0);
	if (ep < 0) {
		perror("connload: epoll");
		return 1;
	}
	t0 = now();
	stop = t0 + secs;
	for (i = 0; i < conc; i++)
		slots[i].fd = -1;
	do {
		t = now();
		active = 0;
		for (i = 0; i < conc; i++) {
			struct slot *s = &slots[i];

			if (s->state != IDLE && t - s->start > tmo)
				finish(s, &timedout);
			if (s->state == IDLE && t < stop && launched < max)
				start(s, i);
			active += s->state != IDLE;
		}
		n = active ? epoll_wait(ep, evs, 256, 50) : 0;
		while (n-- > 0)
			step(&slots[evs[n].data.u32], evs[n].data.u32);
	} while (active);
	t = now() - t0;
	printf("{\"ok\": %lu, \"failed\": %lu, \"timeout\": %lu, \"seconds\": %.3f, \"rate\": %.1f}\n",
	       ok, failed, timedout, t, ok ? ok / (last_ok - t0) : 0.0);
	return 0;
usage:
	fprintf(stderr, "usage: connload [-c CONCURRENT] [-n MAX] [-t SECONDS] [-w TIMEOUT_MS] ADDR:PORT...\n");
	return 2;
}
