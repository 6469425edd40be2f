/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_msg.h: pure codec for PPTP control-connection messages (RFC 2637 section 2). */
#ifndef PPTP_MSG_H
#define PPTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPTP_PORT 1723            /* RFC 2637 section 1.3: TCP port of the control connection */
#define PPTP_MAGIC 0x1A2B3C4Du    /* RFC 2637 section 2: Magic Cookie, constant in every message */
#define PPTP_VERSION 0x0100       /* RFC 2637 section 2.1: protocol version 1, revision 0 */
#define PPTP_HDR_LEN 12           /* length, pptp type, magic, ctrl type, reserved0 */
#define PPTP_MSG_MAX 512          /* longest framing we accept for any message; the longest RFC message is 220 */

#define PPTP_MSGTYPE_CONTROL 1    /* PPTP Message Type of a control message */
#define PPTP_MSGTYPE_MGMT 2       /* management message type: defined name only, never valid on the wire */

#define PPTP_STRING_LEN 64        /* host name, vendor, phone numbers, subaddress: 64 octets on the wire */
#define PPTP_STATS_LEN 128        /* Call Statistics of a Call-Disconnect-Notify: 128 octets */

/* Framing and bearer capability / type bits (RFC 2637 sections 2.1, 2.7). */
#define PPTP_FRAME_ASYNC 1u
#define PPTP_FRAME_SYNC 2u
#define PPTP_FRAME_ANY 3u
#define PPTP_BEARER_ANALOG 1u
#define PPTP_BEARER_DIGITAL 2u
#define PPTP_BEARER_ANY 3u

enum pptp_ctrl_type { PPTP_SCCRQ = 1, PPTP_SCCRP, PPTP_STOPCCRQ, PPTP_STOPCCRP, PPTP_ECHORQ, PPTP_ECHORP,
	PPTP_OCRQ, PPTP_OCRP, PPTP_ICRQ, PPTP_ICRP, PPTP_ICCN, PPTP_CCRQ, PPTP_CDN, PPTP_WEN, PPTP_SLI };

#define PPTP_CTRL_TYPE_MAX PPTP_SLI

/* Result codes per reply type (RFC 2637 sections 2.2, 2.3, 2.4, 2.6, 2.8, 2.10, 2.13). */
enum { PPTP_SCCRP_OK = 1, PPTP_SCCRP_GENERAL_ERROR = 2, PPTP_SCCRP_EXISTS = 3,
       PPTP_SCCRP_NOT_AUTHORIZED = 4, PPTP_SCCRP_BAD_VERSION = 5 };
enum { PPTP_STOP_REASON_NONE = 1, PPTP_STOP_REASON_PROTOCOL = 2, PPTP_STOP_REASON_LOCAL_SHUTDOWN = 3 };
enum { PPTP_STOPCCRP_OK = 1, PPTP_STOPCCRP_GENERAL_ERROR = 2 };
enum { PPTP_ECHORP_OK = 1, PPTP_ECHORP_GENERAL_ERROR = 2 };
enum { PPTP_OCRP_CONNECTED = 1, PPTP_OCRP_GENERAL_ERROR = 2, PPTP_OCRP_NO_CARRIER = 3, PPTP_OCRP_BUSY = 4,
       PPTP_OCRP_NO_DIAL_TONE = 5, PPTP_OCRP_TIMEOUT = 6, PPTP_OCRP_DO_NOT_ACCEPT = 7 };
enum { PPTP_ICRP_CONNECT = 1, PPTP_ICRP_GENERAL_ERROR = 2, PPTP_ICRP_DO_NOT_ACCEPT = 3 };
enum { PPTP_CDN_LOST_CARRIER = 1, PPTP_CDN_GENERAL_ERROR = 2, PPTP_CDN_ADMIN_SHUTDOWN = 3, PPTP_CDN_REQUEST = 4 };
/* General error codes, meaningful when a result code says "general error" (RFC 2637 section 2.16). */
enum { PPTP_ERR_NONE = 0, PPTP_ERR_NOT_CONNECTED = 1, PPTP_ERR_BAD_FORMAT = 2, PPTP_ERR_BAD_VALUE = 3,
       PPTP_ERR_NO_RESOURCE = 4, PPTP_ERR_BAD_CALL_ID = 5, PPTP_ERR_PAC_ERROR = 6 };

struct pptp_msg {
	uint16_t type;                 /* enum pptp_ctrl_type, or raw unknown value */
	bool reserved_nonzero;         /* decode: some reserved field was not 0 (liberal: still accepted) */
	union {
		struct { uint16_t version; uint8_t result, error; uint32_t framing, bearer; uint16_t max_channels, firmware; char hostname[65], vendor[65]; } sccr;  /* SCCRQ and SCCRP; in SCCRQ result/error is the reserved field, encode 0 */
		struct { uint8_t reason; } stopccrq;
		struct { uint8_t result, error; } stopccrp;
		struct { uint32_t id; } echorq;
		struct { uint32_t id; uint8_t result, error; } echorp;
		struct { uint16_t call_id, serial; uint32_t min_bps, max_bps, bearer, framing; uint16_t window, delay; char phone[65], subaddr[65]; } ocrq;
		struct { uint16_t call_id, peer_call_id; uint8_t result, error; uint16_t cause; uint32_t speed; uint16_t window, delay; uint32_t channel; } ocrp;
		struct { uint16_t call_id, serial; uint32_t bearer, channel; char dialed[65], dialing[65], subaddr[65]; } icrq;
		struct { uint16_t call_id, peer_call_id; uint8_t result, error; uint16_t window, delay; } icrp;
		struct { uint16_t peer_call_id; uint32_t speed; uint16_t window, delay; uint32_t framing; } iccn;
		struct { uint16_t call_id; } ccrq;
		struct { uint16_t call_id; uint8_t result, error; uint16_t cause; char stats[129]; } cdn;
		struct { uint16_t peer_call_id; uint32_t crc_errors, framing_errors, hw_overruns, buf_overruns, timeouts, alignment_errors; } wen;
		struct { uint16_t peer_call_id; uint32_t send_accm, recv_accm; } sli;
	} u;
};

/* Error codes (negative) */
enum { PPTP_EMSG_SHORTLEN = -1 /* length field < 12 */, PPTP_EMSG_LONGLEN = -2 /* length > PPTP_MSG_MAX */,
       PPTP_EMSG_MAGIC = -3, PPTP_EMSG_PPTPTYPE = -4 /* not 1 (control); framing valid, skip it */,
       PPTP_EMSG_UNKNOWN = -5 /* unknown ctrl type; framing valid, skip it */,
       PPTP_EMSG_BADLEN = -6 /* length does not match the type's fixed RFC size */, PPTP_EMSG_NOSPACE = -7 /* encode buffer too small */ };

/* Decode one message from the front of a TCP byte stream buf[0..avail).
 * Returns 0 and fills *out when a whole valid message is there; *consumed = its length.
 * Returns 1 when more bytes are needed (*consumed = 0): fewer than 12 bytes, or the length
 * field says more than avail. Each header field is judged as soon as its bytes are there
 * (the length from 2 bytes, magic and PPTP message type from 8, the length against the
 * control message type's RFC size from 10), so garbage is refused early.
 * Returns a negative PPTP_EMSG_* for bad input:
 *  - PPTP_EMSG_UNKNOWN (unknown control message type) and PPTP_EMSG_PPTPTYPE (a PPTP
 *    message type other than control, e.g. 2 = management) come from a well-framed
 *    message (sane length, magic cookie): once all of it is there *consumed = its
 *    length and the caller skips it; out->type is the control message type, or for
 *    PPTP_EMSG_PPTPTYPE the PPTP message type.
 *  - SHORTLEN, LONGLEN, MAGIC and BADLEN mean the bytes at the front are not a message
 *    (*consumed = 0): the caller resynchronises with pptp_msg_resync.
 * *out is zeroed first; out->type is set whenever the ctrl type was read. Never reads past avail. */
int pptp_msg_decode(const uint8_t *buf, size_t avail, struct pptp_msg *out, size_t *consumed);

/* Resynchronisation after garbage: the offset of the first position in buf[0..avail)
 * where a well-formed header may begin (length within [12, PPTP_MSG_MAX], PPTP message
 * type 1, magic cookie, a known control message type and exactly its RFC length),
 * judging only the bytes that are there; avail when no position can.  The bytes before
 * it can be dropped; a position near the end with fewer than 12 bytes is kept if what
 * is there fits.  Never reads past avail. */
size_t pptp_msg_resync(const uint8_t *buf, size_t avail);

/* Encode *m into buf (cap bytes); returns the message length (the RFC fixed size of its
 * type) or PPTP_EMSG_NOSPACE / PPTP_EMSG_UNKNOWN. Reserved fields are written as 0.
 * Strings are NUL-padded to their field size; a string exactly filling the field has no
 * NUL on the wire (longer strings are cut at the field size); decode always NUL-terminates.
 * OCRQ phone length and ICRQ dialed/dialing lengths are written as the string lengths;
 * decode does not trust them (the string ends at its first NUL, at most 64 octets). */
int pptp_msg_encode(const struct pptp_msg *m, uint8_t *buf, size_t cap);

size_t pptp_msg_size(int type);            /* RFC fixed length of a ctrl type, 0 if unknown */
const char *pptp_msg_name(int type);       /* short name: "SCCRQ", "StopCCRQ", ...; "unknown" */
const char *pptp_msg_longname(int type);   /* "Start-Control-Connection-Request" etc; "unknown" */
const char *pptp_msg_strerror(int err);    /* text for a PPTP_EMSG_* code (0 and 1 too) */

/* Human text for the result code of a reply (SCCRP, StopCCRP, ECHORP, OCRP, ICRP, CDN; also the
 * reason of a StopCCRQ), "unknown" for values or types without one, and for the general error codes. */
const char *pptp_result_text(int type, int result);
const char *pptp_error_text(int error);

/* One-line key=value rendering of every field of a message, e.g.
 * SCCRQ version=0x0100 framing=1 bearer=1 max_channels=0 firmware=0x1 hostname="local" vendor="cananian"
 * Strings are quoted with ", \ and non-printable bytes escaped (\" \\ \xHH), so hostile input
 * cannot forge log lines. Returns the length it wanted to write (snprintf semantics). */
int pptp_msg_format(const struct pptp_msg *m, char *buf, size_t cap);

#endif
