/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_callmgr.h: the call manager process.
 *
 * The call manager owns one control connection (TCP port 1723) to one
 * server, from one local address; it listens on
 * <rundir>/<localbind>:<server> (dirutil.h) for the gateways that want a
 * call, and tells the pptp that started it whether the control connection
 * came up.  What it says on both, and how: cm_proto.h. */
#ifndef PPTP_CALLMGR_H
#define PPTP_CALLMGR_H
#include <netinet/in.h>
#include <stdint.h>

#include "cm_proto.h"
#include "pptp_ctrl.h"

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

#endif
