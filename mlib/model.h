/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * model.h - mlib's models in memory and the integer inference entry points
 * (freestanding: kernel and user space).  A model is built by the parser
 * (format.h) from a checked blob, or by the trainer in user space; either
 * way the invariants below hold before inference may run:
 *
 *  - trees: every child index is greater than its parent's (so walks end
 *    and no cycle exists), every non-root node has exactly one parent,
 *    features are below n_features, leaf classes below n_classes, and
 *    the depth of every tree is at most max_depth;
 *  - MLPs: layer shapes chain (input of layer i = output of layer i-1),
 *    every width is at most RMT_MLP_MAX_WIDTH, and no accumulator can
 *    overflow 32 bits for any input.
 *
 * Features are s32 fixed-point numbers with in_frac_bits fractional bits
 * (0 for integer kernel features), rounded half up from real values (see
 * rmt_train_quantize_input() in user space).
 */
#ifndef RMT_MLIB_MODEL_H
#define RMT_MLIB_MODEL_H

#include "port/rmt_port.h"

enum rmt_model_type {
	RMT_MODEL_TREE = 1,
	RMT_MODEL_FOREST = 2,
	RMT_MODEL_MLP = 3,
};

#define RMT_MODEL_MAX_FEATURES 1024u
#define RMT_MODEL_MAX_CLASSES 64u
#define RMT_TREE_MAX_NODES 65535u
#define RMT_TREE_MAX_DEPTH 64u
#define RMT_FOREST_MAX_TREES 256u
#define RMT_MLP_MAX_LAYERS 16u
#define RMT_MLP_MAX_WIDTH 256u
#define RMT_MODEL_MAX_FRAC 30u

#define RMT_TREE_LEAF 0xffffu

/*
 * One node of a flat tree.  Inner: go to left when x[feature] <= value,
 * else to right.  Leaf (feature == RMT_TREE_LEAF): value is the class, or
 * the regression output with out_frac_bits fractional bits; conf is the
 * training fraction of the leaf's samples in that class (65535 = all).
 */
struct rmt_tree_node {
	u16 feature;
	u16 conf;
	s32 value;
	u16 left;
	u16 right;
};

struct rmt_tree {
	u32 n_nodes;
	u32 depth; /* edges on the longest root-to-leaf path */
	struct rmt_tree_node *nodes;
};

enum rmt_layer_kind {
	RMT_LAYER_DENSE = 1,
	RMT_LAYER_CONV1D = 2,
};

enum rmt_act {
	RMT_ACT_NONE = 0,
	RMT_ACT_RELU = 1,
	RMT_ACT_LUT = 2, /* sigmoid, tanh or any map of the int8 range */
};

/*
 * A quantized layer.  Activations are int8 with a zero point per tensor;
 * weights are symmetric int8 or int16; acc = bias + sum w * (a - in_zp)
 * in 32 bits (in memory, bias already holds the -in_zp * sum w term, so
 * the inner loop is a plain dot product); the int8 output is out_zp + round(acc * mult / 2^shift),
 * clamped, then the activation.  The next layer's input zero point is
 * out_zp, or 0 after a table (its outputs are symmetric).  Dense: cin inputs (len_in = ksize = 1),
 * weights [cout][cin].  Conv1D over cin channels of len_in samples, no
 * padding, stride 1: weights [cout][cin][ksize], output [cout][lout]
 * with lout = len_in - ksize + 1.  The last layer's activation is NONE
 * and its accumulators are the scores.
 */
struct rmt_layer {
	u8 kind;
	u8 act;
	u8 wbits; /* 8 or 16 */
	u8 shift;
	u16 cin;
	u16 len_in;
	u16 cout;
	u16 ksize;
	s32 out_zp;
	s32 mult;
	const s8 *w8;
	const s16 *w16;
	const s32 *bias;
	const s8 *lut; /* 256 entries indexed by (u8)(value + 128) */
};

/* Standardisation into the first layer's int8 input, per feature. */
struct rmt_input_q {
	s32 offset; /* subtracted from the feature */
	s32 mult; /* below 2^15 so that (x - offset) * mult fits s64 */
	u8 shift;
};

struct rmt_mlp {
	u32 n_layers;
	s32 in_zp;
	const struct rmt_input_q *inq; /* n_features entries */
	const struct rmt_layer *layers;
};

/* Worst-case cost of one inference, what the verifier budgets. */
struct rmt_model_cost {
	u32 node_visits;
	u32 macs;
};

struct rmt_model {
	u16 type;
	u16 n_features;
	u16 n_classes; /* 0: regression */
	u8 in_frac_bits;
	u8 out_frac_bits; /* regression outputs */
	u32 n_trees; /* tree: 1; forest: ensemble size */
	u32 max_depth;
	struct rmt_tree *trees;
	struct rmt_mlp mlp;
};

struct rmt_infer_out {
	s32 value; /* class, or regression output (out_frac_bits) */
	u16 conf; /* trees: leaf confidence or vote share; MLP: 0 */
};

/*
 * Run a model on x[n_features].  Returns 0 and fills out, or -EINVAL for
 * a model type that cannot run.  No allocation, bounded loops.
 */
int rmt_model_infer(const struct rmt_model *m, const s32 *x,
		    struct rmt_infer_out *out);

/* One tree: the leaf reached by x. */
const struct rmt_tree_node *rmt_tree_leaf(const struct rmt_tree *t,
					  const s32 *x);

/*
 * The MLP's class for x; scores[n_classes] (optional) receives the last
 * layer's accumulators.
 */
s32 rmt_mlp_infer(const struct rmt_model *m, const s32 *x, s32 *scores);

/* Cost of a checked model. */
void rmt_model_cost(const struct rmt_model *m, struct rmt_model_cost *cost);

/*
 * A model lives in one allocation (the struct first, then its arrays), made
 * by the parser; this releases it.
 */
void rmt_model_free(struct rmt_model *m);

#endif /* RMT_MLIB_MODEL_H */
