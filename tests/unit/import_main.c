// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs import alone, built with the sanitizers for nftlvs-import.sh:
 * `import-san import keepalived FILE ...` is `nftlvs import keepalived FILE ...`.
 */
#include "import.h"

int main(int argc, char **argv)
{
	return import_main(argc - 1, argv + 1);
}
