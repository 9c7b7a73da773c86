// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * spmv.c - sparse matrix-vector products in CSR form: the matrix streams
 * sequentially while the vector is gathered, half near the diagonal (a
 * banded, mesh-like part) and half at random columns.
 */
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

#define NNZ_PER_ROW 16
#define ITERATIONS 4
#define BAND 512

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"spmv", "Repeated CSR sparse matrix-vector products.", false
	};
	struct rmt_wl_opts o;
	uint64_t seed = 5, sum = RMT_WL_HASH_INIT;
	size_t n, nnz, i, k;
	uint64_t *rowptr;
	uint32_t *col;
	int32_t *val;
	int64_t *x, *y;
	int it;

	rmt_wl_parse(argc, argv, &info, &o);
	/* Per row: 16 entries of 8 bytes, a row pointer and two vectors. */
	n = o.bytes / (NNZ_PER_ROW * 8 + 3 * 8);
	nnz = n * NNZ_PER_ROW;
	rowptr = rmt_wl_alloc((n + 1) * sizeof(*rowptr), "row pointers");
	col = rmt_wl_alloc(nnz * sizeof(*col), "column indices");
	val = rmt_wl_alloc(nnz * sizeof(*val), "values");
	x = rmt_wl_alloc(n * sizeof(*x), "x");
	y = rmt_wl_alloc(n * sizeof(*y), "y");
	for (i = 0; i <= n; i++)
		rowptr[i] = i * NNZ_PER_ROW;
	for (i = 0; i < n; i++) {
		for (k = 0; k < NNZ_PER_ROW; k++) {
			uint64_t r = rmt_wl_rand(&seed);
			size_t c;

			if (k < NNZ_PER_ROW / 2)
				c = (i + n - BAND / 2 + r % BAND) % n;
			else
				c = (size_t)(r % n);
			col[i * NNZ_PER_ROW + k] = (uint32_t)c;
			val[i * NNZ_PER_ROW + k] = (int32_t)(r >> 40) % 9 - 4;
		}
		x[i] = (int64_t)(rmt_wl_rand(&seed) & 0xff);
	}
	for (it = 0; it < ITERATIONS; it++) {
		for (i = 0; i < n; i++) {
			int64_t acc = 0;

			for (k = rowptr[i]; k < rowptr[i + 1]; k++)
				acc += val[k] * x[col[k]];
			y[i] = acc;
		}
		/* Keep the values bounded, as a normalisation step would. */
		for (i = 0; i < n; i++)
			x[i] = (y[i] & 0x3ff) - 0x200;
	}
	sum = rmt_wl_hash(sum, y, n * sizeof(*y));
	rmt_wl_print(sum);
	free(rowptr);
	free(col);
	free(val);
	free(x);
	free(y);
	return 0;
}
