// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_mlp.c - MLP training, quantization and integer inference.  The
 * stated tolerance (docs/mlib.md): on held-out data the int8 model agrees
 * with the float model on at least 95% of the rows and its accuracy is
 * within 2 points; tables for tanh/sigmoid within 93% agreement.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "mlib/linalg.h"
#include "mlib/train/mlp.h"
#include "mlib/train/writer.h"
#include "mlib/train/synth.h"

struct agreement {
	double agree, float_acc, int_acc;
};

static struct agreement compare(const struct rmt_fmlp *f,
				const struct rmt_model *m,
				const struct rmt_dataset *ds)
{
	struct agreement a = { 0, 0, 0 };
	s32 q[RMT_MODEL_MAX_FEATURES];
	u32 i;

	for (i = 0; i < ds->n; i++) {
		const double *x = ds->x + (size_t)i * ds->n_features;
		s32 fc = rmt_fmlp_predict(f, x, NULL), ic;

		rmt_train_quantize_row(ds, i, m->in_frac_bits, q);
		ic = rmt_mlp_infer(m, q, NULL);
		a.agree += fc == ic;
		a.float_acc += fc == ds->y[i];
		a.int_acc += ic == ds->y[i];
	}
	a.agree /= ds->n;
	a.float_acc /= ds->n;
	a.int_acc /= ds->n;
	return a;
}

static void train_and_check(enum rmt_fmlp_act act, enum rmt_fmlp_opt opt,
			    u32 wbits, double min_agree)
{
	struct rmt_dataset ds, test;
	struct rmt_fmlp_params p;
	struct rmt_fmlp f;
	struct rmt_model *m;
	struct agreement a;
	char err[256];
	u32 l;

	cr_assert_eq(rmt_synth_planted(&ds, 3000, 8, 0.05, 77), 0);
	cr_assert_eq(rmt_synth_planted(&test, 1000, 8, 0.05, 78), 0);
	rmt_fmlp_params_default(&p);
	p.act = act;
	p.opt = opt;
	if (opt == RMT_FMLP_SGD || act != RMT_FMLP_RELU)
		p.lr = opt == RMT_FMLP_SGD ? 0.05 : 0.01;
	p.max_epochs = 60;
	cr_assert_eq(rmt_fmlp_train(&ds, &p, &f, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(rmt_fmlp_quantize(&f, &ds, wbits, &m, err, sizeof(err)), 0,
		     "%s", err);
	for (l = 0; l + 1 < m->mlp.n_layers; l++)
		cr_assert_eq(m->mlp.layers[l].act,
			     act == RMT_FMLP_RELU ? RMT_ACT_RELU : RMT_ACT_LUT);
	cr_assert_eq(m->mlp.layers[0].wbits, wbits);
	a = compare(&f, m, &test);
	cr_assert_gt(a.float_acc, 0.80, "float accuracy %f", a.float_acc);
	cr_assert_geq(a.agree, min_agree, "agreement %f", a.agree);
	cr_assert_leq(fabs(a.int_acc - a.float_acc), 0.02, "float %f int %f",
		      a.float_acc, a.int_acc);
	rmt_model_free(m);
	rmt_fmlp_free(&f);
	rmt_dataset_free(&ds);
	rmt_dataset_free(&test);
}

Test(mlib_mlp, relu_adam_int8)
{
	train_and_check(RMT_FMLP_RELU, RMT_FMLP_ADAM, 8, 0.95);
}

Test(mlib_mlp, relu_sgd_int16)
{
	train_and_check(RMT_FMLP_RELU, RMT_FMLP_SGD, 16, 0.97);
}

Test(mlib_mlp, tanh_and_sigmoid_tables)
{
	train_and_check(RMT_FMLP_TANH, RMT_FMLP_ADAM, 8, 0.93);
	train_and_check(RMT_FMLP_SIGMOID, RMT_FMLP_ADAM, 8, 0.93);
}

Test(mlib_mlp, nan_weights_and_pruning)
{
	struct rmt_dataset ds;
	struct rmt_fmlp_params p;
	struct rmt_fmlp f;
	struct rmt_model *m;
	char err[256];
	u32 i, zeros = 0;
	double saved;

	cr_assert_eq(rmt_synth_planted(&ds, 1000, 6, 0.05, 5), 0);
	rmt_fmlp_params_default(&p);
	p.max_epochs = 30;
	cr_assert_eq(rmt_fmlp_train(&ds, &p, &f, err, sizeof(err)), 0, "%s",
		     err);
	saved = f.w[1][7];
	f.w[1][7] = NAN;
	cr_assert_eq(rmt_fmlp_quantize(&f, &ds, 8, &m, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "layer 1 weight [0][7] is NaN"), "%s", err);
	f.w[1][7] = INFINITY;
	cr_assert_eq(rmt_fmlp_quantize(&f, &ds, 8, &m, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "infinite"), "%s", err);
	f.w[1][7] = saved;
	cr_assert_eq(rmt_fmlp_prune(&f, 0.5), 0);
	for (i = 0; i < 32 * 32; i++)
		zeros += f.w[1][i] == 0;
	cr_assert_geq(zeros, 512);
	cr_assert_gt(rmt_fmlp_accuracy(&f, &ds), 0.6);
	cr_assert_eq(rmt_fmlp_quantize(&f, &ds, 8, &m, err, sizeof(err)), 0,
		     "%s", err);
	rmt_model_free(m);
	rmt_fmlp_free(&f);
	rmt_dataset_free(&ds);
}

Test(mlib_mlp, rejects_bad_shapes)
{
	struct rmt_dataset ds;
	struct rmt_fmlp_params p;
	struct rmt_fmlp f;
	char err[256];

	cr_assert_eq(rmt_synth_planted(&ds, 100, 6, 0.05, 5), 0);
	rmt_fmlp_params_default(&p);
	p.hidden[1] = 300;
	cr_assert_eq(rmt_fmlp_train(&ds, &p, &f, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "hidden layer 1: width 300"), "%s", err);
	rmt_dataset_free(&ds);
}

/* An independent reference of the layer arithmetic in model.h. */
static s32 requant(s64 acc, s32 mult, u32 shift, s32 zp)
{
	s64 v = acc * mult;
	double r = floor((double)v / ldexp(1.0, (int)shift) + 0.5) + zp;

	return r < -128 ? -128 : r > 127 ? 127 : (s32)r;
}

Test(mlib_mlp, conv1d_matches_reference)
{
	static s8 wc[2 * 3], wd[2 * 12];
	static s32 bc[2] = { 40, -30 }, bd[2] = { 7, -9 };
	struct rmt_input_q inq[8];
	struct rmt_layer l[2];
	struct rmt_model mm, *m;
	struct rmt_model_cost cost;
	char err[256];
	u64 s = 99;
	u32 i, k, t, o, trial;

	for (i = 0; i < 6; i++)
		wc[i] = (s8)(rmt_synth_uniform(&s) * 200 - 100);
	for (i = 0; i < 24; i++)
		wd[i] = (s8)(rmt_synth_uniform(&s) * 200 - 100);
	for (i = 0; i < 8; i++)
		inq[i] = (struct rmt_input_q){ 0, 1, 0 };
	memset(l, 0, sizeof(l));
	l[0] = (struct rmt_layer){ .kind = RMT_LAYER_CONV1D,
				   .act = RMT_ACT_RELU,
				   .wbits = 8,
				   .shift = 38,
				   .cin = 1,
				   .len_in = 8,
				   .cout = 2,
				   .ksize = 3,
				   .out_zp = -20,
				   .mult = 1 << 30,
				   .w8 = wc,
				   .bias = bc };
	l[1] = (struct rmt_layer){ .kind = RMT_LAYER_DENSE,
				   .wbits = 8,
				   .shift = 31,
				   .cin = 12,
				   .len_in = 1,
				   .cout = 2,
				   .ksize = 1,
				   .mult = 1 << 30,
				   .w8 = wd,
				   .bias = bd };
	memset(&mm, 0, sizeof(mm));
	mm.type = RMT_MODEL_MLP;
	mm.n_features = 8;
	mm.n_classes = 2;
	mm.mlp.n_layers = 2;
	mm.mlp.in_zp = 0;
	mm.mlp.inq = inq;
	mm.mlp.layers = l;
	cr_assert_eq(rmt_model_rebuild(&mm, &m, err, sizeof(err)), 0, "%s",
		     err);
	rmt_model_cost(m, &cost);
	cr_assert_eq(cost.macs, 2 * 3 * 6 + 12 * 2);
	for (trial = 0; trial < 200; trial++) {
		s32 x[8], h[12], want[2], got[2];

		for (i = 0; i < 8; i++)
			x[i] = (s32)(rmt_synth_uniform(&s) * 300) - 150;
		for (o = 0; o < 2; o++)
			for (t = 0; t < 6; t++) {
				s64 acc = bc[o];
				s32 a;

				for (k = 0; k < 3; k++) {
					a = x[t + k] < -128 ? -128 :
					    x[t + k] > 127  ? 127 :
							      x[t + k];
					acc += wc[o * 3 + k] * a;
				}
				h[o * 6 + t] = requant(acc, 1 << 30, 38, -20);
				if (h[o * 6 + t] < -20)
					h[o * 6 + t] = -20;
			}
		/* In memory the bias holds the -zero_point * sum(w) term. */
		for (o = 0; o < 2; o++) {
			want[o] = bd[o];
			for (k = 0; k < 12; k++)
				want[o] += wd[o * 12 + k] * h[k];
		}
		cr_assert_eq(rmt_mlp_infer(m, x, got),
			     want[1] > want[0] ? 1 : 0, "%d %d / %d %d", got[0],
			     got[1], want[0], want[1]);
		cr_assert_eq(got[0], want[0]);
		cr_assert_eq(got[1], want[1]);
	}
	rmt_model_free(m);
}

Test(mlib_mlp, matvec_and_matmat)
{
	s8 w[5 * 7], x[3 * 7];
	s16 w16[5 * 7];
	s32 b[5], y[3 * 5], y16[5];
	u64 s = 5;
	u32 i, r, c, j;

	for (i = 0; i < 35; i++) {
		w[i] = (s8)(rmt_synth_uniform(&s) * 255 - 128);
		w16[i] = (s16)(rmt_synth_uniform(&s) * 60000 - 30000);
	}
	for (i = 0; i < 21; i++)
		x[i] = (s8)(rmt_synth_uniform(&s) * 255 - 128);
	for (i = 0; i < 5; i++)
		b[i] = (s32)i * 1000 - 2000;
	rmt_matmat_s8(w, 5, 7, x, 3, b, y);
	rmt_matvec_s16(w16, 5, 7, x + 7, NULL, y16);
	for (j = 0; j < 3; j++)
		for (r = 0; r < 5; r++) {
			s32 want = b[r], want16 = 0;

			for (c = 0; c < 7; c++) {
				want += w[r * 7 + c] * x[j * 7 + c];
				want16 += w16[r * 7 + c] * x[7 + c];
			}
			cr_assert_eq(y[j * 5 + r], want);
			if (j == 1)
				cr_assert_eq(y16[r], want16);
		}
}
