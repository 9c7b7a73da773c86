/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cuts.h - where one feature's bins split, for every histogram trainer
 * (mlib's CART and the offload engines): each distinct value when a
 * feature has at most max_bins of them, else max_bins quantiles of the
 * distinct values; and which bin a value falls in.
 */
#ifndef RMT_MLIB_TRAIN_CUTS_H
#define RMT_MLIB_TRAIN_CUTS_H

#include "port/rmt_port.h"
#include "mlib/train/quantize.h"

/*
 * Sorts v[0..n) (scratch: room for n more values), then writes at most
 * max_bins - 1 increasing cuts: bin b holds the values <= cuts[b], the
 * last bin the rest.  Returns the number of bins (at least 1).
 */
u32 rmt_train_cuts(s32 *v, s32 *scratch, u32 n, u32 max_bins, s32 *cuts);

/*
 * The bin of v: the first of the nc cuts >= v, or nc (the last bin).
 * Branch-free, since values come in random order: a data-dependent
 * branch here mispredicts about once a step.  nvcc compiles it into the
 * CUDA kernels too.
 */
static inline RMT_HD u32 rmt_train_find_bin(const s32 *cuts, u32 nc, s32 v)
{
	const s32 *base = cuts;
	u32 n = nc, half;

	if (!n)
		return 0;
	while (n > 1) {
		half = n / 2;
		base += (size_t)(base[half - 1] < v) * half;
		n -= half;
	}
	return (u32)(base - cuts) + (*base < v);
}

#endif /* RMT_MLIB_TRAIN_CUTS_H */
