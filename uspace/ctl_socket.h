/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ctl_socket.h - `rmt-run --control SOCKET`: a unix socket that hands the
 * user-space datapath's shared memory (the event ring, the command ring
 * and the statistics area, as memfds) to whoever attaches.
 *
 * Protocol: the client sends one byte, RMT_US_CTL_AGENT or
 * RMT_US_CTL_VIEW; the server answers with the three descriptors (three
 * one-byte messages with SCM_RIGHTS, in the order event ring, command
 * ring, statistics), or with RMT_US_CTL_REFUSED and a line saying why,
 * without descriptors.  One agent at a time: an agent keeps its
 * connection open while attached, and the next agent is admitted once it
 * is closed (the agent exited or was killed).  A viewer (rmtctl) only
 * reads the statistics and ring headers and may come any time.
 */
#ifndef RMT_US_CTL_SOCKET_H
#define RMT_US_CTL_SOCKET_H

#include <stdbool.h>
#include <stddef.h>

#define RMT_US_CTL_AGENT 'A'
#define RMT_US_CTL_VIEW 'V'
#define RMT_US_CTL_REFUSED 'R'

struct rmt_us_ctl_server;

/* Listens on path (replacing a stale socket there); fds are not owned. */
int rmt_us_ctl_server_start(const char *path, const int fds[3],
			    struct rmt_us_ctl_server **out, char *err,
			    size_t err_size);
/* Stops listening and removes the socket file. */
void rmt_us_ctl_server_stop(struct rmt_us_ctl_server *s);
/* Agents admitted so far. */
unsigned int rmt_us_ctl_server_agents(struct rmt_us_ctl_server *s);

/*
 * Client side: connect to path, ask as an agent or a viewer, receive the
 * three descriptors into fds.  0, or a negative errno with why in err.
 */
int rmt_us_ctl_connect(const char *path, bool agent, int fds[3], int *sock,
		       char *err, size_t err_size);

#endif /* RMT_US_CTL_SOCKET_H */
