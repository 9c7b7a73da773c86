// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_pager.c - the pager with real userfaultfd: data survives eviction,
 * the memory limit holds (staged pages included), the eviction policy
 * keeps pages that are in use, prefetching through the hook produces hits
 * and accounts them, a hostile hook cannot break anything, and the
 * faulting thread waits for the modelled far latency.  Built three
 * times: with faults served in the faulting thread's SIGBUS handler (the
 * default), by the fault thread (TEST_FAULT_THREAD), and with pages copied
 * to the backing store instead of moved (TEST_EVICT_COPY).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "proto/msg.h"
#include "proto/ring.h"
#include "uspace/fetch.h"
#include "uspace/pager.h"
#include "uspace/uffd_move.h"

#define PG RMT_US_PAGE

#ifdef TEST_FAULT_THREAD
#define FAULT_MODE RMT_US_FAULT_THREAD
#else
#define FAULT_MODE RMT_US_FAULT_SIGNAL
#endif
#ifdef TEST_EVICT_COPY
#define EVICT_MODE RMT_US_EVICT_COPY
#else
#define EVICT_MODE RMT_US_EVICT_MOVE
#endif

/* The tests' configuration; skips the test where the pager cannot run. */
static void config(struct rmt_pager_config *c, uint64_t limit_pages,
		   uint64_t latency_ns, rmt_us_prefetch_fn fn, void *priv)
{
	char why[256];

	if (rmt_pager_probe(why, sizeof(why)))
		cr_skip_test("userfaultfd unavailable: %s", why);
	rmt_pager_config_default(c);
	c->mem_limit = limit_pages * PG;
	c->far_latency_ns = latency_ns;
	c->arena_bytes = 64ull << 20;
	c->prefetch = fn;
	c->prefetch_priv = priv;
	c->fault_mode = FAULT_MODE;
	c->evict_mode = EVICT_MODE;
}

static struct rmt_pager *start_spin(uint64_t limit_pages, uint64_t latency_ns,
				    rmt_us_prefetch_fn fn, void *priv,
				    uint64_t spin_ns)
{
	struct rmt_pager_config c;
	struct rmt_pager *p = NULL;

	config(&c, limit_pages, latency_ns, fn, priv);
	c.spin_ns = spin_ns;
	cr_assert_eq(rmt_pager_create(&c, &p), 0);
	return p;
}

static struct rmt_pager *start(uint64_t limit_pages, uint64_t latency_ns,
			       rmt_us_prefetch_fn fn, void *priv)
{
	return start_spin(limit_pages, latency_ns, fn, priv, 0);
}

/*
 * The fault thread runs the hook after waking the faulting thread; its
 * lock is held until that fault is done, so taking it waits for it.  (A
 * SIGBUS handler is done when the access returns.)
 */
static void settle(struct rmt_pager *p, const void *far)
{
	void *start;
	size_t len;

	cr_assert_eq(rmt_pager_find(p, far, &start, &len), 0);
}

static void fill(uint8_t *m, size_t pages, uint32_t salt)
{
	size_t i;

	for (i = 0; i < pages; i++)
		memset(m + i * PG, (int)((i * 7 + salt) & 0xff), PG);
}

static void check(const uint8_t *m, size_t pages, uint32_t salt)
{
	size_t i;

	for (i = 0; i < pages; i++) {
		uint8_t want = (uint8_t)((i * 7 + salt) & 0xff);

		cr_assert_eq(m[i * PG], want, "page %zu lost its data", i);
		cr_assert_eq(m[i * PG + PG - 1], want, "page %zu tail", i);
	}
}

Test(pager, data_survives_eviction_under_the_limit)
{
	struct rmt_pager *p = start(16, 0, NULL, NULL);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	uint8_t *m = rmt_pager_alloc(p, 256 * PG);
	uint64_t seed = 1, i;

	cr_assert_not_null(m);
	fill(m, 256, 3);
	check(m, 256, 3);
	/* Random rewrites: each page faults back, changes and leaves. */
	for (i = 0; i < 2000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		m[((seed >> 33) % 256) * PG + 100] ^= 0x5a;
		m[((seed >> 33) % 256) * PG + 100] ^= 0x5a;
	}
	check(m, 256, 3);
	cr_assert_eq(s->first_touch, 256);
	cr_assert_gt(s->misses, 256);
	cr_assert_leq(s->peak_resident, 16);
	cr_assert_eq(s->limit_pages, 16);
	cr_assert_eq(rmt_pager_free(p, m), 0);
	cr_assert_eq(rmt_pager_free(p, m), -EINVAL);
	rmt_pager_destroy(p);
}

/* Data and the limit hold with a fault thread that polls between faults. */
Test(pager, spinning_fault_thread_keeps_data)
{
	struct rmt_pager *p;
	struct rmt_us_stats *s;
	uint8_t *m;

	if (FAULT_MODE != RMT_US_FAULT_THREAD)
		cr_skip_test("no fault thread: faults are served by SIGBUS");
	p = start_spin(16, 0, NULL, NULL, 1000000);
	s = rmt_pager_stats(p);
	m = rmt_pager_alloc(p, 256 * PG);

	fill(m, 256, 6);
	check(m, 256, 6);
	check(m, 256, 6);
	cr_assert_geq(s->misses, 2 * (256 - 16), "%llu misses",
		      (unsigned long long)s->misses);
	cr_assert_leq(s->peak_resident, 16);
	rmt_pager_destroy(p);
}

Test(pager, freed_memory_reads_as_zero_again)
{
	struct rmt_pager *p = start(16, 0, NULL, NULL);
	uint8_t *m = rmt_pager_alloc(p, 64 * PG), *n;
	size_t i;

	fill(m, 64, 1);
	cr_assert_eq(rmt_pager_size(p, m + 5), 64 * PG - 5);
	cr_assert_eq(rmt_pager_free(p, m + 10 * PG), 0);
	n = rmt_pager_alloc(p, 64 * PG);
	cr_assert_eq(n, m, "first fit reuses the hole");
	for (i = 0; i < 64 * PG; i += 512)
		cr_assert_eq(n[i], 0, "byte %zu not zero", i);
	cr_assert_eq(rmt_pager_free(p, (void *)&i), -EINVAL);
	rmt_pager_destroy(p);
}

/*
 * A hot set touched between every streaming access stays local: only
 * the streaming pages miss.  Plain FIFO would evict the hot pages every
 * limit-many faults.
 */
Test(pager, eviction_keeps_pages_in_use)
{
	struct rmt_pager *p = start(64, 0, NULL, NULL);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	volatile uint8_t *m = rmt_pager_alloc(p, 1024 * PG);
	uint64_t before, i, j, sum = 0;

	fill((uint8_t *)m, 1024, 0);
	for (j = 0; j < 8; j++)
		sum += m[j * PG];
	before = s->misses;
	for (i = 0; i < 3000; i++) {
		for (j = 0; j < 8; j++)
			sum += m[j * PG];
		sum += m[(8 + i % 1016) * PG];
	}
	cr_assert_gt(sum, 0);
	/* At most one miss per streaming access, none for the hot pages. */
	cr_assert_leq(s->misses - before, 3000, "misses %llu",
		      (unsigned long long)(s->misses - before));
	cr_assert_gt(s->ref_faults, 0, "inactive pages were referenced");
	rmt_pager_destroy(p);
}

struct seq_hook {
	unsigned int ahead;
	uint64_t calls;
	uint64_t bad_ctx;
};

static int next_pages(void *priv, const struct rmt_us_fault_ctx *ctx,
		      uint64_t *pages, unsigned int max)
{
	struct seq_hook *h = priv;
	unsigned int i;

	h->calls++;
	if (ctx->addr < ctx->region_start || ctx->addr >= ctx->region_end ||
	    ctx->addr % PG || ctx->n_deltas > RMT_US_HISTORY || !ctx->tid)
		h->bad_ctx++;
	for (i = 0; i < h->ahead && i < max; i++)
		pages[i] = ctx->addr + (i + 1) * PG;
	return (int)i;
}

Test(pager, prefetch_hits_through_the_hook)
{
	struct seq_hook h = { 8, 0, 0 };
	struct rmt_pager *p = start(256, 20000, next_pages, &h);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	uint8_t *m = rmt_pager_alloc(p, 2048 * PG);
	struct rmt_us_summary sum;

	fill(m, 2048, 9);
	check(m, 2048, 9);
	check(m, 2048, 9);
	settle(p, m);
	rmt_us_stats_summary(s, &sum);
	cr_assert_eq(h.bad_ctx, 0);
	cr_assert_eq(h.calls, s->hits + s->misses, "%llu calls, %llu faults",
		     (unsigned long long)h.calls,
		     (unsigned long long)(s->hits + s->misses));
	cr_assert_gt(sum.coverage, 0.8, "coverage %f", sum.coverage);
	cr_assert_gt(sum.accuracy, 0.8, "accuracy %f", sum.accuracy);
	cr_assert_leq(s->hits, s->prefetched);
	cr_assert_eq(s->prefetched,
		     s->hits + s->unused_evicted + s->staged_now);
	/* Staged pages count against the limit. */
	cr_assert_leq(s->peak_resident, 256);
	rmt_pager_destroy(p);
}

/*
 * Prefetches the next 8 pages.  Once armed, a hit's decision waits until
 * the test has seen its access return (at most 10 s: the faulting thread
 * would wait that long only if it waited for the decision).
 */
struct held_hook {
	int armed;
	int released;
	int decided; /* decisions on hits taken while armed */
};

static int held_on_hits(void *priv, const struct rmt_us_fault_ctx *ctx,
			uint64_t *pages, unsigned int max)
{
	struct held_hook *h = priv;
	unsigned int i;

	if ((ctx->flags & RMT_FAULT_PREFETCH_HIT) &&
	    __atomic_load_n(&h->armed, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 1000000 };

		for (i = 0; i < 10000 &&
			    !__atomic_load_n(&h->released, __ATOMIC_ACQUIRE);
		     i++)
			nanosleep(&ts, NULL);
		__atomic_add_fetch(&h->decided, 1, __ATOMIC_RELEASE);
	}
	for (i = 0; i < 8 && i < max; i++)
		pages[i] = ctx->addr + (i + 1) * PG;
	return (int)i;
}

/*
 * A prefetch hit maps the page before the hook decides what comes next:
 * the faulting thread never waits for the decision or the prefetches.
 * The decision is held until the access has returned, so that this does
 * not depend on how fast the machine is.
 */
Test(pager, hit_is_served_before_the_decision)
{
	struct held_hook h = { 0 };
	struct rmt_pager *p;
	struct rmt_us_stats *s;
	volatile uint8_t *m;
	uint64_t hits;
	int decided;
	uint8_t v;

	if (FAULT_MODE != RMT_US_FAULT_THREAD)
		cr_skip_test("the faulting thread decides itself under SIGBUS");
	p = start(64, 0, held_on_hits, &h);
	s = rmt_pager_stats(p);
	m = rmt_pager_alloc(p, 256 * PG);

	fill((uint8_t *)m, 256, 1);
	/* Page 0 is far now: a miss that stages pages 1-8. */
	cr_assert_eq(m[0], 1);
	settle(p, (const void *)m);
	hits = s->hits;
	__atomic_store_n(&h.armed, 1, __ATOMIC_RELEASE);
	v = m[PG];
	decided = __atomic_load_n(&h.decided, __ATOMIC_ACQUIRE);
	__atomic_store_n(&h.released, 1, __ATOMIC_RELEASE);
	cr_assert_eq(v, 8);
	cr_assert_eq(s->hits, hits + 1, "page 1 was staged");
	cr_assert_eq(decided, 0, "the hit waited for the hook's decision");
	settle(p, (const void *)m);
	cr_assert_eq(__atomic_load_n(&h.decided, __ATOMIC_ACQUIRE), 1);
	rmt_pager_destroy(p);
}

/* Every prefetched page is either used, evicted unused or still staged. */
Test(pager, pollution_is_counted)
{
	struct seq_hook h = { 40, 0, 0 };
	struct rmt_pager *p = start(16, 0, next_pages, &h);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	uint8_t *m = rmt_pager_alloc(p, 256 * PG);
	size_t i;

	fill(m, 256, 2);
	/* Backwards: the forward prefetches are all wasted. */
	for (i = 256; i-- > 0;)
		cr_assert_eq(m[i * PG], (uint8_t)((i * 7 + 2) & 0xff));
	settle(p, m);
	cr_assert_gt(s->prefetched, 0);
	cr_assert_gt(s->unused_evicted, 0);
	cr_assert_eq(s->prefetched,
		     s->hits + s->unused_evicted + s->staged_now);
	cr_assert_leq(s->peak_resident, 16);
	rmt_pager_destroy(p);
}

static int hostile(void *priv, const struct rmt_us_fault_ctx *ctx,
		   uint64_t *pages, unsigned int max)
{
	uint64_t *n = priv;
	unsigned int i;

	if (++*n % 3 == 0)
		return -EIO;
	if (*n % 3 == 1)
		return (int)max + 5;
	for (i = 0; i < max; i++)
		pages[i] = i % 2 ? ctx->addr + 12345 * i : (uint64_t)-1 - i;
	return (int)max;
}

Test(pager, hostile_hook_breaks_nothing)
{
	uint64_t n = 0;
	struct rmt_pager *p = start(16, 0, hostile, &n);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	uint8_t *m = rmt_pager_alloc(p, 128 * PG);

	fill(m, 128, 5);
	check(m, 128, 5);
	check(m, 128, 5);
	cr_assert_gt(s->hook_errors, 0);
	cr_assert_gt(s->prefetch_skipped, 0);
	cr_assert_leq(s->peak_resident, 16);
	rmt_pager_destroy(p);
}

Test(pager, faulting_thread_waits_for_far_latency)
{
	struct rmt_pager *p = start(16, 100000, NULL, NULL);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	uint8_t *m = rmt_pager_alloc(p, 128 * PG);
	uint64_t before, t0, t1, misses;

	fill(m, 128, 4);
	before = s->misses;
	t0 = rmt_us_now_ns();
	check(m, 64, 4);
	t1 = rmt_us_now_ns();
	misses = s->misses - before;
	cr_assert_geq(misses, 48);
	cr_assert_geq(t1 - t0, misses * 100000, "%llu misses in %llu ns",
		      (unsigned long long)misses,
		      (unsigned long long)(t1 - t0));
	cr_assert_geq(rmt_us_hist_percentile(&s->fault_lat, 500), 100000);
	rmt_pager_destroy(p);
}

Test(pager, bad_configs_are_refused)
{
	struct rmt_pager_config c;
	struct rmt_pager *p;

	rmt_pager_config_default(&c);
	c.mem_limit_permille = 0;
	cr_assert_eq(rmt_pager_create(&c, &p), -EINVAL);
	rmt_pager_config_default(&c);
	c.fetch_depth = 0;
	cr_assert_eq(rmt_pager_create(&c, &p), -EINVAL);
	rmt_pager_config_default(&c);
	c.arena_bytes = 100;
	cr_assert_eq(rmt_pager_create(&c, &p), -EINVAL);
	rmt_pager_config_default(&c);
	c.spin_ns = RMT_US_MAX_SPIN_NS + 1;
	cr_assert_eq(rmt_pager_create(&c, &p), -EINVAL);
	rmt_pager_config_default(&c);
	c.fault_mode = RMT_US_FAULT_THREAD + 1;
	cr_assert_eq(rmt_pager_create(&c, &p), -EINVAL);
}

static sigjmp_buf foreign_jmp;
static volatile sig_atomic_t foreign_seen;

static void on_foreign_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	foreign_seen = 1;
	siglongjmp(foreign_jmp, 1);
}

/*
 * A SIGBUS outside far memory (here: a page past the end of a mapped
 * file) reaches the handler the program had, and far memory still works.
 */
Test(pager, foreign_sigbus_is_passed_on, .timeout = 10)
{
	struct sigaction sa = { .sa_sigaction = on_foreign_sigbus,
				.sa_flags = SA_SIGINFO };
	volatile uint8_t *file_page;
	struct rmt_pager *p;
	uint8_t *m;
	int fd;

	sigemptyset(&sa.sa_mask);
	cr_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);
	p = start(16, 0, NULL, NULL);
	m = rmt_pager_alloc(p, 64 * PG);
	fd = memfd_create("empty", 0);
	cr_assert_geq(fd, 0);
	file_page = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	cr_assert_neq((void *)file_page, MAP_FAILED);
	if (!sigsetjmp(foreign_jmp, 1))
		(void)file_page[0];
	cr_assert_eq(foreign_seen, 1, "the program's handler never ran");
	fill(m, 64, 9);
	check(m, 64, 9);
	munmap((void *)file_page, PG);
	close(fd);
	rmt_pager_destroy(p);
}

struct writer {
	uint8_t *m;
	unsigned int id;
	uint64_t count[64];
};

/*
 * Two threads keep incrementing their own pages while the pager evicts
 * under them: an increment landing between the copy to far memory and
 * the unmap would be lost without the write protection taken first.
 */
static void *write_loop(void *arg)
{
	struct writer *w = arg;
	uint64_t seed = w->id + 1, i;

	for (i = 0; i < 40000; i++) {
		unsigned int k;
		uint64_t *cell;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		k = (unsigned int)((seed >> 33) % 64);
		cell = (uint64_t *)(w->m + (2 * k + w->id) * PG) + (i % 512);
		(*cell)++;
		w->count[k]++;
	}
	return NULL;
}

Test(pager, concurrent_writers_lose_nothing)
{
	struct rmt_pager *p = start(16, 0, NULL, NULL);
	uint8_t *m = rmt_pager_alloc(p, 128 * PG);
	struct writer w[2] = { { m, 0, { 0 } }, { m, 1, { 0 } } };
	pthread_t t[2];
	unsigned int i, k, c;

	for (i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, write_loop, &w[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		for (k = 0; k < 64; k++) {
			const uint64_t *cell =
				(const uint64_t *)(m + (2 * k + i) * PG);
			uint64_t total = 0;

			for (c = 0; c < 512; c++)
				total += cell[c];
			cr_assert_eq(total, w[i].count[k],
				     "thread %u page %u: %llu of %llu writes",
				     i, k, (unsigned long long)total,
				     (unsigned long long)w[i].count[k]);
		}
	}
	cr_assert_gt(rmt_pager_stats(p)->evictions, 1000);
	rmt_pager_destroy(p);
}

/*
 * A program may discard its pages (MADV_DONTNEED), as it may any
 * anonymous memory: they read as zeros, at once and after their eviction,
 * which finds them unmapped, as it finds pages that a UFFDIO_MOVE moved
 * while reporting otherwise (docs/uspace.md).  Touching such a page in
 * the pager faults inside the fault handler: it died of SIGBUS, or the
 * fault thread waited for itself.
 */
Test(pager, discarded_pages_read_as_zeros, .timeout = 10)
{
	struct rmt_pager *p = start(16, 0, NULL, NULL);
	volatile uint8_t *m = rmt_pager_alloc(p, 64 * PG);
	size_t i;

	fill((uint8_t *)m, 8, 1);
	cr_assert_eq(madvise((void *)m, 8 * PG, MADV_DONTNEED), 0);
	cr_assert_eq(m[PG - 1], 0, "a discarded active page reads as zeros");
	fill((uint8_t *)m + 8 * PG, 56, 2);
	for (i = 1; i < 8; i++) {
		cr_assert_eq(m[i * PG], 0, "page %zu after its eviction", i);
		cr_assert_eq(m[i * PG + PG - 1], 0, "page %zu tail", i);
	}
	check((uint8_t *)m + 8 * PG, 56, 2);
	cr_assert_eq(rmt_pager_stats(p)->gone_at_eviction, 7, "%llu",
		     (unsigned long long)rmt_pager_stats(p)->gone_at_eviction);
	rmt_pager_destroy(p);
}

/* Which thread the hook was told faulted, per region of the arena. */
struct tid_hook {
	uintptr_t split; /* region 0 below, region 1 from here */
	uint32_t want[2];
	uint64_t calls[2], wrong[2];
	uint32_t said;
};

static int note_tid(void *priv, const struct rmt_us_fault_ctx *ctx,
		    uint64_t *pages, unsigned int max)
{
	struct tid_hook *h = priv;
	unsigned int r = ctx->addr >= h->split;

	(void)pages;
	(void)max;
	h->calls[r]++;
	if (ctx->tid != h->want[r]) {
		h->wrong[r]++;
		h->said = ctx->tid;
	}
	return 0;
}

struct tid_worker {
	uint8_t *m;
	uint32_t *tid;
};

static void *fill_and_check(void *arg)
{
	struct tid_worker *w = arg;

	*w->tid = (uint32_t)gettid();
	fill(w->m, 64, 3);
	check(w->m, 64, 3);
	return NULL;
}

Test(pager, each_fault_names_its_thread)
{
	struct tid_hook h = { 0 };
	struct rmt_pager *p = start(16, 0, note_tid, &h);
	uint8_t *m = rmt_pager_alloc(p, 128 * PG);
	unsigned int i;

	h.split = (uintptr_t)(m + 64 * PG);
	/* One after the other: a thread's id must not stay for the next. */
	for (i = 0; i < 2; i++) {
		struct tid_worker w = { m + i * 64 * PG, &h.want[i] };
		pthread_t t;

		cr_assert_eq(pthread_create(&t, NULL, fill_and_check, &w), 0);
		pthread_join(t, NULL);
		cr_assert_gt(h.calls[i], 0, "thread %u never missed", i);
		cr_assert_eq(
			h.wrong[i], 0,
			"thread %u (tid %u): %llu of %llu faults said tid %u",
			i, h.want[i], (unsigned long long)h.wrong[i],
			(unsigned long long)h.calls[i], h.said);
	}
	rmt_pager_destroy(p);
}

/* Whether this kernel's userfaultfd moves pages (UFFDIO_MOVE, 6.8 on). */
static bool kernel_moves_pages(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	bool yes;

	if (fd < 0)
		return false;
	yes = !ioctl(fd, UFFDIO_API, &api) &&
	      (api.features & UFFD_FEATURE_MOVE);
	close(fd);
	return yes;
}

/* How many of the pages at m are mapped (resident, as mincore sees). */
static unsigned int mapped_pages(void *m, size_t pages)
{
	unsigned char v[128];
	unsigned int i, n = 0;

	cr_assert_leq(pages, sizeof(v));
	cr_assert_eq(mincore(m, pages * PG, v), 0);
	for (i = 0; i < pages; i++)
		n += v[i] & 1;
	return n;
}

Test(pager, pages_move_where_asked_and_possible)
{
	struct rmt_pager *p = start(16, 0, NULL, NULL);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	uint8_t *m = rmt_pager_alloc(p, 128 * PG);
	bool moves = EVICT_MODE == RMT_US_EVICT_MOVE && kernel_moves_pages();

	fill(m, 128, 9);
	check(m, 128, 9);
	cr_assert_leq(mapped_pages(m, 128), 16);
	cr_assert_gt(s->deactivations, 100);
	cr_assert_eq(s->evict_moves, moves);
	cr_assert_eq(s->moved_out, moves ? s->deactivations : 0,
		     "%llu of %llu deactivated pages moved",
		     (unsigned long long)s->moved_out,
		     (unsigned long long)s->deactivations);
	rmt_pager_destroy(p);
}

/*
 * After a fork, every page (resident or in the backing store) is shared
 * with the child until written, and the kernel will not move a shared
 * page: those are copied, both ways, and none is lost.
 */
Test(pager, pages_shared_with_a_child_are_copied)
{
	struct rmt_pager *p = start(16, 0, NULL, NULL);
	struct rmt_us_stats *s = rmt_pager_stats(p);
	uint8_t *m = rmt_pager_alloc(p, 128 * PG);
	uint64_t moved, deact;
	int status;
	pid_t pid;

	fill(m, 128, 5);
	moved = s->moved_out;
	deact = s->deactivations;
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid)
		_exit(0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	/* Read only: the resident pages leave while still shared. */
	check(m, 128, 5);
	fill(m, 128, 6);
	check(m, 128, 6);
	/* The limit holds in the page tables, not only in the books. */
	cr_assert_leq(mapped_pages(m, 128), 16);
	if (EVICT_MODE == RMT_US_EVICT_MOVE && kernel_moves_pages())
		cr_assert_gt(s->deactivations - deact, s->moved_out - moved,
			     "no shared page was copied (%llu of %llu moved)",
			     (unsigned long long)(s->moved_out - moved),
			     (unsigned long long)(s->deactivations - deact));
	rmt_pager_destroy(p);
}

Test(pager, find_and_partial_discard)
{
	struct rmt_pager *p = start(16, 0, NULL, NULL);
	uint8_t *m = rmt_pager_alloc(p, 64 * PG);
	void *s = NULL;
	size_t len = 0, i;

	fill(m, 64, 8);
	cr_assert_eq(rmt_pager_find(p, m + 40 * PG + 7, &s, &len), 0);
	cr_assert_eq(s, m);
	cr_assert_eq(len, 64 * PG);
	cr_assert_eq(rmt_pager_size(p, m + 40 * PG), 24 * PG);
	cr_assert_eq(rmt_pager_find(p, &len, &s, &len), -EINVAL);
	/* The second half reads as zeros again, the first keeps its data. */
	cr_assert_eq(rmt_pager_discard(p, m + 32 * PG, 32 * PG), 0);
	check(m, 32, 8);
	for (i = 32 * PG; i < 64 * PG; i += 256)
		cr_assert_eq(m[i], 0, "byte %zu", i);
	cr_assert_eq(rmt_pager_discard(p, m + 60 * PG, 8 * PG), -EINVAL,
		     "past the end of the allocation");
	cr_assert_eq(rmt_pager_discard(p, m + 5, PG), -EINVAL, "unaligned");
	rmt_pager_destroy(p);
}

/*
 * What a trace replay learns from the ring: a page is far from its
 * eviction to its next fault.  Every page is touched first (once), and
 * every far fault's page must have been evicted since its last fault; a
 * free drops its pages in one record; without emit_page_events, nothing
 * but faults.
 */
struct page_events {
	uint64_t touches, evictions, faults;
};

static void ring_events(bool emit, struct page_events *n)
{
	static uint64_t ring_mem[(1u << 20) / 8 + 512];
	struct rmt_pager_config c;
	struct rmt_pager *p = NULL;
	struct rmt_ring_cons cons;
	uint64_t rec[32];
	uint8_t *m, state[64] = { 0 }; /* 1 resident, 2 far */
	uint16_t type;
	bool dropped = false;
	int len;

	cr_assert_leq(rmt_ring_mem_size(1u << 20), sizeof(ring_mem));
	cr_assert_eq(rmt_ring_format(ring_mem, sizeof(ring_mem), 1u << 20, 256),
		     0);
	cr_assert_eq(rmt_ring_cons_attach(&cons, ring_mem, sizeof(ring_mem)),
		     0);
	config(&c, 16, 0, NULL, NULL);
	c.ring_mem = ring_mem;
	c.ring_len = sizeof(ring_mem);
	c.emit_page_events = emit;
	cr_assert_eq(rmt_pager_create(&c, &p), 0);
	m = rmt_pager_alloc(p, 64 * PG);
	fill(m, 64, 3);
	check(m, 64, 3);
	settle(p, m);
	memset(n, 0, sizeof(*n));
	while ((len = rmt_ring_consume(&cons, &type, rec, sizeof(rec))) > 0) {
		const struct rmt_msg_page *e = (const void *)rec;
		const struct rmt_msg_fault *f = (const void *)rec;
		uint64_t i = ((type == RMT_MSG_FAULT ? f->addr : e->addr) -
			      (uintptr_t)m) /
			     PG;

		cr_assert_eq(rmt_msg_check(type, rec, (uint32_t)len), 0);
		cr_assert_lt(i, 64);
		if (type == RMT_MSG_FAULT) {
			cr_assert(!emit || state[i] == 2,
				  "page %llu faulted, not evicted",
				  (unsigned long long)i);
			state[i] = 1;
			n->faults++;
			continue;
		}
		cr_assert_eq(type, RMT_MSG_PAGE);
		cr_assert_eq(e->npages, 1);
		if (e->event == RMT_PAGE_TOUCHED) {
			cr_assert_eq(state[i], 0, "page %llu touched twice",
				     (unsigned long long)i);
			state[i] = 1;
			n->touches++;
			continue;
		}
		cr_assert_eq(e->event, RMT_PAGE_EVICTED);
		cr_assert_eq(state[i], 1, "page %llu evicted, not resident",
			     (unsigned long long)i);
		state[i] = 2;
		n->evictions++;
	}
	cr_assert_eq(len, 0);
	cr_assert_eq(n->evictions, emit ? rmt_pager_stats(p)->evictions : 0);
	cr_assert_eq(n->touches, emit ? 64 : 0);
	cr_assert_eq(rmt_pager_free(p, m), 0);
	while ((len = rmt_ring_consume(&cons, &type, rec, sizeof(rec))) > 0) {
		const struct rmt_msg_page *e = (const void *)rec;

		cr_assert_eq(type, RMT_MSG_PAGE);
		cr_assert_eq(e->addr, (uintptr_t)m);
		cr_assert_eq(e->npages, 64);
		cr_assert_eq(e->event, RMT_PAGE_DROPPED);
		dropped = true;
	}
	cr_assert_eq(dropped, emit);
	rmt_pager_destroy(p);
}

Test(pager, page_events_go_to_the_ring_when_asked)
{
	struct page_events n;

	ring_events(true, &n);
	cr_assert_geq(n.evictions, 48, "only %llu evictions",
		      (unsigned long long)n.evictions);
	cr_assert_geq(n.faults, 32, "only %llu far faults",
		      (unsigned long long)n.faults);
	ring_events(false, &n);
	cr_assert_geq(n.faults, 32);
}
