// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs portable core: TCP state transitions of a connection.
 *
 * RST ends everything; a SYN from the client (re)starts the handshake; the
 * RS's SYN-ACK and the client's ACK complete it; FINs walk the close.
 * Flags are looked at in the order RST, SYN, FIN, ACK, as IPVS does.
 */
#include "tcpstate.h"
#include "tcpopt.h"

static u8 lb_tcp_on_syn(u8 state, enum lb_dir dir)
{
	if (dir == LB_DIR_IN) {
		/* A client SYN is a retransmission, or a new start after close. */
		if (state == LB_TCP_NONE || lb_tcp_reusable(state))
			return LB_TCP_SYN_SENT;
		return state;
	}
	/* SYN-ACK from the RS. */
	if (state == LB_TCP_SYN_SENT || state == LB_TCP_NONE)
		return LB_TCP_SYN_RECV;
	return state;
}

static u8 lb_tcp_on_fin(u8 state, enum lb_dir dir)
{
	switch (state) {
	case LB_TCP_SYN_SENT:
	case LB_TCP_SYN_RECV:
	case LB_TCP_ESTABLISHED:
		return dir == LB_DIR_IN ? LB_TCP_FIN_WAIT : LB_TCP_CLOSE_WAIT;
	case LB_TCP_FIN_WAIT:
		return dir == LB_DIR_OUT ? LB_TCP_LAST_ACK : state;
	case LB_TCP_CLOSE_WAIT:
		return dir == LB_DIR_IN ? LB_TCP_LAST_ACK : state;
	default:
		return state;
	}
}

static u8 lb_tcp_on_ack(u8 state, enum lb_dir dir)
{
	switch (state) {
	case LB_TCP_SYN_RECV:
		return dir == LB_DIR_IN ? LB_TCP_ESTABLISHED : state;
	case LB_TCP_LAST_ACK:
		return LB_TCP_TIME_WAIT;
	default:
		return state;
	}
}

u8 lb_tcp_next_state_slow(u8 state, enum lb_dir dir, u8 flags)
{
	if (state >= LB_TCP_STATE_MAX)
		return LB_TCP_CLOSE;
	if (flags & CORE_TCPF_RST)
		return LB_TCP_CLOSE;
	if (flags & CORE_TCPF_SYN)
		return lb_tcp_on_syn(state, dir);
	if (flags & CORE_TCPF_FIN)
		return lb_tcp_on_fin(state, dir);
	if (flags & CORE_TCPF_ACK)
		return lb_tcp_on_ack(state, dir);
	return state;
}

const char *lb_tcp_state_name(u8 state)
{
	static const char *const names[LB_TCP_STATE_MAX] = {
		[LB_TCP_NONE]		= "NONE",
		[LB_TCP_SYN_SENT]	= "SYN_SENT",
		[LB_TCP_SYN_RECV]	= "SYN_RECV",
		[LB_TCP_ESTABLISHED]	= "ESTABLISHED",
		[LB_TCP_FIN_WAIT]	= "FIN_WAIT",
		[LB_TCP_CLOSE_WAIT]	= "CLOSE_WAIT",
		[LB_TCP_LAST_ACK]	= "LAST_ACK",
		[LB_TCP_TIME_WAIT]	= "TIME_WAIT",
		[LB_TCP_CLOSE]		= "CLOSE",
	};

	return state < LB_TCP_STATE_MAX ? names[state] : "?";
}
