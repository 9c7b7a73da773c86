// SPDX-License-Identifier: GPL-2.0 OR MIT
/* offload_util.c - test data and comparisons for the offload tests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlib/train/synth.h"
#include "tests/offload/offload_util.h"

int tdata_make(struct tdata *t, u32 n, u32 f, u64 seed)
{
	size_t i, m = (size_t)n * f;
	int rc = rmt_synth_planted(&t->ds, n, f, 0.05, seed);

	if (rc)
		return rc;
	t->xf = malloc(m * sizeof(float));
	t->xi = malloc(m * sizeof(s32));
	if (!t->xf || !t->xi) {
		tdata_free(t);
		return -ENOMEM;
	}
	for (i = 0; i < m; i++) {
		t->xf[i] = (float)t->ds.x[i];
		t->xi[i] = (s32)lround(t->ds.x[i] * 1000);
	}
	return 0;
}

void tdata_free(struct tdata *t)
{
	rmt_dataset_free(&t->ds);
	free(t->xf);
	free(t->xi);
	t->xf = NULL;
	t->xi = NULL;
}

void tdata_job(const struct tdata *t, enum rmt_train_algo algo, bool ints,
	       struct rmt_train_job *job)
{
	memset(job, 0, sizeof(*job));
	job->algo = algo;
	rmt_hcart_params_default(&job->cart);
	rmt_bmlp_params_default(&job->mlp);
	job->data = (struct rmt_train_data){
		.n = t->ds.n,
		.n_features = t->ds.n_features,
		.n_classes = t->ds.n_classes,
		.type = ints ? RMT_FEAT_S32 : RMT_FEAT_F32,
		.x = ints ? (const void *)t->xi : (const void *)t->xf,
		.y = t->ds.y,
		.frac = RMT_TRAIN_FRAC_AUTO,
	};
}

int tree_diff(const struct rmt_cart *a, const struct rmt_cart *b, char *why,
	      size_t why_size)
{
	u32 i;

	if (a->n_nodes != b->n_nodes || a->frac != b->frac ||
	    a->depth != b->depth) {
		snprintf(why, why_size, "nodes %u/%u, frac %u/%u, depth %u/%u",
			 a->n_nodes, b->n_nodes, a->frac, b->frac, a->depth,
			 b->depth);
		return -1;
	}
	for (i = 0; i < a->n_nodes; i++) {
		const struct rmt_cart_node *x = &a->nodes[i], *y = &b->nodes[i];

		if (x->feature != y->feature || x->threshold != y->threshold ||
		    x->left != y->left || x->right != y->right ||
		    x->cls != y->cls || x->conf != y->conf ||
		    x->gain != y->gain || x->depth != y->depth) {
			snprintf(why, why_size,
				 "node %u: feature %d/%d threshold %d/%d "
				 "class %d/%d gain %.17g/%.17g",
				 i, x->feature, y->feature, x->threshold,
				 y->threshold, x->cls, y->cls, x->gain,
				 y->gain);
			return -1;
		}
	}
	return 0;
}

double mlp_max_diff(const struct rmt_fmlp *a, const struct rmt_fmlp *b)
{
	double m = a->n_layers == b->n_layers ? 0 : INFINITY;
	u32 l;
	size_t i;

	for (l = 0; l < a->n_layers && m < INFINITY; l++) {
		if (a->size[l] != b->size[l] ||
		    a->size[l + 1] != b->size[l + 1])
			return INFINITY;
		for (i = 0; i < (size_t)a->size[l] * a->size[l + 1]; i++)
			m = fmax(m, fabs(a->w[l][i] - b->w[l][i]));
		for (i = 0; i < a->size[l + 1]; i++)
			m = fmax(m, fabs(a->b[l][i] - b->b[l][i]));
	}
	return m;
}

double tree_accuracy(const struct rmt_cart *tree, const struct tdata *t)
{
	u32 i, ok = 0;

	for (i = 0; i < t->ds.n; i++)
		ok += rmt_cart_leaf(tree,
				    t->ds.x + (size_t)i * t->ds.n_features)
			      ->cls == t->ds.y[i];
	return (double)ok / t->ds.n;
}

int tree_check_leaves(const struct rmt_cart *tree, const struct tdata *t,
		      char *why, size_t why_size)
{
	u32 K = tree->n_classes, F = t->ds.n_features, i, c, best;
	u32 *cnt = calloc((size_t)tree->n_nodes * K, sizeof(u32));
	int rc = 0;

	if (!cnt)
		return -ENOMEM;
	for (i = 0; i < t->ds.n; i++) {
		const struct rmt_cart_node *n = &tree->nodes[0];

		while (n->feature >= 0)
			n = &tree->nodes[t->xi[(size_t)i * F + n->feature] <=
							 n->threshold ?
						 n->left :
						 n->right];
		cnt[(size_t)(n - tree->nodes) * K + t->ds.y[i]]++;
	}
	for (i = 0; i < tree->n_nodes && !rc; i++) {
		const struct rmt_cart_node *n = &tree->nodes[i];
		const u32 *k = cnt + (size_t)i * K;
		u32 sum = 0;

		if (n->feature >= 0)
			continue;
		for (c = 0, best = 0; c < K; c++) {
			sum += k[c];
			if (k[c] > k[best])
				best = c;
		}
		if ((s32)best != n->cls ||
		    n->conf != (sum ? (double)k[best] / sum : 0)) {
			snprintf(why, why_size,
				 "leaf %u: class %d share %g, its rows say "
				 "%u and %g",
				 i, n->cls, n->conf, best,
				 sum ? (double)k[best] / sum : 0);
			rc = -1;
		}
	}
	free(cnt);
	return rc;
}
