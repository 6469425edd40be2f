/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cm_proto.c: the records between a pptp process and its call manager,
 * and the ready line (cm_proto.h). */
#include "cm_proto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "byteorder.h"
#include "util.h"

#define CM_CALL_IDS_LEN 4	/* call id, peer call id */

size_t cm_fixed_len(enum cm_msg_type type)
{
	switch (type) {
	case CM_REQUEST: return CM_HDR_LEN + 4;
	case CM_CALL_UP: return CM_HDR_LEN + CM_CALL_IDS_LEN;
	case CM_CALL_SLI: return CM_HDR_LEN + CM_CALL_IDS_LEN + 8;
	case CM_CALL_DOWN: return 0;
	}
	return 0;
}

/* The length a record of this type may have. */
static bool cm_len_ok(unsigned type, size_t len)
{
	if (type == CM_CALL_DOWN)
		return len >= CM_HDR_LEN + CM_CALL_IDS_LEN && len <= CM_MSG_MAX;
	if (type < CM_REQUEST || type > CM_CALL_DOWN)
		return false;
	return len == cm_fixed_len((enum cm_msg_type)type);
}

int cm_encode(const struct cm_msg *m, uint8_t *buf, size_t cap)
{
	size_t text = 0, len;

	if (m->type == CM_CALL_DOWN) {
		text = strnlen(m->text, sizeof(m->text));
		if (text > CM_TEXT_MAX)
			text = CM_TEXT_MAX;
		len = CM_HDR_LEN + CM_CALL_IDS_LEN + text;
	} else {
		len = cm_fixed_len(m->type);
		if (len == 0)
			return -EINVAL;
	}
	if (len > cap)
		return -ENOSPC;
	put_be32(buf, CM_MAGIC);
	buf[4] = (uint8_t)m->type;
	buf[5] = 0;
	put_be16(buf + 6, (uint16_t)len);
	if (m->type == CM_REQUEST) {
		put_be32(buf + 8, m->gateway_pid);
		return (int)len;
	}
	put_be16(buf + 8, m->call_id);
	put_be16(buf + 10, m->peer_call_id);
	if (m->type == CM_CALL_SLI) {
		put_be32(buf + 12, m->send_accm);
		put_be32(buf + 16, m->recv_accm);
	}
	if (m->type == CM_CALL_DOWN)
		memcpy(buf + 12, m->text, text);
	return (int)len;
}

int cm_decode(const uint8_t *buf, size_t avail, struct cm_msg *m,
	      size_t *used)
{
	size_t len, i;

	memset(m, 0, sizeof(*m));
	*used = 0;
	/* Each header field is judged as soon as its bytes are there. */
	for (i = 0; i < 4 && i < avail; i++)
		if (buf[i] != (uint8_t)(CM_MAGIC >> (24 - 8 * i)))
			return -EPROTO;
	if (avail > 4 && (buf[4] < CM_REQUEST || buf[4] > CM_CALL_DOWN))
		return -EPROTO;
	if (avail > 5 && buf[5] != 0)
		return -EPROTO;
	if (avail < CM_HDR_LEN)
		return 1;
	len = get_be16(buf + 6);
	if (!cm_len_ok(buf[4], len))
		return -EPROTO;
	if (avail < len)
		return 1;
	m->type = (enum cm_msg_type)buf[4];
	if (m->type == CM_REQUEST) {
		m->gateway_pid = get_be32(buf + 8);
	} else {
		m->call_id = get_be16(buf + 8);
		m->peer_call_id = get_be16(buf + 10);
	}
	if (m->type == CM_CALL_SLI) {
		m->send_accm = get_be32(buf + 12);
		m->recv_accm = get_be32(buf + 16);
	}
	if (m->type == CM_CALL_DOWN) {
		size_t n = len - CM_HDR_LEN - CM_CALL_IDS_LEN;

		for (i = 0; i < n; i++) {
			uint8_t c = buf[12 + i];

			m->text[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		}
		m->text[n] = '\0';
	}
	*used = len;
	return 0;
}

int cm_rbuf_next(struct cm_rbuf *rb, struct cm_msg *m)
{
	size_t used;
	int rc = cm_decode(rb->b, rb->len, m, &used);

	if (rc != 0)
		return rc;
	memmove(rb->b, rb->b + used, rb->len - used);
	rb->len -= used;
	return 0;
}

int cm_recv(int fd, struct cm_rbuf *rb, struct cm_msg *m)
{
	int rc = cm_rbuf_next(rb, m);
	ssize_t n;

	if (rc != 1)
		return rc;
	/* rb never holds a whole record here, so there is room for one. */
	n = recv(fd, rb->b + rb->len, sizeof(rb->b) - rb->len, MSG_DONTWAIT);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 1 : -errno;
	rb->len += (size_t)n;
	return cm_rbuf_next(rb, m);
}

bool cm_call_poll(int fd, struct cm_rbuf *rb,
		  void (*on_sli)(void *ctx, const struct cm_msg *m), void *ctx,
		  char *reason, size_t cap)
{
	struct cm_msg m;
	int rc;

	while ((rc = cm_recv(fd, rb, &m)) == 0) {
		if (m.type == CM_CALL_SLI)
			on_sli(ctx, &m);
		if (m.type == CM_CALL_DOWN) {
			snprintf(reason, cap, "%s", m.text);
			return false;
		}
	}
	if (rc == 1)
		return true;
	snprintf(reason, cap, "call manager closed the call");
	return false;
}

int cm_read_timeout(int fd, struct cm_msg *m, int timeout_ms)
{
	uint8_t b[CM_MSG_MAX];
	size_t used, len;
	int rc = read_full_timeout(fd, b, CM_HDR_LEN, timeout_ms);

	if (rc < 0)
		return rc;
	/* No record is as short as its header: 1 means a header that is
	 * good, -EPROTO one that is not. */
	rc = cm_decode(b, CM_HDR_LEN, m, &used);
	if (rc != 1)
		return -EPROTO;
	len = get_be16(b + 6);
	rc = read_full_timeout(fd, b + CM_HDR_LEN, len - CM_HDR_LEN, timeout_ms);
	if (rc < 0)
		return rc;
	return cm_decode(b, len, m, &used) == 0 ? 0 : -EPROTO;
}

/* ---- the ready line ---------------------------------------------------- */

int cm_ready_encode(char *buf, size_t cap, int err, const char *text)
{
	char clean[CM_READY_MAX];
	size_t i;
	int n;

	if (err == 0 && !text)
		n = snprintf(buf, cap, "ready\n");
	else {
		/* One line: the text loses any control character. */
		for (i = 0; text && text[i] && i < sizeof(clean) - 1; i++)
			clean[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
		clean[i] = '\0';
		n = snprintf(buf, cap, "failed %d %s\n", err < 0 ? -err : err,
			     clean);
		if (n >= 0 && (size_t)n >= cap && cap >= 2) {
			/* Truncated: keep it one whole line. */
			buf[cap - 2] = '\n';
			n = (int)cap - 1;
		}
	}
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

int cm_ready_decode(const char *line, size_t len, int *err, char *text,
		    size_t text_cap)
{
	char buf[CM_READY_MAX + 1];
	char *end;
	long e;

	if (len == 0 || len > CM_READY_MAX || line[len - 1] != '\n' ||
	    memchr(line, '\0', len) || memchr(line, '\n', len - 1))
		return -EPROTO;
	memcpy(buf, line, len - 1);
	buf[len - 1] = '\0';
	if (strcmp(buf, "ready") == 0)
		return 0;
	if (strncmp(buf, "failed ", 7) != 0 || buf[7] < '0' || buf[7] > '9')
		return -EPROTO;
	errno = 0;
	e = strtol(buf + 7, &end, 10);
	if (errno || e < 0 || e > 4095 || (*end != ' ' && *end != '\0'))
		return -EPROTO;
	*err = (int)e;
	snprintf(text, text_cap, "%s", *end ? end + 1 : "");
	return 1;
}
