// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bmlp.c - MLP training by mini-batch SGD, the host side: standardise the
 * features, draw the initial weights (Glorot uniform) and each epoch's
 * row order from the job's seed, let the engine run the epochs, and hand
 * the result back as mlib's float MLP.  Engines differ only in the order
 * of their float sums, so their weights agree within float tolerance.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "offload/train/bins.h"
#include "offload/train/job.h"

static u64 next_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double uniform01(u64 *s)
{
	return (double)(next_rand(s) >> 11) / 9007199254740992.0;
}

static double feature(const struct rmt_train_data *d, size_t at)
{
	if (d->type == RMT_FEAT_S32)
		return (double)((const s32 *)d->x)[at];
	return (double)((const float *)d->x)[at];
}

/* Standardised features (float) and mean/std per feature (double). */
static int standardise(const struct rmt_train_data *d, struct rmt_fmlp *m,
		       float **out)
{
	u32 F = d->n_features, f, i;
	size_t at;
	float *z = malloc((size_t)d->n * F * sizeof(*z));

	m->mean = calloc(F, sizeof(double));
	m->std = calloc(F, sizeof(double));
	if (!z || !m->mean || !m->std) {
		free(z);
		return -ENOMEM;
	}
	for (i = 0; i < d->n; i++)
		for (f = 0; f < F; f++)
			m->mean[f] += feature(d, (size_t)i * F + f);
	for (f = 0; f < F; f++)
		m->mean[f] /= d->n;
	for (i = 0; i < d->n; i++) {
		for (f = 0; f < F; f++) {
			double v = feature(d, (size_t)i * F + f) - m->mean[f];

			m->std[f] += v * v;
		}
	}
	for (f = 0; f < F; f++) {
		m->std[f] = sqrt(m->std[f] / d->n);
		if (!(m->std[f] > 1e-12))
			m->std[f] = 1;
	}
	for (i = 0, at = 0; i < d->n; i++)
		for (f = 0; f < F; f++, at++)
			z[at] = (float)((feature(d, at) - m->mean[f]) /
					m->std[f]);
	*out = z;
	return 0;
}

static void net_free(struct rmt_bmlp_net *n)
{
	u32 l;

	for (l = 0; l < n->n_layers; l++) {
		free(n->w[l]);
		free(n->b[l]);
	}
}

static int net_alloc(struct rmt_bmlp_net *n, const struct rmt_train_job *job)
{
	const struct rmt_bmlp_params *p = &job->mlp;
	u32 l;

	memset(n, 0, sizeof(*n));
	n->n_layers = p->n_hidden + 1;
	n->act = p->act;
	n->size[0] = job->data.n_features;
	for (l = 0; l < p->n_hidden; l++)
		n->size[l + 1] = p->hidden[l];
	n->size[n->n_layers] = job->data.n_classes;
	for (l = 0; l < n->n_layers; l++) {
		n->w[l] = calloc((size_t)n->size[l] * n->size[l + 1],
				 sizeof(float));
		n->b[l] = calloc(n->size[l + 1], sizeof(float));
		if (!n->w[l] || !n->b[l]) {
			net_free(n);
			return -ENOMEM;
		}
	}
	return 0;
}

static void net_init(struct rmt_bmlp_net *n, u64 *rng)
{
	u32 l;
	size_t i;

	for (l = 0; l < n->n_layers; l++) {
		double lim = sqrt(6.0 / (n->size[l] + n->size[l + 1]));
		size_t nw = (size_t)n->size[l] * n->size[l + 1];

		for (i = 0; i < nw; i++)
			n->w[l][i] = (float)((2 * uniform01(rng) - 1) * lim);
	}
}

/* mlib's float MLP from the trained weights. */
static int to_fmlp(const struct rmt_bmlp_net *n, struct rmt_fmlp *m)
{
	u32 l;
	size_t i, nw;

	m->n_layers = n->n_layers;
	m->act = n->act == RMT_BMLP_TANH ? RMT_FMLP_TANH : RMT_FMLP_RELU;
	for (l = 0; l <= n->n_layers; l++)
		m->size[l] = n->size[l];
	for (l = 0; l < n->n_layers; l++) {
		nw = (size_t)n->size[l] * n->size[l + 1];
		m->w[l] = malloc(nw * sizeof(double));
		m->b[l] = malloc(n->size[l + 1] * sizeof(double));
		if (!m->w[l] || !m->b[l])
			return -ENOMEM;
		for (i = 0; i < nw; i++)
			m->w[l][i] = n->w[l][i];
		for (i = 0; i < n->size[l + 1]; i++)
			m->b[l][i] = n->b[l][i];
	}
	return 0;
}

static int run_epochs(const struct rmt_train_job *job,
		      const struct rmt_engine *e, u64 *rng, u32 *perm,
		      char *err, size_t err_size)
{
	u32 ep, i, j, t, n = job->data.n;
	int rc = 0;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (ep = 0; ep < job->mlp.epochs && !rc; ep++) {
		for (i = n - 1; i > 0; i--) {
			j = (u32)(next_rand(rng) % (i + 1));
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		rc = e->ops->mlp_epoch(e->ctx, perm, err, err_size);
	}
	return rc;
}

int rmt_bmlp_train(const struct rmt_train_job *job, const struct rmt_engine *e,
		   struct rmt_train_result *res)
{
	const struct rmt_train_data *d = &job->data;
	struct rmt_fmlp *m = &res->mlp;
	struct rmt_bmlp_net net;
	struct rmt_bmlp_task task;
	u64 rng = job->mlp.seed ? job->mlp.seed : 1, t0 = rmt_train_now_ns();
	float *z = NULL;
	u8 *y = malloc(d->n);
	u32 *perm = malloc((size_t)d->n * sizeof(*perm)), i;
	int rc;

	rc = y && perm ? standardise(d, m, &z) : -ENOMEM;
	if (!rc)
		rc = net_alloc(&net, job);
	if (rc) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		goto out;
	}
	for (i = 0; i < d->n; i++)
		y[i] = (u8)d->y[i];
	net_init(&net, &rng);
	task = (struct rmt_bmlp_task){ .n = d->n,
				       .x = z,
				       .y = y,
				       .batch = job->mlp.batch,
				       .lr = job->mlp.lr,
				       .l2 = job->mlp.l2,
				       .init = &net };
	res->prep_ns = rmt_train_now_ns() - t0;
	t0 = rmt_train_now_ns();
	rc = e->ops->mlp_begin(e->ctx, &task, res->err, sizeof(res->err));
	if (!rc) {
		rc = run_epochs(job, e, &rng, perm, res->err, sizeof(res->err));
		if (!rc)
			rc = e->ops->mlp_end(e->ctx, &net, res->err,
					     sizeof(res->err));
		else
			e->ops->mlp_end(e->ctx, NULL, NULL, 0);
	}
	res->train_ns = rmt_train_now_ns() - t0;
	if (!rc) {
		rc = to_fmlp(&net, m);
		if (rc)
			snprintf(res->err, sizeof(res->err), "out of memory");
		m->frac = rmt_bins_frac(d);
		m->epochs = job->mlp.epochs;
	}
	net_free(&net);
out:
	free(z);
	free(y);
	free(perm);
	return rc;
}
