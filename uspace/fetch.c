// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fetch.c - far-memory latency model (see fetch.h) and precise waiting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "port/rmt_port.h"
#include "uspace/fetch.h"

/*
 * Sleeping wakes tens of microseconds (on a loaded machine, milliseconds)
 * late, so waits up to NVMe-class latencies spin: the faulting thread is
 * blocked meanwhile, so this core would otherwise idle.  Longer waits
 * sleep first and spin the last stretch.
 */
#define SPIN_NS 200000u

int rmt_us_fetchq_init(struct rmt_us_fetchq *q, uint64_t latency_ns,
		       uint32_t depth)
{
	uint32_t i;

	if (depth == 0 || depth > RMT_US_MAX_DEPTH)
		return -EINVAL;
	q->latency_ns = latency_ns;
	q->depth = depth;
	for (i = 0; i < depth; i++)
		q->busy_until[i] = 0;
	return 0;
}

uint64_t rmt_us_fetchq_issue(struct rmt_us_fetchq *q, uint64_t now)
{
	uint32_t i, best = 0;
	uint64_t start;

	for (i = 1; i < q->depth; i++)
		if (q->busy_until[i] < q->busy_until[best])
			best = i;
	start = q->busy_until[best] > now ? q->busy_until[best] : now;
	q->busy_until[best] = start + q->latency_ns;
	return q->busy_until[best];
}

uint64_t rmt_us_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void rmt_us_wait_until(uint64_t deadline_ns)
{
	uint64_t now = rmt_us_now_ns();

	if (deadline_ns > now + SPIN_NS) {
		uint64_t wake = deadline_ns - SPIN_NS;
		struct timespec ts = { (time_t)(wake / 1000000000ull),
				       (long)(wake % 1000000000ull) };

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) == EINTR)
			;
	}
	while (rmt_us_now_ns() < deadline_ns)
		rmt_cpu_relax();
}
