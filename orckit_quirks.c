/* SPDX-License-Identifier: GPL-2.0-or-later */
/* orckit_quirks.c: message rewrites for Orckit ATUR3 ADSL modems. */
#include "orckit_quirks.h"

#include <stdio.h>
#include <string.h>

/* The modem relays the call to its own PPP engine only when the request
 * names "RELAY_PPP1" and looks like it comes from Windows NT. */
#define ORCKIT_RELAY "RELAY_PPP1"
#define ORCKIT_VENDOR "MS Win NT"
#define ORCKIT_FIRMWARE 0x6021

void orckit_atur3_sccrq(struct pptp_msg *m)
{
	m->u.sccr.framing = PPTP_FRAME_ASYNC;
	m->u.sccr.bearer = PPTP_BEARER_ANALOG;
	m->u.sccr.max_channels = 0;
	m->u.sccr.firmware = ORCKIT_FIRMWARE;
	snprintf(m->u.sccr.hostname, sizeof(m->u.sccr.hostname), "%s",
		 ORCKIT_RELAY);
	snprintf(m->u.sccr.vendor, sizeof(m->u.sccr.vendor), "%s",
		 ORCKIT_VENDOR);
}

void orckit_atur3_ocrq(struct pptp_msg *m)
{
	m->u.ocrq.bearer = PPTP_BEARER_DIGITAL;
	m->u.ocrq.framing = PPTP_FRAME_ANY;
	snprintf(m->u.ocrq.phone, sizeof(m->u.ocrq.phone), "%s", ORCKIT_RELAY);
	memset(m->u.ocrq.subaddr, 0, sizeof(m->u.ocrq.subaddr));
}

void orckit_atur3_sli(struct pptp_msg *m, uint16_t peer_call_id)
{
	memset(m, 0, sizeof(*m));
	m->type = PPTP_SLI;
	m->u.sli.peer_call_id = peer_call_id;
	m->u.sli.send_accm = 0xffffffffu;
	m->u.sli.recv_accm = 0xffffffffu;
}
