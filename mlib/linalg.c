// SPDX-License-Identifier: GPL-2.0 OR MIT
/* linalg.c - integer dot products, matrix-vector and matrix-matrix. */
#include "mlib/linalg.h"

/*
 * Four independent sums: the core has no SIMD (kernel code), so this is
 * what keeps the multipliers busy.  No partial sum can overflow when the
 * whole cannot.
 */
s32 rmt_dot_s8(const s8 *w, const s8 *x, u32 n)
{
	s32 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	u32 i = 0;

	for (; i + 4 <= n; i += 4) {
		a0 += (s32)w[i] * x[i];
		a1 += (s32)w[i + 1] * x[i + 1];
		a2 += (s32)w[i + 2] * x[i + 2];
		a3 += (s32)w[i + 3] * x[i + 3];
	}
	for (; i < n; i++)
		a0 += (s32)w[i] * x[i];
	return a0 + a1 + a2 + a3;
}

s32 rmt_dot_s16(const s16 *w, const s8 *x, u32 n)
{
	s32 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	u32 i = 0;

	for (; i + 4 <= n; i += 4) {
		a0 += (s32)w[i] * x[i];
		a1 += (s32)w[i + 1] * x[i + 1];
		a2 += (s32)w[i + 2] * x[i + 2];
		a3 += (s32)w[i + 3] * x[i + 3];
	}
	for (; i < n; i++)
		a0 += (s32)w[i] * x[i];
	return a0 + a1 + a2 + a3;
}

void rmt_matvec_s8(const s8 *w, u32 rows, u32 cols, const s8 *x,
		   const s32 *bias, s32 *y)
{
	u32 r;

	for (r = 0; r < rows; r++)
		y[r] = (bias ? bias[r] : 0) +
		       rmt_dot_s8(w + (size_t)r * cols, x, cols);
}

void rmt_matvec_s16(const s16 *w, u32 rows, u32 cols, const s8 *x,
		    const s32 *bias, s32 *y)
{
	u32 r;

	for (r = 0; r < rows; r++)
		y[r] = (bias ? bias[r] : 0) +
		       rmt_dot_s16(w + (size_t)r * cols, x, cols);
}

void rmt_matmat_s8(const s8 *w, u32 rows, u32 cols, const s8 *x, u32 n,
		   const s32 *bias, s32 *y)
{
	u32 j;

	for (j = 0; j < n; j++)
		rmt_matvec_s8(w, rows, cols, x + (size_t)j * cols, bias,
			      y + (size_t)j * rows);
}
