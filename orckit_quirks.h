/* SPDX-License-Identifier: GPL-2.0-or-later */
/* orckit_quirks.h: the messages Orckit ADSL modems on Bezeq's network
 * (Israel) accept: a "RELAY_PPP1" relay call instead of a plain one. */
#ifndef PPTP_ORCKIT_QUIRKS_H
#define PPTP_ORCKIT_QUIRKS_H
#include <stdint.h>

#include "pptp_msg.h"

void orckit_atur3_sccrq(struct pptp_msg *m);
void orckit_atur3_ocrq(struct pptp_msg *m);
void orckit_atur3_sli(struct pptp_msg *m, uint16_t peer_call_id);
#endif
