// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_pipe.c - the system-call anchor for bench-ring: the same records
 * (payload bytes each, burst records per write) through a pipe.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pipe_impl {
	int fd[2];
};

#define MAX_CHUNK (64 * 32)

static void pipe_produce(struct harness *h)
{
	struct pipe_impl *p = h->impl;
	size_t chunk = (size_t)h->cfg->payload * h->cfg->burst;
	unsigned char buf[MAX_CHUNK] = { 0 };
	uint64_t seq = 0;
	unsigned int k;

	while (!should_stop(h)) {
		for (k = 0; k < h->cfg->burst; k++, seq++)
			memcpy(buf + k * h->cfg->payload, &seq, 8);
		if (write(p->fd[1], buf, chunk) != (ssize_t)chunk)
			break;
	}
	h->produced = seq;
	close(p->fd[1]);
}

static void pipe_consume(struct harness *h)
{
	struct pipe_impl *p = h->impl;
	size_t rec = h->cfg->payload, have = 0;
	unsigned char buf[MAX_CHUNK];
	ssize_t n;

	while ((n = read(p->fd[0], buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)n;
		while (have >= rec) {
			h->checksum += buf[0];
			h->consumed++;
			memmove(buf, buf + rec, have - rec);
			have -= rec;
		}
	}
}

int pipe_setup(struct harness *h)
{
	struct pipe_impl *p = calloc(1, sizeof(*p));

	if (!p || pipe(p->fd)) {
		free(p);
		return -1;
	}
	h->impl = p;
	h->produce = pipe_produce;
	h->consume = pipe_consume;
	return 0;
}

void pipe_teardown(struct harness *h)
{
	struct pipe_impl *p = h->impl;

	close(p->fd[0]);
	free(p);
}
