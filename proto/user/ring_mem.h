/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ring_mem.h - user-space plumbing for rings: create one in a memfd, map a
 * ring received as a file descriptor, and pass descriptors over a unix
 * socket.  User space only (the kernel maps its rings through /dev/rmt).
 */
#ifndef RMT_PROTO_RING_MEM_H
#define RMT_PROTO_RING_MEM_H

#include <stddef.h>
#include <stdint.h>

struct rmt_ring_map {
	int fd;
	void *mem;
	size_t len;
};

int rmt_ring_memfd_create(const char *name, uint32_t data_size,
			  uint32_t max_payload, struct rmt_ring_map *m);
int rmt_ring_map_fd(int fd, struct rmt_ring_map *m);
void rmt_ring_unmap(struct rmt_ring_map *m);
int rmt_fd_send(int sock, int fd);
int rmt_fd_recv(int sock);

#endif /* RMT_PROTO_RING_MEM_H */
