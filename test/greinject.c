/* SPDX-License-Identifier: GPL-2.0-or-later */
/* greinject: send a PPTP peer enhanced GRE packets (RFC 2637 4.1) that
 * carry LCP packets (RFC 1661 5), as a server's pppd would, without
 * acknowledgements: test/grediag.sh uses it to play a server whose PPP
 * keeps asking (Configure-Request) or finally answers (Configure-Ack).
 * Written from the RFCs, independent of the client's codecs.
 *
 *   greinject ADDR CALL_ID CODE COUNT INTERVAL_MS [FIRST_SEQ]
 *
 * ADDR: the client's IPv4 address; CALL_ID: the client's call id (the
 * key of the packets it accepts); CODE: the LCP code (1 Configure-
 * Request, 2 Configure-Ack, ...).  Needs CAP_NET_RAW.  Exit status 0 when
 * every packet went out, 1 when one could not be sent, 2 on bad usage. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GRE_FLAGS_KS 0x30	/* K and S set */
#define GRE_VER1 0x01
#define GRE_PROTO_PPP 0x880b
#define LCP_LEN 10		/* code, id, length, one Magic-Number option */
#define COUNT_MAX 1000

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static int num(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 0);
	return errno || *end || end == s || *out < lo || *out > hi ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	long call_id, code, count, interval, seq = 1;
	uint8_t pkt[12 + 4 + LCP_LEN];
	int fd;

	if ((argc != 6 && argc != 7) || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    num(argv[2], 0, 65535, &call_id) || num(argv[3], 1, 255, &code) ||
	    num(argv[4], 1, COUNT_MAX, &count) ||
	    num(argv[5], 0, 60000, &interval) ||
	    (argc == 7 && num(argv[6], 0, 0xffffffffL, &seq))) {
		fprintf(stderr, "usage: greinject ADDR CALL_ID CODE COUNT "
			"INTERVAL_MS [FIRST_SEQ]\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_GRE);
	if (fd < 0) {
		perror("greinject: socket");
		return 2;
	}
	for (long i = 0; i < count; i++) {
		struct timespec gap = { interval / 1000,
					(interval % 1000) * 1000000L };
		uint8_t *lcp = pkt + 16;

		pkt[0] = GRE_FLAGS_KS;
		pkt[1] = GRE_VER1;
		put16(pkt + 2, GRE_PROTO_PPP);
		put16(pkt + 4, 4 + LCP_LEN);
		put16(pkt + 6, (unsigned)call_id);
		put32(pkt + 8, (uint32_t)(seq + i));
		pkt[12] = 0xff;		/* address */
		pkt[13] = 0x03;		/* control */
		put16(pkt + 14, 0xc021);	/* LCP */
		lcp[0] = (uint8_t)code;
		lcp[1] = (uint8_t)(i + 1);	/* identifier */
		put16(lcp + 2, LCP_LEN);
		lcp[4] = 5;			/* Magic-Number */
		lcp[5] = 6;
		put32(lcp + 6, 0x12345678);
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
			   sizeof(to)) != (ssize_t)sizeof(pkt)) {
			perror("greinject: sendto");
			return 1;
		}
		if (i + 1 < count)
			nanosleep(&gap, NULL);
	}
	close(fd);
	return 0;
}
