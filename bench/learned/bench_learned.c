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
 * so that their faults are prefetch hits as in the pager.  Both programs
 * run interpreted and JIT-compiled.  7 repetitions; median, min, max.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/learn.h"
#include "agent/learn_feat.h"
#include "mlib/format.h"
#include "proto/msg.h"
#include "vm/jit.h"
#include "vm/pipeline_impl.h"
#include "vm/pipeline_parse.h"
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

static void ctx_of(struct rmt_ctx_swap_fault *c, u64 pg)
{
	memset(c, 0, sizeof(*c));
	c->addr = REGION + (pg << RMT_PAGE_SHIFT);
	c->vma_start = REGION;
	c->vma_end = REGION + (REGION_PAGES << RMT_PAGE_SHIFT);
	c->flags = staged[pg] ? RMT_FAULT_PREFETCH_HIT : RMT_FAULT_MAJOR;
	staged[pg] = 0;
}

/* ns per decision of prog over pages; streams: learned's bookkeeping. */
static double run_prog(struct rmt_program *prog, const u64 *pages, bool streams,
		       u64 *n_pages)
{
	static struct rmt_hook_scratch scr;
	static struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	struct rmt_decision d;
	u64 t0, total = 0;
	u32 i, k;

	rmt_streams_init(&st);
	memset(staged, 0, sizeof(staged));
	t0 = now_ns();
	for (i = 0; i < N_FAULTS; i++) {
		ctx_of(&c, pages[i]);
		if (streams)
			rmt_stream_fill(&st, &c);
		if (rmt_pipeline_run(prog->pipe, &c, sizeof(c), &scr, &d)) {
			fprintf(stderr, "bench-learned: fault %d\n", d.error);
			exit(1);
		}
		if (streams)
			rmt_stream_update(&st, &c, scr.meta, d.n_pages);
		total += d.n_pages;
		for (k = 0; k < d.n_pages; k++)
			staged[((d.pages[k] - REGION) >> RMT_PAGE_SHIFT) %
			       REGION_PAGES] = 1;
	}
	*n_pages = total;
	return (double)(now_ns() - t0) / N_FAULTS;
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

static void load(const char *rel, struct rmt_program *p, bool jit)
{
	char path[512], err[256] = "";
	u32 i;

	snprintf(path, sizeof(path), "%s/%s", RMT_SOURCE_DIR, rel);
	if (rmt_program_load(path, p, err, sizeof(err))) {
		fprintf(stderr, "bench-learned: %s: %s\n", rel, err);
		exit(1);
	}
	for (i = 0; jit && i < p->pipe->n_actions; i++) {
		if (p->pipe->actions[i].has_prog &&
		    rmt_jit_compile(&p->pipe->actions[i].prog, err,
				    sizeof(err))) {
			fprintf(stderr, "bench-learned: %s: %s\n", rel, err);
			exit(1);
		}
	}
	if (jit)
		rmt_pipeline_set_exec(p->pipe, rmt_jit_exec);
}

static void unload(struct rmt_program *p)
{
	u32 i;

	for (i = 0; i < p->pipe->n_actions; i++)
		rmt_jit_free(&p->pipe->actions[i].prog);
	rmt_program_free(p);
}

static void row(const char *what, double *t, u64 pages)
{
	qsort(t, REPS, sizeof(double), cmp);
	printf("%-34s %9.1f %9.1f %9.1f %12.2f\n", what, t[REPS / 2], t[0],
	       t[REPS - 1], (double)pages / N_FAULTS);
}

/* Trains the learner on the first faults; returns the parsed model. */
static struct rmt_model *train(const u64 *pages)
{
	struct rmt_learner_config cfg = { .first_model_faults = 16384 };
	struct rmt_learner_result res;
	struct rmt_learner *l;
	struct rmt_model *m = NULL;
	char err[160] = "";
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
	if (rmt_learner_train(l, &res) || !res.promote ||
	    rmt_model_parse(res.blob, res.blob_len, &m, err, sizeof(err))) {
		fprintf(stderr, "bench-learned: no model: %s %s\n", res.why,
			err);
		exit(1);
	}
	printf("model: %s, %zu bytes, depth %u\n", res.why, res.blob_len,
	       m->max_depth);
	free(res.blob);
	rmt_learner_destroy(l);
	return m;
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
	struct rmt_program prog[5];
	double t[5][REPS], t_m[REPS];
	struct rmt_model_slot slot = { rmt_learned_slot_fn, NULL,
				       RMT_LEARNED_FEATURES };
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 n_pages[5];
	u32 i, nf = 0;
	int r;

	gen(pages);
	slot.model = train(pages);
	load("programs/readahead.rmt", &prog[0], false);
	load("programs/readahead.rmt", &prog[1], true);
	load("programs/learned.rmt", &prog[2], false);
	load("programs/learned.rmt", &prog[3], true);
	load("programs/learned.rmt", &prog[4], true);
	rmt_pipeline_set_model(prog[2].pipe, 0, &slot);
	rmt_pipeline_set_model(prog[3].pipe, 0, &slot);
	rmt_streams_init(&st);
	for (i = 0; i < N_FAULTS && nf < 4096; i++) {
		ctx_of(&c, pages[i]);
		rmt_stream_fill(&st, &c);
		if (rmt_learned_asks(&c))
			rmt_learned_features(
				&c,
				feats + (size_t)nf++ * RMT_LEARNED_FEATURES);
	}
	for (r = 0; r < REPS; r++) {
		for (i = 0; i < 5; i++)
			t[i][r] =
				run_prog(&prog[i], pages, i >= 2, &n_pages[i]);
		t_m[r] = run_model(slot.model, feats, nf);
	}
	printf("%-34s %9s %9s %9s %12s\n", "ns per decision", "median", "min",
	       "max", "pages/fault");
	for (i = 0; i < 5; i++)
		row(names[i], t[i], n_pages[i]);
	row("tree inference alone", t_m, 0);
	printf("RESULT learned_ns=%.1f readahead_ns=%.1f ratio=%.2f "
	       "learned_interp_ns=%.1f readahead_interp_ns=%.1f "
	       "model_ns=%.1f\n",
	       t[3][REPS / 2], t[1][REPS / 2], t[3][REPS / 2] / t[1][REPS / 2],
	       t[2][REPS / 2], t[0][REPS / 2], t_m[REPS / 2]);
	for (i = 0; i < 5; i++)
		unload(&prog[i]);
	rmt_model_free(slot.model);
	return 0;
}
