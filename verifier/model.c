// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * model.c - rmt_verify_model: the hook's policy and budget over a model
 * that mlib's parser has checked structurally (see model.h).
 */
#include "verifier/model.h"
#include "vm/vm_log.h"

#define RMT_S32_MIN (-0x7fffffff - 1)
#define RMT_S32_MAX 0x7fffffff

struct rmt_mctx {
	const struct rmt_verify_model_env *env;
	const char *hook;
	char *log;
	size_t log_size;
};

static bool rmt_mfeat_allowed(const struct rmt_verify_model_env *env, u32 f)
{
	return !env->allowed || (env->allowed[f / 64] >> (f % 64) & 1);
}

static s32 rmt_mfeat_min(const struct rmt_verify_model_env *env, u32 f)
{
	return env->feat_min ? env->feat_min[f] : RMT_S32_MIN;
}

static s32 rmt_mfeat_max(const struct rmt_verify_model_env *env, u32 f)
{
	return env->feat_max ? env->feat_max[f] : RMT_S32_MAX;
}

static int rmt_mnode(struct rmt_mctx *c, u32 t, u32 i,
		     const struct rmt_tree_node *n)
{
	const struct rmt_verify_model_env *env = c->env;

	if (n->feature == RMT_TREE_LEAF) {
		if (!env->clamp &&
		    (n->value < env->out_min || n->value > env->out_max)) {
			rmt_vm_logf(
				c->log, c->log_size,
				"tree %u node %u: leaf value %d outside the %s output range [%d, %d]",
				t, i, n->value, c->hook, env->out_min,
				env->out_max);
			return -EACCES;
		}
		return 0;
	}
	if (!rmt_mfeat_allowed(env, n->feature)) {
		rmt_vm_logf(
			c->log, c->log_size,
			"tree %u node %u: feature %u is not allowed by the %s policy",
			t, i, n->feature, c->hook);
		return -EACCES;
	}
	if (n->value < rmt_mfeat_min(env, n->feature) ||
	    n->value > rmt_mfeat_max(env, n->feature)) {
		rmt_vm_logf(
			c->log, c->log_size,
			"tree %u node %u: threshold %d outside feature %u's range [%d, %d]",
			t, i, n->value, n->feature,
			rmt_mfeat_min(env, n->feature),
			rmt_mfeat_max(env, n->feature));
		return -EINVAL;
	}
	return 0;
}

static int rmt_mtrees(struct rmt_mctx *c, const struct rmt_model *m)
{
	u32 t, i;
	int err;

	if (m->max_depth > c->env->max_depth) {
		rmt_vm_logf(c->log, c->log_size,
			    "model: depth %u exceeds the %s limit of %u",
			    m->max_depth, c->hook, c->env->max_depth);
		return -E2BIG;
	}
	for (t = 0; t < m->n_trees; t++) {
		for (i = 0; i < m->trees[t].n_nodes; i++) {
			err = rmt_mnode(c, t, i, &m->trees[t].nodes[i]);
			if (err)
				return err;
		}
	}
	return 0;
}

static int rmt_mmlp(struct rmt_mctx *c, const struct rmt_model *m)
{
	const struct rmt_verify_model_env *env = c->env;
	u32 f, l;

	/* the first layer reads every input */
	for (f = 0; f < m->n_features; f++) {
		if (!rmt_mfeat_allowed(env, f)) {
			rmt_vm_logf(
				c->log, c->log_size,
				"input %u: feature %u is not allowed by the %s policy",
				f, f, c->hook);
			return -EACCES;
		}
		if (!m->mlp.inq[f].mult) {
			rmt_vm_logf(
				c->log, c->log_size,
				"input %u: multiplier 0 ignores the feature",
				f);
			return -EINVAL;
		}
	}
	for (l = 0; l < m->mlp.n_layers; l++) {
		if (!m->mlp.layers[l].mult) {
			rmt_vm_logf(
				c->log, c->log_size,
				"layer %u: multiplier 0 makes the layer constant",
				l);
			return -EINVAL;
		}
	}
	if (!env->clamp && (env->out_min > 0 || m->n_classes < 1 ||
			    (s64)m->n_classes - 1 > env->out_max)) {
		rmt_vm_logf(
			c->log, c->log_size,
			"model: classes 0..%d outside the %s output range [%d, %d]",
			(int)m->n_classes - 1, c->hook, env->out_min,
			env->out_max);
		return -EACCES;
	}
	return 0;
}

int rmt_verify_model(const struct rmt_model *m,
		     const struct rmt_verify_model_env *env, char *log,
		     size_t log_size)
{
	struct rmt_mctx c = { .env = env, .log = log, .log_size = log_size };
	struct rmt_model_cost cost;

	rmt_vm_logf(log, log_size, "%s", "");
	if (!m || !env) {
		rmt_vm_logf(log, log_size, "no model or no hook");
		return -EINVAL;
	}
	c.hook = env->hook ? env->hook : "hook's";
	if (m->type >= 32 || !(env->types & (1u << m->type))) {
		rmt_vm_logf(log, log_size,
			    "model: type %u is not allowed at the %s hook",
			    m->type, c.hook);
		return -EACCES;
	}
	if (m->n_features > env->n_features) {
		rmt_vm_logf(
			log, log_size,
			"model: reads %u features, the %s feature vector has %u",
			m->n_features, c.hook, env->n_features);
		return -EINVAL;
	}
	rmt_model_cost(m, &cost);
	if (cost.node_visits > env->max_node_visits ||
	    cost.macs > env->max_macs) {
		rmt_vm_logf(
			log, log_size,
			"model: %u node visits and %u MACs exceed the %s budget of %u and %u",
			cost.node_visits, cost.macs, c.hook,
			env->max_node_visits, env->max_macs);
		return -E2BIG;
	}
	if (m->type == RMT_MODEL_MLP)
		return rmt_mmlp(&c, m);
	return rmt_mtrees(&c, m);
}
