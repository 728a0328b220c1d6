// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The only place where nftlvs reaches into libnftables: three libc calls
 * that this executable defines, so that the dynamic linker binds the
 * library's calls to them (a symbol of the executable comes first in the
 * lookup order; the link exports them, see Makefile.am). Each passes
 * everything that is not ours straight to libc.
 *
 *  sendmsg()  libnftables sends each transaction as one batch with it:
 *             placeholders become our expressions (splice.c). Messages
 *             that are not nf_tables batches never change.
 *  recvmsg()  libmnl receives every answer with it: our expressions
 *             become placeholders, errors are translated (splice.c).
 *  fopen()    libnftables (and jansson, for JSON) opens input files with
 *             it while a command runs: the file's text with our
 *             statements replaced is read instead (scan.c, json.c).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "nftlvs.h"

/* Room for any netlink message the kernel sends (rules are < 64 KiB). */
#define RECV_BUF_SIZE	(256 * 1024)

static bool files_active;

void interpose_enable(bool on)
{
	files_active = on;
}

static void *next_symbol(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		abort();	/* libc without it: nothing can work */
	return p;
}

static bool is_nf_netlink(int fd)
{
	socklen_t len = sizeof(int);
	int v;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ||
	    v != AF_NETLINK)
		return false;
	len = sizeof(int);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 &&
	       v == NETLINK_NETFILTER;
}

/* netlink refuses a message larger than the send buffer: make room. */
static void ensure_sndbuf(int fd, size_t len)
{
	socklen_t olen = sizeof(int);
	int cur, want;

	if (len > INT32_MAX / 2 ||
	    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &olen) < 0 ||
	    (size_t)cur >= len + 4096)
		return;
	want = len + 4096;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	struct msghdr m;
	struct iovec iov;
	size_t len = 0, i, n;
	void *out = NULL;
	char *buf;
	ssize_t r;

	if (!real)
		real = next_symbol("sendmsg");
	if (!is_nf_netlink(fd))
		return real(fd, msg, flags);
	for (i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -1;
	for (i = 0, n = 0; i < msg->msg_iovlen; i++) {
		memcpy(buf + n, msg->msg_iov[i].iov_base,
		       msg->msg_iov[i].iov_len);
		n += msg->msg_iov[i].iov_len;
	}
	if (splice_batch(buf, len, &out, &n) < 0) {
		free(buf);
		return -1;
	}
	if (!out && nftlvs_json_input) {
		out = buf;
		n = len;
	} else {
		free(buf);
	}
	if (!out)
		return real(fd, msg, flags);
	if (nftlvs_json_input && splice_chains_first(out, n) < 0) {
		free(out);
		return -1;
	}
	ensure_sndbuf(fd, n);
	m = *msg;
	iov.iov_base = out;
	iov.iov_len = n;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	r = real(fd, &m, flags);
	free(out);
	/* The caller sent what it built, as far as it can tell. */
	return r < 0 ? r : (ssize_t)len;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	static char *buf;
	struct msghdr m;
	struct iovec iov;
	ssize_t r, n;
	size_t cap;

	if (!real)
		real = next_symbol("recvmsg");
	if (flags & (MSG_PEEK | MSG_TRUNC) || msg->msg_iovlen != 1 ||
	    !is_nf_netlink(fd))
		return real(fd, msg, flags);
	if (!buf) {
		buf = malloc(RECV_BUF_SIZE);
		if (!buf)
			return real(fd, msg, flags);
	}
	m = *msg;
	iov.iov_base = buf;
	iov.iov_len = RECV_BUF_SIZE;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	r = real(fd, &m, flags);
	if (r < 0)
		return r;
	msg->msg_namelen = m.msg_namelen;
	msg->msg_controllen = m.msg_controllen;
	msg->msg_flags = m.msg_flags;
	n = r;
	if (!(m.msg_flags & MSG_TRUNC)) {
		n = splice_recv(buf, r, RECV_BUF_SIZE);
		if (n < 0)
			return -1;
	}
	cap = msg->msg_iov[0].iov_len;
	if ((size_t)n > cap) {
		n = cap;
		msg->msg_flags |= MSG_TRUNC;
	}
	memcpy(msg->msg_iov[0].iov_base, buf, n);
	return n;
}

FILE *fopen(const char *path, const char *mode)
{
	static FILE *(*real)(const char *, const char *);
	const struct src *s;
	int err;

	if (!real)
		real = next_symbol("fopen");
	if (!files_active || !path || mode[0] != 'r' || strchr(mode, '+'))
		return real(path, mode);
	s = src_find(path);
	if (!s)	/* found by nft's include rules but not by ours */
		s = scan_file(path, &err);
	if (!s || !s->text_len)
		return real(path, mode);
	return fmemopen(s->text, s->text_len, "r");
}
