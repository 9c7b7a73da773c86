/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lru.h - the eviction policy every prefetcher shares: a segmented FIFO
 * (an LRU approximation).  Resident pages sit on an active FIFO (mapped,
 * accesses invisible) or an inactive FIFO (unmapped but still in local
 * memory, so the next access takes a cheap minor fault that serves as its
 * reference bit and moves it back to the active head).  Victims come from
 * the inactive tail; the oldest active pages refill the inactive list.
 * Prefetched (staged) pages join the inactive list too, as the kernel puts
 * readahead pages on its inactive LRU.
 *
 * Pure bookkeeping over page numbers: the pager does the unmapping.
 */
#ifndef RMT_US_LRU_H
#define RMT_US_LRU_H

#include <stdint.h>

#define RMT_US_NIL UINT32_MAX

struct rmt_us_list {
	uint32_t head; /* newest */
	uint32_t tail; /* oldest */
	uint64_t count;
};

struct rmt_us_lru {
	struct rmt_us_list active;
	struct rmt_us_list inactive;
	uint32_t *prev; /* per page; a page is on at most one list */
	uint32_t *next;
};

void rmt_us_lru_init(struct rmt_us_lru *l, uint32_t *prev, uint32_t *next);
void rmt_us_list_push_head(struct rmt_us_lru *l, struct rmt_us_list *list,
			   uint32_t id);
void rmt_us_list_remove(struct rmt_us_lru *l, struct rmt_us_list *list,
			uint32_t id);
/* Removes and returns the oldest page, or RMT_US_NIL if empty. */
uint32_t rmt_us_list_pop_tail(struct rmt_us_lru *l, struct rmt_us_list *list);

/* Resident pages: what counts against the memory limit. */
static inline uint64_t rmt_us_lru_resident(const struct rmt_us_lru *l)
{
	return l->active.count + l->inactive.count;
}

#endif /* RMT_US_LRU_H */
