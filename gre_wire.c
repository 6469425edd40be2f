/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_wire.c: enhanced GRE header (RFC 2637 4.1) and IPv4 header codec for the PPTP data path. */
#include "gre_wire.h"

#include <string.h>

#include "byteorder.h"

#define GRE_FORBIDDEN_0 (GRE_FLAG_C | GRE_FLAG_R | GRE_FLAG_SSR | GRE_RECUR_MASK)
#define IPV4_VERSION 4

/* Checks of the fixed 4-octet part: version, protocol, flags. */
static int gre_check_fixed(const uint8_t *pkt)
{
	if ((pkt[1] & GRE_VER_MASK) != GRE_VERSION)
		return GRE_EVERSION;
	if (get_be16(pkt + 2) != GRE_PROTO_PPP)
		return GRE_EPROTO;
	if ((pkt[0] & GRE_FORBIDDEN_0) || !(pkt[0] & GRE_FLAG_K) ||
	    (pkt[1] & GRE_RSVD_MASK))
		return GRE_EFLAGS;
	return 0;
}

/* Payload length against the bytes present, then presence rules. */
static int gre_check_payload(const struct gre_hdr *h, size_t after_hdr)
{
	if (h->payload_len > after_hdr)
		return GRE_ETRUNC;
	if (h->payload_len < after_hdr)
		return GRE_EPADDED;
	if (h->has_seq ? h->payload_len == 0 : (h->payload_len != 0 || !h->has_ack))
		return GRE_EEMPTY;
	return 0;
}

int gre_decode(const uint8_t *pkt, size_t len, struct gre_hdr *h)
{
	if (len < GRE_HDR_MIN)
		return GRE_ESHORT;
	int err = gre_check_fixed(pkt);
	if (err)
		return err;

	size_t hlen = GRE_HDR_MIN;
	memset(h, 0, sizeof(*h));
	h->has_seq = pkt[0] & GRE_FLAG_S;
	h->has_ack = pkt[1] & GRE_FLAG_A;
	hlen += h->has_seq ? GRE_SEQ_LEN : 0;
	hlen += h->has_ack ? GRE_SEQ_LEN : 0;
	if (len < hlen)
		return GRE_ESHORT;

	h->payload_len = get_be16(pkt + 4);
	h->call_id = get_be16(pkt + 6);
	/* the acknowledgment follows the sequence number, or takes its place */
	size_t off = GRE_HDR_MIN;
	if (h->has_seq) {
		h->seq = get_be32(pkt + off);
		off += GRE_SEQ_LEN;
	}
	if (h->has_ack)
		h->ack = get_be32(pkt + off);

	err = gre_check_payload(h, len - hlen);
	return err ? err : (int)hlen;
}

size_t gre_encode(uint8_t *buf, const struct gre_hdr *h)
{
	size_t off = GRE_HDR_MIN;

	buf[0] = GRE_FLAG_K | (h->has_seq ? GRE_FLAG_S : 0);
	buf[1] = GRE_VERSION | (h->has_ack ? GRE_FLAG_A : 0);
	put_be16(buf + 2, GRE_PROTO_PPP);
	put_be16(buf + 4, h->payload_len);
	put_be16(buf + 6, h->call_id);
	if (h->has_seq) {
		put_be32(buf + off, h->seq);
		off += GRE_SEQ_LEN;
	}
	if (h->has_ack) {
		put_be32(buf + off, h->ack);
		off += GRE_SEQ_LEN;
	}
	return off;
}

int ipv4_decode(const uint8_t *pkt, size_t len, struct ipv4_info *out)
{
	if (len < IPV4_HDR_MIN)
		return IP_ESHORT;
	if (pkt[0] >> 4 != IPV4_VERSION)
		return IP_EVERSION;

	size_t hdr_len = (size_t)(pkt[0] & 0x0f) * 4;
	if (hdr_len < IPV4_HDR_MIN || hdr_len > len)
		return IP_EHDRLEN;
	size_t total_len = get_be16(pkt + 2);
	if (total_len < hdr_len || total_len > len)
		return IP_ETOTLEN;

	memcpy(&out->src, pkt + 12, sizeof(out->src));
	memcpy(&out->dst, pkt + 16, sizeof(out->dst));
	out->hdr_len = hdr_len;
	out->total_len = total_len;
	out->proto = pkt[9];
	return out->proto == IPV4_PROTO_GRE ? 0 : IP_EPROTO;
}

const char *gre_strerror(int err)
{
	switch (err) {
	case GRE_ESHORT:
		return "GRE packet shorter than its header";
	case GRE_EVERSION:
		return "GRE version is not 1";
	case GRE_EPROTO:
		return "GRE protocol is not PPP (0x880B)";
	case GRE_EFLAGS:
		return "GRE flags invalid for PPTP";
	case GRE_ETRUNC:
		return "GRE payload truncated";
	case GRE_EPADDED:
		return "GRE packet longer than its payload length";
	case GRE_EEMPTY:
		return "GRE payload and S flag disagree";
	case IP_ESHORT:
		return "IPv4 packet shorter than its header";
	case IP_EVERSION:
		return "IP version is not 4";
	case IP_EHDRLEN:
		return "IPv4 header length invalid";
	case IP_ETOTLEN:
		return "IPv4 total length invalid";
	case IP_EPROTO:
		return "IPv4 protocol is not GRE";
	default:
		return "unknown GRE/IP error";
	}
}
