/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_wire.h: enhanced GRE header (RFC 2637 4.1) and IPv4 header codec for the PPTP data path. */
#ifndef PPTP_GRE_WIRE_H
#define PPTP_GRE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRE_PROTO_PPP 0x880B    /* protocol type of PPP in enhanced GRE */
#define GRE_VERSION 1           /* enhanced GRE version (RFC 2637 4.1) */
#define GRE_HDR_MIN 8           /* flags, protocol, payload length, call ID */
#define GRE_HDR_MAX 16          /* GRE_HDR_MIN + sequence + acknowledgment */
#define GRE_SEQ_LEN 4           /* size of the sequence or acknowledgment field */

/* First flag octet: C R K S s Recur(3); second: A Flags(4) Ver(3). */
#define GRE_FLAG_C 0x80         /* checksum present: must be clear */
#define GRE_FLAG_R 0x40         /* routing present: must be clear */
#define GRE_FLAG_K 0x20         /* key present: must be set (length + call ID) */
#define GRE_FLAG_S 0x10         /* sequence number present */
#define GRE_FLAG_SSR 0x08       /* strict source route: must be clear */
#define GRE_RECUR_MASK 0x07     /* recursion control: must be 0 */
#define GRE_FLAG_A 0x80         /* (second octet) acknowledgment present */
#define GRE_RSVD_MASK 0x78      /* (second octet) reserved flags: must be 0 */
#define GRE_VER_MASK 0x07       /* (second octet) version */

struct gre_hdr {
	uint16_t payload_len;
	uint16_t call_id;
	bool has_seq;
	uint32_t seq;
	bool has_ack;
	uint32_t ack;
};

enum {
	GRE_ESHORT = -1,    /* shorter than the header its flags announce */
	GRE_EVERSION = -2,  /* version != 1 */
	GRE_EPROTO = -3,    /* protocol != 0x880B */
	GRE_EFLAGS = -4,    /* C, R, s (strict route), recursion != 0, K bit missing, or other reserved flag bits set */
	GRE_ETRUNC = -5,    /* payload_len > bytes after the header */
	GRE_EPADDED = -6,   /* payload_len < bytes after header */
	GRE_EEMPTY = -7,    /* S set with payload_len 0, or payload without S, or neither S nor A */
};

/* Decode the enhanced GRE header at pkt[0..len).  Returns header length
 * (8, 12 or 16) on success; payload is pkt+ret with h->payload_len bytes
 * (== len - ret, exactly).  An ack-only packet (A set, S clear,
 * payload_len 0) is valid.  On GRE_ETRUNC, GRE_EPADDED and GRE_EEMPTY *h is
 * fully decoded (header length 8 + 4*has_seq + 4*has_ack), so a caller may
 * choose to be lenient, e.g. accept trailing padding. */
int gre_decode(const uint8_t *pkt, size_t len, struct gre_hdr *h);

/* Write the header for *h into buf (at least GRE_HDR_MAX bytes); returns
 * 8, 12 or 16.  Flags: K always, S if has_seq, A if has_ack, version 1. */
size_t gre_encode(uint8_t *buf, const struct gre_hdr *h);

/* Text for GRE_E* and IP_E* codes. */
const char *gre_strerror(int err);

/* A raw IPPROTO_GRE socket delivers the IPv4 header in front. */
#define IPV4_HDR_MIN 20         /* IHL 5 */
#define IPV4_PROTO_GRE 47

struct ipv4_info {
	uint32_t src, dst;      /* network byte order */
	size_t hdr_len, total_len;
	uint8_t proto;
};

enum {
	IP_ESHORT = -20,
	IP_EVERSION = -21,
	IP_EHDRLEN = -22,       /* IHL < 5 or IHL*4 > len */
	IP_ETOTLEN = -23,       /* total length < IHL*4 or > len */
	IP_EPROTO = -24,        /* not 47 */
};

/* Handles IP options (IHL > 5); payload = pkt+hdr_len, length
 * total_len-hdr_len.  Returns 0 or IP_E*; on IP_EPROTO *out is filled. */
int ipv4_decode(const uint8_t *pkt, size_t len, struct ipv4_info *out);

/* wrap-safe sequence comparisons */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}
#define SEQ_LT(a, b) (seq_diff((a), (b)) < 0)
#define SEQ_LE(a, b) (seq_diff((a), (b)) <= 0)
#define SEQ_GT(a, b) (seq_diff((a), (b)) > 0)
#define SEQ_GE(a, b) (seq_diff((a), (b)) >= 0)

#endif
