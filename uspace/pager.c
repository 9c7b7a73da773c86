// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pager.c - the userfaultfd pager (see pager.h).
 *
 * Everything the pager allocates comes from raw mmap system calls, never
 * from malloc or the mmap symbol, because the LD_PRELOAD interposer
 * builds on this file and interposes both.
 *
 * Page life: NONE (never written; a fault installs zeros locally) ->
 * ACTIVE (mapped) -> INACTIVE (in the backing store, unmapped; still
 * local) -> FAR (left local memory).  A FAR page comes back on a demand
 * miss, or is prefetched to STAGED (on the inactive list) and mapped at
 * its first fault.
 *
 * How a page moves between the arena and the backing store: where the
 * kernel has UFFDIO_MOVE (Linux 6.8), the page itself is moved, both ways,
 * as a swap device's DMA would move it without the CPU copying it; a
 * STAGED page waits in the backing store.  Otherwise (or with
 * RMT_US_EVICT_COPY, or for a page the kernel will not move) it is
 * write-protected, copied and unmapped, and comes back as a copy, through
 * a copy in the staging area when it was prefetched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "proto/msg.h"
#include "proto/ring.h"
#include "uspace/fetch.h"
#include "uspace/lru.h"
#include "uspace/pager.h"
#include "uspace/uffd_move.h"
#include "vm/task_hist.h"

/* The swap_fault hook's id, as vm/hook.h numbers it. */
#define HOOK_SWAP_FAULT 1u
#define MAX_ALLOCS 4096u
#define DEACT_BATCH 32u
#define MSG_BATCH 16u

enum pg_state {
	PG_NONE,
	PG_ACTIVE,
	PG_INACTIVE,
	PG_STAGED,
	PG_FAR
};

struct extent {
	uint64_t first; /* page number in the arena */
	uint64_t npages;
};

struct rmt_pager {
	struct rmt_pager_config cfg;
	int uffd;
	int stop_fd;
	pthread_t thread;
	bool thread_started, sig_attached, lock_ready;
	bool move; /* pages move (UFFDIO_MOVE) instead of being copied */
	pthread_mutex_t lock;
	uint8_t *arena;
	uint8_t *backing;
	uint8_t *staging;
	uint64_t npages;
	void *meta;
	size_t meta_len;
	uint8_t *state;
	uint32_t *prev, *next, *slot;
	uint64_t *ready;
	uint32_t *free_slots;
	uint64_t n_free_slots, next_fresh_slot;
	struct rmt_us_lru lru;
	struct rmt_us_fetchq fq;
	uint64_t limit, inactive_target, allocated_pages;
	uint64_t pending; /* the page being faulted in, not yet on a list */
	struct extent allocs[MAX_ALLOCS]; /* sorted by first */
	uint32_t n_allocs;
	struct extent holes[MAX_ALLOCS]; /* free space, sorted by first */
	uint32_t n_holes;
	struct rmt_task_hists tasks; /* the same histories as the kernel's */
	struct rmt_us_stats own_stats;
	struct rmt_us_stats *st;
	struct rmt_ring_prod ring;
	bool have_ring;
	uint32_t pid;
	uint64_t pages_buf[RMT_US_MAX_PREFETCH];
	uint8_t zero[RMT_US_PAGE] __attribute__((aligned(RMT_US_PAGE)));
};

void *rmt_us_raw_mmap(size_t len)
{
	long r = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return r == -1 ? NULL : (void *)r;
}

void rmt_us_raw_munmap(void *addr, size_t len)
{
	if (addr)
		syscall(SYS_munmap, addr, len);
}

static int open_uffd(uint64_t extra, uint64_t *features)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd, err;

	fd = (int)syscall(SYS_userfaultfd,
			  O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	api.features = UFFD_FEATURE_PAGEFAULT_FLAG_WP | extra;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = -errno;
		close(fd);
		/* A kernel older than the feature refuses to hear of it. */
		if (err == -EINVAL && (extra & UFFD_FEATURE_MOVE))
			return open_uffd(extra & ~UFFD_FEATURE_MOVE, features);
		return err;
	}
	*features = api.features;
	return fd;
}

static int register_range(int uffd, void *addr, size_t len, uint64_t *ioctls)
{
	struct uffdio_register reg = {
		.range = { (uintptr_t)addr, len },
		.mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP,
	};
	uint64_t need = (1ull << _UFFDIO_COPY) | (1ull << _UFFDIO_WAKE) |
			(1ull << _UFFDIO_WRITEPROTECT);

	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	*ioctls = reg.ioctls;
	return (reg.ioctls & need) == need ? 0 : -EOPNOTSUPP;
}

/*
 * UFFDIO_MOVE needs its destination registered too: the backing store is,
 * for write-protection only, so that its own faults stay ordinary ones.
 */
static bool register_backing(int uffd, void *addr, size_t len)
{
	struct uffdio_register reg = {
		.range = { (uintptr_t)addr, len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	return !ioctl(uffd, UFFDIO_REGISTER, &reg) &&
	       (reg.ioctls & (1ull << _UFFDIO_MOVE));
}

int rmt_pager_probe(char *why, size_t why_len)
{
	uint64_t features = 0, ioctls;
	void *page;
	int fd, err;

	fd = open_uffd(0, &features);
	if (fd < 0) {
		err = fd;
		if (err == -EPERM)
			snprintf(
				why, why_len,
				"userfaultfd is not permitted (EPERM): "
				"/proc/sys/vm/unprivileged_userfaultfd is 0 "
				"and this process lacks CAP_SYS_PTRACE (before "
				"Linux 5.11), or a seccomp filter forbids it; "
				"run as root or set the sysctl to 1");
		else if (err == -ENOSYS)
			snprintf(why, why_len,
				 "this kernel has no userfaultfd "
				 "(ENOSYS: built without CONFIG_USERFAULTFD)");
		else
			snprintf(why, why_len, "userfaultfd failed: %s",
				 strerror(-err));
		return err;
	}
	if (!(features & UFFD_FEATURE_PAGEFAULT_FLAG_WP)) {
		close(fd);
		snprintf(why, why_len,
			 "userfaultfd lacks write-protect "
			 "support for anonymous memory (needs Linux >= 5.7)");
		return -EOPNOTSUPP;
	}
	page = rmt_us_raw_mmap(RMT_US_PAGE);
	if (!page) {
		err = -errno;
		close(fd);
		snprintf(why, why_len, "mmap failed: %s", strerror(-err));
		return err;
	}
	err = register_range(fd, page, RMT_US_PAGE, &ioctls);
	if (err)
		snprintf(why, why_len,
			 "UFFDIO_REGISTER (missing and "
			 "write-protect modes) failed: %s",
			 strerror(-err));
	rmt_us_raw_munmap(page, RMT_US_PAGE);
	close(fd);
	return err;
}

void rmt_pager_config_default(struct rmt_pager_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mem_limit_permille = 500;
	c->far_latency_ns = RMT_US_DEFAULT_LATENCY_NS;
	c->fetch_depth = RMT_US_DEFAULT_DEPTH;
	c->inactive_percent = 25;
	c->arena_bytes = RMT_US_DEFAULT_ARENA;
	c->spin_ns = RMT_US_DEFAULT_SPIN_NS;
}

static inline uint8_t *page_addr(struct rmt_pager *p, uint64_t pg)
{
	return p->arena + pg * RMT_US_PAGE;
}

static void update_limit(struct rmt_pager *p)
{
	uint64_t lim;

	if (p->cfg.mem_limit)
		lim = p->cfg.mem_limit / RMT_US_PAGE;
	else
		lim = p->allocated_pages * p->cfg.mem_limit_permille / 1000;
	if (lim < RMT_US_MIN_LIMIT_PAGES)
		lim = RMT_US_MIN_LIMIT_PAGES;
	p->limit = lim;
	p->inactive_target = lim * p->cfg.inactive_percent / 100;
	/* Report the limit at the largest footprint, not after the frees. */
	if (lim > p->st->limit_pages)
		p->st->limit_pages = lim;
}

/* One UFFDIO_MOVE of pages [first, first+n) out; returns how many it says. */
static uint64_t move_ioctl(struct rmt_pager *p, uint64_t first, uint64_t n)
{
	struct uffdio_move m = {
		.dst = (uintptr_t)(p->backing + first * RMT_US_PAGE),
		.src = (uintptr_t)page_addr(p, first),
		.len = n * RMT_US_PAGE,
	};

	if (ioctl(p->uffd, UFFDIO_MOVE, &m) == 0)
		return n;
	return m.move > 0 ? (uint64_t)m.move / RMT_US_PAGE : 0;
}

/*
 * Which of pages [first, first+n) (n <= DEACT_BATCH) are mapped in the
 * arena.  A page the pager holds active can be unmapped: the program
 * discarded it (MADV_DONTNEED), or the kernel moved it without saying so
 * (move_out).  Touching it would fault, inside the fault handler;
 * mincore() reads the page tables instead.  If it fails, all are taken
 * as mapped.
 */
static void arena_mapped(struct rmt_pager *p, uint64_t first, uint64_t n,
			 unsigned char *here)
{
	if (mincore(page_addr(p, first), n * RMT_US_PAGE, here))
		memset(here, 1, n);
}

/*
 * Moves pages [first, first+n) (n <= DEACT_BATCH) from the arena to the
 * backing store; returns how many moved, from first on (the kernel stops
 * at a page it cannot move, one shared with a child process, say).  A
 * page that has left the arena counts as moved: its data is in the
 * backing store, or it has none.
 *
 * What the kernel reports is not always what it did: in Linux 6.18,
 * move_pages() keeps a step's -EAGAIN (a page under migration, say) in
 * its error for the later steps, which then move their pages without
 * counting them, and the step after them fails (EEXIST).
 */
static uint64_t move_out(struct rmt_pager *p, uint64_t first, uint64_t n)
{
	unsigned char here[DEACT_BATCH];
	uint64_t done = 0, step;

	if (!p->move)
		return 0;
	while (done < n) {
		step = move_ioctl(p, first + done, n - done);
		if (!step) {
			arena_mapped(p, first + done, n - done, here);
			while (done + step < n && !(here[step] & 1))
				step++;
			if (!step)
				break;
			p->st->gone_at_eviction += step;
		}
		done += step;
	}
	p->st->moved_out += done;
	return done;
}

/* Writes a run of active pages back and unmaps them, atomically. */
static void unmap_run(struct rmt_pager *p, uint64_t first, uint64_t n)
{
	uint64_t moved = move_out(p, first, n), i;
	struct uffdio_writeprotect wp = {
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	unsigned char here[DEACT_BATCH];

	/* What did not move is copied. */
	if (moved == n)
		return;
	first += moved;
	n -= moved;
	wp.range.start = (uintptr_t)page_addr(p, first);
	wp.range.len = n * RMT_US_PAGE;

	/*
	 * Write-protect first: a write racing the copy blocks in a WP fault
	 * until the page is gone and then faults it back in, so no store is
	 * lost between the copy and the unmap.
	 */
	if (ioctl(p->uffd, UFFDIO_WRITEPROTECT, &wp))
		fprintf(stderr, "rmt-pager: write-protect failed: %s\n",
			strerror(errno));
	arena_mapped(p, first, n, here);
	for (i = 0; i < n; i++) {
		uint8_t *store = p->backing + (first + i) * RMT_US_PAGE;

		if (here[i] & 1) {
			memcpy(store, page_addr(p, first + i), RMT_US_PAGE);
		} else {
			/* Discarded: it comes back as zeros. */
			madvise(store, RMT_US_PAGE, MADV_DONTNEED);
			p->st->gone_at_eviction++;
		}
	}
	madvise(page_addr(p, first), n * RMT_US_PAGE, MADV_DONTNEED);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Moves the oldest active pages to the inactive list, unmapped.  A batch
 * is an eighth of the inactive target (at most DEACT_BATCH pages): its
 * write-protect, unmap and TLB flushes are paid once per run of adjacent
 * pages, not once per page, while the inactive list overshoots its target
 * by at most one batch, so small limits stay LRU-like.
 */
static void deactivate_batch(struct rmt_pager *p)
{
	uint32_t ids[DEACT_BATCH], sorted[DEACT_BATCH];
	uint64_t t0 = rmt_us_now_ns();
	unsigned int n = 0, i, run, want = DEACT_BATCH;

	if (p->inactive_target / 8 < want)
		want = p->inactive_target / 8 ?
			       (unsigned int)(p->inactive_target / 8) :
			       1;
	while (n < want) {
		uint32_t id = rmt_us_list_pop_tail(&p->lru, &p->lru.active);

		if (id == RMT_US_NIL)
			break;
		ids[n++] = id;
	}
	memcpy(sorted, ids, n * sizeof(ids[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u32);
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && sorted[i + run] == sorted[i] + run;
		     run++)
			;
		unmap_run(p, sorted[i], run);
	}
	for (i = 0; i < n; i++) {
		p->state[ids[i]] = PG_INACTIVE;
		rmt_us_list_push_head(&p->lru, &p->lru.inactive, ids[i]);
	}
	p->st->deactivations += n;
	p->st->evict_ns += rmt_us_now_ns() - t0;
}

/* Only a copied page takes a staging slot; a moved one waits in place. */
static void free_slot(struct rmt_pager *p, uint64_t pg)
{
	if (p->move)
		return;
	p->free_slots[p->n_free_slots++] = p->slot[pg];
	p->slot[pg] = RMT_US_NIL;
}

/*
 * Tells the ring that pages came in or left other than by a far fault
 * (emit_page_events): enum rmt_page_event.
 */
static void emit_page_event(struct rmt_pager *p, uint64_t first, uint64_t n,
			    uint32_t event)
{
	struct rmt_msg_page m;

	/* Every eviction and first touch comes here: no clock unless asked. */
	if (!p->have_ring || !p->cfg.emit_page_events)
		return;
	m = (struct rmt_msg_page){
		.addr = (uintptr_t)page_addr(p, first),
		.time_ns = rmt_us_now_ns(),
		.npages = (uint32_t)n, /* the arena has fewer pages */
		.event = event,
	};
	rmt_ring_produce(&p->ring, RMT_MSG_PAGE, &m, sizeof(m));
	p->st->ring_dropped = p->ring.dropped;
}

/* Evicts until n more pages fit under the limit. */
static void make_room(struct rmt_pager *p, uint64_t n)
{
	while (rmt_us_lru_resident(&p->lru) + p->pending + n > p->limit) {
		uint32_t id;

		if (p->lru.inactive.count < p->inactive_target ||
		    !p->lru.inactive.count)
			deactivate_batch(p);
		id = rmt_us_list_pop_tail(&p->lru, &p->lru.inactive);
		if (id == RMT_US_NIL)
			return;
		if (p->state[id] == PG_STAGED) {
			p->st->unused_evicted++;
			p->st->staged_now--;
			free_slot(p, id);
		}
		p->state[id] = PG_FAR;
		p->st->evictions++;
		emit_page_event(p, id, 1, RMT_PAGE_EVICTED);
	}
}

static void wake(struct rmt_pager *p, uint64_t addr)
{
	struct uffdio_range r = { addr, RMT_US_PAGE };

	ioctl(p->uffd, UFFDIO_WAKE, &r);
}

#define INSTALL_TRIES 100u
#define INSTALL_RETRY_NS 10000000ull

/*
 * Maps a copy of src at page pg and wakes the threads waiting on it.  A
 * page the pager holds active must be mapped: a fault on an unmapped
 * active page installs zeros (the program discarded it).  So a copy that
 * fails (no memory left under a cgroup's limit, say) is retried for a
 * second, and then the program stops rather than read zeros for its data.
 */
static void install(struct rmt_pager *p, uint64_t pg, const void *src)
{
	static const char msg[] = "rmt-pager: UFFDIO_COPY keeps failing "
				  "(out of memory?): the page's data cannot "
				  "be mapped; stopping the program\n";
	struct uffdio_copy c = {
		.dst = (uintptr_t)page_addr(p, pg),
		.src = (uintptr_t)src,
		.len = RMT_US_PAGE,
	};
	unsigned int tries;

	for (tries = 1; ioctl(p->uffd, UFFDIO_COPY, &c); tries++) {
		if (errno == EEXIST) {
			wake(p, c.dst);
			return;
		}
		if (tries == INSTALL_TRIES) {
			ssize_t told = write(2, msg, sizeof(msg) - 1);

			(void)told;
			abort();
		}
		rmt_us_wait_until(rmt_us_now_ns() + INSTALL_RETRY_NS);
	}
}

/*
 * Maps page pg from the backing store, moving it when pages move (the
 * store keeps nothing of a resident page then), else as a copy.
 */
static void install_from_backing(struct rmt_pager *p, uint64_t pg)
{
	uint8_t *src = p->backing + pg * RMT_US_PAGE;
	struct uffdio_move m = {
		.dst = (uintptr_t)page_addr(p, pg),
		.src = (uintptr_t)src,
		.len = RMT_US_PAGE,
	};

	if (!p->move) {
		install(p, pg, src);
		return;
	}
	if (!ioctl(p->uffd, UFFDIO_MOVE, &m))
		return;
	if (errno == EEXIST) {
		wake(p, m.dst);
		return;
	}
	install(p, pg, src);
	madvise(src, RMT_US_PAGE, MADV_DONTNEED);
}

static void activate(struct rmt_pager *p, uint64_t pg)
{
	uint64_t r;

	p->pending = 0;
	p->state[pg] = PG_ACTIVE;
	rmt_us_list_push_head(&p->lru, &p->lru.active, (uint32_t)pg);
	r = rmt_us_lru_resident(&p->lru);
	if (r > p->st->peak_resident)
		p->st->peak_resident = r;
}

static const struct extent *find_alloc(const struct rmt_pager *p, uint64_t pg)
{
	uint32_t lo = 0, hi = p->n_allocs;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct extent *e = &p->allocs[mid];

		if (pg < e->first)
			hi = mid;
		else if (pg >= e->first + e->npages)
			lo = mid + 1;
		else
			return e;
	}
	return NULL;
}

static void prefetch_one(struct rmt_pager *p, uint64_t addr, uint64_t now)
{
	uint64_t pg;

	if (addr < (uintptr_t)p->arena ||
	    addr >= (uintptr_t)p->arena + p->npages * RMT_US_PAGE) {
		p->st->prefetch_skipped++;
		return;
	}
	pg = (addr - (uintptr_t)p->arena) / RMT_US_PAGE;
	if (p->state[pg] != PG_FAR) {
		p->st->prefetch_skipped++;
		return;
	}
	make_room(p, 1);
	if (!p->move) {
		if (p->n_free_slots)
			p->slot[pg] = p->free_slots[--p->n_free_slots];
		else
			p->slot[pg] = (uint32_t)p->next_fresh_slot++;
		memcpy(p->staging + (uint64_t)p->slot[pg] * RMT_US_PAGE,
		       p->backing + pg * RMT_US_PAGE, RMT_US_PAGE);
	}
	p->ready[pg] = rmt_us_fetchq_issue(&p->fq, now);
	p->state[pg] = PG_STAGED;
	rmt_us_list_push_head(&p->lru, &p->lru.inactive, (uint32_t)pg);
	p->st->prefetched++;
	p->st->staged_now++;
}

/*
 * Runs the swap_fault hook; its pages wait in pages_buf until
 * issue_prefetches(), so that the faulting thread is woken first.
 */
static int run_hook(struct rmt_pager *p, struct rmt_us_fault_ctx *ctx,
		    uint64_t pg, uint32_t tid)
{
	const struct extent *e = find_alloc(p, pg);
	uint64_t t0;
	int n;

	ctx->region_start = e ? (uintptr_t)page_addr(p, e->first) : ctx->addr;
	ctx->region_end = e ? (uintptr_t)page_addr(p, e->first + e->npages) :
			      ctx->addr + RMT_US_PAGE;
	ctx->pid = p->pid;
	ctx->tid = tid;
	/* The history before this fault, as the kernel hook sees it. */
	ctx->n_deltas = rmt_task_hist_record(&p->tasks, tid, pg, ctx->deltas);
	if (!p->cfg.prefetch)
		return 0;
	p->st->hook_calls++;
	t0 = rmt_us_now_ns();
	n = p->cfg.prefetch(p->cfg.prefetch_priv, ctx, p->pages_buf,
			    RMT_US_MAX_PREFETCH);
	p->st->hook_ns += rmt_us_now_ns() - t0;
	if (n < 0 || n > (int)RMT_US_MAX_PREFETCH) {
		p->st->hook_errors++;
		return 0;
	}
	return n;
}

/*
 * Issues the hook's prefetches as of the fault's time (the device model
 * queues them then, behind the demand fetch, as swapin_readahead does);
 * the bookkeeping, evictions and copies happen after the wake-up.
 */
static void issue_prefetches(struct rmt_pager *p, int n, uint64_t t_fault)
{
	uint64_t t0;
	int i;

	/* Most faults of a random walk ask for nothing: no clock for them. */
	if (n <= 0)
		return;
	t0 = rmt_us_now_ns();
	for (i = 0; i < n; i++)
		prefetch_one(p, p->pages_buf[i] & ~(uint64_t)(RMT_US_PAGE - 1),
			     t_fault);
	p->st->prefetch_ns += rmt_us_now_ns() - t0;
}

static void emit(struct rmt_pager *p, const struct rmt_us_fault_ctx *ctx,
		 uint64_t latency)
{
	struct rmt_msg_fault m = {
		.addr = ctx->addr,
		.vma_start = ctx->region_start,
		.vma_end = ctx->region_end,
		.time_ns = ctx->time_ns,
		.pid = ctx->tid,
		.tgid = p->pid,
		.hook_id = HOOK_SWAP_FAULT,
		.flags = (uint8_t)ctx->flags,
		.latency_ns =
			latency > UINT32_MAX ? UINT32_MAX : (uint32_t)latency,
	};

	if (!p->have_ring)
		return;
	rmt_ring_produce(&p->ring, RMT_MSG_FAULT, &m, sizeof(m));
	p->st->ring_dropped = p->ring.dropped;
}

int rmt_pager_emit(struct rmt_pager *p, uint16_t type, const void *rec,
		   uint32_t len)
{
	int err;

	if (!p->have_ring)
		return -ENODEV;
	pthread_mutex_lock(&p->lock);
	err = rmt_ring_produce(&p->ring, type, rec, len);
	p->st->ring_dropped = p->ring.dropped;
	pthread_mutex_unlock(&p->lock);
	return err;
}

/* What a fault tells of itself: how it was taken. */
#define FAULT_WRITE 1u
#define FAULT_WP 2u /* a write to a write-protected page */

static void handle_fault(struct rmt_pager *p, uint64_t addr, unsigned int how,
			 uint32_t tid, uint64_t t_read)
{
	struct rmt_us_fault_ctx ctx = { .addr = addr, .time_ns = t_read };
	enum rmt_us_kind kind;
	uint64_t pg, ready, done;
	const void *src; /* NULL: the backing store */
	int n_pf = 0;

	if (addr < (uintptr_t)p->arena ||
	    addr >= (uintptr_t)p->arena + p->npages * RMT_US_PAGE)
		return;
	pg = (addr - (uintptr_t)p->arena) / RMT_US_PAGE;
	if (how & FAULT_WP) {
		/* A write that raced an unmap: it retries and faults anew. */
		p->st->wp_faults++;
		wake(p, addr);
		return;
	}
	if (how & FAULT_WRITE)
		ctx.flags |= RMT_FAULT_WRITE;
	switch (p->state[pg]) {
	case PG_ACTIVE:
		/*
		 * Mapped already (another thread's fault brought it in), or
		 * discarded by the program since (MADV_DONTNEED): then it
		 * reads as zeros, as anonymous memory does.
		 */
		install(p, pg, p->zero);
		return;
	case PG_NONE:
		make_room(p, 1);
		emit_page_event(p, pg, 1, RMT_PAGE_TOUCHED);
		src = p->zero;
		kind = RMT_US_FIRST_TOUCH;
		p->st->first_touch++;
		break;
	case PG_INACTIVE:
		rmt_us_list_remove(&p->lru, &p->lru.inactive, (uint32_t)pg);
		src = NULL;
		kind = RMT_US_REF;
		p->st->ref_faults++;
		break;
	case PG_STAGED:
		/* The data is local: map it first, decide afterwards. */
		rmt_us_list_remove(&p->lru, &p->lru.inactive, (uint32_t)pg);
		ctx.flags |= RMT_FAULT_PREFETCH_HIT;
		ready = p->ready[pg];
		if (ready > rmt_us_now_ns()) {
			p->st->late_hits++;
			rmt_us_wait_until(ready);
		}
		src = p->move ?
			      NULL :
			      p->staging + (uint64_t)p->slot[pg] * RMT_US_PAGE;
		p->st->staged_now--;
		p->st->hits++;
		kind = RMT_US_HIT;
		break;
	case PG_FAR:
	default:
		/* The hook runs while the demand fetch is in flight. */
		make_room(p, 1);
		p->pending = 1;
		ctx.flags |= RMT_FAULT_MAJOR;
		ready = rmt_us_fetchq_issue(&p->fq, t_read);
		n_pf = run_hook(p, &ctx, pg, tid);
		rmt_us_wait_until(ready);
		src = NULL;
		p->st->misses++;
		kind = RMT_US_MISS;
		break;
	}
	/* Counted before the wake-up, so the woken thread sees them. */
	activate(p, pg);
	if (src)
		install(p, pg, src);
	else
		install_from_backing(p, pg);
	done = rmt_us_now_ns();
	p->st->kind_count[kind]++;
	p->st->kind_ns[kind] += done - t_read;
	if (kind == RMT_US_HIT) {
		free_slot(p, pg);
		n_pf = run_hook(p, &ctx, pg, tid);
	}
	if (kind == RMT_US_HIT || kind == RMT_US_MISS) {
		issue_prefetches(p, n_pf, t_read);
		rmt_us_hist_add(&p->st->fault_lat, done - t_read);
		emit(p, &ctx, done - t_read);
	}
}

static void handle_msg(struct rmt_pager *p, const struct uffd_msg *m,
		       uint64_t t_read)
{
	uint64_t f = m->arg.pagefault.flags;

	handle_fault(p, m->arg.pagefault.address & ~(uint64_t)(RMT_US_PAGE - 1),
		     (f & UFFD_PAGEFAULT_FLAG_WP ? FAULT_WP : 0) |
			     (f & UFFD_PAGEFAULT_FLAG_WRITE ? FAULT_WRITE : 0),
		     m->arg.pagefault.feat.ptid, t_read);
}

/*
 * Between faults, keep a small reserve of free pages so that most faults
 * do not pay for an eviction, as kswapd does; one batch at a time, so a
 * new fault waits for at most one batch.
 */
static bool reclaim_ahead(struct rmt_pager *p)
{
	uint64_t reserve =
		p->limit / 8 < 2 * DEACT_BATCH ? p->limit / 8 : 2 * DEACT_BATCH;
	uint64_t before = p->st->evictions;

	if (rmt_us_lru_resident(&p->lru) + reserve <= p->limit)
		return false;
	make_room(p, reserve < DEACT_BATCH ? reserve : DEACT_BATCH);
	return p->st->evictions != before;
}

/*
 * After each fault the thread keeps reading the descriptor for spin_ns
 * before it sleeps in poll(): faults that come close together then find
 * it running, without a wake-up (on a virtual machine, an idle virtual
 * CPU halts, and waking it costs a trip through the hypervisor).
 */
static void *fault_thread(void *arg)
{
	struct rmt_pager *p = arg;
	struct uffd_msg msgs[MSG_BATCH];
	struct pollfd pfd[2] = { { p->uffd, POLLIN, 0 },
				 { p->stop_fd, POLLIN, 0 } };
	uint64_t last = 0;
	bool busy = false;
	sigset_t all;

	/* The program's signal handlers must never run on this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* Far-latency waits sleep; the default 50 us slack would blur them. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	for (;;) {
		ssize_t got = read(p->uffd, msgs, sizeof(msgs));
		uint64_t now;
		int i, n;

		if (got > 0) {
			now = rmt_us_now_ns();
			n = (int)(got / (ssize_t)sizeof(msgs[0]));
			pthread_mutex_lock(&p->lock);
			for (i = 0; i < n; i++)
				if (msgs[i].event == UFFD_EVENT_PAGEFAULT)
					handle_msg(p, &msgs[i], now);
			busy = reclaim_ahead(p);
			pthread_mutex_unlock(&p->lock);
			last = rmt_us_now_ns();
			continue;
		}
		if (busy) {
			pthread_mutex_lock(&p->lock);
			busy = reclaim_ahead(p);
			pthread_mutex_unlock(&p->lock);
			continue;
		}
		if (rmt_us_now_ns() - last < p->cfg.spin_ns) {
			sched_yield();
			continue;
		}
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
	}
	return NULL;
}

/*
 * The SIGBUS mode: the faulting thread serves its own fault in a signal
 * handler, as the kernel serves a swap-in in the faulting task.  No
 * thread sleeps or wakes, where the fault thread costs two wake-ups per
 * fault (on a virtual machine, each a trip through the hypervisor).  The
 * handler is process-wide; the pagers it serves are in sig_pagers.  Only
 * the pager's own code runs in it, none of which touches the arena, so
 * the lock is never held by the thread that faults.
 */
#define MAX_SIG_PAGERS 8u

static struct rmt_pager *sig_pagers[MAX_SIG_PAGERS];
static struct sigaction sig_prev;
static pthread_mutex_t sig_setup_lock = PTHREAD_MUTEX_INITIALIZER;
static bool sig_installed;

static struct rmt_pager *sig_owner(const void *addr)
{
	unsigned int i;

	for (i = 0; i < MAX_SIG_PAGERS; i++) {
		struct rmt_pager *p =
			__atomic_load_n(&sig_pagers[i], __ATOMIC_ACQUIRE);

		if (p && rmt_pager_owns(p, addr))
			return p;
	}
	return NULL;
}

/*
 * The default action, straight from the kernel: the preload library
 * interposes sigaction() and signal() to keep this handler in front.
 */
static void sig_default(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} k = { SIG_DFL, 0, NULL, 0 };

	syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
}

/* A SIGBUS that is not ours goes where it would have gone without us. */
static void sig_chain(int sig, siginfo_t *si, void *uc)
{
	if (sig_prev.sa_flags & SA_SIGINFO) {
		sig_prev.sa_sigaction(sig, si, uc);
	} else if (sig_prev.sa_handler != SIG_DFL &&
		   sig_prev.sa_handler != SIG_IGN) {
		sig_prev.sa_handler(sig);
	} else {
		/* A fault re-executes and dies; a sent signal is re-raised. */
		sig_default(sig);
		if (si->si_code <= 0)
			raise(sig);
	}
}

/* The fault's write bit, where the architecture reports it. */
static unsigned int sig_fault_how(const void *uc)
{
#if defined(__x86_64__)
	const ucontext_t *u = uc;

	/* The page-fault error code; bit 1 is set for a write. */
	return u->uc_mcontext.gregs[REG_ERR] & 2 ? FAULT_WRITE : 0;
#else
	(void)uc;
	return 0;
#endif
}

/*
 * The faulting thread's id, asked of the kernel once per thread: gettid()
 * is a system call (85 ns here) on every fault otherwise.  Initial-exec
 * TLS needs no allocation, so the signal handler may read it; a forked
 * child's thread gets its own id again.
 */
static __thread uint32_t sig_tid __attribute__((tls_model("initial-exec")));

static void sig_forget_tid(void)
{
	sig_tid = 0;
}

static uint32_t sig_thread_id(void)
{
	if (!sig_tid)
		sig_tid = (uint32_t)gettid();
	return sig_tid;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	struct rmt_pager *p = si->si_code > 0 ? sig_owner(si->si_addr) : NULL;

	if (!p) {
		sig_chain(sig, si, uc);
	} else {
		uint64_t now = rmt_us_now_ns();

		pthread_mutex_lock(&p->lock);
		handle_fault(p,
			     (uintptr_t)si->si_addr &
				     ~(uintptr_t)(RMT_US_PAGE - 1),
			     sig_fault_how(uc), sig_thread_id(), now);
		pthread_mutex_unlock(&p->lock);
		if (p->cfg.after_fault)
			p->cfg.after_fault(p->cfg.prefetch_priv, now);
	}
	errno = saved_errno;
}

static int sig_install_err;

/*
 * Not under sig_setup_lock: the preload library's sigaction() asks
 * rmt_pager_sigbus_chain(), which takes it.
 */
static void sig_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO | SA_RESTART },
			 prev;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &prev)) {
		sig_install_err = -errno;
		return;
	}
	pthread_atfork(NULL, NULL, sig_forget_tid);
	pthread_mutex_lock(&sig_setup_lock);
	sig_prev = prev;
	sig_installed = true;
	pthread_mutex_unlock(&sig_setup_lock);
}

static int sig_attach(struct rmt_pager *p)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	unsigned int i;
	int err = -EBUSY;

	pthread_once(&once, sig_install);
	if (sig_install_err)
		return sig_install_err;
	pthread_mutex_lock(&sig_setup_lock);
	for (i = 0; i < MAX_SIG_PAGERS; i++) {
		if (!sig_pagers[i]) {
			__atomic_store_n(&sig_pagers[i], p, __ATOMIC_RELEASE);
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&sig_setup_lock);
	return err;
}

int rmt_pager_sigbus_chain(const struct sigaction *act, struct sigaction *old)
{
	sigset_t bus, was;
	int err = -ENOENT;

	sigemptyset(&bus);
	sigaddset(&bus, SIGBUS);
	/* This thread's own SIGBUS must not see half a copy. */
	pthread_sigmask(SIG_BLOCK, &bus, &was);
	pthread_mutex_lock(&sig_setup_lock);
	if (sig_installed) {
		if (old)
			*old = sig_prev;
		if (act)
			sig_prev = *act;
		err = 0;
	}
	pthread_mutex_unlock(&sig_setup_lock);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	return err;
}

/* The handler stays: it passes on every SIGBUS it does not own. */
static void sig_detach(struct rmt_pager *p)
{
	unsigned int i;

	pthread_mutex_lock(&sig_setup_lock);
	for (i = 0; i < MAX_SIG_PAGERS; i++)
		if (sig_pagers[i] == p)
			__atomic_store_n(&sig_pagers[i], NULL,
					 __ATOMIC_RELEASE);
	pthread_mutex_unlock(&sig_setup_lock);
}

static int setup_memory(struct rmt_pager *p)
{
	uint64_t n = p->npages;
	uint8_t *m;

	p->arena = rmt_us_raw_mmap(n * RMT_US_PAGE);
	p->backing = rmt_us_raw_mmap(n * RMT_US_PAGE);
	p->staging = rmt_us_raw_mmap(n * RMT_US_PAGE);
	p->meta_len = n * (1 + 4 * 4 + 8);
	p->meta = rmt_us_raw_mmap(p->meta_len);
	if (!p->arena || !p->backing || !p->staging || !p->meta)
		return -ENOMEM;
	m = p->meta;
	p->ready = (uint64_t *)m;
	p->prev = (uint32_t *)(m + n * 8);
	p->next = p->prev + n;
	p->slot = p->next + n;
	p->free_slots = p->slot + n;
	p->state = (uint8_t *)(p->free_slots + n);
	return 0;
}

int rmt_pager_create(const struct rmt_pager_config *c, struct rmt_pager **out)
{
	bool signal_mode = c->fault_mode == RMT_US_FAULT_SIGNAL;
	struct rmt_pager *p;
	uint64_t features, ioctls = 0;
	int err;

	if (c->arena_bytes < RMT_US_PAGE ||
	    c->arena_bytes / RMT_US_PAGE >= RMT_US_NIL ||
	    (!c->mem_limit &&
	     (!c->mem_limit_permille || c->mem_limit_permille > 1000)) ||
	    c->inactive_percent > 90 || c->spin_ns > RMT_US_MAX_SPIN_NS ||
	    c->fault_mode > RMT_US_FAULT_THREAD ||
	    c->evict_mode > RMT_US_EVICT_COPY)
		return -EINVAL;
	p = rmt_us_raw_mmap(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *c;
	p->uffd = -1;
	p->stop_fd = -1;
	p->pid = (uint32_t)getpid();
	p->st = c->stats ? c->stats : &p->own_stats;
	rmt_us_stats_init(p->st);
	p->npages = c->arena_bytes / RMT_US_PAGE;
	rmt_task_hists_init(&p->tasks);
	err = rmt_us_fetchq_init(&p->fq, c->far_latency_ns, c->fetch_depth);
	if (!err)
		err = setup_memory(p);
	if (err)
		goto fail;
	rmt_us_lru_init(&p->lru, p->prev, p->next);
	p->holes[0] = (struct extent){ 0, p->npages };
	p->n_holes = 1;
	update_limit(p);
	if (c->ring_mem) {
		err = rmt_ring_prod_attach(&p->ring, c->ring_mem, c->ring_len);
		if (err)
			goto fail;
		p->have_ring = true;
	}
	err = open_uffd(
		(signal_mode ? UFFD_FEATURE_SIGBUS : UFFD_FEATURE_THREAD_ID) |
			(c->evict_mode == RMT_US_EVICT_MOVE ?
				 UFFD_FEATURE_MOVE :
				 0),
		&features);
	if (err < 0)
		goto fail;
	p->uffd = err;
	err = -EOPNOTSUPP;
	if (!(features & UFFD_FEATURE_PAGEFAULT_FLAG_WP))
		goto fail;
	pthread_mutex_init(&p->lock, NULL);
	p->lock_ready = true;
	if (signal_mode) {
		err = sig_attach(p);
		if (err)
			goto fail;
		p->sig_attached = true;
	}
	err = register_range(p->uffd, p->arena, p->npages * RMT_US_PAGE,
			     &ioctls);
	if (err)
		goto fail;
	/* The API answers with every feature it has, asked for or not. */
	p->move =
		c->evict_mode == RMT_US_EVICT_MOVE &&
		(features & UFFD_FEATURE_MOVE) &&
		(ioctls & (1ull << _UFFDIO_MOVE)) &&
		register_backing(p->uffd, p->backing, p->npages * RMT_US_PAGE);
	p->st->evict_moves = p->move;
	if (signal_mode) {
		*out = p;
		return 0;
	}
	p->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (p->stop_fd < 0) {
		err = -errno;
		goto fail;
	}
	err = -pthread_create(&p->thread, NULL, fault_thread, p);
	if (err)
		goto fail;
	p->thread_started = true;
	*out = p;
	return 0;
fail:
	rmt_pager_destroy(p);
	return err;
}

void rmt_pager_destroy(struct rmt_pager *p)
{
	uint64_t one = 1;

	if (!p)
		return;
	if (p->sig_attached)
		sig_detach(p);
	if (p->thread_started &&
	    write(p->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(p->thread, NULL);
	if (p->lock_ready)
		pthread_mutex_destroy(&p->lock);
	if (p->stop_fd >= 0)
		close(p->stop_fd);
	if (p->uffd >= 0)
		close(p->uffd);
	rmt_us_raw_munmap(p->arena, p->npages * RMT_US_PAGE);
	rmt_us_raw_munmap(p->backing, p->npages * RMT_US_PAGE);
	rmt_us_raw_munmap(p->staging, p->npages * RMT_US_PAGE);
	rmt_us_raw_munmap(p->meta, p->meta_len);
	rmt_us_raw_munmap(p, sizeof(*p));
}

static void extent_insert(struct extent *v, uint32_t *n, uint32_t at,
			  struct extent e)
{
	memmove(&v[at + 1], &v[at], (*n - at) * sizeof(*v));
	v[at] = e;
	(*n)++;
}

static void extent_delete(struct extent *v, uint32_t *n, uint32_t at)
{
	memmove(&v[at], &v[at + 1], (*n - at - 1) * sizeof(*v));
	(*n)--;
}

void *rmt_pager_alloc(struct rmt_pager *p, size_t bytes)
{
	uint64_t need = (bytes + RMT_US_PAGE - 1) / RMT_US_PAGE;
	struct extent got;
	uint32_t i, at;

	if (!need)
		need = 1;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->n_holes; i++)
		if (p->holes[i].npages >= need)
			break;
	if (i == p->n_holes || p->n_allocs == MAX_ALLOCS ||
	    p->n_holes == MAX_ALLOCS) {
		pthread_mutex_unlock(&p->lock);
		errno = ENOMEM;
		return NULL;
	}
	got = (struct extent){ p->holes[i].first, need };
	p->holes[i].first += need;
	p->holes[i].npages -= need;
	if (!p->holes[i].npages)
		extent_delete(p->holes, &p->n_holes, i);
	for (at = 0; at < p->n_allocs && p->allocs[at].first < got.first; at++)
		;
	extent_insert(p->allocs, &p->n_allocs, at, got);
	p->allocated_pages += need;
	if (p->allocated_pages * RMT_US_PAGE > p->st->far_bytes)
		p->st->far_bytes = p->allocated_pages * RMT_US_PAGE;
	update_limit(p);
	pthread_mutex_unlock(&p->lock);
	if (p->cfg.region)
		p->cfg.region(p->cfg.prefetch_priv,
			      (uintptr_t)page_addr(p, got.first),
			      (uintptr_t)page_addr(p, got.first + need), true);
	return page_addr(p, got.first);
}

/* Drops pages [first, first+n) from local and far memory: zero again. */
static void drop_pages(struct rmt_pager *p, uint64_t first, uint64_t n)
{
	uint64_t pg;

	for (pg = first; pg < first + n; pg++) {
		switch (p->state[pg]) {
		case PG_ACTIVE:
			rmt_us_list_remove(&p->lru, &p->lru.active,
					   (uint32_t)pg);
			break;
		case PG_STAGED:
			p->st->unused_evicted++;
			p->st->staged_now--;
			free_slot(p, pg);
			/* fall through */
		case PG_INACTIVE:
			rmt_us_list_remove(&p->lru, &p->lru.inactive,
					   (uint32_t)pg);
			break;
		default:
			break;
		}
		p->state[pg] = PG_NONE;
	}
	emit_page_event(p, first, n, RMT_PAGE_DROPPED);
	madvise(page_addr(p, first), n * RMT_US_PAGE, MADV_DONTNEED);
	madvise(p->backing + first * RMT_US_PAGE, n * RMT_US_PAGE,
		MADV_DONTNEED);
}

static void add_hole(struct rmt_pager *p, struct extent e)
{
	uint32_t at;

	for (at = 0; at < p->n_holes && p->holes[at].first < e.first; at++)
		;
	extent_insert(p->holes, &p->n_holes, at, e);
	if (at + 1 < p->n_holes && p->holes[at].first + p->holes[at].npages ==
					   p->holes[at + 1].first) {
		p->holes[at].npages += p->holes[at + 1].npages;
		extent_delete(p->holes, &p->n_holes, at + 1);
	}
	if (at > 0 && p->holes[at - 1].first + p->holes[at - 1].npages ==
			      p->holes[at].first) {
		p->holes[at - 1].npages += p->holes[at].npages;
		extent_delete(p->holes, &p->n_holes, at);
	}
}

int rmt_pager_owns(const struct rmt_pager *p, const void *addr)
{
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)p->arena;

	return a >= base && a < base + p->npages * RMT_US_PAGE;
}

int rmt_pager_free(struct rmt_pager *p, void *addr)
{
	const struct extent *e;
	struct extent gone;
	uint32_t at;

	if (!rmt_pager_owns(p, addr))
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	e = find_alloc(p,
		       ((uintptr_t)addr - (uintptr_t)p->arena) / RMT_US_PAGE);
	if (!e) {
		pthread_mutex_unlock(&p->lock);
		return -EINVAL;
	}
	gone = *e;
	at = (uint32_t)(e - p->allocs);
	drop_pages(p, gone.first, gone.npages);
	extent_delete(p->allocs, &p->n_allocs, at);
	add_hole(p, gone);
	p->allocated_pages -= gone.npages;
	update_limit(p);
	pthread_mutex_unlock(&p->lock);
	if (p->cfg.region)
		p->cfg.region(p->cfg.prefetch_priv,
			      (uintptr_t)page_addr(p, gone.first),
			      (uintptr_t)page_addr(p, gone.first + gone.npages),
			      false);
	return 0;
}

int rmt_pager_find(struct rmt_pager *p, const void *addr, void **start,
		   size_t *len)
{
	const struct extent *e;

	if (!rmt_pager_owns(p, addr))
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	e = find_alloc(p,
		       ((uintptr_t)addr - (uintptr_t)p->arena) / RMT_US_PAGE);
	if (e) {
		*start = page_addr(p, e->first);
		*len = e->npages * RMT_US_PAGE;
	}
	pthread_mutex_unlock(&p->lock);
	return e ? 0 : -EINVAL;
}

size_t rmt_pager_size(struct rmt_pager *p, const void *addr)
{
	void *start;
	size_t len;

	if (rmt_pager_find(p, addr, &start, &len))
		return 0;
	return len - (size_t)((const uint8_t *)addr - (uint8_t *)start);
}

int rmt_pager_discard(struct rmt_pager *p, void *addr, size_t len)
{
	uint64_t first, last;
	const struct extent *e;

	if (!rmt_pager_owns(p, addr) || (uintptr_t)addr % RMT_US_PAGE)
		return -EINVAL;
	first = ((uintptr_t)addr - (uintptr_t)p->arena) / RMT_US_PAGE;
	last = first + (len + RMT_US_PAGE - 1) / RMT_US_PAGE;
	pthread_mutex_lock(&p->lock);
	e = find_alloc(p, first);
	if (!e || last > e->first + e->npages) {
		pthread_mutex_unlock(&p->lock);
		return -EINVAL;
	}
	drop_pages(p, first, last - first);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

struct rmt_us_stats *rmt_pager_stats(struct rmt_pager *p)
{
	return p->st;
}
