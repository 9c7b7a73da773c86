/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rmt_dev.h - user-space attachment to /dev/rmt: the versioned ioctl calls
 * and the mapping of a session's rings (events to consume, commands to
 * produce) with proto/ring.h on top.
 */
#ifndef RMT_KMOD_USER_DEV_H
#define RMT_KMOD_USER_DEV_H

#include <stddef.h>
#include "kmod/rmt_ioctl.h"
#include "proto/ring.h"

struct rmt_dev {
	int fd;
	void *ev_mem;
	void *cmd_mem;
	size_t ev_len;
	size_t cmd_len;
	struct rmt_ring_cons ev; /* kernel -> agent */
	struct rmt_ring_prod cmd; /* agent -> kernel */
};

/* Open path (NULL: /dev/rmt); 0 or a negative errno. */
int rmt_dev_open(struct rmt_dev *d, const char *path);
void rmt_dev_close(struct rmt_dev *d);

/*
 * Issue cmd with arg, filling its size word and version (flags in the
 * high half of vf are kept); 0 or a negative errno.
 */
int rmt_dev_call(struct rmt_dev *d, unsigned long cmd, void *arg, size_t size);

/* Create and map both rings and attach proto/ring.h to them. */
int rmt_dev_rings(struct rmt_dev *d, unsigned int event_data,
		  unsigned int cmd_data);

#endif /* RMT_KMOD_USER_DEV_H */
