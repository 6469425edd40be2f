/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_gre.c: unit tests for the enhanced GRE and IPv4 header codec. */
#include "check.h"
#include "gre_wire.h"

#include <stdlib.h>
#include <string.h>

/* Decode from an exact-size heap copy so ASan catches any over-read. */
static int decode_exact(const uint8_t *bytes, size_t len, struct gre_hdr *h)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, bytes, len);
	int ret = gre_decode(copy, len, h);
	free(copy);
	return ret;
}

static int ipv4_exact(const uint8_t *bytes, size_t len, struct ipv4_info *info)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, bytes, len);
	int ret = ipv4_decode(copy, len, info);
	free(copy);
	return ret;
}

/* data packet, S only: call 42, seq 1, 5 bytes PPP */
static const uint8_t pkt_seq[] = {
	0x30, 0x01, 0x88, 0x0b, 0x00, 0x05, 0x00, 0x2a,
	0x00, 0x00, 0x00, 0x01,
	0xff, 0x03, 0xc0, 0x21, 0x09,
};
/* data packet, S and A: call 0x1234, seq 0xFFFFFFFF, ack 7, 3 bytes */
static const uint8_t pkt_seq_ack[] = {
	0x30, 0x81, 0x88, 0x0b, 0x00, 0x03, 0x12, 0x34,
	0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x07,
	0x21, 0x45, 0x00,
};
/* ack only: call 0xBEEF, ack 0xFFFFFFFE */
static const uint8_t pkt_ack[] = {
	0x20, 0x81, 0x88, 0x0b, 0x00, 0x00, 0xbe, 0xef,
	0xff, 0xff, 0xff, 0xfe,
};

static void test_valid(void)
{
	struct gre_hdr h;
	int ret;

	ret = decode_exact(pkt_seq, sizeof(pkt_seq), &h);
	CHECK(ret == 12, "seq packet: expected 12, seen %d", ret);
	CHECK(h.has_seq && !h.has_ack, "seq packet flags: seen S=%d A=%d", h.has_seq, h.has_ack);
	CHECK(h.seq == 1 && h.call_id == 42 && h.payload_len == 5,
	      "seq packet: expected seq 1 call 42 len 5, seen %u %u %u", h.seq, h.call_id, h.payload_len);

	ret = decode_exact(pkt_seq_ack, sizeof(pkt_seq_ack), &h);
	CHECK(ret == 16, "seq+ack packet: expected 16, seen %d", ret);
	CHECK(h.has_seq && h.has_ack, "seq+ack flags: seen S=%d A=%d", h.has_seq, h.has_ack);
	CHECK(h.seq == 0xFFFFFFFFu && h.ack == 7 && h.call_id == 0x1234 && h.payload_len == 3,
	      "seq+ack: expected seq ffffffff ack 7 call 1234 len 3, seen %x %x %x %u",
	      h.seq, h.ack, h.call_id, h.payload_len);
	CHECK(ret > 0 && memcmp(pkt_seq_ack + ret, "\x21\x45\x00", 3) == 0, "seq+ack payload mismatch");

	ret = decode_exact(pkt_ack, sizeof(pkt_ack), &h);
	CHECK(ret == 12, "ack-only: expected 12, seen %d", ret);
	CHECK(!h.has_seq && h.has_ack && h.ack == 0xFFFFFFFEu && h.call_id == 0xBEEF && h.payload_len == 0,
	      "ack-only: expected ack fffffffe call beef, seen S=%d A=%d ack %x call %x len %u",
	      h.has_seq, h.has_ack, h.ack, h.call_id, h.payload_len);
}

static void test_encode(void)
{
	uint8_t buf[GRE_HDR_MAX + 4];
	struct gre_hdr h = { .payload_len = 5, .call_id = 42, .has_seq = true, .seq = 1 };
	size_t n;

	memset(buf, 0xAA, sizeof(buf));
	n = gre_encode(buf, &h);
	CHECK(n == 12 && memcmp(buf, pkt_seq, 12) == 0, "encode seq: expected pkt_seq header, seen len %zu", n);
	CHECK(buf[12] == 0xAA, "encode seq wrote past 12 bytes");

	h = (struct gre_hdr){ .payload_len = 3, .call_id = 0x1234, .has_seq = true, .seq = 0xFFFFFFFF,
			      .has_ack = true, .ack = 7 };
	n = gre_encode(buf, &h);
	CHECK(n == 16 && memcmp(buf, pkt_seq_ack, 16) == 0, "encode seq+ack: seen len %zu", n);

	h = (struct gre_hdr){ .call_id = 0xBEEF, .has_ack = true, .ack = 0xFFFFFFFE };
	n = gre_encode(buf, &h);
	CHECK(n == 12 && memcmp(buf, pkt_ack, 12) == 0, "encode ack-only: seen len %zu", n);

	h = (struct gre_hdr){ .call_id = 1 };
	n = gre_encode(buf, &h);
	CHECK(n == 8 && buf[0] == 0x20 && buf[1] == 0x01, "encode bare: expected 8 bytes 20 01, seen %zu %02x %02x",
	      n, buf[0], buf[1]);

	/* round trip with wrap values */
	const uint32_t vals[] = { 0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint8_t pkt[GRE_HDR_MAX + 1];
		struct gre_hdr in = { .payload_len = 1, .call_id = 0xFFFF, .has_seq = true, .seq = vals[i],
				      .has_ack = true, .ack = vals[(i + 1) % 6] }, out;
		n = gre_encode(pkt, &in);
		pkt[n] = 0x55;
		int ret = decode_exact(pkt, n + 1, &out);
		CHECK(ret == 16 && out.seq == in.seq && out.ack == in.ack && out.call_id == 0xFFFF,
		      "round trip %x/%x: seen ret %d seq %x ack %x", in.seq, in.ack, ret, out.seq, out.ack);
	}
}

static void expect_err(const uint8_t *pkt, size_t len, int want, const char *what)
{
	struct gre_hdr h;
	int ret = decode_exact(pkt, len, &h);
	CHECK(ret == want, "%s: expected %d (%s), seen %d (%s)", what, want, gre_strerror(want),
	      ret, ret < 0 ? gre_strerror(ret) : "ok");
}

/* copy of pkt_seq_ack with one octet changed */
static void expect_mod(size_t at, uint8_t val, int want, const char *what)
{
	uint8_t p[sizeof(pkt_seq_ack)];
	memcpy(p, pkt_seq_ack, sizeof(p));
	p[at] = val;
	expect_err(p, sizeof(p), want, what);
}

static void test_errors(void)
{
	expect_err(pkt_seq, 0, GRE_ESHORT, "empty");
	expect_err(pkt_seq, 7, GRE_ESHORT, "7 bytes");
	expect_err(pkt_seq, 11, GRE_ESHORT, "S set, 11 bytes");
	expect_err(pkt_seq_ack, 15, GRE_ESHORT, "S+A set, 15 bytes");
	expect_err(pkt_ack, 11, GRE_ESHORT, "A set, 11 bytes");
	/* every prefix of a valid packet fails */
	for (size_t len = 0; len < sizeof(pkt_seq_ack); len++) {
		struct gre_hdr h;
		int ret = decode_exact(pkt_seq_ack, len, &h);
		int want = len < 16 ? GRE_ESHORT : GRE_ETRUNC;
		CHECK(ret == want, "prefix %zu: expected %d, seen %d", len, want, ret);
	}

	expect_mod(1, 0x80, GRE_EVERSION, "version 0");
	expect_mod(1, 0x82, GRE_EVERSION, "version 2");
	expect_mod(1, 0x87, GRE_EVERSION, "version 7");
	expect_mod(2, 0x08, GRE_EPROTO, "protocol 0x080b");
	expect_mod(3, 0x00, GRE_EPROTO, "protocol 0x8800");
	expect_mod(0, 0x30 | 0x80, GRE_EFLAGS, "C set");
	expect_mod(0, 0x30 | 0x40, GRE_EFLAGS, "R set");
	expect_mod(0, 0x10, GRE_EFLAGS, "K clear");
	expect_mod(0, 0x30 | 0x08, GRE_EFLAGS, "strict source route set");
	expect_mod(0, 0x30 | 0x01, GRE_EFLAGS, "recursion 1");
	expect_mod(0, 0x30 | 0x07, GRE_EFLAGS, "recursion 7");
	for (uint8_t bit = 0x08; bit <= 0x40; bit <<= 1) {
		char what[32];
		snprintf(what, sizeof(what), "reserved flag %02x", bit);
		expect_mod(1, 0x81 | bit, GRE_EFLAGS, what);
	}

	expect_mod(5, 0x04, GRE_ETRUNC, "payload_len 4 with 3 bytes");
	expect_mod(4, 0xff, GRE_ETRUNC, "payload_len 0xff03");
	expect_mod(5, 0x02, GRE_EPADDED, "payload_len 2 with 3 bytes");
	{
		struct gre_hdr h;
		uint8_t p[sizeof(pkt_seq_ack)];
		memcpy(p, pkt_seq_ack, sizeof(p));
		p[5] = 0x01;
		int ret = decode_exact(p, sizeof(p), &h);
		CHECK(ret == GRE_EPADDED && h.payload_len == 1 && h.seq == 0xFFFFFFFF && h.ack == 7,
		      "EPADDED fills header: seen ret %d len %u seq %x ack %x", ret, h.payload_len, h.seq, h.ack);
	}

	static const uint8_t s_empty[] = { 0x30, 0x01, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 9 };
	expect_err(s_empty, sizeof(s_empty), GRE_EEMPTY, "S set, payload_len 0");
	static const uint8_t a_payload[] = { 0x20, 0x81, 0x88, 0x0b, 0x00, 0x02, 0x00, 0x01, 0, 0, 0, 9, 0xaa, 0xbb };
	expect_err(a_payload, sizeof(a_payload), GRE_EEMPTY, "payload without S");
	static const uint8_t bare[] = { 0x20, 0x01, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x01 };
	expect_err(bare, sizeof(bare), GRE_EEMPTY, "neither S nor A");
	static const uint8_t bare_payload[] = { 0x20, 0x01, 0x88, 0x0b, 0x00, 0x01, 0x00, 0x01, 0x7e };
	expect_err(bare_payload, sizeof(bare_payload), GRE_EEMPTY, "payload, neither S nor A");
	expect_err(pkt_ack, sizeof(pkt_ack), 12, "ack-only stays valid");
}

static void test_strerror(void)
{
	const int codes[] = { GRE_ESHORT, GRE_EVERSION, GRE_EPROTO, GRE_EFLAGS, GRE_ETRUNC,
			      GRE_EPADDED, GRE_EEMPTY, IP_ESHORT, IP_EVERSION, IP_EHDRLEN,
			      IP_ETOTLEN, IP_EPROTO };
	const char *unknown = gre_strerror(-999);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *s = gre_strerror(codes[i]);
		CHECK(s && strcmp(s, unknown) != 0, "strerror(%d): expected a specific text, seen %s", codes[i], s);
	}
}

/* IPv4 header 192.0.2.1 -> 198.51.100.2, proto 47, followed by pkt_seq */
static size_t make_ipv4(uint8_t *buf, size_t opt_len)
{
	size_t hdr = 20 + opt_len, total = hdr + sizeof(pkt_seq);
	memset(buf, 0, hdr);
	buf[0] = 0x40 | (uint8_t)(hdr / 4);
	buf[2] = total >> 8;
	buf[3] = total & 0xff;
	buf[8] = 64;
	buf[9] = 47;
	memcpy(buf + 12, "\xc0\x00\x02\x01", 4);
	memcpy(buf + 16, "\xc6\x33\x64\x02", 4);
	for (size_t i = 0; i < opt_len; i++)
		buf[20 + i] = i + 1 < opt_len ? 0x01 : 0x00;  /* NOPs, then EOL */
	memcpy(buf + hdr, pkt_seq, sizeof(pkt_seq));
	return total;
}

static void test_ipv4(void)
{
	uint8_t buf[80];
	struct ipv4_info info;
	size_t total;
	int ret;

	total = make_ipv4(buf, 0);
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == 0 && info.hdr_len == 20 && info.total_len == total && info.proto == 47,
	      "ipv4 plain: expected 0/20/%zu, seen %d/%zu/%zu", total, ret, info.hdr_len, info.total_len);
	CHECK(memcmp(&info.src, "\xc0\x00\x02\x01", 4) == 0 && memcmp(&info.dst, "\xc6\x33\x64\x02", 4) == 0,
	      "ipv4 addresses not in network byte order");

	total = make_ipv4(buf, 8);
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == 0 && info.hdr_len == 28 && info.total_len == total,
	      "ipv4 options: expected hdr 28, seen %d/%zu", ret, info.hdr_len);
	struct gre_hdr h;
	ret = ret == 0 ? gre_decode(buf + info.hdr_len, info.total_len - info.hdr_len, &h) : ret;
	CHECK(ret == 12 && h.seq == 1 && h.call_id == 42, "GRE after IP options: expected 12, seen %d", ret);

	total = make_ipv4(buf, 40);  /* IHL 15, the maximum */
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == 0 && info.hdr_len == 60, "ipv4 IHL 15: expected hdr 60, seen %d/%zu", ret, info.hdr_len);

	/* trailing bytes beyond total length are tolerated, not counted */
	total = make_ipv4(buf, 0);
	ret = ipv4_exact(buf, total + 4, &info);
	CHECK(ret == 0 && info.total_len == total, "ipv4 trailer: expected total %zu, seen %d/%zu",
	      total, ret, info.total_len);

	total = make_ipv4(buf, 0);
	ret = ipv4_exact(buf, 19, &info);
	CHECK(ret == IP_ESHORT, "ipv4 19 bytes: expected IP_ESHORT, seen %d", ret);
	ret = ipv4_exact(buf, 0, &info);
	CHECK(ret == IP_ESHORT, "ipv4 0 bytes: expected IP_ESHORT, seen %d", ret);

	buf[0] = 0x65;
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == IP_EVERSION, "ipv6 version: expected IP_EVERSION, seen %d", ret);
	buf[0] = 0x44;
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == IP_EHDRLEN, "IHL 4: expected IP_EHDRLEN, seen %d", ret);
	buf[0] = 0x4f;
	ret = ipv4_exact(buf, 40, &info);
	CHECK(ret == IP_EHDRLEN, "IHL 15 with 40 bytes: expected IP_EHDRLEN, seen %d", ret);

	total = make_ipv4(buf, 4);
	buf[2] = 0;
	buf[3] = 20;   /* total 20 < IHL*4 = 24 */
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == IP_ETOTLEN, "total < hdr: expected IP_ETOTLEN, seen %d", ret);
	buf[3] = (uint8_t)(total + 1);
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == IP_ETOTLEN, "total > len: expected IP_ETOTLEN, seen %d", ret);

	total = make_ipv4(buf, 0);
	buf[9] = 6;
	ret = ipv4_exact(buf, total, &info);
	CHECK(ret == IP_EPROTO && info.proto == 6, "proto TCP: expected IP_EPROTO/6, seen %d/%u", ret, info.proto);
}

static void test_seq(void)
{
	CHECK(SEQ_LT(0xFFFFFFFFu, 0u), "ffffffff < 0 across wrap");
	CHECK(SEQ_GT(0u, 0xFFFFFFFFu), "0 > ffffffff across wrap");
	CHECK(SEQ_LT(0xFFFFFFF0u, 5u) && SEQ_GT(5u, 0xFFFFFFF0u), "fffffff0 < 5");
	CHECK(SEQ_LE(7u, 7u) && SEQ_GE(7u, 7u) && !SEQ_LT(7u, 7u) && !SEQ_GT(7u, 7u), "equal values");
	CHECK(SEQ_LE(0xFFFFFFFFu, 0u) && !SEQ_GE(0xFFFFFFFFu, 0u), "LE/GE across wrap");
	CHECK(SEQ_LT(0u, 0x7FFFFFFFu), "0 < 2^31-1");
	CHECK(SEQ_GT(0u, 0x80000001u), "0 > 2^31+1 (wrapped)");
	CHECK(SEQ_GT(0x80000000u, 1u), "2^31 > 1");
	CHECK(SEQ_LT(0x7FFFFFFFu, 0x80000000u), "2^31-1 < 2^31");
	CHECK(seq_diff(0x80000000u, 0u) == INT32_MIN, "diff at 2^31: expected INT32_MIN, seen %d",
	      seq_diff(0x80000000u, 0u));
	CHECK(seq_diff(5u, 0xFFFFFFFEu) == 7, "diff 5 - fffffffe: expected 7, seen %d", seq_diff(5u, 0xFFFFFFFEu));
	CHECK(seq_diff(0xFFFFFFFEu, 5u) == -7, "diff fffffffe - 5: expected -7, seen %d", seq_diff(0xFFFFFFFEu, 5u));
}

int main(void)
{
	test_valid();
	test_encode();
	test_errors();
	test_strerror();
	test_ipv4();
	test_seq();
	return check_done("test_gre");
}
