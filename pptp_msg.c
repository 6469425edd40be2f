/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_msg.c: encode, decode and describe PPTP control messages (RFC 2637 section 2). */
#include "pptp_msg.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "byteorder.h"

/* Header offsets (RFC 2637 section 1.4 / 2). */
#define OFF_LENGTH 0
#define OFF_MSGTYPE 2
#define OFF_MAGIC 4
#define OFF_CTRLTYPE 8
#define OFF_RESERVED0 10
#define FRAMING_CHECK_LEN 8       /* length, message type and magic are judged once this much is there */

struct msg_info {
	const char *name;
	const char *longname;
	size_t size;
};

static const struct msg_info msg_table[PPTP_CTRL_TYPE_MAX + 1] = {
	[PPTP_SCCRQ]    = { "SCCRQ", "Start-Control-Connection-Request", 156 },
	[PPTP_SCCRP]    = { "SCCRP", "Start-Control-Connection-Reply", 156 },
	[PPTP_STOPCCRQ] = { "StopCCRQ", "Stop-Control-Connection-Request", 16 },
	[PPTP_STOPCCRP] = { "StopCCRP", "Stop-Control-Connection-Reply", 16 },
	[PPTP_ECHORQ]   = { "ECHORQ", "Echo-Request", 16 },
	[PPTP_ECHORP]   = { "ECHORP", "Echo-Reply", 20 },
	[PPTP_OCRQ]     = { "OCRQ", "Outgoing-Call-Request", 168 },
	[PPTP_OCRP]     = { "OCRP", "Outgoing-Call-Reply", 32 },
	[PPTP_ICRQ]     = { "ICRQ", "Incoming-Call-Request", 220 },
	[PPTP_ICRP]     = { "ICRP", "Incoming-Call-Reply", 24 },
	[PPTP_ICCN]     = { "ICCN", "Incoming-Call-Connected", 28 },
	[PPTP_CCRQ]     = { "CCRQ", "Call-Clear-Request", 16 },
	[PPTP_CDN]      = { "CDN", "Call-Disconnect-Notify", 148 },
	[PPTP_WEN]      = { "WEN", "WAN-Error-Notify", 40 },
	[PPTP_SLI]      = { "SLI", "Set-Link-Info", 24 },
};

static const struct msg_info *msg_lookup(int type)
{
	if (type < PPTP_SCCRQ || type > PPTP_CTRL_TYPE_MAX)
		return NULL;
	return &msg_table[type];
}

size_t pptp_msg_size(int type)
{
	const struct msg_info *mi = msg_lookup(type);

	return mi ? mi->size : 0;
}

const char *pptp_msg_name(int type)
{
	const struct msg_info *mi = msg_lookup(type);

	return mi ? mi->name : "unknown";
}

const char *pptp_msg_longname(int type)
{
	const struct msg_info *mi = msg_lookup(type);

	return mi ? mi->longname : "unknown";
}

const char *pptp_msg_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case 1: return "need more bytes";
	case PPTP_EMSG_SHORTLEN: return "length field shorter than the header";
	case PPTP_EMSG_LONGLEN: return "length field longer than any message we accept";
	case PPTP_EMSG_MAGIC: return "bad magic cookie";
	case PPTP_EMSG_PPTPTYPE: return "PPTP message type is not control (1)";
	case PPTP_EMSG_UNKNOWN: return "unknown control message type";
	case PPTP_EMSG_BADLEN: return "length does not match the message type";
	case PPTP_EMSG_NOSPACE: return "buffer too small";
	default: return "unknown error";
	}
}

/* ---- text tables ---- */

static const char *pick(const char *const *table, size_t n, int i)
{
	if (i < 0 || (size_t)i >= n || !table[i])
		return "unknown";
	return table[i];
}

#define PICK(table, i) pick(table, sizeof(table) / sizeof(table[0]), i)

static const char *const sccrp_results[] = {
	[PPTP_SCCRP_OK] = "successful channel establishment", [PPTP_SCCRP_GENERAL_ERROR] = "general error",
	[PPTP_SCCRP_EXISTS] = "command channel already exists",
	[PPTP_SCCRP_NOT_AUTHORIZED] = "requester is not authorized",
	[PPTP_SCCRP_BAD_VERSION] = "protocol version not supported",
};
static const char *const stop_reasons[] = {
	[PPTP_STOP_REASON_NONE] = "general request",
	[PPTP_STOP_REASON_PROTOCOL] = "stop protocol (version not supported)",
	[PPTP_STOP_REASON_LOCAL_SHUTDOWN] = "local shutdown",
};
/* StopCCRP and Echo-Reply share their result codes. */
static const char *const ok_or_error[] = {
	[PPTP_STOPCCRP_OK] = "OK", [PPTP_STOPCCRP_GENERAL_ERROR] = "general error",
};
static const char *const ocrp_results[] = {
	[PPTP_OCRP_CONNECTED] = "connected", [PPTP_OCRP_GENERAL_ERROR] = "general error",
	[PPTP_OCRP_NO_CARRIER] = "no carrier", [PPTP_OCRP_BUSY] = "busy",
	[PPTP_OCRP_NO_DIAL_TONE] = "no dial tone", [PPTP_OCRP_TIMEOUT] = "time-out",
	[PPTP_OCRP_DO_NOT_ACCEPT] = "do not accept",
};
static const char *const icrp_results[] = {
	[PPTP_ICRP_CONNECT] = "connect", [PPTP_ICRP_GENERAL_ERROR] = "general error",
	[PPTP_ICRP_DO_NOT_ACCEPT] = "do not accept",
};
static const char *const cdn_results[] = {
	[PPTP_CDN_LOST_CARRIER] = "lost carrier", [PPTP_CDN_GENERAL_ERROR] = "general error",
	[PPTP_CDN_ADMIN_SHUTDOWN] = "administrative shutdown", [PPTP_CDN_REQUEST] = "request",
};
static const char *const general_errors[] = {
	[PPTP_ERR_NONE] = "none", [PPTP_ERR_NOT_CONNECTED] = "not connected",
	[PPTP_ERR_BAD_FORMAT] = "bad format", [PPTP_ERR_BAD_VALUE] = "bad value",
	[PPTP_ERR_NO_RESOURCE] = "no resource", [PPTP_ERR_BAD_CALL_ID] = "bad call id",
	[PPTP_ERR_PAC_ERROR] = "PAC error",
};

const char *pptp_result_text(int type, int result)
{
	switch (type) {
	case PPTP_SCCRP: return PICK(sccrp_results, result);
	case PPTP_STOPCCRQ: return PICK(stop_reasons, result);
	case PPTP_STOPCCRP:
	case PPTP_ECHORP: return PICK(ok_or_error, result);
	case PPTP_OCRP: return PICK(ocrp_results, result);
	case PPTP_ICRP: return PICK(icrp_results, result);
	case PPTP_CDN: return PICK(cdn_results, result);
	default: return "unknown";
	}
}

const char *pptp_error_text(int error)
{
	return PICK(general_errors, error);
}

/* ---- decode ---- */

/* Copy a fixed-size wire string up to its first NUL and always terminate it;
 * dst has room for field + 1 bytes. Bytes after the first NUL are ignored. */
static void get_string(char *dst, const uint8_t *src, size_t field)
{
	size_t n = 0;

	while (n < field && src[n] != 0)
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Reserved fields must be sent as zero; we accept anything but remember it. */
static void note_reserved(struct pptp_msg *m, uint32_t reserved)
{
	if (reserved != 0)
		m->reserved_nonzero = true;
}

static void decode_sccr(const uint8_t *p, struct pptp_msg *m)
{
	m->u.sccr.version = get_be16(p + 12);
	if (m->type == PPTP_SCCRQ) {
		note_reserved(m, get_be16(p + 14));       /* Reserved1 */
	} else {
		m->u.sccr.result = p[14];
		m->u.sccr.error = p[15];
	}
	m->u.sccr.framing = get_be32(p + 16);
	m->u.sccr.bearer = get_be32(p + 20);
	m->u.sccr.max_channels = get_be16(p + 24);
	m->u.sccr.firmware = get_be16(p + 26);
	get_string(m->u.sccr.hostname, p + 28, PPTP_STRING_LEN);
	get_string(m->u.sccr.vendor, p + 92, PPTP_STRING_LEN);
}

static void decode_stopccrq(const uint8_t *p, struct pptp_msg *m)
{
	m->u.stopccrq.reason = p[12];
	note_reserved(m, p[13]);                          /* Reserved1 */
	note_reserved(m, get_be16(p + 14));               /* Reserved2 */
}

static void decode_stopccrp(const uint8_t *p, struct pptp_msg *m)
{
	m->u.stopccrp.result = p[12];
	m->u.stopccrp.error = p[13];
	note_reserved(m, get_be16(p + 14));
}

static void decode_echorq(const uint8_t *p, struct pptp_msg *m)
{
	m->u.echorq.id = get_be32(p + 12);
}

static void decode_echorp(const uint8_t *p, struct pptp_msg *m)
{
	m->u.echorp.id = get_be32(p + 12);
	m->u.echorp.result = p[16];
	m->u.echorp.error = p[17];
	note_reserved(m, get_be16(p + 18));
}

static void decode_ocrq(const uint8_t *p, struct pptp_msg *m)
{
	m->u.ocrq.call_id = get_be16(p + 12);
	m->u.ocrq.serial = get_be16(p + 14);
	m->u.ocrq.min_bps = get_be32(p + 16);
	m->u.ocrq.max_bps = get_be32(p + 20);
	m->u.ocrq.bearer = get_be32(p + 24);
	m->u.ocrq.framing = get_be32(p + 28);
	m->u.ocrq.window = get_be16(p + 32);
	m->u.ocrq.delay = get_be16(p + 34);
	/* p + 36: Phone Number Length, not trusted; the string ends at its NUL. */
	note_reserved(m, get_be16(p + 38));
	get_string(m->u.ocrq.phone, p + 40, PPTP_STRING_LEN);
	get_string(m->u.ocrq.subaddr, p + 104, PPTP_STRING_LEN);
}

static void decode_ocrp(const uint8_t *p, struct pptp_msg *m)
{
	m->u.ocrp.call_id = get_be16(p + 12);
	m->u.ocrp.peer_call_id = get_be16(p + 14);
	m->u.ocrp.result = p[16];
	m->u.ocrp.error = p[17];
	m->u.ocrp.cause = get_be16(p + 18);
	m->u.ocrp.speed = get_be32(p + 20);
	m->u.ocrp.window = get_be16(p + 24);
	m->u.ocrp.delay = get_be16(p + 26);
	m->u.ocrp.channel = get_be32(p + 28);
}

static void decode_icrq(const uint8_t *p, struct pptp_msg *m)
{
	m->u.icrq.call_id = get_be16(p + 12);
	m->u.icrq.serial = get_be16(p + 14);
	m->u.icrq.bearer = get_be32(p + 16);
	m->u.icrq.channel = get_be32(p + 20);
	/* p + 24, p + 26: Dialed / Dialing Number Length, not trusted. */
	get_string(m->u.icrq.dialed, p + 28, PPTP_STRING_LEN);
	get_string(m->u.icrq.dialing, p + 92, PPTP_STRING_LEN);
	get_string(m->u.icrq.subaddr, p + 156, PPTP_STRING_LEN);
}

static void decode_icrp(const uint8_t *p, struct pptp_msg *m)
{
	m->u.icrp.call_id = get_be16(p + 12);
	m->u.icrp.peer_call_id = get_be16(p + 14);
	m->u.icrp.result = p[16];
	m->u.icrp.error = p[17];
	m->u.icrp.window = get_be16(p + 18);
	m->u.icrp.delay = get_be16(p + 20);
	note_reserved(m, get_be16(p + 22));
}

static void decode_iccn(const uint8_t *p, struct pptp_msg *m)
{
	m->u.iccn.peer_call_id = get_be16(p + 12);
	note_reserved(m, get_be16(p + 14));
	m->u.iccn.speed = get_be32(p + 16);
	m->u.iccn.window = get_be16(p + 20);
	m->u.iccn.delay = get_be16(p + 22);
	m->u.iccn.framing = get_be32(p + 24);
}

static void decode_ccrq(const uint8_t *p, struct pptp_msg *m)
{
	m->u.ccrq.call_id = get_be16(p + 12);
	note_reserved(m, get_be16(p + 14));
}

static void decode_cdn(const uint8_t *p, struct pptp_msg *m)
{
	m->u.cdn.call_id = get_be16(p + 12);
	m->u.cdn.result = p[14];
	m->u.cdn.error = p[15];
	m->u.cdn.cause = get_be16(p + 16);
	note_reserved(m, get_be16(p + 18));
	get_string(m->u.cdn.stats, p + 20, PPTP_STATS_LEN);
}

static void decode_wen(const uint8_t *p, struct pptp_msg *m)
{
	m->u.wen.peer_call_id = get_be16(p + 12);
	note_reserved(m, get_be16(p + 14));
	m->u.wen.crc_errors = get_be32(p + 16);
	m->u.wen.framing_errors = get_be32(p + 20);
	m->u.wen.hw_overruns = get_be32(p + 24);
	m->u.wen.buf_overruns = get_be32(p + 28);
	m->u.wen.timeouts = get_be32(p + 32);
	m->u.wen.alignment_errors = get_be32(p + 36);
}

static void decode_sli(const uint8_t *p, struct pptp_msg *m)
{
	m->u.sli.peer_call_id = get_be16(p + 12);
	note_reserved(m, get_be16(p + 14));
	m->u.sli.send_accm = get_be32(p + 16);
	m->u.sli.recv_accm = get_be32(p + 20);
}

/* The body decoders may read p[0 .. pptp_msg_size(type)): the caller checked that. */
typedef void (*body_decoder)(const uint8_t *p, struct pptp_msg *m);

static const body_decoder decoders[PPTP_CTRL_TYPE_MAX + 1] = {
	[PPTP_SCCRQ] = decode_sccr, [PPTP_SCCRP] = decode_sccr,
	[PPTP_STOPCCRQ] = decode_stopccrq, [PPTP_STOPCCRP] = decode_stopccrp,
	[PPTP_ECHORQ] = decode_echorq, [PPTP_ECHORP] = decode_echorp,
	[PPTP_OCRQ] = decode_ocrq, [PPTP_OCRP] = decode_ocrp,
	[PPTP_ICRQ] = decode_icrq, [PPTP_ICRP] = decode_icrp, [PPTP_ICCN] = decode_iccn,
	[PPTP_CCRQ] = decode_ccrq, [PPTP_CDN] = decode_cdn,
	[PPTP_WEN] = decode_wen, [PPTP_SLI] = decode_sli,
};

/* Could a well-formed header begin at p, judging only the n bytes there
 * (n <= PPTP_HDR_LEN)?  Well-formed: length within [12, PPTP_MSG_MAX],
 * PPTP message type 1, the magic cookie, a known control message type
 * and the length that type has.  Each byte is judged as soon as it is
 * there, so a scan through garbage drops most positions at once. */
static bool header_may_start(const uint8_t *p, size_t n)
{
	static const uint8_t magic[4] = { PPTP_MAGIC >> 24, (PPTP_MAGIC >> 16) & 0xff,
					  (PPTP_MAGIC >> 8) & 0xff, PPTP_MAGIC & 0xff };
	uint16_t len;

	if (n >= 1 && p[0] > (PPTP_MSG_MAX >> 8))
		return false;
	if (n < 2)
		return true;
	len = get_be16(p + OFF_LENGTH);
	if (len < PPTP_HDR_LEN || len > PPTP_MSG_MAX)
		return false;
	if ((n >= 3 && p[2] != 0) || (n >= 4 && p[3] != PPTP_MSGTYPE_CONTROL))
		return false;
	for (size_t i = 0; i < 4 && OFF_MAGIC + i < n; i++)
		if (p[OFF_MAGIC + i] != magic[i])
			return false;
	if (n >= OFF_CTRLTYPE + 1 && p[OFF_CTRLTYPE] != 0)
		return false;
	if (n >= OFF_RESERVED0 && len != pptp_msg_size(get_be16(p + OFF_CTRLTYPE)))
		return false;
	return true;
}

size_t pptp_msg_resync(const uint8_t *buf, size_t avail)
{
	size_t i;

	for (i = 0; i < avail; i++) {
		size_t n = avail - i;

		if (header_may_start(buf + i, n < PPTP_HDR_LEN ? n : PPTP_HDR_LEN))
			break;
	}
	return i;
}

/* Judge what of the header is there: 1 = fine so far (or a message of a
 * PPTP message type other than control, which the caller skips by its
 * length), negative = not a message we can take.  */
static int check_framing(const uint8_t *buf, size_t avail)
{
	uint16_t len;

	if (avail < OFF_MSGTYPE)
		return 1;
	len = get_be16(buf + OFF_LENGTH);
	if (len < PPTP_HDR_LEN)
		return PPTP_EMSG_SHORTLEN;
	if (len > PPTP_MSG_MAX)
		return PPTP_EMSG_LONGLEN;
	if (avail < FRAMING_CHECK_LEN)
		return 1;
	if (get_be32(buf + OFF_MAGIC) != PPTP_MAGIC)
		return PPTP_EMSG_MAGIC;
	if (get_be16(buf + OFF_MSGTYPE) != PPTP_MSGTYPE_CONTROL)
		return PPTP_EMSG_PPTPTYPE;
	if (avail < OFF_RESERVED0)
		return 1;
	if (pptp_msg_size(get_be16(buf + OFF_CTRLTYPE)) != 0 &&
	    len != pptp_msg_size(get_be16(buf + OFF_CTRLTYPE)))
		return PPTP_EMSG_BADLEN;
	return 1;
}

int pptp_msg_decode(const uint8_t *buf, size_t avail, struct pptp_msg *out, size_t *consumed)
{
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	*consumed = 0;
	rc = check_framing(buf, avail);
	if (rc == PPTP_EMSG_PPTPTYPE) {
		/* Well framed, not control: skip it whole, as pptp-linux does. */
		out->type = get_be16(buf + OFF_MSGTYPE);
		len = get_be16(buf + OFF_LENGTH);
		if (avail < len)
			return 1;
		*consumed = len;
		return rc;
	}
	if (rc != 1 || avail < PPTP_HDR_LEN)
		return rc;
	len = get_be16(buf + OFF_LENGTH);
	out->type = get_be16(buf + OFF_CTRLTYPE);
	note_reserved(out, get_be16(buf + OFF_RESERVED0));
	if (avail < len)
		return 1;
	*consumed = len;
	if (pptp_msg_size(out->type) == 0)
		return PPTP_EMSG_UNKNOWN;
	decoders[out->type](buf, out);
	return 0;
}

/* ---- encode ---- */

/* Write a string NUL-padded to its field; a string filling the field has no NUL. */
static void put_string(uint8_t *dst, const char *src, size_t field)
{
	memcpy(dst, src, strnlen(src, field));
}

static void encode_sccr(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.sccr.version);
	if (m->type == PPTP_SCCRP) {
		p[14] = m->u.sccr.result;
		p[15] = m->u.sccr.error;
	}
	put_be32(p + 16, m->u.sccr.framing);
	put_be32(p + 20, m->u.sccr.bearer);
	put_be16(p + 24, m->u.sccr.max_channels);
	put_be16(p + 26, m->u.sccr.firmware);
	put_string(p + 28, m->u.sccr.hostname, PPTP_STRING_LEN);
	put_string(p + 92, m->u.sccr.vendor, PPTP_STRING_LEN);
}

static void encode_stopccrq(const struct pptp_msg *m, uint8_t *p)
{
	p[12] = m->u.stopccrq.reason;
}

static void encode_stopccrp(const struct pptp_msg *m, uint8_t *p)
{
	p[12] = m->u.stopccrp.result;
	p[13] = m->u.stopccrp.error;
}

static void encode_echorq(const struct pptp_msg *m, uint8_t *p)
{
	put_be32(p + 12, m->u.echorq.id);
}

static void encode_echorp(const struct pptp_msg *m, uint8_t *p)
{
	put_be32(p + 12, m->u.echorp.id);
	p[16] = m->u.echorp.result;
	p[17] = m->u.echorp.error;
}

static void encode_ocrq(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.ocrq.call_id);
	put_be16(p + 14, m->u.ocrq.serial);
	put_be32(p + 16, m->u.ocrq.min_bps);
	put_be32(p + 20, m->u.ocrq.max_bps);
	put_be32(p + 24, m->u.ocrq.bearer);
	put_be32(p + 28, m->u.ocrq.framing);
	put_be16(p + 32, m->u.ocrq.window);
	put_be16(p + 34, m->u.ocrq.delay);
	put_be16(p + 36, (uint16_t)strnlen(m->u.ocrq.phone, PPTP_STRING_LEN));
	put_string(p + 40, m->u.ocrq.phone, PPTP_STRING_LEN);
	put_string(p + 104, m->u.ocrq.subaddr, PPTP_STRING_LEN);
}

static void encode_ocrp(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.ocrp.call_id);
	put_be16(p + 14, m->u.ocrp.peer_call_id);
	p[16] = m->u.ocrp.result;
	p[17] = m->u.ocrp.error;
	put_be16(p + 18, m->u.ocrp.cause);
	put_be32(p + 20, m->u.ocrp.speed);
	put_be16(p + 24, m->u.ocrp.window);
	put_be16(p + 26, m->u.ocrp.delay);
	put_be32(p + 28, m->u.ocrp.channel);
}

static void encode_icrq(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.icrq.call_id);
	put_be16(p + 14, m->u.icrq.serial);
	put_be32(p + 16, m->u.icrq.bearer);
	put_be32(p + 20, m->u.icrq.channel);
	put_be16(p + 24, (uint16_t)strnlen(m->u.icrq.dialed, PPTP_STRING_LEN));
	put_be16(p + 26, (uint16_t)strnlen(m->u.icrq.dialing, PPTP_STRING_LEN));
	put_string(p + 28, m->u.icrq.dialed, PPTP_STRING_LEN);
	put_string(p + 92, m->u.icrq.dialing, PPTP_STRING_LEN);
	put_string(p + 156, m->u.icrq.subaddr, PPTP_STRING_LEN);
}

static void encode_icrp(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.icrp.call_id);
	put_be16(p + 14, m->u.icrp.peer_call_id);
	p[16] = m->u.icrp.result;
	p[17] = m->u.icrp.error;
	put_be16(p + 18, m->u.icrp.window);
	put_be16(p + 20, m->u.icrp.delay);
}

static void encode_iccn(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.iccn.peer_call_id);
	put_be32(p + 16, m->u.iccn.speed);
	put_be16(p + 20, m->u.iccn.window);
	put_be16(p + 22, m->u.iccn.delay);
	put_be32(p + 24, m->u.iccn.framing);
}

static void encode_ccrq(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.ccrq.call_id);
}

static void encode_cdn(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.cdn.call_id);
	p[14] = m->u.cdn.result;
	p[15] = m->u.cdn.error;
	put_be16(p + 16, m->u.cdn.cause);
	put_string(p + 20, m->u.cdn.stats, PPTP_STATS_LEN);
}

static void encode_wen(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.wen.peer_call_id);
	put_be32(p + 16, m->u.wen.crc_errors);
	put_be32(p + 20, m->u.wen.framing_errors);
	put_be32(p + 24, m->u.wen.hw_overruns);
	put_be32(p + 28, m->u.wen.buf_overruns);
	put_be32(p + 32, m->u.wen.timeouts);
	put_be32(p + 36, m->u.wen.alignment_errors);
}

static void encode_sli(const struct pptp_msg *m, uint8_t *p)
{
	put_be16(p + 12, m->u.sli.peer_call_id);
	put_be32(p + 16, m->u.sli.send_accm);
	put_be32(p + 20, m->u.sli.recv_accm);
}

/* Body encoders write into a zeroed p[0 .. pptp_msg_size(type)); reserved fields stay 0. */
typedef void (*body_encoder)(const struct pptp_msg *m, uint8_t *p);

static const body_encoder encoders[PPTP_CTRL_TYPE_MAX + 1] = {
	[PPTP_SCCRQ] = encode_sccr, [PPTP_SCCRP] = encode_sccr,
	[PPTP_STOPCCRQ] = encode_stopccrq, [PPTP_STOPCCRP] = encode_stopccrp,
	[PPTP_ECHORQ] = encode_echorq, [PPTP_ECHORP] = encode_echorp,
	[PPTP_OCRQ] = encode_ocrq, [PPTP_OCRP] = encode_ocrp,
	[PPTP_ICRQ] = encode_icrq, [PPTP_ICRP] = encode_icrp, [PPTP_ICCN] = encode_iccn,
	[PPTP_CCRQ] = encode_ccrq, [PPTP_CDN] = encode_cdn,
	[PPTP_WEN] = encode_wen, [PPTP_SLI] = encode_sli,
};

int pptp_msg_encode(const struct pptp_msg *m, uint8_t *buf, size_t cap)
{
	size_t size = pptp_msg_size(m->type);

	if (size == 0)
		return PPTP_EMSG_UNKNOWN;
	if (cap < size)
		return PPTP_EMSG_NOSPACE;
	memset(buf, 0, size);
	put_be16(buf + OFF_LENGTH, (uint16_t)size);
	put_be16(buf + OFF_MSGTYPE, PPTP_MSGTYPE_CONTROL);
	put_be32(buf + OFF_MAGIC, PPTP_MAGIC);
	put_be16(buf + OFF_CTRLTYPE, m->type);
	encoders[m->type](m, buf);
	return (int)size;
}

/* ---- format ---- */

/* snprintf-style appender: keeps counting after the buffer is full. */
struct outbuf {
	char *buf;
	size_t cap;
	size_t len;
};

static void out_printf(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* key="value" with ", \ and non-printable bytes escaped so a peer cannot forge log lines. */
static void out_string(struct outbuf *o, const char *key, const char *s)
{
	out_printf(o, " %s=\"", key);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			out_printf(o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			out_printf(o, "\\x%02x", c);
		else
			out_printf(o, "%c", c);
	}
	out_printf(o, "\"");
}

static void format_sccr(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " version=0x%04x", m->u.sccr.version);
	if (m->type == PPTP_SCCRP)
		out_printf(o, " result=%u error=%u", m->u.sccr.result, m->u.sccr.error);
	out_printf(o, " framing=%u bearer=%u max_channels=%u firmware=0x%x",
		   m->u.sccr.framing, m->u.sccr.bearer, m->u.sccr.max_channels, m->u.sccr.firmware);
	out_string(o, "hostname", m->u.sccr.hostname);
	out_string(o, "vendor", m->u.sccr.vendor);
}

static void format_stopccrq(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " reason=%u", m->u.stopccrq.reason);
}

static void format_stopccrp(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " result=%u error=%u", m->u.stopccrp.result, m->u.stopccrp.error);
}

static void format_echorq(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " id=0x%08x", m->u.echorq.id);
}

static void format_echorp(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " id=0x%08x result=%u error=%u", m->u.echorp.id, m->u.echorp.result, m->u.echorp.error);
}

static void format_ocrq(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " call_id=%u serial=%u min_bps=%u max_bps=%u bearer=%u framing=%u window=%u delay=%u",
		   m->u.ocrq.call_id, m->u.ocrq.serial, m->u.ocrq.min_bps, m->u.ocrq.max_bps,
		   m->u.ocrq.bearer, m->u.ocrq.framing, m->u.ocrq.window, m->u.ocrq.delay);
	out_string(o, "phone", m->u.ocrq.phone);
	out_string(o, "subaddr", m->u.ocrq.subaddr);
}

static void format_ocrp(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " call_id=%u peer_call_id=%u result=%u error=%u cause=%u speed=%u window=%u delay=%u channel=%u",
		   m->u.ocrp.call_id, m->u.ocrp.peer_call_id, m->u.ocrp.result, m->u.ocrp.error,
		   m->u.ocrp.cause, m->u.ocrp.speed, m->u.ocrp.window, m->u.ocrp.delay, m->u.ocrp.channel);
}

static void format_icrq(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " call_id=%u serial=%u bearer=%u channel=%u",
		   m->u.icrq.call_id, m->u.icrq.serial, m->u.icrq.bearer, m->u.icrq.channel);
	out_string(o, "dialed", m->u.icrq.dialed);
	out_string(o, "dialing", m->u.icrq.dialing);
	out_string(o, "subaddr", m->u.icrq.subaddr);
}

static void format_icrp(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " call_id=%u peer_call_id=%u result=%u error=%u window=%u delay=%u",
		   m->u.icrp.call_id, m->u.icrp.peer_call_id, m->u.icrp.result, m->u.icrp.error,
		   m->u.icrp.window, m->u.icrp.delay);
}

static void format_iccn(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " peer_call_id=%u speed=%u window=%u delay=%u framing=%u",
		   m->u.iccn.peer_call_id, m->u.iccn.speed, m->u.iccn.window, m->u.iccn.delay, m->u.iccn.framing);
}

static void format_ccrq(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " call_id=%u", m->u.ccrq.call_id);
}

static void format_cdn(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " call_id=%u result=%u error=%u cause=%u",
		   m->u.cdn.call_id, m->u.cdn.result, m->u.cdn.error, m->u.cdn.cause);
	out_string(o, "stats", m->u.cdn.stats);
}

static void format_wen(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " peer_call_id=%u crc_errors=%u framing_errors=%u hw_overruns=%u buf_overruns=%u timeouts=%u alignment_errors=%u",
		   m->u.wen.peer_call_id, m->u.wen.crc_errors, m->u.wen.framing_errors, m->u.wen.hw_overruns,
		   m->u.wen.buf_overruns, m->u.wen.timeouts, m->u.wen.alignment_errors);
}

static void format_sli(const struct pptp_msg *m, struct outbuf *o)
{
	out_printf(o, " peer_call_id=%u send_accm=0x%08x recv_accm=0x%08x",
		   m->u.sli.peer_call_id, m->u.sli.send_accm, m->u.sli.recv_accm);
}

typedef void (*body_formatter)(const struct pptp_msg *m, struct outbuf *o);

static const body_formatter formatters[PPTP_CTRL_TYPE_MAX + 1] = {
	[PPTP_SCCRQ] = format_sccr, [PPTP_SCCRP] = format_sccr,
	[PPTP_STOPCCRQ] = format_stopccrq, [PPTP_STOPCCRP] = format_stopccrp,
	[PPTP_ECHORQ] = format_echorq, [PPTP_ECHORP] = format_echorp,
	[PPTP_OCRQ] = format_ocrq, [PPTP_OCRP] = format_ocrp,
	[PPTP_ICRQ] = format_icrq, [PPTP_ICRP] = format_icrp, [PPTP_ICCN] = format_iccn,
	[PPTP_CCRQ] = format_ccrq, [PPTP_CDN] = format_cdn,
	[PPTP_WEN] = format_wen, [PPTP_SLI] = format_sli,
};

int pptp_msg_format(const struct pptp_msg *m, char *buf, size_t cap)
{
	struct outbuf o = { buf, cap, 0 };

	if (cap > 0)
		buf[0] = '\0';
	if (!msg_lookup(m->type)) {
		out_printf(&o, "unknown type=%u", m->type);
	} else {
		out_printf(&o, "%s", pptp_msg_name(m->type));
		formatters[m->type](m, &o);
	}
	if (m->reserved_nonzero)
		out_printf(&o, " reserved_nonzero=1");
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}
