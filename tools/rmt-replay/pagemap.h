/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pagemap.h - a map from page numbers to one 64-bit value each (open
 * addressing, linear probing, deletion by shifting back, doubling when
 * half full): rmt-replay's prefetch cache and its set of far pages.
 */
#ifndef RMT_REPLAY_PAGEMAP_H
#define RMT_REPLAY_PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PAGEMAP_EMPTY UINT64_MAX

struct pagemap {
	uint64_t *key; /* page numbers, PAGEMAP_EMPTY where free */
	uint64_t *val;
	uint64_t mask, count;
};

/* Room for n pages before the first doubling; 0 or -ENOMEM. */
int pagemap_init(struct pagemap *m, uint64_t n);
void pagemap_free(struct pagemap *m);
/* The slot holding pg, or the free slot where it would go. */
uint64_t pagemap_slot(const struct pagemap *m, uint64_t pg);

static inline bool pagemap_has(const struct pagemap *m, uint64_t slot,
			       uint64_t pg)
{
	return m->key[slot] == pg;
}

static inline bool pagemap_contains(const struct pagemap *m, uint64_t pg)
{
	return pagemap_has(m, pagemap_slot(m, pg), pg);
}

/* Sets pg's value, adding pg if new: 0 or -ENOMEM (the map is kept). */
int pagemap_put(struct pagemap *m, uint64_t pg, uint64_t val);
/* Removes the page in slot (from pagemap_slot, holding a page). */
void pagemap_del_slot(struct pagemap *m, uint64_t slot);
/* Removes pg if present. */
void pagemap_del(struct pagemap *m, uint64_t pg);

#endif /* RMT_REPLAY_PAGEMAP_H */
