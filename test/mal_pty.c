/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mal_pty: stands in for pppd on the pty and writes crafted HDLC byte streams between good frames. */

/*
 * For test/malformed.sh.  Runs on the pppd side of the pty (stdin/stdout,
 * like pppstub with socat), waits --delay-ms for the call to come up, then
 * writes: GOOD good frames, the scenario's bad bytes, GOOD more good frames;
 * then reads and discards what comes back for --linger-ms and exits.
 *
 * Good frames carry tsrv's verification pattern (ff 03 00 21, 32-bit
 * index counting from 0, then (index + i) & 0xff); every frame that must
 * be dropped carries the poison index 0xffffffff, so tsrv --data sink
 * counts a leak as rx_poison (or as bad payload if it arrives cut).
 * Written from RFC 1662, independent of the client's HDLC code.
 *
 * Prints "good=N" (good frames written) on stderr at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FLAG 0x7e
#define ESC 0x7d
#define POISON 0xffffffffu
#define FRAME_BIG 65000		/* largest crafted frame */
#define ENC_MAX (2 * (FRAME_BIG + 2) + 2)
#define GOOD 5			/* good frames before and after */
#define GOOD_SIZE 200
#define GAP_MS 20		/* between writes, so they are separate reads */
#define GARBAGE_SHORT 5000	/* brief: 5000 bytes without a flag */
#define GARBAGE_LONG 20000	/* past the deframer's limit */

static uint16_t fcs_tab[256];
static uint32_t next_index;
static unsigned good_written;
static uint8_t frame[FRAME_BIG];
static uint8_t enc[ENC_MAX];

static void fcs_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint16_t v = (uint16_t)b;

		for (int i = 0; i < 8; i++)
			v = (v & 1) ? (uint16_t)((v >> 1) ^ 0x8408)
				    : (uint16_t)(v >> 1);
		fcs_tab[b] = v;
	}
}

static uint16_t fcs16(const uint8_t *p, size_t n)
{
	uint16_t f = 0xffff;

	while (n--)
		f = (uint16_t)((f >> 8) ^ fcs_tab[(f ^ *p++) & 0xff]);
	return (uint16_t)~f;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Discard what pptp writes to us, so it never blocks on the pty. */
static void drain_input(void)
{
	static uint8_t junk[65536];
	struct pollfd p = { .fd = 0, .events = POLLIN };

	while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
		if (read(0, junk, sizeof(junk)) <= 0)
			break;
}

static void out(const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				drain_input();
				sleep_ms(1);
				continue;
			}
			perror("mal_pty: write");
			exit(1);
		}
		p += w;
		n -= (size_t)w;
		drain_input();
	}
}

static void pattern(uint8_t *f, size_t size, uint32_t index)
{
	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = 0x00;
	f[3] = 0x21;
	f[4] = (uint8_t)(index >> 24);
	f[5] = (uint8_t)(index >> 16);
	f[6] = (uint8_t)(index >> 8);
	f[7] = (uint8_t)index;
	for (size_t i = 8; i < size; i++)
		f[i] = (uint8_t)(index + (i - 8));
}

static size_t put_byte(uint8_t *e, size_t k, uint8_t c)
{
	if (c < 0x20 || c == FLAG || c == ESC) {
		e[k++] = ESC;
		c ^= 0x20;
	}
	e[k++] = c;
	return k;
}

/* Opening flag, escaped frame and FCS (fcs_xor bends it), closing flag
 * if close_flag. */
static size_t encode(const uint8_t *f, size_t n, uint16_t fcs_xor,
		     int close_flag)
{
	uint16_t fcs = (uint16_t)(fcs16(f, n) ^ fcs_xor);
	size_t k = 0;

	enc[k++] = FLAG;
	for (size_t i = 0; i < n; i++)
		k = put_byte(enc, k, f[i]);
	k = put_byte(enc, k, (uint8_t)fcs);
	k = put_byte(enc, k, (uint8_t)(fcs >> 8));
	if (close_flag)
		enc[k++] = FLAG;
	return k;
}

static void good_frame(size_t size)
{
	pattern(frame, size, next_index++);
	out(enc, encode(frame, size, 0, 1));
	good_written++;
	sleep_ms(GAP_MS);
}

static void poison_frame(size_t size, uint16_t fcs_xor)
{
	pattern(frame, size, POISON);
	out(enc, encode(frame, size, fcs_xor, 1));
	sleep_ms(GAP_MS);
}

static void raw(const uint8_t *p, size_t n)
{
	out(p, n);
	sleep_ms(GAP_MS);
}

/* Bytes that are never a flag, deterministic. */
static void garbage(size_t n)
{
	static uint8_t g[GARBAGE_LONG];
	uint32_t x = 0x12345678u;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		g[i] = (uint8_t)(x >> 16);
		if (g[i] == FLAG)
			g[i] = 0x5e;
	}
	raw(g, n);
}

static int scenario(const char *name)
{
	if (!strcmp(name, "at_max")) {
		/* HDLC_FRAME_MAX itself is a legal frame: it must pass */
		good_frame(8192);
	} else if (!strcmp(name, "over_max")) {
		poison_frame(8193, 0);
	} else if (!strcmp(name, "huge")) {
		poison_frame(20000, 0);
		poison_frame(65000, 0);
	} else if (!strcmp(name, "badfcs")) {
		poison_frame(100, 0x0001);	/* one FCS bit */
		poison_frame(300, 0xffff);	/* FCS not complemented */
		pattern(frame, 200, POISON);
		size_t k = encode(frame, 200, 0, 1);
		enc[20] ^= 0x04;		/* a payload bit, FCS unchanged */
		raw(enc, k);
	} else if (!strcmp(name, "flags")) {
		static uint8_t f[2000];

		memset(f, FLAG, sizeof(f));
		raw(f, sizeof(f));
		good_frame(GOOD_SIZE);
		raw(f, 3);
		good_frame(GOOD_SIZE);
		raw(f, sizeof(f));
	} else if (!strcmp(name, "trunc")) {
		/* a frame cut short by a flag (bad FCS), frames of 1, 2 and 3
		 * bytes (shorter than any FCS), and an abort (escape, flag) */
		pattern(frame, 200, POISON);
		encode(frame, 200, 0, 0);
		enc[40] = FLAG;
		raw(enc, 41);
		raw((const uint8_t *)"\x7e\x41\x7e", 3);
		raw((const uint8_t *)"\x7e\x41\x42\x7e", 4);
		raw((const uint8_t *)"\x7e\x41\x42\x43\x7e", 5);
		size_t k = encode(frame, 200, 0, 0);
		enc[k++] = ESC;
		enc[k++] = FLAG;
		raw(enc, k);
	} else if (!strcmp(name, "escend")) {
		/* good frames, each written in two parts split right after an
		 * escape octet: the escape sits at the end of one read */
		for (int r = 0; r < 3; r++) {
			pattern(frame, GOOD_SIZE, next_index++);
			size_t k = encode(frame, GOOD_SIZE, 0, 1), cut = 0;

			for (size_t i = 1 + 10 * (size_t)r; i < k && !cut; i++)
				if (enc[i] == ESC)
					cut = i + 1;
			raw(enc, cut);
			sleep_ms(50);
			raw(enc + cut, k - cut);
			good_written++;
		}
	} else if (!strcmp(name, "garbage")) {
		garbage(GARBAGE_SHORT);
	} else if (!strcmp(name, "garbage_long")) {
		garbage(GARBAGE_LONG);
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned delay_ms = 500, linger_ms = 1500;
	const char *name = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--delay-ms") && i + 1 < argc)
			delay_ms = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--linger-ms") && i + 1 < argc)
			linger_ms = (unsigned)atoi(argv[++i]);
		else if (!name && argv[i][0] != '-')
			name = argv[i];
	}
	if (!name) {
		fprintf(stderr, "usage: mal_pty SCENARIO [--delay-ms N] "
			"[--linger-ms N]\n  scenarios: at_max over_max huge "
			"badfcs flags trunc escend garbage garbage_long\n");
		return 2;
	}
	fcs_init();
	for (unsigned t = 0; t < delay_ms; t += 10) {
		drain_input();
		sleep_ms(10);
	}
	for (int i = 0; i < GOOD; i++)
		good_frame(GOOD_SIZE);
	if (scenario(name) < 0) {
		fprintf(stderr, "mal_pty: unknown scenario %s\n", name);
		return 2;
	}
	for (int i = 0; i < GOOD; i++)
		good_frame(GOOD_SIZE);
	for (unsigned t = 0; t < linger_ms; t += 10) {
		drain_input();
		sleep_ms(10);
	}
	fprintf(stderr, "good=%u\n", good_written);
	return 0;
}
