/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cart.h - CART decision trees in user space: histogram-based training
 * (features quantized into at most 256 bins once, per-node histograms with
 * the sibling-subtraction trick), the float reference predictor, pruning,
 * bagged forests, and conversion into integer models.
 *
 * Trees split on the s32 fixed-point features integer inference sees, so
 * the float reference (x * 2^frac < threshold + 1/2) and the integer walk
 * (round(x * 2^frac) <= threshold) agree on every input.
 */
#ifndef RMT_MLIB_TRAIN_CART_H
#define RMT_MLIB_TRAIN_CART_H

#include "mlib/model.h"
#include "mlib/train/dataset.h"

enum rmt_cart_criterion {
	RMT_CART_GINI,
	RMT_CART_ENTROPY,
	RMT_CART_MSE, /* regression on ds->target */
};

struct rmt_cart_params {
	enum rmt_cart_criterion criterion;
	u32 max_depth; /* default 8 */
	u32 min_samples_leaf; /* default 1 */
	u32 max_bins; /* 2..256, default 256 */
	u32 max_features; /* per split; 0: all (forests use fewer) */
	const double *class_weight; /* n_classes entries, or NULL */
	u64 seed; /* feature order and sampling */
};

struct rmt_cart_node {
	s32 feature; /* -1: leaf */
	s32 threshold; /* left when the quantized feature <= threshold */
	u32 left;
	u32 right;
	s32 cls; /* majority class (or 0 for regression) */
	double value; /* regression mean */
	double conf; /* share of the majority class */
	double gain; /* impurity decrease of the split, for pruning */
	u32 depth;
};

struct rmt_cart {
	u32 n_nodes;
	u32 depth;
	u32 n_features;
	u32 n_classes; /* 0: regression */
	u32 frac; /* fractional bits of the features */
	struct rmt_cart_node *nodes;
};

void rmt_cart_params_default(struct rmt_cart_params *p);

/*
 * Train on the rows idx[0..n_idx) of ds (duplicates allowed: bagging).
 * frac: fractional bits of the features (rmt_train_pick_frac).
 */
int rmt_cart_train(const struct rmt_dataset *ds, const u32 *idx, u32 n_idx,
		   const struct rmt_cart_params *p, u32 frac,
		   struct rmt_cart *out, char *err, size_t err_size);
void rmt_cart_free(struct rmt_cart *t);

/* Float reference: the leaf's class (or value) for the real-valued x. */
const struct rmt_cart_node *rmt_cart_leaf(const struct rmt_cart *t,
					  const double *x);

/*
 * Prune: collapse nodes below max_depth, then repeatedly the split of
 * least gain whose children are leaves until at most max_leaves remain
 * (0: no limit).  Renumbers the nodes.
 */
int rmt_cart_prune(struct rmt_cart *t, u32 max_depth, u32 max_leaves);
u32 rmt_cart_leaves(const struct rmt_cart *t);

/*
 * Integer model from n_trees trees (1: RMT_MODEL_TREE, more: a forest
 * voting or averaging); regression values get out_frac fractional bits.
 */
int rmt_cart_to_model(const struct rmt_cart *trees, u32 n_trees, u32 out_frac,
		      struct rmt_model **out, char *err, size_t err_size);

/* Bagging: n_trees trees on bootstrap samples, sqrt(F) features a split. */
int rmt_forest_train(const struct rmt_dataset *ds, u32 n_trees,
		     const struct rmt_cart_params *p, u32 frac,
		     struct rmt_cart *trees, char *err, size_t err_size);

#endif /* RMT_MLIB_TRAIN_CART_H */
