// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctl_socket.c - the control socket of rmt-run (see ctl_socket.h): a
 * thread that admits one agent at a time and any number of viewers, and
 * the client side of the handshake.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto/user/ring_mem.h"
#include "uspace/ctl_socket.h"

struct rmt_us_ctl_server {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fds[3];
	int listen_fd;
	int agent_fd; /* the attached agent's connection, -1: none */
	int stop_pipe[2];
	unsigned int agents;
	pthread_t thread;
};

static int make_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

static void refuse(int c, const char *why)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%c%s\n", RMT_US_CTL_REFUSED, why);

	if (send(c, line, (size_t)n, MSG_NOSIGNAL) < 0)
		return;
}

static int send_fds(struct rmt_us_ctl_server *s, int c)
{
	int i, err;

	for (i = 0; i < 3; i++) {
		err = rmt_fd_send(c, s->fds[i]);
		if (err)
			return err;
	}
	return 0;
}

static void admit(struct rmt_us_ctl_server *s, int c)
{
	struct pollfd p = { c, POLLIN, 0 };
	char kind = 0;

	if (poll(&p, 1, 1000) != 1 || recv(c, &kind, 1, 0) != 1) {
		close(c);
		return;
	}
	if (kind == RMT_US_CTL_VIEW) {
		send_fds(s, c);
		close(c);
		return;
	}
	if (kind != RMT_US_CTL_AGENT) {
		refuse(c, "unknown request (want 'A' or 'V')");
		close(c);
		return;
	}
	if (s->agent_fd >= 0) {
		refuse(c, "another agent is attached");
		close(c);
		return;
	}
	if (send_fds(s, c)) {
		close(c);
		return;
	}
	s->agent_fd = c;
	s->agents++;
}

static void *server_thread(void *arg)
{
	struct rmt_us_ctl_server *s = arg;
	char buf[64];

	for (;;) {
		struct pollfd p[3] = { { s->listen_fd, POLLIN, 0 },
				       { s->stop_pipe[0], POLLIN, 0 },
				       { s->agent_fd, POLLIN, 0 } };
		int c;

		if (poll(p, s->agent_fd >= 0 ? 3 : 2, -1) < 0)
			continue;
		if (p[1].revents)
			return NULL;
		if (s->agent_fd >= 0 && p[2].revents &&
		    recv(s->agent_fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0) {
			/* The agent went away: the next one may come. */
			close(s->agent_fd);
			s->agent_fd = -1;
		}
		if (p[0].revents & POLLIN) {
			c = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0)
				admit(s, c);
		}
	}
}

int rmt_us_ctl_server_start(const char *path, const int fds[3],
			    struct rmt_us_ctl_server **out, char *err,
			    size_t err_size)
{
	struct rmt_us_ctl_server *s = calloc(1, sizeof(*s));
	struct sockaddr_un a;
	struct stat st;
	int r;

	if (!s) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	s->agent_fd = -1;
	s->listen_fd = -1;
	s->stop_pipe[0] = s->stop_pipe[1] = -1;
	memcpy(s->fds, fds, sizeof(s->fds));
	r = make_addr(path, &a);
	if (r) {
		snprintf(err, err_size, "socket path too long: %s", path);
		goto fail;
	}
	strcpy(s->path, path);
	/* A socket left by a run that died is replaced; nothing else is. */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, err_size, "%s exists and is not a socket",
				 path);
			r = -EEXIST;
			goto fail;
		}
		unlink(path);
	}
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 ||
	    bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s->listen_fd, 4) || pipe2(s->stop_pipe, O_CLOEXEC)) {
		r = -errno;
		snprintf(err, err_size, "cannot listen on %s: %s", path,
			 strerror(errno));
		goto fail;
	}
	r = -pthread_create(&s->thread, NULL, server_thread, s);
	if (r) {
		snprintf(err, err_size, "cannot start a thread: %s",
			 strerror(-r));
		unlink(path);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->stop_pipe[0] >= 0) {
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
	}
	free(s);
	return r;
}

void rmt_us_ctl_server_stop(struct rmt_us_ctl_server *s)
{
	if (!s)
		return;
	if (write(s->stop_pipe[1], "x", 1) == 1)
		pthread_join(s->thread, NULL);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	close(s->listen_fd);
	if (s->agent_fd >= 0)
		close(s->agent_fd);
	unlink(s->path);
	free(s);
}

unsigned int rmt_us_ctl_server_agents(struct rmt_us_ctl_server *s)
{
	return __atomic_load_n(&s->agents, __ATOMIC_RELAXED);
}

int rmt_us_ctl_connect(const char *path, bool agent, int fds[3], int *sock,
		       char *err, size_t err_size)
{
	char kind = agent ? RMT_US_CTL_AGENT : RMT_US_CTL_VIEW, why[128];
	struct sockaddr_un a;
	int c, i, r;
	ssize_t n;

	if (make_addr(path, &a)) {
		snprintf(err, err_size, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) ||
	    send(c, &kind, 1, MSG_NOSIGNAL) != 1) {
		r = -errno;
		snprintf(err, err_size, "cannot connect to %s: %s", path,
			 strerror(errno));
		if (c >= 0)
			close(c);
		return r;
	}
	for (i = 0; i < 3; i++) {
		fds[i] = rmt_fd_recv(c);
		if (fds[i] >= 0)
			continue;
		r = fds[i];
		if (r == -EBADMSG) {
			n = recv(c, why, sizeof(why) - 1, 0);
			why[n > 0 ? n : 0] = 0;
			why[strcspn(why, "\n")] = 0;
			snprintf(err, err_size, "%s refused: %s", path,
				 n > 0 ? why : "no reason given");
			r = -EBUSY;
		} else {
			snprintf(err, err_size, "%s: handshake failed: %s",
				 path, strerror(-r));
		}
		while (i--)
			close(fds[i]);
		close(c);
		return r;
	}
	*sock = c;
	return 0;
}
