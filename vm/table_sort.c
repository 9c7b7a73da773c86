// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * table_sort.c - heapsort over index arrays (see table_sort.h).
 */
#include "vm/table_sort.h"

static void rmt_sift_down(u32 *idx, u32 root, u32 n, rmt_sort_cmp cmp,
			  const void *ctx)
{
	u32 child, tmp;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && cmp(ctx, idx[child], idx[child + 1]) < 0)
			child++;
		if (cmp(ctx, idx[root], idx[child]) >= 0)
			return;
		tmp = idx[root];
		idx[root] = idx[child];
		idx[child] = tmp;
		root = child;
	}
}

void rmt_sort_idx(u32 *idx, u32 n, rmt_sort_cmp cmp, const void *ctx)
{
	u32 i, tmp;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		rmt_sift_down(idx, i, n, cmp, ctx);
	for (i = n - 1; i > 0; i--) {
		tmp = idx[0];
		idx[0] = idx[i];
		idx[i] = tmp;
		rmt_sift_down(idx, 0, i, cmp, ctx);
	}
}
