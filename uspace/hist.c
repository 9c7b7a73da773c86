// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hist.c - log-linear latency histogram (see hist.h).
 */
#include "uspace/hist.h"

unsigned int rmt_us_hist_index(uint64_t ns)
{
	unsigned int e, i;

	if (ns < RMT_US_HIST_SUB)
		return (unsigned int)ns;
	e = 63u - (unsigned int)__builtin_clzll(ns);
	i = (e - RMT_US_HIST_SUB_BITS + 1) * RMT_US_HIST_SUB +
	    (unsigned int)((ns >> (e - RMT_US_HIST_SUB_BITS)) &
			   (RMT_US_HIST_SUB - 1));
	return i < RMT_US_HIST_BUCKETS ? i : RMT_US_HIST_BUCKETS - 1;
}

uint64_t rmt_us_hist_floor(unsigned int i)
{
	unsigned int e;

	if (i < RMT_US_HIST_SUB)
		return i;
	e = i / RMT_US_HIST_SUB + RMT_US_HIST_SUB_BITS - 1;
	return (1ull << e) +
	       ((uint64_t)(i % RMT_US_HIST_SUB) << (e - RMT_US_HIST_SUB_BITS));
}

void rmt_us_hist_add(struct rmt_us_hist *h, uint64_t ns)
{
	h->bucket[rmt_us_hist_index(ns)]++;
	h->count++;
}

uint64_t rmt_us_hist_percentile(const struct rmt_us_hist *h, unsigned int p)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (!h->count)
		return 0;
	if (p > 1000)
		p = 1000;
	/* The smallest value with at least p permille of samples at or below. */
	want = (h->count * p + 999) / 1000;
	if (!want)
		want = 1;
	for (i = 0; i < RMT_US_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= want)
			return i + 1 < RMT_US_HIST_BUCKETS ?
				       rmt_us_hist_floor(i + 1) - 1 :
				       rmt_us_hist_floor(i);
	}
	return rmt_us_hist_floor(RMT_US_HIST_BUCKETS - 1);
}
