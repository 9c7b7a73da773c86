// SPDX-License-Identifier: GPL-2.0
/*
 * swap_hook.c - the swap_fault hook: two ftrace_ops, one filtered to
 * do_swap_page (every swap fault: counted) and one to swapin_readahead
 * (called by do_swap_page, in the faulting task, exactly when the page is
 * not in the swap cache: a major fault on a non-synchronous swap device).
 * The second is the dispatch point: it builds the fault context from
 * struct vm_fault (and the attachment's histories and streams) for the
 * attachments whose filter matches the faulting task, runs their programs
 * (or the test policy), hands the decisions to the prefetch executor and
 * emits the RMT_MSG_FAULT record.
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
#include <linux/percpu.h>
#include <linux/slab.h>
#include "kmod/rmt.h"
#include "vm/hook.h"

/* First and third arguments of the traced calls (x86-64, WITH_ARGS). */
#define rmt_arg0(fregs) ((fregs)->regs.di)
#define rmt_arg2(fregs) ((fregs)->regs.dx)

/* What a pipeline run needs, per CPU: the callbacks run unpreempted. */
struct rmt_swap_run {
	struct rmt_ctx_swap_fault ctx;
	struct rmt_hook_scratch scratch;
	struct rmt_decision d;
};

static DEFINE_PER_CPU(struct rmt_swap_run, rmt_swap_runs);

static void rmt_ctx_fill(struct rmt_ctx_swap_fault *ctx, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	memset(ctx, 0, sizeof(*ctx));
	ctx->addr = vmf->address;
	ctx->vma_start = vma->vm_start;
	ctx->vma_end = vma->vm_end;
	ctx->time_ns = ktime_get_ns();
	ctx->cgroup_id = cgroup_id(task_dfl_cgroup(current));
	ctx->pid = current->pid;
	ctx->tgid = current->tgid;
	ctx->cpu = smp_processor_id();
	ctx->flags = RMT_FAULT_MAJOR;
	if (vmf->flags & FAULT_FLAG_WRITE)
		ctx->flags |= RMT_FAULT_WRITE;
}

/*
 * The attachment's program decides, with the attachment's delta
 * histories and streams (kstream.c); the executor carries it out.
 */
static void rmt_swap_run_prog(struct rmt_attach *a, struct rmt_kprog *kp,
			      struct vm_fault *vmf, bool *ctx_built)
{
	struct rmt_swap_run *r = this_cpu_ptr(&rmt_swap_runs);
	cycles_t t0;

	if (!*ctx_built)
		rmt_ctx_fill(&r->ctx, vmf);
	*ctx_built = true;
	r->d.n_pages = 0;
	r->d.refused_pages = 0;
	/* An action's fault is counted by the pipeline; its pages stand. */
	t0 = get_cycles();
	rmt_kstream_run(a, kp, &r->ctx, &r->scratch, &r->d);
	atomic64_add(get_cycles() - t0, &kp->run_cycles);
	if (r->d.refused_pages)
		atomic64_add(r->d.refused_pages, &kp->refused);
	if (!r->d.n_pages)
		return;
	atomic64_add(r->d.n_pages, &kp->pages);
	rmt_pf_submit_pages(a, vmf->vma->vm_mm, &r->ctx, r->d.pages,
			    r->d.n_pages);
}

/* What rmt_swap_each does for one matching attachment. */
typedef void (*rmt_swap_fn)(struct rmt_attach *a, void *arg);

/*
 * Both handlers: fn for each swap_fault attachment whose filter matches
 * the faulting task, and the handler's cost (TSC cycles) on the first of
 * them.  Inlined, so that fn is a direct call.
 */
static __always_inline void rmt_swap_each(rmt_swap_fn fn, void *arg)
{
	struct rmt_attach *a, *first = NULL;
	cycles_t t0 = get_cycles();
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference(rmt_slots[i]);
		if (!a || a->hook != RMT_HOOK_SWAP_FAULT ||
		    !rmt_task_matches(a, current))
			continue;
		if (!first)
			first = a;
		fn(a, arg);
	}
	if (first)
		rmt_count(first, RMT_C_HOOK_CYCLES, get_cycles() - t0);
	rcu_read_unlock();
}

static void rmt_count_fault(struct rmt_attach *a, void *arg)
{
	rmt_count(a, RMT_C_FAULTS, 1);
}

static void rmt_swap_fault(unsigned long ip, unsigned long parent_ip,
			   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	rmt_swap_each(rmt_count_fault, NULL);
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

/* A major fault's state across its attachments. */
struct rmt_major {
	struct vm_fault *vmf;
	bool ctx_built; /* the per-CPU program context */
	bool ev_built;
	struct rmt_msg_fault ev;
};

static void rmt_major_one(struct rmt_attach *a, void *arg)
{
	struct rmt_major *m = arg;
	struct vm_area_struct *vma = m->vmf->vma;
	struct rmt_kprog *kp;

	rmt_count(a, RMT_C_MAJOR, 1);
	if (a->flags & RMT_ATTACH_TEST_PREFETCH)
		rmt_pf_submit(a, vma->vm_mm, m->vmf->address, vma->vm_end);
	kp = rcu_dereference(a->prog);
	if (kp)
		rmt_swap_run_prog(a, kp, m->vmf, &m->ctx_built);
	if (!(a->flags & RMT_ATTACH_EVENTS))
		return;
	/* The clock can be slow (HPET under emulation): only if needed. */
	if (!m->ev_built)
		rmt_fault_record(&m->ev, m->vmf);
	m->ev_built = true;
	rmt_emit(a, RMT_MSG_FAULT, &m->ev, sizeof(m->ev));
}

static void rmt_swap_major(unsigned long ip, unsigned long parent_ip,
			   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct rmt_major m = {
		.vmf = (struct vm_fault *)rmt_arg2(fregs),
	};

	rmt_swap_each(rmt_major_one, &m);
}

/*
 * A fresh ftrace_ops per registration: re-registering a static one after
 * unregistering it and freeing its filter hit a double free in slub
 * (under arch_ftrace_trampoline_free) on this kernel; ftrace_free_filter
 * leaves the ops pointing at the hashes it freed (docs/kmod.md).
 */
static struct ftrace_ops *rmt_fault_ops, *rmt_major_ops;

static struct ftrace_ops *rmt_ops_register(ftrace_func_t func, char *fn)
{
	struct ftrace_ops *ops = kzalloc(sizeof(*ops), GFP_KERNEL);
	int err;

	if (!ops)
		return ERR_PTR(-ENOMEM);
	ops->func = func;
	err = ftrace_set_filter(ops, fn, strlen(fn), 1);
	if (!err)
		err = register_ftrace_function(ops);
	if (err) {
		ftrace_free_filter(ops);
		kfree(ops);
		rmt_warn("cannot trace %s: %d\n", fn, err);
		return ERR_PTR(err);
	}
	return ops;
}

static void rmt_ops_unregister(struct ftrace_ops *ops)
{
	unregister_ftrace_function(ops);
	ftrace_free_filter(ops);
	kfree(ops);
}

int rmt_swap_hook_register(void)
{
	rmt_fault_ops = rmt_ops_register(rmt_swap_fault, "do_swap_page");
	if (IS_ERR(rmt_fault_ops))
		return PTR_ERR(rmt_fault_ops);
	rmt_major_ops = rmt_ops_register(rmt_swap_major, "swapin_readahead");
	if (IS_ERR(rmt_major_ops)) {
		rmt_ops_unregister(rmt_fault_ops);
		return PTR_ERR(rmt_major_ops);
	}
	return 0;
}

void rmt_swap_hook_unregister(void)
{
	rmt_ops_unregister(rmt_major_ops);
	rmt_ops_unregister(rmt_fault_ops);
}
