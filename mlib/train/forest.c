// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * forest.c - bagging (Breiman 2001): each tree trains on a bootstrap
 * sample with a random subset of sqrt(F) features per split; the integer
 * forest votes (classes) or averages (regression).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlib/train/cart.h"

int rmt_forest_train(const struct rmt_dataset *ds, u32 n_trees,
		     const struct rmt_cart_params *p, u32 frac,
		     struct rmt_cart *trees, char *err, size_t err_size)
{
	struct rmt_cart_params tp = *p;
	u64 rng = p->seed ? p->seed : 1;
	u32 *idx, t, i;
	int rc = 0;

	if (!n_trees || n_trees > RMT_FOREST_MAX_TREES || !ds->n) {
		snprintf(err, err_size, "a forest has 1 to %u trees",
			 RMT_FOREST_MAX_TREES);
		return -EINVAL;
	}
	idx = malloc((size_t)ds->n * sizeof(*idx));
	if (!idx) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (!tp.max_features)
		tp.max_features = (u32)ceil(sqrt((double)ds->n_features));
	for (t = 0; t < n_trees && !rc; t++) {
		for (i = 0; i < ds->n; i++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			idx[i] = (u32)(rng % ds->n);
		}
		tp.seed = rng;
		rc = rmt_cart_train(ds, idx, ds->n, &tp, frac, &trees[t], err,
				    err_size);
	}
	free(idx);
	if (rc)
		while (t-- > 0)
			rmt_cart_free(&trees[t]);
	return rc;
}
