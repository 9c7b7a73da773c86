/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * linalg.h - integer vector kernels of the MLP and conv layers: int8 or
 * int16 weights against int8 activations, int32 accumulation.  The caller
 * guarantees that no sum overflows: |bias| + 128 * sum |w| < 2^31 for
 * every row (the model parser proves it for every layer it admits).
 */
#ifndef RMT_MLIB_LINALG_H
#define RMT_MLIB_LINALG_H

#include "port/rmt_port.h"

/*
 * Four independent sums: the core has no SIMD (kernel code), so this is
 * what keeps the multipliers busy.  Inline, as the MLP calls them once per
 * output.  No partial sum can overflow when the whole cannot.
 */
#define RMT_DEFINE_DOT(name, wtype)                                \
	static inline s32 name(const wtype *w, const s8 *x, u32 n) \
	{                                                          \
		s32 a0 = 0, a1 = 0, a2 = 0, a3 = 0;                \
		u32 i = 0;                                         \
                                                                   \
		for (; i + 4 <= n; i += 4) {                       \
			a0 += (s32)w[i] * x[i];                    \
			a1 += (s32)w[i + 1] * x[i + 1];            \
			a2 += (s32)w[i + 2] * x[i + 2];            \
			a3 += (s32)w[i + 3] * x[i + 3];            \
		}                                                  \
		for (; i < n; i++)                                 \
			a0 += (s32)w[i] * x[i];                    \
		return a0 + a1 + a2 + a3;                          \
	}

RMT_DEFINE_DOT(rmt_dot_s8, s8)
RMT_DEFINE_DOT(rmt_dot_s16, s16)

/* y[r] = bias[r] + sum_c w[r][c] * x[c]; bias may be NULL. */
void rmt_matvec_s8(const s8 *w, u32 rows, u32 cols, const s8 *x,
		   const s32 *bias, s32 *y);
void rmt_matvec_s16(const s16 *w, u32 rows, u32 cols, const s8 *x,
		    const s32 *bias, s32 *y);

/* y[j][r] = bias[r] + sum_c w[r][c] * x[j][c] for n input vectors. */
void rmt_matmat_s8(const s8 *w, u32 rows, u32 cols, const s8 *x, u32 n,
		   const s32 *bias, s32 *y);

#endif /* RMT_MLIB_LINALG_H */
