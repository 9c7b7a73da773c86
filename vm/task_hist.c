// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * task_hist.c - per-task page delta histories for the swap_fault context
 * (see task_hist.h).
 */
#include "vm/task_hist.h"

void rmt_task_hists_init(struct rmt_task_hists *h)
{
	memset(h, 0, sizeof(*h));
}

/* The task's history; a new task takes the least recently used slot. */
static struct rmt_task_hist *rmt_task_hist_get(struct rmt_task_hists *h,
					       u32 tid, bool *fresh)
{
	struct rmt_task_hist *victim = &h->t[0];
	u32 i;

	for (i = 0; i < RMT_TASK_HIST_SLOTS; i++) {
		if (h->t[i].used && h->t[i].tid == tid) {
			*fresh = false;
			return &h->t[i];
		}
		if (h->t[i].used < victim->used)
			victim = &h->t[i];
	}
	memset(victim, 0, sizeof(*victim));
	victim->tid = tid;
	*fresh = true;
	return victim;
}

void rmt_task_hist_fill(struct rmt_task_hists *h, u32 tid,
			struct rmt_ctx_swap_fault *c)
{
	u64 pg = c->addr >> RMT_PAGE_SHIFT;
	struct rmt_task_hist *t;
	bool fresh;

	_Static_assert(sizeof(c->deltas) == sizeof(t->d), "same history");
	t = rmt_task_hist_get(h, tid, &fresh);
	t->used = ++h->tick;
	c->n_deltas = t->n;
	memcpy(c->deltas, t->d, sizeof(c->deltas));
	if (fresh || pg == t->last) {
		t->last = pg;
		return;
	}
	memmove(&t->d[1], &t->d[0], sizeof(t->d) - sizeof(t->d[0]));
	t->d[0] = (s64)(pg - t->last);
	if (t->n < RMT_SWAP_HISTORY)
		t->n++;
	t->last = pg;
}
