/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_status.h: the per-call status socket of each gateway and the
 * `pptp --status` command that reads them.
 *
 * Every gateway listens on <rundir>/status-<server>-<call id>.sock.  A
 * reader connects and gets one record: lines "key=value\n" in a fixed
 * order (see status_keys in pptp_status.c and pptp.8), then EOF.  No
 * signal and no syslog access is needed; the socket is mode 0660. */
#ifndef PPTP_STATUS_H
#define PPTP_STATUS_H
#include <netinet/in.h>
#include <stdint.h>

#include "pptp_gre.h"

struct status_info {
	struct in_addr server;
	uint16_t call_id, peer_call_id;
	const char *state;
	const char *tty;
	uint64_t uptime_s;
	const struct gre_stats *stats;
};

/* Path of the status socket for a call. */
int status_path(char *buf, size_t cap, struct in_addr server,
		uint16_t call_id);
/* Listen on path (non-blocking); the fd, or -1 (logged). */
int status_listen(const char *path);
/* Accept pending readers and write the record to each. */
void status_serve(int listen_fd, const struct status_info *si);
/* Render the record (also used by tests). Returns bytes, snprintf-like. */
int status_format(char *buf, size_t cap, const struct status_info *si);

enum status_style { STATUS_TABLE, STATUS_TSV, STATUS_JSON };
/* `pptp --status [server] [--tsv|--json]`: print every running call.
 * Returns the exit status. */
int status_command(const char *server_filter, enum status_style style);
#endif
