// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * engine_cuda.c - the training engine on a CUDA device: the data of a job
 * is uploaded once, the per-level histogram, split and route kernels (or
 * the per-batch MLP kernels) run on the device, and only the small
 * per-level results come back.  Every driver error is -EIO with the step
 * and the driver's reason, so the backend can rerun the job on the CPU.
 */
#include <stdio.h>
#include <stdlib.h>

#include "offload/cuda/device.h"

#define BLOCK 256u
#define SMEM_MAX (48u << 10)
#define HIST_BLOCKS_X 256u

struct gpu {
	struct rmt_cuda_dev *d;
	/* CART */
	struct rmt_hc_data hd;
	CUdeviceptr bins, cuts, cls, nid, n_bins, hist, best, tot, route;
	size_t hist_len, best_len, tot_len, route_len;
	/* MLP */
	struct rmt_bmlp_task t;
	struct rmt_bmlp_net shape;
	CUdeviceptr x, y, perm;
	CUdeviceptr w[RMT_BMLP_MAX_HIDDEN + 1], b[RMT_BMLP_MAX_HIDDEN + 1];
	CUdeviceptr a[RMT_BMLP_MAX_HIDDEN + 2], dl[RMT_BMLP_MAX_HIDDEN + 2];
};

#define CK(g, call, step)                                              \
	do {                                                           \
		CUresult rc_ = (call);                                 \
		if (rc_ != CUDA_SUCCESS)                               \
			return cuda_fail(g, rc_, step, err, err_size); \
	} while (0)

static int cuda_fail(struct gpu *g, CUresult rc, const char *step, char *err,
		     size_t err_size)
{
	char why[128];

	rmt_cuda_error(&g->d->api, rc, why, sizeof(why));
	snprintf(err, err_size, "cuda: %s: %s", step, why);
	return -EIO;
}

static void dfree(struct gpu *g, CUdeviceptr *p)
{
	if (*p)
		g->d->api.mem_free(*p);
	*p = 0;
}

static CUresult dalloc(struct gpu *g, CUdeviceptr *p, size_t bytes)
{
	return g->d->api.mem_alloc(p, bytes ? bytes : 1);
}

/* Grow a scratch buffer to at least bytes. */
static CUresult dreserve(struct gpu *g, CUdeviceptr *p, size_t *len,
			 size_t bytes)
{
	CUresult rc;

	if (bytes <= *len)
		return CUDA_SUCCESS;
	dfree(g, p);
	*len = 0;
	rc = dalloc(g, p, bytes);
	if (rc == CUDA_SUCCESS)
		*len = bytes;
	return rc;
}

static CUresult launch(struct gpu *g, enum rmt_cuda_fn fn, size_t threads,
		       void **params)
{
	unsigned int blocks = (unsigned int)((threads + BLOCK - 1) / BLOCK);

	return g->d->api.launch_kernel(g->d->fn[fn], blocks ? blocks : 1, 1, 1,
				       BLOCK, 1, 1, 0, NULL, params, NULL);
}

static void cart_free(struct gpu *g)
{
	dfree(g, &g->bins);
	dfree(g, &g->cuts);
	dfree(g, &g->cls);
	dfree(g, &g->nid);
	dfree(g, &g->n_bins);
	dfree(g, &g->hist);
	dfree(g, &g->best);
	dfree(g, &g->tot);
	dfree(g, &g->route);
	g->hist_len = g->best_len = g->tot_len = g->route_len = 0;
}

/* Upload features, cuts and labels; the device bins the features. */
static int cart_upload(struct gpu *g, const struct rmt_hc_data *d,
		       CUdeviceptr *x, char *err, size_t err_size)
{
	const struct rmt_cuda_api *a = &g->d->api;
	size_t nf = (size_t)d->n * d->n_features;
	size_t cs = (size_t)d->n_features * d->max_bins * sizeof(s32);
	u32 n = d->n, F = d->n_features, B = d->max_bins, frac = d->frac;
	u32 is_float = d->type == RMT_FEAT_F32;
	void *p[] = { x,  &is_float, &frac, &g->cuts, &g->n_bins,
		      &n, &F,	     &B,    &g->bins };

	CK(g, dalloc(g, x, nf * 4), "allocating the features");
	CK(g, dalloc(g, &g->cuts, cs), "allocating the cuts");
	CK(g, dalloc(g, &g->bins, nf), "allocating the bins");
	CK(g, dalloc(g, &g->cls, d->n), "allocating the labels");
	CK(g, dalloc(g, &g->nid, (size_t)d->n * sizeof(s32)),
	   "allocating the node ids");
	CK(g, dalloc(g, &g->n_bins, d->n_features * sizeof(u32)),
	   "allocating the bin counts");
	CK(g, a->memcpy_htod(*x, d->x, nf * 4), "uploading the features");
	CK(g, a->memcpy_htod(g->cuts, d->cuts, cs), "uploading the cuts");
	CK(g, a->memcpy_htod(g->cls, d->cls, d->n), "uploading the labels");
	CK(g, a->memcpy_htod(g->n_bins, d->n_bins, d->n_features * sizeof(u32)),
	   "uploading the bin counts");
	CK(g, a->memset_d8(g->nid, 0, (size_t)d->n * sizeof(s32)),
	   "clearing the node ids");
	CK(g, launch(g, RMT_CUDA_HC_BIN, nf, p), "launching rmt_hc_bin");
	return 0;
}

static int gpu_cart_begin(void *e, const struct rmt_hc_data *d, char *err,
			  size_t err_size)
{
	struct gpu *g = e;
	CUdeviceptr x = 0;
	int rc;

	g->hd = *d;
	rc = cart_upload(g, d, &x, err, err_size);
	dfree(g, &x);
	if (rc)
		cart_free(g);
	return rc;
}

static int gpu_cart_level(void *e, u32 n0, u32 nn, struct rmt_hc_best *best,
			  u32 *tot, char *err, size_t err_size)
{
	struct gpu *g = e;
	const struct rmt_cuda_api *a = &g->d->api;
	u32 n = g->hd.n, F = g->hd.n_features, B = g->hd.max_bins;
	u32 K = g->hd.n_classes, min_leaf = g->hd.min_leaf;
	size_t hist = (size_t)nn * F * B * K * sizeof(u32);
	size_t smem = (size_t)nn * B * K * sizeof(u32);
	u32 use_smem = smem <= SMEM_MAX, gx = (n + BLOCK - 1) / BLOCK;
	s32 s0 = (s32)n0;
	void *hp[] = { &g->bins, &g->cls, &g->nid, &n,	     &F,       &B,
		       &K,	 &s0,	  &nn,	   &g->hist, &use_smem };
	void *bp[] = { &g->hist, &g->n_bins, &F,       &B,     &K,
		       &nn,	 &min_leaf,  &g->best, &g->tot };

	if (gx > HIST_BLOCKS_X)
		gx = HIST_BLOCKS_X;
	CK(g, dreserve(g, &g->hist, &g->hist_len, hist),
	   "allocating histograms");
	CK(g,
	   dreserve(g, &g->best, &g->best_len, (size_t)nn * F * sizeof(*best)),
	   "allocating split results");
	CK(g, dreserve(g, &g->tot, &g->tot_len, (size_t)nn * K * sizeof(u32)),
	   "allocating class totals");
	CK(g, a->memset_d8(g->hist, 0, hist), "clearing histograms");
	CK(g,
	   a->launch_kernel(g->d->fn[RMT_CUDA_HC_HIST], gx, F, 1, BLOCK, 1, 1,
			    use_smem ? (unsigned int)smem : 0, NULL, hp, NULL),
	   "launching rmt_hc_hist");
	CK(g, launch(g, RMT_CUDA_HC_BEST, (size_t)nn * F, bp),
	   "launching rmt_hc_best_split");
	CK(g, a->memcpy_dtoh(best, g->best, (size_t)nn * F * sizeof(*best)),
	   "downloading splits");
	CK(g, a->memcpy_dtoh(tot, g->tot, (size_t)nn * K * sizeof(u32)),
	   "downloading class totals");
	return 0;
}

static int gpu_cart_route(void *e, u32 nn, const struct rmt_hc_route *route,
			  char *err, size_t err_size)
{
	struct gpu *g = e;
	u32 n = g->hd.n;
	void *p[] = { &g->bins, &g->nid, &n, &g->route };

	CK(g,
	   dreserve(g, &g->route, &g->route_len, (size_t)nn * sizeof(*route)),
	   "allocating routes");
	CK(g, g->d->api.memcpy_htod(g->route, route, nn * sizeof(*route)),
	   "uploading routes");
	CK(g, launch(g, RMT_CUDA_HC_ROUTE, n, p), "launching rmt_hc_route");
	return 0;
}

static void gpu_cart_end(void *e)
{
	cart_free(e);
}

static void mlp_free(struct gpu *g)
{
	u32 l;

	dfree(g, &g->x);
	dfree(g, &g->y);
	dfree(g, &g->perm);
	for (l = 0; l <= RMT_BMLP_MAX_HIDDEN + 1; l++) {
		if (l <= RMT_BMLP_MAX_HIDDEN) {
			dfree(g, &g->w[l]);
			dfree(g, &g->b[l]);
		}
		dfree(g, &g->a[l]);
		dfree(g, &g->dl[l]);
	}
}

static int mlp_upload(struct gpu *g, const struct rmt_bmlp_task *t, char *err,
		      size_t err_size)
{
	const struct rmt_cuda_api *a = &g->d->api;
	const struct rmt_bmlp_net *n = t->init;
	size_t xs = (size_t)t->n * n->size[0] * sizeof(float);
	u32 l;

	CK(g, dalloc(g, &g->x, xs), "allocating features");
	CK(g, dalloc(g, &g->y, t->n), "allocating labels");
	CK(g, dalloc(g, &g->perm, (size_t)t->n * sizeof(u32)),
	   "allocating the row order");
	CK(g, a->memcpy_htod(g->x, t->x, xs), "uploading features");
	CK(g, a->memcpy_htod(g->y, t->y, t->n), "uploading labels");
	for (l = 0; l < n->n_layers; l++) {
		size_t ws = (size_t)n->size[l] * n->size[l + 1] * sizeof(float);
		size_t bs = n->size[l + 1] * sizeof(float);

		CK(g, dalloc(g, &g->w[l], ws), "allocating weights");
		CK(g, dalloc(g, &g->b[l], bs), "allocating biases");
		CK(g, a->memcpy_htod(g->w[l], n->w[l], ws),
		   "uploading weights");
		CK(g, a->memcpy_htod(g->b[l], n->b[l], bs), "uploading biases");
	}
	for (l = 0; l <= n->n_layers; l++) {
		size_t as = (size_t)t->batch * n->size[l] * sizeof(float);

		CK(g, dalloc(g, &g->a[l], as), "allocating activations");
		CK(g, dalloc(g, &g->dl[l], as), "allocating deltas");
	}
	return 0;
}

static int gpu_mlp_begin(void *e, const struct rmt_bmlp_task *t, char *err,
			 size_t err_size)
{
	struct gpu *g = e;
	int rc;

	g->t = *t;
	g->shape = *t->init;
	rc = mlp_upload(g, t, err, err_size);
	if (rc)
		mlp_free(g);
	return rc;
}

/* Forward, delta, backward and update for rows perm[at..at+bs). */
static int mlp_batch(struct gpu *g, u32 at, u32 bs, char *err, size_t err_size)
{
	const struct rmt_bmlp_net *n = &g->shape;
	u32 L = n->n_layers, F = n->size[0], K = n->size[L], l, act;
	u32 hidden_act = n->act == RMT_BMLP_TANH ? 2 : 1, none = 0;
	CUdeviceptr rows = g->perm + (size_t)at * sizeof(u32);
	float lr = g->t.lr, l2 = g->t.l2;
	void *gp[] = { &g->x, &rows, &bs, &F, &g->a[0] };
	void *dp[] = { &g->a[L], &g->y, &rows, &bs, &K, &g->dl[L] };

	CK(g, launch(g, RMT_CUDA_MLP_GATHER, (size_t)bs * F, gp),
	   "launching rmt_mlp_gather");
	for (l = 0; l < L; l++) {
		u32 I = n->size[l], O = n->size[l + 1];
		void *fp[] = { &g->w[l], &g->b[l], &g->a[l], &g->a[l + 1],
			       &bs,	 &I,	   &O,	     &act };

		act = l + 1 < L ? hidden_act : none;
		CK(g, launch(g, RMT_CUDA_MLP_FORWARD, (size_t)bs * O, fp),
		   "launching rmt_mlp_forward");
	}
	CK(g, launch(g, RMT_CUDA_MLP_OUT_DELTA, bs, dp),
	   "launching rmt_mlp_out_delta");
	for (l = L; l-- > 0;) {
		u32 I = n->size[l], O = n->size[l + 1];
		void *bp[] = { &g->w[l],  &g->dl[l + 1], &g->a[l],
			       &g->dl[l], &bs,		 &I,
			       &O,	  &hidden_act };
		void *up[] = { &g->w[l], &g->b[l], &g->dl[l + 1], &g->a[l], &bs,
			       &I,	 &O,	   &lr,		  &l2 };

		if (l > 0)
			CK(g,
			   launch(g, RMT_CUDA_MLP_BACKWARD, (size_t)bs * I, bp),
			   "launching rmt_mlp_backward");
		CK(g, launch(g, RMT_CUDA_MLP_UPDATE, (size_t)O * (I + 1), up),
		   "launching rmt_mlp_update");
	}
	return 0;
}

static int gpu_mlp_epoch(void *e, const u32 *perm, char *err, size_t err_size)
{
	struct gpu *g = e;
	u32 at, bs;
	int rc;

	CK(g,
	   g->d->api.memcpy_htod(g->perm, perm, (size_t)g->t.n * sizeof(u32)),
	   "uploading the row order");
	for (at = 0; at < g->t.n; at += bs) {
		bs = g->t.n - at < g->t.batch ? g->t.n - at : g->t.batch;
		rc = mlp_batch(g, at, bs, err, err_size);
		if (rc)
			return rc;
	}
	CK(g, g->d->api.ctx_synchronize(), "running an epoch");
	return 0;
}

static int mlp_download(struct gpu *g, struct rmt_bmlp_net *out, char *err,
			size_t err_size)
{
	const struct rmt_bmlp_net *n = &g->shape;
	u32 l;

	for (l = 0; l < n->n_layers; l++) {
		CK(g,
		   g->d->api.memcpy_dtoh(out->w[l], g->w[l],
					 (size_t)n->size[l] * n->size[l + 1] *
						 sizeof(float)),
		   "downloading weights");
		CK(g,
		   g->d->api.memcpy_dtoh(out->b[l], g->b[l],
					 n->size[l + 1] * sizeof(float)),
		   "downloading biases");
	}
	return 0;
}

static int gpu_mlp_end(void *e, struct rmt_bmlp_net *out, char *err,
		       size_t err_size)
{
	struct gpu *g = e;
	int rc = out ? mlp_download(g, out, err, err_size) : 0;

	mlp_free(g);
	return rc;
}

static const struct rmt_engine_ops gpu_ops = {
	.cart_begin = gpu_cart_begin,
	.cart_level = gpu_cart_level,
	.cart_route = gpu_cart_route,
	.cart_end = gpu_cart_end,
	.mlp_begin = gpu_mlp_begin,
	.mlp_epoch = gpu_mlp_epoch,
	.mlp_end = gpu_mlp_end,
};

int rmt_engine_cuda_init(struct rmt_engine *e, struct rmt_cuda_dev *d)
{
	struct gpu *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->d = d;
	e->ops = &gpu_ops;
	e->ctx = g;
	snprintf(e->name, sizeof(e->name), "cuda: %.120s", d->describe);
	return 0;
}

void rmt_engine_cuda_fini(struct rmt_engine *e)
{
	free(e->ctx);
	e->ctx = NULL;
}
