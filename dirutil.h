/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dirutil.h: the /var/run/pptp directory and the call manager socket names. */
#ifndef PPTP_DIRUTIL_H
#define PPTP_DIRUTIL_H
#include <netinet/in.h>
#include <stddef.h>
#include <sys/un.h>

/* Where call managers listen; overridable for tests by PPTP_RUNDIR. */
#define PPTP_RUNDIR_DEFAULT "/var/run/pptp"

const char *pptp_rundir(void);
/* mkdir -p with mode for each missing component; 0 or -errno. */
int make_valid_path(const char *dir, mode_t mode);
/* The call manager socket for (local bind address, server):
 * "<rundir>/<local>:<server>", the local part 255.255.255.255 when no
 * --localbind was given, as pptp-linux names it. 0 or -ENAMETOOLONG. */
int callmgr_socket_name(struct sockaddr_un *sun, struct in_addr server,
			struct in_addr localbind);
#endif
