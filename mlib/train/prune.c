// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * prune.c - tree pruning: a depth limit, then a leaf budget met by
 * collapsing the split of least impurity decrease among those whose
 * children are both leaves (weakest-link style).  Every node keeps its
 * majority class from training, so any node can become a leaf.
 */
#include <stdlib.h>

#include "mlib/train/cart.h"

u32 rmt_cart_leaves(const struct rmt_cart *t)
{
	u32 n = 0, *stack, top = 0;

	stack = malloc((t->n_nodes + 1) * sizeof(*stack));
	if (!stack)
		return 0;
	stack[top++] = 0;
	while (top) {
		const struct rmt_cart_node *nd = &t->nodes[stack[--top]];

		if (nd->feature < 0) {
			n++;
			continue;
		}
		stack[top++] = nd->left;
		stack[top++] = nd->right;
	}
	free(stack);
	return n;
}

/* Renumber the reachable nodes breadth-first (children after parents). */
static int compact(struct rmt_cart *t)
{
	struct rmt_cart_node *out = malloc(t->n_nodes * sizeof(*out));
	u32 *queue = malloc(t->n_nodes * sizeof(*queue));
	u32 head = 0, tail = 0, n = 0;

	if (!out || !queue) {
		free(out);
		free(queue);
		return -ENOMEM;
	}
	queue[tail++] = 0;
	t->depth = 0;
	while (head < tail) {
		struct rmt_cart_node nd = t->nodes[queue[head++]];
		u32 self = n++;

		if (nd.depth > t->depth)
			t->depth = nd.depth;
		if (nd.feature >= 0) {
			queue[tail++] = nd.left;
			queue[tail++] = nd.right;
			nd.left = tail - 2;
			nd.right = tail - 1;
		}
		out[self] = nd;
	}
	free(queue);
	free(t->nodes);
	t->nodes = out;
	t->n_nodes = n;
	return 0;
}

int rmt_cart_prune(struct rmt_cart *t, u32 max_depth, u32 max_leaves)
{
	u32 i, leaves, best;

	for (i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].feature >= 0 && t->nodes[i].depth >= max_depth)
			t->nodes[i].feature = -1;
	if (compact(t))
		return -ENOMEM;
	if (!max_leaves)
		return 0;
	leaves = rmt_cart_leaves(t);
	while (leaves > max_leaves && leaves > 1) {
		best = t->n_nodes;
		for (i = 0; i < t->n_nodes; i++) {
			const struct rmt_cart_node *nd = &t->nodes[i];

			if (nd->feature < 0 ||
			    t->nodes[nd->left].feature >= 0 ||
			    t->nodes[nd->right].feature >= 0)
				continue;
			if (best == t->n_nodes ||
			    nd->gain < t->nodes[best].gain)
				best = i;
		}
		t->nodes[best].feature = -1;
		leaves--;
	}
	return compact(t);
}
