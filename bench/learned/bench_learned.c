// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_learned.c - bench-learned: ns per swap_fault decision of
 * programs/learned.rmt with a trained tree in its slot (stream tracking,
 * features, model call, lookahead) against programs/readahead.rmt (the
 * anchor) on the same 100,000 faults, and the tree's inference alone.
 * Faults come from a fixed-seed generator: four interleaved streams in
 * one 1 GiB region (sequential, stride 3, backwards, random jumps within
 * 64 pages), restarted at random places.  The tree is trained by the
 * learner on the first 16,384 faults.  Prefetched pages are remembered,
 * so that their faults are prefetch hits as in the pager.  Both run
 * through the pager's adapter (uspace/rmt_prefetch.h, what the fault
 * thread calls), verified and JIT-compiled or interpreted (RMT_NO_JIT).
 * The JIT rows also run "cold": before each decision a range of pages is
 * write-protected and back, which flushes this process's TLB, as a
 * program's own accesses leave it when it faults in the pager; each
 * decision is timed alone then.  7 repetitions; median, min, max.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "agent/learn.h"
#include "agent/learn_feat.h"
#include "mlib/format.h"
#include "proto/msg.h"
#include "uspace/rmt_prefetch.h"
#include "vm/stream.h"

#define N_FAULTS 100000u
#define REPS 7
#define REGION 0x7f0000000000ull
#define REGION_PAGES (1ull << 18)

static u64 seed = 42;

static u64 rnd(void)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return seed >> 17;
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void gen(u64 *pages)
{
	static const s64 step[4] = { 1, 3, -1, 0 };
	u64 pos[4];
	u32 i, s;

	for (s = 0; s < 4; s++)
		pos[s] = 1000 + rnd() % (REGION_PAGES - 2000);
	for (i = 0; i < N_FAULTS; i++) {
		s = i % 4;
		if (rnd() % 500 == 0)
			pos[s] = 1000 + rnd() % (REGION_PAGES - 2000);
		pos[s] += step[s] ? (u64)step[s] : 1 + rnd() % 64;
		if (pos[s] >= REGION_PAGES - 100)
			pos[s] = 1000;
		pages[i] = pos[s];
	}
}

/* Pages prefetched and not used yet: their faults are prefetch hits. */
static u8 staged[REGION_PAGES];

/*
 * Above x86's tlb_single_page_flush_ceiling (33 pages) the kernel flushes
 * the whole TLB of the process instead of page by page: changing the
 * protection of this many pages does that.
 */
#define FLUSH_PAGES 64u
static u8 *flush_area;

static void flush_tlb(void)
{
	size_t len = FLUSH_PAGES << RMT_PAGE_SHIFT;

	if (mprotect(flush_area, len, PROT_READ) ||
	    mprotect(flush_area, len, PROT_READ | PROT_WRITE)) {
		perror("bench-learned: mprotect");
		exit(1);
	}
}

/*
 * ns per decision of the pager's prefetcher adapter (stream tracking,
 * pipeline, the pages asked for), as the fault thread runs it; cold: with
 * the TLB flushed before each decision, which is timed alone.
 */
static double run_pf(struct rmt_us_rmt_pf *pf, const u64 *pages, u64 *n_pages,
		     bool cold)
{
	uint64_t out[RMT_US_MAX_PREFETCH];
	struct rmt_us_fault_ctx c;
	u64 t0, t_cold = 0, total = 0;
	u32 i;
	int n, k;

	memset(staged, 0, sizeof(staged));
	t0 = now_ns();
	for (i = 0; i < N_FAULTS; i++) {
		memset(&c, 0, sizeof(c));
		c.addr = REGION + (pages[i] << RMT_PAGE_SHIFT);
		c.region_start = REGION;
		c.region_end = REGION + (REGION_PAGES << RMT_PAGE_SHIFT);
		c.flags = staged[pages[i]] ? RMT_FAULT_PREFETCH_HIT :
					     RMT_FAULT_MAJOR;
		staged[pages[i]] = 0;
		if (cold) {
			u64 t;

			flush_tlb();
			t = now_ns();
			n = rmt_us_rmt_pf_run(pf, &c, out, RMT_US_MAX_PREFETCH);
			t_cold += now_ns() - t;
		} else {
			n = rmt_us_rmt_pf_run(pf, &c, out, RMT_US_MAX_PREFETCH);
		}
		if (n < 0) {
			fprintf(stderr, "bench-learned: hook error %d\n", n);
			exit(1);
		}
		total += (u64)n;
		for (k = 0; k < n; k++)
			staged[((out[k] - REGION) >> RMT_PAGE_SHIFT) %
			       REGION_PAGES] = 1;
	}
	*n_pages = total;
	return (double)(cold ? t_cold : now_ns() - t0) / N_FAULTS;
}

static double run_model(const struct rmt_model *m, const s32 *x, u32 n)
{
	struct rmt_infer_out o;
	u64 t0 = now_ns(), sum = 0;
	u32 i;

	for (i = 0; i < N_FAULTS; i++) {
		rmt_model_infer(m, x + (size_t)(i % n) * RMT_LEARNED_FEATURES,
				&o);
		sum += (u64)o.value;
	}
	if (sum == ~0ull)
		printf("%llu\n", (unsigned long long)sum);
	return (double)(now_ns() - t0) / N_FAULTS;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void row(const char *what, double *t, u64 pages)
{
	qsort(t, REPS, sizeof(double), cmp);
	printf("%-34s %9.1f %9.1f %9.1f %12.2f\n", what, t[REPS / 2], t[0],
	       t[REPS - 1], (double)pages / N_FAULTS);
}

/* Trains the learner on the first faults; returns the model's blob. */
static u8 *train(const u64 *pages, size_t *len)
{
	struct rmt_learner_config cfg = { .first_model_faults = 16384 };
	struct rmt_learner_result res;
	struct rmt_learner *l;
	u32 i;

	if (rmt_learner_create(&cfg, &l))
		exit(1);
	for (i = 0; i < 16384; i++) {
		struct rmt_msg_fault ev = { .addr = REGION + (pages[i] << 12),
					    .vma_start = REGION,
					    .vma_end = REGION +
						       (REGION_PAGES << 12),
					    .flags = RMT_FAULT_MAJOR };

		rmt_learner_ingest(l, &ev, 1);
	}
	if (rmt_learner_train(l, &res) || !res.promote) {
		fprintf(stderr, "bench-learned: no model: %s\n", res.why);
		exit(1);
	}
	printf("model: %s, %zu bytes\n", res.why, res.blob_len);
	rmt_learner_destroy(l);
	*len = res.blob_len;
	return res.blob;
}

static struct rmt_model *parse(const u8 *blob, size_t len)
{
	struct rmt_model *m;
	char err[160];

	if (rmt_model_parse(blob, len, &m, err, sizeof(err))) {
		fprintf(stderr, "bench-learned: %s\n", err);
		exit(1);
	}
	return m;
}

static struct rmt_us_rmt_pf *open_pf(const char *name, bool jit)
{
	struct rmt_us_rmt_pf *pf;
	char err[256] = "";

	if (jit)
		unsetenv("RMT_NO_JIT");
	else
		setenv("RMT_NO_JIT", "1", 1);
	if (rmt_us_rmt_pf_open(name, &pf, err, sizeof(err))) {
		fprintf(stderr, "bench-learned: %s: %s\n", name, err);
		exit(1);
	}
	rmt_us_rmt_pf_region(pf, REGION,
			     REGION + (REGION_PAGES << RMT_PAGE_SHIFT), true);
	return pf;
}

int main(void)
{
	static u64 pages[N_FAULTS];
	static s32 feats[4096 * RMT_LEARNED_FEATURES];
	static const char *const names[] = {
		"readahead.rmt, interpreted",	  "readahead.rmt, JIT (anchor)",
		"learned.rmt, tree, interpreted", "learned.rmt, tree, JIT",
		"learned.rmt, empty slot, JIT",
	};
	struct rmt_us_rmt_pf *pf[5];
	double t[5][REPS], t_m[REPS], t_cold[2][REPS];
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	struct rmt_model *m;
	u64 n_pages[5];
	size_t len;
	u8 *blob;
	u32 i, nf = 0;
	int r;

	flush_area = mmap(NULL, FLUSH_PAGES << RMT_PAGE_SHIFT,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (flush_area == MAP_FAILED) {
		perror("bench-learned: mmap");
		return 1;
	}
	/* Touched: only present entries are changed, and flushed. */
	memset(flush_area, 1, FLUSH_PAGES << RMT_PAGE_SHIFT);
	gen(pages);
	blob = train(pages, &len);
	m = parse(blob, len);
	pf[0] = open_pf("readahead", false);
	pf[1] = open_pf("readahead", true);
	pf[2] = open_pf("learned", false);
	pf[3] = open_pf("learned", true);
	pf[4] = open_pf("learned", true);
	for (i = 2; i <= 3; i++)
		if (rmt_us_rmt_pf_install_model(pf[i], 0, parse(blob, len)))
			exit(1);
	free(blob);
	rmt_streams_init(&st);
	for (i = 0; i < N_FAULTS && nf < 4096; i++) {
		memset(&c, 0, sizeof(c));
		c.addr = REGION + (pages[i] << RMT_PAGE_SHIFT);
		c.vma_start = REGION;
		c.vma_end = REGION + (REGION_PAGES << RMT_PAGE_SHIFT);
		c.flags = RMT_FAULT_MAJOR;
		rmt_stream_fill(&st, &c);
		if (rmt_learned_asks(&c))
			rmt_learned_features(
				&c,
				feats + (size_t)nf++ * RMT_LEARNED_FEATURES);
	}
	for (r = 0; r < REPS; r++) {
		for (i = 0; i < 5; i++)
			t[i][r] = run_pf(pf[i], pages, &n_pages[i], false);
		t_cold[0][r] = run_pf(pf[1], pages, &n_pages[1], true);
		t_cold[1][r] = run_pf(pf[3], pages, &n_pages[3], true);
		t_m[r] = run_model(m, feats, nf);
	}
	printf("%-34s %9s %9s %9s %12s\n", "ns per decision", "median", "min",
	       "max", "pages/fault");
	for (i = 0; i < 5; i++)
		row(names[i], t[i], n_pages[i]);
	row("readahead.rmt, JIT, cold TLB", t_cold[0], n_pages[1]);
	row("learned.rmt, tree, JIT, cold TLB", t_cold[1], n_pages[3]);
	row("tree inference alone", t_m, 0);
	printf("RESULT learned_ns=%.1f readahead_ns=%.1f ratio=%.2f "
	       "learned_interp_ns=%.1f readahead_interp_ns=%.1f "
	       "learned_cold_ns=%.1f readahead_cold_ns=%.1f cold_ratio=%.2f "
	       "model_ns=%.1f\n",
	       t[3][REPS / 2], t[1][REPS / 2], t[3][REPS / 2] / t[1][REPS / 2],
	       t[2][REPS / 2], t[0][REPS / 2], t_cold[1][REPS / 2],
	       t_cold[0][REPS / 2], t_cold[1][REPS / 2] / t_cold[0][REPS / 2],
	       t_m[REPS / 2]);
	for (i = 0; i < 5; i++)
		rmt_us_rmt_pf_close(pf[i]);
	rmt_model_free(m);
	return 0;
}
