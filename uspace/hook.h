/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hook.h - the swap_fault hook point of the user-space pager.  On every
 * fault on a page that was in far memory (a miss or a prefetch hit) the
 * pager builds this context and asks the installed prefetcher for a
 * bounded list of pages to fetch ahead.  The RMT pipeline of the
 * swap_fault hook plugs in here; "none" installs no callback.
 */
#ifndef RMT_US_HOOK_H
#define RMT_US_HOOK_H

#include <stdbool.h>
#include <stdint.h>

#define RMT_US_HISTORY 16u /* page deltas kept per faulting thread */
#define RMT_US_MAX_PREFETCH 64u /* most pages one decision may ask for */

struct rmt_us_fault_ctx {
	uint64_t addr; /* page-aligned faulting address */
	uint64_t region_start; /* the far-memory allocation holding it */
	uint64_t region_end;
	uint64_t time_ns; /* CLOCK_MONOTONIC when the fault was read */
	uint32_t pid;
	uint32_t tid; /* faulting thread */
	uint32_t flags; /* RMT_FAULT_* of proto/msg.h */
	uint32_t n_deltas; /* valid entries in deltas[] */
	/* Page deltas between this thread's far faults, newest first. */
	int64_t deltas[RMT_US_HISTORY];
};

/*
 * Fills pages[] with at most max page-aligned addresses to prefetch and
 * returns how many, or a negative errno (counted; nothing is fetched).
 * Addresses outside far memory or already in local memory are skipped by
 * the pager.  Runs on the fault path under the pager's lock: it must not
 * touch far memory or call back into the pager.
 */
typedef int (*rmt_us_prefetch_fn)(void *priv,
				  const struct rmt_us_fault_ctx *ctx,
				  uint64_t *pages, unsigned int max);

/*
 * Called when a far-memory allocation [start, end) appears (added) or
 * goes away, outside the fault path, so that a prefetcher can keep state
 * per region as the kernel keeps readahead state per VMA.
 */
typedef void (*rmt_us_region_fn)(void *priv, uint64_t start, uint64_t end,
				 bool added);

#endif /* RMT_US_HOOK_H */
