/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_callmgr.h: the call manager process and the protocol its callers
 * (the GRE-to-PPP gateways) speak with it over a unix stream socket.
 *
 * The call manager owns one control connection (TCP port 1723) to one
 * server, from one local address; it listens on
 * <rundir>/<localbind>:<server> (dirutil.h).  Each gateway that wants a
 * call connects there and sends one struct cm_request.  The call manager
 * answers with struct cm_reply records: CM_CALL_UP once the server has
 * accepted the call, CM_CALL_SLI whenever the server sends Set-Link-Info
 * for it, and CM_CALL_DOWN (then closes the socket) when the call ends
 * for any reason, its text naming why.  A gateway ends its call by closing
 * its socket; the call manager then sends Call-Clear-Request.  Both records
 * are fixed-size and in host byte order: they never leave the machine.
 *
 * The pptp that starts a call manager learns from it, on a pipe, whether
 * the control connection came up: one text line (cm_ready_encode), sent
 * once the server has accepted the control connection or once it has
 * failed, with the real cause (connect's errno, or the server's refusal
 * with its codes).  Only then does that pptp ask for its call. */
#ifndef PPTP_CALLMGR_H
#define PPTP_CALLMGR_H
#include <netinet/in.h>
#include <stdint.h>

#include "pptp_ctrl.h"

#define CM_MAGIC 0x50434d31u	/* "PCM1" */

struct cm_request {
	uint32_t magic;
	int32_t gateway_pid;
	int32_t pppd_pid;	/* 0 when pppd is not ours (--nolaunchpppd) */
};

enum cm_reply_type { CM_CALL_UP = 1, CM_CALL_SLI = 2, CM_CALL_DOWN = 3 };

struct cm_reply {
	uint32_t magic;
	uint32_t type;		/* enum cm_reply_type */
	uint16_t call_id, peer_call_id;
	uint32_t send_accm, recv_accm;
	char text[200];		/* why the call went down, NUL-terminated */
};

/* What the call manager needs to know; filled by pptp.c. */
struct callmgr_config {
	struct in_addr server;
	struct in_addr localbind;	/* INADDR_NONE for none */
	uint32_t rtmark;		/* 0 for none */
	bool hostroute;			/* add (and later remove) a route */
	uint32_t connect_timeout_ms;
	bool debug;			/* keep stderr, mirror the log there */
	struct ctrl_config ctrl;
};

/* Run in a freshly forked child: connect to the server, listen on the
 * unix socket, then fork again and return (exit 0); the grandchild serves
 * calls until the last one ends.  Whether the control connection came up
 * (and if not, why) is written to ready_fd as one cm_ready line, by
 * whichever process knows it first.  Returns the child's exit status. */
int callmgr_main(const struct callmgr_config *cfg, int ready_fd);

/* The ready line: "ready\n" (err 0, text ignored), or
 * "failed <errno> <text>\n" where errno is a positive errno value (0 when
 * the text alone is the cause, e.g. the server's refusal) and the text has
 * no newline.  Encode returns the length written (truncating the text to
 * fit) or -ENOSPC; decode returns 0 (ready), 1 (failed: *err and text
 * set) or -EPROTO for anything else. */
#define CM_READY_MAX 256
int cm_ready_encode(char *buf, size_t cap, int err, const char *text);
int cm_ready_decode(const char *line, size_t len, int *err, char *text,
		    size_t text_cap);
#endif
