// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs import keepalived|ipvsadm: read, convert, and print only when
 * the whole input converted (warnings do not stop it, errors do).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* Without --healthd, the healthd configuration follows the ruleset as
 * comments with this prefix, so that the output still loads. */
#define HEALTHD_PREFIX	"#healthd"

struct import_opts {
	const char	*kind, *file, *healthd;
	struct imp_addr	*via;
	unsigned int	nvia;
};

static void usage(FILE *f)
{
	fputs("Usage: nftlvs import keepalived FILE [--table NAME] [--healthd FILE] [--via ADDR[,ADDR...]]\n"
	      "       nftlvs import ipvsadm [FILE|-] [--table NAME] [--via ADDR[,ADDR...]]\n"
	      "Print the nftlvs ruleset of a keepalived or ipvsadm (ipvsadm -S -n)\n"
	      "configuration; for keepalived also the nftlvs-healthd configuration.\n", f);
}

static bool parse_via(struct import_opts *o, const char *list)
{
	char *copy = imp_strdup(list), *tok, *save;
	bool ok = true;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		o->via = imp_grow(o->via, o->nvia, sizeof(*o->via));
		if (imp_addr_parse(tok, &o->via[o->nvia++])) {
			fprintf(stderr, "nftlvs import: --via: '%s' is not an IP address\n", tok);
			ok = false;
			break;
		}
	}
	free(copy);
	if (ok && !o->nvia)
		fprintf(stderr, "nftlvs import: --via: no address\n");
	return ok && o->nvia;
}

static bool table_name_ok(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static int parse_args(int argc, char **argv, struct imp_model *m,
		      struct import_opts *o)
{
	static const struct option longopts[] = {
		{ "table",	required_argument,	NULL, 't' },
		{ "healthd",	required_argument,	NULL, 'H' },
		{ "via",	required_argument,	NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			m->table = optarg;
			break;
		case 'H':
			o->healthd = optarg;
			break;
		case 'V':
			if (!parse_via(o, optarg))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!table_name_ok(m->table)) {
		fprintf(stderr, "nftlvs import: --table: '%s' is not a table name (letters, digits, _ and -)\n",
			m->table);
		return -1;
	}
	o->kind = optind < argc ? argv[optind++] : "";
	o->file = optind < argc ? argv[optind++] : NULL;
	if (optind < argc || (strcmp(o->kind, "keepalived") && strcmp(o->kind, "ipvsadm")) ||
	    (!strcmp(o->kind, "keepalived") && !o->file)) {
		usage(stderr);
		return -1;
	}
	if (o->healthd && strcmp(o->kind, "keepalived")) {
		fprintf(stderr, "nftlvs import: --healthd: ipvsadm rules have no health checks\n");
		return -1;
	}
	m->via = o->via;
	m->nvia = o->nvia;
	return 0;
}

/* Every line of @text, prefixed (a blank after the prefix if not empty). */
static void print_prefixed(FILE *f, const char *text, const char *prefix)
{
	const char *nl;

	for (; *text; text = nl + 1) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		fprintf(f, "%s%s%.*s\n", prefix, nl > text ? " " : "",
			(int)(nl - text), text);
		if (!*nl)
			break;
	}
}

static int write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "nftlvs import: %s: cannot write it\n", path);
		return -1;
	}
	return 0;
}

static int output(const struct imp_model *m, const struct import_opts *o,
		  const char *source)
{
	char *rules = NULL, *hc = NULL;
	size_t rlen = 0, hlen = 0;
	bool checks = false;
	FILE *f;
	int rc = 0;

	f = open_memstream(&rules, &rlen);
	if (!f)
		return -1;
	imp_emit_ruleset(m, source, f);
	fclose(f);
	if (!strcmp(o->kind, "keepalived")) {
		f = open_memstream(&hc, &hlen);
		if (!f) {
			free(rules);
			return -1;
		}
		checks = imp_emit_healthd(m, source, f);
		fclose(f);
	}
	if (checks && o->healthd)
		rc = write_file(o->healthd, hc, hlen);
	else if (o->healthd)
		imp_warn(NULL, "no real server has a checker: %s is not written", o->healthd);
	if (!rc) {
		fputs(rules, stdout);
		if (checks && !o->healthd) {
			printf("\n# The nftlvs-healthd configuration (nftlvs-healthd -f FILE) for the pools above:\n"
			       "#   sed -nE 's/^%s ?//p' THIS_FILE > /etc/nftlvs/healthd.conf\n",
			       HEALTHD_PREFIX);
			print_prefixed(stdout, hc, HEALTHD_PREFIX);
		}
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "nftlvs import: standard output: cannot write it\n");
			rc = -1;
		}
	}
	free(rules);
	free(hc);
	return rc;
}

int import_main(int argc, char **argv)
{
	struct imp_model m = { .table = "lvs" };
	struct import_opts o = {};
	const char *source;
	int rc = -1;

	if (parse_args(argc, argv, &m, &o))
		goto out;
	imp_errors = 0;
	if (!strcmp(o.kind, "keepalived"))
		imp_keepalived(&m, o.file);
	else
		imp_ipvsadm(&m, o.file);
	if (!imp_errors) {
		source = m.nfiles ? m.files[0] : "stdin";
		rc = output(&m, &o, source);
	}
out:
	imp_model_free(&m);
	free(o.via);
	return rc ? 1 : 0;
}
