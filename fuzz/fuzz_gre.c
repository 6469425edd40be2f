/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_gre.c: libFuzzer harness for gre_decode/ipv4_decode, with re-encode checks. */
#include "gre_wire.h"

#include <stdlib.h>
#include <string.h>

/* A header that decoded must encode back to the same bytes. */
static void check_gre(const uint8_t *pkt, size_t len)
{
	struct gre_hdr h;
	int ret = gre_decode(pkt, len, &h);

	if (ret < 0) {
		if (!gre_strerror(ret))
			abort();
		return;
	}
	if (ret != 8 && ret != 12 && ret != 16)
		abort();
	if ((size_t)ret + h.payload_len != len)
		abort();
	if (h.has_seq != (h.payload_len > 0) || (!h.has_seq && !h.has_ack))
		abort();

	uint8_t buf[GRE_HDR_MAX];
	size_t n = gre_encode(buf, &h);
	if (n != (size_t)ret || memcmp(buf, pkt, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_gre(data, size);

	struct ipv4_info ip;
	int ret = ipv4_decode(data, size, &ip);
	if (ret == 0) {
		if (ip.hdr_len < 20 || ip.hdr_len > 60 || ip.hdr_len > ip.total_len || ip.total_len > size)
			abort();
		check_gre(data + ip.hdr_len, ip.total_len - ip.hdr_len);
	} else if (!gre_strerror(ret)) {
		abort();
	}
	return 0;
}
