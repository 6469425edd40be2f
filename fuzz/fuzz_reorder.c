/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_reorder.c: libFuzzer harness driving the reorder queue with arbitrary streams. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reorder.h"

/*
 * Input: a 3-byte header (timeout, window choice, flags) and then 8-byte
 * records: op, 4 bytes of sequence delta, time advance, 2 bytes of length.
 * After every record the harness drains like the receive path does and
 * checks the invariants; a violation aborts.
 */

#define HEADER_LEN 3
#define RECORD_LEN 8
/* Lengths above the stored maximum, to exercise RO_TOOBIG. */
#define FUZZ_LEN_MAX (REORDER_PKT_MAX + 64)

#define REQUIRE(cond, ...)                                              \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "invariant: " __VA_ARGS__);     \
			fprintf(stderr, "\n");                          \
			abort();                                        \
		}                                                       \
	} while (0)

enum fuzz_op {
	OP_STEP,      /* push cursor + int8 delta (small moves, runs) */
	OP_STEP2,
	OP_STEP3,
	OP_JUMP,      /* push cursor + any 32-bit delta (huge jumps, wrap) */
	OP_GIVE_UP,   /* reorder_give_up_gaps() */
	OP_WAIT,      /* only advance time and drain; odd delta: first
		       * reorder_release_storage() (what the gateway does
		       * after a burst) */
	OP_NEXT,      /* push the sequence number expected next */
	OP_COUNT
};

static const uint32_t windows[] = {
	0, 1, 2, 8, 64, REORDER_DEFAULT_WINDOW, 1000, 65536,
	0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu,
};

struct harness {
	struct reorder q;
	uint64_t now;
	uint32_t cursor;       /* last sequence number pushed */
	bool any_delivered;
	uint32_t last;         /* last sequence number delivered */
	bool saw_empty;        /* empty packets are consumed unreported */
	uint8_t buf[FUZZ_LEN_MAX];
};

static uint8_t pattern(uint32_t seq, size_t i)
{
	return (uint8_t)(seq ^ (seq >> 11) ^ (i * 29u));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t time_step(uint8_t b)
{
	return b < 128 ? (uint64_t)b * 1000u : (uint64_t)(b - 128) * 100000u;
}

/* A delivery of seq with `lost` numbers given up since the previous one. */
static void delivered(struct harness *h, uint32_t seq, uint32_t lost)
{
	if (h->any_delivered) {
		uint32_t step = seq - h->last;

		/* a resync may jump up to 2^31 past the expected one */
		REQUIRE(step >= 1 && step <= 0x80000001u,
			"delivery %#x not ascending after %#x", seq, h->last);
		REQUIRE(h->saw_empty || step == lost + 1,
			"delivery %#x after %#x with lost %u", seq, h->last,
			lost);
	}
	h->any_delivered = true;
	h->last = seq;

	uint32_t ack;
	REQUIRE(reorder_last_delivered(&h->q, &ack) && ack == seq,
		"last_delivered %#x, delivered %#x", ack, seq);
}

static void drain(struct harness *h)
{
	for (;;) {
		uint64_t due = reorder_deadline(&h->q);
		const uint8_t *data = NULL;
		uint32_t seq = 0, lost = 0;
		size_t len = reorder_pop(&h->q, h->now, &data, &seq, &lost);

		if (len == 0) {
			uint32_t last;

			REQUIRE(h->saw_empty || lost == 0,
				"lost %u reported without a delivery", lost);
			/* Empty packets are consumed without being returned:
			 * the queue may have moved past them silently. */
			if (h->saw_empty && reorder_last_delivered(&h->q, &last)) {
				h->last = last;
				h->any_delivered = true;
			}
			break;
		}
		REQUIRE(due <= h->now, "pop at %llu before deadline %llu",
			(unsigned long long)h->now, (unsigned long long)due);
		REQUIRE(len <= REORDER_PKT_MAX, "popped len %zu", len);
		for (size_t i = 0; i < len; i++)
			REQUIRE(data[i] == pattern(seq, i),
				"payload of %#x corrupt at %zu", seq, i);
		delivered(h, seq, lost);
	}
	uint64_t due = reorder_deadline(&h->q);
	REQUIRE(due > h->now, "drained but deadline %llu <= now %llu",
		(unsigned long long)due, (unsigned long long)h->now);
	REQUIRE(reorder_queued(&h->q) > 0 || due == UINT64_MAX,
		"empty queue with deadline %llu", (unsigned long long)due);
}

static void push(struct harness *h, uint32_t seq, size_t len)
{
	size_t before = reorder_queued(&h->q);
	uint32_t lost = 0xDEADBEEFu;

	for (size_t i = 0; i < len; i++)
		h->buf[i] = pattern(seq, i);
	enum reorder_verdict v =
		reorder_push(&h->q, seq, h->buf, len, h->now, &lost);
	size_t after = reorder_queued(&h->q);

	REQUIRE(after <= REORDER_CAP, "queued %zu > cap", after);
	REQUIRE(!h->q.nobuffer || after == 0, "nobuffer mode queued %zu", after);
	REQUIRE(v == RO_DELIVER || lost == 0, "lost %u with verdict %d", lost, v);
	switch (v) {
	case RO_DELIVER:
		if (len == 0)
			h->saw_empty = true;
		delivered(h, seq, lost);
		break;
	case RO_QUEUED:
		REQUIRE(after == before + 1, "queued but %zu -> %zu", before,
			after);
		if (len == 0)
			h->saw_empty = true;
		break;
	case RO_DUP:
	case RO_OLD:
	case RO_OVER:
	case RO_TOOBIG:
		REQUIRE(after == before, "dropped but %zu -> %zu", before, after);
		break;
	default:
		REQUIRE(0, "verdict %d", v);
	}
	h->cursor = seq;
}

static void run_record(struct harness *h, const uint8_t *r)
{
	uint32_t delta = get_le32(r + 1);
	size_t len = (size_t)(r[6] | r[7] << 8) % FUZZ_LEN_MAX;

	h->now += time_step(r[5]);
	switch (r[0] % OP_COUNT) {
	case OP_STEP:
	case OP_STEP2:
	case OP_STEP3:
		push(h, h->cursor + (uint32_t)(int32_t)(int8_t)delta, len);
		break;
	case OP_JUMP:
		push(h, h->cursor + delta, len);
		break;
	case OP_GIVE_UP:
		reorder_give_up_gaps(&h->q);
		break;
	case OP_WAIT:
		if (delta & 1)
			reorder_release_storage(&h->q);
		break;
	case OP_NEXT:
		push(h, h->any_delivered ? h->last + 1 : delta, len);
		break;
	}
	drain(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;

	if (size < HEADER_LEN)
		return 0;
	memset(&h, 0, sizeof(h));
	uint32_t timeout = (uint32_t)data[0] * 1000u;
	uint32_t window = windows[data[1] % (sizeof(windows) / sizeof(windows[0]))];
	bool nobuffer = data[2] & 1;

	reorder_init(&h.q, timeout, window, nobuffer);
	h.now = (data[2] & 2) ? UINT64_MAX - ((uint64_t)1 << 40) : 0;
	for (size_t off = HEADER_LEN; off + RECORD_LEN <= size; off += RECORD_LEN)
		run_record(&h, data + off);
	reorder_free(&h.q);
	return 0;
}
