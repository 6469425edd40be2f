/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_status.h: the per-call status socket of each gateway and the
 * `pptp --status` command that reads them.
 *
 * Every gateway listens on <rundir>/status-<server>-<call id>.sock.  A
 * reader connects and gets one record: lines "key=value\n" in a fixed
 * order (status_format and pptp.8; new keys are only ever appended), then
 * EOF.  No signal and no syslog access is needed; the socket is mode
 * 0660. */
#ifndef PPTP_STATUS_H
#define PPTP_STATUS_H
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gre_stats.h"

struct status_info {
	struct in_addr server;
	uint16_t call_id, peer_call_id;
	const char *state;
	const char *tty;
	uint64_t uptime_s;
	const struct gre_stats *stats;
	const char *gre_check;	/* the --gre-check verdict */
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

/* A record as `pptp --status` reads it from a socket it cannot trust:
 * only keys status_format could write ([a-z0-9_]), each once (the first
 * wins), values cut to STATUS_VAL_MAX - 1 bytes, raw until printed. */
#define STATUS_KEYS_MAX 40
#define STATUS_KEY_MAX 32
#define STATUS_VAL_MAX 96
struct status_record {
	int n;
	char key[STATUS_KEYS_MAX][STATUS_KEY_MAX];
	char val[STATUS_KEYS_MAX][STATUS_VAL_MAX];
};
/* Parse len bytes (no NUL needed); returns the number of keys kept. */
int status_parse(const char *buf, size_t len, struct status_record *r);
const char *status_record_get(const struct status_record *r, const char *k);
bool status_record_has(const struct status_record *r, const char *k);

enum status_style { STATUS_TABLE, STATUS_TSV, STATUS_JSON };
/* One record: a table row (every cell printable ASCII, '?' for any other
 * byte), tab-separated values (the same), or a JSON object (keys and
 * strings escaped to plain ASCII; a value is a number only when it is a
 * decimal integer that fits in 64 bits). */
void status_print(FILE *f, const struct status_record *r,
		  enum status_style style);
/* `pptp --status [server] [--tsv|--json]`: print every running call,
 * reading all status sockets at once with one deadline.  Returns the exit
 * status: 1 when a server was named and no call to it runs (said on
 * stderr), else 0. */
int status_command(const char *server_filter, enum status_style style);
#endif
