/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * quantize.h - how a float feature becomes the fixed-point integer that
 * integer inference sees: round(x * 2^frac), halves up, saturated to s32,
 * NaN to 0.  One definition for every trainer, the tools and the training
 * backends; nvcc compiles it into the CUDA kernels too (RMT_HD), so trees
 * trained on a GPU split on the same integers.
 */
#ifndef RMT_MLIB_TRAIN_QUANTIZE_H
#define RMT_MLIB_TRAIN_QUANTIZE_H

#include <math.h>
#include <stdint.h>

#include "port/rmt_port.h"

#ifdef __CUDACC__
#define RMT_HD __host__ __device__
#else
#define RMT_HD
#endif

static inline RMT_HD s32 rmt_train_quantize_input(double x, u32 frac)
{
	/* Scaling by a power of two is exact, as ldexp would be. */
	double v = x * (frac < 63 ? (double)((u64)1 << frac) :
				    ldexp(1.0, (int)frac));
	s64 q;

	if (v != v)
		return 0;
	if (v >= 2147483647.0)
		return INT32_MAX;
	if (v <= -2147483648.0)
		return INT32_MIN;
	/* floor, then v - floor(v) is exact, so halves round up exactly. */
	q = (s64)v;
	q -= (double)q > v;
	q += v - (double)q >= 0.5;
	return q > INT32_MAX ? INT32_MAX : (s32)q;
}

#endif /* RMT_MLIB_TRAIN_QUANTIZE_H */
