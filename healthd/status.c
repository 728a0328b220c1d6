// SPDX-License-Identifier: GPL-2.0
/*
 * `nftlvs-healthd status`: the daemon writes one text report to whoever
 * connects to its unix socket, then closes; the client copies it to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "healthd.h"

static int sun_of(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

int status_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd, err = sun_of(path, &sun);

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a socket left by a daemon that did not stop cleanly */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 8)) {
		err = -errno;
		close(fd);
		return err;
	}
	chmod(path, 0600);
	return fd;
}

static void fmt_time(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms) {
		snprintf(buf, len, "never");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void report(FILE *f, const struct config *cf)
{
	size_t i, j;

	fprintf(f, "config %s\n", cf->path);
	for (i = 0; i < cf->npools; i++) {
		const struct pool *p = cf->pools[i];
		unsigned int up = 0;

		for (j = 0; j < p->nservers; j++)
			up += p->servers[j]->up;
		fprintf(f, "\npool %s: set %s %s %s, %u of %zu up%s", p->name, p->family_name,
			p->table, p->set, up, p->nservers, p->inhibit ? ", inhibit" : "");
		if (p->has_sorry)
			fprintf(f, ", sorry %s %s", p->sorry_name,
				p->sorry_active ? "IN USE" : "unused");
		fputc('\n', f);
		if (p->set_missing)
			fprintf(f, "  the set does not exist (yet)\n");
		if (p->shape_error[0])
			fprintf(f, "  the set cannot be edited: %s\n", p->shape_error);
		for (j = 0; j < p->nservers; j++) {
			const struct server *s = p->servers[j];
			char changed[32], checked[32];

			fmt_time(s->last_change_ms, changed, sizeof(changed));
			fmt_time(s->last_check_ms, checked, sizeof(checked));
			fprintf(f, "  %-24s %-4s weight %-5u %s every %u ms, rise %u fall %u; "
				"%llu checks, %llu failed\n",
				s->name, s->up ? "UP" : "DOWN", s->weight,
				check_kind_name(s->check.kind), s->check.interval_ms,
				s->check.rise, s->check.fall, s->checks, s->failures);
			fprintf(f, "      since %s: %s\n", changed, s->reason);
			fprintf(f, "      last check %s: %s\n", checked,
				s->last[0] ? s->last : "none yet");
		}
	}
}

/* Writes the whole report to fd; gives up after 10 s of a reader that does not read. */
static void send_all(int fd, const char *text, size_t len)
{
	struct timeval tv = { .tv_sec = 10 };
	size_t off;

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (off = 0; off < len;) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

/*
 * The report is made here (a few ms for thousands of servers) and sent by
 * a grandchild, so that a slow reader never holds up the checks; the
 * grandchild belongs to init at once, so the daemon reaps only the child.
 */
void status_serve(int lfd, const struct config *cf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		pid_t child;
		ssize_t n;

		if (!text) {
			f = open_memstream(&text, &len);
			if (!f) {
				close(fd);
				return;
			}
			report(f, cf);
			fclose(f);
		}
		/* most reports fit the socket's buffer at once: no fork */
		n = send(fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			n = 0;
		if (n < 0 || (size_t)n == len) {
			close(fd);
			continue;
		}
		child = fork();
		if (child == 0) {
			/*
			 * Only the reader's socket: the checks' sockets must
			 * close when the daemon closes them, not when we exit.
			 */
			if (fd > 3)
				close_range(3, (unsigned int)fd - 1, 0);
			close_range((unsigned int)fd + 1, ~0U, 0);
			if (fork() == 0) {
				send_all(fd, text + n, len - (size_t)n);
				_exit(0);
			}
			_exit(0);
		}
		if (child > 0)
			waitpid(child, NULL, 0);
		close(fd);
	}
	free(text);
}

int status_client(const char *path)
{
	struct sockaddr_un sun;
	char buf[65536];
	ssize_t n;
	int fd;

	if (sun_of(path, &sun)) {
		fprintf(stderr, "nftlvs-healthd: socket path %s is too long\n", path);
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "nftlvs-healthd: cannot reach the daemon at %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
	close(fd);
	return n < 0;
}
