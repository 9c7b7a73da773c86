// SPDX-License-Identifier: GPL-2.0
/*
 * kstream.c - what a swap_fault attachment remembers between faults for
 * its program: the tasks' page delta histories (the context's deltas[],
 * vm/task_hist.h) and the fault streams (the s_* fields, vm/stream.h),
 * filled and updated around each pipeline run exactly as user space does
 * (uspace/rmt_prefetch.c), by the same freestanding rmt_stream_run(): a
 * prefetch hit on a stream deep in a right run skips the decision
 * (coasts) here too.
 *
 * The state is allocated at attach (GFP_KERNEL) and freed with the
 * attachment, after a grace period.  Runs come from the swap_fault
 * handler (preemption off, any CPU) and from the executor's hit judge (a
 * work item); a spinlock taken with trylock (irqsave) protects the state
 * from fill to update.  Nobody ever waits for it: a run that finds it
 * busy sees the fault as the start of a new stream with no history (a
 * program then falls back to readahead), updates nothing and is counted
 * (stream_busy).
 */
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "kmod/rmt.h"
#include "vm/stream.h"
#include "vm/task_hist.h"

struct rmt_kstream {
	spinlock_t lock;
	struct rmt_task_hists tasks;
	struct rmt_streams streams;
};

int rmt_kstream_alloc(struct rmt_attach *a)
{
	a->ks = kzalloc(sizeof(*a->ks), GFP_KERNEL);
	if (!a->ks)
		return -ENOMEM;
	spin_lock_init(&a->ks->lock);
	rmt_kstream_reset(a);
	return 0;
}

/* After the last hook that could see a has left. */
void rmt_kstream_free(struct rmt_attach *a)
{
	kfree(a->ks);
	a->ks = NULL;
}

/* A new program starts with no history: streams hold its lookahead. */
void rmt_kstream_reset(struct rmt_attach *a)
{
	unsigned long flags;

	spin_lock_irqsave(&a->ks->lock, flags);
	rmt_task_hists_init(&a->ks->tasks);
	rmt_streams_init(&a->ks->streams);
	spin_unlock_irqrestore(&a->ks->lock, flags);
}

/* The context of a fault seen without history: a new stream. */
static void rmt_kstream_none(struct rmt_ctx_swap_fault *c)
{
	c->n_deltas = 0;
	memset(c->deltas, 0, sizeof(c->deltas));
	/* The stream fields run from s_id to the end of the context. */
	memset((u8 *)c + offsetof(struct rmt_ctx_swap_fault, s_id), 0,
	       sizeof(*c) - offsetof(struct rmt_ctx_swap_fault, s_id));
	c->s_new = 1;
}

int rmt_kstream_run(struct rmt_attach *a, struct rmt_kprog *kp,
		    struct rmt_ctx_swap_fault *c,
		    struct rmt_hook_scratch *scratch, struct rmt_decision *d)
{
	struct rmt_kstream *ks = a->ks;
	unsigned long flags;
	int err;

	if (!spin_trylock_irqsave(&ks->lock, flags)) {
		rmt_count(a, RMT_C_STREAM_BUSY, 1);
		rmt_kstream_none(c);
		err = rmt_pipeline_run(kp->pipe, c, sizeof(*c), scratch, d);
	} else {
		rmt_task_hist_fill(&ks->tasks, c->pid, c);
		err = rmt_stream_run(&ks->streams, kp->pipe, c, scratch, d);
		spin_unlock_irqrestore(&ks->lock, flags);
	}
	atomic64_add(d->executed, &kp->insns);
	return err;
}
