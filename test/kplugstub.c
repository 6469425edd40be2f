/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kplugstub: plays the pppd plugin pptp-kernel.so where there is no pppd
 * (the namespace suites): starts "pptp SERVER --kernel-channel N [args]"
 * the way the plugin does, takes its offer (pptp_kernel.h), writes what
 * it got to a result file, and then
 *   - a pty (the gateway carries the call): execs pppstub on it, keeping
 *     the channel socket open until pppstub exits, as pppd would;
 *   - a PPTP socket (a kernel with the pptp module): keeps it and the
 *     channel for KPLUG_HOLD_MS, then closes both;
 *   - a failure: exits 3.
 * usage: kplugstub RESULT PPTP PPPSTUB SERVER [pptp args...]
 *        kplugstub --probe    (exit 0 when this kernel has PPTP sockets) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pptp_kernel.h"
/* After netinet/in.h (pptp_kernel.h), which it must not redefine. */
#include <linux/if_pppox.h>

#define OFFER_WAIT_MS 30000
#define ARGS_MAX 32

static void start_pptp(int sock, int argc, char **argv)
{
	char *av[ARGS_MAX + 5], fdarg[16];
	int n = 0, fd = dup(sock);	/* without close-on-exec */

	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	av[n++] = argv[2];
	av[n++] = argv[4];
	av[n++] = KCHAN_PPTP_ARG;
	av[n++] = fdarg;
	for (int i = 5; i < argc && n < ARGS_MAX; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	execv(av[0], av);
	perror("kplugstub: execv pptp");
	_exit(127);
}

int main(int argc, char **argv)
{
	static const char *kinds[] = { "?", "kernel", "pty", "failed" };
	struct kchan_offer o;
	FILE *res;
	int sv[2], fd, rc;
	pid_t pid;

	if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
		fd = socket(AF_PPPOX, SOCK_STREAM, PX_PROTO_PPTP);
		return fd >= 0 ? 0 : 1;
	}
	if (argc < 5) {
		fprintf(stderr, "usage: kplugstub RESULT PPTP PPPSTUB SERVER "
			"[pptp args...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(sv[0]);
		start_pptp(sv[1], argc, argv);
	}
	close(sv[1]);
	rc = kchan_recv_offer(sv[0], &o, &fd, OFFER_WAIT_MS);
	res = fopen(argv[1], "w");
	if (!res)
		return 2;
	if (rc < 0) {
		fprintf(res, "error=%s\n", strerror(-rc));
		fclose(res);
		return 3;
	}
	fprintf(res, "kind=%s\ncall_id=%u\npeer_call_id=%u\nserver=%s\n"
		"text=%s\n", o.kind <= KCHAN_FAILED ? kinds[o.kind] : "?",
		o.call_id, o.peer_call_id, o.server, o.text);
	fclose(res);
	if (o.kind == KCHAN_FAILED)
		return 3;
	if (o.kind == KCHAN_KERNEL) {
		const char *h = getenv("KPLUG_HOLD_MS");

		usleep((useconds_t)(h ? atoi(h) : 1000) * 1000);
		return 0;
	}
	/* pppd's side of the pty: pppstub on stdin/stdout; the channel
	 * socket stays open in it (no close-on-exec) until it exits. */
	fcntl(sv[0], F_SETFD, 0);
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	execl(argv[3], argv[3], (char *)NULL);
	perror("kplugstub: execl pppstub");
	return 2;
}
