// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_prefetch_programs.c - programs/readahead.rmt and programs/leap.rmt
 * run through the VM by a small trace simulator against the test vectors
 * of PREFETCH_BASELINES.md (all of readahead's VMA-mode vectors and all
 * eight of Leap's).  The simulator
 * keeps pages resident forever, reads a page on a miss and the decision's
 * pages that are swapped and not yet resident (readahead), flags those
 * until their first access (a hit), and keeps the task's recent page
 * deltas in the context.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto/msg.h"
#include "vm/pipeline_parse.h"

#define SIM_PAGES (1u << 18)

struct sim {
	struct rmt_program prog;
	struct rmt_hook_scratch scr;
	u8 resident[SIM_PAGES];
	u8 prefetched[SIM_PAGES];
	u64 vma_start, vma_end; /* pages */
	s64 deltas[RMT_SWAP_HISTORY];
	u32 n_deltas;
	u64 last;
	u32 accesses;
	u32 misses, ra, hits;
	u32 n_wins;
	u64 win_page[8];
	u32 win[8];
};

static struct sim *sim_new(const char *rel)
{
	struct sim *s = calloc(1, sizeof(*s));
	char path[512], err[256] = "";

	cr_assert_not_null(s);
	snprintf(path, sizeof(path), "%s/%s", RMT_SOURCE_DIR, rel);
	cr_assert_eq(rmt_program_load(path, &s->prog, err, sizeof(err)), 0,
		     "%s: %s", rel, err);
	/* One VMA of a whole 2 MiB region, every page of it swapped out. */
	s->vma_start = 0;
	s->vma_end = SIM_PAGES;
	return s;
}

static void sim_free(struct sim *s)
{
	rmt_program_free(&s->prog);
	free(s);
}

/* The window the readahead program stored in its entry's state. */
static u32 sim_state_u32(struct sim *s, u32 off)
{
	struct rmt_table *t = rmt_pipeline_stage(s->prog.pipe, 0, NULL);
	u32 v;

	memcpy(&v, rmt_table_entry_state(t, 0) + off, 4);
	return v;
}

static void sim_access(struct sim *s, u64 p)
{
	struct rmt_ctx_swap_fault c = { 0 };
	struct rmt_decision d;
	u32 i, flags = 0;

	cr_assert_lt(p, SIM_PAGES);
	if (s->resident[p]) {
		if (s->prefetched[p]) {
			s->prefetched[p] = 0;
			s->hits++;
			flags = RMT_FAULT_PREFETCH_HIT;
		}
	} else {
		s->resident[p] = 1;
		s->misses++;
		flags = RMT_FAULT_MAJOR;
	}
	c.addr = p << RMT_PAGE_SHIFT;
	c.vma_start = s->vma_start << RMT_PAGE_SHIFT;
	c.vma_end = s->vma_end << RMT_PAGE_SHIFT;
	c.flags = flags;
	c.pid = c.tgid = 100;
	c.n_deltas = s->n_deltas;
	memcpy(c.deltas, s->deltas, sizeof(c.deltas));
	cr_assert_eq(rmt_pipeline_run(s->prog.pipe, &c, sizeof(c), &s->scr, &d),
		     0, "fault %d at access %u", d.error, s->accesses);
	for (i = 0; i < d.n_pages; i++) {
		u64 q = d.pages[i] >> RMT_PAGE_SHIFT;

		/* Page 0 sits at swap offset 0, the swap header: no data. */
		if (q == 0 || q < s->vma_start || q >= s->vma_end ||
		    s->resident[q])
			continue;
		s->resident[q] = 1;
		s->prefetched[q] = 1;
		s->ra++;
	}
	if (flags == RMT_FAULT_MAJOR && s->n_wins < 8) {
		s->win_page[s->n_wins] = p;
		s->win[s->n_wins++] = sim_state_u32(s, 8);
	}
	if (s->accesses++ && p != s->last) {
		memmove(s->deltas + 1, s->deltas,
			sizeof(s->deltas) - sizeof(s->deltas[0]));
		s->deltas[0] = (s64)(p - s->last);
		if (s->n_deltas < RMT_SWAP_HISTORY)
			s->n_deltas++;
	}
	s->last = p;
}

/* ---- readahead, VMA mode ---- */

static void readahead(const u64 *trace, u32 n, u32 misses, u32 ra, u32 hits,
		      const u32 *wins, u32 n_wins)
{
	struct sim *s = sim_new("programs/readahead.rmt");
	u32 i;

	for (i = 0; i < n; i++)
		sim_access(s, trace[i]);
	cr_assert_eq(s->misses, misses, "misses %u, want %u", s->misses,
		     misses);
	cr_assert_eq(s->ra, ra, "swap_ra %u, want %u", s->ra, ra);
	cr_assert_eq(s->hits, hits, "swap_ra_hit %u, want %u", s->hits, hits);
	for (i = 0; i < n_wins; i++) {
		cr_assert_eq(s->win_page[i], wins[2 * i],
			     "miss %u at page "
			     "%llu, want %u",
			     i, (unsigned long long)s->win_page[i],
			     wins[2 * i]);
		cr_assert_eq(s->win[i], wins[2 * i + 1],
			     "window %u at page "
			     "%u, want %u",
			     s->win[i], wins[2 * i], wins[2 * i + 1]);
	}
	sim_free(s);
}

Test(readahead_vma, sequential)
{
	static const u32 w[] = { 1, 8, 9, 8, 17, 8, 25, 8 };
	u64 t[64];
	u32 i;

	for (i = 0; i < 64; i++)
		t[i] = i + 1;
	readahead(t, 64, 8, 56, 56, w, 4);
}

Test(readahead_vma, stride_3)
{
	static const u32 w[] = { 1, 8, 10, 4, 13, 2, 16, 1, 19, 1 };
	u64 t[64];
	u32 i;

	for (i = 0; i < 64; i++)
		t[i] = 1 + 3 * i;
	readahead(t, 64, 62, 11, 2, w, 5);
}

Test(readahead_vma, reverse)
{
	static const u32 w[] = { 64, 8, 60, 8, 52, 8, 44, 8, 36, 8 };
	u64 t[64];
	u32 i;

	for (i = 0; i < 64; i++)
		t[i] = 64 - i;
	readahead(t, 64, 9, 59, 55, w, 5);
}

/* ---- Leap, paper variant ---- */

static const u64 randoms[15] = { 1, 56,	  12, 100, 124, 15550, 51, 10,
				 7, 4101, 23, 1,   154, 1856,  15 };

struct trace {
	u64 *p;
	u32 n;
};

static void put(struct trace *t, u64 p)
{
	t->p[t->n++] = p;
}

static void run_range(struct trace *t, s64 from, s64 to, s64 step)
{
	s64 v;

	for (v = from; step > 0 ? v <= to : v >= to; v += step)
		put(t, (u64)v);
}

static void leap(struct trace *t, u32 misses)
{
	struct sim *s = sim_new("programs/leap.rmt");
	u32 i;

	for (i = 0; i < t->n; i++)
		sim_access(s, t->p[i]);
	cr_assert_eq(s->misses, misses, "misses %u, want %u", s->misses,
		     misses);
	sim_free(s);
	free(t->p);
}

static struct trace mk(void)
{
	struct trace t = { calloc(1024, sizeof(u64)), 0 };

	return t;
}

Test(leap, sequential)
{
	struct trace t = mk();

	run_range(&t, 1, 100, 1);
	leap(&t, 15);
}

Test(leap, random_reads)
{
	struct trace t = mk();
	u32 i;

	for (i = 0; i < 15; i++)
		put(&t, randoms[i]);
	leap(&t, 14);
}

/* Access i (from 0) reads page i + 1, moved far away when i % 15 == 0. */
Test(leap, sequential_with_far_jumps)
{
	struct trace t = mk();
	u64 i;

	for (i = 0; i < 100; i++)
		put(&t, i + 1 + (i % 15 == 0 ? 116589 : 0));
	leap(&t, 25);
}

Test(leap, stride_2)
{
	struct trace t = mk();

	run_range(&t, 1, 199, 2);
	leap(&t, 15);
}

Test(leap, reverse)
{
	struct trace t = mk();

	run_range(&t, 100, 1, -1);
	leap(&t, 15);
}

Test(leap, reverse_stride_2)
{
	struct trace t = mk();

	run_range(&t, 200, 2, -2);
	leap(&t, 15);
}

Test(leap, phases)
{
	struct trace t = mk();

	run_range(&t, 1, 100, 1);
	run_range(&t, 101, 299, 2);
	run_range(&t, 500, 302, -2);
	run_range(&t, 600, 501, -1);
	leap(&t, 59);
}

Test(leap, phases_with_random_reads)
{
	struct trace t = mk();
	u32 i;

	run_range(&t, 1, 100, 1);
	run_range(&t, 101, 299, 2);
	for (i = 0; i < 15; i++)
		put(&t, randoms[i]);
	run_range(&t, 700, 304, -4);
	run_range(&t, 800, 701, -1);
	leap(&t, 68);
}
