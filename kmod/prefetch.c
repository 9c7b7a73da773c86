// SPDX-License-Identifier: GPL-2.0
/*
 * prefetch.c - the prefetch executor.  Hooks queue decisions (an mm and a
 * few addresses) into a bounded queue without waiting (a full or busy
 * queue drops the decision and counts it); one work item drains the queue
 * in process context and brings the pages in for that mm with
 * handle_mm_fault, only where the PTE holds a swap entry, so that nothing
 * is populated that was never touched (KERNEL_NOTES.md).
 *
 * Hits are counted from the accessed bit: right after a page is brought
 * in, its PTE's accessed bit is cleared (atomically, as x86's
 * ptep_test_and_clear_young does, which is not exported); RMT_PF_JUDGE_MS
 * later the same PTE is looked at again: still mapping the same page and
 * accessed is a hit, anything else is unused.  Reclaim also clears the
 * bit, so hits can only be undercounted.  When the watch list is full,
 * its oldest entries are judged early.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include "kmod/rmt.h"

#define RMT_PF_QUEUE 64u
#define RMT_PF_WATCH 2048u
#define RMT_PF_JUDGE_MS 50

struct rmt_pf_decision {
	struct mm_struct *mm; /* mmgrab()bed by the hook */
	u32 attach_id;
	u32 n;
	u32 pid, tgid; /* the faulting task, for hit events */
	u64 cgroup_id;
	unsigned long addr[RMT_DECISION_MAX_PAGES]; /* a pipeline's most */
};

struct rmt_pf_watch {
	struct mm_struct *mm; /* mmgrab()bed */
	unsigned long addr;
	unsigned long vm_start, vm_end;
	u32 pid, tgid;
	u64 cgroup_id;
	unsigned long pfn;
	unsigned long due; /* jiffies */
	u32 attach_id;
};

static DEFINE_SPINLOCK(rmt_pfq_lock);
static struct rmt_pf_decision rmt_pfq[RMT_PF_QUEUE];
static unsigned int rmt_pfq_head, rmt_pfq_tail; /* free-running */
static bool rmt_pf_open;

/*
 * Two work items on one ordered workqueue, so that they never run at the
 * same time: the drain (queued from hooks; queue_work is a bit test when
 * it is already pending) and the judge (delayed).  Only they touch the
 * watch list.
 */
static struct workqueue_struct *rmt_pf_wq;
static struct rmt_pf_watch *rmt_watch;
static unsigned int rmt_watch_head, rmt_watch_tail;

static void rmt_pf_drain_fn(struct work_struct *w);
static void rmt_pf_judge_fn(struct work_struct *w);
static DECLARE_WORK(rmt_pf_drain, rmt_pf_drain_fn);
static DECLARE_DELAYED_WORK(rmt_pf_judge_work, rmt_pf_judge_fn);

static void rmt_pf_count(u32 id, enum rmt_ctr c, long n)
{
	if (!n)
		return;
	rcu_read_lock();
	rmt_count(rmt_attach_find_rcu(id), c, n);
	rcu_read_unlock();
}

_Static_assert(RMT_PF_MAX_PAGES <= RMT_DECISION_MAX_PAGES, "test policy fits");

/*
 * From the hook: preemption off, maybe interrupts; never waits.  fill
 * writes the decision's addresses into the queue slot and returns them.
 */
static void rmt_pf_queue(struct rmt_attach *a, struct mm_struct *mm,
			 const struct rmt_ctx_swap_fault *ctx,
			 u32 (*fill)(unsigned long *addr, const void *arg),
			 const void *arg)
{
	struct rmt_pf_decision *d;
	unsigned long flags;
	u32 n;

	if (!spin_trylock_irqsave(&rmt_pfq_lock, flags)) {
		rmt_count(a, RMT_C_PF_QUEUE_FULL, 1);
		return;
	}
	if (!rmt_pf_open || rmt_pfq_head - rmt_pfq_tail >= RMT_PF_QUEUE) {
		spin_unlock_irqrestore(&rmt_pfq_lock, flags);
		rmt_count(a, RMT_C_PF_QUEUE_FULL, 1);
		return;
	}
	d = &rmt_pfq[rmt_pfq_head % RMT_PF_QUEUE];
	n = fill(d->addr, arg);
	if (n) {
		mmgrab(mm);
		d->mm = mm;
		d->attach_id = a->id;
		d->n = n;
		d->pid = ctx ? ctx->pid : 0;
		d->tgid = ctx ? ctx->tgid : 0;
		d->cgroup_id = ctx ? ctx->cgroup_id : 0;
		rmt_pfq_head++;
	}
	spin_unlock_irqrestore(&rmt_pfq_lock, flags);
	if (n) {
		rmt_count(a, RMT_C_PF_QUEUED, 1);
		queue_work(rmt_pf_wq, &rmt_pf_drain);
	}
}

struct rmt_pf_test {
	unsigned long addr, vm_end, step;
	u32 pages;
};

static u32 rmt_pf_fill_test(unsigned long *addr, const void *arg)
{
	const struct rmt_pf_test *t = arg;
	unsigned long at = t->addr;
	u32 i, n = 0;

	for (i = 0; i < t->pages; i++) {
		if (at + t->step < at || at + t->step >= t->vm_end)
			break;
		at += t->step;
		addr[n++] = at;
	}
	return n;
}

/* The built-in test policy: the next pf_pages pages at pf_stride. */
void rmt_pf_submit(struct rmt_attach *a, struct mm_struct *mm,
		   unsigned long addr, unsigned long vm_end)
{
	const struct rmt_pf_test t = {
		.addr = addr,
		.vm_end = vm_end,
		.step = (unsigned long)a->pf_stride << PAGE_SHIFT,
		.pages = a->pf_pages,
	};

	rmt_pf_queue(a, mm, NULL, rmt_pf_fill_test, &t);
}

struct rmt_pf_pages {
	const u64 *pages;
	u32 n;
};

static u32 rmt_pf_fill_pages(unsigned long *addr, const void *arg)
{
	const struct rmt_pf_pages *p = arg;
	u32 i;

	for (i = 0; i < p->n; i++)
		addr[i] = (unsigned long)p->pages[i];
	return p->n;
}

/*
 * A pipeline's decision: page addresses the prefetch helper already
 * bounded to the faulting VMA; the drain checks each PTE again.
 */
void rmt_pf_submit_pages(struct rmt_attach *a, struct mm_struct *mm,
			 const struct rmt_ctx_swap_fault *ctx, const u64 *pages,
			 u32 n)
{
	const struct rmt_pf_pages p = {
		.pages = pages,
		.n = min_t(u32, n, RMT_DECISION_MAX_PAGES),
	};

	if (p.n)
		rmt_pf_queue(a, mm, ctx, rmt_pf_fill_pages, &p);
}

static bool rmt_pf_pop(struct rmt_pf_decision *out)
{
	bool got = false;

	spin_lock_irq(&rmt_pfq_lock);
	if (rmt_pfq_tail != rmt_pfq_head) {
		*out = rmt_pfq[rmt_pfq_tail % RMT_PF_QUEUE];
		rmt_pfq_tail++;
		got = true;
	}
	spin_unlock_irq(&rmt_pfq_lock);
	return got;
}

/* The PMD mapping addr if it points to a PTE table; mmap lock held. */
static pmd_t *rmt_pf_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd, v;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	v = READ_ONCE(*pmd);
	if (pmd_none(v) || !pmd_present(v) || pmd_trans_huge(v) || pmd_bad(v))
		return NULL;
	return pmd;
}

/* Does the PTE hold a swap entry (not a migration or other entry)? */
static bool rmt_pte_is_swap(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = rmt_pf_pmd(mm, addr);
	pte_t *ptep, pte;

	if (!pmd)
		return false;
	ptep = pte_offset_map(pmd, addr);
	pte = ptep_get(ptep);
	pte_unmap(ptep);
	return is_swap_pte(pte) && !non_swap_entry(pte_to_swp_entry(pte));
}

/*
 * clear: clear the accessed bit of a present PTE, store its pfn and return
 * true; false if not present.  !clear: whether the PTE still maps *pfn and
 * was accessed.
 */
static bool rmt_pte_young(struct mm_struct *mm, unsigned long addr,
			  unsigned long *pfn, bool clear)
{
	pmd_t *pmd = rmt_pf_pmd(mm, addr);
	bool ret = false;
	spinlock_t *ptl;
	pte_t *ptep, pte;

	if (!pmd)
		return false;
	ptep = pte_offset_map_lock(mm, pmd, addr, &ptl);
	pte = ptep_get(ptep);
	if (pte_present(pte)) {
		if (clear) {
			*pfn = pte_pfn(pte);
			test_and_clear_bit(_PAGE_BIT_ACCESSED,
					   (unsigned long *)&ptep->pte);
			ret = true;
		} else {
			ret = pte_pfn(pte) == *pfn && pte_young(pte);
		}
	}
	pte_unmap_unlock(ptep, ptl);
	return ret;
}

/*
 * A prefetched page was used: the attachment's program hears of it as a
 * swap_fault with RMT_FAULT_PREFETCH_HIT (programs/readahead.rmt grows
 * its window on these), as late as the judge runs; its histories and
 * streams take the hit in, and the event ring gets it as a fault record
 * with that flag, as in user space.  Only the two ordered
 * work items get here, never at once: one static room for the run.
 */
static struct {
	struct rmt_ctx_swap_fault ctx;
	struct rmt_hook_scratch scratch;
	struct rmt_decision d;
} rmt_hit_run;

/*
 * The hit as a fault record, as user space reports its hits: an agent
 * training on the ring then sees the fault sequence the program's
 * streams saw.
 */
static void rmt_pf_hit_record(struct rmt_attach *a,
			      const struct rmt_ctx_swap_fault *c)
{
	struct rmt_msg_fault ev = {
		.addr = c->addr,
		.vma_start = c->vma_start,
		.vma_end = c->vma_end,
		.time_ns = c->time_ns,
		.cgroup_id = c->cgroup_id,
		.pid = c->pid,
		.tgid = c->tgid,
		.cpu = c->cpu,
		.hook_id = RMT_HOOK_SWAP_FAULT,
		.flags = RMT_FAULT_PREFETCH_HIT,
	};

	rmt_emit(a, RMT_MSG_FAULT, &ev, sizeof(ev));
}

static void rmt_pf_hit_event(const struct rmt_pf_watch *w)
{
	struct rmt_ctx_swap_fault *ctx = &rmt_hit_run.ctx;
	struct rmt_decision *d = &rmt_hit_run.d;
	struct rmt_attach *a;
	struct rmt_kprog *kp;
	cycles_t t0;

	rcu_read_lock();
	a = rmt_attach_find_rcu(w->attach_id);
	kp = a ? rcu_dereference(a->prog) : NULL;
	if (kp) {
		memset(ctx, 0, sizeof(*ctx));
		ctx->addr = w->addr;
		ctx->vma_start = w->vm_start;
		ctx->vma_end = w->vm_end;
		ctx->time_ns = ktime_get_ns();
		ctx->cgroup_id = w->cgroup_id;
		ctx->pid = w->pid;
		ctx->tgid = w->tgid;
		ctx->cpu = raw_smp_processor_id();
		ctx->flags = RMT_FAULT_PREFETCH_HIT;
		d->n_pages = 0;
		d->refused_pages = 0;
		t0 = get_cycles();
		rmt_kstream_run(a, kp, ctx, &rmt_hit_run.scratch, d);
		atomic64_add(get_cycles() - t0, &kp->run_cycles);
		atomic64_add(d->n_pages, &kp->pages);
		atomic64_add(d->refused_pages, &kp->refused);
		rmt_pf_submit_pages(a, w->mm, ctx, d->pages, d->n_pages);
		if (a->flags & RMT_ATTACH_EVENTS)
			rmt_pf_hit_record(a, ctx);
	}
	rcu_read_unlock();
}

static void rmt_pf_judge(struct rmt_pf_watch *w)
{
	bool hit = false;

	if (mmget_not_zero(w->mm)) {
		mmap_read_lock(w->mm);
		hit = rmt_pte_young(w->mm, w->addr, &w->pfn, false);
		mmap_read_unlock(w->mm);
		mmput(w->mm);
	}
	rmt_pf_count(w->attach_id, hit ? RMT_C_PF_HITS : RMT_C_PF_UNUSED, 1);
	if (hit)
		rmt_pf_hit_event(w);
	mmdrop(w->mm);
}

static void rmt_pf_watch_add(const struct rmt_pf_decision *d,
			     struct vm_area_struct *vma, unsigned long addr)
{
	struct rmt_pf_watch *w = &rmt_watch[rmt_watch_head % RMT_PF_WATCH];

	if (!rmt_pte_young(d->mm, addr, &w->pfn, true)) {
		/* Already gone again: brought in for nothing. */
		rmt_pf_count(d->attach_id, RMT_C_PF_UNUSED, 1);
		return;
	}
	mmgrab(d->mm);
	w->mm = d->mm;
	w->addr = addr;
	w->vm_start = vma->vm_start;
	w->vm_end = vma->vm_end;
	w->pid = d->pid;
	w->tgid = d->tgid;
	w->cgroup_id = d->cgroup_id;
	w->attach_id = d->attach_id;
	w->due = jiffies + msecs_to_jiffies(RMT_PF_JUDGE_MS);
	rmt_watch_head++;
}

static void rmt_pf_run(struct rmt_pf_decision *d)
{
	struct mm_struct *mm = d->mm;
	struct vm_area_struct *vma;
	long pages = 0, not_swap = 0;
	unsigned long addr;
	vm_fault_t ret;
	u32 i;

	/*
	 * Room in the watch list first: judging takes an mmap lock, which
	 * must not nest inside ours (a waiting writer would deadlock us).
	 */
	while (RMT_PF_WATCH - (rmt_watch_head - rmt_watch_tail) < d->n)
		rmt_pf_judge(&rmt_watch[rmt_watch_tail++ % RMT_PF_WATCH]);
	if (!mmget_not_zero(mm)) {
		rmt_pf_count(d->attach_id, RMT_C_PF_FAILED, d->n);
		return;
	}
	mmap_read_lock(mm);
	for (i = 0; i < d->n; i++) {
		addr = d->addr[i];
		vma = find_vma(mm, addr);
		if (!vma || addr < vma->vm_start ||
		    !rmt_pte_is_swap(mm, addr)) {
			not_swap++;
			continue;
		}
		/* No FAULT_FLAG_ALLOW_RETRY: the mmap lock stays held. */
		ret = handle_mm_fault(vma, addr, FAULT_FLAG_REMOTE, NULL);
		if (ret & VM_FAULT_ERROR) {
			rmt_pf_count(d->attach_id, RMT_C_PF_FAILED, 1);
			continue;
		}
		pages++;
		rmt_pf_watch_add(d, vma, addr);
	}
	mmap_read_unlock(mm);
	mmput(mm);
	rmt_pf_count(d->attach_id, RMT_C_PF_PAGES, pages);
	rmt_pf_count(d->attach_id, RMT_C_PF_NOT_SWAP, not_swap);
}

/* Judge due watches, or all of them when flushing. */
static void rmt_pf_judge_due(bool all)
{
	struct rmt_pf_watch *w;

	while (rmt_watch_tail != rmt_watch_head) {
		w = &rmt_watch[rmt_watch_tail % RMT_PF_WATCH];
		if (!all && time_before(jiffies, w->due))
			break;
		rmt_pf_judge(w);
		rmt_watch_tail++;
	}
}

/* Come back when the oldest watch is due. */
static void rmt_pf_judge_later(void)
{
	struct rmt_pf_watch *w;

	if (rmt_watch_tail == rmt_watch_head)
		return;
	w = &rmt_watch[rmt_watch_tail % RMT_PF_WATCH];
	queue_delayed_work(rmt_pf_wq, &rmt_pf_judge_work,
			   time_after(w->due, jiffies) ? w->due - jiffies : 0);
}

static void rmt_pf_drain_fn(struct work_struct *work)
{
	struct rmt_pf_decision d;

	while (rmt_pf_pop(&d)) {
		rmt_pf_run(&d);
		mmdrop(d.mm);
		cond_resched();
	}
	rmt_pf_judge_later();
}

static void rmt_pf_judge_fn(struct work_struct *work)
{
	rmt_pf_judge_due(false);
	rmt_pf_judge_later();
}

int rmt_pf_init(void)
{
	rmt_watch = kvcalloc(RMT_PF_WATCH, sizeof(*rmt_watch), GFP_KERNEL);
	if (!rmt_watch)
		return -ENOMEM;
	rmt_pf_wq = alloc_ordered_workqueue("rmt_prefetch", 0);
	if (!rmt_pf_wq) {
		kvfree(rmt_watch);
		return -ENOMEM;
	}
	spin_lock_irq(&rmt_pfq_lock);
	rmt_pf_open = true;
	spin_unlock_irq(&rmt_pfq_lock);
	return 0;
}

/* After every hook is gone: stop, drain, judge what is left, free. */
void rmt_pf_exit(void)
{
	struct rmt_pf_decision d;

	spin_lock_irq(&rmt_pfq_lock);
	rmt_pf_open = false;
	spin_unlock_irq(&rmt_pfq_lock);
	/* Nothing queues the drain any more; the judge may requeue itself. */
	cancel_work_sync(&rmt_pf_drain);
	cancel_delayed_work_sync(&rmt_pf_judge_work);
	destroy_workqueue(rmt_pf_wq);
	while (rmt_pf_pop(&d))
		mmdrop(d.mm);
	rmt_pf_judge_due(true);
	kvfree(rmt_watch);
}
