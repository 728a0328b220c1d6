/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs portable core: TCP header options, TOA, sequence translation.
 *
 * Every function works on a TCP header in a plain byte buffer: @th points
 * at the header, its length comes from the data offset (doff), and the
 * caller guarantees that max(20, doff * 4) bytes are readable and
 * writable (the kernel glue pulls that much into the linear area and
 * makes it writable; tcpopt_check() validates it for callers that only
 * have a length). Nothing here reads or writes past that, except
 * tcpopt_toa_insert(), which writes up to its @capacity.
 *
 * Functions that change bytes add the checksum change to *@diff (see
 * csum.h): the caller folds it into the TCP checksum with
 * inet_proto_csum_replace_by_diff(..., false). Changes of the TCP length
 * in the pseudo-header are the caller's (it knows the IP header).
 *
 * Malformed options (length 0 or 1, or running past the header) end a
 * walk; the function reports TCPOPT_E_MALFORMED, and whatever it changed
 * before that point stays changed and counted in *@diff.
 */
#ifndef _NFTLVS_CORE_TCPOPT_H
#define _NFTLVS_CORE_TCPOPT_H

#include "core_types.h"
#include "csum.h"

#define TCPOPT_KIND_EOL		0
#define TCPOPT_KIND_NOP		1
#define TCPOPT_KIND_MSS		2
#define TCPOPT_KIND_WSCALE	3
#define TCPOPT_KIND_SACK_PERM	4
#define TCPOPT_KIND_SACK	5
#define TCPOPT_KIND_TS		8
/*
 * TOA: kind 254 length 8 carries an IPv4 client; an IPv6 client takes 20
 * bytes under kind 254 (DPVS's layout, our default) or kind 253 (Alibaba
 * LVS v2's). Both put the port first, then the address.
 */
#define TCPOPT_KIND_TOA6	253	/* Alibaba LVS v2, IPv6 client */
#define TCPOPT_KIND_TOA		254	/* IPv4 client; DPVS: IPv6 client too */

#define TCPOPT_LEN_MSS		4
#define TCPOPT_LEN_WSCALE	3
#define TCPOPT_LEN_SACK_PERM	2
#define TCPOPT_LEN_SACK_BASE	2
#define TCPOPT_LEN_SACK_BLOCK	8
#define TCPOPT_LEN_TS		10
#define TCPOPT_LEN_TOA		8	/* kind, len, be16 port, be32 addr */
#define TCPOPT_LEN_TOA6		20	/* kind, len, be16 port, in6_addr */

#define CORE_TCP_HDR_MIN	20
#define CORE_TCP_HDR_MAX	60

/* TCP flag bits, in byte CORE_TCP_FLAGS_OFF of the header. */
#define CORE_TCP_FLAGS_OFF	13
#define CORE_TCPF_FIN		0x01
#define CORE_TCPF_SYN		0x02
#define CORE_TCPF_RST		0x04
#define CORE_TCPF_PSH		0x08
#define CORE_TCPF_ACK		0x10

enum tcpopt_err {
	TCPOPT_E_MALFORMED	= -1,	/* doff < 5, or a broken option */
	TCPOPT_E_HDR_FULL	= -2,	/* header would pass 60 bytes */
	TCPOPT_E_NO_ROOM	= -3,	/* buffer capacity too small */
	TCPOPT_E_FAMILY		= -4,	/* neither CORE_AF_INET nor _INET6 */
};

/* Header length from doff (20..60), or TCPOPT_E_MALFORMED. */
static core_always_inline int tcpopt_hdrlen(const u8 *th)
{
	unsigned int doff = th[12] >> 4;

	return doff < 5 ? TCPOPT_E_MALFORMED : (int)(doff * 4);
}

int tcpopt_check(const u8 *th, size_t len);

/*
 * Option walker. tcpopt_walk_next() returns the offset of the next option
 * that is neither NOP nor EOL (its kind at th[off], its length, already
 * checked to be >= 2 and inside the header, at th[off + 1]), 0 at the end
 * (EOL or header end), or TCPOPT_E_MALFORMED, after which it returns 0.
 */
struct tcpopt_walk {
	const u8	*th;
	unsigned int	off;
	unsigned int	end;
};

static inline int tcpopt_walk_init(struct tcpopt_walk *w, const u8 *th)
{
	int hl = tcpopt_hdrlen(th);

	w->th = th;
	w->off = CORE_TCP_HDR_MIN;
	w->end = hl < 0 ? CORE_TCP_HDR_MIN : (unsigned int)hl;
	return hl;
}

static inline int tcpopt_walk_next(struct tcpopt_walk *w)
{
	while (w->off < w->end) {
		unsigned int off = w->off;
		u8 kind = w->th[off];
		u8 len;

		if (kind == TCPOPT_KIND_EOL)
			break;
		if (kind == TCPOPT_KIND_NOP) {
			w->off++;
			continue;
		}
		if (unlikely(off + 2 > w->end))
			goto malformed;
		len = w->th[off + 1];
		if (unlikely(len < 2 || off + len > w->end))
			goto malformed;
		w->off = off + len;
		return (int)off;
	}
	w->off = w->end;
	return 0;
malformed:
	w->off = w->end;
	return TCPOPT_E_MALFORMED;
}

/* What tcpopt_parse() found; offsets are from th, valid if present. */
#define TCPOPT_F_MSS		(1 << 0)
#define TCPOPT_F_WSCALE		(1 << 1)
#define TCPOPT_F_SACK_PERM	(1 << 2)
#define TCPOPT_F_SACK		(1 << 3)
#define TCPOPT_F_TS		(1 << 4)
#define TCPOPT_F_TOA		(1 << 5)	/* either TOA kind */

struct tcpopt_info {
	u32	present;	/* TCPOPT_F_* */
	u16	mss;
	u8	wscale;		/* as sent; the receiver caps it at 14 */
	u8	sack_blocks;
	u8	mss_off;
	u8	ts_off;
	u8	sack_off;
	u8	toa_off;
	u32	tsval;
	u32	tsecr;
};

int tcpopt_parse(const u8 *th, struct tcpopt_info *info);
bool tcpopt_has_sack(const u8 *th);

/* Option rewriting; see the top of this file for @diff and errors. */
int tcpopt_clamp_mss(u8 *th, u16 max_mss, u32 *diff);
int tcpopt_reduce_mss(u8 *th, u16 dec, u32 *diff);
int tcpopt_sack_adjust(u8 *th, u32 delta, u32 *diff);
int tcpopt_nop_out(u8 *th, u8 kind, u8 len, u32 *diff);
int tcpopt_strip_timestamps(u8 *th, u32 *diff);
int tcpopt_strip_toa(u8 *th, u32 *diff);

/* Bytes a TOA option takes for @family, 0 for an unknown family. */
static inline unsigned int tcpopt_toa_len(int family)
{
	if (family == CORE_AF_INET)
		return TCPOPT_LEN_TOA;
	if (family == CORE_AF_INET6)
		return TCPOPT_LEN_TOA6;
	return 0;
}

int tcpopt_toa_insert(u8 *th, unsigned int capacity, u8 kind, int family,
		      const void *addr, __be16 port, u32 *diff);

/* Sequence space arithmetic, modulo 2^32 (RFC 1982 style). */
static inline bool core_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool core_seq_after(u32 a, u32 b)
{
	return core_seq_before(b, a);
}

/*
 * Whether the only option is the timestamps, laid out as RFC 7323's
 * appendix suggests and Linux sends them (NOP, NOP, kind 8 length 10): the
 * options of nearly every segment of a transfer.
 */
static core_always_inline bool tcpopt_ts_only(const u8 *th)
{
	return tcpopt_hdrlen(th) == CORE_TCP_HDR_MIN + 12 &&
	       th[20] == TCPOPT_KIND_NOP && th[21] == TCPOPT_KIND_NOP &&
	       th[22] == TCPOPT_KIND_TS && th[23] == TCPOPT_LEN_TS;
}

/* Add @d to the 32-bit sequence number at @p; its checksum change to *@diff. */
static core_always_inline void core_seq_field_add(u8 *p, u32 d, u32 *diff)
{
	u32 old = core_get_be32(p), new = old + d;

	core_put_be32(p, new);
	*diff = core_csum_update_u32(*diff, core_cpu_to_be32(old),
				     core_cpu_to_be32(new));
}

/*
 * Translate one segment between the two halves of a spliced connection:
 * seq += @dseq; if the ACK flag is set, ack += @dack and every SACK edge
 * += @dack (SACK blocks live in the same sequence space as the ack).
 * Returns 0 or TCPOPT_E_MALFORMED from the SACK walk (seq and ack are
 * translated regardless). With @dack 0 only bytes 4..7 are touched, so it
 * also serves the 8 bytes of TCP header quoted in an ICMP error. Inline:
 * every translated segment of a connection takes it.
 */
static core_always_inline int core_tcp_translate(u8 *th, u32 dseq, u32 dack,
						 u32 *diff)
{
	int ret;

	if (dseq)
		core_seq_field_add(th + 4, dseq, diff);
	if (!dack || !(th[CORE_TCP_FLAGS_OFF] & CORE_TCPF_ACK))
		return 0;
	core_seq_field_add(th + 8, dack, diff);
	if (tcpopt_ts_only(th))	/* no SACK: no walk */
		return 0;
	ret = tcpopt_sack_adjust(th, dack, diff);
	return ret < 0 ? ret : 0;
}

/* Client->RS with a FULLNAT delta @d: the RS sees seq + d. */
static core_always_inline int core_tcp_seq_add(u8 *th, u32 d, u32 *diff)
{
	return core_tcp_translate(th, d, 0, diff);
}

/* RS->client: the RS acks the client's data at seq + d; undo it in ack
 * and SACK edges.
 */
static core_always_inline int core_tcp_ack_sub(u8 *th, u32 d, u32 *diff)
{
	return core_tcp_translate(th, 0, -d, diff);
}

#endif /* _NFTLVS_CORE_TCPOPT_H */
