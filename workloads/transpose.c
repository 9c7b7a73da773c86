// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * transpose.c - naive out-of-place matrix transpose: the source is read
 * down its columns, so consecutive accesses are one row (several pages)
 * apart, a strided pattern that sequential readahead cannot follow.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"transpose", "Column walk: naive transpose of an N x N matrix.",
		false
	};
	struct rmt_wl_opts o;
	uint32_t *a, *t;
	uint64_t seed = 4, sum = RMT_WL_HASH_INIT;
	size_t n, i, j;

	rmt_wl_parse(argc, argv, &info, &o);
	n = (size_t)sqrt((double)o.bytes / (2 * sizeof(uint32_t)));
	a = rmt_wl_alloc(n * n * sizeof(*a), "matrix");
	t = rmt_wl_alloc(n * n * sizeof(*t), "transpose");
	for (i = 0; i < n * n; i++)
		a[i] = (uint32_t)rmt_wl_rand(&seed);
	/* Row by row of the output: a column of the input each time. */
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			t[i * n + j] = a[j * n + i];
	sum = rmt_wl_hash(sum, t, n * n * sizeof(*t));
	rmt_wl_print(sum);
	free(a);
	free(t);
	return 0;
}
