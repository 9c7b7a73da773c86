// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * stencil.c - Jacobi iterations of a 5-point stencil on an integer grid,
 * swapping two grids: three input rows stream past per output row.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

#define ITERATIONS 4

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"stencil", "Jacobi 5-point stencil, 4 sweeps over two grids.",
		false
	};
	struct rmt_wl_opts o;
	int32_t *a, *b, *t;
	uint64_t seed = 8, sum = RMT_WL_HASH_INIT;
	size_t n, i, y, x;
	int it;

	rmt_wl_parse(argc, argv, &info, &o);
	n = (size_t)sqrt((double)o.bytes / (2 * sizeof(int32_t)));
	a = rmt_wl_alloc(n * n * sizeof(*a), "grid");
	b = rmt_wl_alloc(n * n * sizeof(*b), "next grid");
	for (i = 0; i < n * n; i++)
		a[i] = (int32_t)(rmt_wl_rand(&seed) & 0xfffff);
	for (i = 0; i < n; i++) {
		b[i] = a[i];
		b[(n - 1) * n + i] = a[(n - 1) * n + i];
	}
	for (it = 0; it < ITERATIONS; it++) {
		for (y = 1; y + 1 < n; y++) {
			const int32_t *up = a + (y - 1) * n, *mid = a + y * n;
			const int32_t *dn = a + (y + 1) * n;
			int32_t *row = b + y * n;

			row[0] = mid[0];
			row[n - 1] = mid[n - 1];
			for (x = 1; x + 1 < n; x++)
				row[x] = (up[x] + dn[x] + mid[x - 1] +
					  mid[x + 1] + 4 * mid[x]) /
					 8;
		}
		t = a;
		a = b;
		b = t;
	}
	sum = rmt_wl_hash(sum, a, n * n * sizeof(*a));
	rmt_wl_print(sum);
	free(a);
	free(b);
	return 0;
}
