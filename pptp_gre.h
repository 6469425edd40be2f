/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_gre.h: the GRE-to-PPP gateway: the loop that moves PPP frames
 * between the pty (pppd) and the raw GRE socket (the server). */
#ifndef PPTP_GRE_H
#define PPTP_GRE_H
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gre_stats.h"

struct gateway_config {
	uint16_t call_id, peer_call_id;
	int pty_in, pty_out;	/* the same fd when on a pty */
	int gre_fd;		/* raw IPPROTO_GRE, connected to the server */
	int cm_fd;		/* call manager socket, -1 for none */
	struct in_addr server;
	bool sync;		/* synchronous HDLC on the pty */
	bool nobuffer;
	uint32_t timeout_us;	/* reorder wait */
	uint32_t missing_window;
	int test_type, test_rate;
	const char *status_path;	/* per-call status socket, or NULL */
	const char *tty_name;
	uint32_t gre_check_s;	/* --gre-check window, 0: off */
};

/* How the gateway ended. */
enum gateway_end {
	GW_END_PTY,		/* pppd closed the pty */
	GW_END_CALL,		/* the call ended (server or call manager) */
	GW_END_SIGNAL,
	GW_END_ERROR
};

/* Attach a socket filter so this raw socket only sees GRE for call_id. */
int gre_attach_filter(int fd, uint16_t call_id);
/* Open the raw GRE socket, connected to server (and bound/marked). */
int gre_open_socket(struct in_addr server, struct in_addr localbind,
		    uint32_t rtmark);
enum gateway_end gateway_run(const struct gateway_config *cfg);
#endif
