// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_task_hist.c - vm/task_hist.c, the per-task page delta histories
 * the kernel module fills the swap_fault context's deltas[] from: each
 * task has its own history, the context gets it as it was before the
 * fault, a repeated page adds nothing, the history keeps the newest
 * RMT_SWAP_HISTORY deltas, and the least recently faulting task is
 * replaced.
 */
#include <criterion/criterion.h>

#include "vm/task_hist.h"

#define BASE 0x7f0000000000ull

static struct rmt_ctx_swap_fault fault(struct rmt_task_hists *h, u32 tid,
				       u64 page)
{
	struct rmt_ctx_swap_fault c = { 0 };

	c.addr = BASE + (page << RMT_PAGE_SHIFT);
	rmt_task_hist_fill(h, tid, &c);
	return c;
}

Test(task_hist, tasks_apart_history_before_the_fault)
{
	struct rmt_task_hists h;
	struct rmt_ctx_swap_fault c;

	rmt_task_hists_init(&h);
	c = fault(&h, 1, 100);
	cr_assert_eq(c.n_deltas, 0);
	c = fault(&h, 2, 500);
	cr_assert_eq(c.n_deltas, 0);
	fault(&h, 1, 101);
	fault(&h, 2, 497);
	c = fault(&h, 1, 103);
	cr_assert_eq(c.n_deltas, 1, "the delta 100 -> 101, not this one");
	cr_assert_eq(c.deltas[0], 1);
	c = fault(&h, 2, 494);
	cr_assert_eq(c.n_deltas, 1);
	cr_assert_eq(c.deltas[0], -3);
	c = fault(&h, 1, 104);
	cr_assert_eq(c.n_deltas, 2);
	cr_assert_eq(c.deltas[0], 2, "newest first");
	cr_assert_eq(c.deltas[1], 1);
	cr_assert_eq(c.deltas[2], 0, "past n_deltas is zero");
}

Test(task_hist, repeat_adds_nothing_and_history_is_bounded)
{
	struct rmt_task_hists h;
	struct rmt_ctx_swap_fault c;
	u64 i;

	rmt_task_hists_init(&h);
	for (i = 0; i < 3 * RMT_SWAP_HISTORY; i++)
		fault(&h, 7, i * i);
	c = fault(&h, 7, (i - 1) * (i - 1));
	cr_assert_eq(c.n_deltas, RMT_SWAP_HISTORY);
	cr_assert_eq(c.deltas[0], (s64)(2 * i - 3));
	cr_assert_eq(c.deltas[RMT_SWAP_HISTORY - 1],
		     (s64)(2 * (i - RMT_SWAP_HISTORY) - 1));
	c = fault(&h, 7, (i - 1) * (i - 1));
	cr_assert_eq(c.deltas[0], (s64)(2 * i - 3), "the repeat added none");
}

Test(task_hist, least_recent_task_is_replaced)
{
	struct rmt_task_hists h;
	struct rmt_ctx_swap_fault c;
	u32 t;

	rmt_task_hists_init(&h);
	for (t = 0; t < RMT_TASK_HIST_SLOTS; t++) {
		fault(&h, 1000 + t, 10);
		fault(&h, 1000 + t, 11);
	}
	/* Task 1000 faults again: 1001 is now the least recent. */
	fault(&h, 1000, 12);
	fault(&h, 99, 50);
	c = fault(&h, 1000, 13);
	cr_assert_eq(c.n_deltas, 2, "kept");
	c = fault(&h, 1001, 12);
	cr_assert_eq(c.n_deltas, 0, "replaced by task 99");
}
