// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_program.c - programs/learned.rmt: it feeds the model exactly the
 * features the trainer computes (agent/learn_feat.c), behaves as Linux
 * readahead (readahead.rmt) with an empty slot, decodes each class into
 * a lookahead that continues where the stream's last one ended (a sweep
 * ahead of an out-of-order stream's furthest page), falls
 * back to readahead when the tree is unsure or the stream's accuracy
 * check fails, stays within the hook's budget, and its actions give the
 * same results under the JIT as under the interpreter, alone and as the
 * pipeline's engine (rmt_pipeline_set_exec).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/learn_feat.h"
#include "proto/msg.h"
#include "vm/jit.h"
#include "vm/pipeline_impl.h"
#include "vm/pipeline_parse.h"
#include "vm/stream.h"

#define REGION 0x40000000ull
#define PAGES 4096ull

struct fake {
	int cls; /* returned class; -1: derived from the inputs */
	u32 calls;
	s32 in[RMT_LEARNED_FEATURES];
};

struct harness {
	struct rmt_program prog;
	struct rmt_hook_scratch scr;
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	struct rmt_decision d;
	u8 resident[PAGES];
	u8 prefetched[PAGES];
	struct fake fake;
};

static int fake_model(void *model, const s32 *in, u32 n, s32 *out)
{
	struct fake *f = model;

	cr_assert_eq(n, RMT_LEARNED_FEATURES);
	memcpy(f->in, in, sizeof(f->in));
	f->calls++;
	if (f->cls >= 0)
		*out = f->cls;
	else
		*out = (s32)((u32)(in[0] * 7 + in[9] * 3 + in[14]) %
			     RMT_LC_COUNT);
	return 0;
}

static struct harness *load(const char *rel, bool with_model, int cls)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct rmt_model_slot slot = { fake_model, NULL, RMT_LEARNED_FEATURES };
	char path[512], err[256] = "";

	cr_assert_not_null(h);
	snprintf(path, sizeof(path), "%s/%s", RMT_SOURCE_DIR, rel);
	cr_assert_eq(rmt_program_load(path, &h->prog, err, sizeof(err)), 0,
		     "%s: %s", rel, err);
	rmt_streams_init(&h->st);
	h->fake.cls = cls;
	slot.model = &h->fake;
	if (with_model)
		cr_assert_eq(rmt_pipeline_set_model(h->prog.pipe, 0, &slot), 0);
	return h;
}

static void unload(struct harness *h)
{
	rmt_program_free(&h->prog);
	free(h);
}

/*
 * One access to page pg as the pager sees it: a miss or a prefetch hit
 * runs the hook (with streams), pages it asks for become prefetched.
 * Returns false for an access to a resident page (no fault).
 */
static bool access(struct harness *h, u64 pg)
{
	struct rmt_ctx_swap_fault *c = &h->c;
	u32 i, flags;

	cr_assert_lt(pg, PAGES);
	if (h->resident[pg] && !h->prefetched[pg])
		return false;
	flags = h->resident[pg] ? RMT_FAULT_PREFETCH_HIT : RMT_FAULT_MAJOR;
	h->resident[pg] = 1;
	h->prefetched[pg] = 0;
	memset(c, 0, sizeof(*c));
	c->addr = REGION + (pg << RMT_PAGE_SHIFT);
	c->vma_start = REGION;
	c->vma_end = REGION + (PAGES << RMT_PAGE_SHIFT);
	c->flags = flags;
	rmt_stream_fill(&h->st, c);
	cr_assert_eq(
		rmt_pipeline_run(h->prog.pipe, c, sizeof(*c), &h->scr, &h->d),
		0, "fault %d at page %llu", h->d.error, (unsigned long long)pg);
	cr_assert_leq(h->d.executed, rmt_hook_find("swap_fault")->budget);
	rmt_stream_update(&h->st, c, h->scr.meta, h->d.n_pages);
	for (i = 0; i < h->d.n_pages; i++) {
		u64 q = (h->d.pages[i] - REGION) >> RMT_PAGE_SHIFT;

		if (q < PAGES && !h->resident[q]) {
			h->resident[q] = 1;
			h->prefetched[q] = 1;
		}
	}
	return true;
}

/* A walk with sequential runs, strides, jumps and returns. */
static u64 walk(u32 i)
{
	if (i < 100)
		return 200 + i;
	if (i < 200)
		return 600 + 3 * (i - 100);
	if (i < 300)
		return 3000 - 2 * (i - 200);
	return (u64)((i * 2654435761u) >> 7) % PAGES;
}

Test(learned_program, features_match_the_trainer)
{
	struct harness *h = load("programs/learned.rmt", true, 0);
	s32 want[RMT_LEARNED_FEATURES];
	u32 i, asked = 0, k;

	for (i = 0; i < 400; i++) {
		u32 before = h->fake.calls;

		if (!access(h, walk(i)))
			continue;
		cr_assert_eq(h->fake.calls - before,
			     rmt_learned_asks(&h->c) ? 1u : 0u,
			     "the model is asked exactly when the trainer "
			     "makes a sample (access %u)",
			     i);
		if (h->fake.calls == before)
			continue;
		asked++;
		rmt_learned_features(&h->c, want);
		for (k = 0; k < RMT_LEARNED_FEATURES; k++)
			cr_assert_eq(h->fake.in[k], want[k],
				     "access %u feature %u: program %d, C %d",
				     i, k, h->fake.in[k], want[k]);
		/*
		 * Class 0: nothing prefetched, readahead kept quiet, but
		 * where the stream kept its stride against it twice.
		 */
		if (h->c.s_refuted < 2)
			cr_assert_eq(h->d.n_pages, 0, "access %u", i);
	}
	cr_assert_gt(asked, 250, "asked %u", asked);
	unload(h);
}

/* Runs one trace through two programs and compares their decisions. */
static void same_decisions(struct harness *a, struct harness *b, u32 n,
			   u64 (*trace)(u32), bool want_same)
{
	u32 i, k, differ = 0;

	for (i = 0; i < n; i++) {
		bool fa = access(a, trace(i)), fb = access(b, trace(i));

		cr_assert_eq(fa, fb, "access %u", i);
		if (!fa)
			continue;
		if (a->d.n_pages != b->d.n_pages) {
			differ++;
			continue;
		}
		for (k = 0; k < a->d.n_pages; k++)
			differ += a->d.pages[k] != b->d.pages[k];
	}
	if (want_same)
		cr_assert_eq(differ, 0, "%u decisions differ", differ);
	else
		cr_assert_gt(differ, 0);
}

Test(learned_program, empty_slot_is_readahead)
{
	struct harness *l = load("programs/learned.rmt", false, 0);
	struct harness *r = load("programs/readahead.rmt", false, 0);

	same_decisions(l, r, 500, walk, true);
	unload(l);
	unload(r);
}

Test(learned_program, unsure_is_readahead)
{
	struct harness *l = load("programs/learned.rmt", true, RMT_LC_UNSURE);
	struct harness *r = load("programs/readahead.rmt", false, 0);

	same_decisions(l, r, 500, walk, true);
	cr_assert_gt(l->fake.calls, 250, "calls %u", l->fake.calls);
	unload(l);
	unload(r);
}

static u64 seq(u32 i)
{
	return 100 + i;
}

/* Random pages: the walk's last part. */
static u64 scattered(u32 i)
{
	return walk(300 + i);
}

Test(learned_program, other_prefetches_nothing)
{
	struct harness *l = load("programs/learned.rmt", true, RMT_LC_OTHER);
	u32 i, faults = 0, pages = 0;

	for (i = 0; i < 3000; i++) {
		if (!access(l, scattered(i)))
			continue;
		faults++;
		if (!l->c.s_new)
			pages += l->d.n_pages;
	}
	/* A new stream runs readahead; the others ask for nothing. */
	cr_assert_gt(faults, 1000);
	cr_assert_eq(pages, 0, "%u pages in %u faults", pages, faults);
	unload(l);
}

/*
 * A model trained without sequential streams says "nothing near" on
 * one: after the stream kept its stride against that twice, readahead
 * takes it, and readahead's pages hit.
 */
Test(learned_program, other_refuted_is_readahead)
{
	struct harness *l = load("programs/learned.rmt", true, RMT_LC_OTHER);
	struct harness *r = load("programs/readahead.rmt", false, 0);
	u32 i, hits = 0;

	for (i = 0; i < 200; i++) {
		bool fl = access(l, seq(i)), fr = access(r, seq(i));

		cr_assert_eq(fl, fr, "page %u", i);
		if (!fl)
			continue;
		hits += l->c.flags == RMT_FAULT_PREFETCH_HIT;
		if (i >= 4) {
			cr_assert_geq(l->c.s_refuted, 2, "page %u", i);
			cr_assert_eq(l->d.n_pages, r->d.n_pages, "page %u", i);
		}
	}
	cr_assert_gt(hits, 150, "hits %u of 200", hits);
	unload(l);
	unload(r);
}

Test(learned_program, lookahead_continues_along_the_stream)
{
	struct harness *h = load("programs/learned.rmt", true, RMT_LC_LAST);
	u32 i, k;

	cr_assert(access(h, 100));
	cr_assert(h->c.s_new);
	cr_assert(access(h, 101)); /* a readahead hit */
	/* The model's turn: depth 8 + run, pages after what is staged. */
	for (i = 2; i < 200; i++) {
		u64 far;

		cr_assert(access(h, seq(i)), "page %u faults (hit)", i);
		cr_assert_eq(h->c.flags, RMT_FAULT_PREFETCH_HIT,
			     "page %u is a hit", i);
		cr_assert_eq(h->scr.meta[RMT_STREAM_META_STEP], 1);
		far = (h->scr.meta[RMT_STREAM_META_AHEAD] - REGION) >>
		      RMT_PAGE_SHIFT;
		k = h->c.s_run + 8 > 32 ? 32 : h->c.s_run + 8;
		cr_assert_eq(far, seq(i) + k, "page %u: ahead %llu, depth %u",
			     i, (unsigned long long)far, k);
		if (i > 40)
			cr_assert_leq(h->d.n_pages, 1,
				      "a steady stream asks for one more");
	}
	unload(h);
}

/* Jumps the model cannot follow: class 1 is wrong every time. */
static u64 zigzag(u32 i)
{
	return 1000 + (i % 2 ? 40 : 0) + (i / 2) % 7;
}

Test(learned_program, accuracy_check_falls_back_to_readahead)
{
	struct harness *l = load("programs/learned.rmt", true, RMT_LC_LAST);
	struct harness *r = load("programs/readahead.rmt", false, 0);
	u32 i, gated = 0;

	for (i = 0; i < 200; i++) {
		bool fl = access(l, zigzag(i)), fr = access(r, zigzag(i));

		if (!fl || !fr || l->c.s_new)
			continue;
		if (l->c.s_wrong > l->c.s_right) {
			gated++;
			cr_assert_eq(l->scr.meta[7], 0, "readahead decides");
		}
	}
	cr_assert_gt(gated, 10);
	unload(l);
	unload(r);
}

/*
 * A stencil's walk: each row's ends before its middle, steps +4, -2, +1
 * (or the mirror image, dir -1), going one way three pages a cycle.
 */
static u64 rows(u32 i, int dir)
{
	static const u32 at[3] = { 4, 2, 3 };
	u64 off = 3ull * (i / 3) + at[i % 3];

	return dir > 0 ? 500 + off : 3500 - off;
}

static void sweeps(int dir)
{
	struct harness *h = load("programs/learned.rmt", true, RMT_LC_SWEEP);
	u8 asked[PAGES] = { 0 };
	u32 i, k, misses = 0;

	for (i = 0; i < 600; i++) {
		u64 front = rows(i, dir), far;

		cr_assert(access(h, rows(i, dir)), "access %u", i);
		if (i < 16)
			continue;
		misses += h->c.flags == RMT_FAULT_MAJOR;
		for (k = 1; k <= 4 && k <= i; k++) {
			u64 p = rows(i - k, dir);

			front = dir > 0 ? (p > front ? p : front) :
					  (p < front ? p : front);
		}
		cr_assert_eq(h->scr.meta[7], 1, "access %u: decided", i);
		cr_assert_eq(h->scr.meta[RMT_STREAM_META_STEP], 0,
			     "a sweep predicts no next page");
		far = (h->scr.meta[RMT_STREAM_META_AHEAD] - REGION) >>
		      RMT_PAGE_SHIFT;
		cr_assert_eq(far, dir > 0 ? front + 16 : front - 16,
			     "access %u: ahead %llu, front %llu", i,
			     (unsigned long long)far,
			     (unsigned long long)front);
		for (k = 0; k < h->d.n_pages; k++) {
			u64 q = (h->d.pages[k] - REGION) >> RMT_PAGE_SHIFT;

			cr_assert_eq(asked[q], 0, "page %llu asked twice",
				     (unsigned long long)q);
			asked[q] = 1;
			cr_assert(dir > 0 ? q > front : q < front,
				  "page %llu not past the front %llu",
				  (unsigned long long)q,
				  (unsigned long long)front);
		}
	}
	cr_assert_eq(misses, 0, "%u misses", misses);
	unload(h);
}

Test(learned_program, sweep_asks_past_the_front)
{
	sweeps(1);
}

Test(learned_program, sweep_backwards)
{
	sweeps(-1);
}

/* Runs action a on the current context by the interpreter or the JIT. */
static int run_action(struct harness *h, u32 a, const u8 *params, u32 plen,
		      u8 *state, u32 slen, u64 *meta, struct rmt_decision *d,
		      bool jit, u64 *r0, u64 *executed)
{
	struct rmt_pipeline *p = h->prog.pipe;
	struct rmt_hook_exec x = { p, (const u8 *)&h->c, d };
	struct rmt_vm_region regions[4];
	struct rmt_vm_run run;
	u32 n = 0;
	int err;

	memset(&run, 0, sizeof(run));
	memset(d, 0, sizeof(*d));
	regions[n++] = (struct rmt_vm_region){ (u64)(size_t)&h->c, sizeof(h->c),
					       false };
	regions[n++] = (struct rmt_vm_region){ (u64)(size_t)meta,
					       RMT_META_WORDS * 8, true };
	if (plen)
		regions[n++] = (struct rmt_vm_region){ (u64)(size_t)params,
						       plen, false };
	if (slen)
		regions[n++] = (struct rmt_vm_region){ (u64)(size_t)state, slen,
						       true };
	run.args[0] = (u64)(size_t)&h->c;
	run.args[1] = plen ? (u64)(size_t)params : 0;
	run.args[2] = slen ? (u64)(size_t)state : 0;
	run.args[3] = (u64)(size_t)meta;
	run.args[4] = plen;
	run.regions = regions;
	run.n_regions = n;
	run.budget = p->hook->budget;
	run.user = &x;
	run.stack = h->scr.stack;
	err = jit ? rmt_jit_exec(&p->actions[a].prog, &run) :
		    rmt_vm_exec(&p->actions[a].prog, &run);
	*r0 = run.r0;
	*executed = run.executed;
	return err;
}

Test(learned_program, jit_matches_interpreter)
{
	struct harness *h = load("programs/learned.rmt", true, -1);
	struct rmt_pipeline *p = h->prog.pipe;
	struct rmt_decision di, dj;
	u8 params[4] = { 8, 0, 0, 0 };
	u8 si[24] = { 0 }, sj[24] = { 0 };
	u64 mi[RMT_META_WORDS], mj[RMT_META_WORDS], ri, rj, ei, ej;
	char log[256] = "";
	u32 learn, ra, i;

	cr_assert_eq(rmt_pipeline_action_id(p, "learn", &learn), 0);
	cr_assert_eq(rmt_pipeline_action_id(p, "ra", &ra), 0);
	cr_assert_eq(rmt_jit_compile(&p->actions[learn].prog, log, sizeof(log)),
		     0, "%s", log);
	cr_assert_eq(rmt_jit_compile(&p->actions[ra].prog, log, sizeof(log)), 0,
		     "%s", log);
	for (i = 0; i < 400; i++) {
		if (!access(h, walk(i)))
			continue;
		memset(mi, 0, sizeof(mi));
		memset(mj, 0, sizeof(mj));
		cr_assert_eq(run_action(h, learn, NULL, 0, NULL, 0, mi, &di,
					false, &ri, &ei),
			     run_action(h, learn, NULL, 0, NULL, 0, mj, &dj,
					true, &rj, &ej));
		cr_assert_eq(ri, rj);
		cr_assert_eq(ei, ej, "access %u: executed %llu vs %llu", i,
			     (unsigned long long)ei, (unsigned long long)ej);
		cr_assert_arr_eq(mi, mj, sizeof(mi));
		cr_assert_eq(di.n_pages, dj.n_pages);
		cr_assert_arr_eq(di.pages, dj.pages, di.n_pages * 8);
		cr_assert_eq(run_action(h, ra, params, 4, si, 24, mi, &di,
					false, &ri, &ei),
			     run_action(h, ra, params, 4, sj, 24, mj, &dj, true,
					&rj, &ej));
		cr_assert_arr_eq(si, sj, sizeof(si));
		cr_assert_eq(di.n_pages, dj.n_pages);
		cr_assert_arr_eq(di.pages, dj.pages, di.n_pages * 8);
	}
	rmt_jit_free(&p->actions[learn].prog);
	rmt_jit_free(&p->actions[ra].prog);
	unload(h);
}

static u32 jit_runs;

static int counting_jit(const struct rmt_prog *prog, struct rmt_vm_run *run)
{
	jit_runs++;
	return rmt_jit_exec(prog, run);
}

/* The pipeline on the JIT engine (rmt_pipeline_set_exec) decides alike. */
Test(learned_program, pipeline_on_the_jit_engine)
{
	struct harness *i = load("programs/learned.rmt", true, -1);
	struct harness *j = load("programs/learned.rmt", true, -1);
	struct rmt_pipeline *p = j->prog.pipe;
	char log[256] = "";
	u32 a, n;

	for (a = 0; a < p->n_actions; a++)
		if (p->actions[a].has_prog)
			cr_assert_eq(rmt_jit_compile(&p->actions[a].prog, log,
						     sizeof(log)),
				     0, "%s", log);
	rmt_pipeline_set_exec(p, counting_jit);
	same_decisions(i, j, 400, walk, true);
	cr_assert_gt(jit_runs, 400, "the engine runs the actions");
	for (n = 0; n < 400; n++) {
		bool fi = access(i, zigzag(n)), fj = access(j, zigzag(n));

		cr_assert_eq(fi, fj);
		if (fi)
			cr_assert_eq(i->d.executed, j->d.executed, "access %u",
				     n);
	}
	cr_assert_eq(i->fake.calls, j->fake.calls);
	for (a = 0; a < p->n_actions; a++)
		rmt_jit_free(&p->actions[a].prog);
	unload(i);
	unload(j);
}
