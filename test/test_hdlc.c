/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hdlc.c: unit tests for FCS-16, the async HDLC encoder and the streaming deframer. */
#include "check.h"
#include "hdlc.h"

#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Enough for every stream the tests build. */
#define LOG_CAP (1 << 20)

/* xorshift32: deterministic test data */
static uint32_t rng_state = 0x12345678;
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Everything the deframer reports, serialised: code (4 bytes), then the frame. */
struct rx_log {
	uint8_t *buf;
	size_t len;
	int frames, errors[5];
};

static void log_init(struct rx_log *log)
{
	memset(log, 0, sizeof(*log));
	log->buf = malloc(LOG_CAP);
}

static void log_add(struct rx_log *log, int ret, const uint8_t *frame)
{
	size_t need = sizeof(ret) + (ret > 0 ? (size_t)ret : 0);
	if (log->len + need > LOG_CAP)
		abort();
	memcpy(log->buf + log->len, &ret, sizeof(ret));
	log->len += sizeof(ret);
	if (ret > 0) {
		memcpy(log->buf + log->len, frame, (size_t)ret);
		log->len += (size_t)ret;
		log->frames++;
	} else {
		log->errors[-ret]++;
	}
}

/* Feed in[0..n) to rx as one chunk, logging every result; checks that
 * consumed makes progress and stays within the chunk. */
static void feed(struct hdlc_rx *rx, const uint8_t *in, size_t n, struct rx_log *log)
{
	/* exact-size copy: ASan catches a read past the chunk */
	uint8_t *chunk = malloc(n ? n : 1);
	memcpy(chunk, in, n);
	size_t pos = 0;
	for (;;) {
		size_t used = (size_t)-1;
		int ret = hdlc_rx_next(rx, chunk + pos, n - pos, &used);
		if (used > n - pos) {
			CHECK(0, "consumed %zu > available %zu", used, n - pos);
			break;
		}
		pos += used;
		if (ret == 0) {
			if (pos != n)
				CHECK(0, "ret 0 must consume all: seen pos %zu of %zu", pos, n);
			break;
		}
		if (used == 0)
			CHECK(0, "ret %d with nothing consumed", ret);
		log_add(log, ret, rx->frame);
	}
	free(chunk);
}

static void decode_oneshot(const uint8_t *in, size_t n, struct rx_log *log)
{
	static struct hdlc_rx rx;
	hdlc_rx_init(&rx);
	log_init(log);
	feed(&rx, in, n, log);
}

static bool logs_equal(const struct rx_log *a, const struct rx_log *b)
{
	return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

/* ------------------------------------------------------------------ */

/* The FCS as sent: complemented */
static uint16_t fcs_sent(uint16_t fcs)
{
	return fcs ^ 0xffff;
}

static void test_fcs(void)
{
	/* CRC-16/X.25 check value: FCS of "123456789" complemented is 0x906E */
	uint16_t fcs = hdlc_fcs16(HDLC_FCS_INIT, (const uint8_t *)"123456789", 9);
	CHECK(fcs_sent(fcs) == 0x906E, "FCS of 123456789: expected 906e, seen %04x", fcs_sent(fcs));

	/* LCP Configure-Request seen on a serial line (FCS 0x3222 sent 22 32) */
	static const uint8_t captured[] = {
		0xff, 0x03, 0xc0, 0x21, 0x01, 0x15, 0x00, 0x13, 0x03, 0x05, 0xc2, 0x23, 0x81,
		0x05, 0x06, 0x35, 0x6e, 0x4a, 0x35, 0x07, 0x02, 0x08, 0x02, 0x22, 0x32,
	};
	fcs = hdlc_fcs16(HDLC_FCS_INIT, captured, sizeof(captured) - 2);
	CHECK(fcs_sent(fcs) == 0x3222, "captured frame FCS: expected 3222, seen %04x", fcs_sent(fcs));
	fcs = hdlc_fcs16(HDLC_FCS_INIT, captured, sizeof(captured));
	CHECK(fcs == HDLC_FCS_GOOD, "FCS over frame+FCS: expected f0b8, seen %04x", fcs);

	/* incremental == one shot, at every split */
	uint8_t data[300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rng();
	uint16_t whole = hdlc_fcs16(HDLC_FCS_INIT, data, sizeof(data));
	int bad = 0;
	for (size_t k = 0; k <= sizeof(data); k++)
		bad += hdlc_fcs16(hdlc_fcs16(HDLC_FCS_INIT, data, k), data + k, sizeof(data) - k) != whole;
	CHECK(bad == 0, "incremental FCS: %d splits differ", bad);
	CHECK(hdlc_fcs16(0x1234, data, 0) == 0x1234, "FCS of nothing must not change the value");
}

/* LCP Configure-Request as pppd sends it first: ACCM 0, magic 0x6d1f7e04,
 * PFC, ACFC; LCP always goes out with all control characters escaped. */
static const uint8_t lcp_frame[] = {
	0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x14,
	0x02, 0x06, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x06, 0x6d, 0x1f, 0x7e, 0x04,
	0x07, 0x02, 0x08, 0x02,
};
/* its FCS is 0x057d: sent 7d 05, both escaped */
static const uint8_t lcp_wire[] = {
	0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x7d, 0x21, 0x7d, 0x21, 0x7d, 0x20, 0x7d, 0x34,
	0x7d, 0x22, 0x7d, 0x26, 0x7d, 0x20, 0x7d, 0x20, 0x7d, 0x20, 0x7d, 0x20,
	0x7d, 0x25, 0x7d, 0x26, 0x6d, 0x7d, 0x3f, 0x7d, 0x5e, 0x7d, 0x24,
	0x7d, 0x27, 0x7d, 0x22, 0x7d, 0x28, 0x7d, 0x22,
	0x7d, 0x5d, 0x7d, 0x25, 0x7e,
};

static void test_lcp_vector(void)
{
	uint8_t out[HDLC_ENCODED_MAX(sizeof(lcp_frame))];
	ssize_t n = hdlc_async_encode(lcp_frame, sizeof(lcp_frame), 0xffffffff, out, sizeof(out));
	CHECK(n == (ssize_t)sizeof(lcp_wire) && memcmp(out, lcp_wire, sizeof(lcp_wire)) == 0,
	      "LCP encode: expected %zu bytes of lcp_wire, seen %zd", sizeof(lcp_wire), n);

	struct rx_log log;
	decode_oneshot(lcp_wire, sizeof(lcp_wire), &log);
	CHECK(log.frames == 1 && log.len == 4 + sizeof(lcp_frame) &&
	      memcmp(log.buf + 4, lcp_frame, sizeof(lcp_frame)) == 0,
	      "LCP decode: expected one %zu-byte frame, seen %d frames, log %zu", sizeof(lcp_frame),
	      log.frames, log.len);
	free(log.buf);

	/* pppd may leave out the opening flag when frames are back to back */
	decode_oneshot(lcp_wire + 1, sizeof(lcp_wire) - 1, &log);
	CHECK(log.frames == 1 && log.len == 4 + sizeof(lcp_frame), "LCP without opening flag: seen %d frames",
	      log.frames);
	free(log.buf);
}

/* Check an encoding: flags at the ends only, no raw byte the ACCM maps. */
static bool encoding_clean(const uint8_t *enc, size_t n, uint32_t accm)
{
	if (n < 2 || enc[0] != HDLC_FLAG || enc[n - 1] != HDLC_FLAG)
		return false;
	for (size_t i = 1; i + 1 < n; i++) {
		uint8_t c = enc[i];
		if (c == HDLC_FLAG)
			return false;
		if (c < 0x20 && ((accm >> c) & 1))
			return false;
		if (c == HDLC_ESC && (i + 2 >= n))
			return false;
	}
	return true;
}

static void roundtrip(const uint8_t *frame, size_t n, uint32_t accm, int *bad)
{
	static uint8_t enc[HDLC_ENCODED_MAX(HDLC_FRAME_MAX)];
	static struct hdlc_rx rx;
	ssize_t len = hdlc_async_encode(frame, n, accm, enc, sizeof(enc));
	if (len < 0 || !encoding_clean(enc, (size_t)len, accm)) {
		(*bad)++;
		return;
	}
	hdlc_rx_init(&rx);
	size_t used;
	int ret = hdlc_rx_next(&rx, enc, (size_t)len, &used);
	if (ret != (int)n || used != (size_t)len || memcmp(rx.frame, frame, n) != 0)
		(*bad)++;
}

static void test_roundtrip(void)
{
	uint8_t all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	int bad = 0;

	/* every single-bit ACCM, its complement, none and all */
	for (int bit = 0; bit < 32; bit++) {
		roundtrip(all, sizeof(all), 1u << bit, &bad);
		roundtrip(all, sizeof(all), ~(1u << bit), &bad);
	}
	roundtrip(all, sizeof(all), 0, &bad);
	roundtrip(all, sizeof(all), 0xffffffff, &bad);
	CHECK(bad == 0, "round trip of all byte values: %d ACCMs failed", bad);

	/* exact escape count: all 256 values, ACCM 0 -> only 7d, 7e escaped */
	uint8_t enc[HDLC_ENCODED_MAX(256)];
	ssize_t len = hdlc_async_encode(all, 256, 0, enc, sizeof(enc));
	uint16_t fcs = hdlc_fcs16(HDLC_FCS_INIT, all, 256) ^ 0xffff;
	size_t fcs_esc = ((fcs & 0xff) == 0x7d || (fcs & 0xff) == 0x7e) + ((fcs >> 8) == 0x7d || (fcs >> 8) == 0x7e);
	CHECK(len == (ssize_t)(2 + 256 + 2 + 2 + fcs_esc), "ACCM 0 length: expected %zu, seen %zd",
	      2 + 256 + 2 + 2 + fcs_esc, len);
	len = hdlc_async_encode(all, 256, 0xffffffff, enc, sizeof(enc));
	CHECK(len >= (ssize_t)(2 + 256 + 2 + 34), "ACCM all length: expected >= %d, seen %zd", 2 + 256 + 2 + 34, len);

	/* random frames, random ACCMs, every length up to 600 */
	bad = 0;
	uint8_t frame[600];
	for (size_t n = 0; n <= sizeof(frame); n++) {
		for (size_t i = 0; i < n; i++)
			frame[i] = (rng() & 1) ? (uint8_t)(rng() & 0x1f) : (uint8_t)(0x7c + (rng() & 3));
		if (n >= 2)
			roundtrip(frame, n, rng(), &bad);
	}
	CHECK(bad == 0, "random round trips: %d failed", bad);

	/* the largest frame we carry goes through, one more byte does not */
	static uint8_t big[HDLC_FRAME_MAX + 1];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)rng();
	bad = 0;
	roundtrip(big, HDLC_FRAME_MAX, 0, &bad);
	CHECK(bad == 0, "HDLC_FRAME_MAX frame must round trip");
	static uint8_t enc_big[HDLC_ENCODED_MAX(HDLC_FRAME_MAX + 1)];
	len = hdlc_async_encode(big, sizeof(big), 0, enc_big, sizeof(enc_big));
	struct rx_log log;
	decode_oneshot(enc_big, (size_t)len, &log);
	CHECK(log.frames == 0 && log.errors[-HDLC_ETOOLONG] == 1 && log.len == 4,
	      "HDLC_FRAME_MAX+1: expected one ETOOLONG, seen %d frames %d toolong", log.frames,
	      log.errors[-HDLC_ETOOLONG]);
	free(log.buf);
}

static void test_encode_cap(void)
{
	uint8_t frame[64];
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	uint8_t ref[HDLC_ENCODED_MAX(sizeof(frame))];
	ssize_t need = hdlc_async_encode(frame, sizeof(frame), 0xffffffff, ref, sizeof(ref));
	CHECK(need > 0, "reference encode failed");

	int bad = 0;
	for (size_t cap = 0; cap <= sizeof(ref); cap++) {
		uint8_t *out = malloc(cap ? cap : 1);  /* exact size: ASan sees overruns */
		ssize_t n = hdlc_async_encode(frame, sizeof(frame), 0xffffffff, out, cap);
		if (cap < (size_t)need)
			bad += n != -1;
		else
			bad += n != need || memcmp(out, ref, (size_t)need) != 0;
		free(out);
	}
	CHECK(bad == 0, "encode with every cap 0..%zu: %d wrong", sizeof(ref), bad);

	uint8_t tiny[6];
	ssize_t n = hdlc_async_encode(NULL, 0, 0, tiny, sizeof(tiny));
	CHECK(n >= 4 && tiny[0] == HDLC_FLAG && tiny[n - 1] == HDLC_FLAG, "empty frame: expected flag FCS flag, seen %zd", n);
}

/* A stream mixing good frames, errors and fill, and what it must give. */
static size_t build_stream(uint8_t *out, size_t cap, int *want_frames)
{
	size_t len = 0;
	*want_frames = 0;
	for (int k = 0; k < 40 && len + 2000 < cap; k++) {
		uint8_t frame[300];
		size_t n = 2 + rng() % 200;
		for (size_t i = 0; i < n; i++)
			frame[i] = (rng() & 3) ? (uint8_t)rng() : (uint8_t)(0x7c + (rng() & 3));
		ssize_t e = hdlc_async_encode(frame, n, rng() % 3 ? 0 : 0xffffffff, out + len, cap - len);
		len += (size_t)e;
		(*want_frames)++;
		switch (rng() % 6) {
		case 0: /* runs of flags */
			memset(out + len, HDLC_FLAG, 3);
			len += 3;
			break;
		case 1: /* abort */
			memcpy(out + len, "\x01\x02\x7d\x7e", 4);
			len += 4;
			break;
		case 2: /* short */
			memcpy(out + len, "\x01\x02\x7e", 3);
			len += 3;
			break;
		case 3: /* bad FCS: a good frame with a byte flipped */
			e = hdlc_async_encode(frame, n, 0, out + len, cap - len);
			out[len + 1] ^= 0x01;
			if (out[len + 1] == HDLC_FLAG || out[len + 1] == HDLC_ESC)
				out[len + 1] = 0x41;
			len += (size_t)e;
			break;
		default:
			break;
		}
	}
	return len;
}

static void test_splits(void)
{
	static uint8_t stream[64 * 1024];
	int want;
	size_t n = build_stream(stream, sizeof(stream), &want);
	struct rx_log once, split;
	decode_oneshot(stream, n, &once);
	CHECK(once.frames == want, "stream: expected %d good frames, seen %d", want, once.frames);

	/* two chunks, split at every position */
	static struct hdlc_rx rx;
	int bad = 0;
	for (size_t k = 0; k <= n; k++) {
		hdlc_rx_init(&rx);
		log_init(&split);
		feed(&rx, stream, k, &split);
		feed(&rx, stream + k, n - k, &split);
		bad += !logs_equal(&once, &split);
		free(split.buf);
	}
	CHECK(bad == 0, "split at every position of %zu bytes: %d differ", n, bad);

	/* one byte at a time, and random chunk sizes */
	hdlc_rx_init(&rx);
	log_init(&split);
	for (size_t i = 0; i < n; i++)
		feed(&rx, stream + i, 1, &split);
	CHECK(logs_equal(&once, &split), "byte-at-a-time differs from one shot");
	free(split.buf);

	bad = 0;
	for (int round = 0; round < 50; round++) {
		hdlc_rx_init(&rx);
		log_init(&split);
		for (size_t i = 0; i < n;) {
			size_t c = 1 + rng() % 97;
			if (c > n - i)
				c = n - i;
			feed(&rx, stream + i, c, &split);
			i += c;
		}
		bad += !logs_equal(&once, &split);
		free(split.buf);
	}
	CHECK(bad == 0, "random chunking: %d rounds differ", bad);
	free(once.buf);
}

static void test_escape_at_end(void)
{
	/* split right after each 0x7d of the LCP vector */
	static struct hdlc_rx rx;
	int bad = 0, splits = 0;
	for (size_t k = 1; k < sizeof(lcp_wire); k++) {
		if (lcp_wire[k - 1] != HDLC_ESC)
			continue;
		splits++;
		hdlc_rx_init(&rx);
		size_t used;
		int ret = hdlc_rx_next(&rx, lcp_wire, k, &used);
		bad += ret != 0 || used != k || !rx.esc;
		ret = hdlc_rx_next(&rx, lcp_wire + k, sizeof(lcp_wire) - k, &used);
		bad += ret != (int)sizeof(lcp_frame) || memcmp(rx.frame, lcp_frame, sizeof(lcp_frame)) != 0;
	}
	CHECK(splits == 22 && bad == 0, "escape at end of buffer: %d splits, %d bad", splits, bad);
}

static void test_errors(void)
{
	static struct hdlc_rx rx;
	size_t used;
	int ret;

	/* bad FCS */
	uint8_t bad_fcs[sizeof(lcp_wire)];
	memcpy(bad_fcs, lcp_wire, sizeof(bad_fcs));
	bad_fcs[3] = 0xc1;
	hdlc_rx_init(&rx);
	ret = hdlc_rx_next(&rx, bad_fcs, sizeof(bad_fcs), &used);
	CHECK(ret == HDLC_EFCS && used == sizeof(bad_fcs), "bad FCS: expected %d/%zu, seen %d/%zu",
	      HDLC_EFCS, sizeof(bad_fcs), ret, used);

	/* runs of flags, then a frame, then more flags */
	uint8_t flags[80];
	memset(flags, HDLC_FLAG, sizeof(flags));
	memcpy(flags + 10, lcp_wire, sizeof(lcp_wire));
	struct rx_log log;
	decode_oneshot(flags, sizeof(flags), &log);
	CHECK(log.frames == 1 && log.len == 4 + sizeof(lcp_frame), "flags around a frame: expected 1 frame, seen %d (log %zu)",
	      log.frames, log.len);
	free(log.buf);
	decode_oneshot(flags, 10, &log);
	CHECK(log.len == 0, "flags only: expected nothing, seen %zu log bytes", log.len);
	free(log.buf);

	/* abort sequence */
	static const uint8_t abort_seq[] = { 0x7e, 0xff, 0x03, 0xc0, 0x21, 0x7d, 0x7e };
	hdlc_rx_init(&rx);
	ret = hdlc_rx_next(&rx, abort_seq, sizeof(abort_seq), &used);
	CHECK(ret == HDLC_EABORT && used == sizeof(abort_seq), "abort: expected %d/7, seen %d/%zu", HDLC_EABORT, ret, used);
	ret = hdlc_rx_next(&rx, lcp_wire + 1, sizeof(lcp_wire) - 1, &used);
	CHECK(ret == (int)sizeof(lcp_frame), "frame after abort: expected %zu, seen %d", sizeof(lcp_frame), ret);
	static const uint8_t lone_abort[] = { 0x7e, 0x7d, 0x7e };
	decode_oneshot(lone_abort, sizeof(lone_abort), &log);
	CHECK(log.errors[-HDLC_EABORT] == 1 && log.len == 4, "7e 7d 7e: expected one EABORT, seen log %zu", log.len);
	free(log.buf);

	/* short frames: 1..3 bytes between flags */
	static const uint8_t shorts[] = { 0x7e, 0x01, 0x7e, 0x01, 0x02, 0x7e, 0x01, 0x7d, 0x5e, 0x03, 0x7e };
	decode_oneshot(shorts, sizeof(shorts), &log);
	CHECK(log.errors[-HDLC_ESHORT] == 3 && log.len == 12, "short frames: expected 3 ESHORT, seen %d",
	      log.errors[-HDLC_ESHORT]);
	free(log.buf);
	/* shortest good frame: 2 bytes + FCS */
	uint8_t two[HDLC_ENCODED_MAX(2)];
	ssize_t n = hdlc_async_encode((const uint8_t *)"\x21\x45", 2, 0, two, sizeof(two));
	hdlc_rx_init(&rx);
	ret = hdlc_rx_next(&rx, two, (size_t)n, &used);
	CHECK(ret == 2 && rx.frame[0] == 0x21 && rx.frame[1] == 0x45, "2-byte frame: expected 2, seen %d", ret);

	/* 5000 garbage bytes without a flag: nothing yet; the flag ends it with bad FCS */
	static uint8_t garbage[5000];
	for (size_t i = 0; i < sizeof(garbage); i++) {
		garbage[i] = (uint8_t)rng();
		if (garbage[i] == HDLC_FLAG)
			garbage[i] = 0x55;
	}
	hdlc_rx_init(&rx);
	ret = hdlc_rx_next(&rx, garbage, sizeof(garbage), &used);
	CHECK(ret == 0 && used == sizeof(garbage), "5000 garbage: expected 0/5000, seen %d/%zu", ret, used);
	ret = hdlc_rx_next(&rx, lcp_wire, sizeof(lcp_wire), &used);
	CHECK(ret == HDLC_EFCS && used == 1, "garbage ended by flag: expected EFCS/1, seen %d/%zu", ret, used);
	ret = hdlc_rx_next(&rx, lcp_wire + used, sizeof(lcp_wire) - used, &used);
	CHECK(ret == (int)sizeof(lcp_frame), "frame after garbage: expected %zu, seen %d", sizeof(lcp_frame), ret);

	/* too long: 20000 garbage bytes give exactly one ETOOLONG, at the byte past the limit */
	static uint8_t longrun[20000 + sizeof(lcp_wire)];
	memset(longrun, 0x41, 20000);
	memcpy(longrun + 20000, lcp_wire, sizeof(lcp_wire));
	hdlc_rx_init(&rx);
	ret = hdlc_rx_next(&rx, longrun, sizeof(longrun), &used);
	CHECK(ret == HDLC_ETOOLONG && used == HDLC_FRAME_MAX + 3, "too long: expected %d/%d, seen %d/%zu",
	      HDLC_ETOOLONG, HDLC_FRAME_MAX + 3, ret, used);
	size_t pos = used;
	ret = hdlc_rx_next(&rx, longrun + pos, sizeof(longrun) - pos, &used);
	CHECK(ret == (int)sizeof(lcp_frame), "after too long: expected frame %zu, seen %d", sizeof(lcp_frame), ret);
	decode_oneshot(longrun, sizeof(longrun), &log);
	CHECK(log.errors[-HDLC_ETOOLONG] == 1 && log.frames == 1, "too long one shot: seen %d toolong %d frames",
	      log.errors[-HDLC_ETOOLONG], log.frames);
	free(log.buf);

	/* a long run made of escapes overflows at the same decoded length */
	static uint8_t escrun[2 * (HDLC_FRAME_MAX + 3)];
	for (size_t i = 0; i < sizeof(escrun); i += 2) {
		escrun[i] = 0x7d;
		escrun[i + 1] = 0x5e;
	}
	hdlc_rx_init(&rx);
	ret = hdlc_rx_next(&rx, escrun, sizeof(escrun), &used);
	CHECK(ret == HDLC_ETOOLONG && used == sizeof(escrun), "escaped run: expected ETOOLONG/%zu, seen %d/%zu",
	      sizeof(escrun), ret, used);
	ret = hdlc_rx_next(&rx, (const uint8_t *)"\x7d\x7e", 2, &used);
	CHECK(ret == 0 && used == 2, "escape+flag in skipped run: expected silent 0, seen %d", ret);

	/* empty input */
	hdlc_rx_init(&rx);
	used = 99;
	ret = hdlc_rx_next(&rx, lcp_wire, 0, &used);
	CHECK(ret == 0 && used == 0, "empty input: expected 0/0, seen %d/%zu", ret, used);
}

/* A plain byte-at-a-time deframer written from the spec, to compare with. */
struct ref_rx {
	uint8_t frame[HDLC_FRAME_MAX + 2];
	size_t len;
	bool esc, skip;
};

static void ref_add(struct ref_rx *r, uint8_t c, struct rx_log *log)
{
	if (r->len == sizeof(r->frame)) {
		log_add(log, HDLC_ETOOLONG, NULL);
		r->skip = true;
		r->esc = false;
		return;
	}
	r->frame[r->len++] = c;
}

static void ref_flag(struct ref_rx *r, struct rx_log *log)
{
	if (r->skip)
		;
	else if (r->esc)
		log_add(log, HDLC_EABORT, NULL);
	else if (r->len == 0)
		;
	else if (r->len < 4)
		log_add(log, HDLC_ESHORT, NULL);
	else if (hdlc_fcs16(HDLC_FCS_INIT, r->frame, r->len) != HDLC_FCS_GOOD)
		log_add(log, HDLC_EFCS, NULL);
	else
		log_add(log, (int)r->len - 2, r->frame);
	r->len = 0;
	r->esc = r->skip = false;
}

static void ref_decode(const uint8_t *in, size_t n, struct rx_log *log)
{
	static struct ref_rx r;
	memset(&r, 0, sizeof(r));
	log_init(log);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];
		if (c == HDLC_FLAG)
			ref_flag(&r, log);
		else if (r.skip)
			;
		else if (r.esc) {
			r.esc = false;
			ref_add(&r, c ^ 0x20, log);
		} else if (c == HDLC_ESC)
			r.esc = true;
		else
			ref_add(&r, c, log);
	}
}

static void test_reference(void)
{
	static uint8_t stream[40000];
	int bad = 0;
	for (int round = 0; round < 300; round++) {
		size_t n = 0;
		while (n + 9000 < sizeof(stream)) {
			uint32_t kind = rng() % 8;
			if (kind == 0) {            /* valid frame */
				uint8_t frame[100];
				size_t len = rng() % sizeof(frame);
				for (size_t i = 0; i < len; i++)
					frame[i] = (uint8_t)rng();
				n += (size_t)hdlc_async_encode(frame, len, rng(), stream + n, sizeof(stream) - n);
			} else if (kind == 1 && rng() % 8 == 0) {  /* long run, maybe too long */
				size_t len = HDLC_FRAME_MAX - 8 + rng() % 24;
				for (size_t i = 0; i < len; i++)
					stream[n++] = (rng() % 64) ? 0x33 : HDLC_ESC;
			} else {                    /* bytes rich in flags and escapes */
				size_t len = rng() % 16;
				for (size_t i = 0; i < len; i++)
					stream[n++] = (rng() & 1) ? (uint8_t)(0x7c + rng() % 4) : (uint8_t)rng();
			}
		}
		struct rx_log fast, slow;
		decode_oneshot(stream, n, &fast);
		ref_decode(stream, n, &slow);
		bad += !logs_equal(&fast, &slow);
		free(fast.buf);
		free(slow.buf);
	}
	CHECK(bad == 0, "reference deframer: %d of 300 random streams differ", bad);
}

static void test_strerror(void)
{
	const int codes[] = { HDLC_EFCS, HDLC_ETOOLONG, HDLC_ESHORT, HDLC_EABORT };
	const char *unknown = hdlc_strerror(-99);
	for (size_t i = 0; i < ARRAY_LEN(codes); i++)
		CHECK(strcmp(hdlc_strerror(codes[i]), unknown) != 0, "strerror(%d) is generic", codes[i]);
}

int main(void)
{
	test_fcs();
	test_lcp_vector();
	test_roundtrip();
	test_encode_cap();
	test_splits();
	test_escape_at_end();
	test_errors();
	test_reference();
	test_strerror();
	return check_done("test_hdlc");
}
