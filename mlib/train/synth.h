/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * synth.h - fixed-seed synthetic data for mlib's tests, bench-mlib and
 * demonstrations: a planted non-linear rule plus label noise.
 */
#ifndef RMT_MLIB_TRAIN_SYNTH_H
#define RMT_MLIB_TRAIN_SYNTH_H

#include "mlib/train/dataset.h"

/*
 * n rows of f >= 5 uniform features in [-1, 1): class 1 when
 * x0 * x1 > 0.1 or x2 + x3^2 > 0.9, plus 1 when x4 > 0.6 (three classes);
 * noise: that share of labels redrawn at random.  target (regression)
 * is x0 * x1 + sin(3 * x2).  Returns 0, -EINVAL (f < 5) or -ENOMEM.
 */
int rmt_synth_planted(struct rmt_dataset *ds, u32 n, u32 f, double noise,
		      u64 seed);

/* Uniform in [0, 1) from a xorshift state. */
double rmt_synth_uniform(u64 *state);

#endif /* RMT_MLIB_TRAIN_SYNTH_H */
