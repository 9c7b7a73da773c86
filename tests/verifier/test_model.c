// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_model.c - rmt_verify_model: for each policy and budget check a
 * model that is rejected with its message and a close one that passes;
 * trees built in memory as mlib's parser would leave them, an MLP parsed
 * from a blob written by mlib's writer.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mlib/format.h"
#include "mlib/train/writer.h"
#include "verifier/model.h"

/*
 * A depth-2 tree on features 0 and 3:
 * x0 <= 100 ? (x3 <= 7 ? 1 : 2) : 3
 */
static struct rmt_tree_node rmt_nodes[5];
static struct rmt_tree rmt_tree;
static struct rmt_model rmt_tm;

static const struct rmt_model *tree_model(void)
{
	static const struct rmt_tree_node nodes[5] = {
		{ .feature = 0, .value = 100, .left = 1, .right = 2 },
		{ .feature = 3, .value = 7, .left = 3, .right = 4 },
		{ .feature = RMT_TREE_LEAF, .value = 3 },
		{ .feature = RMT_TREE_LEAF, .value = 1 },
		{ .feature = RMT_TREE_LEAF, .value = 2 },
	};

	memcpy(rmt_nodes, nodes, sizeof(nodes));
	rmt_tree = (struct rmt_tree){ .n_nodes = 5,
				      .depth = 2,
				      .nodes = rmt_nodes };
	rmt_tm = (struct rmt_model){ .type = RMT_MODEL_TREE,
				     .n_features = 4,
				     .n_classes = 4,
				     .n_trees = 1,
				     .max_depth = 2,
				     .trees = &rmt_tree };
	return &rmt_tm;
}

static const u64 rmt_allow_all[1] = { ~0ull };
static const s32 rmt_fmin[4] = { 0, 0, 0, 0 };
static const s32 rmt_fmax[4] = { 4096, 4096, 4096, 15 };

static struct rmt_verify_model_env tree_env(void)
{
	return (struct rmt_verify_model_env){
		.hook = "swap_fault",
		.types = 1u << RMT_MODEL_TREE | 1u << RMT_MODEL_MLP,
		.n_features = 4,
		.allowed = rmt_allow_all,
		.feat_min = rmt_fmin,
		.feat_max = rmt_fmax,
		.max_depth = 8,
		.max_node_visits = 16,
		.max_macs = 4096,
		.out_min = 0,
		.out_max = 3,
	};
}

static void expect_reject(const struct rmt_model *m,
			  const struct rmt_verify_model_env *env, int code,
			  const char *msg)
{
	char log[256];

	cr_expect_eq(rmt_verify_model(m, env, log, sizeof(log)), code, "%s",
		     log);
	cr_expect(strstr(log, msg), "log '%s', expected '%s'", log, msg);
}

Test(model, tree_accepted)
{
	struct rmt_verify_model_env env = tree_env();
	char log[256];

	cr_assert_eq(rmt_verify_model(tree_model(), &env, log, sizeof(log)), 0,
		     "%s", log);
}

Test(model, type_not_allowed)
{
	struct rmt_verify_model_env env = tree_env();

	env.types = 1u << RMT_MODEL_MLP;
	expect_reject(tree_model(), &env, -EACCES,
		      "model: type 1 is not allowed at the swap_fault hook");
}

Test(model, feature_vector_too_short)
{
	struct rmt_verify_model_env env = tree_env();

	env.n_features = 3;
	expect_reject(tree_model(), &env, -EINVAL,
		      "model: reads 4 features, the swap_fault feature "
		      "vector has 3");
}

Test(model, feature_not_allowed)
{
	struct rmt_verify_model_env env = tree_env();
	const u64 no3[1] = { ~0ull & ~(1ull << 3) }, no2[1] = { ~4ull };

	env.allowed = no3;
	expect_reject(tree_model(), &env, -EACCES,
		      "tree 0 node 1: feature 3 is not allowed by the "
		      "swap_fault policy");
	env.allowed = no2; /* feature 2 is never read */
	cr_expect_eq(rmt_verify_model(tree_model(), &env, NULL, 0), 0);
}

Test(model, threshold_out_of_range)
{
	struct rmt_verify_model_env env = tree_env();
	const struct rmt_model *m = tree_model();

	rmt_nodes[1].value = 16;
	expect_reject(m, &env, -EINVAL,
		      "tree 0 node 1: threshold 16 outside feature 3's range "
		      "[0, 15]");
	rmt_nodes[1].value = 15;
	cr_expect_eq(rmt_verify_model(m, &env, NULL, 0), 0);
}

Test(model, leaf_out_of_range_and_clamp)
{
	struct rmt_verify_model_env env = tree_env();

	env.out_max = 2;
	expect_reject(tree_model(), &env, -EACCES,
		      "tree 0 node 2: leaf value 3 outside the swap_fault "
		      "output range [0, 2]");
	env.clamp = true;
	cr_expect_eq(rmt_verify_model(tree_model(), &env, NULL, 0), 0);
	cr_expect_eq(rmt_verify_clamp(&env, 3), 2);
	cr_expect_eq(rmt_verify_clamp(&env, -5), 0);
	cr_expect_eq(rmt_verify_clamp(&env, 1), 1);
}

Test(model, depth_and_visits)
{
	struct rmt_verify_model_env env = tree_env();

	env.max_depth = 1;
	expect_reject(tree_model(), &env, -E2BIG,
		      "model: depth 2 exceeds the swap_fault limit of 1");
	env = tree_env();
	env.max_node_visits = 2;
	expect_reject(tree_model(), &env, -E2BIG,
		      "model: 3 node visits and 0 MACs exceed the swap_fault "
		      "budget of 2 and 4096");
	env.max_node_visits = 3;
	cr_expect_eq(rmt_verify_model(tree_model(), &env, NULL, 0), 0);
}

Test(model, bad_arguments)
{
	struct rmt_verify_model_env env = tree_env();
	char log[64];

	cr_expect_eq(rmt_verify_model(NULL, &env, log, sizeof(log)), -EINVAL);
	cr_expect_eq(rmt_verify_model(tree_model(), NULL, log, sizeof(log)),
		     -EINVAL);
}

/* A 2-feature, 3-class dense layer, written and parsed by mlib. */
static struct rmt_model *mlp_model(void)
{
	static const struct rmt_input_q inq[2] = { { 0, 1, 0 }, { 0, 1, 0 } };
	static const s8 w[6] = { 1, -1, 2, 0, -2, 1 };
	static const s32 bias[3] = { 0, 0, 0 };
	static const struct rmt_layer layer = {
		.kind = RMT_LAYER_DENSE,
		.act = RMT_ACT_NONE,
		.wbits = 8,
		.cin = 2,
		.len_in = 1,
		.cout = 3,
		.ksize = 1,
		.mult = 1,
		.w8 = w,
		.bias = bias,
	};
	struct rmt_model m = {
		.type = RMT_MODEL_MLP,
		.n_features = 2,
		.n_classes = 3,
		.mlp = { .n_layers = 1, .inq = inq, .layers = &layer },
	};
	struct rmt_model *out;
	char err[256];

	cr_assert_eq(rmt_model_rebuild(&m, &out, err, sizeof(err)), 0, "%s",
		     err);
	return out;
}

Test(model, mlp_policy_and_budget)
{
	struct rmt_verify_model_env env = tree_env();
	struct rmt_model *m = mlp_model();
	const u64 no1[1] = { ~2ull };
	char log[256];

	cr_expect_eq(rmt_verify_model(m, &env, log, sizeof(log)), 0, "%s", log);
	env.allowed = no1;
	expect_reject(m, &env, -EACCES,
		      "input 1: feature 1 is not allowed by the swap_fault "
		      "policy");
	env = tree_env();
	env.out_max = 1;
	expect_reject(m, &env, -EACCES,
		      "model: classes 0..2 outside the swap_fault output "
		      "range [0, 1]");
	env = tree_env();
	env.max_macs = 5;
	expect_reject(m, &env, -E2BIG, "0 node visits and 6 MACs exceed");
	env = tree_env();
	((struct rmt_layer *)m->mlp.layers)[0].mult = 0;
	expect_reject(m, &env, -EINVAL,
		      "layer 0: multiplier 0 makes the layer constant");
	rmt_model_free(m);
}
