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

u32 rmt_task_hist_record(struct rmt_task_hists *h, u32 tid, u64 page,
			 s64 deltas[RMT_SWAP_HISTORY])
{
	struct rmt_task_hist *t;
	bool fresh;
	u32 n;

	t = rmt_task_hist_get(h, tid, &fresh);
	t->used = ++h->tick;
	n = t->n;
	memcpy(deltas, t->d, sizeof(t->d));
	if (fresh || page == t->last) {
		t->last = page;
		return n;
	}
	memmove(&t->d[1], &t->d[0], sizeof(t->d) - sizeof(t->d[0]));
	t->d[0] = (s64)(page - t->last);
	if (t->n < RMT_SWAP_HISTORY)
		t->n++;
	t->last = page;
	return n;
}

void rmt_task_hist_fill(struct rmt_task_hists *h, u32 tid,
			struct rmt_ctx_swap_fault *c)
{
	c->n_deltas = rmt_task_hist_record(h, tid, c->addr >> RMT_PAGE_SHIFT,
					   c->deltas);
}
