// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hist.cu - histogram CART on the GPU: the bin of every feature value,
 * per-level class histograms (block
 * privatised in shared memory when they fit), the best split per (node,
 * feature) with the very function the CPU engine uses, and the move of
 * each row to its child.  Built with -fmad=false so that split gains are
 * bit-identical to the CPU's.
 */
#include "offload/train/split.h"

/* One thread per value of x ([row][feature]); bins is [feature][row]. */
extern "C" __global__ void rmt_hc_bin(const void *x, u32 is_float, u32 frac,
				      const s32 *cuts, const u32 *n_bins,
				      u32 n, u32 F, u32 B, u8 *bins)
{
	size_t t = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	u32 r, f;
	s32 v;

	if (t >= (size_t)n * F)
		return;
	r = (u32)(t / F);
	f = (u32)(t % F);
	v = is_float ? rmt_train_quantize_input((double)((const float *)x)[t], frac) :
		       ((const s32 *)x)[t];
	bins[(size_t)f * n + r] =
		(u8)rmt_train_find_bin(cuts + (size_t)f * B, n_bins[f] - 1, v);
}

/*
 * Grid: x over rows, y over features.  hist is [node][feature][bin][class]
 * for the nodes n0..n0+nn-1 of the level; with smem, each block counts
 * into shared memory first (nn * B * K counters).
 */
extern "C" __global__ void rmt_hc_hist(const u8 *bins, const u8 *cls,
				       const s32 *nid, u32 n, u32 F, u32 B,
				       u32 K, s32 n0, u32 nn, u32 *hist,
				       u32 smem)
{
	extern __shared__ u32 sh[];
	u32 f = blockIdx.y, bk = B * K, i, r;
	const u8 *col = bins + (size_t)f * n;

	if (smem) {
		for (i = threadIdx.x; i < nn * bk; i += blockDim.x)
			sh[i] = 0;
		__syncthreads();
	}
	for (r = blockIdx.x * blockDim.x + threadIdx.x; r < n;
	     r += gridDim.x * blockDim.x) {
		s32 node = nid[r] - n0;
		u32 at;

		if (nid[r] < 0 || node < 0 || (u32)node >= nn)
			continue;
		at = (u32)col[r] * K + cls[r];
		if (smem)
			atomicAdd(&sh[(u32)node * bk + at], 1u);
		else
			atomicAdd(&hist[((size_t)node * F + f) * bk + at], 1u);
	}
	if (!smem)
		return;
	__syncthreads();
	for (i = threadIdx.x; i < nn * bk; i += blockDim.x)
		if (sh[i])
			atomicAdd(&hist[((size_t)(i / bk) * F + f) * bk +
					i % bk],
				  sh[i]);
}

/* One thread per (node, feature); feature 0 also sums the class counts. */
extern "C" __global__ void rmt_hc_best_split(const u32 *hist,
					     const u32 *n_bins, u32 F, u32 B,
					     u32 K, u32 nn, u32 min_leaf,
					     struct rmt_hc_best *best, u32 *tot)
{
	u32 t = blockIdx.x * blockDim.x + threadIdx.x, f, k, b, s;
	const u32 *h;

	if (t >= nn * F)
		return;
	f = t % F;
	h = hist + (size_t)t * B * K;
	rmt_hc_scan(h, n_bins[f], K, min_leaf, &best[t]);
	if (f)
		return;
	for (k = 0; k < K; k++) {
		for (b = 0, s = 0; b < n_bins[0]; b++)
			s += h[b * K + k];
		tot[(t / F) * K + k] = s;
	}
}

extern "C" __global__ void rmt_hc_route(const u8 *bins, s32 *nid, u32 n,
					const struct rmt_hc_route *route)
{
	u32 r = blockIdx.x * blockDim.x + threadIdx.x;
	const struct rmt_hc_route *rt;

	if (r >= n || nid[r] < 0)
		return;
	rt = &route[nid[r]];
	if (rt->feature < 0) {
		nid[r] = -1;
		return;
	}
	nid[r] = (s32)(rt->left +
		       (bins[(size_t)rt->feature * n + r] > rt->bin));
}
