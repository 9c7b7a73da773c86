// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_split.c - what every engine computes alike: quantizing (as mlib
 * does), the fixed point picked for float features, each feature's cuts
 * (sampled a group of features at a time), bin lookup, and the split
 * scan on small histograms.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "offload/train/bins.h"
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

static u32 frac_of(const float *x, u32 n)
{
	struct rmt_train_data d = { .n = n,
				    .n_features = 1,
				    .type = RMT_FEAT_F32,
				    .x = x,
				    .frac = RMT_TRAIN_FRAC_AUTO };

	return rmt_bins_frac(&d);
}

/* Whole floats keep integers; any fraction takes bits up to 2^30. */
Test(split, fixed_point_of_float_features)
{
	const float whole[] = { -3, 0, 8388607, 8388608, 1e30f, -1e30f };
	const float half[] = { 1, 2, -2.5f };
	const float tiny[] = { 0.25f, 0.5f };
	const float huge_and_half[] = { 16777216.0f, 0.5f };
	const float nan[] = { 1, NAN };

	cr_assert_eq(frac_of(whole, 6), 0);
	/* max 2.5: 2.5 * 2^f < 2^30 up to f = 28, capped at 16. */
	cr_assert_eq(frac_of(half, 3), 16);
	cr_assert_eq(frac_of(tiny, 2), 16);
	/* 2^24 * 2^6 = 2^30 is not below 2^30: five bits. */
	cr_assert_eq(frac_of(huge_and_half, 2), 5);
	cr_assert_eq(frac_of(nan, 2), 16);
	cr_assert_eq(frac_of(whole + 1, 1), 0);
}

/*
 * After the first fraction only the largest magnitude counts: found
 * wherever it lies (the four running maxima, the tail), NaNs left out.
 */
Test(split, fixed_point_follows_the_largest_value_after_a_fraction)
{
	float x[23];
	u32 i, at;

	/* 2^20 + 1/2 leaves 9 bits below 2^30. */
	for (at = 1; at < 23; at++) {
		for (i = 0; i < 23; i++)
			x[i] = i == 0 ? 0.5f : i % 5 == 0 ? NAN : (float)i;
		x[at] = -1048576.5f;
		cr_assert_eq(frac_of(x, 23), 9, "largest at %u", at);
	}
}

/* 37 features: two whole groups of 16 and a partial one; 70,001 rows. */
Test(split, cuts_of_every_feature_from_its_own_sample)
{
	const u32 n = 70001, F = 37, B = 64, ns = 65536;
	s32 *x = malloc((size_t)n * F * sizeof(*x));
	s32 *v = malloc(2 * (size_t)ns * sizeof(*v)), cuts[64];
	struct rmt_train_data d = {
		.n = n, .n_features = F, .type = RMT_FEAT_S32, .x = x
	};
	struct rmt_bins b;
	u32 f, i, nb;

	cr_assert(x && v);
	for (i = 0; i < n * F; i++)
		x[i] = (s32)((i * 2654435761u) % (1000 + (i % F) * 37)) -
		       (s32)(i % F) * 100;
	cr_assert_eq(rmt_bins_cuts(&d, B, &b), 0);
	for (f = 0; f < F; f++) {
		for (i = 0; i < ns; i++)
			v[i] = x[(size_t)((u64)i * n / ns) * F + f];
		nb = rmt_train_cuts(v, v + ns, ns, B, cuts);
		cr_assert_eq(b.n_bins[f], nb, "feature %u", f);
		cr_assert(!memcmp(b.cuts + (size_t)f * B, cuts,
				  (nb - 1) * sizeof(*cuts)),
			  "feature %u", f);
	}
	rmt_bins_free(&b);
	free(x);
	free(v);
}
