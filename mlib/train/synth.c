// SPDX-License-Identifier: GPL-2.0 OR MIT
/* synth.c - the planted-rule data generator (tests, bench, demos). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "mlib/train/synth.h"

double rmt_synth_uniform(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0;
}

int rmt_synth_planted(struct rmt_dataset *ds, u32 n, u32 f, double noise,
		      u64 seed)
{
	u64 s = seed ? seed : 1;
	u32 i, k;

	memset(ds, 0, sizeof(*ds));
	/* The rule reads x0..x4. */
	if (f < 5)
		return -EINVAL;
	ds->n = n;
	ds->n_features = f;
	ds->n_classes = 3;
	ds->x = malloc((size_t)n * f * sizeof(double));
	ds->y = malloc((size_t)n * sizeof(s32));
	ds->target = malloc((size_t)n * sizeof(double));
	if (!ds->x || !ds->y || !ds->target) {
		rmt_dataset_free(ds);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		double *x = ds->x + (size_t)i * f;

		for (k = 0; k < f; k++)
			x[k] = 2 * rmt_synth_uniform(&s) - 1;
		ds->y[i] = (x[0] * x[1] > 0.1 || x[2] + x[3] * x[3] > 0.9) +
			   (x[4] > 0.6);
		if (rmt_synth_uniform(&s) < noise)
			ds->y[i] = (s32)(rmt_synth_uniform(&s) * 3);
		ds->target[i] = x[0] * x[1] + sin(3 * x[2]);
	}
	return 0;
}
