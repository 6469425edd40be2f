/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reorder.h: bounded receive reorder queue for GRE sequence numbers. */
#ifndef PPTP_REORDER_H
#define PPTP_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A pure module: no I/O, no clock. Time comes in as now_us, a monotonic
 * microsecond counter chosen by the caller. All sequence arithmetic is
 * modulo 2^32 and wrap-safe.
 *
 * Usage in the receive path:
 *
 *	v = reorder_push(q, seq, buf, len, now, &lost);
 *	if (v == RO_DELIVER)
 *		deliver(buf, len);
 *	while ((n = reorder_pop(q, now, &p, &s, &lost)) > 0)
 *		deliver(p, n);
 *
 * and when the poll timeout given by reorder_deadline() expires, the same
 * reorder_pop() loop. Drain with reorder_pop() after every push, whatever
 * the verdict: a push may fill the queue, and a full queue is released
 * by the next pop.
 *
 * Accounting: every sequence number from the first one received up to the
 * last one delivered is either delivered exactly once (by RO_DELIVER or a
 * pop) or counted exactly once in a `lost` output.
 */

/* Packets held at most; 64 covers the reordering seen on real links and
 * bounds the storage to 64 * REORDER_PKT_MAX = 512 KiB, allocated only when
 * the first packet must be held. When full, the gap in front of the oldest
 * held packet is given up as lost. */
#define REORDER_CAP 64
/* Largest payload stored; matches HDLC_FRAME_MAX. */
#define REORDER_PKT_MAX 8192
/* Packets ahead of the expected one that may be buffered (--missing-window);
 * a window of 0 passed to reorder_init() means this default. */
#define REORDER_DEFAULT_WINDOW 300
/* Largest meaningful window: half the sequence space, beyond which "ahead"
 * and "behind" can no longer be told apart. Larger windows are clamped. */
#define REORDER_WINDOW_MAX 0x80000000u
/* This many consecutive far-ahead (over-window) sequence numbers, each the
 * previous one plus one, mean the peer really jumped: resync to them. */
#define REORDER_RESYNC_RUN 4

enum reorder_verdict {
	RO_DELIVER, /* the next expected packet (or accepted in nobuffer mode /
		     * after a resync): the caller delivers its own copy now,
		     * then drains with reorder_pop() */
	RO_QUEUED,  /* ahead of sequence, stored for reordering */
	RO_DUP,     /* duplicate of a packet still queued: dropped, queue
		     * unchanged */
	RO_OLD,     /* at or behind what was already delivered (duplicate or
		     * too late): dropped ("rx under win") */
	RO_OVER,    /* too far ahead (>= window): dropped ("rx over win"),
		     * state unchanged unless it completes a resync run; also a
		     * packet that finds the queue full because the caller did
		     * not drain after the previous push */
	RO_TOOBIG   /* would have to be queued but cannot be stored: len >
		     * REORDER_PKT_MAX (or the one-time slot allocation failed):
		     * dropped */
};

struct reorder_slot {
	uint64_t arrived_us; /* now_us when it was pushed */
	uint32_t seq;
	uint32_t len;
	uint16_t buf;        /* index of its REORDER_PKT_MAX-byte buffer */
};

struct reorder {
	/* configuration */
	uint32_t timeout_us;    /* longest a packet is held waiting for a gap */
	uint32_t window;        /* 1..REORDER_WINDOW_MAX */
	bool nobuffer;          /* deliver ahead packets at once, never hold */

	/* sequence state */
	bool started;           /* a first packet has set next_seq */
	bool delivered_any;     /* last_seq is meaningful */
	uint32_t next_seq;      /* the sequence number expected next */
	uint32_t last_seq;      /* highest delivered in order */

	/* reorder_give_up_gaps(): armed until the next pop, which latches the
	 * highest held sequence number; gaps up to it are not waited for */
	bool give_up_armed;
	bool give_up;
	uint32_t give_up_seq;

	/* resync: run of consecutive over-window sequence numbers */
	uint32_t run_len;
	uint32_t run_last;

	/* held packets, sorted by ascending distance from next_seq */
	struct reorder_slot slot[REORDER_CAP];
	size_t count;
	uint8_t *store;                 /* REORDER_CAP * REORDER_PKT_MAX, lazy */
	uint16_t free_buf[REORDER_CAP]; /* stack of unused buffer indices */
	size_t nfree;
};

/* Set up an empty queue. Allocates nothing. window 0 means
 * REORDER_DEFAULT_WINDOW. */
void reorder_init(struct reorder *q, uint32_t timeout_us, uint32_t window,
		  bool nobuffer);
/* Free the slot storage; the queue is left empty (and reusable). */
void reorder_free(struct reorder *q);
/* Free the slot storage if no packet is held (the next packet that must be
 * held allocates it again); nothing else changes.  The gateway calls it
 * once a burst is over, so that a call that once saw reordering does not
 * keep the pages it touched. */
void reorder_release_storage(struct reorder *q);

/* Offer packet `seq`. The first packet ever received sets the expected
 * sequence. *lost (may be NULL) is set to the number of sequence numbers
 * given up as lost by this call (nobuffer-mode gap, resync jump).
 * On a resync the packets still queued are dropped (they lie inside the
 * jump and are included in *lost) and the packet completing the run is
 * delivered. */
enum reorder_verdict reorder_push(struct reorder *q, uint32_t seq,
				  const uint8_t *data, size_t len,
				  uint64_t now_us, uint32_t *lost);

/* Next packet that may be delivered now, in order: returns its length (>0)
 * with *data pointing into the queue (valid until the next push/pop) and
 * *seq; 0 when nothing is deliverable. A gap in front of the head is given
 * up (its size added to *lost, which the caller zeroes; may be NULL) when
 * the oldest held packet has waited >= timeout_us (so no packet is held
 * longer than that), when the queue is full, or after
 * reorder_give_up_gaps(). Empty (len 0) packets are consumed silently. */
size_t reorder_pop(struct reorder *q, uint64_t now_us, const uint8_t **data,
		   uint32_t *seq, uint32_t *lost);

/* Deadline (now_us scale) at which reorder_pop will next release something:
 * 0 if it would release something right away, UINT64_MAX if the queue is
 * empty. */
uint64_t reorder_deadline(const struct reorder *q);

/* The caller knows the missing packets are certainly lost (e.g. the socket
 * reported receive-buffer drops): the next reorder_pop() releases every
 * packet held at that moment (including ones pushed between this call and
 * that pop, such as the packet that revealed the drops) without waiting.
 * Packets pushed after that pop wait as usual. */
void reorder_give_up_gaps(struct reorder *q);

/* Highest sequence number delivered in order so far (what we acknowledge),
 * and whether any was. */
bool reorder_last_delivered(const struct reorder *q, uint32_t *seq);

/* Number of packets held. */
size_t reorder_queued(const struct reorder *q);

#endif
