/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * offload_util.h - data sets and comparisons for the backend tests: the
 * planted-rule data of mlib as float rows, and tree equality.
 */
#ifndef RMT_TESTS_OFFLOAD_UTIL_H
#define RMT_TESTS_OFFLOAD_UTIL_H

#include "offload/train/job.h"

struct tdata {
	struct rmt_dataset ds; /* double features, for mlib */
	float *xf;
	s32 *xi; /* features * 1000, rounded */
};

int tdata_make(struct tdata *t, u32 n, u32 f, u64 seed);
void tdata_free(struct tdata *t);
void tdata_job(const struct tdata *t, enum rmt_train_algo algo, bool ints,
	       struct rmt_train_job *job);

/* 0 when the trees have the same nodes; else which node differs. */
int tree_diff(const struct rmt_cart *a, const struct rmt_cart *b, char *why,
	      size_t why_size);
/* Largest |a - b| over all weights and biases. */
double mlp_max_diff(const struct rmt_fmlp *a, const struct rmt_fmlp *b);
/*
 * 0 when each leaf's class and share are those of the rows (integer
 * features) that its thresholds send there; else which leaf is wrong.
 */
int tree_check_leaves(const struct rmt_cart *tree, const struct tdata *t,
		      char *why, size_t why_size);
/* Share of rows of t the tree classifies as labelled. */
double tree_accuracy(const struct rmt_cart *tree, const struct tdata *t);

#endif /* RMT_TESTS_OFFLOAD_UTIL_H */
