/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hist.h - a log-linear latency histogram in nanoseconds: 16 sub-buckets
 * per power of two (about 6% resolution), fixed size, so it can live in
 * shared memory and be updated on the fault path without allocating.
 */
#ifndef RMT_US_HIST_H
#define RMT_US_HIST_H

#include <stdint.h>

#define RMT_US_HIST_SUB_BITS 4
#define RMT_US_HIST_SUB (1u << RMT_US_HIST_SUB_BITS)
/* Exact below 16 ns, then 16 per octave up to 2^40 ns (18 minutes). */
#define RMT_US_HIST_BUCKETS (RMT_US_HIST_SUB * (40 - RMT_US_HIST_SUB_BITS + 1))

struct rmt_us_hist {
	uint64_t count;
	uint64_t bucket[RMT_US_HIST_BUCKETS];
};

unsigned int rmt_us_hist_index(uint64_t ns);
/* Lowest value that lands in bucket i. */
uint64_t rmt_us_hist_floor(unsigned int i);
void rmt_us_hist_add(struct rmt_us_hist *h, uint64_t ns);
/* The value at permille p (0..1000): upper edge of its bucket; 0 if empty. */
uint64_t rmt_us_hist_percentile(const struct rmt_us_hist *h, unsigned int p);

#endif /* RMT_US_HIST_H */
