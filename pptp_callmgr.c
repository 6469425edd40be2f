/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_callmgr.c: the call manager: one control connection to a server,
 * shared by every pptp process that calls that server. */
#include "pptp_callmgr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/un.h>
#include <unistd.h>

#include "dirutil.h"
#include "routing.h"
#include "util.h"
#include "vector.h"

/* A caller that connects must send its request within this time. */
#define CM_REQUEST_WAIT_MS 2000
/* With no call at all for this long after start, the manager gives up:
 * the pptp that started it died before asking. */
#define CM_FIRST_CALL_WAIT_MS 15000
/* The call manager's socket: the owner and the group (pppd's) may call. */
#define CM_SOCKET_MODE 0770
/* Bound on how long the orderly end (StopCCRQ, reply, close) may take. */
#define CM_SHUTDOWN_WAIT_MS 5000

struct cm_client {
	int fd;
	int call_id;
	pid_t gateway_pid;
};

struct callmgr {
	const struct callmgr_config *cfg;
	int tcp, listen_fd;
	struct sockaddr_un sun;
	struct ctrl_conn *ctrl;
	/* The calls of the gateways: call id -> struct cm_client, one entry
	 * per gateway, the only table of them here (ctrl_conn.calls[] holds
	 * the protocol's side of each call). */
	struct vector *calls;
	bool had_call;
	bool closing;
	/* Until the control connection is up (or has failed): the pipe to
	 * the pptp that started us, and the first warning, which names the
	 * cause when it fails. */
	int ready_fd;
	bool conn_up;
	char setup_failure[200];
	uint64_t started, close_started;
	struct host_route route;
	char server[INET_ADDRSTRLEN];
};

static volatile sig_atomic_t cm_stop_signal;

static void cm_on_signal(int sig)
{
	cm_stop_signal = sig;
}

static int connect_with_timeout(int fd, const struct sockaddr_in *sa,
				uint32_t timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0, rc;

	set_nonblock(fd, true);
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	do {
		rc = poll(&pfd, 1, (int)timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return -ETIMEDOUT;
	if (rc < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return err ? -err : 0;
}

/* Tell the pptp that started us how the control connection went, once. */
static void report_ready(struct callmgr *cm, int err, const char *text)
{
	char line[CM_READY_MAX];
	int n;

	if (cm->ready_fd < 0)
		return;
	n = cm_ready_encode(line, sizeof(line), err, text);
	if (n > 0 && write_all(cm->ready_fd, line, (size_t)n) < 0)
		log_debug("ready pipe: %s", strerror(errno));
	close(cm->ready_fd);
	cm->ready_fd = -1;
}

static int open_tcp(const struct callmgr_config *cfg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(PPTP_PORT),
				  .sin_addr = cfg->server };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char addr[INET_ADDRSTRLEN];
	int rc;

	if (fd < 0)
		return -errno;
	if (cfg->rtmark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &cfg->rtmark,
		       sizeof(cfg->rtmark)) < 0) {
		rc = -errno;
		log_warn("setsockopt(SO_MARK): %s", strerror(-rc));
		close(fd);
		return rc;
	}
	if (cfg->localbind.s_addr != INADDR_NONE) {
		struct sockaddr_in src = { .sin_family = AF_INET,
					   .sin_addr = cfg->localbind };

		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			rc = -errno;
			log_warn("bind: %s", strerror(-rc));
			close(fd);
			return rc;
		}
	}
	inet_ntop(AF_INET, &cfg->server, addr, sizeof(addr));
	rc = connect_with_timeout(fd, &sa, cfg->connect_timeout_ms);
	if (rc < 0) {
		log_warn("connect to %s port %d: %s", addr, PPTP_PORT,
			 strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}

static int open_listener(struct callmgr *cm)
{
	struct stat st;
	mode_t old;
	int fd, rc;
	char dir[sizeof(cm->sun.sun_path)];
	char *slash;

	rc = callmgr_socket_name(&cm->sun, cm->cfg->server,
				 cm->cfg->localbind);
	if (rc < 0)
		return rc;
	snprintf(dir, sizeof(dir), "%s", cm->sun.sun_path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	rc = make_valid_path(dir, 0770);
	if (rc < 0) {
		log_warn("cannot make %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (stat(cm->sun.sun_path, &st) == 0) {
		log_warn("Call manager for %s is already running.", cm->server);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The mode comes from the umask at bind(): no chmod by path after
	 * it, which would follow a symlink swapped in meanwhile. */
	old = umask(0777 & ~CM_SOCKET_MODE);
	rc = bind(fd, (struct sockaddr *)&cm->sun, sizeof(cm->sun));
	umask(old);
	if (rc < 0) {
		rc = -errno;
		log_warn("bind %s: %s", cm->sun.sun_path, strerror(-rc));
		close(fd);
		return rc;
	}
	if (listen(fd, 64) < 0) {
		rc = -errno;
		close(fd);
		unlink(cm->sun.sun_path);
		return rc;
	}
	set_nonblock(fd, true);
	return fd;
}

static void stop_listening(struct callmgr *cm)
{
	if (cm->listen_fd < 0)
		return;
	close(cm->listen_fd);
	cm->listen_fd = -1;
	unlink(cm->sun.sun_path);
}

/* ---- clients ---------------------------------------------------------- */

static struct cm_client *client_by_call(struct callmgr *cm, uint16_t id)
{
	return vector_search(cm->calls, id);
}

static size_t client_count(const struct callmgr *cm)
{
	return cm->calls ? vector_size(cm->calls) : 0;
}

static void client_send(int fd, enum cm_msg_type type,
			const struct ctrl_event *ev)
{
	struct cm_msg m;
	uint8_t buf[CM_MSG_MAX];
	int n;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.call_id = ev->call_id;
	m.peer_call_id = ev->peer_call_id;
	m.send_accm = ev->send_accm;
	m.recv_accm = ev->recv_accm;
	snprintf(m.text, sizeof(m.text), "%s", ev->text);
	n = cm_encode(&m, buf, sizeof(buf));
	/* The reply is small and the socket is local: a failure means the
	 * gateway is gone, which its EOF will tell us anyway. */
	if (n > 0 && send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("reply to gateway: %s", strerror(errno));
}

/* Forget a gateway and its entry. */
static void client_remove(struct callmgr *cm, struct cm_client *cl)
{
	close(cl->fd);
	vector_remove(cm->calls, cl->call_id);
	free(cl);
}

/* Answer a gateway whose call cannot be placed, with the reason. */
static void refuse_gateway(int fd, const char *why)
{
	struct ctrl_event ev;

	memset(&ev, 0, sizeof(ev));
	snprintf(ev.text, sizeof(ev.text), "%s", why);
	client_send(fd, CM_CALL_DOWN, &ev);
	close(fd);
}

static void accept_client(struct callmgr *cm, uint64_t now)
{
	struct cm_msg req;
	struct cm_client *cl;
	int fd, id, rc;

	fd = accept4(cm->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (client_count(cm) >= CTRL_CALLS_MAX || cm->closing) {
		const char *why = cm->closing ? "the call manager is shutting down"
					      : "too many calls";

		log_warn("call refused: %s", why);
		refuse_gateway(fd, why);
		return;
	}
	rc = cm_read_timeout(fd, &req, CM_REQUEST_WAIT_MS);
	if (rc == 0 && req.type != CM_REQUEST)
		rc = -EPROTO;
	if (rc < 0) {
		log_warn("bad call request from gateway: %s", strerror(-rc));
		close(fd);
		return;
	}
	id = ctrl_call_open(cm->ctrl, now);
	if (id == -ENOTCONN && cm->conn_up) {
		/* A connection that worked is ending (the server stopped
		 * it): this gateway, and any after it, needs a fresh call
		 * manager.  Closing without a reply makes it start one. */
		log_debug("control connection ending: call request passed on");
		stop_listening(cm);
		close(fd);
		return;
	}
	if (id < 0) {
		/* The control connection failed to come up: its cause is
		 * the call's. */
		log_warn("cannot open call: %s", strerror(-id));
		refuse_gateway(fd, cm->setup_failure[0] ? cm->setup_failure
							 : strerror(-id));
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl || vector_insert(cm->calls, id, cl) < 0) {
		free(cl);
		log_warn("call refused: out of memory");
		ctrl_call_close(cm->ctrl, (uint16_t)id, now);
		refuse_gateway(fd, "out of memory");
		return;
	}
	cl->fd = fd;
	cl->call_id = id;
	cl->gateway_pid = (pid_t)req.gateway_pid;
	cm->had_call = true;
	log_debug("call %d requested by gateway pid %d", id, cl->gateway_pid);
}

static void client_readable(struct callmgr *cm, struct cm_client *cl,
			    uint64_t now)
{
	uint8_t junk[64];
	ssize_t n = recv(cl->fd, junk, sizeof(junk), MSG_DONTWAIT);

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	/* The gateway went away: its call ends. */
	log_info("Closing connection (call %d)", cl->call_id);
	ctrl_call_close(cm->ctrl, (uint16_t)cl->call_id, now);
	client_remove(cm, cl);
}

/* ---- control connection ---------------------------------------------- */

static void handle_event(struct callmgr *cm, const struct ctrl_event *ev)
{
	struct cm_client *cl;

	switch (ev->type) {
	case CEV_LOG:
		if (ev->level == 0 && !cm->conn_up && !cm->setup_failure[0])
			snprintf(cm->setup_failure, sizeof(cm->setup_failure),
				 "%s", ev->text);
		if (ev->level == 0)
			log_warn("%s", ev->text);
		else if (ev->level == 1)
			log_info("%s", ev->text);
		else
			log_debug("%s", ev->text);
		break;
	case CEV_CONN_UP:
		cm->conn_up = true;
		report_ready(cm, 0, NULL);
		break;
	case CEV_CALL_UP:
		cl = client_by_call(cm, ev->call_id);
		if (cl)
			client_send(cl->fd, CM_CALL_UP, ev);
		break;
	case CEV_CALL_SLI:
		cl = client_by_call(cm, ev->call_id);
		if (cl)
			client_send(cl->fd, CM_CALL_SLI, ev);
		break;
	case CEV_CALL_DOWN:
		cl = client_by_call(cm, ev->call_id);
		if (cl) {
			struct ctrl_event down = *ev;

			/* A call that waited for a connection that failed:
			 * the connection's cause is the call's. */
			if (!cm->conn_up && cm->setup_failure[0])
				snprintf(down.text, sizeof(down.text), "%s",
					 cm->setup_failure);
			client_send(cl->fd, CM_CALL_DOWN, &down);
			client_remove(cm, cl);
		}
		break;
	case CEV_CONN_DOWN:
		log_info("control connection to %s finished: %s", cm->server,
			 ev->text);
		if (!cm->conn_up)
			report_ready(cm, 0, cm->setup_failure[0]
					    ? cm->setup_failure : ev->text);
		break;
	}
}

static void drain_events(struct callmgr *cm)
{
	struct ctrl_event ev;

	while (ctrl_next_event(cm->ctrl, &ev))
		handle_event(cm, &ev);
}

static int flush_output(struct callmgr *cm)
{
	const uint8_t *p;
	size_t n = ctrl_output(cm->ctrl, &p);
	ssize_t w;

	if (n == 0)
		return 0;
	w = send(cm->tcp, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return -errno;
	}
	ctrl_output_done(cm->ctrl, (size_t)w);
	return 0;
}

static void tcp_readable(struct callmgr *cm, uint64_t now)
{
	uint8_t buf[4096];
	ssize_t n = recv(cm->tcp, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0) {
		ctrl_input(cm->ctrl, buf, (size_t)n, now);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ctrl_input_eof(cm->ctrl, n == 0 ? "connection closed" : strerror(errno));
}

static void begin_close(struct callmgr *cm, uint64_t now, const char *why)
{
	if (cm->closing)
		return;
	cm->closing = true;
	cm->close_started = now;
	log_debug("call manager closing: %s", why);
	/* A pptp that comes now must start a fresh call manager. */
	stop_listening(cm);
	ctrl_close(cm->ctrl, PPTP_STOP_REASON_NONE, now);
}

static int poll_timeout(struct callmgr *cm, uint64_t now)
{
	uint64_t d = ctrl_deadline(cm->ctrl);

	if (!cm->had_call && cm->started + CM_FIRST_CALL_WAIT_MS < d)
		d = cm->started + CM_FIRST_CALL_WAIT_MS;
	if (cm->closing && cm->close_started + CM_SHUTDOWN_WAIT_MS < d)
		d = cm->close_started + CM_SHUTDOWN_WAIT_MS;
	if (d == UINT64_MAX)
		return -1;
	return d <= now ? 0 : (int)(d - now > 60000 ? 60000 : d - now);
}

static void serve(struct callmgr *cm)
{
	struct pollfd pfd[CTRL_CALLS_MAX + 2];
	int polled[CTRL_CALLS_MAX];	/* call id of each client slot */

	for (;;) {
		uint64_t now = now_ms();
		size_t n = 0, i, base, npolled = 0;
		const uint8_t *out;
		int rc;

		drain_events(cm);
		if (cm_stop_signal)
			begin_close(cm, now, "signal");
		if (!cm->closing && cm->had_call && client_count(cm) == 0 &&
		    ctrl_calls_active(cm->ctrl) == 0)
			begin_close(cm, now, "last call ended");
		if (!cm->had_call && now >= cm->started + CM_FIRST_CALL_WAIT_MS)
			begin_close(cm, now, "no call requested");
		if (cm->closing && now >= cm->close_started + CM_SHUTDOWN_WAIT_MS)
			break;
		if (flush_output(cm) < 0)
			ctrl_input_eof(cm->ctrl, strerror(errno));
		drain_events(cm);
		if (cm->ctrl->state == CONN_CLOSED &&
		    ctrl_output(cm->ctrl, &out) == 0)
			break;
		if (cm->ctrl->state == CONN_CLOSED) {
			/* A final message (a StopCCRP) still to go out. */
			flush_output(cm);
			break;
		}
		pfd[n].fd = cm->tcp;
		pfd[n].events = POLLIN;
		if (ctrl_output(cm->ctrl, &out) > 0)
			pfd[n].events |= POLLOUT;
		n++;
		if (cm->listen_fd >= 0) {
			pfd[n].fd = cm->listen_fd;
			pfd[n++].events = POLLIN;
		}
		base = n;
		for (i = 0; i < client_count(cm) && npolled < CTRL_CALLS_MAX; i++) {
			int id;
			struct cm_client *cl = vector_get_nth(cm->calls, i, &id);

			polled[npolled++] = id;
			pfd[n].fd = cl->fd;
			pfd[n++].events = POLLIN;
		}
		rc = poll(pfd, n, poll_timeout(cm, now));
		now = now_ms();
		if (rc < 0) {
			if (errno != EINTR)
				break;
			continue;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			tcp_readable(cm, now);
		/* Clients sit at pfd[base + i], found again by call id: one
		 * may have gone while the control connection was read. */
		for (i = 0; i < npolled; i++) {
			struct cm_client *cl = client_by_call(cm, (uint16_t)polled[i]);

			if (cl && pfd[base + i].fd == cl->fd && pfd[base + i].revents)
				client_readable(cm, cl, now);
		}
		if (base > 1 && cm->listen_fd >= 0 &&
		    pfd[1].fd == cm->listen_fd && (pfd[1].revents & POLLIN))
			accept_client(cm, now);
		ctrl_tick(cm->ctrl, now);
	}
}

static void finish(struct callmgr *cm)
{
	int rc;

	drain_events(cm);
	report_ready(cm, 0, cm->setup_failure[0] ? cm->setup_failure
			    : "the call manager ended before the control "
			      "connection came up");
	while (client_count(cm) > 0)
		client_remove(cm, vector_get_nth(cm->calls, 0, NULL));
	stop_listening(cm);
	if (cm->tcp >= 0) {
		/* An orderly close: FIN after our last message. */
		shutdown(cm->tcp, SHUT_WR);
		close(cm->tcp);
	}
	if (cm->route.added) {
		char r[128];

		route_host_format(&cm->route, r, sizeof(r));
		rc = route_host_del(&cm->route);
		if (rc < 0 && rc != -ESRCH)
			log_warn("cannot remove host route %s: %s", r,
				 strerror(-rc));
		else
			log_debug("host route %s removed", r);
	}
}

static void add_host_route(struct callmgr *cm)
{
	char r[128];
	int rc;

	if (!cm->cfg->hostroute)
		return;
	rc = route_host_add(cm->cfg->server, cm->cfg->rtmark, &cm->route);
	if (rc < 0) {
		log_warn("cannot add host route to %s: %s", cm->server,
			 strerror(-rc));
		return;
	}
	route_host_format(&cm->route, r, sizeof(r));
	if (cm->route.added)
		log_debug("host route %s added", r);
}

int callmgr_main(const struct callmgr_config *cfg, int ready_fd)
{
	static struct ctrl_conn ctrl;
	struct ctrl_config ctrl_cfg;
	struct callmgr cm;
	struct sigaction sa;
	int nullfd, rc;

	memset(&cm, 0, sizeof(cm));
	cm.cfg = cfg;
	cm.ctrl = &ctrl;
	cm.listen_fd = -1;
	cm.ready_fd = ready_fd;
	inet_ntop(AF_INET, &cfg->server, cm.server, sizeof(cm.server));
	proc_title_set("pptpcm", "pptp: call manager for %s", cm.server);
	cm.tcp = open_tcp(cfg);
	if (cm.tcp < 0) {
		log_warn("Could not open control connection to %s", cm.server);
		report_ready(&cm, -cm.tcp, "");
		return 1;
	}
	cm.listen_fd = open_listener(&cm);
	if (cm.listen_fd < 0) {
		report_ready(&cm, -cm.listen_fd, "cannot listen for calls");
		close(cm.tcp);
		return 1;
	}
	switch (fork()) {
	case -1:
		rc = -errno;
		log_warn("fork: %s", strerror(-rc));
		report_ready(&cm, -rc, "");
		stop_listening(&cm);
		return 1;
	case 0:
		break;
	default:
		/* The grandchild serves; it says on ready_fd when the
		 * control connection is up. */
		close(cm.listen_fd);
		close(cm.tcp);
		_exit(0);
	}
	setsid();
	nullfd = open("/dev/null", O_RDWR);
	if (nullfd >= 0) {
		dup2(nullfd, STDIN_FILENO);
		dup2(nullfd, STDOUT_FILENO);
		if (!cfg->debug)
			dup2(nullfd, STDERR_FILENO);
		if (nullfd > STDERR_FILENO)
			close(nullfd);
	}
	log_set_stderr(cfg->debug);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cm_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	add_host_route(&cm);
	cm.started = now_ms();
	ctrl_cfg = cfg->ctrl;
	if (getrandom(&ctrl_cfg.call_id_base, sizeof(ctrl_cfg.call_id_base),
		      GRND_NONBLOCK) != sizeof(ctrl_cfg.call_id_base))
		ctrl_cfg.call_id_base = (uint16_t)(getpid() ^ cm.started);
	ctrl_start(&ctrl, &ctrl_cfg, cm.started);
	cm.calls = vector_create();
	if (!cm.calls) {
		log_warn("out of memory");
		report_ready(&cm, ENOMEM, "");
		finish(&cm);
		return 1;
	}
	serve(&cm);
	finish(&cm);
	vector_destroy(cm.calls);
	return 0;
}
