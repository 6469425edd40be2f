// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * udpflow: a bounded UDP datagram source and a checking sink, for the
 * qemu sync bench (bench/sync_qemu.sh, test/e2e guest.sh t_sync_bench).
 *
 *   udpflow send DST PORT COUNT SIZE RATE MAX_S
 *       COUNT datagrams of SIZE bytes to DST:PORT; RATE datagrams/s
 *       (0: as fast as sendto returns), at most MAX_S seconds.
 *   udpflow recv ADDR PORT COUNT SIZE IDLE_MS MAX_S
 *       counts intact, distinct datagrams on ADDR:PORT until COUNT of
 *       them, IDLE_MS without one after the first, or MAX_S seconds.
 *
 * Datagram: a 32-bit index (network order), then SIZE - 4 pattern bytes
 * (byte i = (index * 31 + i * 7) & 0xff), so that a truncated, merged or
 * damaged datagram does not count.  Both print key=value lines at the end.
 * Static build, so that it runs in the e2e guest as it is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 1472u
#define MAX_COUNT 10000000u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(unsigned char *p, uint32_t idx, size_t size)
{
	uint32_t n = htonl(idx);

	memcpy(p, &n, 4);
	for (size_t i = 4; i < size; i++)
		p[i] = (unsigned char)((idx * 31u + i * 7u) & 0xffu);
}

static int check(const unsigned char *p, size_t len, size_t size, uint32_t count, uint32_t *idx)
{
	uint32_t n;

	if (len != size)
		return 0;
	memcpy(&n, p, 4);
	n = ntohl(n);
	if (n >= count)
		return 0;
	for (size_t i = 4; i < size; i++)
		if (p[i] != (unsigned char)((n * 31u + i * 7u) & 0xffu))
			return 0;
	*idx = n;
	return 1;
}

static int parse_addr(const char *a, const char *port, struct sockaddr_in *sa)
{
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (*end || p == 0 || p > 65535 || inet_pton(AF_INET, a, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)p);
	return 0;
}

static int num(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int do_send(struct sockaddr_in *dst, uint32_t count, size_t size, unsigned long rate, double max_s)
{
	unsigned char buf[MAX_SIZE];
	unsigned long errs = 0, sent = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	double t0, t, end;

	if (fd < 0 || connect(fd, (struct sockaddr *)dst, sizeof(*dst)) < 0) {
		perror("udpflow send: socket/connect");
		return 1;
	}
	t0 = now_s();
	end = t0 + max_s;
	for (uint32_t i = 0; i < count; i++) {
		if (rate) {
			/* Due time of datagram i; sleep (never spin: the guest has one CPU). */
			double due = t0 + (double)i / (double)rate;
			t = now_s();
			if (t < due) {
				double d = due - t;
				struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
				nanosleep(&ts, NULL);
			}
		}
		if ((i & 63u) == 0 && now_s() > end)
			break;
		fill(buf, i, size);
		if (send(fd, buf, size, 0) == (ssize_t)size)
			sent++;
		else
			errs++;
	}
	t = now_s();
	printf("sent=%lu\nsend_errors=%lu\nsend_s=%.3f\nsend_rate=%.0f\n", sent, errs, t - t0,
	       t > t0 ? (double)sent / (t - t0) : 0.0);
	close(fd);
	return 0;
}

static int do_recv(struct sockaddr_in *addr, uint32_t count, size_t size, unsigned long idle_ms, double max_s)
{
	unsigned char buf[MAX_SIZE + 64];
	unsigned char *seen = calloc(count, 1);
	unsigned long good = 0, dup = 0, bad = 0, reorder = 0;
	uint32_t last = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 4 << 20, have_last = 0;
	double t0 = now_s(), first = 0, lastt = 0, t;

	if (!seen || fd < 0) {
		perror("udpflow recv");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0) {
		perror("udpflow recv: bind");
		return 1;
	}
	printf("ready=1\n");
	fflush(stdout);
	while (good < count) {
		struct pollfd p = { fd, POLLIN, 0 };
		int wait_ms;
		uint32_t idx;
		ssize_t n;

		t = now_s();
		if (t - t0 > max_s)
			break;
		if (good + bad + dup > 0 && (t - lastt) * 1000.0 > (double)idle_ms)
			break;
		wait_ms = 100;
		if (poll(&p, 1, wait_ms) <= 0)
			continue;
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
			lastt = now_s();
			if (good + bad + dup == 0)
				first = lastt;
			if (!check(buf, (size_t)n, size, count, &idx)) {
				bad++;
				continue;
			}
			if (seen[idx]) {
				dup++;
				continue;
			}
			seen[idx] = 1;
			good++;
			if (have_last && idx < last)
				reorder++;
			last = idx;
			have_last = 1;
		}
	}
	printf("received=%lu\nbad=%lu\ndup=%lu\nreordered=%lu\nrecv_s=%.3f\nrecv_rate=%.0f\n", good, bad, dup,
	       reorder, lastt - first, lastt > first ? (double)good / (lastt - first) : 0.0);
	free(seen);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	unsigned long count, size, a5, max_s;

	if (argc != 8 || parse_addr(argv[2], argv[3], &sa) < 0 || num(argv[4], 1, MAX_COUNT, &count) < 0 ||
	    num(argv[5], 8, MAX_SIZE, &size) < 0 || num(argv[6], 0, 100000000, &a5) < 0 ||
	    num(argv[7], 1, 3600, &max_s) < 0) {
		fprintf(stderr, "usage: udpflow send DST PORT COUNT SIZE RATE MAX_S\n"
				"       udpflow recv ADDR PORT COUNT SIZE IDLE_MS MAX_S\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "send"))
		return do_send(&sa, (uint32_t)count, size, a5, (double)max_s);
	if (!strcmp(argv[1], "recv"))
		return do_recv(&sa, (uint32_t)count, size, a5 ? a5 : 1, (double)max_s);
	fprintf(stderr, "udpflow: mode must be send or recv\n");
	return 2;
}
