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
