// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_stream.c - vm/stream.c: faults split into streams by region and
 * distance, a long stride stays one stream, the least recently used
 * stream is replaced, the s_* context fields (deltas, repeat and mode
 * counts, region size), the accuracy counters fed back by
 * rmt_stream_update(), a lookahead forgotten on a miss, and when a stream
 * (or a sweep) coasts without a decision.
 */
#include <criterion/criterion.h>

#include "proto/msg.h"
#include "vm/stream.h"

#define REGION 0x10000000ull
#define PAGES 4096ull

static struct rmt_ctx_swap_fault fault(struct rmt_streams *st, u64 page,
				       u64 region, u32 flags)
{
	struct rmt_ctx_swap_fault c = { 0 };

	c.addr = region + (page << RMT_PAGE_SHIFT);
	c.vma_start = region;
	c.vma_end = region + (PAGES << RMT_PAGE_SHIFT);
	c.flags = flags;
	rmt_stream_fill(st, &c);
	return c;
}

Test(stream, interleaved_sequential_streams_stay_apart)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault a, b;
	u64 i;

	rmt_streams_init(&st);
	a = fault(&st, 10, REGION, RMT_FAULT_MAJOR);
	b = fault(&st, 2000, REGION, RMT_FAULT_MAJOR);
	cr_assert(a.s_new && b.s_new);
	cr_assert_neq(a.s_id, b.s_id);
	for (i = 1; i <= 9; i++) {
		a = fault(&st, 10 + i, REGION, RMT_FAULT_MAJOR);
		b = fault(&st, 2000 - 2 * i, REGION, RMT_FAULT_MAJOR);
		cr_assert(!a.s_new && !b.s_new);
	}
	cr_assert_eq(a.s_n, RMT_STREAM_HISTORY);
	cr_assert_eq(a.s_deltas[0], 1);
	cr_assert_eq(a.s_deltas[7], 1);
	cr_assert_eq(a.s_repeat, 7);
	cr_assert_eq(a.s_mode, 1);
	cr_assert_eq(a.s_mode_count, 8);
	cr_assert_eq(b.s_deltas[0], -2);
	cr_assert_eq(b.s_d0_count, 8);
	cr_assert_eq(a.s_region_log2, 12);
	/* Same distance, another region: a stream of its own. */
	a = fault(&st, 20, REGION + (PAGES << RMT_PAGE_SHIFT), 0);
	cr_assert(a.s_new);
}

Test(stream, long_stride_is_one_stream)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 i;

	rmt_streams_init(&st);
	fault(&st, 0, REGION, 0);
	c = fault(&st, 50, REGION, 0); /* near: joins, delta 50 */
	cr_assert(!c.s_new);
	for (i = 2; i < 6; i++) {
		c = fault(&st, 50 * i, REGION, 0);
		cr_assert(!c.s_new, "stride continuation at %llu",
			  (unsigned long long)i);
	}
	/* 500 pages away and not on the stride: a new stream. */
	c = fault(&st, 800, REGION, 0);
	cr_assert(c.s_new);
}

Test(stream, repeat_and_mode_counts)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	static const u64 pages[] = { 100, 101, 103, 104, 106, 107, 108 };
	u32 i;

	rmt_streams_init(&st);
	for (i = 0; i < RMT_ARRAY_SIZE(pages); i++)
		c = fault(&st, pages[i], REGION, 0);
	/* deltas newest first: 1 1 2 1 2 1 */
	cr_assert_eq(c.s_n, 6);
	cr_assert_eq(c.s_deltas[0], 1);
	cr_assert_eq(c.s_deltas[2], 2);
	cr_assert_eq(c.s_deltas[6], 0, "past s_n is zero");
	cr_assert_eq(c.s_repeat, 1);
	cr_assert_eq(c.s_mode, 1);
	cr_assert_eq(c.s_mode_count, 4);
	cr_assert_eq(c.s_d0_count, 4);
	/* A fault on the stream's last page adds no delta. */
	c = fault(&st, 108, REGION, 0);
	cr_assert_eq(c.s_n, 6);
	cr_assert(!c.s_new);
}

Test(stream, least_recently_used_is_replaced)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c, first;
	u32 i, gen;

	rmt_streams_init(&st);
	first = fault(&st, 0, REGION, 0);
	gen = rmt_stream_gen(&st, first.s_id);
	for (i = 1; i < RMT_STREAM_SLOTS; i++) {
		c = fault(&st, 1000ull * i, REGION, 0);
		cr_assert(c.s_new);
		cr_assert_neq(c.s_id, first.s_id);
	}
	/* Touch the first stream: the second becomes the oldest. */
	fault(&st, 1, REGION, 0);
	c = fault(&st, 99999, REGION, 0);
	cr_assert(c.s_new);
	cr_assert_neq(c.s_id, first.s_id);
	cr_assert_eq(rmt_stream_gen(&st, first.s_id), gen);
	c = fault(&st, 99999 + 20000, REGION, 0);
	cr_assert_eq(rmt_stream_gen(&st, c.s_id), 2, "slot reused");
}

Test(stream, predictions_and_lookahead_are_checked)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 meta[RMT_META_WORDS] = { 0 };
	u32 i;

	rmt_streams_init(&st);
	c = fault(&st, 10, REGION, RMT_FAULT_MAJOR);
	for (i = 1; i <= 4; i++) {
		meta[RMT_STREAM_META_STEP] = 1;
		meta[RMT_STREAM_META_AHEAD] = c.addr + (8ull << RMT_PAGE_SHIFT);
		rmt_stream_update(&st, &c, meta, 8);
		c = fault(&st, 10 + i, REGION, RMT_FAULT_PREFETCH_HIT);
	}
	cr_assert_eq(c.s_right, 4);
	cr_assert_eq(c.s_wrong, 0);
	cr_assert_eq(c.s_run, 4);
	cr_assert_eq(c.s_hits, 4);
	cr_assert_eq(c.s_issued, 32);
	cr_assert_eq(c.s_step, 1);
	cr_assert_eq(c.s_ahead, REGION + (21ull << RMT_PAGE_SHIFT));
	/* A wrong guess breaks the run. */
	meta[RMT_STREAM_META_STEP] = 5;
	meta[RMT_STREAM_META_AHEAD] = 0;
	rmt_stream_update(&st, &c, meta, 0);
	c = fault(&st, 15, REGION, RMT_FAULT_MAJOR);
	cr_assert_eq(c.s_wrong, 1);
	cr_assert_eq(c.s_run, 0);
	cr_assert_eq(c.s_ahead, 0);
	cr_assert_eq(c.s_step, 0);
	/* Counters decay instead of growing without bound. */
	for (i = 0; i < 100; i++) {
		meta[RMT_STREAM_META_STEP] = 1;
		rmt_stream_update(&st, &c, meta, 32);
		c = fault(&st, 16 + i, REGION, 0);
	}
	cr_assert_lt(c.s_right + c.s_wrong, RMT_STREAM_CHECK_WINDOW);
	cr_assert_lt(c.s_issued, RMT_STREAM_ISSUED_WINDOW);
}

/*
 * "Nothing near comes next" (RMT_STREAM_META_DENY): refuted when the
 * stream repeats the denied delta, counted in a row, apart from the
 * step predictions' right and wrong.
 */
Test(stream, claims_are_counted_refuted_in_a_row)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 meta[RMT_META_WORDS] = { 0 };
	u32 i;

	rmt_streams_init(&st);
	c = fault(&st, 10, REGION, RMT_FAULT_MAJOR);
	c = fault(&st, 11, REGION, RMT_FAULT_MAJOR);
	for (i = 1; i <= 3; i++) {
		meta[RMT_STREAM_META_DENY] = 1;
		rmt_stream_update(&st, &c, meta, 0);
		c = fault(&st, 11 + i, REGION, RMT_FAULT_MAJOR);
		cr_assert_eq(c.s_refuted, i, "claim %u", i);
	}
	cr_assert_eq(c.s_right + c.s_wrong, 0, "claims are not steps");
	/* A claim that holds ends the count. */
	rmt_stream_update(&st, &c, meta, 0);
	c = fault(&st, 20, REGION, RMT_FAULT_MAJOR);
	cr_assert_eq(c.s_refuted, 0);
	/* A fault without a claim ends the row too; a step is no claim. */
	rmt_stream_update(&st, &c, meta, 0);
	c = fault(&st, 21, REGION, RMT_FAULT_MAJOR);
	cr_assert_eq(c.s_refuted, 1);
	meta[RMT_STREAM_META_DENY] = 0;
	rmt_stream_update(&st, &c, meta, 0);
	c = fault(&st, 28, REGION, RMT_FAULT_MAJOR);
	cr_assert_eq(c.s_refuted, 0);
	meta[RMT_STREAM_META_STEP] = 8;
	meta[RMT_STREAM_META_DENY] = 8;
	rmt_stream_update(&st, &c, meta, 0);
	c = fault(&st, 36, REGION, RMT_FAULT_MAJOR);
	cr_assert_eq(c.s_refuted, 0);
	cr_assert_eq(c.s_right, 1);
}

/*
 * A stream that pauses while others fault may find the pages it asked
 * for evicted unused: a miss inside its lookahead.  It must not go on
 * asking only past the old lookahead (every page up to it would miss).
 */
Test(stream, a_miss_forgets_the_lookahead)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 meta[RMT_META_WORDS] = { 0 };

	rmt_streams_init(&st);
	c = fault(&st, 100, REGION, RMT_FAULT_MAJOR);
	meta[RMT_STREAM_META_STEP] = 2;
	meta[RMT_STREAM_META_AHEAD] = c.addr + (64ull << RMT_PAGE_SHIFT);
	rmt_stream_update(&st, &c, meta, 32);
	c = fault(&st, 102, REGION, RMT_FAULT_PREFETCH_HIT);
	cr_assert_eq(c.s_ahead, REGION + (164ull << RMT_PAGE_SHIFT));
	cr_assert_eq(c.s_step, 2);
	meta[RMT_STREAM_META_AHEAD] = c.addr + (64ull << RMT_PAGE_SHIFT);
	rmt_stream_update(&st, &c, meta, 1);
	c = fault(&st, 104, REGION, RMT_FAULT_MAJOR);
	cr_assert_eq(c.s_ahead, 0, "a miss at page 104 of a lookahead to 166");
	cr_assert_eq(c.s_right, 2, "the prediction itself was right");
}

/*
 * Decides for the fault in c as learned.rmt would with a lookahead of
 * depth: step -2 pages, asked for up to depth steps ahead.
 */
static void decide(struct rmt_streams *st, const struct rmt_ctx_swap_fault *c,
		   u64 depth)
{
	u64 meta[RMT_META_WORDS] = { 0 };

	meta[RMT_STREAM_META_STEP] = (u64)-2;
	meta[RMT_STREAM_META_AHEAD] = c->addr - ((2 * depth) << RMT_PAGE_SHIFT);
	rmt_stream_update(st, c, meta, 1);
}

Test(stream, coasts_only_on_deep_right_hits)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 pg = 3000;
	u32 i;

	rmt_streams_init(&st);
	c = fault(&st, pg, REGION, RMT_FAULT_MAJOR);
	/* Right predictions, but fewer in a row than it takes. */
	for (i = 1; i < RMT_STREAM_COAST_RUN; i++) {
		decide(&st, &c, 32);
		pg -= 2;
		c = fault(&st, pg, REGION, RMT_FAULT_PREFETCH_HIT);
		cr_assert_not(rmt_stream_coast(&st, &c), "after %u", i);
	}
	decide(&st, &c, 32);
	pg -= 2;
	c = fault(&st, pg, REGION, RMT_FAULT_PREFETCH_HIT);
	cr_assert_eq(c.s_run, RMT_STREAM_COAST_RUN);
	/* 31 steps ahead: no decision, and the step is expected again. */
	cr_assert(rmt_stream_coast(&st, &c));
	for (i = 0; i < 32 - RMT_STREAM_COAST_AHEAD - 1; i++) {
		pg -= 2;
		c = fault(&st, pg, REGION, RMT_FAULT_PREFETCH_HIT);
		cr_assert(rmt_stream_coast(&st, &c), "%u steps in", i + 2);
	}
	cr_assert_eq(c.s_run,
		     RMT_STREAM_COAST_RUN + 32 - RMT_STREAM_COAST_AHEAD - 1);
	cr_assert_eq(c.s_wrong, 0);
	/* Down to fewer steps ahead than it takes: a decision again. */
	pg -= 2;
	c = fault(&st, pg, REGION, RMT_FAULT_PREFETCH_HIT);
	cr_assert_not(rmt_stream_coast(&st, &c));
	/* A miss is always decided; so is a fault off the progression. */
	decide(&st, &c, 32);
	pg -= 2;
	c = fault(&st, pg, REGION, RMT_FAULT_MAJOR);
	cr_assert_not(rmt_stream_coast(&st, &c));
	decide(&st, &c, 32);
	c = fault(&st, pg + 1, REGION, RMT_FAULT_PREFETCH_HIT);
	cr_assert_eq(c.s_run, 0);
	cr_assert_not(rmt_stream_coast(&st, &c));
}

/*
 * A stencil's rows (+4, -2, +1), going dir, decided as learned.rmt's
 * sweep does: no step, pages asked up to 16 past the furthest one, each
 * decision counting asked pages (more when wasteful).  Returns how many
 * hits coasted; every coasting hit had 8 pages or more asked ahead of it.
 */
static u32 sweep_coasts(int dir, u32 waste)
{
	static const u32 at[3] = { 4, 2, 3 };
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 meta[RMT_META_WORDS] = { 0 };
	s64 front = 0, ahead = 0, pg, far;
	u32 i, coasted = 0;

	rmt_streams_init(&st);
	for (i = 0; i < 300; i++) {
		pg = 2000 + dir * (s64)(3 * (i / 3) + at[i % 3]);
		c = fault(&st, (u64)pg, REGION,
			  i ? RMT_FAULT_PREFETCH_HIT : RMT_FAULT_MAJOR);
		front = i && (pg - front) * dir < 0 ? front : pg;
		if (rmt_stream_coast(&st, &c)) {
			coasted++;
			cr_assert_geq((ahead - pg) * dir,
				      RMT_STREAM_SWEEP_AHEAD,
				      "fault %u coasts with %lld pages ahead",
				      i, (long long)(ahead - pg));
			continue;
		}
		far = front + 16 * dir;
		meta[RMT_STREAM_META_AHEAD] =
			REGION + ((u64)far << RMT_PAGE_SHIFT);
		rmt_stream_update(&st, &c, meta,
				  (u32)((far - (ahead ? ahead : front)) * dir) +
					  waste);
		ahead = far;
	}
	return coasted;
}

Test(stream, a_sweep_coasts_while_its_pages_hit)
{
	cr_assert_gt(sweep_coasts(1, 0), 200);
	cr_assert_gt(sweep_coasts(-1, 0), 200);
	/* Asking for pages that do not hit: a decision every time. */
	cr_assert_eq(sweep_coasts(1, 8), 0);
}

/* A program that reports no lookahead (readahead.rmt) never coasts. */
Test(stream, no_lookahead_no_coasting)
{
	struct rmt_streams st;
	struct rmt_ctx_swap_fault c;
	u64 meta[RMT_META_WORDS] = { 0 };
	u32 i;

	rmt_streams_init(&st);
	c = fault(&st, 100, REGION, RMT_FAULT_MAJOR);
	for (i = 1; i <= 40; i++) {
		meta[RMT_STREAM_META_STEP] = 1;
		rmt_stream_update(&st, &c, meta, 0);
		c = fault(&st, 100 + i, REGION, RMT_FAULT_PREFETCH_HIT);
		cr_assert_not(rmt_stream_coast(&st, &c));
	}
}
