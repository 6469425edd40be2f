/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_quirks.c: the table of named quirks (--quirks NAME). */
#include "pptp_quirks.h"

#include <string.h>

#include "orckit_quirks.h"

static const struct pptp_quirk quirks[] = {
	{ "BEZEQ_ISRAEL", orckit_atur3_sccrq, orckit_atur3_ocrq,
	  orckit_atur3_sli },
};

#define QUIRKS_N ((int)(sizeof(quirks) / sizeof(quirks[0])))

int quirk_find(const char *name)
{
	for (int i = 0; i < QUIRKS_N; i++)
		if (strcmp(quirks[i].name, name) == 0)
			return i;
	return -1;
}

const struct pptp_quirk *quirk_get(int index)
{
	if (index < 0 || index >= QUIRKS_N)
		return NULL;
	return &quirks[index];
}
