// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs: nft's command line on libnftables, plus the statements
 * lb-dispatch, synproxy-lb and fullnat, plus `list stats`,
 * `list connections` and `import` (../import/). See nftlvs(8).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <nftables/libnftables.h>

#include <libnftlvs/expr.h>

#include "nftlvs.h"
#include "import.h"

/* nft's default include directory (its build's sysconfdir). */
#define NFT_DEFAULT_INCLUDE_PATH	"/etc"

unsigned int nftlvs_errors;
bool nftlvs_json_input;

static const struct option options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'v' },
	{ "check",		no_argument,		NULL, 'c' },
	{ "file",		required_argument,	NULL, 'f' },
	{ "interactive",	no_argument,		NULL, 'i' },
	{ "includepath",	required_argument,	NULL, 'I' },
	{ "define",		required_argument,	NULL, 'D' },
	{ "optimize",		no_argument,		NULL, 'o' },
	{ "json",		no_argument,		NULL, 'j' },
	{ "numeric",		no_argument,		NULL, 'n' },
	{ "stateless",		no_argument,		NULL, 's' },
	{ "terse",		no_argument,		NULL, 't' },
	{ "service",		no_argument,		NULL, 'S' },
	{ "reversedns",		no_argument,		NULL, 'N' },
	{ "guid",		no_argument,		NULL, 'u' },
	{ "numeric-priority",	no_argument,		NULL, 'y' },
	{ "numeric-protocol",	no_argument,		NULL, 'p' },
	{ "numeric-time",	no_argument,		NULL, 'T' },
	{ "handle",		no_argument,		NULL, 'a' },
	{ "echo",		no_argument,		NULL, 'e' },
	{ "debug",		required_argument,	NULL, 'd' },
	{ NULL,			0,			NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: nftlvs [ options ] [ cmds... ]\n"
"\n"
"nft's commands and options, with the statements lb-dispatch, synproxy-lb\n"
"and fullnat, and commands of its own:\n"
"  nftlvs list stats              counters of nft_lvs in this namespace\n"
"  nftlvs list connections        its connection table\n"
"  nftlvs import keepalived FILE  convert a keepalived or ipvsadm configuration\n"
"  nftlvs import ipvsadm [FILE]   (see nftlvs import --help)\n"
"\n"
"Options (general):\n"
"  -h, --help                      Show this help\n"
"  -v, --version                   Show version information\n"
"\n"
"Options (ruleset input handling):\n"
"  -f, --file <filename>           Read input from <filename> (- for stdin)\n"
"  -D, --define <name=value>       Define variable, e.g. --define foo=1.2.3.4\n"
"  -i, --interactive               Read input from interactive CLI\n"
"  -I, --includepath <directory>   Add <directory> to the paths searched for include files. Default is: " NFT_DEFAULT_INCLUDE_PATH "\n"
"  -c, --check                     Check commands validity without actually applying the changes.\n"
"  -o, --optimize                  Optimize ruleset\n"
"\n"
"Options (ruleset list formatting):\n"
"  -a, --handle                    Output rule handle.\n"
"  -s, --stateless                 Omit stateful information of ruleset.\n"
"  -t, --terse                     Omit contents of sets.\n"
"  -S, --service                   Translate ports to service names as described in /etc/services.\n"
"  -N, --reversedns                Translate IP addresses to names.\n"
"  -u, --guid                      Print UID/GID as defined in /etc/passwd and /etc/group.\n"
"  -n, --numeric                   Print fully numerical output.\n"
"  -y, --numeric-priority          Print chain priority numerically.\n"
"  -p, --numeric-protocol          Print layer 4 protocols numerically.\n"
"  -T, --numeric-time              Print time values numerically.\n"
"\n"
"Options (command output formatting):\n"
"  -e, --echo                      Echo what has been added, inserted or replaced.\n"
"  -j, --json                      Format output in JSON\n"
"  -d, --debug <level [,level...]> Specify debugging level (scanner, parser, eval, netlink, mnl, proto-ctx, segtree, all)\n");
}

static int parse_debug(const char *arg, unsigned int *mask)
{
	static const struct {
		const char	*name;
		unsigned int	level;
	} levels[] = {
		{ "scanner", NFT_DEBUG_SCANNER }, { "parser", NFT_DEBUG_PARSER },
		{ "eval", NFT_DEBUG_EVALUATION }, { "netlink", NFT_DEBUG_NETLINK },
		{ "mnl", NFT_DEBUG_MNL }, { "proto-ctx", NFT_DEBUG_PROTO_CTX },
		{ "segtree", NFT_DEBUG_SEGTREE }, { "all", ~0U },
	};
	char *copy = strdup(arg), *tok, *save;
	unsigned int i;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(levels); i++) {
			if (!strcmp(tok, levels[i].name))
				break;
		}
		if (i == ARRAY_SIZE(levels)) {
			fprintf(stderr, "nftlvs: invalid debug parameter `%s'\n",
				tok);
			free(copy);
			return -1;
		}
		*mask |= levels[i].level;
	}
	free(copy);
	return 0;
}

/* After a command ran: its errors, pointed at the user's text. */
static int finish_run(struct nft_ctx *ctx, FILE *out, int rc)
{
	fflush(out);
	errors_print(stderr, nft_ctx_get_error_buffer(ctx));
	splice_forget();
	sets_forget();
	src_free_all();
	return rc;
}

/* nft reads stdin itself: give it the rewritten text in its place. */
static int replace_stdin(const struct src *s)
{
	int fd = memfd_create("nftlvs-stdin", MFD_CLOEXEC);
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (off < s->text_len) {
		n = write(fd, s->text + off, s->text_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto err;
		off += n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, STDIN_FILENO) < 0)
		goto err;
	close(fd);
	return 0;
err:
	close(fd);
	return -1;
}

static int run_file(struct nft_ctx *ctx, FILE *out, const char *path)
{
	struct src *s;
	int err, rc;

	if (!strcmp(path, "-"))
		path = "/dev/stdin";
	nftlvs_errors = 0;
	s = scan_file(path, &err);
	if (nftlvs_errors)
		return finish_run(ctx, out, -1);
	if (s && !strcmp(path, "/dev/stdin") && replace_stdin(s) < 0) {
		fprintf(stderr, "Error: stdin: %s\n", strerror(errno));
		return finish_run(ctx, out, -1);
	}
	interpose_enable(true);
	rc = nft_run_cmd_from_filename(ctx, path);
	interpose_enable(false);
	return finish_run(ctx, out, rc);
}

static int run_buffer(struct nft_ctx *ctx, FILE *out, const char *cmd)
{
	struct src *s = NULL;
	char *text;
	int rc;

	/* Ends with a newline, as nft makes it: "unexpected newline". */
	nftlvs_errors = 0;
	if (asprintf(&text, "%s\n", cmd) < 0)
		text = NULL;
	else
		s = src_new(NULL, text, strlen(text));
	if (!s) {
		free(text);
		fprintf(stderr, "Error: %s\n", strerror(ENOMEM));
		return -1;
	}
	text += strspn(text, " \t\n");
	if (nftlvs_json_input && *text == '{') {
		s->json = true;
		json_scan_src(s);
	} else {
		scan_src(s);
	}
	if (nftlvs_errors)
		return finish_run(ctx, out, -1);
	interpose_enable(true);
	rc = nft_run_cmd_from_buffer(ctx, s->text);
	interpose_enable(false);
	return finish_run(ctx, out, rc);
}

static int run_interactive(struct nft_ctx *ctx, FILE *out)
{
	bool tty = isatty(STDIN_FILENO);
	size_t size = 0;
	char *line = NULL;
	ssize_t n;
	int rc = 0;

	for (;;) {
		if (tty) {
			fputs("nftlvs> ", stdout);
			fflush(stdout);
		}
		n = getline(&line, &size, stdin);
		if (n < 0)
			break;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!strcmp(line, "quit") || !strcmp(line, "exit"))
			break;
		if (!line[strspn(line, " \t")])
			continue;
		if (run_buffer(ctx, out, line))
			rc = -1;
	}
	if (tty)
		fputc('\n', stdout);
	free(line);
	return rc;
}

/* argv[from..] joined by blanks, as nft does. */
static char *join_args(int argc, char **argv, int from)
{
	size_t len = 1;
	char *buf;
	int i;

	for (i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	buf = calloc(1, len);
	if (!buf)
		return NULL;
	for (i = from; i < argc; i++) {
		strcat(buf, argv[i]);
		if (i + 1 < argc)
			strcat(buf, " ");
	}
	return buf;
}

struct opts {
	const char	*file;
	bool		interactive, check, optimize, json;
	unsigned int	flags, debug;
	const char	**includes;
	unsigned int	nincludes;
	char		**defines;
	unsigned int	ndefines;
};

static void parse_options(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "+hvVcf:iI:D:ojnstSNuypTaed:",
				options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'v':
		case 'V':
			printf("nftlvs v%s (libnftables, libnftlvs)\n",
			       PACKAGE_VERSION);
			exit(0);
		case 'c':
			o->check = true;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 'I':
			o->includes[o->nincludes++] = optarg;
			break;
		case 'D':
			o->defines[o->ndefines++] = optarg;
			break;
		case 'o':
			o->optimize = true;
			break;
		case 'j':
			o->json = true;
			o->flags |= NFT_CTX_OUTPUT_JSON;
			break;
		case 'n':
			o->flags |= NFT_CTX_OUTPUT_NUMERIC_ALL;
			break;
		case 's':
			o->flags |= NFT_CTX_OUTPUT_STATELESS;
			break;
		case 't':
			o->flags |= NFT_CTX_OUTPUT_TERSE;
			break;
		case 'S':
			o->flags |= NFT_CTX_OUTPUT_SERVICE;
			break;
		case 'N':
			o->flags |= NFT_CTX_OUTPUT_REVERSEDNS;
			break;
		case 'u':
			o->flags |= NFT_CTX_OUTPUT_GUID;
			break;
		case 'y':
			o->flags |= NFT_CTX_OUTPUT_NUMERIC_PRIO;
			break;
		case 'p':
			o->flags |= NFT_CTX_OUTPUT_NUMERIC_PROTO;
			break;
		case 'T':
			o->flags |= NFT_CTX_OUTPUT_NUMERIC_TIME;
			break;
		case 'a':
			o->flags |= NFT_CTX_OUTPUT_HANDLE;
			break;
		case 'e':
			o->flags |= NFT_CTX_OUTPUT_ECHO;
			break;
		case 'd':
			if (parse_debug(optarg, &o->debug) < 0)
				exit(1);
			break;
		default:
			exit(1);
		}
	}
}

/* -D NAME=VALUE: nft's and ours. */
static int add_define(struct nft_ctx *ctx, const char *def)
{
	const char *eq = strchr(def, '=');
	char *copy = strdup(def);
	int rc;

	if (!eq || !copy) {
		fprintf(stderr, "nftlvs: invalid define: %s\n", def);
		free(copy);
		return -1;
	}
	defs_set(def, eq - def, eq + 1, strlen(eq + 1), false);
	rc = nft_ctx_add_var(ctx, copy);	/* it cuts the copy at '=' */
	free(copy);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {};
	struct nft_ctx *ctx;
	unsigned int i;
	FILE *out;
	char *cmd;
	int rc = 0;

	/* Before nft's options: import has its own, and needs no kernel. */
	if (argc > 1 && !strcmp(argv[1], "import"))
		return import_main(argc - 1, argv + 1);

	o.includes = calloc(argc + 1, sizeof(*o.includes));
	o.defines = calloc(argc + 1, sizeof(*o.defines));
	if (!o.includes || !o.defines)
		return 1;
	parse_options(argc, argv, &o);
	if (!o.file && !o.interactive && optind == argc) {
		fprintf(stderr, "nftlvs: no command specified\n");
		return 1;
	}
	if (o.file && optind != argc) {
		fprintf(stderr, "nftlvs: -f and commands are mutually exclusive\n");
		return 1;
	}
	if (!o.file && !o.interactive && argc - optind == 2 &&
	    !strcmp(argv[optind], "list") &&
	    (!strcmp(argv[optind + 1], "stats") ||
	     !strcmp(argv[optind + 1], "connections")))
		return lvsproc_list(argv[optind + 1], o.json, stdout) ? 1 : 0;

	marker_init();
	sets_kernel = sets_kernel_query;
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return 1;
	nftlvs_json_input = o.json;
	scan_opts.include_paths = o.includes;
	memmove(o.includes + 1, o.includes, o.nincludes * sizeof(*o.includes));
	o.includes[0] = NFT_DEFAULT_INCLUDE_PATH;
	scan_opts.ninclude_paths = o.nincludes + 1;
	for (i = 1; i < scan_opts.ninclude_paths; i++)
		nft_ctx_add_include_path(ctx, o.includes[i]);
	for (i = 0; i < o.ndefines; i++) {
		if (add_define(ctx, o.defines[i]) < 0)
			return 1;
	}
	nft_ctx_output_set_flags(ctx, o.flags);
	nft_ctx_output_set_debug(ctx, o.debug);
	nft_ctx_set_dry_run(ctx, o.check);
	if (o.optimize)
		nft_ctx_set_optimize(ctx, NFT_OPTIMIZE_ENABLED);
	out = output_open(stdout, o.json, o.flags & NFT_CTX_OUTPUT_NUMERIC_TIME);
	if (!out || !nft_ctx_set_output(ctx, out) || nft_ctx_buffer_error(ctx)) {
		fprintf(stderr, "nftlvs: %s\n", strerror(errno));
		return 1;
	}

	if (o.interactive) {
		rc = run_interactive(ctx, out);
	} else if (o.file) {
		rc = run_file(ctx, out, o.file);
	} else {
		cmd = join_args(argc, argv, optind);
		rc = cmd ? run_buffer(ctx, out, cmd) : -1;
		free(cmd);
	}

	nft_ctx_free(ctx);
	output_close(out);
	stmt_free_all();
	defs_free_all();
	free(o.includes);
	free(o.defines);
	return rc ? 1 : 0;
}
