// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: TCP option parsing and every rewrite the datapath does
 * on a header (kmod/core/tcpopt.c, and synproxy.c's timestamp and window
 * edits), on a header and payload straight from the input, in a heap
 * buffer of exactly the size the contract promises (ASan sees any
 * overrun). Invariants: parsed offsets stay inside the header; each
 * rewrite does what it says (MSS clamped, timestamps and TOA gone, SACK
 * undone by the opposite delta); the checksum diffs the rewrites report
 * keep the checksum right; a TOA insert keeps every option that was
 * walkable and puts itself first.
 */
#include "fuzz.h"
#include "tcpopt.h"
#include "synproxy.h"

static void check_parse(const u8 *th, unsigned int hl)
{
	struct tcpopt_info info;

	if (tcpopt_parse(th, &info) < 0)
		return;
	if (info.present & TCPOPT_F_MSS)
		FUZZ_ASSERT(info.mss_off + 4u <= hl, "mss at %u", info.mss_off);
	if (info.present & TCPOPT_F_TS)
		FUZZ_ASSERT(info.ts_off + 10u <= hl, "ts at %u", info.ts_off);
	if (info.present & TCPOPT_F_SACK)
		FUZZ_ASSERT(info.sack_off + 2u + 8u * info.sack_blocks <= hl,
			    "sack at %u, %u blocks", info.sack_off, info.sack_blocks);
	if (info.present & TCPOPT_F_TOA)
		FUZZ_ASSERT(info.toa_off + 8u <= hl, "toa at %u", info.toa_off);
}

static void rewrite(struct fuzz_in *in, u8 *seg, unsigned int hl, size_t len)
{
	u8 ops = fz_u8(in), before[60];
	struct tcpopt_info info;
	u32 diff = 0, d;
	int r;

	if (ops & 1) {
		d = fz_u32(in);
		memcpy(before, seg, hl);
		r = tcpopt_sack_adjust(seg, d, &diff);
		tcpopt_sack_adjust(seg, -d, &diff);
		FUZZ_ASSERT(!memcmp(before, seg, hl), "sack %d not undone", r);
	}
	if (ops & 2) {
		u16 max = fz_u16(in);

		if (tcpopt_clamp_mss(seg, max, &diff) >= 0 &&
		    tcpopt_parse(seg, &info) == 0 && (info.present & TCPOPT_F_MSS))
			FUZZ_ASSERT(info.mss <= max, "mss %u > %u", info.mss, max);
	}
	if (ops & 4)
		tcpopt_reduce_mss(seg, fz_u16(in), &diff);
	if ((ops & 8) && tcpopt_strip_timestamps(seg, &diff) >= 0 &&
	    tcpopt_parse(seg, &info) == 0)
		FUZZ_ASSERT(!(info.present & TCPOPT_F_TS), "timestamps left");
	if ((ops & 16) && tcpopt_strip_toa(seg, &diff) >= 0 &&
	    tcpopt_parse(seg, &info) == 0)
		FUZZ_ASSERT(!(info.present & TCPOPT_F_TOA), "TOA left");
	if (ops & 32)
		core_tcp_translate(seg, fz_u32(in), fz_u32(in), &diff);
	if (ops & 64)
		synproxy_tcp_ts_adjust(seg, fz_u32(in), fz_u32(in), &diff);
	if (ops & 128)
		synproxy_tcp_rescale(seg, fz_u8(in) % 16, fz_u8(in) % 16, &diff);
	check_parse(seg, hl);
	FUZZ_ASSERT(fz_csum_ok(seg, len, diff), "checksum after ops %#x", ops);
}

/* An insert into a header-only segment with room for the option. */
static void insert_toa(struct fuzz_in *in, const u8 *hdr, unsigned int hl)
{
	u8 sel = fz_u8(in), addr[16];
	int family = sel & 1 ? CORE_AF_INET6 : CORE_AF_INET;
	unsigned int olen = tcpopt_toa_len(family);
	u8 kind = family == CORE_AF_INET6 && (sel & 2) ? TCPOPT_KIND_TOA6 :
		  TCPOPT_KIND_TOA;
	struct tcpopt_walk w1, w2;
	u32 diff = 0;
	int r, o1, o2;
	u8 *th;

	fz_bytes(in, addr, sizeof(addr));
	th = calloc(1, hl + olen);
	if (!th)
		abort();
	memcpy(th, hdr, hl);
	fz_set_csum(th, hl);
	r = tcpopt_toa_insert(th, hl + olen, kind, family, addr, 1, &diff);
	if (r > 0) {
		FUZZ_ASSERT((unsigned int)r == olen, "inserted %d", r);
		FUZZ_ASSERT(th[20] == kind && th[21] == olen, "not first");
		diff = core_csum_update_u32(diff, core_cpu_to_be32(hl),
					    core_cpu_to_be32(hl + olen));
		FUZZ_ASSERT(fz_csum_ok(th, hl + olen, diff), "checksum after insert");
		tcpopt_walk_init(&w1, hdr);
		tcpopt_walk_init(&w2, th);
		tcpopt_walk_next(&w2);
		do {
			o1 = tcpopt_walk_next(&w1);
			o2 = tcpopt_walk_next(&w2);
		} while (o1 > 0 && o2 == o1 + r);
		FUZZ_ASSERT(o1 <= 0 && o1 == o2, "walk after insert: %d %d", o1, o2);
	}
	free(th);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u8 hdr[60], pay[64];
	unsigned int hl, paylen;
	u8 *seg;

	fz_bytes(&in, hdr, sizeof(hdr));
	hl = tcpopt_hdrlen(hdr) < 0 ? 20 : (unsigned int)tcpopt_hdrlen(hdr);
	paylen = fz_u8(&in) % (sizeof(pay) + 1);
	fz_bytes(&in, pay, paylen);

	/* The contract: max(20, doff * 4) bytes; here not one more. */
	seg = malloc(hl + paylen);
	if (!seg)
		abort();
	memcpy(seg, hdr, hl);
	memcpy(seg + hl, pay, paylen);
	fz_set_csum(seg, hl + paylen);
	if (tcpopt_check(seg, hl + paylen) == 0)
		FUZZ_ASSERT(tcpopt_hdrlen(seg) >= 20, "checked header of doff < 5");
	check_parse(seg, hl);
	rewrite(&in, seg, hl, hl + paylen);
	free(seg);

	if (tcpopt_hdrlen(hdr) > 0)
		insert_toa(&in, hdr, hl);
	return 0;
}
