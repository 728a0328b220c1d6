/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs portable core: the TCP state of a load-balanced connection, as
 * the LB sees it from the flags of the packets passing in each direction.
 *
 * The LB does not track windows; the state only decides how long an idle
 * connection is kept and whether it counts as active for lc/wlc.
 */
#ifndef _NFTLVS_CORE_TCPSTATE_H
#define _NFTLVS_CORE_TCPSTATE_H

#include "core_types.h"
#include "tcpopt.h"

enum lb_tcp_state {
	LB_TCP_NONE,
	LB_TCP_SYN_SENT,	/* client SYN passed to the RS */
	LB_TCP_SYN_RECV,	/* RS answered with SYN-ACK */
	LB_TCP_ESTABLISHED,
	LB_TCP_FIN_WAIT,	/* client closed first */
	LB_TCP_CLOSE_WAIT,	/* RS closed first */
	LB_TCP_LAST_ACK,	/* both sent FIN, waiting for the last ACK */
	LB_TCP_TIME_WAIT,
	LB_TCP_CLOSE,		/* reset */
	LB_TCP_STATE_MAX
};

enum lb_dir {
	LB_DIR_IN,	/* client -> RS */
	LB_DIR_OUT,	/* RS -> client */
};

/* Default timeouts in seconds (the seed's). */
#define LB_TCP_TIMEOUTS_DEFAULT {			\
	[LB_TCP_NONE]		= 3,			\
	[LB_TCP_SYN_SENT]	= 3,			\
	[LB_TCP_SYN_RECV]	= 30,			\
	[LB_TCP_ESTABLISHED]	= 90,			\
	[LB_TCP_FIN_WAIT]	= 7,			\
	[LB_TCP_CLOSE_WAIT]	= 7,			\
	[LB_TCP_LAST_ACK]	= 7,			\
	[LB_TCP_TIME_WAIT]	= 7,			\
	[LB_TCP_CLOSE]		= 3,			\
}
#define LB_UDP_TIMEOUT_DEFAULT	300

/* The whole state machine; callers use lb_tcp_next_state() below. */
u8 lb_tcp_next_state_slow(u8 state, enum lb_dir dir, u8 flags);

/*
 * New state after a segment with TCP @flags (CORE_TCPF_*) in @dir. Nearly
 * every segment is one without SYN, FIN or RST on an established
 * connection, which stays so: decided here, without a call.
 */
static inline u8 lb_tcp_next_state(u8 state, enum lb_dir dir, u8 flags)
{
	if (state == LB_TCP_ESTABLISHED &&
	    !(flags & (CORE_TCPF_SYN | CORE_TCPF_FIN | CORE_TCPF_RST)))
		return state;
	return lb_tcp_next_state_slow(state, dir, flags);
}

/* A SYN from the client may start over a connection in these states. */
static inline bool lb_tcp_reusable(u8 state)
{
	return state == LB_TCP_TIME_WAIT || state == LB_TCP_CLOSE;
}

const char *lb_tcp_state_name(u8 state);

#endif /* _NFTLVS_CORE_TCPSTATE_H */
