// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_cuts.c - a feature's cut points (rmt_train_cuts): the values come
 * back sorted for every spread of values (one byte, several, negative,
 * the extremes), and the cuts are the distinct values or their
 * quantiles, as a reference computed with qsort says; a value's bin is
 * the first cut at or above it, for every number of cuts.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "mlib/train/cuts.h"

static u64 rng = 88172645463325252ull;

static u32 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)(rng >> 32);
}

static int cmp_s32(const void *a, const void *b)
{
	s32 x = *(const s32 *)a, y = *(const s32 *)b;

	return (x > y) - (x < y);
}

/*
 * The rule as docs/mlib.md states it: the distinct values in order; each
 * of them but the last when there are at most max_bins, else the value
 * at each k/max_bins quantile of them (k = 1 .. max_bins - 1), once.
 */
static u32 reference_cuts(s32 *v, u32 n, u32 max_bins, s32 *cuts)
{
	s32 *distinct = malloc((size_t)n * sizeof(*distinct) + 1);
	u32 i, n_distinct = 0, n_cuts = 0, k;

	cr_assert(distinct);
	qsort(v, n, sizeof(*v), cmp_s32);
	for (i = 0; i < n; i++)
		if (n_distinct == 0 || distinct[n_distinct - 1] != v[i])
			distinct[n_distinct++] = v[i];
	for (k = 1; k < max_bins && n_distinct; k++) {
		u64 at = n_distinct <= max_bins ?
				 k - 1 :
				 (u64)k * n_distinct / max_bins - 1;

		if (at + 1 >= n_distinct && n_distinct <= max_bins)
			break;
		cuts[n_cuts++] = distinct[at];
	}
	free(distinct);
	return n_cuts + 1;
}

/* Values drawn as base + (random & mask), some replaced by extremes. */
static void check(u32 n, s32 base, u32 mask, bool extremes, u32 max_bins)
{
	s32 *v = malloc(2 * (size_t)n * sizeof(*v) + 1);
	s32 *ref = malloc((size_t)n * sizeof(*ref) + 1);
	s32 *sorted = malloc((size_t)n * sizeof(*sorted) + 1);
	s32 cuts[256], ref_cuts[256];
	u32 i, u, nb, ref_nb;

	cr_assert(v && ref && sorted && max_bins <= 256);
	for (i = 0; i < n; i++) {
		v[i] = (s32)((u32)base + (next() & mask));
		if (extremes && next() % 7 == 0)
			v[i] = next() & 1 ? INT32_MIN : INT32_MAX;
		ref[i] = v[i];
	}
	memcpy(sorted, v, (size_t)n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_s32);
	nb = rmt_train_cuts(v, v + n, n, max_bins, cuts);
	ref_nb = reference_cuts(ref, n, max_bins, ref_cuts);
	cr_assert_eq(nb, ref_nb,
		     "%u rows from %d + (r & %#x): %u bins, want %u", n, base,
		     mask, nb, ref_nb);
	cr_assert(nb >= 1 && nb <= max_bins);
	for (i = 0; i + 1 < nb; i++) {
		cr_assert_eq(cuts[i], ref_cuts[i], "cut %u: %d, want %d", i,
			     cuts[i], ref_cuts[i]);
		cr_assert(!i || cuts[i] > cuts[i - 1]);
	}
	/* The sort itself: the distinct values are at the front, in order. */
	for (i = 0, u = 0; i < n; i++)
		if (!i || sorted[i] != sorted[i - 1])
			cr_assert_eq(v[u++], sorted[i], "value %u", u);
	free(v);
	free(ref);
	free(sorted);
}

Test(cuts, one_byte_of_spread)
{
	check(5000, 100, 0x3f, false, 256);
	check(5000, -20, 0x3f, false, 32);
}

Test(cuts, values_across_every_byte_and_the_sign)
{
	check(65536, 0, 0xffffffffu, false, 256);
	check(65536, -(1 << 20), 0x1fffff, false, 64);
	check(10000, 0, 0xffffffffu, true, 256);
}

Test(cuts, all_equal_is_one_bin)
{
	s32 v[2 * 100], cuts[4];
	u32 i;

	for (i = 0; i < 100; i++)
		v[i] = -7;
	cr_assert_eq(rmt_train_cuts(v, v + 100, 100, 4, cuts), 1);
	cr_assert_eq(v[0], -7);
}

Test(cuts, few_distinct_values_cut_at_each)
{
	s32 v[2 * 8] = { 3, -1, 3, 9, -1, 3, 9, 3 }, cuts[16];

	cr_assert_eq(rmt_train_cuts(v, v + 8, 8, 16, cuts), 3);
	cr_assert_eq(cuts[0], -1);
	cr_assert_eq(cuts[1], 3);
}

Test(cuts, no_values)
{
	s32 v[1], cuts[4];

	cr_assert_eq(rmt_train_cuts(v, v, 0, 4, cuts), 1);
}

Test(cuts, a_value_falls_in_the_first_bin_whose_cut_is_not_below_it)
{
	s32 cuts[40];
	u32 nc, i, k, want;

	for (nc = 0; nc < 40; nc++) {
		for (i = 0; i < nc; i++)
			cuts[i] = (s32)(i * 10) - 100;
		for (k = 0; k < 1000; k++) {
			s32 v = (s32)(next() % 600) - 300;

			if (k < 3)
				v = k == 0 ? INT32_MIN :
				    k == 1 ? INT32_MAX :
					     -100;
			for (want = 0; want < nc && cuts[want] < v; want++)
				;
			cr_assert_eq(rmt_train_find_bin(cuts, nc, v), want,
				     "%u cuts, value %d", nc, v);
		}
	}
}
