/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * model.h - what the verifier admits as a hook's model: mlib's parser has
 * already checked a model's structure (indices, acyclic trees, shapes,
 * overflow); rmt_verify_model adds the hook's policy and budget: model
 * types, feature vector length and the features the policy allows, value
 * ranges of thresholds and outputs, depth, node visits and MACs, and sane
 * quantization scales.  Freestanding.
 */
#ifndef RMT_VERIFIER_MODEL_H
#define RMT_VERIFIER_MODEL_H

#include "mlib/model.h"

struct rmt_verify_model_env {
	const char *hook; /* for messages */
	u32 types; /* bit (1 << enum rmt_model_type) per allowed type */
	u32 n_features; /* length of the hook's feature vector */
	/* bit f set: the policy lets models read feature f (NULL: all) */
	const u64 *allowed;
	/* value range of each feature (NULL: the whole s32 range) */
	const s32 *feat_min, *feat_max;
	u32 max_depth;
	u32 max_node_visits;
	u32 max_macs;
	s32 out_min, out_max; /* outputs the hook accepts */
	bool clamp; /* outputs outside are clamped rather than rejected */
};

/*
 * Check a parsed model m against env.  Returns 0 when it is admitted,
 * -EINVAL (-E2BIG for cost, -EACCES for policy) otherwise with "tree T
 * node N: reason" or "layer L: reason" in log.
 */
int rmt_verify_model(const struct rmt_model *m,
		     const struct rmt_verify_model_env *env, char *log,
		     size_t log_size);

/* An output v of an admitted model, as the hook must use it. */
static inline s32 rmt_verify_clamp(const struct rmt_verify_model_env *env,
				   s32 v)
{
	return v < env->out_min ? env->out_min :
	       v > env->out_max ? env->out_max :
				  v;
}

#endif /* RMT_VERIFIER_MODEL_H */
