/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vm_log.h - a small formatter for load-time messages in freestanding code
 * (no libc snprintf in the kernel build's core).
 */
#ifndef RMT_VM_LOG_H
#define RMT_VM_LOG_H

#include "port/rmt_port.h"

/*
 * Format into log (size bytes, always NUL-terminated when size > 0,
 * truncated if too long).  Conversions: %s, %d, %u, %x (int-sized), %lld,
 * %llu, %llx (64-bit), %%.  Does nothing when log is NULL.
 */
void rmt_vm_logf(char *log, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* RMT_VM_LOG_H */
