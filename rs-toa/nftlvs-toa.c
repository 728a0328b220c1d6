// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs-toa: attach, detach and show the real server's TOA programs.
 *
 *   nftlvs-toa attach [--cgroup PATH] [--trust PREFIX...]
 *   nftlvs-toa detach [--cgroup PATH]
 *   nftlvs-toa status [--cgroup PATH]
 *   nftlvs-toa peer PID FD
 *
 * The programs stay attached after this tool exits: their cgroup links and
 * maps are pinned under PIN_DIR, which is what "attached" means here.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "prefix.h"
#include "toa.h"
#include "toa.skel.h"

#define BPFFS		"/sys/fs/bpf"
#define PIN_DIR		BPFFS "/nftlvs-toa"
#define CGROUP_ROOT	"/sys/fs/cgroup"
#define MAX_TRUST	1024	/* the tries' max_entries */

static const char *prog_name = "nftlvs-toa";
static int verbose;

/* What is pinned, by name under PIN_DIR. Links first: detach unpins them first. */
static const char *const link_pins[] = { "sockops", "getpeername4", "getpeername6" };
static const char *const map_pins[] = { "peers", "trust4", "trust6", "counters" };

static const char *const counter_names[TOA_NCOUNTERS] = {
	[TOA_SEEN]	= "seen",
	[TOA_USED]	= "used",
	[TOA_UNTRUSTED]	= "untrusted",
	[TOA_MALFORMED]	= "malformed",
	[TOA_V6_ON_V4]	= "v6_on_v4",
	[TOA_NOMEM]	= "nomem",
};

static void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s attach [--cgroup PATH] [--trust PREFIX...]\n"
		"       %s detach [--cgroup PATH]\n"
		"       %s status [--cgroup PATH]\n"
		"       %s peer PID FD\n"
		"PATH: a cgroup v2 directory (default " CGROUP_ROOT ", every process)\n"
		"PREFIX: the load balancers' local addresses, e.g. 10.1.0.0/24 2001:db8:1::/64\n",
		prog_name, prog_name, prog_name, prog_name);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (level == LIBBPF_INFO && verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void pin_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, PIN_DIR "/%s", name);
}

static int pinned_fd(const char *name)
{
	char path[256];

	pin_path(path, sizeof(path), name);
	return bpf_obj_get(path);
}

static int is_attached(void)
{
	char path[256];

	pin_path(path, sizeof(path), link_pins[0]);
	return access(path, F_OK) == 0;
}

static int fs_is(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == magic;
}

/* The pins need a BPF filesystem; systemd mounts one, a bare system may not. */
static int need_bpffs(void)
{
	if (fs_is(BPFFS, BPF_FS_MAGIC))
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		err("no BPF filesystem at " BPFFS " and mounting one failed: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The cgroup the sockops link is attached to (its inode number), 0 if unknown. */
static __u64 attached_cgroup_id(void)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = pinned_fd(link_pins[0]);
	__u64 id = 0;

	if (fd < 0)
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    info.type == BPF_LINK_TYPE_CGROUP)
		id = info.cgroup.cgroup_id;
	close(fd);
	return id;
}

/* Find the cgroup directory whose inode is @id, for status. */
static __u64 wanted_id;
static char found_path[4096];

static int match_cgroup(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D && (__u64)st->st_ino == wanted_id) {
		snprintf(found_path, sizeof(found_path), "%s", path);
		return 1;
	}
	return 0;
}

static const char *cgroup_path_of(__u64 id)
{
	wanted_id = id;
	found_path[0] = '\0';
	if (nftw(CGROUP_ROOT, match_cgroup, 16, FTW_PHYS | FTW_MOUNT) == 1)
		return found_path;
	return NULL;
}

static int parse_trust(char **args, int n, struct toa_prefix *out, int *count)
{
	char *copy, *tok, *save;
	int i;

	for (i = 0; i < n; i++) {
		copy = strdup(args[i]);
		if (!copy) {
			err("out of memory");
			return -1;
		}
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (*count == MAX_TRUST) {
				err("too many trusted prefixes (at most %d)", MAX_TRUST);
				free(copy);
				return -1;
			}
			if (prefix_parse(tok, &out[*count])) {
				err("invalid prefix '%s' (want ADDRESS or ADDRESS/LENGTH)", tok);
				free(copy);
				return -1;
			}
			(*count)++;
		}
		free(copy);
	}
	return 0;
}

/* Make the tries hold exactly @trust: add the new ones, then drop the rest. */
static int set_trust(int fd4, int fd6, const struct toa_prefix *trust, int n)
{
	struct toa_trust4 k4, next4;
	struct toa_trust6 k6, next6;
	struct toa_prefix p;
	__u8 one = 1;
	void *prev;
	int i, j, keep;

	for (i = 0; i < n; i++) {
		int ret;

		if (trust[i].family == AF_INET) {
			prefix_to_key4(&trust[i], &k4);
			ret = bpf_map_update_elem(fd4, &k4, &one, BPF_ANY);
		} else {
			prefix_to_key6(&trust[i], &k6);
			ret = bpf_map_update_elem(fd6, &k6, &one, BPF_ANY);
		}
		if (ret) {
			err("cannot add a trusted prefix: %s", strerror(errno));
			return -1;
		}
	}
	/* Stale entries: restart the walk after each delete (the order changes). */
	for (prev = NULL; !bpf_map_get_next_key(fd4, prev, &next4);) {
		prefix_from_key4(&next4, &p);
		for (keep = 0, j = 0; j < n && !keep; j++)
			keep = trust[j].family == AF_INET && trust[j].len == p.len &&
			       !memcmp(trust[j].addr, p.addr, 4);
		if (!keep && !bpf_map_delete_elem(fd4, &next4)) {
			prev = NULL;
			continue;
		}
		k4 = next4;
		prev = &k4;
	}
	for (prev = NULL; !bpf_map_get_next_key(fd6, prev, &next6);) {
		prefix_from_key6(&next6, &p);
		for (keep = 0, j = 0; j < n && !keep; j++)
			keep = trust[j].family == AF_INET6 && trust[j].len == p.len &&
			       !memcmp(trust[j].addr, p.addr, 16);
		if (!keep && !bpf_map_delete_elem(fd6, &next6)) {
			prev = NULL;
			continue;
		}
		k6 = next6;
		prev = &k6;
	}
	return 0;
}

static void log_trust(const struct toa_prefix *trust, int n)
{
	char buf[64];
	int i;

	if (!n) {
		err("warning: no trusted prefixes: every TOA option is ignored "
		    "(counted as untrusted); give the load balancers' local "
		    "addresses with --trust");
		return;
	}
	fprintf(stderr, "%s: trusting TOA from", prog_name);
	for (i = 0; i < n; i++) {
		prefix_format(&trust[i], buf, sizeof(buf));
		fprintf(stderr, " %s", buf);
	}
	fputc('\n', stderr);
}

static void unpin_all(void)
{
	char path[256];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(link_pins) / sizeof(link_pins[0]); i++) {
		pin_path(path, sizeof(path), link_pins[i]);
		/* Detach now, even if another process still holds the link. */
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			bpf_link_detach(fd);
			close(fd);
		}
		unlink(path);
	}
	for (i = 0; i < sizeof(map_pins) / sizeof(map_pins[0]); i++) {
		pin_path(path, sizeof(path), map_pins[i]);
		unlink(path);
	}
	rmdir(PIN_DIR);
}

static int update_attached(const char *cgroup, const struct toa_prefix *trust, int n)
{
	struct stat st;
	__u64 id = attached_cgroup_id();
	int fd4, fd6, ret;

	if (cgroup && (stat(cgroup, &st) || (__u64)st.st_ino != id)) {
		err("already attached to another cgroup (id %llu); run '%s detach' first",
		    (unsigned long long)id, prog_name);
		return 1;
	}
	fd4 = pinned_fd("trust4");
	fd6 = pinned_fd("trust6");
	if (fd4 < 0 || fd6 < 0) {
		err("the pins under " PIN_DIR " are incomplete; run '%s detach' and attach again",
		    prog_name);
		return 1;
	}
	ret = set_trust(fd4, fd6, trust, n);
	close(fd4);
	close(fd6);
	if (ret)
		return 1;
	fprintf(stderr, "%s: already attached; trusted prefixes replaced\n", prog_name);
	log_trust(trust, n);
	return 0;
}

static int attach_new(const char *cgroup, const struct toa_prefix *trust, int n)
{
	struct bpf_link *links[3] = {};
	struct bpf_program *progs[3];
	struct bpf_map *maps[4];
	struct toa *skel;
	char path[256];
	int cg, i, ret = 1;

	cg = open(cgroup, O_RDONLY | O_DIRECTORY);
	if (cg < 0) {
		err("cannot open cgroup %s: %s", cgroup, strerror(errno));
		return 1;
	}
	if (!fs_is(cgroup, CGROUP2_SUPER_MAGIC)) {
		err("%s is not a cgroup v2 directory", cgroup);
		close(cg);
		return 1;
	}
	skel = toa__open_and_load();
	if (!skel) {
		err("cannot load the BPF programs: %s%s", strerror(errno),
		    errno == EPERM ? " (needs root: CAP_BPF and CAP_NET_ADMIN)" : "");
		close(cg);
		return 1;
	}
	if (set_trust(bpf_map__fd(skel->maps.toa_trust4),
		      bpf_map__fd(skel->maps.toa_trust6), trust, n))
		goto out;
	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		err("cannot create " PIN_DIR ": %s", strerror(errno));
		goto out;
	}
	maps[0] = skel->maps.toa_peers;
	maps[1] = skel->maps.toa_trust4;
	maps[2] = skel->maps.toa_trust6;
	maps[3] = skel->maps.toa_counters;
	for (i = 0; i < 4; i++) {
		pin_path(path, sizeof(path), map_pins[i]);
		if (bpf_map__pin(maps[i], path)) {
			err("cannot pin %s: %s", path, strerror(errno));
			goto undo;
		}
	}
	progs[0] = skel->progs.toa_sockops;
	progs[1] = skel->progs.toa_getpeername4;
	progs[2] = skel->progs.toa_getpeername6;
	for (i = 0; i < 3; i++) {
		links[i] = bpf_program__attach_cgroup(progs[i], cg);
		if (!links[i]) {
			err("cannot attach %s to %s: %s", link_pins[i], cgroup,
			    strerror(errno));
			goto undo;
		}
		pin_path(path, sizeof(path), link_pins[i]);
		if (bpf_link__pin(links[i], path)) {
			err("cannot pin %s: %s", path, strerror(errno));
			goto undo;
		}
	}
	fprintf(stderr, "%s: attached to cgroup %s\n", prog_name, cgroup);
	log_trust(trust, n);
	ret = 0;
	goto out;
undo:
	unpin_all();
out:
	/* Closing our descriptors leaves the pinned links attached. */
	for (i = 0; i < 3; i++)
		bpf_link__destroy(links[i]);
	toa__destroy(skel);
	close(cg);
	return ret;
}

static int cmd_attach(int argc, char **argv)
{
	struct toa_prefix *trust;
	const char *cgroup = NULL;
	int i, j, n = 0, ret;

	trust = calloc(MAX_TRUST, sizeof(*trust));
	if (!trust) {
		err("out of memory");
		return 1;
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--cgroup") && i + 1 < argc) {
			cgroup = argv[++i];
		} else if (!strcmp(argv[i], "--trust")) {
			for (j = i + 1; j < argc && argv[j][0] != '-'; j++)
				;
			if (j == i + 1) {
				err("--trust needs at least one PREFIX");
				free(trust);
				return 2;
			}
			if (parse_trust(argv + i + 1, j - i - 1, trust, &n)) {
				free(trust);
				return 2;
			}
			i = j - 1;
		} else {
			err("attach: unexpected argument '%s'", argv[i]);
			usage(stderr);
			free(trust);
			return 2;
		}
	}
	if (need_bpffs()) {
		free(trust);
		return 1;
	}
	if (is_attached())
		ret = update_attached(cgroup, trust, n);
	else
		ret = attach_new(cgroup ? cgroup : CGROUP_ROOT, trust, n);
	free(trust);
	return ret;
}

/* detach and status take --cgroup PATH too: it must be where we are attached. */
static int check_cgroup_arg(const char *cmd, int argc, char **argv)
{
	struct stat st;

	if (argc == 0)
		return 0;
	if (argc != 2 || strcmp(argv[0], "--cgroup")) {
		err("%s: unexpected argument '%s'", cmd, argv[0]);
		usage(stderr);
		return 2;
	}
	if (stat(argv[1], &st)) {
		err("cannot find cgroup %s: %s", argv[1], strerror(errno));
		return 1;
	}
	if (is_attached() && (__u64)st.st_ino != attached_cgroup_id()) {
		err("not attached to %s (attached to cgroup id %llu)", argv[1],
		    (unsigned long long)attached_cgroup_id());
		return 1;
	}
	return 0;
}

static int cmd_detach(void)
{
	if (!is_attached()) {
		fprintf(stderr, "%s: not attached\n", prog_name);
		rmdir(PIN_DIR);
		return 0;
	}
	unpin_all();
	fprintf(stderr, "%s: detached; servers see the load balancers' addresses again\n",
		prog_name);
	return 0;
}

static void print_trust(int fd4, int fd6)
{
	struct toa_trust4 k4;
	struct toa_trust6 k6;
	struct toa_prefix p;
	char buf[64];
	void *prev;
	int n = 0;

	printf("trust:");
	for (prev = NULL; !bpf_map_get_next_key(fd4, prev, &k4); prev = &k4, n++) {
		prefix_from_key4(&k4, &p);
		prefix_format(&p, buf, sizeof(buf));
		printf(" %s", buf);
	}
	for (prev = NULL; !bpf_map_get_next_key(fd6, prev, &k6); prev = &k6, n++) {
		prefix_from_key6(&k6, &p);
		prefix_format(&p, buf, sizeof(buf));
		printf(" %s", buf);
	}
	if (!n)
		printf(" none (every TOA option is ignored; attach with --trust PREFIX)");
	printf("\n");
}

static int print_counters(int fd)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals, sum;
	__u32 k;
	int c;

	if (ncpu <= 0) {
		err("cannot count the CPUs: %s", strerror(-ncpu));
		return -1;
	}
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals) {
		err("out of memory");
		return -1;
	}
	for (k = 0; k < TOA_NCOUNTERS; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err("cannot read the counters: %s", strerror(errno));
			free(vals);
			return -1;
		}
		for (sum = 0, c = 0; c < ncpu; c++)
			sum += vals[c];
		printf("%s %llu\n", counter_names[k], (unsigned long long)sum);
	}
	free(vals);
	return 0;
}

static int cmd_status(void)
{
	const char *path;
	__u64 id;
	int fd4, fd6, fdc, ret = 0;

	if (!is_attached()) {
		printf("not attached\n");
		return 3;
	}
	id = attached_cgroup_id();
	path = id ? cgroup_path_of(id) : NULL;
	printf("attached: cgroup %s (id %llu)\n", path ? path : "?", (unsigned long long)id);
	fd4 = pinned_fd("trust4");
	fd6 = pinned_fd("trust6");
	fdc = pinned_fd("counters");
	if (fd4 < 0 || fd6 < 0 || fdc < 0) {
		err("the pins under " PIN_DIR " are incomplete: %s", strerror(errno));
		ret = 1;
	} else {
		print_trust(fd4, fd6);
		ret = print_counters(fdc) ? 1 : 0;
	}
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	if (fdc >= 0)
		close(fdc);
	return ret;
}

/*
 * The client a socket of another process got from TOA, read from the
 * socket storage with the socket as key: the way to the IPv6 client of a
 * connection that an IPv4-only socket cannot return.
 */
static int cmd_peer(int argc, char **argv)
{
	char *end, addr[INET6_ADDRSTRLEN];
	struct toa_peer peer;
	long pid, fd;
	int pidfd, sfd, map, ret = 1;

	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	pid = strtol(argv[0], &end, 10);
	if (*end || pid <= 0) {
		err("invalid PID '%s'", argv[0]);
		return 2;
	}
	fd = strtol(argv[1], &end, 10);
	if (*end || fd < 0) {
		err("invalid FD '%s'", argv[1]);
		return 2;
	}
	map = pinned_fd("peers");
	if (map < 0) {
		err("not attached (" PIN_DIR "/peers: %s)", strerror(errno));
		return 1;
	}
	pidfd = pidfd_open(pid, 0);
	sfd = pidfd < 0 ? -1 : pidfd_getfd(pidfd, fd, 0);
	if (sfd < 0) {
		err("cannot get descriptor %ld of process %ld: %s", fd, pid, strerror(errno));
		goto out;
	}
	if (bpf_map_lookup_elem(map, &sfd, &peer)) {
		if (errno == ENOENT) {
			printf("none\n");
			ret = 0;
		} else {
			err("cannot look the socket up: %s", strerror(errno));
		}
		goto out;
	}
	inet_ntop(peer.family == TOA_AF_INET ? AF_INET : AF_INET6, peer.addr,
		  addr, sizeof(addr));
	printf("%s %u\n", addr, ntohs(peer.port));
	ret = 0;
out:
	if (sfd >= 0)
		close(sfd);
	if (pidfd >= 0)
		close(pidfd);
	close(map);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd;

	libbpf_set_print(libbpf_log);
	while (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose++;
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "attach"))
		return cmd_attach(argc - 2, argv + 2);
	if (!strcmp(cmd, "detach") || !strcmp(cmd, "status")) {
		int ret = check_cgroup_arg(cmd, argc - 2, argv + 2);

		if (ret)
			return ret;
		return cmd[0] == 'd' ? cmd_detach() : cmd_status();
	}
	if (!strcmp(cmd, "peer"))
		return cmd_peer(argc - 2, argv + 2);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	err("unknown command or arguments: %s", cmd);
	usage(stderr);
	return 2;
}
