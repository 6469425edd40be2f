/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_stats.h: the gateway's counters, described once.
 *
 * GRE_STATS(X) lists every counter in the order of the status record
 * (pptp.8, STATISTICS); from it come the struct, the status record's
 * counter lines (pptp_status.c), pptp-linux's SIGUSR1 dump (gre_stats.c)
 * and the --status table's counter columns.  A new counter is one line
 * here and its increment, plus its description in pptp.8.  The record's
 * keys are only ever appended, and keys that are not counters follow the
 * counter lines (gre_check, pptp_status.c): a counter added now goes in
 * GRE_STATS_LATE, whose lines come after those keys.
 *
 * X(type, name, dump, heading, width):
 *   type    uint32_t, int32_t or uint64_t
 *   name    the field, and the status record's key
 *   dump    its line in the SIGUSR1 dump (pptp-linux's words and order,
 *           printf format of one int), or NULL: ours, not in the dump
 *   heading its column's heading in the --status table, or NULL
 *   width   that column's width (0 without one) */
#ifndef PPTP_GRE_STATS_H
#define PPTP_GRE_STATS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRE_STATS(X)							\
	/* frames passed to pppd */					\
	X(uint32_t, rx_accepted, "rx accepted  = %d\n", "RX", 10)	\
	/* sequence numbers never received */				\
	X(uint32_t, rx_lost, "rx lost      = %d\n", "LOST", 6)		\
	/* duplicates and too-late packets */				\
	X(uint32_t, rx_underwin, "rx under win = %d\n", NULL, 0)	\
	/* too far ahead to reorder */					\
	X(uint32_t, rx_overwin, "rx over  win = %d\n", NULL, 0)		\
	/* ahead of sequence: held (or passed, with --nobuffer) */	\
	X(uint32_t, rx_buffered, "rx buffered  = %d\n", NULL, 0)	\
	/* receive errors from the OS */				\
	X(uint32_t, rx_errors, "rx OS errors = %d\n", NULL, 0)		\
	/* shorter than its GRE header says */				\
	X(uint32_t, rx_truncated, "rx truncated = %d\n", NULL, 0)	\
	/* bad flags, version, protocol, length */			\
	X(uint32_t, rx_invalid, "rx invalid   = %d\n", "BAD", 6)	\
	/* ack-only packets */						\
	X(uint32_t, rx_acks, "rx acks      = %d\n", NULL, 0)		\
	/* data packets sent */						\
	X(uint32_t, tx_sent, "tx sent      = %d\n", "TX", 10)		\
	/* sends the OS refused */					\
	X(uint32_t, tx_failed, "tx failed    = %d\n", NULL, 0)		\
	/* sends the OS cut short */					\
	X(uint32_t, tx_short, "tx short     = %d\n", NULL, 0)		\
	/* ack-only packets sent */					\
	X(uint32_t, tx_acks, "tx acks      = %d\n", NULL, 0)		\
	/* frames from pppd too big to send */				\
	X(uint32_t, tx_oversize, "tx oversize  = %d\n", NULL, 0)	\
	/* round trip estimate from acks */				\
	X(int32_t, rtt_us, "round trip   = %d usecs\n", "RTT(us)", 8)	\
	/* Ours, beyond pptp-linux (status only, not in the dump): */	\
	X(uint64_t, rx_bytes, NULL, NULL, 0)				\
	X(uint64_t, tx_bytes, NULL, NULL, 0)				\
	/* bad FCS, too long, aborted */				\
	X(uint32_t, pty_bad_frames, NULL, NULL, 0)			\
	/* valid GRE for another call id */				\
	X(uint32_t, rx_other_call, NULL, NULL, 0)

/* Counters added after gre_check: the record's keys are only appended. */
#define GRE_STATS_LATE(X)						\
	/* frames dropped: no room left in the queue to pppd */		\
	X(uint32_t, rx_pty_full, NULL, NULL, 0)

struct gre_stats {
#define GRE_STATS_FIELD(type, name, dump, heading, width) type name;
	GRE_STATS(GRE_STATS_FIELD)
	GRE_STATS_LATE(GRE_STATS_FIELD)
#undef GRE_STATS_FIELD
};

/* The status record's counter lines ("name=value\n" each, in list order)
 * into buf; returns the length they need, snprintf-like. */
int gre_stats_format(char *buf, size_t cap, const struct gre_stats *s);
/* The same for GRE_STATS_LATE's counters. */
int gre_stats_format_late(char *buf, size_t cap, const struct gre_stats *s);

/* Line i (0: the heading) of pptp-linux's SIGUSR1 dump into buf, with
 * its newline; false past the last line. */
bool gre_stats_dump_line(const struct gre_stats *s, unsigned i, char *buf,
			 size_t cap);
/* The whole dump to syslog at LOG_NOTICE, as pptp-linux writes it (log
 * watchers parse it). */
void gre_stats_dump_syslog(const struct gre_stats *s);

/* Every counter in list order: its --status table heading (NULL: not a
 * column) and its key. */
struct gre_stats_column {
	const char *heading, *key;
	int width;
};
extern const struct gre_stats_column gre_stats_columns[];
extern const size_t gre_stats_ncolumns;
#endif
