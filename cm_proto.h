/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cm_proto.h: what a pptp process and its call manager say to each other.
 *
 * Two channels, both local to the machine:
 *
 *  - The ready line, on a pipe from a freshly started call manager to the
 *    pptp that started it: whether the control connection came up, once,
 *    with the real cause when it did not (connect's errno, or the
 *    server's refusal with its codes).  Only then does that pptp ask for
 *    its call.
 *
 *  - Call records, on the unix stream socket <rundir>/<localbind>:<server>
 *    (dirutil.h).  A gateway (or the kernel path's call holder) that wants
 *    a call connects and sends CM_REQUEST.  The call manager answers with
 *    CM_CALL_UP once the server has accepted the call, CM_CALL_SLI
 *    whenever the server sends Set-Link-Info for it, and CM_CALL_DOWN
 *    (then closes the socket) when the call ends for any reason, its text
 *    naming why.  A gateway ends its call by closing its socket; the call
 *    manager then sends Call-Clear-Request.
 *
 * Every record is encoded field by field in network byte order, like
 * every other wire format here (no struct is sent as it lies in memory):
 *
 *     0      4     5      6        8
 *     magic  type  flags  length   body (length - CM_HDR_LEN bytes)
 *
 *     CM_REQUEST    gateway pid (4)
 *     CM_CALL_UP    call id (2), peer call id (2)
 *     CM_CALL_SLI   call id (2), peer call id (2), send ACCM (4), receive ACCM (4)
 *     CM_CALL_DOWN  call id (2), peer call id (2), text (0..CM_TEXT_MAX, no NUL)
 *
 * flags is 0.  A record whose magic, type, flags or length is not one of
 * these is refused as a whole (-EPROTO): the stream cannot be trusted
 * after it.  Encode, decode and the reassembly buffer are pure; cm_recv
 * and cm_read_timeout are the ones here that read a descriptor. */
#ifndef PPTP_CM_PROTO_H
#define PPTP_CM_PROTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_MAGIC 0x50434d32u	/* "PCM2": records in network byte order */
#define CM_HDR_LEN 8
#define CM_TEXT_MAX 199		/* why a call went down (a ctrl_event text); longer is cut */
#define CM_MSG_MAX (CM_HDR_LEN + 4 + CM_TEXT_MAX)

enum cm_msg_type {
	CM_REQUEST = 1,		/* gateway -> call manager */
	CM_CALL_UP = 2,		/* call manager -> gateway */
	CM_CALL_SLI = 3,
	CM_CALL_DOWN = 4,
};

struct cm_msg {
	enum cm_msg_type type;
	uint32_t gateway_pid;		/* CM_REQUEST */
	uint16_t call_id, peer_call_id;	/* the replies */
	uint32_t send_accm, recv_accm;	/* CM_CALL_SLI */
	char text[CM_TEXT_MAX + 1];	/* CM_CALL_DOWN, NUL-terminated */
};

/* Length of m's record, or -EINVAL for an unknown type.  The text is cut
 * at CM_TEXT_MAX bytes. */
int cm_encode(const struct cm_msg *m, uint8_t *buf, size_t cap);
/* The record at the front of buf[0..avail): 0 and *m, *used filled; 1 when
 * more bytes are needed (*used = 0); -EPROTO for bytes that are not a
 * record.  Never reads past avail; a text's control bytes become '?'. */
int cm_decode(const uint8_t *buf, size_t avail, struct cm_msg *m,
	      size_t *used);
/* Bytes of a record of this type when its length is fixed (CM_REQUEST,
 * CM_CALL_UP, CM_CALL_SLI), else 0. */
size_t cm_fixed_len(enum cm_msg_type type);

/* Reassembly of records from a stream socket. */
struct cm_rbuf {
	uint8_t b[2 * CM_MSG_MAX];
	size_t len;
};
/* Take the next whole record out of rb: 0 (one in *m), 1 (none yet), or
 * -EPROTO. */
int cm_rbuf_next(struct cm_rbuf *rb, struct cm_msg *m);
/* Read what fd has without blocking and return the next record: 0 (one
 * in *m), 1 (none yet: EAGAIN), -EPIPE at end of stream, -EPROTO for a
 * bad record, or -errno.  One read may bring several records: call it
 * until it returns non-zero before waiting for fd again. */
int cm_recv(int fd, struct cm_rbuf *rb, struct cm_msg *m);

/* What a call holder (gateway or kernel holder) does when the call
 * manager's socket is readable: takes every record it has, hands each
 * Set-Link-Info to on_sli(ctx, m) in order, and returns false once the
 * call has ended (CM_CALL_DOWN, the socket closed or broken), with the
 * cause in reason[0..cap). */
bool cm_call_poll(int fd, struct cm_rbuf *rb,
		  void (*on_sli)(void *ctx, const struct cm_msg *m), void *ctx,
		  char *reason, size_t cap);

/* Read exactly one record from fd (blocking, each part within timeout_ms,
 * never a byte past it, so that what follows stays in the socket for
 * whoever reads it next): 0, -ETIMEDOUT, -EPIPE at end of stream, -EPROTO,
 * or -errno. */
int cm_read_timeout(int fd, struct cm_msg *m, int timeout_ms);

/* The ready line: "ready\n" (err 0, text NULL), or
 * "failed <errno> <text>\n" where errno is a positive errno value (0 when
 * the text alone is the cause, e.g. the server's refusal) and the text has
 * no newline.  Encode returns the length written (truncating the text to
 * fit) or -ENOSPC; decode returns 0 (ready), 1 (failed: *err and text
 * set) or -EPROTO for anything else. */
#define CM_READY_MAX 256
int cm_ready_encode(char *buf, size_t cap, int err, const char *text);
int cm_ready_decode(const char *line, size_t len, int *err, char *text,
		    size_t text_cap);
#endif
