// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hcart.c - histogram CART grown level by level: every row carries the
 * index of its node in the current level, the engine counts the class
 * histograms of all nodes of a level in one pass over the rows and scans
 * them for the best split per (node, feature); the host picks each
 * node's split and numbers the next level.  Level-wise growth is what
 * makes a GPU worth it (one pass per level instead of one per node); see
 * docs/offload.md.
 */
#include <stdio.h>
#include <stdlib.h>

#include "offload/train/bins.h"
#include "offload/train/job.h"

/* Histogram memory one cart_level call may use. */
#define HC_HIST_BUDGET (64u << 20)

struct grower {
	const struct rmt_train_job *job;
	const struct rmt_bins *bins;
	struct rmt_cart_node *nodes;
	u32 n_nodes, cap;
	u32 *level, *next; /* tree indices of the nodes of a level */
	struct rmt_hc_best *best;
	u32 *tot;
	struct rmt_hc_route *route;
	u32 chunk; /* nodes per cart_level call */
};

static int add_node(struct grower *g, u32 depth)
{
	if (g->n_nodes == g->cap) {
		u32 cap = g->cap * 2;
		struct rmt_cart_node *n = realloc(g->nodes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		g->nodes = n;
		g->cap = cap;
	}
	memset(&g->nodes[g->n_nodes], 0, sizeof(*g->nodes));
	g->nodes[g->n_nodes].feature = -1;
	g->nodes[g->n_nodes].depth = depth;
	return (int)g->n_nodes++;
}

/* The node's class and, if it splits, its split (route->feature >= 0). */
static void decide(struct grower *g, u32 i, u32 node, u32 depth,
		   struct rmt_hc_route *route)
{
	const struct rmt_hcart_params *p = &g->job->cart;
	u32 F = g->bins->n_features, K = g->job->data.n_classes, c, f;
	const u32 *tot = g->tot + (size_t)i * K;
	struct rmt_cart_node *nd = &g->nodes[node];
	const struct rmt_hc_best *best = g->best + (size_t)i * F, *pick = NULL;
	u64 n = 0;

	for (c = 0; c < K; c++) {
		n += tot[c];
		if (tot[c] > tot[nd->cls])
			nd->cls = (s32)c;
	}
	nd->conf = n ? (double)tot[nd->cls] / (double)n : 0;
	route->feature = -1;
	if (depth >= p->max_depth || n < 2 * (u64)p->min_samples_leaf ||
	    nd->conf >= 1.0)
		return;
	for (f = 0; f < F; f++)
		if (best[f].ok && (!pick || best[f].gain > pick->gain))
			pick = &best[f];
	if (!pick || pick->gain <= 1e-12 * (double)n)
		return;
	f = (u32)(pick - best);
	route->feature = (s32)f;
	route->bin = pick->bin;
	nd->feature = (s32)f;
	nd->threshold =
		g->bins->cuts[(size_t)f * g->bins->max_bins + pick->bin];
	nd->gain = pick->gain;
}

/* Nodes per cart_level call, so that its buffers stay within budget. */
static u32 chunk_size(const struct grower *g, u32 width)
{
	u32 F = g->bins->n_features, K = g->job->data.n_classes;
	size_t per_node = (size_t)F * g->job->cart.max_bins * K * sizeof(u32);
	size_t c = HC_HIST_BUDGET / per_node;

	if (c > HC_HIST_BUDGET / (F * sizeof(struct rmt_hc_best)))
		c = HC_HIST_BUDGET / (F * sizeof(struct rmt_hc_best));
	if (c > width)
		c = width;
	return c ? (u32)c : 1;
}

static int grow_level(struct grower *g, const struct rmt_engine *e, u32 nn,
		      u32 depth, u32 *n_next, char *err, size_t err_size)
{
	u32 n0, i, c;
	int rc, l;

	*n_next = 0;
	for (n0 = 0; n0 < nn; n0 += g->chunk) {
		c = nn - n0 < g->chunk ? nn - n0 : g->chunk;
		rc = e->ops->cart_level(e->ctx, n0, c, g->best, g->tot, err,
					err_size);
		if (rc)
			return rc;
		for (i = n0; i < n0 + c; i++) {
			struct rmt_hc_route *r = &g->route[i];

			decide(g, i - n0, g->level[i], depth, r);
			if (r->feature < 0)
				continue;
			l = add_node(g, depth + 1);
			if (l < 0 || add_node(g, depth + 1) < 0)
				return -ENOMEM;
			g->nodes[g->level[i]].left = (u32)l;
			g->nodes[g->level[i]].right = (u32)l + 1;
			r->left = *n_next;
			g->next[(*n_next)++] = (u32)l;
			g->next[(*n_next)++] = (u32)l + 1;
		}
	}
	if (!*n_next)
		return 0;
	return e->ops->cart_route(e->ctx, nn, g->route, err, err_size);
}

static int grow(struct grower *g, const struct rmt_engine *e, u32 *depth,
		char *err, size_t err_size)
{
	u32 F = g->bins->n_features, K = g->job->data.n_classes;
	u32 width = 1u << g->job->cart.max_depth, nn = 1, n_next, *t;
	int rc;

	if (width > g->bins->n)
		width = g->bins->n;
	g->chunk = chunk_size(g, width);
	g->cap = 64;
	g->nodes = malloc(g->cap * sizeof(*g->nodes));
	g->level = malloc(width * sizeof(u32));
	g->next = malloc(width * sizeof(u32));
	g->best = malloc((size_t)g->chunk * F * sizeof(*g->best));
	g->tot = malloc((size_t)g->chunk * K * sizeof(u32));
	g->route = malloc((size_t)width * sizeof(*g->route));
	if (!g->nodes || !g->level || !g->next || !g->best || !g->tot ||
	    !g->route)
		return -ENOMEM;
	g->level[0] = (u32)add_node(g, 0);
	for (*depth = 0;; (*depth)++) {
		rc = grow_level(g, e, nn, *depth, &n_next, err, err_size);
		if (rc || !n_next)
			return rc;
		t = g->level;
		g->level = g->next;
		g->next = t;
		nn = n_next;
	}
}

int rmt_hcart_train(const struct rmt_train_job *job, const struct rmt_engine *e,
		    struct rmt_train_result *res)
{
	const struct rmt_train_data *d = &job->data;
	struct grower g = { .job = job };
	struct rmt_bins bins;
	struct rmt_hc_data hd;
	u8 *cls = malloc(d->n ? d->n : 1);
	u64 t0 = rmt_train_now_ns(), t1;
	u32 i, depth = 0;
	int rc;

	rc = cls ? rmt_bins_cuts(d, job->cart.max_bins, &bins) : -ENOMEM;
	if (rc) {
		free(cls);
		snprintf(res->err, sizeof(res->err), "out of memory binning");
		return rc;
	}
	for (i = 0; i < d->n; i++)
		cls[i] = (u8)d->y[i];
	hd = (struct rmt_hc_data){
		.n = d->n,
		.n_features = d->n_features,
		.n_classes = d->n_classes,
		.max_bins = job->cart.max_bins,
		.min_leaf = job->cart.min_samples_leaf,
		.type = d->type,
		.x = d->x,
		.frac = bins.frac,
		.cuts = bins.cuts,
		.n_bins = bins.n_bins,
		.cls = cls,
	};
	g.bins = &bins;
	t1 = rmt_train_now_ns();
	res->prep_ns = t1 - t0;
	rc = e->ops->cart_begin(e->ctx, &hd, res->err, sizeof(res->err));
	if (!rc) {
		rc = grow(&g, e, &depth, res->err, sizeof(res->err));
		e->ops->cart_end(e->ctx);
	}
	res->train_ns = rmt_train_now_ns() - t1;
	if (rc == -ENOMEM)
		snprintf(res->err, sizeof(res->err), "out of memory growing");
	if (!rc) {
		res->tree = (struct rmt_cart){
			.n_nodes = g.n_nodes,
			.depth = depth,
			.n_features = d->n_features,
			.n_classes = d->n_classes,
			.frac = bins.frac,
			.nodes = g.nodes,
		};
		g.nodes = NULL;
	}
	free(g.nodes);
	free(g.level);
	free(g.next);
	free(g.best);
	free(g.tot);
	free(g.route);
	free(cls);
	rmt_bins_free(&bins);
	return rc;
}
