// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lru.c - intrusive FIFO lists over page numbers for the segmented-FIFO
 * eviction policy (see lru.h).
 */
#include "uspace/lru.h"

static void list_init(struct rmt_us_list *list)
{
	list->head = RMT_US_NIL;
	list->tail = RMT_US_NIL;
	list->count = 0;
}

void rmt_us_lru_init(struct rmt_us_lru *l, uint32_t *prev, uint32_t *next)
{
	list_init(&l->active);
	list_init(&l->inactive);
	l->prev = prev;
	l->next = next;
}

void rmt_us_list_push_head(struct rmt_us_lru *l, struct rmt_us_list *list,
			   uint32_t id)
{
	l->prev[id] = RMT_US_NIL;
	l->next[id] = list->head;
	if (list->head != RMT_US_NIL)
		l->prev[list->head] = id;
	else
		list->tail = id;
	list->head = id;
	list->count++;
}

void rmt_us_list_remove(struct rmt_us_lru *l, struct rmt_us_list *list,
			uint32_t id)
{
	uint32_t p = l->prev[id], n = l->next[id];

	if (p != RMT_US_NIL)
		l->next[p] = n;
	else
		list->head = n;
	if (n != RMT_US_NIL)
		l->prev[n] = p;
	else
		list->tail = p;
	list->count--;
}

uint32_t rmt_us_list_pop_tail(struct rmt_us_lru *l, struct rmt_us_list *list)
{
	uint32_t id = list->tail;

	if (id != RMT_US_NIL)
		rmt_us_list_remove(l, list, id);
	return id;
}
