/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reorder.c: bounded receive reorder queue for GRE sequence numbers. */
#include "reorder.h"

#include <stdlib.h>
#include <string.h>

#include "gre_wire.h"

_Static_assert(REORDER_CAP <= UINT16_MAX, "buffer index is a uint16_t");
_Static_assert(REORDER_PKT_MAX <= UINT32_MAX, "slot length is a uint32_t");
_Static_assert(REORDER_RESYNC_RUN >= 1, "a resync needs at least one packet");

/* Distance of a ahead of b, modulo 2^32. */
static inline uint32_t seq_dist(uint32_t a, uint32_t b)
{
	return a - b;
}

/* Order comes from gre_wire.h's wrap-safe SEQ_* macros, always written
 * with the reference on the left (SEQ_GT(ref, seq): seq is behind ref) so
 * that exactly half the space apart counts as ahead: behind is 1..2^31-1,
 * ahead is 0..2^31. */

static void set_lost(uint32_t *lost, uint32_t n)
{
	if (lost)
		*lost = n;
}

static void add_lost(uint32_t *lost, uint32_t n)
{
	if (lost)
		*lost += n;
}

void reorder_init(struct reorder *q, uint32_t timeout_us, uint32_t window,
		  bool nobuffer)
{
	memset(q, 0, sizeof(*q));
	if (window == 0)
		window = REORDER_DEFAULT_WINDOW;
	if (window > REORDER_WINDOW_MAX)
		window = REORDER_WINDOW_MAX;
	q->timeout_us = timeout_us;
	q->window = window;
	q->nobuffer = nobuffer;
}

static void init_free_bufs(struct reorder *q)
{
	q->nfree = REORDER_CAP;
	for (size_t i = 0; i < REORDER_CAP; i++)
		q->free_buf[i] = (uint16_t)(REORDER_CAP - 1 - i);
}

static void drop_all_slots(struct reorder *q)
{
	q->count = 0;
	init_free_bufs(q);
	q->give_up = false;
	q->give_up_armed = false;
}

void reorder_free(struct reorder *q)
{
	free(q->store);
	q->store = NULL;
	q->count = 0;
	q->nfree = 0;
	q->give_up = false;
	q->give_up_armed = false;
}

void reorder_release_storage(struct reorder *q)
{
	if (q->count > 0 || !q->store)
		return;
	free(q->store);
	q->store = NULL;
	q->nfree = 0;
}

/* Nothing is held while there is no storage: allocating it leaves the
 * sequence state and a pending reorder_give_up_gaps() as they are. */
static bool ensure_store(struct reorder *q)
{
	if (q->store)
		return true;
	q->store = malloc((size_t)REORDER_CAP * REORDER_PKT_MAX);
	if (!q->store)
		return false;
	init_free_bufs(q);
	return true;
}

static uint8_t *slot_data(const struct reorder *q, const struct reorder_slot *s)
{
	return q->store + (size_t)s->buf * REORDER_PKT_MAX;
}

static void mark_delivered(struct reorder *q, uint32_t seq)
{
	q->next_seq = seq + 1;
	q->last_seq = seq;
	q->delivered_any = true;
	if (q->give_up && SEQ_LE(q->give_up_seq, seq))
		q->give_up = false;
}

/* The held packets are all ahead of next_seq (only the head may equal it,
 * when next_seq was reached by a push and the caller has not popped yet),
 * so sorting by distance from next_seq stays valid as next_seq advances. */

/* Index where seq belongs in the sorted slots; *found if already there. */
static size_t slot_position(const struct reorder *q, uint32_t seq, bool *found)
{
	uint32_t d = seq_dist(seq, q->next_seq);
	size_t lo = 0, hi = q->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t md = seq_dist(q->slot[mid].seq, q->next_seq);

		if (md < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < q->count && q->slot[lo].seq == seq;
	return lo;
}

static enum reorder_verdict queue_packet(struct reorder *q, uint32_t seq,
					 const uint8_t *data, size_t len,
					 uint64_t now_us)
{
	bool found;
	size_t pos = slot_position(q, seq, &found);

	if (found)
		return RO_DUP;
	if (q->count >= REORDER_CAP)
		return RO_OVER;
	if (len > REORDER_PKT_MAX || !ensure_store(q))
		return RO_TOOBIG;

	memmove(&q->slot[pos + 1], &q->slot[pos],
		(q->count - pos) * sizeof(q->slot[0]));
	struct reorder_slot *s = &q->slot[pos];
	s->seq = seq;
	s->len = (uint32_t)len;
	s->arrived_us = now_us;
	s->buf = q->free_buf[--q->nfree];
	if (len > 0)
		memcpy(slot_data(q, s), data, len);
	q->count++;
	return RO_QUEUED;
}

/* Over-window packet: drop it, unless it completes a run of consecutive
 * sequence numbers, in which case everything up to it is given up. */
static enum reorder_verdict over_window(struct reorder *q, uint32_t seq,
					uint32_t *lost)
{
	if (q->run_len > 0 && seq == q->run_last + 1)
		q->run_len++;
	else
		q->run_len = 1;
	q->run_last = seq;
	if (q->run_len < REORDER_RESYNC_RUN)
		return RO_OVER;

	/* The peer jumped: the held packets lie inside the jump; drop them
	 * (counted in the jump) rather than deliver them after this one. */
	set_lost(lost, seq_dist(seq, q->next_seq));
	if (q->store)
		drop_all_slots(q);
	q->run_len = 0;
	mark_delivered(q, seq);
	return RO_DELIVER;
}

enum reorder_verdict reorder_push(struct reorder *q, uint32_t seq,
				  const uint8_t *data, size_t len,
				  uint64_t now_us, uint32_t *lost)
{
	set_lost(lost, 0);
	if (!q->started) {
		q->started = true;
		q->next_seq = seq;
	}

	uint32_t ahead = seq_dist(seq, q->next_seq);

	if (ahead == 0) {
		/* held already: the caller has not drained since the gap
		 * closed; the held copy goes out with the next pop */
		if (q->count > 0 && q->slot[0].seq == seq)
			return RO_DUP;
		mark_delivered(q, seq);
		return RO_DELIVER;
	}
	if (SEQ_GT(q->next_seq, seq))
		return RO_OLD;
	if (ahead >= q->window)
		return over_window(q, seq, lost);
	if (q->nobuffer) {
		set_lost(lost, ahead);
		mark_delivered(q, seq);
		return RO_DELIVER;
	}
	return queue_packet(q, seq, data, len, now_us);
}

static uint64_t oldest_arrival(const struct reorder *q)
{
	uint64_t oldest = UINT64_MAX;

	for (size_t i = 0; i < q->count; i++)
		if (q->slot[i].arrived_us < oldest)
			oldest = q->slot[i].arrived_us;
	return oldest;
}

static uint64_t timeout_deadline(const struct reorder *q)
{
	uint64_t oldest = oldest_arrival(q);

	if (oldest > UINT64_MAX - q->timeout_us)
		return UINT64_MAX;
	return oldest + q->timeout_us;
}

/* May the gap in front of the head be given up without waiting longer? */
static bool gap_given_up_now(const struct reorder *q)
{
	if (q->count >= REORDER_CAP)
		return true;
	return q->give_up && SEQ_LE(q->slot[0].seq, q->give_up_seq);
}

static void remove_head(struct reorder *q)
{
	q->free_buf[q->nfree++] = q->slot[0].buf;
	q->count--;
	memmove(&q->slot[0], &q->slot[1], q->count * sizeof(q->slot[0]));
}

/* reorder_give_up_gaps() covers what is held when the pops come. */
static void latch_give_up(struct reorder *q)
{
	if (!q->give_up_armed)
		return;
	q->give_up_armed = false;
	if (q->count == 0)
		return;
	q->give_up = true;
	q->give_up_seq = q->slot[q->count - 1].seq;
}

size_t reorder_pop(struct reorder *q, uint64_t now_us, const uint8_t **data,
		   uint32_t *seq, uint32_t *lost)
{
	latch_give_up(q);
	while (q->count > 0) {
		const struct reorder_slot *head = &q->slot[0];
		uint32_t gap = seq_dist(head->seq, q->next_seq);

		if (gap > 0) {
			if (!gap_given_up_now(q) &&
			    now_us < timeout_deadline(q))
				return 0;
			add_lost(lost, gap);
		}
		struct reorder_slot taken = *head;

		remove_head(q);
		mark_delivered(q, taken.seq);
		if (taken.len == 0)
			continue;
		*data = slot_data(q, &taken);
		*seq = taken.seq;
		return taken.len;
	}
	return 0;
}

uint64_t reorder_deadline(const struct reorder *q)
{
	if (q->count == 0)
		return UINT64_MAX;
	if (q->slot[0].seq == q->next_seq || q->give_up_armed ||
	    gap_given_up_now(q))
		return 0;
	return timeout_deadline(q);
}

void reorder_give_up_gaps(struct reorder *q)
{
	q->give_up_armed = true;
}

bool reorder_last_delivered(const struct reorder *q, uint32_t *seq)
{
	if (q->delivered_any && seq)
		*seq = q->last_seq;
	return q->delivered_any;
}

size_t reorder_queued(const struct reorder *q)
{
	return q->count;
}
