// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs list stats | list connections: the module's per-namespace state,
 * read from /proc/net/nft_lvs/ of the namespace nftlvs runs in.
 *
 *  stats   "NAME VALUE" per line. Printed as is, names padded to one
 *          column; JSON: {"stats": {"NAME": VALUE, ...}}. Followed by the
 *          tables of the services and real servers files, if the module
 *          has them: {"stats": {...}, "services": [...], "reals": [...]}.
 *  conns   a header line of column names, then one connection per line,
 *          fields separated by blanks. Printed as an aligned table under
 *          the same names; JSON: {"connections": [{"NAME": VALUE, ...}]}.
 *
 * In JSON, a field of digits only is a number, anything else a string.
 * NFTLVS_PROC_DIR replaces /proc/net/nft_lvs (for tests).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nftlvs.h"

#define FIELDS_MAX	32

struct row {
	char		*f[FIELDS_MAX];
	unsigned int	n;
};

static const char *proc_dir(void)
{
	const char *d = getenv("NFTLVS_PROC_DIR");

	return d && *d ? d : "/proc/net/nft_lvs";
}

/* Split @text into rows of blank-separated fields (in place). */
static struct row *split_rows(char *text, unsigned int *nrows)
{
	struct row *rows = NULL, *nr;
	unsigned int n = 0;
	char *line, *save, *tok, *save2;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!(n & (n - 1))) {
			nr = realloc(rows, (n ? 2 * n : 1) * sizeof(*rows));
			if (!nr) {
				free(rows);
				return NULL;
			}
			rows = nr;
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		for (tok = strtok_r(line, " \t", &save2);
		     tok && rows[n].n < FIELDS_MAX;
		     tok = strtok_r(NULL, " \t", &save2))
			rows[n].f[rows[n].n++] = tok;
		if (rows[n].n)
			n++;
	}
	*nrows = n;
	return rows;
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

static void json_value(FILE *out, const char *v)
{
	if (is_number(v)) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

static void print_stats(FILE *out, struct row *rows, unsigned int n,
			bool json)
{
	unsigned int i, w = 0;

	for (i = 0; i < n; i++) {
		if (strlen(rows[i].f[0]) > w)
			w = strlen(rows[i].f[0]);
	}
	if (json)
		fputs("\"stats\": {", out);
	for (i = 0; i < n; i++) {
		const char *v = rows[i].n > 1 ? rows[i].f[1] : "";

		if (json) {
			fprintf(out, "%s", i ? ", " : "");
			json_value(out, rows[i].f[0]);
			fputs(": ", out);
			json_value(out, v);
		} else {
			fprintf(out, "%-*s %s\n", (int)w, rows[i].f[0], v);
		}
	}
	if (json)
		fputs("}", out);
}

/* A header row of column names, then one row per object. */
static void print_table(FILE *out, struct row *rows, unsigned int n,
			bool json, const char *key)
{
	unsigned int w[FIELDS_MAX] = {}, i, j, cols = n ? rows[0].n : 0;

	if (json) {
		fprintf(out, "\"%s\": [", key);
		for (i = 1; i < n; i++) {
			fputs(i > 1 ? ", {" : "{", out);
			for (j = 0; j < cols && j < rows[i].n; j++) {
				fprintf(out, "%s", j ? ", " : "");
				json_value(out, rows[0].f[j]);
				fputs(": ", out);
				json_value(out, rows[i].f[j]);
			}
			fputs("}", out);
		}
		fputs("]", out);
		return;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < rows[i].n; j++) {
			if (strlen(rows[i].f[j]) > w[j])
				w[j] = strlen(rows[i].f[j]);
		}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < rows[i].n; j++) {
			if (j + 1 < rows[i].n)
				fprintf(out, "%-*s  ", (int)w[j], rows[i].f[j]);
			else
				fprintf(out, "%s\n", rows[i].f[j]);
		}
	}
}

/*
 * The per-service and per-real-server tables after the counters, each
 * after a blank line; skipped when the module has no such file.
 */
static void print_extra_table(FILE *out, const char *file, const char *key,
			      bool json)
{
	char path[4096], *text;
	unsigned int n = 0;
	struct row *rows;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", proc_dir(), file);
	text = read_file(path, &len);
	if (!text)
		return;
	rows = split_rows(text, &n);
	if (rows || !n) {
		fputs(json ? ", " : "\n", out);
		print_table(out, rows, n, json, key);
	}
	free(rows);
	free(text);
}

int lvsproc_list(const char *what, bool json, FILE *out)
{
	bool conns = !strcmp(what, "connections");
	char path[4096], *text;
	unsigned int n = 0;
	struct row *rows;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", proc_dir(),
		 conns ? "conns" : "stats");
	text = read_file(path, &len);
	if (!text) {
		snprintf(path, sizeof(path), "%s/stats", proc_dir());
		if (access(proc_dir(), F_OK))
			fprintf(stderr, "Error: the nft_lvs module is not loaded (no %s): load it with modprobe nft_lvs\n",
				proc_dir());
		else if (conns && !access(path, F_OK))
			fprintf(stderr, "Error: this nft_lvs module has no connection table (no %s/conns): it is older than the FULLNAT datapath\n",
				proc_dir());
		else
			fprintf(stderr, "Error: %s/%s: %s\n", proc_dir(),
				conns ? "conns" : "stats", strerror(errno));
		return -1;
	}
	rows = split_rows(text, &n);
	if (!rows && n) {
		free(text);
		return -1;
	}
	if (json)
		fputs("{", out);
	if (conns) {
		print_table(out, rows, n, json, "connections");
	} else {
		print_stats(out, rows, n, json);
		print_extra_table(out, "services", "services", json);
		print_extra_table(out, "real", "reals", json);
	}
	if (json)
		fputs("}\n", out);
	free(rows);
	free(text);
	return 0;
}
