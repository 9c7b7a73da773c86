// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * nn.c - quantized MLP inference: input standardisation into int8, dense
 * and 1-D conv layers with int32 accumulators, requantization by a
 * fixed-point multiplier and shift, ReLU or a lookup table.
 */
#include "mlib/model.h"
#include "mlib/linalg.h"

static s8 clamp_s8(s64 v)
{
	if (v < -128)
		return -128;
	if (v > 127)
		return 127;
	return (s8)v;
}

/* round(v / 2^shift), halves up; >> of a negative s64 is arithmetic. */
static s64 round_shift(s64 v, u32 shift)
{
	if (!shift)
		return v;
	return (v + ((s64)1 << (shift - 1))) >> shift;
}

static s32 layer_dot(const struct rmt_layer *l, u32 row, const s8 *x, u32 n)
{
	if (l->wbits == 8)
		return rmt_dot_s8(l->w8 + (size_t)row * n, x, n);
	return rmt_dot_s16(l->w16 + (size_t)row * n, x, n);
}

static s8 activate(const struct rmt_layer *l, s32 acc)
{
	s8 q = clamp_s8(l->out_zp + round_shift((s64)acc * l->mult, l->shift));

	if (l->act == RMT_ACT_RELU)
		return q < l->out_zp ? (s8)l->out_zp : q;
	if (l->act == RMT_ACT_LUT)
		return l->lut[(u8)((s32)q + 128)];
	return q;
}

static s32 conv_acc(const struct rmt_layer *l, u32 o, u32 t, const s8 *in)
{
	u32 c, k, base = (u32)o * l->cin * l->ksize;
	s32 acc = l->bias[o];

	for (c = 0; c < l->cin; c++)
		for (k = 0; k < l->ksize; k++) {
			s32 w = l->wbits == 8 ? l->w8[base + c * l->ksize + k] :
						l->w16[base + c * l->ksize + k];

			acc += w * in[c * l->len_in + t + k];
		}
	return acc;
}

/* Output value j of layer l, before requantization. */
static s32 layer_acc(const struct rmt_layer *l, u32 j, const s8 *in)
{
	u32 lout;

	if (l->kind == RMT_LAYER_DENSE)
		return l->bias[j] + layer_dot(l, j, in, l->cin);
	lout = (u32)l->len_in - l->ksize + 1u;
	return conv_acc(l, j / lout, j % lout, in);
}

static u32 layer_outputs(const struct rmt_layer *l)
{
	return (u32)l->cout * ((u32)l->len_in - l->ksize + 1u);
}

s32 rmt_mlp_infer(const struct rmt_model *m, const s32 *x, s32 *scores)
{
	s8 buf[2][RMT_MLP_MAX_WIDTH];
	const struct rmt_mlp *mlp = &m->mlp;
	const struct rmt_layer *l;
	s8 *in = buf[0], *next = buf[1], *tmp;
	u32 i, j, n_out;
	s32 acc, best_acc = 0, best = 0;

	for (i = 0; i < m->n_features; i++) {
		const struct rmt_input_q *q = &mlp->inq[i];

		in[i] = clamp_s8(mlp->in_zp +
				 round_shift(((s64)x[i] - q->offset) * q->mult,
					     q->shift));
	}
	for (i = 0; i + 1 < mlp->n_layers; i++) {
		l = &mlp->layers[i];
		n_out = layer_outputs(l);
		for (j = 0; j < n_out; j++)
			next[j] = activate(l, layer_acc(l, j, in));
		tmp = in;
		in = next;
		next = tmp;
	}
	l = &mlp->layers[mlp->n_layers - 1];
	n_out = layer_outputs(l);
	for (j = 0; j < n_out; j++) {
		acc = layer_acc(l, j, in);
		if (scores)
			scores[j] = acc;
		if (j == 0 || acc > best_acc) {
			best_acc = acc;
			best = (s32)j;
		}
	}
	return best;
}
