/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cm_proto.c: libFuzzer harness for the call manager's records and
 * ready line (cm_proto.h): any bytes, fed to the reassembly buffer in
 * pieces the input chooses, are taken apart without reading past what
 * is there; every record that decodes encodes back to bytes that decode
 * to the same record (its text clean and NUL-terminated). */
#include "cm_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void check_record(const struct cm_msg *m)
{
	uint8_t buf[CM_MSG_MAX];
	struct cm_msg back;
	size_t used, tl = strnlen(m->text, sizeof(m->text));
	int n;

	if (tl > CM_TEXT_MAX)
		abort();
	for (size_t i = 0; i < tl; i++)
		if ((unsigned char)m->text[i] < 0x20 || (unsigned char)m->text[i] >= 0x7f)
			abort();
	n = cm_encode(m, buf, sizeof(buf));
	if (n < CM_HDR_LEN || n > CM_MSG_MAX)
		abort();
	if (cm_decode(buf, (size_t)n, &back, &used) != 0 || used != (size_t)n ||
	    memcmp(&back, m, sizeof(back)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_rbuf rb = { .len = 0 };
	struct cm_msg m;
	size_t used;
	int rc;

	/* Straight decode of an exact-size copy: ASan sees any overread. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = cm_decode(copy, size, &m, &used);
	if (rc == 0 && (used > size || used < CM_HDR_LEN))
		abort();
	if (rc == 0)
		check_record(&m);
	else if (rc != 1 && rc != -EPROTO)
		abort();
	if (size > 0) {
		char text[CM_READY_MAX];
		int err;

		rc = cm_ready_decode((const char *)copy, size, &err, text,
				     sizeof(text));
		if (rc == 1 && (err < 0 || err > 4095 || !memchr(text, '\0', sizeof(text))))
			abort();
	}
	free(copy);

	/* Through the reassembly buffer, in pieces of 1..16 bytes chosen by
	 * the input's own bytes. */
	for (size_t off = 0; off < size;) {
		size_t piece = (size_t)(data[off] & 15) + 1;

		if (piece > size - off)
			piece = size - off;
		if (piece > sizeof(rb.b) - rb.len)
			break;
		memcpy(rb.b + rb.len, data + off, piece);
		rb.len += piece;
		off += piece;
		while ((rc = cm_rbuf_next(&rb, &m)) == 0)
			check_record(&m);
		if (rc != 1)
			break;
		if (rb.len >= CM_MSG_MAX)
			abort();	/* a whole record would have come out */
	}
	return 0;
}
