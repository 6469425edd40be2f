/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppp_sync.h: finding frame boundaries in what one read of a pty in
 * synchronous mode returned.
 *
 * pppd's sync line discipline writes one frame per write, but a pty keeps
 * no boundaries: frames written before we read arrive together.  We never
 * guess a length from bytes that are not a length (pptp-linux reads bytes
 * 6-7 of everything, which MPPE encrypts and PPP header compression moves).
 * Instead, per protocol:
 *  - LCP, NCPs and authentication (protocols 0x8000-0xffff, and all of
 *    the code/identifier/length family): the length field;
 *  - IPv4: the total length; IPv6: 40 + the payload length;
 *  - MPPE/compressed data (0x00fd): no length at all, but consecutive
 *    packets carry consecutive 12-bit coherency counts, so the next frame
 *    starts where the same PPP header is followed by the next count;
 *  - anything else: the rest of the read is one frame.
 * Pure: no I/O. */
#ifndef PPTP_PPP_SYNC_H
#define PPTP_PPP_SYNC_H
#include <stddef.h>
#include <stdint.h>

/* Length of the first frame in p[0..n) (n when it cannot be told apart
 * from what follows).  Always >= 1 for n >= 1. */
size_t ppp_sync_frame_len(const uint8_t *p, size_t n);

/* How the first frame of p[0..n) ends, when the run may have been cut
 * by the end of a read (a pty hands over at most what its line
 * discipline holds):
 *   PS_WHOLE  it ends at *len <= n; what follows is the next frame;
 *   PS_SHORT  its length field asks for *len > n bytes (*len = 0: the
 *             header or the length field itself is not complete yet);
 *   PS_OPEN   compressed data running to n: nothing says whether it ends
 *             there or goes on in the next read (*len = n);
 *   PS_REST   nothing tells it apart from what follows (*len = n). */
enum ppp_sync_end { PS_WHOLE, PS_SHORT, PS_OPEN, PS_REST };
enum ppp_sync_end ppp_sync_frame_end(const uint8_t *p, size_t n, size_t *len);
#endif
