/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * log.h - the error log of the model parser and the other mlib checks: a
 * caller-owned text buffer (like the VM loader's and the verifier's) that
 * receives one line naming what is wrong, e.g.
 * "tree 0 node 7: child 12 out of range (9 nodes)".  Freestanding: a tiny
 * formatter for %s %c %d %u %x (with l/ll) and nothing else.
 */
#ifndef RMT_MLIB_LOG_H
#define RMT_MLIB_LOG_H

#include "port/rmt_port.h"

struct rmt_mlog {
	char *buf; /* may be NULL: messages are dropped */
	size_t size;
	size_t len;
};

static inline void rmt_mlog_init(struct rmt_mlog *log, char *buf, size_t size)
{
	log->buf = buf;
	log->size = size;
	log->len = 0;
	if (buf && size)
		buf[0] = '\0';
}

/* Append formatted text; always NUL-terminated, truncated to fit. */
void rmt_mlog_printf(struct rmt_mlog *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* RMT_MLIB_LOG_H */
