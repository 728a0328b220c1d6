// SPDX-License-Identifier: GPL-2.0
/*
 * profmark start|stop: the marks that open and close the counting window of
 * the insnprof plugin (bench/insnprof/insnprof.c): two instructions with no
 * effect that nothing else executes. Anywhere else they do nothing.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "start")) {
		__asm__ volatile("xchg %%bx,%%bx" ::: "memory");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "stop")) {
		__asm__ volatile("xchg %%cx,%%cx" ::: "memory");
		return 0;
	}
	fprintf(stderr, "usage: profmark start|stop\n");
	return 2;
}
