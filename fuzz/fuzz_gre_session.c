/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_gre_session.c: libFuzzer harness for the data plane's policy core,
 * fed the way the gateway feeds it: packets through the reorder queue,
 * deliveries, the peer's acks, our data and ack-only packets, time. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "gre_session.h"
#include "gre_wire.h"
#include "reorder.h"

/*
 * Input: 1 header byte (window 1..16, nobuffer bit), then 6-byte records:
 * op, 4 bytes of argument, 1 byte of time advance (scaled by op bits).
 * After every record the harness checks the invariants; a violation
 * aborts.
 */
#define RECORD_LEN 6

#define REQUIRE(cond, ...)                                              \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "invariant: " __VA_ARGS__);     \
			fprintf(stderr, "\n");                          \
			abort();                                        \
		}                                                       \
	} while (0)

enum op {
	OP_RX_NEXT,	/* a data packet: cursor + 1 */
	OP_RX_DELTA,	/* a data packet: cursor + small signed delta */
	OP_RX_JUMP,	/* a data packet: any sequence number */
	OP_PEER_ACK,	/* the peer acks one of ours (recent or any) */
	OP_TX_DATA,	/* we send a data packet */
	OP_TICK,	/* time passes; the loop acts on what is due */
	OP_COUNT
};

struct harness {
	struct gre_session s;
	struct reorder q;
	uint64_t now;
	uint32_t cursor;
	bool delivered_any;
	uint32_t last_delivered;
	uint32_t tx_sent;	/* data packets we sent */
	uint8_t frame[16];
};

static void check(struct harness *h)
{
	uint64_t due = gre_session_ack_due(&h->s, h->now);
	const struct gre_session *s = &h->s;

	REQUIRE((due == UINT64_MAX) == (s->owed == 0),
		"ack due %llu with %u owed", (unsigned long long)due, s->owed);
	REQUIRE(s->owed == 0 || s->delivered == h->last_delivered,
		"the ack owed (%u) is not the last frame delivered (%u)",
		s->delivered, h->last_delivered);
	if (due != UINT64_MAX) {
		uint64_t bound = gre_session_peer_lenient(s, h->now) ?
			s->owed_since + GS_ACK_DELAY_US :
			s->owed_since + GS_ACK_STRICT_DELAY_US;

		REQUIRE(due <= bound || (gre_session_peer_lenient(s, h->now) &&
					 due <= s->last_ack_at + GS_ACK_MIN_GAP_US),
			"ack due %llu after the policy's bound %llu",
			(unsigned long long)due, (unsigned long long)bound);
	}
	REQUIRE(s->rtt_us >= 0, "negative round trip %d", s->rtt_us);
	REQUIRE(s->tx_next == h->tx_sent, "tx seq %u after %u packets",
		s->tx_next, h->tx_sent);
}

static void deliver(struct harness *h, uint32_t seq)
{
	gre_session_delivered(&h->s, seq, h->now);
	h->delivered_any = true;
	h->last_delivered = seq;
}

static void rx(struct harness *h, uint32_t seq)
{
	const uint8_t *data;
	uint32_t lost = 0, pseq;
	enum reorder_verdict v;

	v = reorder_push(&h->q, seq, h->frame, sizeof(h->frame), h->now,
			 &lost);
	if (v != RO_OVER && v != RO_TOOBIG)
		gre_session_rx_data(&h->s, seq, h->now);
	if (v == RO_DELIVER)
		deliver(h, seq);
	while (reorder_pop(&h->q, h->now, &data, &pseq, &lost) > 0)
		deliver(h, pseq);
	h->cursor = seq;
}

static void tick(struct harness *h)
{
	const uint8_t *data;
	uint32_t lost = 0, pseq, ack;

	while (reorder_pop(&h->q, h->now, &data, &pseq, &lost) > 0)
		deliver(h, pseq);
	if (h->now >= gre_session_ack_due(&h->s, h->now)) {
		REQUIRE(gre_session_tx_ack(&h->s, h->now, &ack),
			"an ack was due but none was owed");
		REQUIRE(ack == h->last_delivered, "ack %u, last delivered %u",
			ack, h->last_delivered);
		REQUIRE(gre_session_ack_due(&h->s, h->now) == UINT64_MAX,
			"still owed after an ack for everything");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	bool has_ack;
	uint32_t ack;

	if (size < 1)
		return 0;
	memset(&h, 0, sizeof(h));
	h.now = 1000;
	gre_session_init(&h.s, 0, 1u + (data[0] & 15));
	reorder_init(&h.q, 100000, 64, (data[0] & 16) != 0);
	data++;
	size--;
	for (; size >= RECORD_LEN; data += RECORD_LEN, size -= RECORD_LEN) {
		uint32_t arg = get_be32(data + 1);
		unsigned op = data[0] % OP_COUNT;

		h.now += (uint64_t)data[5] << ((data[0] >> 4) & 0xf);
		switch (op) {
		case OP_RX_NEXT:
			rx(&h, h.cursor + 1);
			break;
		case OP_RX_DELTA:
			rx(&h, h.cursor + (uint32_t)(int8_t)data[1]);
			break;
		case OP_RX_JUMP:
			rx(&h, arg);
			break;
		case OP_PEER_ACK:
			gre_session_peer_ack(&h.s, (data[1] & 1) ?
					     arg : h.tx_sent - 1 - (arg & 7),
					     h.now);
			break;
		case OP_TX_DATA: {
			uint32_t seq = gre_session_tx_data(&h.s, h.now,
							   &has_ack, &ack);

			REQUIRE(seq == h.tx_sent, "tx seq %u, expected %u", seq,
				h.tx_sent);
			h.tx_sent++;
			REQUIRE(!has_ack || ack == h.last_delivered,
				"piggy-backed ack %u, last delivered %u", ack,
				h.last_delivered);
			REQUIRE(gre_session_ack_due(&h.s, h.now) == UINT64_MAX,
				"an ack still owed after a data packet");
			break;
		}
		case OP_TICK:
			tick(&h);
			break;
		}
		check(&h);
	}
	reorder_free(&h.q);
	return 0;
}
