// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_mlib.c - bench-mlib: CART training time on 100,000 x 16 planted
 * data at depth 12 (goal: under 200 ms on one core), and ns per call of
 * a depth-12 integer tree and a 16-32-32-8 integer MLP, each next to a
 * native float C implementation of the same model on the same inputs.
 * Inputs per BENCHMARKS.md, from fixed seeds.  Ends with one RESULT line.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlib/model.h"
#include "mlib/train/cart.h"
#include "mlib/train/mlp.h"
#include "mlib/train/synth.h"

#define REPS 7
#define N_INPUTS 4096
/* Calls per timed run: about 0.1 s each on a loaded machine. */
#define TREE_CALLS (1u << 20)
#define MLP_CALLS (1u << 16)
#define CALLS (1u << 21)

struct stat3 {
	double median, min, max;
};

/*
 * CPU time of this thread: the machines are shared, and time spent in
 * other processes must not count.  Wall time is printed for CART too.
 */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stat3 summarize(double *v, u32 n)
{
	struct stat3 s;

	qsort(v, n, sizeof(*v), cmp_double);
	s.median = v[n / 2];
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

static void print(const char *what, struct stat3 s, const char *unit)
{
	printf("%-34s median %9.2f %s  (min %.2f, max %.2f, %d runs)\n", what,
	       s.median, unit, s.min, s.max, REPS);
}

static volatile s64 sink;

/* The float anchor of a tree: the same nodes, float thresholds. */
struct ftree_node {
	int feature;
	float threshold;
	int left, right, cls;
};

static int ftree_walk(const struct ftree_node *t, const float *x)
{
	int i = 0;

	while (t[i].feature >= 0)
		i = x[t[i].feature] < t[i].threshold ? t[i].left : t[i].right;
	return t[i].cls;
}

static struct ftree_node *ftree_from(const struct rmt_cart *c)
{
	struct ftree_node *t = calloc(c->n_nodes, sizeof(*t));
	u32 i;

	for (i = 0; t && i < c->n_nodes; i++) {
		t[i].feature = c->nodes[i].feature;
		t[i].threshold = (float)ldexp(c->nodes[i].threshold + 0.5,
					      -(int)c->frac);
		t[i].left = (int)c->nodes[i].left;
		t[i].right = (int)c->nodes[i].right;
		t[i].cls = c->nodes[i].cls;
	}
	return t;
}

/* The float anchor of the MLP: float32 weights, same shapes. */
struct fnet {
	u32 n_layers, size[4];
	float *w[3], *b[3], *mean, *inv_std;
};

static int fnet_infer(const struct fnet *n, const float *x)
{
	float buf[2][64], *in = buf[0], *out = buf[1], *t;
	u32 l, o, i, best = 0;

	for (i = 0; i < n->size[0]; i++)
		in[i] = (x[i] - n->mean[i]) * n->inv_std[i];
	for (l = 0; l < n->n_layers; l++) {
		for (o = 0; o < n->size[l + 1]; o++) {
			const float *w = n->w[l] + o * n->size[l];
			float s = n->b[l][o];

			for (i = 0; i < n->size[l]; i++)
				s += w[i] * in[i];
			out[o] = l + 1 < n->n_layers && s < 0 ? 0 : s;
		}
		t = in;
		in = out;
		out = t;
	}
	for (o = 1; o < n->size[n->n_layers]; o++)
		if (in[o] > in[best])
			best = o;
	return (int)best;
}

static int fnet_from(const struct rmt_fmlp *m, struct fnet *n)
{
	u32 l, i, k;

	memset(n, 0, sizeof(*n));
	n->n_layers = m->n_layers;
	for (l = 0; l <= m->n_layers; l++)
		n->size[l] = m->size[l];
	n->mean = calloc(m->size[0], sizeof(float));
	n->inv_std = calloc(m->size[0], sizeof(float));
	if (!n->mean || !n->inv_std)
		return -ENOMEM;
	for (i = 0; i < m->size[0]; i++) {
		n->mean[i] = (float)m->mean[i];
		n->inv_std[i] = (float)(1.0 / m->std[i]);
	}
	for (l = 0; l < m->n_layers; l++) {
		k = m->size[l] * m->size[l + 1];
		n->w[l] = malloc(k * sizeof(float));
		n->b[l] = malloc(m->size[l + 1] * sizeof(float));
		if (!n->w[l] || !n->b[l])
			return -ENOMEM;
		for (i = 0; i < k; i++)
			n->w[l][i] = (float)m->w[l][i];
		for (i = 0; i < m->size[l + 1]; i++)
			n->b[l][i] = (float)m->b[l][i];
	}
	return 0;
}

static void fnet_free(struct fnet *n)
{
	u32 l;

	for (l = 0; l < 3; l++) {
		free(n->w[l]);
		free(n->b[l]);
	}
	free(n->mean);
	free(n->inv_std);
}

struct inputs {
	s32 q[N_INPUTS][16];
	float f[N_INPUTS][16];
};

static void make_inputs(struct inputs *in, u32 frac, u64 seed)
{
	u64 s = seed;
	u32 i, k;

	for (i = 0; i < N_INPUTS; i++)
		for (k = 0; k < 16; k++) {
			double v = 2 * rmt_synth_uniform(&s) - 1;

			in->q[i][k] = rmt_train_quantize_input(v, frac);
			/* The float anchor sees exactly the same value. */
			in->f[i][k] = (float)ldexp(in->q[i][k], -(int)frac);
		}
}

static struct stat3 bench_cart(const struct rmt_dataset *ds,
			       struct rmt_cart *keep, struct stat3 *wall)
{
	struct rmt_cart_params p;
	double t[REPS], w[REPS], t0, w0;
	char err[256];
	u32 *idx = malloc(ds->n * sizeof(*idx)), i, r;

	rmt_cart_params_default(&p);
	p.max_depth = 12;
	for (i = 0; i < ds->n; i++)
		idx[i] = i;
	for (r = 0; r < REPS; r++) {
		w0 = wall_ns();
		t0 = now_ns();
		if (rmt_cart_train(ds, idx, ds->n, &p, 16, keep, err,
				   sizeof(err))) {
			fprintf(stderr, "bench-mlib: %s\n", err);
			exit(1);
		}
		t[r] = (now_ns() - t0) / 1e6;
		w[r] = (wall_ns() - w0) / 1e6;
		if (r + 1 < REPS)
			rmt_cart_free(keep);
	}
	free(idx);
	*wall = summarize(w, REPS);
	return summarize(t, REPS);
}

/* ns per call of the integer model and of its float anchor. */
static void bench_infer(const struct rmt_model *m, const void *anchor,
			bool tree, const struct inputs *in, struct stat3 *ours,
			struct stat3 *ref)
{
	u32 calls = tree ? TREE_CALLS : MLP_CALLS, r, i;
	double a[REPS], b[REPS], t0;
	struct rmt_infer_out o;
	s64 acc;

	for (r = 0; r < REPS; r++) {
		acc = 0;
		t0 = now_ns();
		for (i = 0; i < calls; i++) {
			rmt_model_infer(m, in->q[i % N_INPUTS], &o);
			acc += o.value;
		}
		a[r] = (now_ns() - t0) / calls;
		sink = acc;
		acc = 0;
		t0 = now_ns();
		for (i = 0; i < calls; i++)
			acc += tree ? ftree_walk(anchor, in->f[i % N_INPUTS]) :
				      fnet_infer(anchor, in->f[i % N_INPUTS]);
		b[r] = (now_ns() - t0) / calls;
		sink = acc;
	}
	*ours = summarize(a, REPS);
	*ref = summarize(b, REPS);
}

/* 8 classes from a fixed rule over 16 features, for the MLP's weights. */
static int mlp_data(struct rmt_dataset *ds)
{
	u32 i;

	if (rmt_synth_planted(ds, 5000, 16, 0.0, 7))
		return -ENOMEM;
	ds->n_classes = 8;
	for (i = 0; i < ds->n; i++) {
		const double *x = ds->x + (size_t)i * 16;

		ds->y[i] = (x[0] > 0) + 2 * (x[1] * x[2] > 0) +
			   4 * (x[3] + x[4] > 0.3);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct inputs in;
	struct stat3 train, train_wall, t_int, t_float, m_int, m_float;
	struct rmt_dataset ds, md;
	struct rmt_fmlp_params mp;
	struct rmt_model *tree, *mlp;
	struct ftree_node *ft;
	struct rmt_fmlp fm;
	struct rmt_cart cart;
	struct fnet fn;
	char err[256];
	u32 i, agree = 0;

	if (argc > 1) {
		printf("usage: bench-mlib\n(no options: inputs are fixed by "
		       "BENCHMARKS.md)\n");
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	if (rmt_synth_planted(&ds, 100000, 16, 0.05, 20261126) ||
	    mlp_data(&md)) {
		fprintf(stderr, "bench-mlib: out of memory\n");
		return 1;
	}
	printf("bench-mlib: times are CPU time of the benchmark thread\n");
	printf("bench-mlib: CART on %u x %u (planted rule, 5%% noise), "
	       "depth 12, one core\n",
	       ds.n, ds.n_features);
	train = bench_cart(&ds, &cart, &train_wall);
	print("cart train (thread CPU time)", train, "ms");
	print("cart train (wall time)", train_wall, "ms");
	printf("  tree: %u nodes, depth %u; goal 200 ms: %.2fx the goal\n",
	       cart.n_nodes, cart.depth, train.median / 200.0);
	rmt_fmlp_params_default(&mp);
	mp.hidden[0] = 32;
	mp.hidden[1] = 32;
	mp.max_epochs = 10;
	if (rmt_cart_to_model(&cart, 1, 0, &tree, err, sizeof(err)) ||
	    rmt_fmlp_train(&md, &mp, &fm, err, sizeof(err)) ||
	    rmt_fmlp_quantize(&fm, &md, 8, &mlp, err, sizeof(err)) ||
	    fnet_from(&fm, &fn) || !(ft = ftree_from(&cart))) {
		fprintf(stderr, "bench-mlib: %s\n", err);
		return 1;
	}
	make_inputs(&in, 16, 99);
	for (i = 0; i < N_INPUTS; i++) {
		struct rmt_infer_out o;

		rmt_model_infer(tree, in.q[i], &o);
		agree += o.value == ftree_walk(ft, in.f[i]);
	}
	printf("  integer and float tree agree on %u of %u inputs\n", agree,
	       N_INPUTS);
	bench_infer(tree, ft, true, &in, &t_int, &t_float);
	print("tree infer, integer (mlib)", t_int, "ns");
	print("tree infer, float C anchor", t_float, "ns");
	bench_infer(mlp, &fn, false, &in, &m_int, &m_float);
	print("mlp 16-32-32-8 infer, int8 (mlib)", m_int, "ns");
	print("mlp 16-32-32-8 infer, float C", m_float, "ns");
	printf("ratios (mlib / float anchor): tree %.2f, mlp %.2f\n",
	       t_int.median / t_float.median, m_int.median / m_float.median);
	printf("RESULT cart_train_ms=%.1f tree_infer_ns=%.1f mlp_infer_ns=%.1f "
	       "tree_ratio=%.2f mlp_ratio=%.2f\n",
	       train.median, t_int.median, m_int.median,
	       t_int.median / t_float.median, m_int.median / m_float.median);
	rmt_model_free(tree);
	rmt_model_free(mlp);
	rmt_fmlp_free(&fm);
	fnet_free(&fn);
	free(ft);
	rmt_cart_free(&cart);
	rmt_dataset_free(&ds);
	rmt_dataset_free(&md);
	return 0;
}
