/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gen.h - fixed-seed synthetic data for the mlib tests and bench-mlib: a
 * planted non-linear rule over a few features plus label noise.
 */
#ifndef RMT_TESTS_MLIB_GEN_H
#define RMT_TESTS_MLIB_GEN_H

#include "mlib/train/dataset.h"

/*
 * n rows of f >= 5 uniform features in [-1, 1): class 1 when
 * x0 * x1 > 0.1 or x2 + x3^2 > 0.9, plus 1 when x4 > 0.6 (three classes);
 * noise: that share of labels redrawn at random.  target (regression)
 * is x0 * x1 + sin(3 * x2).  Returns 0 or -ENOMEM.
 */
int rmt_gen_planted(struct rmt_dataset *ds, u32 n, u32 f, double noise,
		    u64 seed);

/* Uniform in [0, 1) from a xorshift state. */
double rmt_gen_uniform(u64 *state);

#endif /* RMT_TESTS_MLIB_GEN_H */
