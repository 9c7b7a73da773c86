// SPDX-License-Identifier: GPL-2.0 OR MIT
/* cart_model.c - trained trees into integer tree and forest models. */
#include <stdio.h>
#include <stdlib.h>

#include "mlib/train/cart.h"
#include "mlib/train/writer.h"

static int convert_tree(const struct rmt_cart *c, u32 out_frac,
			struct rmt_tree *t, char *err, size_t err_size)
{
	u32 i;

	if (c->n_nodes > RMT_TREE_MAX_NODES) {
		snprintf(err, err_size,
			 "tree has %u nodes, the format holds "
			 "%u",
			 c->n_nodes, RMT_TREE_MAX_NODES);
		return -EINVAL;
	}
	t->nodes = calloc(c->n_nodes, sizeof(*t->nodes));
	if (!t->nodes) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	t->n_nodes = c->n_nodes;
	t->depth = c->depth;
	for (i = 0; i < c->n_nodes; i++) {
		const struct rmt_cart_node *s = &c->nodes[i];
		struct rmt_tree_node *d = &t->nodes[i];

		if (s->feature < 0) {
			d->feature = RMT_TREE_LEAF;
			d->value = c->n_classes ? s->cls :
						  rmt_train_quantize_input(
							  s->value, out_frac);
			d->conf = (u16)(s->conf * 65535.0 + 0.5);
			continue;
		}
		d->feature = (u16)s->feature;
		d->value = s->threshold;
		d->left = (u16)s->left;
		d->right = (u16)s->right;
	}
	return 0;
}

int rmt_cart_to_model(const struct rmt_cart *trees, u32 n_trees, u32 out_frac,
		      struct rmt_model **out, char *err, size_t err_size)
{
	struct rmt_model m;
	u32 t;
	int rc = 0;

	*out = NULL;
	if (!n_trees || n_trees > RMT_FOREST_MAX_TREES) {
		snprintf(err, err_size, "1 to %u trees", RMT_FOREST_MAX_TREES);
		return -EINVAL;
	}
	memset(&m, 0, sizeof(m));
	m.type = n_trees == 1 ? RMT_MODEL_TREE : RMT_MODEL_FOREST;
	m.n_features = (u16)trees[0].n_features;
	m.n_classes = (u16)trees[0].n_classes;
	m.in_frac_bits = (u8)trees[0].frac;
	m.out_frac_bits = (u8)(m.n_classes ? 0 : out_frac);
	m.n_trees = n_trees;
	m.trees = calloc(n_trees, sizeof(*m.trees));
	if (!m.trees) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	for (t = 0; t < n_trees && !rc; t++)
		rc = convert_tree(&trees[t], m.out_frac_bits, &m.trees[t], err,
				  err_size);
	if (!rc)
		rc = rmt_model_rebuild(&m, out, err, err_size);
	for (t = 0; t < n_trees; t++)
		free(m.trees[t].nodes);
	free(m.trees);
	return rc;
}
