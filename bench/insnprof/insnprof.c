// SPDX-License-Identifier: GPL-2.0
/*
 * insnprof: a QEMU TCG plugin that counts the guest instructions executed
 * per translation block between two marks the guest makes, for a profile of
 * the kernel's packet path where perf cannot sample (an emulated CPU has no
 * PMU, and timer sampling lands on the idle loop).
 *
 * The marks are instructions nothing else executes: "xchg %bx,%bx" (66 87
 * db) starts a window, "xchg %cx,%cx" (66 87 c9) ends it (bench/insnprof/
 * profmark.c runs them). At the end of each window, out=FILE receives a line
 * "# window N" and one line per block that ran in it: "VADDR INSNS EXECS"
 * (hex address, instructions in the block, times it ran).
 *
 *   qemu-system-x86_64 -accel tcg,thread=single \
 *       -plugin bench/insnprof/insnprof.so,out=FILE ...
 *
 * Counts are kept with the plugin API's inline adds (no callback per block);
 * a window's counts are the difference of two snapshots.
 *
 * The plugin API is QEMU's stable C ABI; the few declarations used are
 * written out here, as no Debian package ships QEMU's plugin header.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin ABI (version 1: QEMU 6.0 to 8.0) ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
						 struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					     void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;
/* ---- end of the ABI ---- */

/* A block: the same address translated again with another length is another. */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t execs;		/* the inline counter */
	uint64_t at_start;	/* execs when the window opened */
	struct block *next;	/* hash chain */
};

#define NBUCKETS (1u << 16)
static struct block *buckets[NBUCKETS];
/* Every block, for the snapshots; blocks never move once made. */
static struct block **all;
static size_t nall, capall;
static bool window_open;
static char *out_path;

static unsigned int bucket_of(uint64_t vaddr, uint64_t insns)
{
	uint64_t h = (vaddr ^ (insns << 48)) * 0x9e3779b97f4a7c15ull;

	return (unsigned int)(h >> 48) & (NBUCKETS - 1);
}

static struct block *block_get(uint64_t vaddr, uint64_t insns)
{
	unsigned int b = bucket_of(vaddr, insns);
	struct block *blk;

	for (blk = buckets[b]; blk; blk = blk->next)
		if (blk->vaddr == vaddr && blk->insns == insns)
			return blk;
	blk = calloc(1, sizeof(*blk));
	if (!blk)
		abort();
	blk->vaddr = vaddr;
	blk->insns = insns;
	blk->next = buckets[b];
	buckets[b] = blk;
	if (nall == capall) {
		capall = capall ? 2 * capall : 65536;
		all = realloc(all, capall * sizeof(*all));
		if (!all)
			abort();
	}
	all[nall++] = blk;
	return blk;
}

static void mark_start(unsigned int vcpu, void *udata)
{
	size_t i;

	(void)vcpu;
	(void)udata;
	for (i = 0; i < nall; i++)
		all[i]->at_start = all[i]->execs;
	window_open = true;
}

static void mark_stop(unsigned int vcpu, void *udata)
{
	static unsigned int window;
	FILE *f;
	size_t i;

	(void)vcpu;
	(void)udata;
	if (!window_open)
		return;
	window_open = false;
	f = fopen(out_path, "a");
	if (!f) {
		perror(out_path);
		return;
	}
	fprintf(f, "# window %u\n", ++window);
	/* Blocks made during the window started from zero: at_start is 0. */
	for (i = 0; i < nall; i++)
		if (all[i]->execs != all[i]->at_start)
			fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
				all[i]->vaddr, all[i]->insns,
				all[i]->execs - all[i]->at_start);
	fclose(f);
}

static const uint8_t MARK_START[] = { 0x66, 0x87, 0xdb };	/* xchg %bx,%bx */
static const uint8_t MARK_STOP[] = { 0x66, 0x87, 0xc9 };	/* xchg %cx,%cx */

static bool insn_is(const struct qemu_plugin_insn *insn, const uint8_t *bytes,
		    size_t len)
{
	return qemu_plugin_insn_size(insn) == len &&
	       !memcmp(qemu_plugin_insn_data(insn), bytes, len);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct block *blk = block_get(qemu_plugin_tb_vaddr(tb), n);

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &blk->execs, 1);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (insn_is(insn, MARK_START, sizeof(MARK_START)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_start,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
		else if (insn_is(insn, MARK_STOP, sizeof(MARK_STOP)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_stop,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = strdup(argv[i] + 4);
	if (!out_path) {
		fprintf(stderr, "insnprof: out=FILE is required\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	return 0;
}
