// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rulesets nftlvs import printed (the files named on the command line,
 * nftlvs-import.sh's expected outputs) read as nftlvs reads them, without
 * a kernel: every statement parses, the sets it names are declared with a
 * shape fullnat takes, and each statement is written in its canonical form
 * (as nftlvs would list it back).
 */
#include "scan_harness.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len;

	if (!f)
		return NULL;
	len = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (len == (size_t)-1) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void check_file(const char *path)
{
	char *text = slurp(path), *line, *save;
	struct result r;
	unsigned int n = 0;

	if (!CHECK(text)) {
		fprintf(stderr, "  %s: cannot read it\n", path);
		return;
	}
	r = scan(path, text, false);
	if (!CHECK(r.rc == 0 && !*r.errors))
		fprintf(stderr, "  %s: %s\n", path, r.errors);
	for (line = strtok_r(r.stmts, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		if (!CHECK(strstr(text, line)))
			fprintf(stderr, "  %s: not in its canonical form: %s\n", path, line);
	}
	if (!CHECK(n > 1))
		fprintf(stderr, "  %s: no statement found\n", path);
	result_free(&r);
	free(text);
}

int main(int argc, char **argv)
{
	int i;

	marker_init();
	scan_opts.include_paths = (const char *[]){ "/nonexistent" };
	scan_opts.ninclude_paths = 1;
	for (i = 1; i < argc; i++)
		check_file(argv[i]);
	src_free_all();
	stmt_free_all();
	defs_free_all();
	sets_forget();
	return tests_finish();
}
