// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bins.c - the cuts of each feature: exact values when a feature has at
 * most max_bins of them, quantiles of a strided sample otherwise (mlib's
 * cut rule, rmt_train_cuts, so trees look alike).
 */
#include <math.h>
#include <stdlib.h>

#include "mlib/train/cuts.h"
#include "offload/train/bins.h"

#define BINS_SAMPLE 65536u
#define BINS_GROUP 16u /* features sampled together */

/* The largest magnitude of x[0..n), NaNs left out; vectorizes. */
static float max_magnitude(const float *x, size_t n, float max)
{
	float m[4] = { max, max, max, max };
	size_t i, j;

	/* Four running maxima: one would wait on each compare in turn. */
	for (i = 0; i + 4 <= n; i += 4)
		for (j = 0; j < 4; j++) {
			float a = fabsf(x[i + j]);

			m[j] = a > m[j] ? a : m[j];
		}
	for (; i < n; i++) {
		float a = fabsf(x[i]);

		m[0] = a > m[0] ? a : m[0];
	}
	for (j = 1; j < 4; j++)
		m[0] = m[j] > m[0] ? m[j] : m[0];
	return m[0];
}

u32 rmt_bins_frac(const struct rmt_train_data *d)
{
	const float *x = d->x;
	size_t i, n = (size_t)d->n * d->n_features;
	float max = 0;
	u32 frac = 0;

	if (d->type == RMT_FEAT_S32)
		return 0;
	if (d->frac != RMT_TRAIN_FRAC_AUTO)
		return d->frac;
	/*
	 * Up to the first value with a fraction (or a NaN); then only the
	 * largest magnitude matters.  Floats of 2^23 and more are whole;
	 * below, the s32 round trip is exact (floorf would be a libm call a
	 * value without SSE4.1).
	 */
	for (i = 0; i < n; i++) {
		float a = fabsf(x[i]);

		max = a > max ? a : max;
		if (x[i] != x[i] ||
		    (a < 8388608.0f && (float)(s32)x[i] != x[i]))
			break;
	}
	if (i == n)
		return 0;
	max = max_magnitude(x + i + 1, n - i - 1, max);
	while (frac < 16 && ldexp(max, (int)frac + 1) < 1073741824.0)
		frac++;
	return frac;
}

s32 rmt_bins_value(const struct rmt_train_data *d, u32 row, u32 f, u32 frac)
{
	size_t at = (size_t)row * d->n_features + f;

	if (d->type == RMT_FEAT_S32)
		return ((const s32 *)d->x)[at];
	return rmt_train_quantize_input((double)((const float *)d->x)[at],
					frac);
}

int rmt_bins_cuts(const struct rmt_train_data *d, u32 max_bins,
		  struct rmt_bins *out)
{
	u32 n = d->n, F = d->n_features, ns = n < BINS_SAMPLE ? n : BINS_SAMPLE;
	u32 group = F < BINS_GROUP ? F : BINS_GROUP;
	/* [group][ns] sampled values, then ns of scratch for the sort. */
	s32 *sample = malloc(((size_t)group + 1) * ns * sizeof(*sample));
	s32 *scratch = sample + (size_t)group * ns;
	u32 f0, f, i;

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->n_features = F;
	out->max_bins = max_bins;
	out->frac = rmt_bins_frac(d);
	out->n_bins = calloc(F, sizeof(u32));
	out->cuts = calloc((size_t)F * max_bins, sizeof(s32));
	if (!sample || !out->n_bins || !out->cuts) {
		free(sample);
		rmt_bins_free(out);
		return -ENOMEM;
	}
	/*
	 * Sampled row by row, BINS_GROUP features at a time: a row's
	 * features share a cache line or two, where one feature at a time
	 * took a cache miss a value.
	 */
	for (f0 = 0; f0 < F; f0 += group) {
		u32 nf = F - f0 < group ? F - f0 : group;

		for (i = 0; i < ns; i++)
			for (f = 0; f < nf; f++)
				sample[(size_t)f * ns + i] = rmt_bins_value(
					d, (u32)((u64)i * n / ns), f0 + f,
					out->frac);
		for (f = 0; f < nf; f++)
			out->n_bins[f0 + f] = rmt_train_cuts(
				sample + (size_t)f * ns, scratch, ns, max_bins,
				out->cuts + (size_t)(f0 + f) * max_bins);
	}
	free(sample);
	return 0;
}

void rmt_bins_free(struct rmt_bins *b)
{
	free(b->n_bins);
	free(b->cuts);
	memset(b, 0, sizeof(*b));
}
