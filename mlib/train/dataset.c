// SPDX-License-Identifier: GPL-2.0 OR MIT
/* dataset.c - feature quantization shared by every trainer and tool. */
#include <math.h>
#include <stdlib.h>

#include "mlib/train/dataset.h"

void rmt_dataset_free(struct rmt_dataset *ds)
{
	free(ds->x);
	free(ds->y);
	free(ds->target);
	memset(ds, 0, sizeof(*ds));
}

s32 rmt_train_quantize_input(double x, u32 frac)
{
	/* Scaling by a power of two is exact, as ldexp would be. */
	double v = x * (frac < 63 ? (double)((u64)1 << frac) :
				    ldexp(1.0, (int)frac));
	s64 q;

	if (v != v)
		return 0;
	if (v >= 2147483647.0)
		return INT32_MAX;
	if (v <= -2147483648.0)
		return INT32_MIN;
	/* floor, then v - floor(v) is exact, so halves round up exactly. */
	q = (s64)v;
	q -= (double)q > v;
	q += v - (double)q >= 0.5;
	return q > INT32_MAX ? INT32_MAX : (s32)q;
}

u32 rmt_train_pick_frac(const struct rmt_dataset *ds)
{
	size_t i, n = (size_t)ds->n * ds->n_features;
	double max = 0;
	bool integral = true;
	u32 frac = 0;

	for (i = 0; i < n; i++) {
		double a = fabs(ds->x[i]);

		if (a > max)
			max = a;
		if (ds->x[i] != floor(ds->x[i]))
			integral = false;
	}
	if (integral)
		return 0;
	while (frac < 16 && ldexp(max, (int)frac + 1) < 1073741824.0)
		frac++;
	return frac;
}

void rmt_train_quantize_row(const struct rmt_dataset *ds, u32 i, u32 frac,
			    s32 *out)
{
	u32 f;

	for (f = 0; f < ds->n_features; f++)
		out[f] = rmt_train_quantize_input(
			ds->x[(size_t)i * ds->n_features + f], frac);
}
