/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_ppp_sync.c: splitting any byte run yields frames of at least one
 * byte that add up to the run, never reading past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	size_t off = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);	/* exact-size buffer for ASan */
	while (off < size) {
		size_t l = ppp_sync_frame_len(copy + off, size - off);

		if (l == 0 || l > size - off)
			abort();
		off += l;
	}
	free(copy);
	return 0;
}
