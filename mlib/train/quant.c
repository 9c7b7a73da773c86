// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * quant.c - post-training quantization of a float MLP: asymmetric int8
 * activations with ranges calibrated on data, symmetric per-layer weights,
 * int32 biases, fixed-point requantization multipliers (the scheme of
 * Jacob et al., CVPR 2018), and tables for tanh and sigmoid.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlib/train/mlp.h"
#include "mlib/train/writer.h"

struct range {
	double lo, hi;
};

struct qparams {
	double scale;
	s32 zp;
};

static struct qparams act_params(struct range r)
{
	struct qparams q;
	double lo = r.lo < 0 ? r.lo : 0, hi = r.hi > 0 ? r.hi : 0;

	if (hi - lo < 1e-9)
		hi = lo + 1e-9;
	q.scale = (hi - lo) / 255.0;
	q.zp = (s32)lround(-128.0 - lo / q.scale);
	if (q.zp < -128)
		q.zp = -128;
	if (q.zp > 127)
		q.zp = 127;
	return q;
}

/* m = mult * 2^-shift with mult in [2^(bits-1), 2^bits). */
static void fixed_mult(double m, u32 bits, s32 *mult, u8 *shift)
{
	int e;
	double f = frexp(m, &e);
	s64 q = llround(ldexp(f, (int)bits));
	int s = (int)bits - e;

	if (q == ((s64)1 << bits)) {
		q >>= 1;
		s--;
	}
	if (m <= 0 || s > 62) {
		*mult = 0;
		*shift = 0;
		return;
	}
	if (s < 0) {
		*mult = (s32)(((s64)1 << bits) - 1);
		*shift = 0;
		return;
	}
	*mult = (s32)q;
	*shift = (u8)s;
}

static int check_finite(const struct rmt_fmlp *m, char *err, size_t err_size)
{
	u32 l, f;
	size_t i, n;

	for (f = 0; f < m->size[0]; f++) {
		if (!isfinite(m->mean[f]) || !isfinite(m->std[f])) {
			snprintf(err, err_size,
				 "input %u: scaling is not a "
				 "finite number",
				 f);
			return -EINVAL;
		}
	}
	for (l = 0; l < m->n_layers; l++) {
		n = (size_t)m->size[l] * m->size[l + 1];
		for (i = 0; i < n; i++) {
			if (!isfinite(m->w[l][i])) {
				snprintf(err, err_size,
					 "layer %u weight "
					 "[%lu][%lu] is %s",
					 l, (unsigned long)(i / m->size[l]),
					 (unsigned long)(i % m->size[l]),
					 isnan(m->w[l][i]) ? "NaN" :
							     "infinite");
				return -EINVAL;
			}
		}
		for (i = 0; i < m->size[l + 1]; i++) {
			if (!isfinite(m->b[l][i])) {
				snprintf(err, err_size,
					 "layer %u bias [%lu] "
					 "is not finite",
					 l, (unsigned long)i);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/*
 * Ranges of the standardized input (r[0]) and of each hidden layer's
 * output: after the activation, or before it for tables (pre[l]).
 */
static void calibrate(const struct rmt_fmlp *m, const struct rmt_dataset *ds,
		      struct range *r, struct range *pre)
{
	double z[RMT_MLP_MAX_WIDTH], h[2][RMT_MLP_MAX_WIDTH], *in, *out;
	u32 i, l, o, k;

	for (l = 0; l <= m->n_layers; l++) {
		r[l].lo = pre[l].lo = 0;
		r[l].hi = pre[l].hi = 0;
	}
	for (i = 0; i < ds->n; i++) {
		for (k = 0; k < m->size[0]; k++) {
			z[k] = (ds->x[(size_t)i * m->size[0] + k] -
				m->mean[k]) /
			       m->std[k];
			r[0].lo = fmin(r[0].lo, z[k]);
			r[0].hi = fmax(r[0].hi, z[k]);
		}
		in = z;
		for (l = 0; l + 1 < m->n_layers; l++) {
			out = h[l % 2];
			for (o = 0; o < m->size[l + 1]; o++) {
				double s = m->b[l][o];

				for (k = 0; k < m->size[l]; k++)
					s += m->w[l]
						 [(size_t)o * m->size[l] + k] *
					     in[k];
				pre[l + 1].lo = fmin(pre[l + 1].lo, s);
				pre[l + 1].hi = fmax(pre[l + 1].hi, s);
				if (m->act == RMT_FMLP_RELU)
					s = s > 0 ? s : 0;
				else if (m->act == RMT_FMLP_TANH)
					s = tanh(s);
				else
					s = 1 / (1 + exp(-s));
				out[o] = s;
				r[l + 1].lo = fmin(r[l + 1].lo, s);
				r[l + 1].hi = fmax(r[l + 1].hi, s);
			}
			in = out;
		}
	}
}

/* Weights quantized with the largest magnitude qmax that cannot overflow. */
static int quantize_layer(const struct rmt_fmlp *m, u32 l, u32 wbits,
			  struct qparams in, struct rmt_layer *q,
			  double *w_scale, char *err, size_t err_size)
{
	u32 nin = m->size[l], nout = m->size[l + 1], o, k;
	double max = 0, qmax = wbits == 8 ? 127 : 32767, sw;
	size_t n = (size_t)nin * nout, i;
	s32 *bias = (s32 *)q->bias;
	s64 sum, abs_sum, b;

	for (i = 0; i < n; i++)
		max = fmax(max, fabs(m->w[l][i]));
	if (max == 0)
		max = 1;
	for (; qmax >= 1; qmax = floor(qmax / 2)) {
		bool fits = true;

		sw = max / qmax;
		for (o = 0; o < nout && fits; o++) {
			sum = 0;
			abs_sum = 0;
			for (k = 0; k < nin; k++) {
				s64 v = llround(m->w[l][(size_t)o * nin + k] /
						sw);

				if (wbits == 8)
					((s8 *)q->w8)[(size_t)o * nin + k] =
						(s8)v;
				else
					((s16 *)q->w16)[(size_t)o * nin + k] =
						(s16)v;
				sum += v;
				abs_sum += v < 0 ? -v : v;
			}
			b = llround(m->b[l][o] / (in.scale * sw));
			if (llabs(b) + 255 * abs_sum > 0x7fffffffLL ||
			    llabs(b - in.zp * sum) + 128 * abs_sum >
				    0x7fffffffLL)
				fits = false;
			else
				bias[o] = (s32)(b - in.zp * sum);
		}
		if (fits) {
			*w_scale = sw;
			return 0;
		}
	}
	snprintf(err, err_size,
		 "layer %u: the bias is too large for 32-bit "
		 "accumulators at any weight precision",
		 l);
	return -EINVAL;
}

static void make_lut(enum rmt_fmlp_act act, struct qparams pre, s8 *lut,
		     double *out_scale)
{
	/* Outputs are symmetric (zero point 0): tanh and sigmoid <= 1. */
	int v;

	*out_scale = 1.0 / 127.0;
	for (v = -128; v < 128; v++) {
		double x = (v - pre.zp) * pre.scale;
		double y = act == RMT_FMLP_TANH ? tanh(x) : 1 / (1 + exp(-x));

		lut[v + 128] = (s8)lround(y * 127.0);
	}
}

struct qbuf {
	struct rmt_layer layers[RMT_FMLP_MAX_HIDDEN + 1];
	struct rmt_input_q inq[RMT_MLP_MAX_WIDTH];
	s8 luts[RMT_FMLP_MAX_HIDDEN + 1][256];
};

static int build_layers(const struct rmt_fmlp *m, struct qbuf *qb,
			const struct range *r, const struct range *pre,
			struct qparams in, u32 wbits, char *err,
			size_t err_size)
{
	struct qparams out;
	double sw, next_scale;
	u32 l;
	int rc;

	for (l = 0; l < m->n_layers; l++) {
		struct rmt_layer *q = &qb->layers[l];
		size_t n = (size_t)m->size[l] * m->size[l + 1];
		bool last = l + 1 == m->n_layers;
		bool lut = !last && m->act != RMT_FMLP_RELU;

		q->kind = RMT_LAYER_DENSE;
		q->wbits = (u8)wbits;
		q->cin = (u16)m->size[l];
		q->cout = (u16)m->size[l + 1];
		q->len_in = 1;
		q->ksize = 1;
		q->bias = calloc(q->cout, sizeof(s32));
		if (wbits == 8)
			q->w8 = calloc(n, 1);
		else
			q->w16 = calloc(n, 2);
		if (!q->bias || (!q->w8 && !q->w16)) {
			snprintf(err, err_size, "out of memory");
			return -ENOMEM;
		}
		rc = quantize_layer(m, l, wbits, in, q, &sw, err, err_size);
		if (rc)
			return rc;
		if (last) {
			q->act = RMT_ACT_NONE;
			fixed_mult(1.0, 31, &q->mult, &q->shift);
			return 0;
		}
		out = act_params(lut ? pre[l + 1] : r[l + 1]);
		fixed_mult(in.scale * sw / out.scale, 31, &q->mult, &q->shift);
		q->out_zp = out.zp;
		next_scale = out.scale;
		if (lut) {
			q->act = RMT_ACT_LUT;
			make_lut(m->act, out, qb->luts[l], &next_scale);
			q->lut = qb->luts[l];
			out.zp = 0;
		} else {
			q->act = RMT_ACT_RELU;
		}
		in.scale = next_scale;
		in.zp = out.zp;
	}
	return 0;
}

int rmt_fmlp_quantize(const struct rmt_fmlp *m, const struct rmt_dataset *calib,
		      u32 wbits, struct rmt_model **out, char *err,
		      size_t err_size)
{
	struct range r[RMT_FMLP_MAX_HIDDEN + 2], pre[RMT_FMLP_MAX_HIDDEN + 2];
	struct rmt_model qm;
	struct qparams in;
	struct qbuf *qb;
	u32 f, l;
	int rc;

	*out = NULL;
	if (wbits != 8 && wbits != 16) {
		snprintf(err, err_size, "weights must be 8 or 16 bits");
		return -EINVAL;
	}
	if (calib->n_features != m->size[0] || !calib->n) {
		snprintf(err, err_size,
			 "calibration data has %u features, "
			 "the MLP %u",
			 calib->n_features, m->size[0]);
		return -EINVAL;
	}
	if ((rc = check_finite(m, err, err_size)))
		return rc;
	qb = calloc(1, sizeof(*qb));
	if (!qb) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	calibrate(m, calib, r, pre);
	in = act_params(r[0]);
	memset(&qm, 0, sizeof(qm));
	qm.type = RMT_MODEL_MLP;
	qm.n_features = (u16)m->size[0];
	qm.n_classes = (u16)m->size[m->n_layers];
	qm.in_frac_bits = (u8)m->frac;
	qm.mlp.n_layers = m->n_layers;
	qm.mlp.in_zp = in.zp;
	qm.mlp.inq = qb->inq;
	qm.mlp.layers = qb->layers;
	for (f = 0; f < m->size[0]; f++) {
		double scale = ldexp(1.0, (int)m->frac);

		qb->inq[f].offset =
			rmt_train_quantize_input(m->mean[f], m->frac);
		fixed_mult(1.0 / (m->std[f] * in.scale * scale), 15,
			   &qb->inq[f].mult, &qb->inq[f].shift);
	}
	rc = build_layers(m, qb, r, pre, in, wbits, err, err_size);
	if (!rc)
		rc = rmt_model_rebuild(&qm, out, err, err_size);
	for (l = 0; l < m->n_layers; l++) {
		free((void *)qb->layers[l].bias);
		free((void *)qb->layers[l].w8);
		free((void *)qb->layers[l].w16);
	}
	free(qb);
	return rc;
}

double rmt_model_accuracy(const struct rmt_model *m,
			  const struct rmt_dataset *ds)
{
	s32 x[RMT_MODEL_MAX_FEATURES];
	struct rmt_infer_out o;
	u32 i, ok = 0;

	if (ds->n_features != m->n_features || !ds->n)
		return 0;
	for (i = 0; i < ds->n; i++) {
		rmt_train_quantize_row(ds, i, m->in_frac_bits, x);
		if (!rmt_model_infer(m, x, &o) && o.value == ds->y[i])
			ok++;
	}
	return (double)ok / ds->n;
}
