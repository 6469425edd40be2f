/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_hdlc.c: libFuzzer harness for the HDLC deframer (split invariance) and encoder (round trip). */
#include "hdlc.h"

#include <stdlib.h>
#include <string.h>

#include "byteorder.h"

/* Input layout: CHUNK_SEEDS bytes choosing chunk sizes, 4 bytes of ACCM,
 * then the stream (also used as one frame for the round trip). */
#define CHUNK_SEEDS 8
#define ACCM_BYTES 4
#define HEADER_LEN (CHUNK_SEEDS + ACCM_BYTES)

struct rx_log {
	uint8_t *buf;
	size_t len, cap;
};

static void log_add(struct rx_log *log, int ret, const uint8_t *frame)
{
	size_t need = sizeof(ret) + (ret > 0 ? (size_t)ret : 0);

	if (log->len + need > log->cap)
		abort();
	memcpy(log->buf + log->len, &ret, sizeof(ret));
	log->len += sizeof(ret);
	if (ret > 0) {
		memcpy(log->buf + log->len, frame, (size_t)ret);
		log->len += (size_t)ret;
	}
}

static void feed(struct hdlc_rx *rx, const uint8_t *in, size_t n, struct rx_log *log)
{
	size_t pos = 0;

	for (;;) {
		size_t used = 0;
		int ret = hdlc_rx_next(rx, in + pos, n - pos, &used);

		if (used > n - pos)
			abort();
		pos += used;
		if (ret == 0) {
			if (pos != n)
				abort();
			return;
		}
		if (used == 0 || ret > HDLC_FRAME_MAX || !hdlc_strerror(ret))
			abort();
		log_add(log, ret, rx->frame);
	}
}

/* Each result costs at most 4 bytes plus frame bytes taken from the input;
 * there is at most one result per input byte. */
static struct rx_log log_new(size_t n)
{
	struct rx_log log = { .cap = 5 * n + 16 };
	log.buf = malloc(log.cap);
	return log;
}

static void check_splits(const uint8_t *seeds, const uint8_t *in, size_t n)
{
	static struct hdlc_rx rx;
	struct rx_log once = log_new(n), split = log_new(n);

	hdlc_rx_init(&rx);
	feed(&rx, in, n, &once);

	hdlc_rx_init(&rx);
	for (size_t pos = 0, k = 0; pos < n; k++) {
		size_t c = seeds[k % CHUNK_SEEDS];
		if (c == 0) {           /* an empty chunk, then one byte to progress */
			feed(&rx, in + pos, 0, &split);
			c = 1;
		}
		if (c > n - pos)
			c = n - pos;
		feed(&rx, in + pos, c, &split);
		pos += c;
	}
	if (once.len != split.len || memcmp(once.buf, split.buf, once.len) != 0)
		abort();
	free(once.buf);
	free(split.buf);
}

static void check_roundtrip(const uint8_t *frame, size_t n, uint32_t accm, size_t cap_seed)
{
	static uint8_t enc[HDLC_ENCODED_MAX(HDLC_FRAME_MAX)];
	static struct hdlc_rx rx;

	if (n > HDLC_FRAME_MAX)
		return;
	ssize_t len = hdlc_async_encode(frame, n, accm, enc, sizeof(enc));
	if (len < (ssize_t)n + 4 || len > (ssize_t)HDLC_ENCODED_MAX(n))
		abort();
	for (ssize_t i = 1; i + 1 < len; i++)
		if (enc[i] == HDLC_FLAG || (enc[i] < 0x20 && ((accm >> enc[i]) & 1)))
			abort();

	/* a smaller cap fails cleanly or gives the same bytes */
	size_t cap = cap_seed % (size_t)(len + 1);
	uint8_t *small = malloc(cap ? cap : 1);
	ssize_t len2 = hdlc_async_encode(frame, n, accm, small, cap);
	if (cap < (size_t)len ? len2 != -1 : (len2 != len || memcmp(small, enc, (size_t)len) != 0))
		abort();
	free(small);

	size_t used;
	hdlc_rx_init(&rx);
	int ret = hdlc_rx_next(&rx, enc, (size_t)len, &used);
	if (used != (size_t)len)
		abort();
	if (n < 2 ? ret != HDLC_ESHORT : (ret != (int)n || memcmp(rx.frame, frame, n) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER_LEN)
		return 0;
	const uint8_t *seeds = data;
	uint32_t accm = get_be32(data + CHUNK_SEEDS);
	const uint8_t *in = data + HEADER_LEN;
	size_t n = size - HEADER_LEN;

	check_splits(seeds, in, n);
	check_roundtrip(in, n, accm, get_be16(seeds));
	return 0;
}
