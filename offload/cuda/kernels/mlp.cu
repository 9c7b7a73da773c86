// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mlp.cu - one SGD step of an MLP on a batch, layer by layer: gather the
 * batch's rows, forward, the softmax cross-entropy delta, backward, and
 * the weight update.  Each thread sums in the same order as the CPU
 * engine's loops (and -fmad=false), so weights differ only where expf
 * and tanhf round differently.
 */
#include "port/rmt_port.h"

#define ACT_NONE 0u
#define ACT_RELU 1u
#define ACT_TANH 2u

extern "C" __global__ void rmt_mlp_gather(const float *x, const u32 *rows,
					  u32 bs, u32 F, float *a0)
{
	u32 t = blockIdx.x * blockDim.x + threadIdx.x;

	if (t < bs * F)
		a0[t] = x[(size_t)rows[t / F] * F + t % F];
}

extern "C" __global__ void rmt_mlp_forward(const float *w, const float *b,
					   const float *in, float *out, u32 bs,
					   u32 I, u32 O, u32 act)
{
	u32 t = blockIdx.x * blockDim.x + threadIdx.x, s, o, i;
	float v;

	if (t >= bs * O)
		return;
	s = t / O;
	o = t % O;
	v = b[o];
	for (i = 0; i < I; i++)
		v += w[(size_t)o * I + i] * in[(size_t)s * I + i];
	if (act == ACT_RELU)
		v = v > 0 ? v : 0;
	else if (act == ACT_TANH)
		v = tanhf(v);
	out[t] = v;
}

extern "C" __global__ void rmt_mlp_out_delta(const float *z, const u8 *y,
					     const u32 *rows, u32 bs, u32 K,
					     float *d)
{
	u32 s = blockIdx.x * blockDim.x + threadIdx.x, k;
	float m, sum = 0;

	if (s >= bs)
		return;
	z += (size_t)s * K;
	d += (size_t)s * K;
	m = z[0];
	for (k = 1; k < K; k++)
		m = z[k] > m ? z[k] : m;
	for (k = 0; k < K; k++) {
		d[k] = expf(z[k] - m);
		sum += d[k];
	}
	for (k = 0; k < K; k++)
		d[k] = (d[k] / sum - (k == y[rows[s]])) / bs;
}

extern "C" __global__ void rmt_mlp_backward(const float *w, const float *dn,
					    const float *a, float *dp, u32 bs,
					    u32 I, u32 O, u32 act)
{
	u32 t = blockIdx.x * blockDim.x + threadIdx.x, s, i, o;
	float v = 0, y;

	if (t >= bs * I)
		return;
	s = t / I;
	i = t % I;
	for (o = 0; o < O; o++)
		v += w[(size_t)o * I + i] * dn[(size_t)s * O + o];
	y = a[t];
	dp[t] = v * (act == ACT_TANH ? 1 - y * y : (y > 0 ? 1.0f : 0.0f));
}

/* Thread (o, i) updates w[o][i]; thread (o, I) the bias. */
extern "C" __global__ void rmt_mlp_update(float *w, float *b, const float *d,
					  const float *in, u32 bs, u32 I,
					  u32 O, float lr, float l2)
{
	u32 t = blockIdx.x * blockDim.x + threadIdx.x, o, i, s;
	float g = 0;

	if (t >= O * (I + 1))
		return;
	o = t / (I + 1);
	i = t % (I + 1);
	if (i == I) {
		for (s = 0; s < bs; s++)
			g += d[(size_t)s * O + o];
		b[o] -= lr * g;
		return;
	}
	for (s = 0; s < bs; s++)
		g += d[(size_t)s * O + o] * in[(size_t)s * I + i];
	w[(size_t)o * I + i] -= lr * (g + l2 * w[(size_t)o * I + i]);
}
