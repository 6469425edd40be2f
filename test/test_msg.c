/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_msg.c: unit tests for the PPTP control-message codec, with byte vectors from RFC 2637 layouts. */
#include "pptp_msg.h"
#include "check.h"

#include <stdint.h>
#include <string.h>

/*
 * Each vector is written out by hand from the RFC 2637 section 2 diagrams:
 * "head" is every byte up to the first string field (or the whole message),
 * strings are placed at their RFC offsets, everything else is zero.
 */
struct str_at {
	size_t off;
	const char *s;
};

struct vector {
	const char *what;
	size_t size;
	const uint8_t *head;
	size_t head_len;
	struct str_at str[3];
	struct pptp_msg msg;
};

#define HDR(len, type) 0x00, (len), 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, (type), 0x00, 0x00

static const uint8_t sccrq_head[] = { HDR(0x9c, 1),
	0x01, 0x00, 0x00, 0x00,   /* version 1.0, reserved1 */
	0x00, 0x00, 0x00, 0x01,   /* framing capabilities: async */
	0x00, 0x00, 0x00, 0x01,   /* bearer capabilities: analog */
	0x00, 0x00, 0x00, 0x01 }; /* max channels 0, firmware 0x0001 */
static const uint8_t sccrp_head[] = { HDR(0x9c, 2),
	0x01, 0x00, 0x01, 0x00,   /* version, result 1, error 0 */
	0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x02,
	0xff, 0xff, 0x12, 0x34 };
static const uint8_t stopccrq_head[] = { HDR(0x10, 3), 0x02, 0x00, 0x00, 0x00 };
static const uint8_t stopccrp_head[] = { HDR(0x10, 4), 0x01, 0x00, 0x00, 0x00 };
static const uint8_t echorq_head[] = { HDR(0x10, 5), 0xde, 0xad, 0xbe, 0xef };
static const uint8_t echorp_head[] = { HDR(0x14, 6), 0xde, 0xad, 0xbe, 0xef, 0x02, 0x06, 0x00, 0x00 };
static const uint8_t ocrq_head[] = { HDR(0xa8, 7),
	0x12, 0x34, 0x56, 0x78,   /* call id, call serial */
	0x00, 0x00, 0x01, 0x2c,   /* min bps 300 */
	0x05, 0xf5, 0xe1, 0x00,   /* max bps 100000000 */
	0x00, 0x00, 0x00, 0x03,   /* bearer any */
	0x00, 0x00, 0x00, 0x03,   /* framing any */
	0x00, 0x40, 0x00, 0x00,   /* window 64, delay 0 */
	0x00, 0x05, 0x00, 0x00 }; /* phone number length 5, reserved1 */
static const uint8_t ocrp_head[] = { HDR(0x20, 8),
	0x80, 0x01, 0x12, 0x34,   /* call id, peer's call id */
	0x01, 0x00, 0x00, 0x10,   /* result 1, error 0, cause 16 */
	0x00, 0x00, 0xfa, 0x00,   /* connect speed 64000 */
	0x00, 0x10, 0x00, 0x0a,   /* window 16, delay 10 */
	0x00, 0x00, 0x00, 0x07 }; /* physical channel 7 */
static const uint8_t icrq_head[] = { HDR(0xdc, 9),
	0x00, 0x2a, 0x00, 0x07,   /* call id 42, serial 7 */
	0x00, 0x00, 0x00, 0x02,   /* bearer digital */
	0x00, 0x00, 0x01, 0x00,   /* physical channel 256 */
	0x00, 0x04, 0x00, 0x03 }; /* dialed length 4, dialing length 3 */
static const uint8_t icrp_head[] = { HDR(0x18, 10),
	0x00, 0x2b, 0x00, 0x2a, 0x01, 0x00, 0x00, 0x20, 0x00, 0x05, 0x00, 0x00 };
static const uint8_t iccn_head[] = { HDR(0x1c, 11),
	0x00, 0x2b, 0x00, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t ccrq_head[] = { HDR(0x10, 12), 0x00, 0x2a, 0x00, 0x00 };
static const uint8_t cdn_head[] = { HDR(0x94, 13),
	0x00, 0x2a, 0x03, 0x00,   /* call id, result 3 admin shutdown, error 0 */
	0x00, 0x10, 0x00, 0x00 }; /* cause 16, reserved1 */
static const uint8_t wen_head[] = { HDR(0x28, 14),
	0x80, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06 };
static const uint8_t sli_head[] = { HDR(0x18, 15),
	0x80, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00 };

#define HEAD(a) a, sizeof(a)

static const struct vector vectors[] = {
	{ "SCCRQ", 156, HEAD(sccrq_head), { { 28, "local" }, { 92, "cananian" } },
	  { .type = PPTP_SCCRQ, .u.sccr = { .version = 0x0100, .framing = 1, .bearer = 1,
		.max_channels = 0, .firmware = 1, .hostname = "local", .vendor = "cananian" } } },
	{ "SCCRP", 156, HEAD(sccrp_head), { { 28, "pac.example" }, { 92, "Vendor X" } },
	  { .type = PPTP_SCCRP, .u.sccr = { .version = 0x0100, .result = 1, .error = 0, .framing = 3,
		.bearer = 2, .max_channels = 0xffff, .firmware = 0x1234,
		.hostname = "pac.example", .vendor = "Vendor X" } } },
	{ "StopCCRQ", 16, HEAD(stopccrq_head), { { 0, NULL } },
	  { .type = PPTP_STOPCCRQ, .u.stopccrq = { .reason = 2 } } },
	{ "StopCCRP", 16, HEAD(stopccrp_head), { { 0, NULL } },
	  { .type = PPTP_STOPCCRP, .u.stopccrp = { .result = 1, .error = 0 } } },
	{ "ECHORQ", 16, HEAD(echorq_head), { { 0, NULL } },
	  { .type = PPTP_ECHORQ, .u.echorq = { .id = 0xdeadbeef } } },
	{ "ECHORP", 20, HEAD(echorp_head), { { 0, NULL } },
	  { .type = PPTP_ECHORP, .u.echorp = { .id = 0xdeadbeef, .result = 2, .error = 6 } } },
	{ "OCRQ", 168, HEAD(ocrq_head), { { 40, "55512" }, { 104, "sub" } },
	  { .type = PPTP_OCRQ, .u.ocrq = { .call_id = 0x1234, .serial = 0x5678, .min_bps = 300,
		.max_bps = 100000000, .bearer = 3, .framing = 3, .window = 64, .delay = 0,
		.phone = "55512", .subaddr = "sub" } } },
	{ "OCRP", 32, HEAD(ocrp_head), { { 0, NULL } },
	  { .type = PPTP_OCRP, .u.ocrp = { .call_id = 0x8001, .peer_call_id = 0x1234, .result = 1,
		.error = 0, .cause = 16, .speed = 64000, .window = 16, .delay = 10, .channel = 7 } } },
	{ "ICRQ", 220, HEAD(icrq_head), { { 28, "1234" }, { 92, "987" }, { 156, "x" } },
	  { .type = PPTP_ICRQ, .u.icrq = { .call_id = 42, .serial = 7, .bearer = 2, .channel = 256,
		.dialed = "1234", .dialing = "987", .subaddr = "x" } } },
	{ "ICRP", 24, HEAD(icrp_head), { { 0, NULL } },
	  { .type = PPTP_ICRP, .u.icrp = { .call_id = 43, .peer_call_id = 42, .result = 1, .error = 0,
		.window = 32, .delay = 5 } } },
	{ "ICCN", 28, HEAD(iccn_head), { { 0, NULL } },
	  { .type = PPTP_ICCN, .u.iccn = { .peer_call_id = 43, .speed = 57600, .window = 8, .delay = 1,
		.framing = 1 } } },
	{ "CCRQ", 16, HEAD(ccrq_head), { { 0, NULL } },
	  { .type = PPTP_CCRQ, .u.ccrq = { .call_id = 42 } } },
	{ "CDN", 148, HEAD(cdn_head), { { 20, "idle timeout" } },
	  { .type = PPTP_CDN, .u.cdn = { .call_id = 42, .result = 3, .error = 0, .cause = 16,
		.stats = "idle timeout" } } },
	{ "WEN", 40, HEAD(wen_head), { { 0, NULL } },
	  { .type = PPTP_WEN, .u.wen = { .peer_call_id = 0x8001, .crc_errors = 1, .framing_errors = 2,
		.hw_overruns = 3, .buf_overruns = 4, .timeouts = 5, .alignment_errors = 6 } } },
	{ "SLI", 24, HEAD(sli_head), { { 0, NULL } },
	  { .type = PPTP_SLI, .u.sli = { .peer_call_id = 0x8001, .send_accm = 0xffffffff, .recv_accm = 0 } } },
};

#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

static void build_wire(const struct vector *v, uint8_t *wire)
{
	memset(wire, 0, v->size);
	memcpy(wire, v->head, v->head_len);
	for (size_t i = 0; i < 3 && v->str[i].s; i++)
		memcpy(wire + v->str[i].off, v->str[i].s, strlen(v->str[i].s));
}

static int first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (int)i;
	return -1;
}

/* Compare two messages; on mismatch say both in key=value form. */
static void check_msg_eq(const char *what, const struct pptp_msg *want, const struct pptp_msg *seen)
{
	char a[1024], b[1024];
	bool same = memcmp(want, seen, sizeof(*want)) == 0;

	pptp_msg_format(want, a, sizeof(a));
	pptp_msg_format(seen, b, sizeof(b));
	CHECK(same, "%s: expected {%s} seen {%s}", what, a, b);
}

static void test_vector(const struct vector *v)
{
	uint8_t wire[PPTP_MSG_MAX], enc[PPTP_MSG_MAX];
	struct pptp_msg m, m2;
	size_t used = 99;
	int rc;

	CHECK(pptp_msg_size(v->msg.type) == v->size, "%s: expected size %zu seen %zu",
	      v->what, v->size, pptp_msg_size(v->msg.type));
	CHECK(strcmp(pptp_msg_name(v->msg.type), v->what) == 0, "%s: name expected %s seen %s",
	      v->what, v->what, pptp_msg_name(v->msg.type));
	build_wire(v, wire);

	/* encode -> the hand-written bytes */
	memset(enc, 0xee, sizeof(enc));
	rc = pptp_msg_encode(&v->msg, enc, sizeof(enc));
	CHECK(rc == (int)v->size, "%s: encode expected %zu seen %d", v->what, v->size, rc);
	rc = first_diff(wire, enc, v->size);
	CHECK(rc < 0, "%s: encode byte %d expected 0x%02x seen 0x%02x", v->what, rc,
	      rc >= 0 ? wire[rc] : 0, rc >= 0 ? enc[rc] : 0);
	CHECK(enc[v->size] == 0xee, "%s: encode wrote past its size", v->what);

	/* decode the hand-written bytes -> the fields */
	rc = pptp_msg_decode(wire, v->size, &m, &used);
	CHECK(rc == 0, "%s: decode expected 0 seen %d (%s)", v->what, rc, pptp_msg_strerror(rc));
	CHECK(used == v->size, "%s: consumed expected %zu seen %zu", v->what, v->size, used);
	check_msg_eq(v->what, &v->msg, &m);

	/* round trip */
	rc = pptp_msg_encode(&m, enc, sizeof(enc));
	CHECK(rc == (int)v->size, "%s: re-encode expected %zu seen %d", v->what, v->size, rc);
	rc = pptp_msg_decode(enc, v->size, &m2, &used);
	CHECK(rc == 0, "%s: re-decode expected 0 seen %d", v->what, rc);
	check_msg_eq(v->what, &m, &m2);

	/* a stream split anywhere: every proper prefix asks for more */
	for (size_t k = 0; k < v->size; k++) {
		used = 77;
		rc = pptp_msg_decode(wire, k, &m, &used);
		CHECK(rc == 1 && used == 0, "%s: prefix %zu expected 1/0 seen %d/%zu", v->what, k, rc, used);
		if (k >= PPTP_HDR_LEN)
			CHECK(m.type == v->msg.type, "%s: prefix %zu type expected %u seen %u",
			      v->what, k, v->msg.type, m.type);
	}

	/* trailing bytes of the next message are left alone */
	wire[v->size] = 0x00;
	rc = pptp_msg_decode(wire, v->size + 1, &m, &used);
	CHECK(rc == 0 && used == v->size, "%s: with a trailing byte expected 0/%zu seen %d/%zu",
	      v->what, v->size, rc, used);

	/* too small an encode buffer */
	rc = pptp_msg_encode(&v->msg, enc, v->size - 1);
	CHECK(rc == PPTP_EMSG_NOSPACE, "%s: cap %zu expected NOSPACE seen %d", v->what, v->size - 1, rc);
}

static size_t make_header(uint8_t *b, uint16_t len, uint16_t pptype, uint32_t magic, uint16_t ctype)
{
	b[0] = (uint8_t)(len >> 8); b[1] = (uint8_t)len;
	b[2] = (uint8_t)(pptype >> 8); b[3] = (uint8_t)pptype;
	b[4] = (uint8_t)(magic >> 24); b[5] = (uint8_t)(magic >> 16);
	b[6] = (uint8_t)(magic >> 8); b[7] = (uint8_t)magic;
	b[8] = (uint8_t)(ctype >> 8); b[9] = (uint8_t)ctype;
	b[10] = b[11] = 0;
	return PPTP_HDR_LEN;
}

static void expect_decode(const char *what, const uint8_t *b, size_t n, int want_rc, size_t want_used)
{
	struct pptp_msg m;
	size_t used = 12345;
	int rc = pptp_msg_decode(b, n, &m, &used);

	CHECK(rc == want_rc && used == want_used, "%s: expected rc %d consumed %zu, seen rc %d consumed %zu",
	      what, want_rc, want_used, rc, used);
}

static void test_framing_errors(void)
{
	uint8_t b[PPTP_MSG_MAX + 16];
	struct pptp_msg m;
	size_t used;
	int rc;

	memset(b, 0, sizeof(b));
	expect_decode("empty", b, 0, 1, 0);
	b[0] = 0x00; b[1] = 0x0b;
	expect_decode("length 11, 1 byte", b, 1, 1, 0);
	expect_decode("length 11, 2 bytes", b, 2, PPTP_EMSG_SHORTLEN, 0);
	b[1] = 0x00;
	expect_decode("length 0", b, 16, PPTP_EMSG_SHORTLEN, 0);

	make_header(b, PPTP_MSG_MAX + 1, 1, PPTP_MAGIC, PPTP_SCCRQ);
	expect_decode("length 513", b, 2, PPTP_EMSG_LONGLEN, 0);
	make_header(b, 0xffff, 1, PPTP_MAGIC, PPTP_SCCRQ);
	expect_decode("length 65535", b, sizeof(b), PPTP_EMSG_LONGLEN, 0);

	/* 512 is still framed, but not an SCCRQ: refused from its 10 header bytes */
	make_header(b, PPTP_MSG_MAX, 1, PPTP_MAGIC, PPTP_SCCRQ);
	expect_decode("length 512 SCCRQ, 9 bytes", b, 9, 1, 0);
	expect_decode("length 512 SCCRQ, 10 bytes", b, 10, PPTP_EMSG_BADLEN, 0);
	expect_decode("length 512 SCCRQ", b, PPTP_MSG_MAX, PPTP_EMSG_BADLEN, 0);
	/* 512 with an unknown type: wait for all of it, then skip it */
	make_header(b, PPTP_MSG_MAX, 1, PPTP_MAGIC, 77);
	expect_decode("length 512 type 77 partial", b, 300, 1, 0);
	expect_decode("length 512 type 77", b, PPTP_MSG_MAX, PPTP_EMSG_UNKNOWN, PPTP_MSG_MAX);

	make_header(b, 16, 1, 0x1a2b3c4e, PPTP_ECHORQ);
	expect_decode("bad magic, 7 bytes", b, 7, 1, 0);
	expect_decode("bad magic, 8 bytes", b, 8, PPTP_EMSG_MAGIC, 0);
	expect_decode("bad magic, whole", b, 16, PPTP_EMSG_MAGIC, 0);
	make_header(b, 16, 2, 0x1a2b3c4e, PPTP_ECHORQ);
	expect_decode("bad magic and type 2", b, 16, PPTP_EMSG_MAGIC, 0);

	/* another PPTP message type (2 = management) with a sane length is
	 * framed: wait for all of it, then skip it whole; type reported */
	make_header(b, 16, 2, PPTP_MAGIC, PPTP_ECHORQ);
	expect_decode("pptp type 2, 7 bytes", b, 7, 1, 0);
	expect_decode("pptp type 2, 15 bytes", b, 15, 1, 0);
	rc = pptp_msg_decode(b, 16, &m, &used);
	CHECK(rc == PPTP_EMSG_PPTPTYPE && used == 16 && m.type == 2,
	      "pptp type 2: expected PPTPTYPE/16/2 seen %d/%zu/%u", rc, used, m.type);
	make_header(b, 40, 0, PPTP_MAGIC, 0);
	expect_decode("pptp type 0, length 40", b, 40, PPTP_EMSG_PPTPTYPE, 40);
	make_header(b, 12, 0xffff, PPTP_MAGIC, 0);
	expect_decode("pptp type 65535, length 12", b, 12, PPTP_EMSG_PPTPTYPE, 12);

	/* unknown control type 99: skippable, type reported */
	make_header(b, 20, 1, PPTP_MAGIC, 99);
	expect_decode("type 99 partial", b, 19, 1, 0);
	rc = pptp_msg_decode(b, 20, &m, &used);
	CHECK(rc == PPTP_EMSG_UNKNOWN && used == 20 && m.type == 99,
	      "type 99: expected UNKNOWN/20/99 seen %d/%zu/%u", rc, used, m.type);
	make_header(b, 12, 1, PPTP_MAGIC, 0);
	expect_decode("type 0", b, 12, PPTP_EMSG_UNKNOWN, 12);
	make_header(b, 16, 1, PPTP_MAGIC, 16);
	expect_decode("type 16", b, 16, PPTP_EMSG_UNKNOWN, 16);

	/* BADLEN: every known type, one longer and one shorter than its
	 * size: not a message (the caller resynchronises), judged from the
	 * first 10 bytes, whatever follows */
	for (int t = PPTP_SCCRQ; t <= PPTP_SLI; t++) {
		size_t size = pptp_msg_size(t);

		make_header(b, (uint16_t)(size + 1), 1, PPTP_MAGIC, (uint16_t)t);
		rc = pptp_msg_decode(b, size + 1, &m, &used);
		CHECK(rc == PPTP_EMSG_BADLEN && used == 0,
		      "%s length %zu: expected BADLEN/0 seen %d/%zu", pptp_msg_name(t), size + 1, rc, used);
		expect_decode("BADLEN from 10 bytes", b, 10, PPTP_EMSG_BADLEN, 0);
		make_header(b, (uint16_t)(size - 1), 1, PPTP_MAGIC, (uint16_t)t);
		rc = pptp_msg_decode(b, size - 1, &m, &used);
		CHECK(rc == PPTP_EMSG_BADLEN && used == 0,
		      "%s length %zu: expected BADLEN/0 seen %d/%zu", pptp_msg_name(t), size - 1, rc, used);
	}
	/* a BADLEN header-only SCCRQ must not read the missing body */
	make_header(b, 12, 1, PPTP_MAGIC, PPTP_SCCRQ);
	expect_decode("SCCRQ length 12", b, 12, PPTP_EMSG_BADLEN, 0);
}

static size_t expect_resync(const char *what, const uint8_t *b, size_t n, size_t want)
{
	size_t got = pptp_msg_resync(b, n);

	CHECK(got == want, "%s: resync expected %zu seen %zu", what, want, got);
	return got;
}

/* Resynchronisation: the first position where a well-formed header may
 * begin, judged only on the bytes that are there. */
static void test_resync(void)
{
	uint8_t b[600];
	size_t n;

	memset(b, 0, sizeof(b));
	expect_resync("empty", b, 0, 0);
	/* one byte: 0x00 may still be a length's high byte; 0x03 not (> 512) */
	expect_resync("00", b, 1, 0);
	b[0] = 0x03;
	expect_resync("03", b, 1, 1);
	/* zeros: length 0 rules out every position that has 2 bytes */
	memset(b, 0, sizeof(b));
	expect_resync("64 zeros", b, 64, 63);
	/* a whole Echo-Request at 5 after garbage */
	memset(b, 0xee, 5);
	memcpy(b + 5, echorq_head, sizeof(echorq_head));
	expect_resync("garbage + ECHORQ", b, 5 + sizeof(echorq_head), 5);
	/* ... and each prefix of it: the garbage goes, the part stays */
	for (n = 5; n < 5 + sizeof(echorq_head); n++)
		expect_resync("garbage + ECHORQ prefix", b, n, 5);
	/* a header whose magic is one bit off at any byte is passed over */
	for (int k = 4; k < 8; k++) {
		memcpy(b, echorq_head, sizeof(echorq_head));
		b[k] ^= 0x01;
		memcpy(b + 16, echorq_head, sizeof(echorq_head));
		expect_resync("bent magic, then ECHORQ", b, 32, 16);
	}
	/* well framed but not well-formed: length 20 for an ECHORQ, unknown
	 * type 99, PPTP type 2: passed over (the last header byte, 0x00, is
	 * kept: it may begin a length) */
	n = make_header(b, 20, 1, PPTP_MAGIC, PPTP_ECHORQ);
	expect_resync("ECHORQ of length 20", b, n, n - 1);
	n = make_header(b, 16, 1, PPTP_MAGIC, 99);
	expect_resync("type 99", b, n, n - 1);
	n = make_header(b, 16, 2, PPTP_MAGIC, PPTP_ECHORQ);
	expect_resync("pptp type 2", b, n, n - 1);
	/* a length of 0, 8, 513 or 65535 in front of a whole message */
	static const uint16_t lens[] = { 0, 8, 11, 513, 65535 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		make_header(b, lens[i], 1, PPTP_MAGIC, PPTP_ECHORQ);
		memset(b + 12, 0, 4);
		memcpy(b + 16, sli_head, 24);
		expect_resync("bad length, then SLI", b, 40, 16);
	}
	/* the scan never reads past what it is given: an ECHORQ whose last
	 * header byte is cut off is still a candidate */
	memcpy(b, echorq_head, sizeof(echorq_head));
	expect_resync("11 bytes of an ECHORQ header", b, 11, 0);
	expect_resync("12 bytes of an ECHORQ", b, 12, 0);
	/* every position of a long random run is ruled out */
	uint32_t x = 1;
	for (size_t i = 0; i < sizeof(b); i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	n = pptp_msg_resync(b, sizeof(b));
	CHECK(n >= sizeof(b) - PPTP_HDR_LEN, "random 600 bytes: resync at %zu, expected >= %zu", n,
	      sizeof(b) - PPTP_HDR_LEN);
	/* whatever it keeps of the tail could still begin a header */
	for (size_t i = n; i < sizeof(b); i++)
		CHECK(pptp_msg_resync(b + i, sizeof(b) - i) <= sizeof(b) - i, "tail");
}

/* A stream of: unknown type, over-long ECHORQ, valid ECHORQ, cut-off SLI. */
static void test_stream_skip(void)
{
	uint8_t s[200];
	size_t off = 0, used;
	struct pptp_msg m;
	int rc;

	memset(s, 0, sizeof(s));
	off += make_header(s + off, 20, 1, PPTP_MAGIC, 42) + 8;
	off += make_header(s + off, 20, 1, PPTP_MAGIC, PPTP_ECHORQ) + 8;
	memcpy(s + off, echorq_head, sizeof(echorq_head));
	off += sizeof(echorq_head);
	memcpy(s + off, sli_head, 10);
	off += 10;

	size_t pos = 0;
	rc = pptp_msg_decode(s + pos, off - pos, &m, &used);
	CHECK(rc == PPTP_EMSG_UNKNOWN && used == 20, "stream 1: expected UNKNOWN/20 seen %d/%zu", rc, used);
	pos += used;
	rc = pptp_msg_decode(s + pos, off - pos, &m, &used);
	CHECK(rc == PPTP_EMSG_BADLEN && used == 0, "stream 2: expected BADLEN/0 seen %d/%zu", rc, used);
	/* not a message: the resync passes over its 20 bytes */
	used = pptp_msg_resync(s + pos, off - pos);
	CHECK(used == 20, "stream 2: resync expected 20 seen %zu", used);
	pos += used;
	rc = pptp_msg_decode(s + pos, off - pos, &m, &used);
	CHECK(rc == 0 && used == 16 && m.type == PPTP_ECHORQ && m.u.echorq.id == 0xdeadbeef,
	      "stream 3: expected ECHORQ id 0xdeadbeef seen rc %d type %u id 0x%x", rc, m.type, m.u.echorq.id);
	pos += used;
	rc = pptp_msg_decode(s + pos, off - pos, &m, &used);
	CHECK(rc == 1 && used == 0, "stream 4: expected need-more seen %d/%zu", rc, used);
}

static const struct vector *find_vector(int type)
{
	for (size_t i = 0; i < NVECTORS; i++)
		if (vectors[i].msg.type == type)
			return &vectors[i];
	return NULL;
}

/* Set one reserved byte to non-zero: still decoded, fields unchanged, flag set. */
static void expect_reserved(int type, size_t off)
{
	const struct vector *v = find_vector(type);
	uint8_t wire[PPTP_MSG_MAX];
	struct pptp_msg m, want;
	size_t used;
	char what[64];
	int rc;

	build_wire(v, wire);
	wire[off] = 0x5a;
	snprintf(what, sizeof(what), "%s reserved at %zu", v->what, off);
	rc = pptp_msg_decode(wire, v->size, &m, &used);
	CHECK(rc == 0 && m.reserved_nonzero, "%s: expected rc 0 and flag, seen rc %d flag %d",
	      what, rc, m.reserved_nonzero);
	want = v->msg;
	want.reserved_nonzero = true;
	check_msg_eq(what, &want, &m);
}

static void test_reserved(void)
{
	for (int t = PPTP_SCCRQ; t <= PPTP_SLI; t++) {
		expect_reserved(t, 10);                 /* Reserved0 */
		expect_reserved(t, 11);
	}
	expect_reserved(PPTP_SCCRQ, 14);                /* Reserved1 */
	expect_reserved(PPTP_SCCRQ, 15);
	expect_reserved(PPTP_STOPCCRQ, 13);             /* Reserved1 */
	expect_reserved(PPTP_STOPCCRQ, 14);             /* Reserved2 */
	expect_reserved(PPTP_STOPCCRQ, 15);
	expect_reserved(PPTP_STOPCCRP, 14);
	expect_reserved(PPTP_STOPCCRP, 15);
	expect_reserved(PPTP_ECHORP, 18);
	expect_reserved(PPTP_ECHORP, 19);
	expect_reserved(PPTP_OCRQ, 38);
	expect_reserved(PPTP_OCRQ, 39);
	expect_reserved(PPTP_ICRP, 22);
	expect_reserved(PPTP_ICRP, 23);
	expect_reserved(PPTP_ICCN, 14);
	expect_reserved(PPTP_ICCN, 15);
	expect_reserved(PPTP_CCRQ, 14);
	expect_reserved(PPTP_CCRQ, 15);
	expect_reserved(PPTP_CDN, 18);
	expect_reserved(PPTP_CDN, 19);
	expect_reserved(PPTP_WEN, 14);
	expect_reserved(PPTP_WEN, 15);
	expect_reserved(PPTP_SLI, 14);
	expect_reserved(PPTP_SLI, 15);

	/* all-zero reserved: flag clear */
	struct pptp_msg m;
	size_t used;
	uint8_t wire[PPTP_MSG_MAX];
	build_wire(find_vector(PPTP_SCCRQ), wire);
	pptp_msg_decode(wire, 156, &m, &used);
	CHECK(!m.reserved_nonzero, "SCCRQ clean: expected flag 0 seen 1");

	/* SCCRQ encodes its result/error slot as reserved zero whatever the struct says */
	struct pptp_msg q = find_vector(PPTP_SCCRQ)->msg;
	q.u.sccr.result = 7;
	q.u.sccr.error = 9;
	q.reserved_nonzero = true;
	pptp_msg_encode(&q, wire, sizeof(wire));
	CHECK(wire[14] == 0 && wire[15] == 0 && wire[10] == 0 && wire[11] == 0,
	      "SCCRQ reserved: expected 00 00 seen %02x %02x", wire[14], wire[15]);
}

static void test_strings(void)
{
	uint8_t wire[PPTP_MSG_MAX];
	struct pptp_msg m, d;
	size_t used;
	int rc;

	/* exactly 64 bytes: fills the field, no NUL on the wire, decoded terminated */
	memset(&m, 0, sizeof(m));
	m.type = PPTP_SCCRQ;
	memset(m.u.sccr.hostname, 'A', 64);
	memset(m.u.sccr.vendor, 'V', 64);
	rc = pptp_msg_encode(&m, wire, sizeof(wire));
	CHECK(rc == 156, "64-byte strings: encode expected 156 seen %d", rc);
	CHECK(wire[28] == 'A' && wire[91] == 'A' && wire[92] == 'V' && wire[155] == 'V',
	      "64-byte strings: expected A..A V..V seen %02x %02x %02x %02x", wire[28], wire[91], wire[92], wire[155]);
	rc = pptp_msg_decode(wire, 156, &d, &used);
	CHECK(rc == 0 && strlen(d.u.sccr.hostname) == 64 && strlen(d.u.sccr.vendor) == 64,
	      "64-byte strings: decode expected 64/64 seen %zu/%zu",
	      strlen(d.u.sccr.hostname), strlen(d.u.sccr.vendor));
	check_msg_eq("64-byte strings", &m, &d);

	/* the 65th array byte set by a careless caller is not sent (field is 64) */
	memset(m.u.sccr.hostname, 'B', 65);
	pptp_msg_encode(&m, wire, sizeof(wire));
	CHECK(wire[91] == 'B' && wire[92] == 'V', "65-byte hostname: expected cut at 64, seen %02x %02x",
	      wire[91], wire[92]);

	/* CDN statistics of 128 bytes with no NUL, and a string with bytes after its NUL */
	const struct vector *v = find_vector(PPTP_CDN);
	build_wire(v, wire);
	memset(wire + 20, 'S', 128);
	rc = pptp_msg_decode(wire, 148, &d, &used);
	CHECK(rc == 0 && strlen(d.u.cdn.stats) == 128 && d.u.cdn.stats[127] == 'S',
	      "128-byte stats: expected 128 seen %zu", strlen(d.u.cdn.stats));
	wire[20 + 5] = 0;
	rc = pptp_msg_decode(wire, 148, &d, &used);
	CHECK(rc == 0 && strcmp(d.u.cdn.stats, "SSSSS") == 0, "stats with junk after NUL: expected SSSSS seen %s",
	      d.u.cdn.stats);

	/* ICRQ with all three strings full and no NUL anywhere */
	v = find_vector(PPTP_ICRQ);
	build_wire(v, wire);
	memset(wire + 28, '1', 64);
	memset(wire + 92, '2', 64);
	memset(wire + 156, '3', 64);
	rc = pptp_msg_decode(wire, 220, &d, &used);
	CHECK(rc == 0 && strlen(d.u.icrq.dialed) == 64 && strlen(d.u.icrq.dialing) == 64 &&
	      strlen(d.u.icrq.subaddr) == 64 && d.u.icrq.dialed[0] == '1' && d.u.icrq.dialing[0] == '2' &&
	      d.u.icrq.subaddr[63] == '3', "ICRQ full strings: expected 64/64/64 seen %zu/%zu/%zu",
	      strlen(d.u.icrq.dialed), strlen(d.u.icrq.dialing), strlen(d.u.icrq.subaddr));
	rc = pptp_msg_encode(&d, wire, sizeof(wire));
	CHECK(wire[24] == 0 && wire[25] == 64 && wire[26] == 0 && wire[27] == 64,
	      "ICRQ full strings: length fields expected 64/64 seen %u/%u", wire[25], wire[27]);

	/* OCRQ phone length field is not trusted: 0 and 1000 both give the whole string */
	v = find_vector(PPTP_OCRQ);
	build_wire(v, wire);
	wire[36] = 0; wire[37] = 0;
	rc = pptp_msg_decode(wire, 168, &d, &used);
	CHECK(rc == 0 && strcmp(d.u.ocrq.phone, "55512") == 0, "OCRQ phone len 0: expected 55512 seen %s", d.u.ocrq.phone);
	wire[36] = 0x03; wire[37] = 0xe8;
	rc = pptp_msg_decode(wire, 168, &d, &used);
	CHECK(rc == 0 && strcmp(d.u.ocrq.phone, "55512") == 0 && !d.reserved_nonzero,
	      "OCRQ phone len 1000: expected 55512 seen %s", d.u.ocrq.phone);
}

static void test_encode_errors(void)
{
	struct pptp_msg m;
	uint8_t b[PPTP_MSG_MAX];
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = 0;
	rc = pptp_msg_encode(&m, b, sizeof(b));
	CHECK(rc == PPTP_EMSG_UNKNOWN, "encode type 0: expected UNKNOWN seen %d", rc);
	m.type = 16;
	rc = pptp_msg_encode(&m, b, sizeof(b));
	CHECK(rc == PPTP_EMSG_UNKNOWN, "encode type 16: expected UNKNOWN seen %d", rc);
	m.type = PPTP_ECHORQ;
	rc = pptp_msg_encode(&m, b, 0);
	CHECK(rc == PPTP_EMSG_NOSPACE, "encode cap 0: expected NOSPACE seen %d", rc);
	rc = pptp_msg_encode(&m, b, 16);
	CHECK(rc == 16, "encode cap 16: expected 16 seen %d", rc);
}

static void test_names(void)
{
	static const size_t sizes[] = { 0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24, 0 };

	for (int t = 0; t <= 16; t++)
		CHECK(pptp_msg_size(t) == sizes[t], "size(%d): expected %zu seen %zu", t, sizes[t], pptp_msg_size(t));
	CHECK(pptp_msg_size(-1) == 0 && pptp_msg_size(99) == 0, "size of junk types: expected 0");
	CHECK(strcmp(pptp_msg_longname(PPTP_SCCRQ), "Start-Control-Connection-Request") == 0,
	      "longname SCCRQ: seen %s", pptp_msg_longname(PPTP_SCCRQ));
	CHECK(strcmp(pptp_msg_longname(PPTP_SLI), "Set-Link-Info") == 0, "longname SLI: seen %s", pptp_msg_longname(PPTP_SLI));
	CHECK(strcmp(pptp_msg_longname(PPTP_WEN), "WAN-Error-Notify") == 0, "longname WEN: seen %s", pptp_msg_longname(PPTP_WEN));
	CHECK(strcmp(pptp_msg_name(0), "unknown") == 0 && strcmp(pptp_msg_longname(16), "unknown") == 0,
	      "unknown names: seen %s %s", pptp_msg_name(0), pptp_msg_longname(16));
	CHECK(strcmp(pptp_msg_name(PPTP_STOPCCRP), "StopCCRP") == 0, "name StopCCRP: seen %s", pptp_msg_name(PPTP_STOPCCRP));
	for (int e = PPTP_EMSG_NOSPACE; e <= 1; e++)
		CHECK(strcmp(pptp_msg_strerror(e), "unknown error") != 0, "strerror(%d): seen unknown", e);
	CHECK(strcmp(pptp_msg_strerror(-99), "unknown error") == 0, "strerror(-99): seen %s", pptp_msg_strerror(-99));

	CHECK(strcmp(pptp_result_text(PPTP_SCCRP, 5), "protocol version not supported") == 0,
	      "SCCRP 5: seen %s", pptp_result_text(PPTP_SCCRP, 5));
	CHECK(strcmp(pptp_result_text(PPTP_OCRP, 4), "busy") == 0, "OCRP 4: seen %s", pptp_result_text(PPTP_OCRP, 4));
	CHECK(strcmp(pptp_result_text(PPTP_OCRP, 7), "do not accept") == 0, "OCRP 7: seen %s", pptp_result_text(PPTP_OCRP, 7));
	CHECK(strcmp(pptp_result_text(PPTP_ICRP, 3), "do not accept") == 0, "ICRP 3: seen %s", pptp_result_text(PPTP_ICRP, 3));
	CHECK(strcmp(pptp_result_text(PPTP_CDN, 1), "lost carrier") == 0, "CDN 1: seen %s", pptp_result_text(PPTP_CDN, 1));
	CHECK(strcmp(pptp_result_text(PPTP_STOPCCRP, 2), "general error") == 0, "StopCCRP 2: seen %s",
	      pptp_result_text(PPTP_STOPCCRP, 2));
	CHECK(strcmp(pptp_result_text(PPTP_ECHORP, 1), "OK") == 0, "ECHORP 1: seen %s", pptp_result_text(PPTP_ECHORP, 1));
	CHECK(strcmp(pptp_result_text(PPTP_OCRP, 0), "unknown") == 0 && strcmp(pptp_result_text(PPTP_OCRP, 8), "unknown") == 0 &&
	      strcmp(pptp_result_text(PPTP_OCRP, -1), "unknown") == 0 && strcmp(pptp_result_text(PPTP_SCCRQ, 1), "unknown") == 0,
	      "out-of-range results: expected unknown");
	CHECK(strcmp(pptp_error_text(0), "none") == 0 && strcmp(pptp_error_text(6), "PAC error") == 0 &&
	      strcmp(pptp_error_text(5), "bad call id") == 0 && strcmp(pptp_error_text(7), "unknown") == 0 &&
	      strcmp(pptp_error_text(-1), "unknown") == 0, "error texts: seen %s %s %s", pptp_error_text(0),
	      pptp_error_text(6), pptp_error_text(7));
}

static void test_format(void)
{
	char buf[512];
	int n;

	n = pptp_msg_format(&vectors[0].msg, buf, sizeof(buf));
	const char *want = "SCCRQ version=0x0100 framing=1 bearer=1 max_channels=0 firmware=0x1 "
			   "hostname=\"local\" vendor=\"cananian\"";
	CHECK(strcmp(buf, want) == 0 && n == (int)strlen(want), "format SCCRQ: expected [%s] seen [%s]", want, buf);

	/* snprintf semantics: truncated but terminated, returns the full length */
	char small[10];
	int m = pptp_msg_format(&vectors[0].msg, small, sizeof(small));
	CHECK(m == n && strcmp(small, "SCCRQ ver") == 0, "format truncated: expected %d [SCCRQ ver] seen %d [%s]", n, m, small);
	m = pptp_msg_format(&vectors[0].msg, NULL, 0);
	CHECK(m == n, "format cap 0: expected %d seen %d", n, m);

	/* hostile strings are escaped */
	struct pptp_msg x = vectors[0].msg;
	strcpy(x.u.sccr.hostname, "a\"b\\c\nd\xff");
	pptp_msg_format(&x, buf, sizeof(buf));
	CHECK(strstr(buf, "hostname=\"a\\\"b\\\\c\\x0ad\\xff\"") != NULL, "format escape: seen [%s]", buf);

	x.type = 99;
	pptp_msg_format(&x, buf, sizeof(buf));
	CHECK(strcmp(buf, "unknown type=99") == 0, "format unknown: seen [%s]", buf);

	pptp_msg_format(&vectors[12].msg, buf, sizeof(buf));
	CHECK(strcmp(buf, "CDN call_id=42 result=3 error=0 cause=16 stats=\"idle timeout\"") == 0,
	      "format CDN: seen [%s]", buf);

	/* every vector formats into a sane line */
	for (size_t i = 0; i < NVECTORS; i++) {
		n = pptp_msg_format(&vectors[i].msg, buf, sizeof(buf));
		CHECK(n > 0 && (size_t)n < sizeof(buf) && strncmp(buf, vectors[i].what, strlen(vectors[i].what)) == 0 &&
		      strchr(buf, '\n') == NULL, "format %s: seen [%s]", vectors[i].what, buf);
	}
}

int main(void)
{
	for (size_t i = 0; i < NVECTORS; i++)
		test_vector(&vectors[i]);
	test_framing_errors();
	test_stream_skip();
	test_resync();
	test_reserved();
	test_strings();
	test_encode_errors();
	test_names();
	test_format();
	return check_done("test_msg");
}
