// SPDX-License-Identifier: GPL-2.0
/*
 * swap_hook.c - the swap_fault hook: a kretprobe on do_swap_page.  Its
 * entry handler (a kprobe pre-handler) is the hook's dispatch point: it
 * builds the fault context from struct vm_fault for the attachments whose
 * filter matches the faulting task and takes the prefetch decisions there
 * (today only the built-in test policy; the attachment's pipeline runs at
 * this point once programs can be loaded).  Its return handler sees
 * do_swap_page's result, tells major faults from swap-cache hits, counts
 * them per attachment and emits the completed RMT_MSG_FAULT record.
 * Both run with preemption disabled: nothing here sleeps or allocates.
 */
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/cgroup.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include "kmod/rmt.h"

/* Concurrent do_swap_page calls tracked; enough per KERNEL_NOTES.md. */
#define RMT_SWAP_MAXACTIVE 64

/* What the entry handler hands the return handler. */
struct rmt_swap_ctx {
	struct rmt_msg_fault ev;
	cycles_t cycles; /* spent in the entry handler */
	bool emit; /* some attachment wants the record */
};

static int rmt_swap_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vm_fault *vmf =
		(struct vm_fault *)regs_get_kernel_argument(regs, 0);
	struct rmt_swap_ctx *ctx = (struct rmt_swap_ctx *)ri->data;
	struct rmt_msg_fault *ev = &ctx->ev;
	struct vm_area_struct *vma = vmf->vma;
	cycles_t t0 = get_cycles();
	struct rmt_attach *a;
	bool any = false;
	unsigned int i;

	ctx->emit = false;
	rcu_read_lock();
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference(rmt_slots[i]);
		if (!a || a->hook != RMT_HOOK_SWAP_FAULT ||
		    !rmt_task_matches(a, current))
			continue;
		any = true;
		ctx->emit |= !!(a->flags & RMT_ATTACH_EVENTS);
		if (a->flags & RMT_ATTACH_TEST_PREFETCH)
			rmt_pf_submit(a, vma->vm_mm, vmf->address, vma->vm_end);
	}
	/* The clock can be slow (HPET under emulation): only if needed. */
	if (ctx->emit) {
		memset(ev, 0, sizeof(*ev));
		ev->addr = vmf->address;
		ev->vma_start = vma->vm_start;
		ev->vma_end = vma->vm_end;
		ev->cgroup_id = cgroup_id(task_dfl_cgroup(current));
		ev->pid = current->pid;
		ev->tgid = current->tgid;
		ev->cpu = smp_processor_id();
		ev->hook_id = RMT_HOOK_SWAP_FAULT;
		if (vmf->flags & FAULT_FLAG_WRITE)
			ev->flags = RMT_FAULT_WRITE;
		ev->time_ns = ktime_get_ns();
	}
	rcu_read_unlock();
	ctx->cycles = get_cycles() - t0;
	/* Non-zero: no return handler for faults nobody asked about. */
	return any ? 0 : 1;
}

static int rmt_swap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vm_fault_t ret = (vm_fault_t)regs_return_value(regs);
	struct rmt_swap_ctx *ctx = (struct rmt_swap_ctx *)ri->data;
	struct rmt_msg_fault *ev = &ctx->ev;
	cycles_t t0 = get_cycles();
	struct rmt_attach *a, *first = NULL;
	enum rmt_ctr kind;
	unsigned int i;
	u64 took;

	if (ctx->emit) {
		took = ktime_get_ns() - ev->time_ns;
		ev->latency_ns = took > U32_MAX ? U32_MAX : (u32)took;
	}
	if (ret & VM_FAULT_MAJOR) {
		ev->flags |= RMT_FAULT_MAJOR;
		kind = RMT_C_MAJOR;
	} else if (ret & VM_FAULT_RETRY) {
		kind = RMT_C_RETRY;
	} else if (ret & VM_FAULT_ERROR) {
		kind = RMT_C_COUNT;
	} else {
		kind = RMT_C_MINOR;
	}
	rcu_read_lock();
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference(rmt_slots[i]);
		if (!a || a->hook != RMT_HOOK_SWAP_FAULT ||
		    !rmt_task_matches(a, current))
			continue;
		if (!first)
			first = a;
		rmt_count(a, RMT_C_FAULTS, 1);
		if (kind != RMT_C_COUNT)
			rmt_count(a, kind, 1);
		/* ctx->emit: it may have been attached after the entry. */
		if (ctx->emit && (a->flags & RMT_ATTACH_EVENTS))
			rmt_emit(a, RMT_MSG_FAULT, ev, sizeof(*ev));
	}
	/* The handlers' cost, on the first matching attachment. */
	if (first)
		rmt_count(first, RMT_C_HOOK_CYCLES,
			  ctx->cycles + (get_cycles() - t0));
	rcu_read_unlock();
	return 0;
}

static struct kretprobe rmt_swap_krp = {
	.kp.symbol_name = "do_swap_page",
	.entry_handler = rmt_swap_entry,
	.handler = rmt_swap_ret,
	.data_size = sizeof(struct rmt_swap_ctx),
	.maxactive = RMT_SWAP_MAXACTIVE,
};

int rmt_swap_hook_register(void)
{
	/* A kretprobe cannot be registered twice without being reset. */
	memset(&rmt_swap_krp.kp, 0, sizeof(rmt_swap_krp.kp));
	rmt_swap_krp.kp.symbol_name = "do_swap_page";
	rmt_swap_krp.nmissed = 0;
	return register_kretprobe(&rmt_swap_krp);
}

void rmt_swap_hook_unregister(void)
{
	unregister_kretprobe(&rmt_swap_krp);
	rmt_count(NULL, RMT_C_KRP_MISSED, rmt_swap_krp.nmissed);
}
