// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_split.c - what every engine computes alike: quantizing (as mlib
 * does), bin lookup, and the split scan on small histograms.
 */
#include <criterion/criterion.h>

#include "offload/train/split.h"

Test(split, gini_gain_and_first_of_ties)
{
	/* Classes (a, b) per bin: (3,0) (0,3) (3,0) (0,3). */
	static const u32 h[] = { 3, 0, 0, 3, 3, 0, 0, 3 };
	struct rmt_hc_best b;

	rmt_hc_scan(h, 4, 2, 1, &b);
	cr_assert(b.ok);
	/* After bin 0: 9/3 + 45/9 - 72/12 = 2; after bin 2 the same. */
	cr_assert_eq(b.gain, 2.0);
	cr_assert_eq(b.bin, 0);
}

Test(split, min_leaf_and_empty_bins)
{
	static const u32 h[] = { 3, 0, 0, 3, 3, 0, 0, 3 };
	static const u32 e[] = { 0, 0, 4, 0, 0, 0, 0, 4 };
	struct rmt_hc_best b;

	rmt_hc_scan(h, 4, 2, 4, &b);
	cr_assert(b.ok);
	cr_assert_eq(b.bin, 1);
	cr_assert_eq(b.gain, 0.0);
	rmt_hc_scan(h, 4, 2, 7, &b);
	cr_assert_not(b.ok);
	/* Empty bins are no candidates: the split is after bin 1. */
	rmt_hc_scan(e, 4, 2, 1, &b);
	cr_assert(b.ok);
	cr_assert_eq(b.bin, 1);
	cr_assert_eq(b.gain, 4.0);
}

Test(split, nothing_to_split)
{
	static const u32 one[] = { 5, 2 };
	static const u32 pure[] = { 2, 0, 0, 3, 0, 0 };
	struct rmt_hc_best b;

	rmt_hc_scan(one, 1, 2, 1, &b);
	cr_assert_not(b.ok);
	rmt_hc_scan(pure, 2, 3, 1, &b);
	cr_assert(b.ok);
	cr_assert_eq(b.gain, 0.0);
}

Test(split, find_bin)
{
	static const s32 cuts[] = { -5, 0, 7 };

	cr_assert_eq(rmt_train_find_bin(cuts, 3, -100), 0);
	cr_assert_eq(rmt_train_find_bin(cuts, 3, -5), 0);
	cr_assert_eq(rmt_train_find_bin(cuts, 3, -4), 1);
	cr_assert_eq(rmt_train_find_bin(cuts, 3, 7), 2);
	cr_assert_eq(rmt_train_find_bin(cuts, 3, 8), 3);
	cr_assert_eq(rmt_train_find_bin(cuts, 0, 8), 0);
}
