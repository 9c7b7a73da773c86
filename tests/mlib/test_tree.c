// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_tree.c - CART, forests and pruning: integer inference must match
 * the float reference exactly, on random inputs and on inputs placed at
 * and around every threshold.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "mlib/train/cart.h"
#include "mlib/train/synth.h"

static void quantize(const double *x, u32 f, u32 frac, s32 *q)
{
	u32 k;

	for (k = 0; k < f; k++)
		q[k] = rmt_train_quantize_input(x[k], frac);
}

static struct rmt_cart train(const struct rmt_dataset *ds,
			     const struct rmt_cart_params *p, u32 frac)
{
	struct rmt_cart t;
	char err[256];
	u32 *idx = malloc(ds->n * sizeof(*idx)), i;

	cr_assert(idx);
	for (i = 0; i < ds->n; i++)
		idx[i] = i;
	cr_assert_eq(
		rmt_cart_train(ds, idx, ds->n, p, frac, &t, err, sizeof(err)),
		0, "%s", err);
	free(idx);
	return t;
}

/* Compare float and integer on x and on x moved onto each threshold. */
static u32 check_exact(const struct rmt_cart *t, const struct rmt_model *m,
		       const double *x0, bool regression)
{
	double x[16];
	s32 q[16];
	u32 i, checked = 0;
	int d;

	for (i = 0; i <= t->n_nodes; i++) {
		for (d = -1; d <= 1; d++) {
			const struct rmt_cart_node *n =
				&t->nodes[i < t->n_nodes ? i : 0];
			const struct rmt_cart_node *leaf;
			struct rmt_infer_out o;

			memcpy(x, x0, t->n_features * sizeof(double));
			if (i < t->n_nodes && n->feature >= 0)
				x[n->feature] =
					ldexp(n->threshold + 0.5 + d * 0.25,
					      -(int)t->frac);
			else if (d)
				continue;
			quantize(x, t->n_features, t->frac, q);
			cr_assert_eq(rmt_model_infer(m, q, &o), 0);
			leaf = rmt_cart_leaf(t, x);
			if (regression)
				cr_assert_eq(
					o.value,
					rmt_train_quantize_input(
						leaf->value, m->out_frac_bits));
			else
				cr_assert_eq(o.value, leaf->cls,
					     "node %u offset %d: int %d float "
					     "%d",
					     i, d, o.value, leaf->cls);
			checked++;
		}
	}
	return checked;
}

Test(mlib_tree, classification_exact_vs_float)
{
	struct rmt_dataset ds, test;
	struct rmt_cart_params p;
	struct rmt_model *m;
	struct rmt_cart t;
	char err[256];
	u32 i, frac;

	cr_assert_eq(rmt_synth_planted(&ds, 4000, 8, 0.05, 11), 0);
	cr_assert_eq(rmt_synth_planted(&test, 300, 8, 0.05, 12), 0);
	rmt_cart_params_default(&p);
	p.max_depth = 10;
	frac = rmt_train_pick_frac(&ds);
	cr_assert_gt(frac, 0);
	t = train(&ds, &p, frac);
	cr_assert_leq(t.depth, 10);
	cr_assert_gt(t.n_nodes, 20);
	cr_assert_eq(rmt_cart_to_model(&t, 1, 0, &m, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(m->max_depth, t.depth);
	for (i = 0; i < 20; i++)
		check_exact(&t, m, test.x + (size_t)i * 8, false);
	for (i = 0; i < test.n; i++) {
		struct rmt_infer_out o;
		s32 q[8];

		quantize(test.x + (size_t)i * 8, 8, frac, q);
		rmt_model_infer(m, q, &o);
		cr_assert_eq(o.value,
			     rmt_cart_leaf(&t, test.x + (size_t)i * 8)->cls);
	}
	rmt_model_free(m);
	rmt_cart_free(&t);
	rmt_dataset_free(&ds);
	rmt_dataset_free(&test);
}

Test(mlib_tree, learns_the_planted_rule)
{
	struct rmt_dataset ds, test;
	struct rmt_cart_params p;
	struct rmt_cart t;
	u32 i, ok = 0;

	cr_assert_eq(rmt_synth_planted(&ds, 20000, 6, 0.0, 3), 0);
	cr_assert_eq(rmt_synth_planted(&test, 2000, 6, 0.0, 4), 0);
	rmt_cart_params_default(&p);
	p.max_depth = 12;
	t = train(&ds, &p, 16);
	for (i = 0; i < test.n; i++)
		ok += rmt_cart_leaf(&t, test.x + (size_t)i * 6)->cls ==
		      test.y[i];
	cr_assert_gt(ok, test.n * 95 / 100, "accuracy %u/%u", ok, test.n);
	rmt_cart_free(&t);
	rmt_dataset_free(&ds);
	rmt_dataset_free(&test);
}

Test(mlib_tree, regression_entropy_and_min_leaf)
{
	struct rmt_dataset ds;
	struct rmt_cart_params p;
	struct rmt_model *m;
	struct rmt_cart t;
	char err[256];
	u32 i, *count;

	/* The planted rule reads five features. */
	cr_assert_eq(rmt_synth_planted(&ds, 3000, 4, 0.05, 5), -EINVAL);
	cr_assert_eq(rmt_synth_planted(&ds, 3000, 5, 0.05, 5), 0);
	rmt_cart_params_default(&p);
	p.criterion = RMT_CART_MSE;
	p.max_depth = 7;
	t = train(&ds, &p, 16);
	cr_assert_eq(t.n_classes, 0);
	cr_assert_eq(rmt_cart_to_model(&t, 1, 16, &m, err, sizeof(err)), 0,
		     "%s", err);
	for (i = 0; i < 30; i++)
		check_exact(&t, m, ds.x + (size_t)i * 5, true);
	rmt_model_free(m);
	rmt_cart_free(&t);

	p.criterion = RMT_CART_ENTROPY;
	p.min_samples_leaf = 40;
	t = train(&ds, &p, 16);
	count = calloc(t.n_nodes, sizeof(*count));
	for (i = 0; i < ds.n; i++)
		count[rmt_cart_leaf(&t, ds.x + (size_t)i * 5) - t.nodes]++;
	for (i = 0; i < t.n_nodes; i++)
		if (t.nodes[i].feature < 0)
			cr_assert_geq(count[i], 40, "leaf %u has %u rows", i,
				      count[i]);
	free(count);
	rmt_cart_free(&t);
	rmt_dataset_free(&ds);
}

Test(mlib_tree, class_weights_shift_predictions)
{
	struct rmt_dataset ds;
	struct rmt_cart_params p;
	struct rmt_cart t;
	double w[3] = { 1, 1, 20 };
	u32 i, plain = 0, weighted = 0;

	cr_assert_eq(rmt_synth_planted(&ds, 3000, 5, 0.3, 9), 0);
	rmt_cart_params_default(&p);
	p.max_depth = 3;
	t = train(&ds, &p, 16);
	for (i = 0; i < ds.n; i++)
		plain += rmt_cart_leaf(&t, ds.x + (size_t)i * 5)->cls == 2;
	rmt_cart_free(&t);
	p.class_weight = w;
	t = train(&ds, &p, 16);
	for (i = 0; i < ds.n; i++)
		weighted += rmt_cart_leaf(&t, ds.x + (size_t)i * 5)->cls == 2;
	rmt_cart_free(&t);
	cr_assert_gt(weighted, plain + 100, "class 2: %u -> %u", plain,
		     weighted);
	rmt_dataset_free(&ds);
}

Test(mlib_tree, prune_depth_and_leaves)
{
	struct rmt_dataset ds;
	struct rmt_cart_params p;
	struct rmt_model *m;
	struct rmt_cart t;
	char err[256];
	u32 i;

	cr_assert_eq(rmt_synth_planted(&ds, 3000, 6, 0.05, 21), 0);
	rmt_cart_params_default(&p);
	p.max_depth = 10;
	t = train(&ds, &p, 16);
	cr_assert_gt(t.depth, 5);
	cr_assert_eq(rmt_cart_prune(&t, 5, 0), 0);
	cr_assert_leq(t.depth, 5);
	cr_assert_eq(rmt_cart_prune(&t, 15, 9), 0);
	cr_assert_leq(rmt_cart_leaves(&t), 9);
	cr_assert_gt(rmt_cart_leaves(&t), 1);
	for (i = 1; i < t.n_nodes; i++)
		cr_assert(t.nodes[i].depth >= 1);
	cr_assert_eq(rmt_cart_to_model(&t, 1, 0, &m, err, sizeof(err)), 0, "%s",
		     err);
	for (i = 0; i < 50; i++)
		check_exact(&t, m, ds.x + (size_t)i * 6, false);
	rmt_model_free(m);
	rmt_cart_free(&t);
	rmt_dataset_free(&ds);
}

Test(mlib_tree, forest_votes_like_its_trees)
{
	struct rmt_dataset ds;
	struct rmt_cart_params p;
	struct rmt_cart trees[7];
	struct rmt_model *m;
	struct rmt_model_cost cost;
	char err[256];
	u32 i, k, c, votes[3], best, want_visits = 0;

	cr_assert_eq(rmt_synth_planted(&ds, 2000, 6, 0.05, 31), 0);
	rmt_cart_params_default(&p);
	p.max_depth = 6;
	cr_assert_eq(rmt_forest_train(&ds, 7, &p, 16, trees, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(rmt_cart_to_model(trees, 7, 0, &m, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(m->type, RMT_MODEL_FOREST);
	rmt_model_cost(m, &cost);
	for (k = 0; k < 7; k++)
		want_visits += trees[k].depth + 1;
	cr_assert_eq(cost.node_visits, want_visits);
	for (i = 0; i < 500; i++) {
		const double *x = ds.x + (size_t)i * 6;
		struct rmt_infer_out o;
		s32 q[6];

		memset(votes, 0, sizeof(votes));
		for (k = 0; k < 7; k++)
			votes[rmt_cart_leaf(&trees[k], x)->cls]++;
		for (best = 0, c = 1; c < 3; c++)
			if (votes[c] > votes[best])
				best = c;
		quantize(x, 6, 16, q);
		rmt_model_infer(m, q, &o);
		cr_assert_eq(o.value, (s32)best);
		cr_assert_eq(o.conf, votes[best] * 65535u / 7);
	}
	for (k = 0; k < 7; k++)
		rmt_cart_free(&trees[k]);
	rmt_model_free(m);
	rmt_dataset_free(&ds);
}

Test(mlib_tree, rejects_bad_parameters)
{
	struct rmt_dataset ds;
	struct rmt_cart_params p;
	struct rmt_cart t;
	char err[256];
	u32 idx[2] = { 0, 5000 };

	cr_assert_eq(rmt_synth_planted(&ds, 100, 5, 0, 1), 0);
	rmt_cart_params_default(&p);
	p.max_depth = 16;
	cr_assert_eq(rmt_cart_train(&ds, idx, 1, &p, 0, &t, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "depth"));
	p.max_depth = 4;
	cr_assert_eq(rmt_cart_train(&ds, idx, 2, &p, 0, &t, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "row index 5000"));
	ds.y[0] = 7;
	cr_assert_eq(rmt_cart_train(&ds, idx, 1, &p, 0, &t, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "row 0: label 7 out of range (3 classes)"), "%s",
		  err);
	rmt_dataset_free(&ds);
}
