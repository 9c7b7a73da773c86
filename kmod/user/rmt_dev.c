// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt_dev.c - user-space attachment to /dev/rmt (see rmt_dev.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "kmod/user/rmt_dev.h"

int rmt_dev_open(struct rmt_dev *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	d->fd = open(path ? path : "/dev/" RMT_DEV_NAME, O_RDWR | O_CLOEXEC);
	return d->fd < 0 ? -errno : 0;
}

void rmt_dev_close(struct rmt_dev *d)
{
	if (d->ev_mem)
		munmap(d->ev_mem, d->ev_len);
	if (d->cmd_mem)
		munmap(d->cmd_mem, d->cmd_len);
	if (d->fd >= 0)
		close(d->fd);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
}

int rmt_dev_call(struct rmt_dev *d, unsigned long cmd, void *arg, size_t size)
{
	__u32 *words = arg;

	words[0] = (__u32)size;
	words[1] = (words[1] & 0xffff0000u) | RMT_ABI_VERSION;
	return ioctl(d->fd, cmd, arg) < 0 ? -errno : 0;
}

static void *rmt_dev_map(struct rmt_dev *d, __u64 off, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		       (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

int rmt_dev_rings(struct rmt_dev *d, unsigned int event_data,
		  unsigned int cmd_data)
{
	struct rmt_ioc_rings r = { .event_data = event_data,
				   .cmd_data = cmd_data };
	int err = rmt_dev_call(d, RMT_IOC_RINGS, &r, sizeof(r));

	if (err)
		return err;
	d->ev_len = r.event_len;
	d->cmd_len = r.cmd_len;
	d->ev_mem = rmt_dev_map(d, r.event_off, r.event_len);
	if (!d->ev_mem)
		return -errno;
	d->cmd_mem = rmt_dev_map(d, r.cmd_off, r.cmd_len);
	if (!d->cmd_mem)
		return -errno;
	err = rmt_ring_cons_attach(&d->ev, d->ev_mem, d->ev_len);
	return err ? err :
		     rmt_ring_prod_attach(&d->cmd, d->cmd_mem, d->cmd_len);
}
