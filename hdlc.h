/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hdlc.h: PPP in HDLC-like async framing (RFC 1662): FCS-16, encoder, streaming deframer. */
#ifndef PPTP_HDLC_H
#define PPTP_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HDLC_FLAG 0x7E          /* frame delimiter */
#define HDLC_ESC 0x7D           /* control escape: next octet is XORed with HDLC_ESC_XOR */
#define HDLC_ESC_XOR 0x20       /* RFC 1662 4.2: bit 5 complemented after an escape */
#define HDLC_FCS_INIT 0xFFFF    /* FCS-16 initial value */
#define HDLC_FCS_GOOD 0xF0B8    /* FCS-16 over frame + received FCS of a good frame */
#define HDLC_FCS_LEN 2          /* FCS-16 occupies two octets on the wire */
/* Largest PPP frame (without FCS) we carry; a longer one is dropped, with
 * reason.  Far above any MRU pppd negotiates over PPTP (1500 by default). */
#define HDLC_FRAME_MAX 8192
/* Worst case encoding of n bytes: every byte of frame and FCS escaped, plus
 * the opening and closing flag. */
#define HDLC_ENCODED_MAX(n) (2 * ((n) + 2) + 2)
/* Shortest accepted frame between flags, FCS included: 2 bytes of PPP
 * (at least a compressed protocol and one octet) + 2 of FCS. */
#define HDLC_FRAME_MIN 4

/* Update FCS-16 (RFC 1662 appendix C.2, table driven) over p[0..n). */
uint16_t hdlc_fcs16(uint16_t fcs, const uint8_t *p, size_t n);

/* Async-encode one PPP frame: opening flag, frame + FCS (complemented, LSB
 * first) with escaping of 0x7E, 0x7D and every char < 0x20 whose bit is set
 * in accm (bit i = char i), closing flag.  Returns bytes written, or -1 if
 * cap < needed (nothing useful is in out then).  Never writes past cap. */
/* The same, keeping the escape map for accm in *tx between frames
 * (zero-initialise tx before the first call). */
struct hdlc_tx {
	uint32_t accm;
	bool valid;
	uint8_t map[256];
};
ssize_t hdlc_tx_encode(struct hdlc_tx *tx, const uint8_t *frame, size_t n,
		       uint32_t accm, uint8_t *out, size_t cap);
ssize_t hdlc_async_encode(const uint8_t *frame, size_t n, uint32_t accm,
			  uint8_t *out, size_t cap);

/* Receive state of one async stream.  Treat as opaque; init with
 * hdlc_rx_init().  After hdlc_rx_next() returns >0, frame[0..ret) holds the
 * frame until the next call. */
struct hdlc_rx {
	uint8_t frame[HDLC_FRAME_MAX + HDLC_FCS_LEN];
	size_t len;     /* unescaped bytes of the current frame (FCS included) */
	bool esc;       /* the last byte seen was HDLC_ESC */
	bool overflow;  /* current run exceeded the limit; skip to next flag */
	bool started;   /* the current frame holds data or a pending escape */
};

enum {
	HDLC_EFCS = -1,     /* bad FCS */
	HDLC_ETOOLONG = -2, /* exceeded HDLC_FRAME_MAX+2 before a flag */
	HDLC_ESHORT = -3,   /* 1..3 bytes between flags (shorter than HDLC_FRAME_MIN) */
	HDLC_EABORT = -4,   /* 0x7D immediately followed by 0x7E */
};

void hdlc_rx_init(struct hdlc_rx *rx);

/* Streaming async deframer.  Consumes bytes from in[0..n) until one frame
 * completes or input runs out.
 *  >0: a good frame of that many bytes (FCS removed) is in rx->frame;
 *      *consumed = bytes used (closing flag included).  Call again with the rest.
 *   0: all n bytes consumed, no frame completed (partial state kept in rx,
 *      including an escape at the very end of a buffer).
 *  <0: HDLC_E*: a frame was discarded; *consumed set; count it and call again
 *      with the rest.
 * Empty frames (runs of flags) are skipped silently.  Bytes before the first
 * flag are frame data (pppd may omit the opening flag).  A run longer than
 * the limit gives one HDLC_ETOOLONG (consumed ends at the byte that broke
 * the limit), then its bytes are skipped up to the next flag without a
 * second error.  The sequence of results does not depend on how the stream
 * is split into calls. */
int hdlc_rx_next(struct hdlc_rx *rx, const uint8_t *in, size_t n, size_t *consumed);

const char *hdlc_strerror(int err);

#endif
