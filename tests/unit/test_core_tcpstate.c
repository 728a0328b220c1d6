// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/tcpstate.[ch]: the transitions a connection
 * goes through, and the inline shortcut of lb_tcp_next_state() giving the
 * same answer as the whole state machine for every state, direction and
 * combination of flags.
 */
#include <stdio.h>

#include "core_harness.h"
#include "tcpstate.h"

#define SYN	CORE_TCPF_SYN
#define ACK	CORE_TCPF_ACK
#define FIN	CORE_TCPF_FIN
#define RST	CORE_TCPF_RST

static void test_transitions(void)
{
	static const struct {
		u8 state, dir, flags, next;
	} cases[] = {
		{ LB_TCP_NONE, LB_DIR_IN, SYN, LB_TCP_SYN_SENT },
		{ LB_TCP_SYN_SENT, LB_DIR_IN, SYN, LB_TCP_SYN_SENT },
		{ LB_TCP_SYN_SENT, LB_DIR_OUT, SYN | ACK, LB_TCP_SYN_RECV },
		{ LB_TCP_SYN_RECV, LB_DIR_OUT, ACK, LB_TCP_SYN_RECV },
		{ LB_TCP_SYN_RECV, LB_DIR_IN, ACK, LB_TCP_ESTABLISHED },
		{ LB_TCP_ESTABLISHED, LB_DIR_IN, ACK, LB_TCP_ESTABLISHED },
		{ LB_TCP_ESTABLISHED, LB_DIR_OUT, ACK, LB_TCP_ESTABLISHED },
		{ LB_TCP_ESTABLISHED, LB_DIR_IN, 0, LB_TCP_ESTABLISHED },
		{ LB_TCP_ESTABLISHED, LB_DIR_IN, FIN | ACK, LB_TCP_FIN_WAIT },
		{ LB_TCP_ESTABLISHED, LB_DIR_OUT, FIN | ACK, LB_TCP_CLOSE_WAIT },
		{ LB_TCP_ESTABLISHED, LB_DIR_IN, RST, LB_TCP_CLOSE },
		{ LB_TCP_ESTABLISHED, LB_DIR_OUT, RST | ACK, LB_TCP_CLOSE },
		{ LB_TCP_ESTABLISHED, LB_DIR_IN, SYN, LB_TCP_ESTABLISHED },
		{ LB_TCP_FIN_WAIT, LB_DIR_IN, ACK, LB_TCP_FIN_WAIT },
		{ LB_TCP_FIN_WAIT, LB_DIR_OUT, FIN | ACK, LB_TCP_LAST_ACK },
		{ LB_TCP_CLOSE_WAIT, LB_DIR_IN, FIN | ACK, LB_TCP_LAST_ACK },
		{ LB_TCP_LAST_ACK, LB_DIR_IN, ACK, LB_TCP_TIME_WAIT },
		{ LB_TCP_TIME_WAIT, LB_DIR_IN, SYN, LB_TCP_SYN_SENT },
		{ LB_TCP_CLOSE, LB_DIR_IN, SYN, LB_TCP_SYN_SENT },
		{ LB_TCP_STATE_MAX, LB_DIR_IN, ACK, LB_TCP_CLOSE },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(lb_tcp_next_state(cases[i].state, cases[i].dir,
					cases[i].flags) == cases[i].next,
		      "case %u: %s + flags 0x%02x -> %s", i,
		      lb_tcp_state_name(cases[i].state), cases[i].flags,
		      lb_tcp_state_name(cases[i].next));
}

static void test_shortcut(void)
{
	unsigned int state, dir, flags, bad = 0;

	for (state = 0; state <= LB_TCP_STATE_MAX; state++)
		for (dir = LB_DIR_IN; dir <= LB_DIR_OUT; dir++)
			for (flags = 0; flags < 256; flags++)
				LOOP_CHECK(bad,
					   lb_tcp_next_state(state, dir, flags) ==
					   lb_tcp_next_state_slow(state, dir, flags),
					   "state %u dir %u flags 0x%02x",
					   state, dir, flags);
	CHECK(bad == 0, "%u inputs where the shortcut differs", bad);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_transitions();
	test_shortcut();
	return core_test_report();
}
