// SPDX-License-Identifier: GPL-2.0
/*
 * wakeup_hook.c - the sched_wakeup hook: a probe on the sched_wakeup
 * tracepoint, which is not exported and is found by name with
 * for_each_kernel_tracepoint().  It counts wake-ups of the tasks each
 * attachment follows; proto/msg.h has no wake-up record yet, so it emits
 * none.  Runs in any context, interrupts included.
 */
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/string.h>
#include "kmod/rmt.h"

static struct tracepoint *rmt_wakeup_tp;

static void rmt_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_wakeup"))
		*(struct tracepoint **)priv = tp;
}

static void rmt_wakeup_probe(void *data, struct task_struct *p)
{
	struct rmt_attach *a;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference(rmt_slots[i]);
		if (a && a->hook == RMT_HOOK_SCHED_WAKEUP &&
		    rmt_task_matches(a, p))
			rmt_count(a, RMT_C_WAKEUPS, 1);
	}
	rcu_read_unlock();
}

int rmt_wakeup_hook_register(void)
{
	if (!rmt_wakeup_tp)
		for_each_kernel_tracepoint(rmt_find_tp, &rmt_wakeup_tp);
	if (!rmt_wakeup_tp)
		return -ENOENT;
	return tracepoint_probe_register(rmt_wakeup_tp, rmt_wakeup_probe, NULL);
}

void rmt_wakeup_hook_unregister(void)
{
	tracepoint_probe_unregister(rmt_wakeup_tp, rmt_wakeup_probe, NULL);
	tracepoint_synchronize_unregister();
}
