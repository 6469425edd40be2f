/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ratelimit.h: [pure] the one rate limit of the tree, a fixed window:
 * at most `burst` events per `window_ms`, counting what is held back.
 * The control connection uses it for what a server can make us repeat
 * (replies, Set-Link-Info news, log lines: pptp_ctrl.c), the processes
 * for log lines a peer can trigger per packet (util.c, log_limit). */
#ifndef PPTP_RATELIMIT_H
#define PPTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate_window {
	uint64_t start;		/* when the current window began */
	uint32_t n;		/* events let through in it (+1 once one
				 * was held back) */
	uint32_t held;		/* held back since the last one let through */
	bool started;		/* a window has begun (the first event) */
};

/* An event at `now` (any monotonic scale, window_ms in the same unit):
 * 1 when it may go (r->held then says how many were held back before
 * it, for the caller to report and clear); 0 when it is the first one
 * held back in this window; -1 when held back again. */
static inline int rate_window_take(struct rate_window *r, uint64_t now,
				   uint32_t burst, uint64_t window_ms)
{
	if (!r->started || now - r->start >= window_ms) {
		r->started = true;
		r->start = now;
		r->n = 0;
	}
	if (r->n < burst) {
		r->n++;
		return 1;
	}
	if (r->held < UINT32_MAX)
		r->held++;
	if (r->n == burst) {
		r->n++;
		return 0;
	}
	return -1;
}

/* When the current window ends (what is held back may go then). */
static inline uint64_t rate_window_end(const struct rate_window *r,
				       uint64_t window_ms)
{
	return r->start + window_ms;
}

#endif
