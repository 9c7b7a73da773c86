// SPDX-License-Identifier: GPL-2.0 OR MIT
/* linalg.c - integer dot products, matrix-vector and matrix-matrix. */
#include "mlib/linalg.h"

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
