// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ring_mem.c - memfd-backed rings and descriptor passing (SCM_RIGHTS) for
 * connecting a datapath and an agent in different processes.
 */
#define _GNU_SOURCE
#include "proto/user/ring_mem.h"
#include "proto/ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int rmt_ring_memfd_create(const char *name, uint32_t data_size,
			  uint32_t max_payload, struct rmt_ring_map *m)
{
	size_t len = rmt_ring_mem_size(data_size);
	int fd, err;

	m->fd = -1;
	m->mem = NULL;
	if (!RMT_IS_POW2(data_size) || data_size > RMT_RING_MAX_SIZE)
		return -EINVAL;
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = rmt_ring_map_fd(fd, m);
	if (err) {
		close(fd);
		return err;
	}
	err = rmt_ring_format(m->mem, m->len, data_size, max_payload);
	if (err)
		rmt_ring_unmap(m);
	return err;
}

/* Map a ring someone else created; the fd is owned by m from now on. */
int rmt_ring_map_fd(int fd, struct rmt_ring_map *m)
{
	struct stat st;
	void *mem;

	m->fd = -1;
	m->mem = NULL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < RMT_RING_HDR_SIZE ||
	    (uint64_t)st.st_size > rmt_ring_mem_size(RMT_RING_MAX_SIZE))
		return -EBADMSG;
	mem = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, fd, 0);
	if (mem == MAP_FAILED)
		return -errno;
	m->fd = fd;
	m->mem = mem;
	m->len = (size_t)st.st_size;
	return 0;
}

void rmt_ring_unmap(struct rmt_ring_map *m)
{
	if (m->mem)
		munmap(m->mem, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->mem = NULL;
	m->fd = -1;
}

int rmt_fd_send(int sock, int fd)
{
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&ctl, 0, sizeof(ctl));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/* A descriptor, or a negative errno; -EBADMSG if none came with the byte. */
int rmt_fd_recv(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    (msg.msg_flags & MSG_CTRUNC))
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}
