/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * fetch.h - the far-memory latency model: a device with `depth` fetch
 * slots, each page fetch occupying one slot for `latency` nanoseconds.  A
 * fetch issued when every slot is busy starts when the earliest one frees,
 * so prefetches queue ahead of later demand fetches as on a real queue
 * pair or NVMe submission queue.  Completion times are computed, not
 * slept, so the model costs nothing until someone waits for a page.
 */
#ifndef RMT_US_FETCH_H
#define RMT_US_FETCH_H

#include <stdint.h>

#define RMT_US_MAX_DEPTH 256u

struct rmt_us_fetchq {
	uint64_t latency_ns;
	uint32_t depth;
	uint64_t busy_until[RMT_US_MAX_DEPTH];
};

/* 0, or -EINVAL for a depth outside 1..RMT_US_MAX_DEPTH. */
int rmt_us_fetchq_init(struct rmt_us_fetchq *q, uint64_t latency_ns,
		       uint32_t depth);
/* Issues one page fetch at time now; returns when it completes. */
uint64_t rmt_us_fetchq_issue(struct rmt_us_fetchq *q, uint64_t now);

uint64_t rmt_us_now_ns(void);
/* Waits until CLOCK_MONOTONIC reaches deadline: sleeps, then spins. */
void rmt_us_wait_until(uint64_t deadline_ns);

#endif /* RMT_US_FETCH_H */
