// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mlp.c - float MLP training: Glorot-uniform initialisation, softmax
 * cross-entropy with L2, mini-batch back-propagation, Adam (Kingma and Ba
 * 2015) or SGD with momentum, early stopping that keeps the weights of the
 * lowest validation loss.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlib/train/mlp.h"

#define MAX_WIDTH 1024u

struct trainer {
	const struct rmt_fmlp_params *p;
	struct rmt_fmlp *m;
	u32 L;
	double *gw[RMT_FMLP_MAX_HIDDEN + 1], *gb[RMT_FMLP_MAX_HIDDEN + 1];
	double *mw[RMT_FMLP_MAX_HIDDEN + 1], *mb[RMT_FMLP_MAX_HIDDEN + 1];
	double *vw[RMT_FMLP_MAX_HIDDEN + 1], *vb[RMT_FMLP_MAX_HIDDEN + 1];
	double *bw[RMT_FMLP_MAX_HIDDEN + 1], *bb[RMT_FMLP_MAX_HIDDEN + 1];
	double *a[RMT_FMLP_MAX_HIDDEN + 2]; /* activations */
	double *d[RMT_FMLP_MAX_HIDDEN + 2]; /* deltas */
	u64 step;
	u64 rng;
};

void rmt_fmlp_params_default(struct rmt_fmlp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->n_hidden = 2;
	p->hidden[0] = 32;
	p->hidden[1] = 32;
	p->act = RMT_FMLP_RELU;
	p->opt = RMT_FMLP_ADAM;
	p->lr = 1e-3;
	p->momentum = 0.9;
	p->l2 = 1e-4;
	p->max_epochs = 200;
	p->val_fraction = 0.1;
	p->patience = 10;
	p->seed = 42;
}

static double uniform(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0;
}

static double act_f(enum rmt_fmlp_act a, double v)
{
	switch (a) {
	case RMT_FMLP_TANH:
		return tanh(v);
	case RMT_FMLP_SIGMOID:
		return 1.0 / (1.0 + exp(-v));
	default:
		return v > 0 ? v : 0;
	}
}

/* Derivative from the activation's output. */
static double act_df(enum rmt_fmlp_act a, double y)
{
	switch (a) {
	case RMT_FMLP_TANH:
		return 1 - y * y;
	case RMT_FMLP_SIGMOID:
		return y * (1 - y);
	default:
		return y > 0 ? 1 : 0;
	}
}

static void standardize(const struct rmt_fmlp *m, const double *x, double *z)
{
	u32 f;

	for (f = 0; f < m->size[0]; f++)
		z[f] = (x[f] - m->mean[f]) / m->std[f];
}

/* a[0] holds the standardized input; fills a[1..L] (a[L]: logits). */
static void forward(const struct rmt_fmlp *m, double **a)
{
	u32 l, o, i;

	for (l = 0; l < m->n_layers; l++) {
		u32 in = m->size[l], out = m->size[l + 1];

		for (o = 0; o < out; o++) {
			const double *w = m->w[l] + (size_t)o * in;
			double s = m->b[l][o];

			for (i = 0; i < in; i++)
				s += w[i] * a[l][i];
			a[l + 1][o] =
				l + 1 < m->n_layers ? act_f(m->act, s) : s;
		}
	}
}

static u32 argmax(const double *v, u32 n)
{
	u32 i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

s32 rmt_fmlp_predict(const struct rmt_fmlp *m, const double *x, double *scores)
{
	double buf[2][MAX_WIDTH], *a[RMT_FMLP_MAX_HIDDEN + 2];
	double z[MAX_WIDTH];
	u32 l;

	a[0] = z;
	for (l = 1; l <= m->n_layers; l++)
		a[l] = buf[l % 2];
	standardize(m, x, z);
	forward(m, a);
	if (scores)
		memcpy(scores, a[m->n_layers],
		       m->size[m->n_layers] * sizeof(double));
	return (s32)argmax(a[m->n_layers], m->size[m->n_layers]);
}

double rmt_fmlp_accuracy(const struct rmt_fmlp *m, const struct rmt_dataset *ds)
{
	u32 i, ok = 0;

	for (i = 0; i < ds->n; i++)
		ok += rmt_fmlp_predict(m, ds->x + (size_t)i * ds->n_features,
				       NULL) == ds->y[i];
	return ds->n ? (double)ok / ds->n : 0;
}

/* Accumulate the gradient of one sample (row i) into gw/gb. */
static void backprop(struct trainer *t, const double *x, s32 y)
{
	struct rmt_fmlp *m = t->m;
	u32 L = t->L, l, o, i, nc = m->size[L];
	double mx, sum = 0;

	standardize(m, x, t->a[0]);
	forward(m, t->a);
	mx = t->a[L][argmax(t->a[L], nc)];
	for (o = 0; o < nc; o++) {
		t->d[L][o] = exp(t->a[L][o] - mx);
		sum += t->d[L][o];
	}
	for (o = 0; o < nc; o++)
		t->d[L][o] = t->d[L][o] / sum - (o == (u32)y ? 1.0 : 0.0);
	for (l = L; l-- > 0;) {
		u32 in = m->size[l], out = m->size[l + 1];

		if (l > 0)
			memset(t->d[l], 0, in * sizeof(double));
		for (o = 0; o < out; o++) {
			double dv = t->d[l + 1][o];
			double *gw = t->gw[l] + (size_t)o * in;
			const double *w = m->w[l] + (size_t)o * in;

			t->gb[l][o] += dv;
			for (i = 0; i < in; i++)
				gw[i] += dv * t->a[l][i];
			if (l > 0)
				for (i = 0; i < in; i++)
					t->d[l][i] += dv * w[i];
		}
		if (l > 0)
			for (i = 0; i < in; i++)
				t->d[l][i] *= act_df(m->act, t->a[l][i]);
	}
}

static void update(struct trainer *t, u32 batch)
{
	const struct rmt_fmlp_params *p = t->p;
	struct rmt_fmlp *m = t->m;
	double b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = p->lr, c1, c2;
	u32 l;
	size_t i, n;

	t->step++;
	c1 = 1 - pow(b1, (double)t->step);
	c2 = 1 - pow(b2, (double)t->step);
	for (l = 0; l < t->L; l++) {
		double *par[2] = { m->w[l], m->b[l] };
		double *g[2] = { t->gw[l], t->gb[l] };
		double *mm[2] = { t->mw[l], t->mb[l] };
		double *vv[2] = { t->vw[l], t->vb[l] };
		u32 k;

		for (k = 0; k < 2; k++) {
			n = k ? m->size[l + 1] :
				(size_t)m->size[l + 1] * m->size[l];
			for (i = 0; i < n; i++) {
				double gr = g[k][i] / batch;

				if (!k)
					gr += p->l2 * par[k][i] / batch;
				if (p->opt == RMT_FMLP_SGD) {
					mm[k][i] = p->momentum * mm[k][i] -
						   lr * gr;
					par[k][i] += mm[k][i];
				} else {
					mm[k][i] =
						b1 * mm[k][i] + (1 - b1) * gr;
					vv[k][i] = b2 * vv[k][i] +
						   (1 - b2) * gr * gr;
					par[k][i] -=
						lr * (mm[k][i] / c1) /
						(sqrt(vv[k][i] / c2) + eps);
				}
				g[k][i] = 0;
			}
		}
	}
}

static void snapshot(struct trainer *t, bool restore)
{
	u32 l;

	for (l = 0; l < t->L; l++) {
		size_t nw = (size_t)t->m->size[l] * t->m->size[l + 1] *
			    sizeof(double);
		size_t nb = t->m->size[l + 1] * sizeof(double);

		if (restore) {
			memcpy(t->m->w[l], t->bw[l], nw);
			memcpy(t->m->b[l], t->bb[l], nb);
		} else {
			memcpy(t->bw[l], t->m->w[l], nw);
			memcpy(t->bb[l], t->m->b[l], nb);
		}
	}
}

static int alloc_all(struct trainer *t)
{
	struct rmt_fmlp *m = t->m;
	u32 l;

	for (l = 0; l < t->L; l++) {
		size_t nw = (size_t)m->size[l] * m->size[l + 1];
		size_t nb = m->size[l + 1];
		u64 *s = &t->rng;
		double lim = sqrt((t->p->act == RMT_FMLP_SIGMOID ? 2.0 : 6.0) /
				  (double)(m->size[l] + m->size[l + 1]));
		size_t i;

		m->w[l] = malloc(nw * sizeof(double));
		m->b[l] = malloc(nb * sizeof(double));
		t->gw[l] = calloc(nw, sizeof(double));
		t->gb[l] = calloc(nb, sizeof(double));
		t->mw[l] = calloc(nw, sizeof(double));
		t->mb[l] = calloc(nb, sizeof(double));
		t->vw[l] = calloc(nw, sizeof(double));
		t->vb[l] = calloc(nb, sizeof(double));
		t->bw[l] = calloc(nw, sizeof(double));
		t->bb[l] = calloc(nb, sizeof(double));
		if (!m->w[l] || !m->b[l] || !t->gw[l] || !t->gb[l] ||
		    !t->mw[l] || !t->mb[l] || !t->vw[l] || !t->vb[l] ||
		    !t->bw[l] || !t->bb[l])
			return -ENOMEM;
		for (i = 0; i < nw; i++)
			m->w[l][i] = (2 * uniform(s) - 1) * lim;
		for (i = 0; i < nb; i++)
			m->b[l][i] = (2 * uniform(s) - 1) * lim;
	}
	for (l = 0; l <= t->L; l++) {
		t->a[l] = calloc(m->size[l], sizeof(double));
		t->d[l] = calloc(m->size[l], sizeof(double));
		if (!t->a[l] || !t->d[l])
			return -ENOMEM;
	}
	return 0;
}

static void trainer_free(struct trainer *t)
{
	u32 l;

	for (l = 0; l <= RMT_FMLP_MAX_HIDDEN; l++) {
		free(t->gw[l]);
		free(t->gb[l]);
		free(t->mw[l]);
		free(t->mb[l]);
		free(t->vw[l]);
		free(t->vb[l]);
		free(t->bw[l]);
		free(t->bb[l]);
	}
	for (l = 0; l <= RMT_FMLP_MAX_HIDDEN + 1; l++) {
		free(t->a[l]);
		free(t->d[l]);
	}
}

static int set_scaling(struct rmt_fmlp *m, const struct rmt_dataset *ds,
		       const u32 *rows, u32 n)
{
	u32 F = ds->n_features, f, i;

	m->mean = calloc(F, sizeof(double));
	m->std = calloc(F, sizeof(double));
	if (!m->mean || !m->std)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		for (f = 0; f < F; f++)
			m->mean[f] += ds->x[(size_t)rows[i] * F + f];
	for (f = 0; f < F; f++)
		m->mean[f] /= n;
	for (i = 0; i < n; i++)
		for (f = 0; f < F; f++) {
			double d = ds->x[(size_t)rows[i] * F + f] - m->mean[f];

			m->std[f] += d * d;
		}
	for (f = 0; f < F; f++) {
		m->std[f] = sqrt(m->std[f] / n);
		if (m->std[f] < 1e-9)
			m->std[f] = 1;
	}
	return 0;
}

static int check_params(const struct rmt_dataset *ds,
			const struct rmt_fmlp_params *p, char *err,
			size_t err_size)
{
	u32 l;

	if (!ds->y || ds->n_classes < 2 || ds->n < 2 || !ds->n_features ||
	    ds->n_features > RMT_MLP_MAX_WIDTH) {
		snprintf(err, err_size,
			 "an MLP needs 2 or more classes, 2 or "
			 "more rows and 1 to %u features",
			 RMT_MLP_MAX_WIDTH);
		return -EINVAL;
	}
	if (p->n_hidden > RMT_FMLP_MAX_HIDDEN || !p->max_epochs || p->lr <= 0 ||
	    p->val_fraction < 0 || p->val_fraction >= 1) {
		snprintf(err, err_size,
			 "at most %u hidden layers, epochs > 0, "
			 "learning rate > 0, validation fraction in [0, 1)",
			 RMT_FMLP_MAX_HIDDEN);
		return -EINVAL;
	}
	for (l = 0; l < ds->n; l++) {
		if (ds->y[l] < 0 || (u32)ds->y[l] >= ds->n_classes) {
			snprintf(err, err_size,
				 "row %u: label %d out of range "
				 "(%u classes)",
				 l, ds->y[l], ds->n_classes);
			return -EINVAL;
		}
	}
	for (l = 0; l < p->n_hidden; l++) {
		if (!p->hidden[l] || p->hidden[l] > RMT_MLP_MAX_WIDTH) {
			snprintf(err, err_size,
				 "hidden layer %u: width %u "
				 "(1 to %u)",
				 l, p->hidden[l], RMT_MLP_MAX_WIDTH);
			return -EINVAL;
		}
	}
	return 0;
}

/* Mean cross-entropy and accuracy on the validation rows. */
static double val_loss(const struct rmt_fmlp *m, const struct rmt_dataset *ds,
		       const u32 *rows, u32 n, double *accuracy)
{
	double sc[MAX_WIDTH], loss = 0, mx, sum;
	u32 i, c, ok = 0, nc = m->size[m->n_layers];
	s32 y;

	for (i = 0; i < n; i++) {
		y = ds->y[rows[i]];
		ok += rmt_fmlp_predict(m,
				       ds->x + (size_t)rows[i] * ds->n_features,
				       sc) == y;
		mx = sc[0];
		for (c = 1; c < nc; c++)
			mx = fmax(mx, sc[c]);
		for (c = 0, sum = 0; c < nc; c++)
			sum += exp(sc[c] - mx);
		loss += log(sum) + mx - sc[y];
	}
	*accuracy = n ? (double)ok / n : 0;
	return n ? loss / n : 0;
}

static void shuffle(u32 *v, u32 n, u64 *rng)
{
	u32 i, j, t;

	for (i = n; i > 1; i--) {
		j = (u32)(uniform(rng) * i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void run_epochs(struct trainer *t, const struct rmt_dataset *ds,
		       u32 *rows, u32 n_train, const u32 *val, u32 n_val)
{
	const struct rmt_fmlp_params *p = t->p;
	u32 batch = p->batch ? p->batch : (n_train < 200 ? n_train : 200);
	u32 e, i, k, stall = 0;
	double best = INFINITY, best_acc = 0, loss, acc;

	for (e = 0; e < p->max_epochs; e++) {
		shuffle(rows, n_train, &t->rng);
		for (i = 0; i < n_train; i += batch) {
			u32 nb = n_train - i < batch ? n_train - i : batch;

			for (k = 0; k < nb; k++)
				backprop(t,
					 ds->x + (size_t)rows[i + k] *
							 ds->n_features,
					 ds->y[rows[i + k]]);
			update(t, nb);
		}
		t->m->epochs = e + 1;
		if (!n_val)
			continue;
		loss = val_loss(t->m, ds, val, n_val, &acc);
		if (loss < best - 1e-4) {
			best = loss;
			best_acc = acc;
			stall = 0;
			snapshot(t, false);
		} else if (++stall >= p->patience) {
			break;
		}
	}
	if (n_val) {
		snapshot(t, true);
		t->m->val_accuracy = best_acc;
	}
}

int rmt_fmlp_train(const struct rmt_dataset *ds,
		   const struct rmt_fmlp_params *p, struct rmt_fmlp *out,
		   char *err, size_t err_size)
{
	struct trainer t;
	u32 *rows, n_val, n_train, l;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_params(ds, p, err, err_size);
	if (rc)
		return rc;
	memset(&t, 0, sizeof(t));
	t.p = p;
	t.m = out;
	t.L = p->n_hidden + 1;
	t.rng = p->seed ? p->seed : 1;
	out->n_layers = t.L;
	out->act = p->act;
	out->frac = rmt_train_pick_frac(ds);
	out->size[0] = ds->n_features;
	for (l = 0; l < p->n_hidden; l++)
		out->size[l + 1] = p->hidden[l];
	out->size[t.L] = ds->n_classes;
	rows = malloc((size_t)ds->n * sizeof(*rows));
	rc = rows ? alloc_all(&t) : -ENOMEM;
	if (!rc) {
		for (l = 0; l < ds->n; l++)
			rows[l] = l;
		shuffle(rows, ds->n, &t.rng);
		n_val = (u32)(ds->n * p->val_fraction);
		n_train = ds->n - n_val;
		rc = set_scaling(out, ds, rows, n_train);
		if (!rc)
			run_epochs(&t, ds, rows, n_train, rows + n_train,
				   n_val);
	}
	free(rows);
	trainer_free(&t);
	if (rc) {
		snprintf(err, err_size, "out of memory training the MLP");
		rmt_fmlp_free(out);
	}
	return rc;
}

void rmt_fmlp_free(struct rmt_fmlp *m)
{
	u32 l;

	for (l = 0; l <= RMT_FMLP_MAX_HIDDEN; l++) {
		free(m->w[l]);
		free(m->b[l]);
	}
	free(m->mean);
	free(m->std);
	memset(m, 0, sizeof(*m));
}

static int cmp_abs(const void *a, const void *b)
{
	double x = fabs(*(const double *)a), y = fabs(*(const double *)b);

	return (x > y) - (x < y);
}

int rmt_fmlp_prune(struct rmt_fmlp *m, double fraction)
{
	u32 l;
	size_t i, n, k;
	double *tmp, cut;

	for (l = 0; l < m->n_layers; l++) {
		n = (size_t)m->size[l] * m->size[l + 1];
		k = (size_t)(fraction * (double)n);
		if (!k)
			continue;
		tmp = malloc(n * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		memcpy(tmp, m->w[l], n * sizeof(*tmp));
		qsort(tmp, n, sizeof(*tmp), cmp_abs);
		cut = fabs(tmp[k - 1]);
		free(tmp);
		for (i = 0; i < n && k; i++) {
			if (fabs(m->w[l][i]) <= cut) {
				m->w[l][i] = 0;
				k--;
			}
		}
	}
	return 0;
}
