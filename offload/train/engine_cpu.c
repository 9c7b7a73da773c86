// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * engine_cpu.c - the engine on one CPU thread: histograms counted row by
 * row, splits scanned with split.h, MLP batches forward and backward in
 * plain loops.  The reference the other engines are checked against.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "offload/train/job.h"
#include "offload/train/split.h"

struct cpu {
	/* CART */
	struct rmt_hc_data d;
	u8 *bins; /* [feature][row] */
	s32 *nid; /* node of each row in the current level, -1: done */
	u32 *hist; /* [node][feature][bin][class] */
	size_t hist_len;
	/* MLP */
	struct rmt_bmlp_task t;
	struct rmt_bmlp_net net;
	float *gw[RMT_BMLP_MAX_HIDDEN + 1], *gb[RMT_BMLP_MAX_HIDDEN + 1];
	float *a[RMT_BMLP_MAX_HIDDEN + 2]; /* [batch][width] */
	float *dl[RMT_BMLP_MAX_HIDDEN + 2];
};

static void cpu_cart_end(void *e);

static s32 feature_value(const struct rmt_hc_data *d, size_t at)
{
	if (d->type == RMT_FEAT_S32)
		return ((const s32 *)d->x)[at];
	return rmt_train_quantize_input((double)((const float *)d->x)[at],
					d->frac);
}

static int cpu_cart_begin(void *e, const struct rmt_hc_data *d, char *err,
			  size_t err_size)
{
	struct cpu *c = e;
	u32 f, r, F = d->n_features;

	c->d = *d;
	c->nid = calloc(d->n, sizeof(*c->nid));
	c->bins = malloc((size_t)d->n * F);
	if (!c->nid || !c->bins) {
		cpu_cart_end(c);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	/* Row by row, the order x is stored in. */
	for (r = 0; r < d->n; r++)
		for (f = 0; f < F; f++)
			c->bins[(size_t)f * d->n + r] = (u8)rmt_train_find_bin(
				d->cuts + (size_t)f * d->max_bins,
				d->n_bins[f] - 1,
				feature_value(d, (size_t)r * F + f));
	return 0;
}

static int cpu_cart_level(void *e, u32 n0, u32 nn, struct rmt_hc_best *best,
			  u32 *tot, char *err, size_t err_size)
{
	struct cpu *c = e;
	u32 F = c->d.n_features, B = c->d.max_bins, K = c->d.n_classes;
	size_t len = (size_t)nn * F * B * K, fbk = (size_t)F * B * K;
	u32 f, r, i, k, b;

	if (len > c->hist_len) {
		free(c->hist);
		c->hist = malloc(len * sizeof(u32));
		c->hist_len = c->hist ? len : 0;
		if (!c->hist) {
			snprintf(err, err_size, "out of memory");
			return -ENOMEM;
		}
	}
	memset(c->hist, 0, len * sizeof(u32));
	for (f = 0; f < F; f++) {
		const u8 *col = c->bins + (size_t)f * c->d.n;
		u32 *h = c->hist + (size_t)f * B * K;

		for (r = 0; r < c->d.n; r++) {
			u32 node = (u32)c->nid[r] - n0;

			if (c->nid[r] >= 0 && node < nn)
				h[node * fbk + (size_t)col[r] * K +
				  c->d.cls[r]]++;
		}
	}
	for (i = 0; i < nn; i++) {
		const u32 *h0 = c->hist + i * fbk;

		for (f = 0; f < F; f++)
			rmt_hc_scan(h0 + (size_t)f * B * K, c->d.n_bins[f], K,
				    c->d.min_leaf, &best[(size_t)i * F + f]);
		for (k = 0; k < K; k++) {
			tot[(size_t)i * K + k] = 0;
			for (b = 0; b < c->d.n_bins[0]; b++)
				tot[(size_t)i * K + k] += h0[b * K + k];
		}
	}
	return 0;
}

static int cpu_cart_route(void *e, u32 nn, const struct rmt_hc_route *route,
			  char *err, size_t err_size)
{
	struct cpu *c = e;
	u32 r;

	for (r = 0; r < c->d.n; r++) {
		const struct rmt_hc_route *rt;

		if (c->nid[r] < 0)
			continue;
		rt = &route[c->nid[r]];
		if (rt->feature < 0) {
			c->nid[r] = -1;
			continue;
		}
		c->nid[r] = (s32)(rt->left +
				  (c->bins[(size_t)rt->feature * c->d.n + r] >
				   rt->bin));
	}
	return 0;
}

static void cpu_cart_end(void *e)
{
	struct cpu *c = e;

	free(c->nid);
	free(c->hist);
	free(c->bins);
	c->bins = NULL;
	c->nid = NULL;
	c->hist = NULL;
	c->hist_len = 0;
}

static void mlp_release(struct cpu *c)
{
	u32 l;

	for (l = 0; l <= RMT_BMLP_MAX_HIDDEN + 1; l++) {
		if (l <= RMT_BMLP_MAX_HIDDEN) {
			free(c->net.w[l]);
			free(c->net.b[l]);
			free(c->gw[l]);
			free(c->gb[l]);
			c->net.w[l] = c->net.b[l] = c->gw[l] = c->gb[l] = NULL;
		}
		free(c->a[l]);
		free(c->dl[l]);
		c->a[l] = c->dl[l] = NULL;
	}
}

static int cpu_mlp_begin(void *e, const struct rmt_bmlp_task *t, char *err,
			 size_t err_size)
{
	struct cpu *c = e;
	const struct rmt_bmlp_net *in = t->init;
	u32 l, L = in->n_layers;
	bool ok = true;

	c->t = *t;
	c->net = *in;
	for (l = 0; l < L; l++) {
		size_t nw = (size_t)in->size[l] * in->size[l + 1];

		c->net.w[l] = malloc(nw * sizeof(float));
		c->net.b[l] = malloc(in->size[l + 1] * sizeof(float));
		c->gw[l] = malloc(nw * sizeof(float));
		c->gb[l] = malloc(in->size[l + 1] * sizeof(float));
		ok = ok && c->net.w[l] && c->net.b[l] && c->gw[l] && c->gb[l];
		if (c->net.w[l])
			memcpy(c->net.w[l], in->w[l], nw * sizeof(float));
		if (c->net.b[l])
			memcpy(c->net.b[l], in->b[l],
			       in->size[l + 1] * sizeof(float));
	}
	for (l = 0; l <= L; l++) {
		c->a[l] =
			malloc((size_t)t->batch * in->size[l] * sizeof(float));
		c->dl[l] =
			malloc((size_t)t->batch * in->size[l] * sizeof(float));
		ok = ok && c->a[l] && c->dl[l];
	}
	if (!ok) {
		mlp_release(c);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static float act(enum rmt_bmlp_act a, float v)
{
	if (a == RMT_BMLP_TANH)
		return tanhf(v);
	return v > 0 ? v : 0;
}

/* Derivative from the activation's output. */
static float act_d(enum rmt_bmlp_act a, float y)
{
	if (a == RMT_BMLP_TANH)
		return 1 - y * y;
	return y > 0 ? 1.0f : 0.0f;
}

static void forward(struct cpu *c, u32 bs)
{
	const struct rmt_bmlp_net *n = &c->net;
	u32 l, s, o, i;

	for (l = 0; l < n->n_layers; l++) {
		u32 I = n->size[l], O = n->size[l + 1];

		for (s = 0; s < bs; s++) {
			for (o = 0; o < O; o++) {
				const float *w = n->w[l] + (size_t)o * I;
				const float *x = c->a[l] + (size_t)s * I;
				float v = n->b[l][o];

				for (i = 0; i < I; i++)
					v += w[i] * x[i];
				c->a[l + 1][(size_t)s * O + o] =
					l + 1 < n->n_layers ? act(n->act, v) :
							      v;
			}
		}
	}
}

/* Softmax cross-entropy: the delta of the logits, averaged over bs. */
static void out_delta(struct cpu *c, const u32 *rows, u32 bs)
{
	u32 L = c->net.n_layers, K = c->net.size[L], s, k;

	for (s = 0; s < bs; s++) {
		const float *z = c->a[L] + (size_t)s * K;
		float *d = c->dl[L] + (size_t)s * K, m = z[0], sum = 0;

		for (k = 1; k < K; k++)
			m = z[k] > m ? z[k] : m;
		for (k = 0; k < K; k++) {
			d[k] = expf(z[k] - m);
			sum += d[k];
		}
		for (k = 0; k < K; k++)
			d[k] = (d[k] / sum - (k == c->t.y[rows[s]])) / bs;
	}
}

/* Deltas of layer l's input, with layer l's weights before the update. */
static void backward(struct cpu *c, u32 l, u32 bs)
{
	const struct rmt_bmlp_net *n = &c->net;
	u32 I = n->size[l], O = n->size[l + 1], s, o, i;

	for (s = 0; s < bs; s++) {
		for (i = 0; i < I; i++) {
			float v = 0;

			for (o = 0; o < O; o++)
				v += n->w[l][(size_t)o * I + i] *
				     c->dl[l + 1][(size_t)s * O + o];
			c->dl[l][(size_t)s * I + i] =
				v * act_d(n->act, c->a[l][(size_t)s * I + i]);
		}
	}
}

static void update(struct cpu *c, u32 l, u32 bs)
{
	struct rmt_bmlp_net *n = &c->net;
	u32 I = n->size[l], O = n->size[l + 1], s, o, i;
	float lr = c->t.lr, l2 = c->t.l2;

	for (o = 0; o < O; o++) {
		float gb = 0;

		for (i = 0; i < I; i++) {
			float g = 0;

			for (s = 0; s < bs; s++)
				g += c->dl[l + 1][(size_t)s * O + o] *
				     c->a[l][(size_t)s * I + i];
			n->w[l][(size_t)o * I + i] -=
				lr * (g + l2 * n->w[l][(size_t)o * I + i]);
		}
		for (s = 0; s < bs; s++)
			gb += c->dl[l + 1][(size_t)s * O + o];
		n->b[l][o] -= lr * gb;
	}
}

static int cpu_mlp_epoch(void *e, const u32 *perm, char *err, size_t err_size)
{
	struct cpu *c = e;
	u32 F = c->net.size[0], at, bs, s, l;

	for (at = 0; at < c->t.n; at += bs) {
		bs = c->t.n - at < c->t.batch ? c->t.n - at : c->t.batch;
		for (s = 0; s < bs; s++)
			memcpy(c->a[0] + (size_t)s * F,
			       c->t.x + (size_t)perm[at + s] * F,
			       F * sizeof(float));
		forward(c, bs);
		out_delta(c, perm + at, bs);
		for (l = c->net.n_layers; l-- > 0;) {
			if (l > 0)
				backward(c, l, bs);
			update(c, l, bs);
		}
	}
	return 0;
}

static int cpu_mlp_end(void *e, struct rmt_bmlp_net *out, char *err,
		       size_t err_size)
{
	struct cpu *c = e;
	u32 l;

	for (l = 0; out && l < c->net.n_layers; l++) {
		memcpy(out->w[l], c->net.w[l],
		       (size_t)c->net.size[l] * c->net.size[l + 1] *
			       sizeof(float));
		memcpy(out->b[l], c->net.b[l],
		       c->net.size[l + 1] * sizeof(float));
	}
	mlp_release(c);
	return 0;
}

static const struct rmt_engine_ops cpu_ops = {
	.cart_begin = cpu_cart_begin,
	.cart_level = cpu_cart_level,
	.cart_route = cpu_cart_route,
	.cart_end = cpu_cart_end,
	.mlp_begin = cpu_mlp_begin,
	.mlp_epoch = cpu_mlp_epoch,
	.mlp_end = cpu_mlp_end,
};

int rmt_engine_cpu_init(struct rmt_engine *e, const char *name)
{
	e->ctx = calloc(1, sizeof(struct cpu));
	if (!e->ctx)
		return -ENOMEM;
	e->ops = &cpu_ops;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return 0;
}

void rmt_engine_cpu_fini(struct rmt_engine *e)
{
	free(e->ctx);
	e->ctx = NULL;
}
