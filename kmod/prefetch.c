// SPDX-License-Identifier: GPL-2.0
/*
 * prefetch.c - the prefetch executor.  Hooks turn each decision (an mm
 * and a few addresses) into one work item per page, from a bounded pool,
 * without waiting (pages beyond the free items are dropped and counted).
 * The items run on an unbound workqueue, RMT_PF_ACTIVE at once, so that
 * the reads of a decision's pages are in flight together rather than one
 * after the other.  Each brings its page in for that mm with
 * handle_mm_fault, only where the PTE holds a swap entry, so that nothing
 * is populated that was never touched (KERNEL_NOTES.md).  The exported
 * paths read synchronously with the readahead window at one page, and
 * the swap-cache functions that would not are not exported: concurrency
 * is what a module on an unmodified kernel has (docs/kmod.md).
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
#include <linux/llist.h>
#include <linux/ktime.h>
#include "kmod/rmt.h"

#define RMT_PF_ITEMS 512u /* pages queued or being fetched */
#define RMT_PF_ACTIVE 16 /* fetches in flight at once */
#define RMT_PF_WATCH 2048u
#define RMT_PF_JUDGE_MS 50

_Static_assert(RMT_PF_ITEMS < RMT_PF_WATCH, "a full watch list has entries");

/* One page to bring in: its own work item, so that fetches overlap. */
struct rmt_pf_item {
	struct work_struct work;
	struct llist_node node; /* on rmt_pf_new until dispatched */
	struct mm_struct *mm; /* mmgrab()bed by the hook */
	unsigned long addr;
	u32 attach_id;
	u32 pid, tgid; /* the faulting task, for hit events */
	u64 cgroup_id;
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

/* The free items (a stack of indices) and whether hooks may queue. */
static DEFINE_SPINLOCK(rmt_pf_lock);
static struct rmt_pf_item *rmt_items;
static u16 *rmt_pf_free;
static u32 rmt_nfree;
static bool rmt_pf_open;

/*
 * The watch list: appended by the fetches, popped by the judge and by
 * fetches making room.  reserved counts the fetches that may still
 * append, so that a fetch never has to judge while it holds an mmap lock
 * (a waiting writer would deadlock it).
 */
static DEFINE_SPINLOCK(rmt_watch_lock);
static struct rmt_pf_watch *rmt_watch;
static unsigned int rmt_watch_head, rmt_watch_tail, rmt_watch_reserved;

/* Unbound, RMT_PF_ACTIVE at once: fetches wait for I/O side by side. */
static struct workqueue_struct *rmt_pf_wq;

/*
 * Hooks put items on rmt_pf_new and queue only the dispatch, which
 * queues the items: one wake-up per decision on the faulting path (each
 * costs an IPI, slow under emulation), the rest in a kworker.
 */
static LLIST_HEAD(rmt_pf_new);
static void rmt_pf_dispatch_fn(struct work_struct *w);
static DECLARE_WORK(rmt_pf_dispatch, rmt_pf_dispatch_fn);

static void rmt_pf_judge_fn(struct work_struct *w);
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
 * From the hook: preemption off, maybe interrupts; never waits.  Each
 * page of the decision becomes a work item; pages beyond the free items
 * are dropped, and a decision that lost any counts pf_queue_full.
 */
static void rmt_pf_queue(struct rmt_attach *a, struct mm_struct *mm,
			 const struct rmt_ctx_swap_fault *ctx, const u64 *pages,
			 u32 n)
{
	u16 idx[RMT_DECISION_MAX_PAGES];
	struct rmt_pf_item *it;
	unsigned long flags;
	u32 i, got = 0;

	n = min_t(u32, n, RMT_DECISION_MAX_PAGES);
	if (spin_trylock_irqsave(&rmt_pf_lock, flags)) {
		if (rmt_pf_open) {
			got = min(n, rmt_nfree);
			for (i = 0; i < got; i++)
				idx[i] = rmt_pf_free[--rmt_nfree];
		}
		spin_unlock_irqrestore(&rmt_pf_lock, flags);
	}
	if (got < n)
		rmt_count(a, RMT_C_PF_QUEUE_FULL, 1);
	if (!got)
		return;
	for (i = 0; i < got; i++) {
		it = &rmt_items[idx[i]];
		mmgrab(mm);
		it->mm = mm;
		it->addr = (unsigned long)pages[i];
		it->attach_id = a->id;
		it->pid = ctx ? ctx->pid : 0;
		it->tgid = ctx ? ctx->tgid : 0;
		it->cgroup_id = ctx ? ctx->cgroup_id : 0;
		llist_add(&it->node, &rmt_pf_new);
	}
	queue_work(rmt_pf_wq, &rmt_pf_dispatch);
	rmt_count(a, RMT_C_PF_QUEUED, 1);
}

/* The built-in test policy: the next pf_pages pages at pf_stride. */
void rmt_pf_submit(struct rmt_attach *a, struct mm_struct *mm,
		   unsigned long addr, unsigned long vm_end)
{
	unsigned long step = (unsigned long)a->pf_stride << PAGE_SHIFT;
	u64 pages[RMT_PF_MAX_PAGES];
	u32 n = 0;

	while (n < min_t(u32, a->pf_pages, RMT_PF_MAX_PAGES)) {
		if (addr + step < addr || addr + step >= vm_end)
			break;
		addr += step;
		pages[n++] = addr;
	}
	rmt_pf_queue(a, mm, NULL, pages, n);
}

/*
 * A pipeline's decision: page addresses the prefetch helper already
 * bounded to the faulting VMA; the fetch checks each PTE again.
 */
void rmt_pf_submit_pages(struct rmt_attach *a, struct mm_struct *mm,
			 const struct rmt_ctx_swap_fault *ctx, const u64 *pages,
			 u32 n)
{
	if (n)
		rmt_pf_queue(a, mm, ctx, pages, n);
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
 * its window on these), as late as the judge runs.  Judges run in several
 * work items at once: one static room for the run, under a mutex.
 */
static DEFINE_MUTEX(rmt_hit_mutex);
static struct {
	struct rmt_ctx_swap_fault ctx;
	struct rmt_hook_scratch scratch;
	struct rmt_decision d;
} rmt_hit_run;

static void rmt_pf_hit_event(const struct rmt_pf_watch *w)
{
	struct rmt_ctx_swap_fault *ctx = &rmt_hit_run.ctx;
	struct rmt_decision *d = &rmt_hit_run.d;
	struct rmt_attach *a;
	struct rmt_kprog *kp;
	cycles_t t0;

	mutex_lock(&rmt_hit_mutex);
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
		rmt_pipeline_run(kp->pipe, ctx, sizeof(*ctx),
				 &rmt_hit_run.scratch, d);
		atomic64_add(get_cycles() - t0, &kp->run_cycles);
		atomic64_add(d->n_pages, &kp->pages);
		atomic64_add(d->refused_pages, &kp->refused);
		rmt_pf_submit_pages(a, w->mm, ctx, d->pages, d->n_pages);
	}
	rcu_read_unlock();
	mutex_unlock(&rmt_hit_mutex);
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

/* Room for one watch, judging the oldest if needed; no lock held. */
static void rmt_pf_watch_reserve(void)
{
	struct rmt_pf_watch w;

	for (;;) {
		spin_lock(&rmt_watch_lock);
		if (rmt_watch_head - rmt_watch_tail + rmt_watch_reserved <
		    RMT_PF_WATCH) {
			rmt_watch_reserved++;
			spin_unlock(&rmt_watch_lock);
			return;
		}
		/* Full: reservations are fewer than items, so tail != head. */
		w = rmt_watch[rmt_watch_tail++ % RMT_PF_WATCH];
		spin_unlock(&rmt_watch_lock);
		rmt_pf_judge(&w);
	}
}

static void rmt_pf_watch_unreserve(void)
{
	spin_lock(&rmt_watch_lock);
	rmt_watch_reserved--;
	spin_unlock(&rmt_watch_lock);
}

/* Watch a page just brought in, in the reserved room; mmap lock held. */
static bool rmt_pf_watch_add(const struct rmt_pf_item *it,
			     struct vm_area_struct *vma)
{
	struct rmt_pf_watch w;

	if (!rmt_pte_young(it->mm, it->addr, &w.pfn, true)) {
		/* Already gone again: brought in for nothing. */
		rmt_pf_count(it->attach_id, RMT_C_PF_UNUSED, 1);
		return false;
	}
	mmgrab(it->mm);
	w.mm = it->mm;
	w.addr = it->addr;
	w.vm_start = vma->vm_start;
	w.vm_end = vma->vm_end;
	w.pid = it->pid;
	w.tgid = it->tgid;
	w.cgroup_id = it->cgroup_id;
	w.attach_id = it->attach_id;
	w.due = jiffies + msecs_to_jiffies(RMT_PF_JUDGE_MS);
	spin_lock(&rmt_watch_lock);
	rmt_watch[rmt_watch_head++ % RMT_PF_WATCH] = w;
	rmt_watch_reserved--;
	spin_unlock(&rmt_watch_lock);
	return true;
}

/* Bring one page in, if its PTE still holds a swap entry. */
static void rmt_pf_fetch(const struct rmt_pf_item *it)
{
	struct mm_struct *mm = it->mm;
	struct vm_area_struct *vma;
	bool watched = false;
	vm_fault_t ret;

	if (!mmget_not_zero(mm)) {
		rmt_pf_count(it->attach_id, RMT_C_PF_FAILED, 1);
		return;
	}
	rmt_pf_watch_reserve();
	mmap_read_lock(mm);
	vma = find_vma(mm, it->addr);
	if (!vma || it->addr < vma->vm_start ||
	    !rmt_pte_is_swap(mm, it->addr)) {
		rmt_pf_count(it->attach_id, RMT_C_PF_NOT_SWAP, 1);
		goto out;
	}
	/* No FAULT_FLAG_ALLOW_RETRY: the mmap lock stays held. */
	ret = handle_mm_fault(vma, it->addr, FAULT_FLAG_REMOTE, NULL);
	if (ret & VM_FAULT_ERROR) {
		rmt_pf_count(it->attach_id, RMT_C_PF_FAILED, 1);
		goto out;
	}
	rmt_pf_count(it->attach_id, RMT_C_PF_PAGES, 1);
	watched = rmt_pf_watch_add(it, vma);
out:
	mmap_read_unlock(mm);
	if (!watched)
		rmt_pf_watch_unreserve();
	mmput(mm);
}

/* Judge due watches, or all of them when flushing. */
static void rmt_pf_judge_due(bool all)
{
	struct rmt_pf_watch w;

	for (;;) {
		spin_lock(&rmt_watch_lock);
		if (rmt_watch_tail == rmt_watch_head ||
		    (!all &&
		     time_before(
			     jiffies,
			     rmt_watch[rmt_watch_tail % RMT_PF_WATCH].due))) {
			spin_unlock(&rmt_watch_lock);
			return;
		}
		w = rmt_watch[rmt_watch_tail++ % RMT_PF_WATCH];
		spin_unlock(&rmt_watch_lock);
		rmt_pf_judge(&w);
	}
}

/* Come back when the oldest watch is due. */
static void rmt_pf_judge_later(void)
{
	unsigned long due = 0;
	bool any;

	spin_lock(&rmt_watch_lock);
	any = rmt_watch_tail != rmt_watch_head;
	if (any)
		due = rmt_watch[rmt_watch_tail % RMT_PF_WATCH].due;
	spin_unlock(&rmt_watch_lock);
	if (any)
		queue_delayed_work(rmt_pf_wq, &rmt_pf_judge_work,
				   time_after(due, jiffies) ? due - jiffies :
							      0);
}

static void rmt_pf_item_fn(struct work_struct *work)
{
	struct rmt_pf_item *it = container_of(work, struct rmt_pf_item, work);
	unsigned long flags;

	rmt_pf_fetch(it);
	mmdrop(it->mm);
	/* Before freeing: rmt_pf_exit waits for all items to be free. */
	rmt_pf_judge_later();
	/* The item may be queued again from here on (workqueue.c allows it). */
	spin_lock_irqsave(&rmt_pf_lock, flags);
	rmt_pf_free[rmt_nfree++] = it - rmt_items;
	spin_unlock_irqrestore(&rmt_pf_lock, flags);
}

static void rmt_pf_dispatch_fn(struct work_struct *work)
{
	struct llist_node *first = llist_del_all(&rmt_pf_new);
	struct rmt_pf_item *it, *next;

	/* Oldest first: nearer pages are needed sooner. */
	first = llist_reverse_order(first);
	llist_for_each_entry_safe(it, next, first, node)
		queue_work(rmt_pf_wq, &it->work);
}

static void rmt_pf_judge_fn(struct work_struct *work)
{
	rmt_pf_judge_due(false);
	rmt_pf_judge_later();
}

int rmt_pf_init(void)
{
	u32 i;

	rmt_watch = kvcalloc(RMT_PF_WATCH, sizeof(*rmt_watch), GFP_KERNEL);
	rmt_items = kvcalloc(RMT_PF_ITEMS, sizeof(*rmt_items), GFP_KERNEL);
	rmt_pf_free = kvcalloc(RMT_PF_ITEMS, sizeof(*rmt_pf_free), GFP_KERNEL);
	rmt_pf_wq = alloc_workqueue("rmt_prefetch", WQ_UNBOUND, RMT_PF_ACTIVE);
	if (!rmt_watch || !rmt_items || !rmt_pf_free || !rmt_pf_wq) {
		if (rmt_pf_wq)
			destroy_workqueue(rmt_pf_wq);
		kvfree(rmt_pf_free);
		kvfree(rmt_items);
		kvfree(rmt_watch);
		return -ENOMEM;
	}
	for (i = 0; i < RMT_PF_ITEMS; i++) {
		INIT_WORK(&rmt_items[i].work, rmt_pf_item_fn);
		rmt_pf_free[i] = i;
	}
	spin_lock_irq(&rmt_pf_lock);
	rmt_nfree = RMT_PF_ITEMS;
	rmt_pf_open = true;
	spin_unlock_irq(&rmt_pf_lock);
	return 0;
}

static bool rmt_pf_all_free(void)
{
	bool all;

	spin_lock_irq(&rmt_pf_lock);
	all = rmt_nfree == RMT_PF_ITEMS;
	spin_unlock_irq(&rmt_pf_lock);
	return all;
}

/*
 * After every hook is gone: stop queueing, let the queued fetches finish
 * (a flush may not wait for items a running dispatch or hit event queues:
 * until every item is free), stop the judge (it may requeue itself),
 * judge what is left, free.
 */
void rmt_pf_exit(void)
{
	spin_lock_irq(&rmt_pf_lock);
	rmt_pf_open = false;
	spin_unlock_irq(&rmt_pf_lock);
	do
		flush_workqueue(rmt_pf_wq);
	while (!rmt_pf_all_free());
	cancel_delayed_work_sync(&rmt_pf_judge_work);
	destroy_workqueue(rmt_pf_wq);
	rmt_pf_judge_due(true);
	kvfree(rmt_pf_free);
	kvfree(rmt_items);
	kvfree(rmt_watch);
}
