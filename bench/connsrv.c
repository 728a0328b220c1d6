// SPDX-License-Identifier: GPL-2.0
/*
 * connsrv: the real-server end of the connection-rate benchmark. One
 * process, one epoll loop, no forks: a connection costs the server a few
 * system calls, so the benchmark measures the path through the load
 * balancer rather than the endpoints.
 *
 *   connsrv PORT SECONDS
 *
 * Every connection gets a short reply as soon as its request arrives, and
 * the server closes first: TIME_WAIT then stays here, on the server, not
 * on the single client address that would run out of ports.
 * The process exits by itself after SECONDS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int listen_on(int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 4096)) {
		perror("connsrv: listen");
		exit(1);
	}
	return fd;
}

static void accept_all(int lfd, int ep)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			close(fd);
	}
}

/* The request is tiny: whatever arrives first is all of it. */
static void serve(int fd, unsigned long *served)
{
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0 && write(fd, reply, sizeof(reply) - 1) > 0)
		(*served)++;
	close(fd);		/* also leaves the epoll set */
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	unsigned long served = 0;
	double end;
	int lfd, ep, i, n;

	if (argc != 3) {
		fprintf(stderr, "usage: connsrv PORT SECONDS\n");
		return 2;
	}
	end = now() + atof(argv[2]);
	lfd = listen_on(atoi(argv[1]));
	ep = epoll_create1(0);
	evs[0].events = EPOLLIN;
	evs[0].data.fd = lfd;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &evs[0])) {
		perror("connsrv: epoll");
		return 1;
	}
	while (now() < end) {
		n = epoll_wait(ep, evs, 256, 200);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd)
				accept_all(lfd, ep);
			else
				serve(evs[i].data.fd, &served);
		}
	}
	printf("{\"served\": %lu}\n", served);
	return 0;
}
