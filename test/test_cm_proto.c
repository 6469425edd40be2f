/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cm_proto.c: the records between a pptp process and its call
 * manager (cm_proto.h): byte vectors for each type, every truncation, bad
 * headers and lengths, reassembly from a stream cut anywhere, and cm_recv
 * over a real socket pair. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "cm_proto.h"

/* The records as they must look on the wire, written out by hand. */
static const uint8_t req_bytes[] = {
	0x50, 0x43, 0x4d, 0x32, 1, 0, 0, 12,	/* "PCM2", request, 12 */
	0x00, 0x01, 0xe2, 0x40,			/* gateway pid 123456 */
};
static const uint8_t up_bytes[] = {
	0x50, 0x43, 0x4d, 0x32, 2, 0, 0, 12,
	0x12, 0x34, 0xab, 0xcd,			/* call 0x1234, peer 0xabcd */
};
static const uint8_t sli_bytes[] = {
	0x50, 0x43, 0x4d, 0x32, 3, 0, 0, 20,
	0x00, 0x07, 0x00, 0x09,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x0a, 0x00, 0x00,	/* ACCMs */
};
static const uint8_t down_bytes[] = {
	0x50, 0x43, 0x4d, 0x32, 4, 0, 0, 17,
	0x00, 0x07, 0x00, 0x09, 'g', 'o', 'n', 'e', '.',
};

static void expect_bytes(const struct cm_msg *m, const uint8_t *want,
			 size_t want_len, const char *what)
{
	uint8_t buf[CM_MSG_MAX];
	int n = cm_encode(m, buf, sizeof(buf));

	CHECK(n == (int)want_len && memcmp(buf, want, want_len) == 0,
	      "%s: expected %zu bytes as written out, saw %d", what, want_len,
	      n);
	for (size_t cap = 0; cap < want_len; cap++)
		CHECK(cm_encode(m, buf, cap) == -ENOSPC,
		      "%s: expected -ENOSPC with %zu bytes of room", what, cap);
}

static void test_encode(void)
{
	struct cm_msg m;

	memset(&m, 0, sizeof(m));
	m.type = CM_REQUEST;
	m.gateway_pid = 123456;
	expect_bytes(&m, req_bytes, sizeof(req_bytes), "request");
	memset(&m, 0, sizeof(m));
	m.type = CM_CALL_UP;
	m.call_id = 0x1234;
	m.peer_call_id = 0xabcd;
	expect_bytes(&m, up_bytes, sizeof(up_bytes), "call up");
	memset(&m, 0, sizeof(m));
	m.type = CM_CALL_SLI;
	m.call_id = 7;
	m.peer_call_id = 9;
	m.send_accm = 0xffffffff;
	m.recv_accm = 0x000a0000;
	expect_bytes(&m, sli_bytes, sizeof(sli_bytes), "set-link-info");
	memset(&m, 0, sizeof(m));
	m.type = CM_CALL_DOWN;
	m.call_id = 7;
	m.peer_call_id = 9;
	strcpy(m.text, "gone.");
	expect_bytes(&m, down_bytes, sizeof(down_bytes), "call down");
	m.type = (enum cm_msg_type)9;
	CHECK(cm_encode(&m, (uint8_t[CM_MSG_MAX]){ 0 }, CM_MSG_MAX) == -EINVAL,
	      "expected -EINVAL for an unknown type");
}

/* Decode of a whole record, and 1 (more needed) for every prefix. */
static void expect_decode(const uint8_t *b, size_t len, struct cm_msg *m,
			  const char *what)
{
	size_t used = 99;
	int rc;

	for (size_t k = 0; k < len; k++) {
		rc = cm_decode(b, k, m, &used);
		CHECK(rc == 1 && used == 0,
		      "%s: expected 'more' from %zu of %zu bytes, saw %d used %zu",
		      what, k, len, rc, used);
	}
	rc = cm_decode(b, len, m, &used);
	CHECK(rc == 0 && used == len, "%s: expected a record of %zu, saw %d %zu",
	      what, len, rc, used);
}

static void test_decode(void)
{
	struct cm_msg m;

	expect_decode(req_bytes, sizeof(req_bytes), &m, "request");
	CHECK(m.type == CM_REQUEST && m.gateway_pid == 123456,
	      "request: saw type %d pid %u", m.type, m.gateway_pid);
	expect_decode(up_bytes, sizeof(up_bytes), &m, "call up");
	CHECK(m.type == CM_CALL_UP && m.call_id == 0x1234 &&
	      m.peer_call_id == 0xabcd, "call up: saw %d %#x %#x", m.type,
	      m.call_id, m.peer_call_id);
	expect_decode(sli_bytes, sizeof(sli_bytes), &m, "sli");
	CHECK(m.type == CM_CALL_SLI && m.send_accm == 0xffffffff &&
	      m.recv_accm == 0x000a0000, "sli: saw %d %#x %#x", m.type,
	      m.send_accm, m.recv_accm);
	expect_decode(down_bytes, sizeof(down_bytes), &m, "call down");
	CHECK(m.type == CM_CALL_DOWN && m.call_id == 7 &&
	      strcmp(m.text, "gone.") == 0, "call down: saw %d %u '%s'",
	      m.type, m.call_id, m.text);
}

static void test_text(void)
{
	struct cm_msg m, back;
	uint8_t buf[CM_MSG_MAX + 10];
	size_t used;
	int n;

	memset(&m, 0, sizeof(m));
	m.type = CM_CALL_DOWN;
	memset(m.text, 'x', CM_TEXT_MAX);
	m.text[CM_TEXT_MAX] = '\0';
	n = cm_encode(&m, buf, sizeof(buf));
	CHECK(n == CM_MSG_MAX, "longest text: expected %d bytes, saw %d",
	      CM_MSG_MAX, n);
	CHECK(cm_decode(buf, (size_t)n, &back, &used) == 0 &&
	      strlen(back.text) == CM_TEXT_MAX, "longest text back: saw %zu",
	      strlen(back.text));
	/* No text at all. */
	m.text[0] = '\0';
	n = cm_encode(&m, buf, sizeof(buf));
	CHECK(n == 12 && cm_decode(buf, 12, &back, &used) == 0 &&
	      back.text[0] == '\0', "empty text: saw %d '%s'", n, back.text);
	/* A text from a peer with control bytes and no NUL cannot forge a
	 * log line. */
	memcpy(buf, down_bytes, sizeof(down_bytes));
	buf[13] = '\n';
	buf[15] = 0x1b;
	CHECK(cm_decode(buf, sizeof(down_bytes), &back, &used) == 0 &&
	      strcmp(back.text, "g?n?.") == 0, "control bytes: saw '%s'",
	      back.text);
}

static void expect_bad(const uint8_t *b, size_t len, const char *what)
{
	struct cm_msg m;
	size_t used = 99;
	int rc = cm_decode(b, len, &m, &used);

	CHECK(rc == -EPROTO && used == 0, "%s: expected -EPROTO, saw %d", what,
	      rc);
}

static void test_bad(void)
{
	uint8_t b[CM_MSG_MAX + 8];
	static const uint16_t bad_len[][2] = {
		{ CM_REQUEST, 11 }, { CM_REQUEST, 13 }, { CM_CALL_UP, 8 },
		{ CM_CALL_UP, 16 }, { CM_CALL_SLI, 12 }, { CM_CALL_SLI, 21 },
		{ CM_CALL_DOWN, 11 }, { CM_CALL_DOWN, CM_MSG_MAX + 1 },
		{ CM_CALL_DOWN, 0xffff }, { CM_CALL_UP, 0 },
	};

	/* A wrong magic byte is refused as soon as it is there. */
	for (size_t i = 0; i < 4; i++) {
		memcpy(b, up_bytes, sizeof(up_bytes));
		b[i] ^= 0x01;
		expect_bad(b, i + 1, "magic byte");
	}
	/* The old host-order records ("PCM1" in host order) are refused. */
	memcpy(b, (const uint8_t[]){ 0x31, 0x4d, 0x43, 0x50 }, 4);
	expect_bad(b, 4, "old magic");
	memcpy(b, up_bytes, sizeof(up_bytes));
	b[4] = 0;
	expect_bad(b, 5, "type 0");
	b[4] = 5;
	expect_bad(b, 5, "type 5");
	memcpy(b, up_bytes, sizeof(up_bytes));
	b[5] = 1;
	expect_bad(b, 6, "flags");
	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		memcpy(b, up_bytes, sizeof(up_bytes));
		b[4] = (uint8_t)bad_len[i][0];
		b[6] = (uint8_t)(bad_len[i][1] >> 8);
		b[7] = (uint8_t)bad_len[i][1];
		expect_bad(b, 8, "length for the type");
	}
}

/* Two records cut at every point and fed in two pieces. */
static void test_rbuf(void)
{
	uint8_t stream[sizeof(sli_bytes) + sizeof(down_bytes)];

	memcpy(stream, sli_bytes, sizeof(sli_bytes));
	memcpy(stream + sizeof(sli_bytes), down_bytes, sizeof(down_bytes));
	for (size_t cut = 0; cut <= sizeof(stream); cut++) {
		struct cm_rbuf rb = { .len = 0 };
		struct cm_msg m;
		int got = 0, rc;

		memcpy(rb.b, stream, cut);
		rb.len = cut;
		while ((rc = cm_rbuf_next(&rb, &m)) == 0)
			got = got * 10 + (int)m.type;
		CHECK(rc == 1, "cut %zu: expected 'more', saw %d", cut, rc);
		memcpy(rb.b + rb.len, stream + cut, sizeof(stream) - cut);
		rb.len += sizeof(stream) - cut;
		while ((rc = cm_rbuf_next(&rb, &m)) == 0)
			got = got * 10 + (int)m.type;
		CHECK(rc == 1 && got == 34 && rb.len == 0,
		      "cut %zu: expected SLI then DOWN, saw %d (rc %d, %zu left)",
		      cut, got, rc, rb.len);
	}
}

static void test_recv(void)
{
	struct cm_rbuf rb = { .len = 0 };
	struct cm_msg m;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		CHECK(0, "socketpair: %s", strerror(errno));
		return;
	}
	CHECK(cm_recv(sv[0], &rb, &m) == 1, "expected 'none yet' on an empty socket");
	/* Two records in one write, the third in two. */
	CHECK(write(sv[1], up_bytes, sizeof(up_bytes)) == (ssize_t)sizeof(up_bytes) &&
	      write(sv[1], sli_bytes, sizeof(sli_bytes)) == (ssize_t)sizeof(sli_bytes) &&
	      write(sv[1], down_bytes, 5) == 5, "writes");
	rc = cm_recv(sv[0], &rb, &m);
	CHECK(rc == 0 && m.type == CM_CALL_UP, "first: saw %d type %d", rc, m.type);
	rc = cm_recv(sv[0], &rb, &m);
	CHECK(rc == 0 && m.type == CM_CALL_SLI, "second from the buffer: saw %d type %d",
	      rc, m.type);
	CHECK(cm_recv(sv[0], &rb, &m) == 1, "expected 'none yet' on a half record");
	CHECK(write(sv[1], down_bytes + 5, sizeof(down_bytes) - 5) ==
	      (ssize_t)(sizeof(down_bytes) - 5), "write");
	rc = cm_recv(sv[0], &rb, &m);
	CHECK(rc == 0 && m.type == CM_CALL_DOWN && strcmp(m.text, "gone.") == 0,
	      "third: saw %d type %d", rc, m.type);
	close(sv[1]);
	CHECK(cm_recv(sv[0], &rb, &m) == -EPIPE, "expected -EPIPE at EOF");
	close(sv[0]);
	/* Garbage on the stream. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	rb.len = 0;
	CHECK(write(sv[1], "hello, world", 12) == 12, "write");
	CHECK(cm_recv(sv[0], &rb, &m) == -EPROTO, "expected -EPROTO for garbage");
	close(sv[0]);
	close(sv[1]);
}

struct sli_log {
	int n;
	uint32_t last_send_accm;
};

static void count_sli(void *ctx, const struct cm_msg *m)
{
	struct sli_log *l = ctx;

	l->n++;
	l->last_send_accm = m->send_accm;
}

/* cm_call_poll: every SLI handed over in order, the call's end and its
 * cause, "none yet" keeps the call up. */
static void test_call_poll(void)
{
	struct cm_rbuf rb = { .len = 0 };
	struct sli_log l = { 0, 0 };
	char reason[64] = "";
	int sv[2];
	bool up;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		CHECK(0, "socketpair: %s", strerror(errno));
		return;
	}
	up = cm_call_poll(sv[0], &rb, count_sli, &l, reason, sizeof(reason));
	CHECK(up && l.n == 0, "empty socket: expected up and no SLI, saw %d %d",
	      up, l.n);
	CHECK(write(sv[1], up_bytes, sizeof(up_bytes)) == (ssize_t)sizeof(up_bytes) &&
	      write(sv[1], sli_bytes, sizeof(sli_bytes)) == (ssize_t)sizeof(sli_bytes) &&
	      write(sv[1], sli_bytes, sizeof(sli_bytes)) == (ssize_t)sizeof(sli_bytes),
	      "write");
	up = cm_call_poll(sv[0], &rb, count_sli, &l, reason, sizeof(reason));
	CHECK(up && l.n == 2 && l.last_send_accm == 0xffffffff,
	      "two SLIs: expected up and 2 handed over, saw %d %d 0x%08x", up,
	      l.n, l.last_send_accm);
	CHECK(write(sv[1], sli_bytes, sizeof(sli_bytes)) == (ssize_t)sizeof(sli_bytes) &&
	      write(sv[1], down_bytes, sizeof(down_bytes)) == (ssize_t)sizeof(down_bytes),
	      "write");
	up = cm_call_poll(sv[0], &rb, count_sli, &l, reason, sizeof(reason));
	CHECK(!up && l.n == 3 && strcmp(reason, "gone.") == 0,
	      "SLI then CALL_DOWN: expected down with its text and 3 SLIs, saw %d %d '%s'",
	      up, l.n, reason);
	close(sv[1]);
	rb.len = 0;
	up = cm_call_poll(sv[0], &rb, count_sli, &l, reason, sizeof(reason));
	CHECK(!up && strcmp(reason, "call manager closed the call") == 0,
	      "closed socket: expected down, saw %d '%s'", up, reason);
	close(sv[0]);
}

int main(void)
{
	test_encode();
	test_decode();
	test_text();
	test_bad();
	test_rbuf();
	test_recv();
	test_call_poll();
	return check_done("test_cm_proto");
}
