/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppp_sync.c: frame boundaries in a synchronous PPP byte run (ppp_sync.h). */
#include "ppp_sync.h"

#include <stdbool.h>
#include <string.h>

#include "byteorder.h"

#define PPP_ALLSTATIONS 0xff
#define PPP_UI 0x03
#define PROTO_IP 0x0021
#define PROTO_IPV6 0x0057
#define PROTO_COMP 0x00fd	/* MPPE (and other CCP-compressed data) */
#define IPV6_HDR_LEN 40
#define CP_HDR_LEN 4		/* code, identifier, length */
#define MPPE_HDR_LEN 2		/* flags (4 bits) and coherency count (12) */
#define MPPE_CC_MASK 0x0fff

struct ppp_hdr {
	size_t len;		/* address/control and protocol bytes */
	uint16_t proto;
};

/* Address/control (optional: ACFC) and protocol (1 byte with PFC). */
static bool parse_hdr(const uint8_t *p, size_t n, struct ppp_hdr *h)
{
	size_t off = 0;

	if (n >= 2 && p[0] == PPP_ALLSTATIONS && p[1] == PPP_UI)
		off = 2;
	if (off >= n)
		return false;
	if (p[off] & 1) {
		h->proto = p[off];
		h->len = off + 1;
		return true;
	}
	if (off + 2 > n || !(p[off + 1] & 1))
		return false;
	h->proto = get_be16(p + off);
	h->len = off + 2;
	return true;
}

/* Length announced inside the frame, or 0 when there is none to trust. */
static size_t announced_len(const uint8_t *p, size_t n, const struct ppp_hdr *h)
{
	const uint8_t *info = p + h->len;
	size_t avail = n - h->len, body = 0;

	if (h->proto >= 0x8000) {
		/* Link and network control protocols: code, id, length. */
		if (avail >= CP_HDR_LEN)
			body = get_be16(info + 2);
		if (body < CP_HDR_LEN)
			return 0;
	} else if (h->proto == PROTO_IP) {
		if (avail >= 4 && (info[0] >> 4) == 4)
			body = get_be16(info + 2);
		if (body < 20)
			return 0;
	} else if (h->proto == PROTO_IPV6) {
		if (avail >= 6 && (info[0] >> 4) == 6)
			body = IPV6_HDR_LEN + (size_t)get_be16(info + 4);
		else
			return 0;
	} else {
		return 0;
	}
	return h->len + body;
}

/* The next compressed frame: the same PPP header bytes, then an MPPE
 * header whose coherency count is one more.  Four header bytes and a
 * 12-bit count make a false match in encrypted data unlikely (about one
 * in 2^28 positions even with both header compressions). */
static size_t next_compressed(const uint8_t *p, size_t n,
			      const struct ppp_hdr *h)
{
	uint16_t cc;
	size_t start = h->len + MPPE_HDR_LEN + 1;

	if (n < h->len + MPPE_HDR_LEN)
		return n;
	cc = (uint16_t)((get_be16(p + h->len) + 1) & MPPE_CC_MASK);
	for (size_t j = start; j + h->len + MPPE_HDR_LEN <= n; j++) {
		if (memcmp(p + j, p, h->len) != 0)
			continue;
		if ((get_be16(p + j + h->len) & MPPE_CC_MASK) == cc)
			return j;
	}
	return n;
}

/* Bytes of the information field up to and including a protocol's
 * length field (0: the protocol has none). */
static size_t len_field_end(uint16_t proto)
{
	if (proto >= 0x8000)
		return CP_HDR_LEN;
	if (proto == PROTO_IP)
		return 4;
	if (proto == PROTO_IPV6)
		return 6;
	return 0;
}

enum ppp_sync_end ppp_sync_frame_end(const uint8_t *p, size_t n, size_t *len)
{
	struct ppp_hdr h;
	size_t l, need;

	*len = n;
	if (n == 0)
		return PS_REST;
	/* ff alone: the address field, not a one-byte protocol (yet). */
	if (n == 1 && p[0] == PPP_ALLSTATIONS) {
		*len = 0;
		return PS_SHORT;
	}
	if (!parse_hdr(p, n, &h)) {
		/* Two bytes of a header, or one after ff 03: maybe cut. */
		if (n < 4) {
			*len = 0;
			return PS_SHORT;
		}
		return PS_REST;
	}
	if (h.proto == PROTO_COMP) {
		if (n < h.len + MPPE_HDR_LEN) {
			*len = 0;
			return PS_SHORT;
		}
		l = next_compressed(p, n, &h);
		*len = l;
		return l < n ? PS_WHOLE : PS_OPEN;
	}
	need = len_field_end(h.proto);
	if (need && n < h.len + need) {
		*len = 0;
		return PS_SHORT;
	}
	l = announced_len(p, n, &h);
	if (l == 0)
		return PS_REST;
	*len = l;
	return l <= n ? PS_WHOLE : PS_SHORT;
}

size_t ppp_sync_frame_len(const uint8_t *p, size_t n)
{
	size_t len;

	return ppp_sync_frame_end(p, n, &len) == PS_WHOLE ? len : n;
}
