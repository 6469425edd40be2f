/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ppp_sync.c: frame boundaries in synchronous PPP reads. */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "ppp_sync.h"

/* Split buf into frames the way the gateway does; returns the count. */
static size_t split(const uint8_t *buf, size_t n, size_t *lens, size_t max)
{
	size_t k = 0;

	while (n > 0 && k < max) {
		size_t l = ppp_sync_frame_len(buf, n);

		lens[k++] = l;
		buf += l;
		n -= l;
	}
	return k;
}

/* LCP Configure-Request id 1, length 14: MRU 1500, magic. */
static const uint8_t lcp[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x0e,
			       0x01, 0x04, 0x05, 0xdc, 0x05, 0x06, 0x12, 0x34,
			       0x56, 0x78 };
/* IPCP Configure-Ack id 2, length 10: address 203.0.113.1. */
static const uint8_t ipcp[] = { 0xff, 0x03, 0x80, 0x21, 0x02, 0x02, 0x00, 0x0a,
				0x03, 0x06, 0xcb, 0x00, 0x71, 0x01 };
/* An IPv4 packet of total length 28 (ICMP echo with no data). */
static const uint8_t ip4[] = { 0xff, 0x03, 0x00, 0x21, 0x45, 0x00, 0x00, 0x1c,
			       0, 0, 0, 0, 64, 1, 0, 0, 203, 0, 113, 10,
			       203, 0, 113, 1, 8, 0, 0xf7, 0xff, 0, 0, 0, 0 };

static void test_control_and_ip(void)
{
	uint8_t buf[256];
	size_t lens[8], k, n = 0;

	CHECK(ppp_sync_frame_len(lcp, sizeof(lcp)) == sizeof(lcp),
	      "single LCP frame: expected %zu", sizeof(lcp));
	memcpy(buf + n, lcp, sizeof(lcp)); n += sizeof(lcp);
	memcpy(buf + n, ipcp, sizeof(ipcp)); n += sizeof(ipcp);
	memcpy(buf + n, ip4, sizeof(ip4)); n += sizeof(ip4);
	k = split(buf, n, lens, 8);
	CHECK(k == 3 && lens[0] == sizeof(lcp) && lens[1] == sizeof(ipcp) &&
	      lens[2] == sizeof(ip4),
	      "LCP+IPCP+IPv4 run together: expected 3 frames 18/14/32, saw %zu "
	      "(%zu %zu %zu)", k, lens[0], lens[1], lens[2]);
	/* Address/control and protocol field compression. */
	{
		const uint8_t c[] = { 0x21, 0x45, 0, 0x00, 0x14, 0, 0, 0, 0, 64,
				      1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
				      0x21, 0x45 };
		CHECK(ppp_sync_frame_len(c, sizeof(c)) == 21,
		      "PFC+ACFC IPv4: expected 21, saw %zu",
		      ppp_sync_frame_len(c, sizeof(c)));
	}
	/* IPv6: 40 + payload length 8. */
	{
		uint8_t v6[2 + 2 + 48 + 3] = { 0xff, 0x03, 0x00, 0x57, 0x60 };

		v6[4 + 5] = 8;
		CHECK(ppp_sync_frame_len(v6, sizeof(v6)) == 52,
		      "IPv6: expected 52, saw %zu", ppp_sync_frame_len(v6, sizeof(v6)));
	}
}

static void test_untrusted_lengths(void)
{
	uint8_t b[64];

	/* A length beyond the read, or below the header: the whole read. */
	memcpy(b, lcp, sizeof(lcp));
	b[7] = 0x60;
	CHECK(ppp_sync_frame_len(b, sizeof(lcp)) == sizeof(lcp),
	      "length beyond the read: whole read");
	b[6] = 0; b[7] = 2;
	CHECK(ppp_sync_frame_len(b, sizeof(lcp)) == sizeof(lcp),
	      "length below the CP header: whole read");
	/* Unknown protocol and short runs. */
	{
		const uint8_t u[] = { 0xff, 0x03, 0x00, 0x3d, 1, 2, 3 };
		CHECK(ppp_sync_frame_len(u, sizeof(u)) == sizeof(u), "unknown: whole");
		CHECK(ppp_sync_frame_len(u, 1) == 1, "1 byte: 1");
		CHECK(ppp_sync_frame_len(u, 0) == 0, "0 bytes: 0");
	}
}

/* MPPE: "ff 03 00 fd", 2-byte header with coherency count, ciphertext. */
static size_t mppe(uint8_t *b, uint16_t cc, size_t body, uint8_t fill,
		   bool acfc_pfc)
{
	size_t n = 0;

	if (!acfc_pfc) {
		b[n++] = 0xff; b[n++] = 0x03; b[n++] = 0x00;
	}
	b[n++] = 0xfd;
	b[n++] = (uint8_t)(0x90 | (cc >> 8));
	b[n++] = (uint8_t)cc;
	for (size_t i = 0; i < body; i++)
		b[n++] = (uint8_t)(fill + i * 7);
	return n;
}

static void test_mppe(void)
{
	uint8_t buf[4096];
	size_t lens[8], k, a, b, c;

	for (int comp = 0; comp <= 1; comp++) {
		a = mppe(buf, 0x0ffe, 100, 1, comp);
		b = mppe(buf + a, 0x0fff, 1400, 2, comp);
		c = mppe(buf + a + b, 0x0000, 60, 3, comp);
		k = split(buf, a + b + c, lens, 8);
		CHECK(k == 3 && lens[0] == a && lens[1] == b && lens[2] == c,
		      "three MPPE frames (cc wraps, compression %d): expected "
		      "%zu/%zu/%zu, saw %zu frames (%zu %zu %zu)", comp, a, b,
		      c, k, lens[0], lens[1], lens[2]);
		/* A lone frame stays whole. */
		CHECK(ppp_sync_frame_len(buf, a) == a, "lone MPPE frame");
	}
	/* Frames out of count order are not split (it may be data). */
	a = mppe(buf, 5, 50, 1, false);
	b = mppe(buf + a, 9, 50, 2, false);
	CHECK(ppp_sync_frame_len(buf, a + b) == a + b,
	      "count not consecutive: no split");
}

/* ppp_sync_frame_end: whether a run cut by the end of a read ends in a
 * frame that wants more, and the gateway's carry-over: the same frames
 * come out whichever byte a read ends at. */
static void test_frame_end(void)
{
	uint8_t buf[4096];
	size_t len, a, b, cuts = 0;
	bool ok_cuts = true;
	enum ppp_sync_end e;

	e = ppp_sync_frame_end(ip4, sizeof(ip4), &len);
	CHECK(e == PS_WHOLE && len == sizeof(ip4), "whole IPv4: saw %d %zu", e, len);
	e = ppp_sync_frame_end(ip4, 20, &len);
	CHECK(e == PS_SHORT && len == sizeof(ip4),
	      "IPv4 cut after 20 bytes: expected short, wanting %zu, saw %d %zu",
	      sizeof(ip4), e, len);
	e = ppp_sync_frame_end(ip4, 6, &len);
	CHECK(e == PS_SHORT && len == 0,
	      "IPv4 cut in its length field: expected short (0), saw %d %zu", e, len);
	e = ppp_sync_frame_end(lcp, 3, &len);
	CHECK(e == PS_SHORT && len == 0, "LCP cut in the header: saw %d %zu", e, len);
	e = ppp_sync_frame_end(lcp, 10, &len);
	CHECK(e == PS_SHORT && len == sizeof(lcp), "LCP cut: saw %d %zu", e, len);
	{
		const uint8_t other[] = { 0xff, 0x03, 0x00, 0x2d, 1, 2, 3, 4, 5 };

		e = ppp_sync_frame_end(other, sizeof(other), &len);
		CHECK(e == PS_REST && len == sizeof(other),
		      "VJ-compressed (no length): expected the rest, saw %d %zu", e, len);
	}
	a = mppe(buf, 0x0123, 1400, 1, false);
	b = mppe(buf + a, 0x0124, 1400, 2, false);
	e = ppp_sync_frame_end(buf, a + b, &len);
	CHECK(e == PS_WHOLE && len == a, "MPPE then MPPE: saw %d %zu", e, len);
	e = ppp_sync_frame_end(buf + a, b, &len);
	CHECK(e == PS_OPEN && len == b, "last MPPE frame: expected open, saw %d %zu",
	      e, len);
	e = ppp_sync_frame_end(buf, 5, &len);
	CHECK(e == PS_SHORT && len == 0, "MPPE cut in its header: saw %d %zu", e, len);
	/* Two frames cut at every byte: carrying the unfinished tail of the
	 * first part over gives the frames whole. */
	for (size_t cut = 1; cut < a + b; cut++) {
		uint8_t run[4096];
		size_t carry = 0, got[4], k = 0, off = 0;

		for (int part = 0; part < 2; part++) {
			size_t take = part == 0 ? cut : a + b - cut, left;
			uint8_t *p = run;

			memcpy(run + carry, buf + off, take);
			off += take;
			left = carry + take;
			carry = 0;
			while (left > 0) {
				e = ppp_sync_frame_end(p, left, &len);
				if (e == PS_WHOLE) {
					if (k < 4)
						got[k] = len;
					k++;
					p += len;
					left -= len;
					continue;
				}
				if (part == 0 && (e == PS_SHORT || e == PS_OPEN)) {
					memmove(run, p, left);
					carry = left;
					break;
				}
				if (k < 4)
					got[k] = left;
				k++;
				break;
			}
		}
		if (k != 2 || got[0] != a || got[1] != b) {
			ok_cuts = false;
			CHECK(0, "two MPPE frames cut at %zu: expected %zu/%zu, saw %zu frames",
			      cut, a, b, k);
			break;
		}
		cuts++;
	}
	CHECK(ok_cuts && cuts == a + b - 1,
	      "expected every one of %zu cuts to give both frames, %zu did",
	      a + b - 1, cuts);
}

int main(void)
{
	test_control_and_ip();
	test_untrusted_lengths();
	test_mppe();
	test_frame_end();
	return check_done("ppp_sync");
}
