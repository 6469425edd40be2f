/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_gre_diag.c: any sequence of counters, acks (bogus ones too), PPP
 * frames from the server and ours, and clock steps: frames are never read past
 * their length, verdicts and events stay consistent (a recovery only
 * after its warning, the verdict the event says), and every line fits
 * the buffer it is given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "gre_diag.h"

static void check_event(struct gre_diag *d, enum gre_diag_verdict before,
			enum gre_diag_event ev)
{
	static const enum gre_diag_verdict after[] = {
		[GD_EV_NO_RX] = GD_NO_RX, [GD_EV_RX_BACK] = GD_OK,
		[GD_EV_NO_TX] = GD_NO_TX, [GD_EV_TX_BACK] = GD_OK,
	};
	char buf[600], small[7];
	int n;

	if ((unsigned)gre_diag_verdict(d) > GD_NO_TX)
		abort();
	if (ev == GD_EV_NONE)
		return;
	if ((unsigned)ev > GD_EV_TX_BACK || gre_diag_verdict(d) != after[ev])
		abort();
	if (before == GD_OFF || (ev == GD_EV_RX_BACK && before != GD_NO_RX) ||
	    (ev == GD_EV_TX_BACK && before != GD_NO_TX) ||
	    (ev == GD_EV_NO_RX && before == GD_NO_RX) ||
	    (ev == GD_EV_NO_TX && before == GD_NO_TX))
		abort();
	n = gre_diag_message(d, ev, "203.0.113.255", buf, sizeof(buf));
	if (n <= 0 || (size_t)n >= sizeof(buf) || strlen(buf) != (size_t)n)
		abort();
	gre_diag_message(d, ev, "203.0.113.255", small, sizeof(small));
	if (strlen(small) != sizeof(small) - 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gre_diag d;
	struct gre_diag_sample s;
	uint64_t now = 1000000;
	size_t i = 0;

	memset(&s, 0, sizeof(s));
	gre_diag_init(&d, 3, 0);
	while (i < size) {
		uint8_t op = data[i++];
		uint8_t arg = i < size ? data[i] : 0;
		enum gre_diag_verdict before = gre_diag_verdict(&d);

		switch (op & 7) {
		case 0:
			now += (uint64_t)arg * 50000u;
			i++;
			break;
		case 1:
			s.tx_data += arg & 15;
			s.tx_next_seq += arg & 15;
			i++;
			break;
		case 2:
			s.rx_gre += arg & 15;
			i++;
			break;
		case 3:
			s.peer_acked = true;
			s.peer_ack = s.tx_next_seq - 1 - (arg & 7);
			i++;
			break;
		case 4:
		case 5: {
			size_t len = arg & 31;
			uint8_t *f;

			i++;
			if (len > size - i)
				len = size - i;
			f = malloc(len ? len : 1);	/* exact size for ASan */
			if (!f)
				return 0;
			memcpy(f, data + i, len);
			if (op & 1)
				gre_diag_our_frame(&d, f, len);
			else
				gre_diag_peer_frame(&d, f, len);
			free(f);
			i += len;
			break;
		}
		case 6:
			if (size - i >= 4) {
				s.peer_acked = true;
				s.peer_ack = get_be32(data + i);
				i += 4;
			}
			break;
		case 7:
			if (size - i >= 5) {
				memset(&s, 0, sizeof(s));
				s.tx_next_seq = get_be32(data + i + 1);
				gre_diag_init(&d, data[i] % 20, s.tx_next_seq);
				i += 5;
			}
			continue;
		}
		check_event(&d, before, gre_diag_update(&d, now, &s));
	}
	return 0;
}
