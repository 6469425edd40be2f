/* SPDX-License-Identifier: GPL-2.0-or-later */
/* greblast: raw GRE sender/receiver, the benchmark's no-client ceiling. */

/*
 *   greblast send --to ADDR --count N --size B [--call-id ID]
 *   greblast recv --count N [--idle-ms MS] [--max-s S] [--ready FILE]
 * The sender writes enhanced-GRE (RFC 2637) packets with key and sequence
 * number carrying a B-byte PPP frame, flat out with sendmmsg; the frames
 * carry the benchmark pattern (ff 03 00 21, BE32 index, (index + i) &
 * 0xff), so with --call-id set to a live call's id it is also the
 * downstream flood source that a client must deliver to its pty.  The
 * receiver counts them with recvmmsg on a raw IPPROTO_GRE socket and
 * prints KEY=VALUE lines: received, fps, elapsed.  Both bounded.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64		/* packets per sendmmsg/recvmmsg */
#define GRE_HDR 12		/* flags, proto, len, call id, seq */
#define MAX_PAYLOAD 2048
#define PKT_MAX 65536		/* one IPv4 datagram */
#define RCVBUF (4 << 20)	/* as big as tsrv's */
#define GRE_PROTO_PPP 0x880b

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static void pattern_fill(uint8_t *f, size_t size, uint32_t idx)
{
	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = 0x00;
	f[3] = 0x21;
	put_be32(f + 4, idx);
	for (size_t i = 8; i < size; i++)
		f[i] = (uint8_t)(idx + (i - 8));
}

static int do_send(const char *to, uint64_t count, size_t size,
		   uint16_t call_id)
{
	static uint8_t pkt[BATCH][GRE_HDR + MAX_PAYLOAD];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_GRE);
	uint64_t sent = 0, fails = 0, t0 = now_us();
	uint32_t seq = 0;

	if (fd < 0 || inet_pton(AF_INET, to, &sa.sin_addr) != 1) {
		perror("greblast: socket/address");
		return 2;
	}
	for (int i = 0; i < BATCH; i++) {
		uint8_t *g = pkt[i];

		g[0] = 0x30;	/* key + sequence present */
		g[1] = 0x01;	/* version 1 */
		put_be16(g + 2, GRE_PROTO_PPP);
		put_be16(g + 4, (uint16_t)size);
		put_be16(g + 6, call_id);
		iov[i] = (struct iovec){ g, GRE_HDR + size };
		m[i].msg_hdr = (struct msghdr){ .msg_name = &sa,
						.msg_namelen = sizeof(sa),
						.msg_iov = &iov[i],
						.msg_iovlen = 1 };
	}
	while (sent < count) {
		unsigned n = count - sent < BATCH ? (unsigned)(count - sent)
						  : BATCH;
		int r;

		for (unsigned i = 0; i < n; i++) {
			pattern_fill(pkt[i] + GRE_HDR, size, seq);
			put_be32(pkt[i] + 8, seq++);
		}
		r = sendmmsg(fd, m, n, 0);
		if (r <= 0) {
			fails++;
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
				break;
			continue;
		}
		sent += (uint64_t)r;
	}
	printf("sent=%" PRIu64 "\nsend_failures=%" PRIu64 "\nsend_us=%" PRIu64
	       "\n", sent, fails, now_us() - t0);
	return 0;
}

static int do_recv(uint64_t count, double idle_ms, double max_s,
		   const char *ready)
{
	static uint8_t buf[BATCH][PKT_MAX];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_GRE), rcv = RCVBUF;
	uint64_t got = 0, first = 0, last = 0;
	uint64_t deadline = now_us() + (uint64_t)(max_s * 1e6);

	if (fd < 0) {
		perror("greblast: socket");
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i],
						.msg_iovlen = 1 };
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	while (got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_us();
		int r;

		if (now >= deadline || (last && now - last > idle_ms * 1000))
			break;
		if (poll(&p, 1, 5) <= 0)
			continue;
		r = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (r <= 0)
			continue;
		now = now_us();
		if (!first)
			first = now;
		last = now;
		got += (uint64_t)r;
	}
	printf("received=%" PRIu64 "\nactive_us=%" PRIu64 "\nfps=%.1f\n", got,
	       last - first,
	       last > first ? (double)got / ((double)(last - first) / 1e6)
			    : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "to", 1, NULL, 't' }, { "count", 1, NULL, 'n' },
		{ "size", 1, NULL, 's' }, { "idle-ms", 1, NULL, 'i' },
		{ "max-s", 1, NULL, 'x' }, { "ready", 1, NULL, 'r' },
		{ "call-id", 1, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *to = NULL, *ready = NULL;
	uint64_t count = 100000;
	size_t size = 68;
	uint16_t call_id = 1;
	double idle = 300, max_s = 10;
	int ch;

	if (argc < 2) {
		fprintf(stderr, "usage: greblast send|recv [options]\n");
		return 2;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 't': to = optarg; break;
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'i': idle = atof(optarg); break;
		case 'x': max_s = atof(optarg); break;
		case 'r': ready = optarg; break;
		case 'c': call_id = (uint16_t)strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (size < 8 || size > MAX_PAYLOAD)
		return 2;
	if (!strcmp(argv[1], "send") && to)
		return do_send(to, count, size, call_id);
	if (!strcmp(argv[1], "recv"))
		return do_recv(count, idle, max_s, ready);
	fprintf(stderr, "usage: greblast send --to ADDR | recv\n");
	return 2;
}
