/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * task_hist.h - the swap_fault context's per-task page delta history
 * (deltas[], n_deltas): each task's last RMT_SWAP_HISTORY page deltas,
 * newest first, for a fixed number of tasks (the least recently faulting
 * one is replaced).  Freestanding, so that every datapath fills deltas[]
 * the same way; the kernel module keeps one per attachment.
 */
#ifndef RMT_VM_TASK_HIST_H
#define RMT_VM_TASK_HIST_H

#include "vm/hook.h"

#define RMT_TASK_HIST_SLOTS 16u

struct rmt_task_hist {
	u32 tid;
	u32 n; /* valid d[] */
	u64 last; /* page number of the latest fault */
	u64 used; /* tick of the latest fault; 0: free */
	s64 d[RMT_SWAP_HISTORY]; /* deltas, newest first */
};

struct rmt_task_hists {
	u64 tick;
	struct rmt_task_hist t[RMT_TASK_HIST_SLOTS];
};

void rmt_task_hists_init(struct rmt_task_hists *h);

/*
 * The fault of task tid on page number page: copies the task's history
 * before this fault into deltas (newest first) and returns how many are
 * valid, then records the fault.  A fault on the task's latest page again
 * adds no delta.
 */
u32 rmt_task_hist_record(struct rmt_task_hists *h, u32 tid, u64 page,
			 s64 deltas[RMT_SWAP_HISTORY]);

/* rmt_task_hist_record for the fault in c (addr): fills deltas[], n_deltas. */
void rmt_task_hist_fill(struct rmt_task_hists *h, u32 tid,
			struct rmt_ctx_swap_fault *c);

#endif /* RMT_VM_TASK_HIST_H */
