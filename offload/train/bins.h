/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bins.h - the cuts that bin a job's features (quantized into the model's
 * fixed point), chosen once on the host so that every engine bins alike;
 * the engines assign the bins themselves (rmt_train_find_bin).
 */
#ifndef RMT_OFFLOAD_TRAIN_BINS_H
#define RMT_OFFLOAD_TRAIN_BINS_H

#include "offload/train/job.h"

struct rmt_bins {
	u32 n, n_features, max_bins;
	u32 frac;
	u32 *n_bins; /* per feature */
	s32 *cuts; /* [feature][max_bins]: bin b holds values <= cuts[b] */
};

/* The fractional bits job->data asks for, or picked from the data. */
u32 rmt_bins_frac(const struct rmt_train_data *d);
/* One feature value in the model's fixed point. */
s32 rmt_bins_value(const struct rmt_train_data *d, u32 row, u32 f, u32 frac);

int rmt_bins_cuts(const struct rmt_train_data *d, u32 max_bins,
		  struct rmt_bins *out);
void rmt_bins_free(struct rmt_bins *b);

#endif /* RMT_OFFLOAD_TRAIN_BINS_H */
