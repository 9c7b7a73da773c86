/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * split.h - what the CPU engine and the CUDA kernels compute alike, from
 * this one source: a feature's bin (quantize, then rmt_train_find_bin),
 * and the best split of one node on one feature from its histogram of
 * class counts per bin.  Every quantity of a split is an exact integer until one
 * division per side, so both pick the same split bit for bit (the CUDA
 * build must not contract into FMAs: -fmad=false).
 */
#ifndef RMT_OFFLOAD_TRAIN_SPLIT_H
#define RMT_OFFLOAD_TRAIN_SPLIT_H

#include "port/rmt_port.h"
#include "mlib/train/cuts.h"
#include "mlib/train/quantize.h"

#define RMT_HC_MAX_CLASSES 64u

/* A node's best split on one feature. */
struct rmt_hc_best {
	double gain;
	u32 bin; /* left: bins <= bin */
	s32 ok; /* 0: no admissible split */
};

/* How the rows of one node of a level move on. */
struct rmt_hc_route {
	s32 feature; /* -1: the node is a leaf, its rows stop */
	u32 bin;
	u32 left; /* the left child's index in the next level (right: +1) */
};

/*
 * h: [nb][K] class counts of the node (h[b * K + c]).  Gini gain of
 * "bins <= b go left": sum l_c^2 / n_l + sum r_c^2 / n_r - sum t_c^2 / n,
 * the first b of largest gain wins; each side keeps min_leaf rows.
 * Counts stay below 2^31 (rmt_train_check), so the sums of squares fit.
 */
static inline RMT_HD void rmt_hc_scan(const u32 *h, u32 nb, u32 K, u32 min_leaf,
				      struct rmt_hc_best *out)
{
	u64 t[RMT_HC_MAX_CLASSES], l[RMT_HC_MAX_CLASSES];
	u64 n = 0, nl = 0, st = 0, sl, sr, cb;
	u32 b, c;
	double g;

	out->gain = 0;
	out->bin = 0;
	out->ok = 0;
	for (c = 0; c < K; c++) {
		t[c] = 0;
		l[c] = 0;
	}
	for (b = 0; b < nb; b++)
		for (c = 0; c < K; c++)
			t[c] += h[b * K + c];
	for (c = 0; c < K; c++) {
		n += t[c];
		st += t[c] * t[c];
	}
	for (b = 0; b + 1 < nb; b++) {
		cb = 0;
		for (c = 0; c < K; c++) {
			l[c] += h[b * K + c];
			cb += h[b * K + c];
		}
		if (!cb)
			continue;
		nl += cb;
		if (nl < min_leaf)
			continue;
		if (n - nl < min_leaf || nl == n)
			break;
		sl = 0;
		sr = 0;
		for (c = 0; c < K; c++) {
			sl += l[c] * l[c];
			sr += (t[c] - l[c]) * (t[c] - l[c]);
		}
		g = (double)sl / (double)nl + (double)sr / (double)(n - nl);
		g -= (double)st / (double)n;
		if (!out->ok || g > out->gain) {
			out->gain = g;
			out->bin = b;
			out->ok = 1;
		}
	}
}

#endif /* RMT_OFFLOAD_TRAIN_SPLIT_H */
