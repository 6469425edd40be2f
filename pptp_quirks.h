/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_quirks.h: named work-arounds for PPTP servers that need special
 * messages (--quirks NAME). A quirk rewrites outgoing messages. */
#ifndef PPTP_QUIRKS_H
#define PPTP_QUIRKS_H
#include <stdint.h>

#include "pptp_msg.h"

struct pptp_quirk {
	const char *name;
	/* Each hook may be NULL; it edits the message just before encoding. */
	void (*sccrq)(struct pptp_msg *m);
	void (*ocrq)(struct pptp_msg *m);
	/* Non-NULL: send Set-Link-Info once the call is up, built by this. */
	void (*sli)(struct pptp_msg *m, uint16_t peer_call_id);
};

/* Index of the quirk called name, or -1. */
int quirk_find(const char *name);
/* The quirk at index, or NULL for -1 / out of range. */
const struct pptp_quirk *quirk_get(int index);
#endif
