// SPDX-License-Identifier: GPL-2.0
/*
 * swap_hook.c - the swap_fault hook: two ftrace_ops, one filtered to
 * do_swap_page (every swap fault: counted) and one to swapin_readahead
 * (called by do_swap_page, in the faulting task, exactly when the page is
 * not in the swap cache: a major fault on a non-synchronous swap device).
 * The second is the dispatch point: it builds the fault context from
 * struct vm_fault for the attachments whose filter matches the faulting
 * task, takes their prefetch decisions and emits the RMT_MSG_FAULT record.
 *
 * Not kprobes: a kprobe at an ftrace call site crashed the guest while it
 * was being armed or disarmed under a concurrent fault (docs/kmod.md);
 * plain ftrace_ops did not.  The ftrace core runs the callbacks with
 * preemption disabled and recursion guarded: nothing here sleeps or
 * allocates.
 */
#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/cgroup.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include "kmod/rmt.h"

/* First and third arguments of the traced calls (x86-64, WITH_ARGS). */
#define rmt_arg0(fregs) ((fregs)->regs.di)
#define rmt_arg2(fregs) ((fregs)->regs.dx)

static void rmt_swap_fault(unsigned long ip, unsigned long parent_ip,
			   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct rmt_attach *a;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference(rmt_slots[i]);
		if (a && a->hook == RMT_HOOK_SWAP_FAULT &&
		    rmt_task_matches(a, current))
			rmt_count(a, RMT_C_FAULTS, 1);
	}
	rcu_read_unlock();
}

static void rmt_fault_record(struct rmt_msg_fault *ev, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	memset(ev, 0, sizeof(*ev));
	ev->addr = vmf->address;
	ev->vma_start = vma->vm_start;
	ev->vma_end = vma->vm_end;
	ev->cgroup_id = cgroup_id(task_dfl_cgroup(current));
	ev->pid = current->pid;
	ev->tgid = current->tgid;
	ev->cpu = smp_processor_id();
	ev->hook_id = RMT_HOOK_SWAP_FAULT;
	ev->flags = RMT_FAULT_MAJOR;
	if (vmf->flags & FAULT_FLAG_WRITE)
		ev->flags |= RMT_FAULT_WRITE;
	ev->time_ns = ktime_get_ns();
}

static void rmt_swap_major(unsigned long ip, unsigned long parent_ip,
			   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct vm_fault *vmf = (struct vm_fault *)rmt_arg2(fregs);
	struct vm_area_struct *vma = vmf->vma;
	struct rmt_attach *a, *first = NULL;
	cycles_t t0 = get_cycles();
	struct rmt_msg_fault ev;
	bool built = false;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference(rmt_slots[i]);
		if (!a || a->hook != RMT_HOOK_SWAP_FAULT ||
		    !rmt_task_matches(a, current))
			continue;
		if (!first)
			first = a;
		rmt_count(a, RMT_C_MAJOR, 1);
		if (a->flags & RMT_ATTACH_TEST_PREFETCH)
			rmt_pf_submit(a, vma->vm_mm, vmf->address, vma->vm_end);
		if (!(a->flags & RMT_ATTACH_EVENTS))
			continue;
		/* The clock can be slow (HPET under emulation): only if needed. */
		if (!built)
			rmt_fault_record(&ev, vmf);
		built = true;
		rmt_emit(a, RMT_MSG_FAULT, &ev, sizeof(ev));
	}
	/* The handler's cost, on the first matching attachment. */
	if (first)
		rmt_count(first, RMT_C_HOOK_CYCLES, get_cycles() - t0);
	rcu_read_unlock();
}

static struct ftrace_ops rmt_fault_ops = { .func = rmt_swap_fault };
static struct ftrace_ops rmt_major_ops = { .func = rmt_swap_major };

static int rmt_ops_register(struct ftrace_ops *ops, char *fn)
{
	int err = ftrace_set_filter(ops, fn, strlen(fn), 1);

	if (!err)
		err = register_ftrace_function(ops);
	if (err) {
		ftrace_free_filter(ops);
		rmt_warn("cannot trace %s: %d\n", fn, err);
	}
	return err;
}

static void rmt_ops_unregister(struct ftrace_ops *ops)
{
	unregister_ftrace_function(ops);
	ftrace_free_filter(ops);
}

int rmt_swap_hook_register(void)
{
	int err = rmt_ops_register(&rmt_fault_ops, "do_swap_page");

	if (err)
		return err;
	err = rmt_ops_register(&rmt_major_ops, "swapin_readahead");
	if (err)
		rmt_ops_unregister(&rmt_fault_ops);
	return err;
}

void rmt_swap_hook_unregister(void)
{
	rmt_ops_unregister(&rmt_major_ops);
	rmt_ops_unregister(&rmt_fault_ops);
}
