/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_kernel.h: the kernel data path (--kernel): the call is placed by
 * the call manager as always, then a PPTP socket (AF_PPPOX,
 * PX_PROTO_PPTP: Linux's `pptp' module) carries the frames and pppd
 * gets that socket as its channel through our pppd plugin
 * (plugin/pptp-kernel.c).
 *
 * pptp and the plugin talk over a unix stream socket, the "channel
 * socket": pptp sends one struct kchan_offer with the data fd attached
 * (SCM_RIGHTS); the plugin answers with struct kchan_note records (the
 * ppp interface name, once pppd has made it).  Closing the channel
 * socket, from either side, ends the call.  Both records are fixed-size,
 * host byte order, and never leave the machine.  This header is shared
 * with the plugin, so it needs only libc and the kernel headers. */
#ifndef PPTP_KERNEL_H
#define PPTP_KERNEL_H
#include <netinet/in.h>
#include <stdint.h>

#define KCHAN_MAGIC 0x50544b31u	/* "PTK1" */

enum kchan_kind {
	KCHAN_KERNEL = 1,	/* fd: a connected PPTP socket */
	KCHAN_PTY = 2,		/* fd: a pty slave, our GRE gateway behind it */
	KCHAN_FAILED = 3	/* no fd: the call could not be placed */
};

struct kchan_offer {
	uint32_t magic;
	uint32_t kind;		/* enum kchan_kind */
	uint16_t call_id, peer_call_id;
	char server[16];	/* dotted quad, NUL-terminated */
	char text[224];		/* why (FAILED), or why the pty (PTY) */
};

struct kchan_note {
	uint32_t magic;
	char ifname[16];	/* the ppp interface, NUL-terminated */
};

/* Option names shared by pptp and the plugin. */
#define KCHAN_PLUGIN_NAME "pptp-kernel.so"
#define KCHAN_OPT_FD "pptp_channel_fd"	/* launch mode: inherited channel */
#define KCHAN_OPT_SERVER "pptp_server"	/* peers files: plugin starts pptp */
#define KCHAN_OPT_OPTIONS "pptp_options"
#define KCHAN_OPT_BINARY "pptp_binary"
/* What pptp is told when the plugin starts it: the channel's fd number. */
#define KCHAN_PPTP_ARG "--kernel-channel"

/* Send an offer with fd attached (fd < 0: none).  0 or -errno. */
int kchan_send_offer(int sock, const struct kchan_offer *o, int fd);
/* Receive an offer within timeout_ms; *fd gets the attached fd or -1.
 * 0, -ETIMEDOUT, -EPIPE (closed), -EPROTO (malformed) or -errno. */
int kchan_recv_offer(int sock, struct kchan_offer *o, int *fd,
		     int timeout_ms);

/* ---- pptp's side (not used by the plugin) ---------------------------- */
#ifndef KCHAN_PLUGIN
#include <stdbool.h>
#include <sys/types.h>

/* Open an unconnected PPTP socket: -errno when the kernel has no PPTP
 * (EPROTONOSUPPORT, EAFNOSUPPORT: the `pptp' module could not be
 * loaded; the kernel asks modprobe itself). */
int kernel_pptp_socket(uint32_t rtmark);
/* The local address the kernel would use toward server (the routing
 * table, honouring localbind and rtmark).  0 or -errno. */
int kernel_local_addr(struct in_addr server, struct in_addr localbind,
		      uint32_t rtmark, struct in_addr *local);
/* Bind to (local, call_id) and connect to (server, peer_call_id).
 * 0 or -errno (EBUSY: call id in use by another PPTP socket). */
int kernel_pptp_connect(int fd, struct in_addr local, uint16_t call_id,
			struct in_addr server, uint16_t peer_call_id);
/* The plugin's path: $PPTP_KERNEL_PLUGIN, else the built-in default. */
const char *kernel_plugin_path(void);

/* What the call holder needs: the process that keeps the call manager
 * socket while the kernel carries the data. */
struct kernel_holder_config {
	uint16_t call_id, peer_call_id;
	struct in_addr server;
	int cm_fd;		/* call manager socket */
	int chan_fd;		/* channel socket to the plugin */
	const char *status_path;	/* per-call status socket, or NULL */
};

/* Run until the call ends or pppd lets go of the channel.  Returns the
 * exit status: 0 for an orderly end. */
int kernel_holder_run(const struct kernel_holder_config *cfg);
#endif
#endif
