// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tree.c - decision tree and forest inference over flat node arrays.  The
 * walk is bounded by the tree's depth, which the parser has proven.
 */
#include "mlib/model.h"

const struct rmt_tree_node *rmt_tree_leaf(const struct rmt_tree *t,
					  const s32 *x)
{
	const struct rmt_tree_node *n = &t->nodes[0];
	u32 d;

	for (d = 0; d < t->depth && n->feature != RMT_TREE_LEAF; d++)
		n = &t->nodes[x[n->feature] <= n->value ? n->left : n->right];
	return n;
}

static void forest_vote(const struct rmt_model *m, const s32 *x,
			struct rmt_infer_out *out)
{
	u16 votes[RMT_MODEL_MAX_CLASSES];
	u32 t, c, best = 0;

	memset(votes, 0, sizeof(votes));
	for (t = 0; t < m->n_trees; t++)
		votes[rmt_tree_leaf(&m->trees[t], x)->value]++;
	for (c = 1; c < m->n_classes; c++)
		if (votes[c] > votes[best])
			best = c;
	out->value = (s32)best;
	out->conf = (u16)((u32)votes[best] * 65535u / m->n_trees);
}

static void forest_average(const struct rmt_model *m, const s32 *x,
			   struct rmt_infer_out *out)
{
	s64 sum = 0;
	u32 t;

	for (t = 0; t < m->n_trees; t++)
		sum += rmt_tree_leaf(&m->trees[t], x)->value;
	/* Truncate toward zero, as C division does for one tree. */
	out->value = (s32)(sum / (s64)m->n_trees);
	out->conf = 0;
}

int rmt_model_infer(const struct rmt_model *m, const s32 *x,
		    struct rmt_infer_out *out)
{
	const struct rmt_tree_node *leaf;

	switch (m->type) {
	case RMT_MODEL_TREE:
		leaf = rmt_tree_leaf(&m->trees[0], x);
		out->value = leaf->value;
		out->conf = leaf->conf;
		return 0;
	case RMT_MODEL_FOREST:
		if (m->n_classes)
			forest_vote(m, x, out);
		else
			forest_average(m, x, out);
		return 0;
	case RMT_MODEL_MLP:
		out->value = rmt_mlp_infer(m, x, NULL);
		out->conf = 0;
		return 0;
	default:
		return -EINVAL;
	}
}

void rmt_model_cost(const struct rmt_model *m, struct rmt_model_cost *cost)
{
	const struct rmt_layer *l;
	u32 i;

	cost->node_visits = 0;
	cost->macs = 0;
	if (m->type == RMT_MODEL_MLP) {
		for (i = 0; i < m->mlp.n_layers; i++) {
			l = &m->mlp.layers[i];
			cost->macs += (u32)l->cout * l->cin * l->ksize *
				      (l->len_in - l->ksize + 1u);
		}
		return;
	}
	for (i = 0; i < m->n_trees; i++)
		cost->node_visits += m->trees[i].depth + 1;
}

void rmt_model_free(struct rmt_model *m)
{
	rmt_free(m);
}
