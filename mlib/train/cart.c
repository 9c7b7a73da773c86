// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cart.c - histogram-based CART training.  Features are quantized to the
 * model's fixed point, then binned once (exact values when a feature has
 * at most max_bins of them, sample quantiles otherwise).  Each node's
 * histogram of class weights per (feature, bin) gives every candidate
 * split in one scan; only the smaller child's histogram is counted, the
 * larger one is the parent's minus it.  The approach follows LightGBM's
 * histogram trees (Ke et al., NeurIPS 2017); see docs/mlib.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlib/train/cart.h"
#include "mlib/train/cuts.h"

/* All values when at most CART_EXACT rows, else a sample for the cuts. */
#define CART_EXACT 16384u
#define CART_SAMPLE 4096u

struct hist {
	double *stats; /* [F][B][K] */
	u32 *cnt; /* [F][B] */
};

struct builder {
	const struct rmt_cart_params *p;
	u32 F, B, K, C;
	bool regression;
	u8 *bins; /* [row][F] */
	u32 *n_bins; /* per feature */
	s32 *lo, *hi; /* [F][B]: smallest, largest quantized value */
	u8 *cls; /* per row */
	double *w, *wy; /* per row */
	struct hist *pool;
	u32 pool_free;
	struct hist **free_list;
	struct rmt_cart_node *nodes;
	u32 n_nodes, cap;
	u32 *feat; /* feature permutation for sampling */
	u64 rng;
	double *left, *right; /* K doubles each: scan state */
	u32 max_depth_seen;
};

void rmt_cart_params_default(struct rmt_cart_params *p)
{
	memset(p, 0, sizeof(*p));
	p->criterion = RMT_CART_GINI;
	p->max_depth = 8;
	p->min_samples_leaf = 1;
	p->max_bins = 256;
	p->seed = 1;
}

static u64 xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void bin_feature(struct builder *b, const s32 *q, u32 n, u32 f,
			s32 *sample, u32 ns, s32 *cuts)
{
	u32 i, nb, F = b->F;

	for (i = 0; i < ns; i++)
		sample[i] = q[(size_t)i * n / ns];
	nb = rmt_train_cuts(sample, sample + ns, ns, b->B, cuts);
	b->n_bins[f] = nb;
	for (i = 0; i < b->B; i++) {
		b->lo[f * b->B + i] = INT32_MAX;
		b->hi[f * b->B + i] = INT32_MIN;
	}
	for (i = 0; i < n; i++) {
		u32 bin = rmt_train_find_bin(cuts, nb - 1, q[i]);
		u32 at = f * b->B + bin;

		b->bins[(size_t)i * F + f] = (u8)bin;
		if (q[i] < b->lo[at])
			b->lo[at] = q[i];
		if (q[i] > b->hi[at])
			b->hi[at] = q[i];
	}
}

/*
 * Quantize every feature (row by row, the order x is stored in), then bin
 * each column: exact values when few, else quantiles of a sample.
 */
static int bin_features(struct builder *b, const struct rmt_dataset *ds,
			u32 frac)
{
	u32 n = ds->n, F = b->F, ns = n <= CART_EXACT ? n : CART_SAMPLE;
	s32 *sample = malloc(2 * ns * sizeof(*sample)); /* and scratch */
	s32 *cuts = malloc(b->B * sizeof(*cuts));
	s32 *q = malloc((size_t)n * F * sizeof(*q));
	u32 f, i;

	if (!sample || !cuts || !q) {
		free(sample);
		free(cuts);
		free(q);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		for (f = 0; f < F; f++)
			q[(size_t)f * n + i] = rmt_train_quantize_input(
				ds->x[(size_t)i * F + f], frac);
	for (f = 0; f < F; f++)
		bin_feature(b, q + (size_t)f * n, n, f, sample, ns, cuts);
	free(sample);
	free(cuts);
	free(q);
	return 0;
}

static struct hist *hist_get(struct builder *b)
{
	struct hist *h = b->free_list[--b->pool_free];

	memset(h->stats, 0, (size_t)b->F * b->B * b->K * sizeof(double));
	memset(h->cnt, 0, (size_t)b->F * b->B * sizeof(u32));
	return h;
}

static void hist_put(struct builder *b, struct hist *h)
{
	b->free_list[b->pool_free++] = h;
}

static void hist_add_rows(struct builder *b, struct hist *h, const u32 *rows,
			  u32 n)
{
	u32 F = b->F, B = b->B, K = b->K, i, f;

	for (i = 0; i < n; i++) {
		u32 r = rows[i];
		const u8 *bin = b->bins + (size_t)r * F;

		for (f = 0; f < F; f++) {
			size_t at = (size_t)f * B + bin[f];

			h->cnt[at]++;
			if (b->regression) {
				h->stats[at * 2] += b->w[r];
				h->stats[at * 2 + 1] += b->wy[r];
			} else {
				h->stats[at * K + b->cls[r]] += b->w[r];
			}
		}
	}
}

static void hist_sub(struct builder *b, struct hist *h, const struct hist *s)
{
	size_t i, n = (size_t)b->F * b->B;

	for (i = 0; i < n * b->K; i++)
		h->stats[i] -= s->stats[i];
	for (i = 0; i < n; i++)
		h->cnt[i] -= s->cnt[i];
}

static double weight_of(const struct builder *b, const double *s)
{
	double w = 0;
	u32 c;

	if (b->regression)
		return s[0];
	for (c = 0; c < b->K; c++)
		w += s[c];
	return w;
}

/*
 * The larger the better; gain = score(children) - score(parent).  Gini:
 * sum_c s_c^2 / w; entropy: sum_c s_c log(s_c / w); MSE: (sum wy)^2 / w.
 */
static double score(const struct builder *b, const double *s, double w)
{
	double acc = 0;
	u32 c;

	if (w <= 0)
		return 0;
	if (b->regression)
		return s[1] * s[1] / w;
	if (b->p->criterion == RMT_CART_ENTROPY) {
		for (c = 0; c < b->K; c++)
			if (s[c] > 0)
				acc += s[c] * log(s[c] / w);
		return acc;
	}
	for (c = 0; c < b->K; c++)
		acc += s[c] * s[c];
	return acc / w;
}

struct split {
	s32 feature;
	u32 bin;
	double gain;
};

static void scan_feature(struct builder *b, const struct hist *h, u32 f,
			 const double *tot, u32 n, double parent,
			 struct split *best)
{
	u32 K = b->K, k, bin, nl = 0, min = b->p->min_samples_leaf;
	double *l = b->left, *r = b->right, g, lw = 0;
	double tw = weight_of(b, tot);

	memset(l, 0, K * sizeof(*l));
	for (bin = 0; bin + 1 < b->n_bins[f]; bin++) {
		size_t at = (size_t)f * b->B + bin;
		const double *st = h->stats + at * K;

		if (!h->cnt[at])
			continue;
		nl += h->cnt[at];
		for (k = 0; k < K; k++)
			l[k] += st[k];
		lw = weight_of(b, l);
		if (nl < min)
			continue;
		if (n - nl < min || nl == n)
			break;
		if (lw <= 0 || tw - lw <= 0)
			continue;
		for (k = 0; k < K; k++)
			r[k] = tot[k] - l[k];
		g = score(b, l, lw) + score(b, r, tw - lw) - parent;
		if (g > best->gain) {
			best->gain = g;
			best->feature = (s32)f;
			best->bin = bin;
		}
	}
}

static int new_node(struct builder *b, u32 depth)
{
	if (b->n_nodes == b->cap) {
		u32 cap = b->cap ? b->cap * 2 : 256;
		struct rmt_cart_node *n = realloc(b->nodes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->nodes = n;
		b->cap = cap;
	}
	memset(&b->nodes[b->n_nodes], 0, sizeof(*b->nodes));
	b->nodes[b->n_nodes].feature = -1;
	b->nodes[b->n_nodes].depth = depth;
	if (depth > b->max_depth_seen)
		b->max_depth_seen = depth;
	return (int)b->n_nodes++;
}

static void set_leaf(struct builder *b, struct rmt_cart_node *nd,
		     const double *tot)
{
	double w = weight_of(b, tot);
	u32 c;

	if (b->regression) {
		nd->value = w > 0 ? tot[1] / w : 0;
		return;
	}
	for (c = 1; c < b->K; c++)
		if (tot[c] > tot[nd->cls])
			nd->cls = (s32)c;
	nd->conf = w > 0 ? tot[nd->cls] / w : 0;
}

/*
 * The features a node considers, in a random order: ties between equal
 * gains go to the first in that order, as in scikit-learn, so no feature
 * is favoured by its column number.
 */
static void pick_features(struct builder *b, u32 *m)
{
	u32 i, j, t;

	*m = b->F;
	if (b->p->max_features && b->p->max_features < b->F)
		*m = b->p->max_features;
	for (i = 0; i < *m; i++) {
		j = i + (u32)(xorshift(&b->rng) % (b->F - i));
		t = b->feat[i];
		b->feat[i] = b->feat[j];
		b->feat[j] = t;
	}
}

static s32 split_threshold(const struct builder *b, const struct hist *h,
			   const struct split *s)
{
	u32 f = (u32)s->feature, nb;
	s64 a = b->hi[f * b->B + s->bin], c;

	for (nb = s->bin + 1; nb + 1 < b->n_bins[f]; nb++)
		if (h->cnt[(size_t)f * b->B + nb])
			break;
	c = b->lo[f * b->B + nb];
	return (s32)(a + (c - a) / 2);
}

static int grow(struct builder *b, u32 node, u32 *rows, u32 n, struct hist *h,
		u32 depth)
{
	double *tot = calloc(b->K, sizeof(*tot));
	struct split best = { -1, 0, 0 };
	struct hist *hs;
	u32 i, f, m, nl, bin;
	double parent, w;
	int l, r, err;

	if (!tot)
		return -ENOMEM;
	for (bin = 0; bin < b->n_bins[0]; bin++)
		for (i = 0; i < b->K; i++)
			tot[i] += h->stats[(size_t)bin * b->K + i];
	set_leaf(b, &b->nodes[node], tot);
	w = weight_of(b, tot);
	parent = score(b, tot, w);
	if (depth < b->p->max_depth && n >= 2 * b->p->min_samples_leaf &&
	    (b->regression || b->nodes[node].conf < 1.0)) {
		pick_features(b, &m);
		for (i = 0; i < m; i++) {
			f = b->feat[i];
			scan_feature(b, h, f, tot, n, parent, &best);
		}
	}
	free(tot);
	if (best.feature < 0 || best.gain <= 1e-12 * (w > 0 ? w : 1)) {
		hist_put(b, h);
		return 0;
	}
	f = (u32)best.feature;
	for (i = 0, nl = 0; i < n; i++) {
		if (b->bins[(size_t)rows[i] * b->F + f] <= best.bin) {
			u32 t = rows[i];

			rows[i] = rows[nl];
			rows[nl++] = t;
		}
	}
	l = new_node(b, depth + 1);
	r = new_node(b, depth + 1);
	if (l < 0 || r < 0)
		return -ENOMEM;
	b->nodes[node].feature = (s32)f;
	b->nodes[node].threshold = split_threshold(b, h, &best);
	b->nodes[node].left = (u32)l;
	b->nodes[node].right = (u32)r;
	b->nodes[node].gain = best.gain;
	/* On error the pool is freed whole, so no buffer is returned. */
	hs = hist_get(b);
	if (nl <= n - nl) {
		hist_add_rows(b, hs, rows, nl);
		hist_sub(b, h, hs);
		err = grow(b, (u32)l, rows, nl, hs, depth + 1);
		return err ? err :
			     grow(b, (u32)r, rows + nl, n - nl, h, depth + 1);
	}
	hist_add_rows(b, hs, rows + nl, n - nl);
	hist_sub(b, h, hs);
	err = grow(b, (u32)l, rows, nl, h, depth + 1);
	return err ? err : grow(b, (u32)r, rows + nl, n - nl, hs, depth + 1);
}

static void builder_free(struct builder *b, u32 pool_size)
{
	u32 i;

	for (i = 0; b->pool && i < pool_size; i++) {
		free(b->pool[i].stats);
		free(b->pool[i].cnt);
	}
	free(b->pool);
	free(b->free_list);
	free(b->bins);
	free(b->n_bins);
	free(b->lo);
	free(b->hi);
	free(b->cls);
	free(b->w);
	free(b->wy);
	free(b->feat);
	free(b->right);
	free(b->left);
	free(b->nodes);
}

static int check_inputs(const struct rmt_dataset *ds, const u32 *idx, u32 n_idx,
			const struct rmt_cart_params *p, char *err,
			size_t err_size)
{
	u32 i;

	if (!n_idx || !ds->n_features ||
	    ds->n_features > RMT_MODEL_MAX_FEATURES) {
		snprintf(err, err_size, "need rows and 1 to %u features",
			 RMT_MODEL_MAX_FEATURES);
		return -EINVAL;
	}
	if (p->max_depth < 1 || p->max_depth > 15 || p->max_bins < 2 ||
	    p->max_bins > 256 || p->min_samples_leaf < 1) {
		snprintf(err, err_size,
			 "depth must be 1..15 (the format "
			 "holds 65535 nodes), bins 2..256, min samples per "
			 "leaf at least 1");
		return -EINVAL;
	}
	if (p->criterion == RMT_CART_MSE ?
		    !ds->target :
		    (!ds->y || ds->n_classes < 1 ||
		     ds->n_classes > RMT_MODEL_MAX_CLASSES)) {
		snprintf(err, err_size, "the criterion needs %s",
			 p->criterion == RMT_CART_MSE ?
				 "regression targets" :
				 "class labels (1 to 64 classes)");
		return -EINVAL;
	}
	for (i = 0; i < n_idx; i++) {
		if (idx[i] >= ds->n) {
			snprintf(err, err_size, "row index %u out of range",
				 idx[i]);
			return -EINVAL;
		}
		if (ds->y && p->criterion != RMT_CART_MSE &&
		    (ds->y[idx[i]] < 0 ||
		     (u32)ds->y[idx[i]] >= ds->n_classes)) {
			snprintf(err, err_size,
				 "row %u: label %d out of range "
				 "(%u classes)",
				 idx[i], ds->y[idx[i]], ds->n_classes);
			return -EINVAL;
		}
	}
	return 0;
}

static int builder_init(struct builder *b, const struct rmt_dataset *ds,
			const struct rmt_cart_params *p, u32 frac)
{
	u32 i, pool = p->max_depth + 2;
	size_t fb;

	b->p = p;
	b->F = ds->n_features;
	b->B = p->max_bins;
	b->regression = p->criterion == RMT_CART_MSE;
	b->C = b->regression ? 0 : ds->n_classes;
	b->K = b->regression ? 2 : b->C;
	b->rng = p->seed ? p->seed : 1;
	fb = (size_t)b->F * b->B;
	b->bins = malloc((size_t)ds->n * b->F);
	b->n_bins = calloc(b->F, sizeof(u32));
	b->lo = malloc(fb * sizeof(s32));
	b->hi = malloc(fb * sizeof(s32));
	b->cls = calloc(ds->n, 1);
	b->w = calloc(ds->n, sizeof(double));
	b->wy = calloc(ds->n, sizeof(double));
	b->feat = malloc(b->F * sizeof(u32));
	b->right = calloc(b->K, sizeof(double));
	b->left = calloc(b->K, sizeof(double));
	b->pool = calloc(pool, sizeof(*b->pool));
	b->free_list = calloc(pool, sizeof(*b->free_list));
	if (!b->bins || !b->n_bins || !b->lo || !b->hi || !b->cls || !b->w ||
	    !b->wy || !b->feat || !b->right || !b->left || !b->pool ||
	    !b->free_list)
		return -ENOMEM;
	for (i = 0; i < pool; i++) {
		b->pool[i].stats = malloc(fb * b->K * sizeof(double));
		b->pool[i].cnt = malloc(fb * sizeof(u32));
		if (!b->pool[i].stats || !b->pool[i].cnt)
			return -ENOMEM;
		b->free_list[b->pool_free++] = &b->pool[i];
	}
	for (i = 0; i < b->F; i++)
		b->feat[i] = i;
	for (i = 0; i < ds->n; i++) {
		if (b->regression) {
			b->w[i] = 1;
			b->wy[i] = ds->target[i];
			continue;
		}
		b->cls[i] = (u8)ds->y[i];
		b->w[i] = p->class_weight ? p->class_weight[ds->y[i]] : 1;
	}
	return bin_features(b, ds, frac);
}

int rmt_cart_train(const struct rmt_dataset *ds, const u32 *idx, u32 n_idx,
		   const struct rmt_cart_params *p, u32 frac,
		   struct rmt_cart *out, char *err, size_t err_size)
{
	struct builder b;
	struct hist *h;
	u32 *rows;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	rc = check_inputs(ds, idx, n_idx, p, err, err_size);
	if (rc)
		return rc;
	rows = malloc((size_t)n_idx * sizeof(*rows));
	rc = rows ? builder_init(&b, ds, p, frac) : -ENOMEM;
	if (!rc) {
		memcpy(rows, idx, (size_t)n_idx * sizeof(*rows));
		h = hist_get(&b);
		hist_add_rows(&b, h, rows, n_idx);
		rc = new_node(&b, 0);
		if (rc >= 0)
			rc = grow(&b, 0, rows, n_idx, h, 0);
	}
	free(rows);
	if (rc) {
		snprintf(err, err_size, "out of memory training the tree");
		builder_free(&b, p->max_depth + 2);
		return rc;
	}
	out->nodes = b.nodes;
	out->n_nodes = b.n_nodes;
	out->depth = b.max_depth_seen;
	out->n_features = b.F;
	out->n_classes = b.C;
	out->frac = frac;
	b.nodes = NULL;
	builder_free(&b, p->max_depth + 2);
	return 0;
}

void rmt_cart_free(struct rmt_cart *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

const struct rmt_cart_node *rmt_cart_leaf(const struct rmt_cart *t,
					  const double *x)
{
	const struct rmt_cart_node *n = &t->nodes[0];

	while (n->feature >= 0) {
		double v = ldexp(x[n->feature], (int)t->frac);

		n = &t->nodes[v < (double)n->threshold + 0.5 ? n->left :
							       n->right];
	}
	return n;
}
