// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * seqscan.c - a column store's scan: a filter and an aggregate over one
 * large array of 64-bit values, several passes front to back.
 */
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

#define PASSES 3

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"seqscan", "Filtered sums over a large array, 3 passes.", false
	};
	struct rmt_wl_opts o;
	uint64_t *v, seed = 3, sum = RMT_WL_HASH_INIT;
	size_t n, i;
	int pass;

	rmt_wl_parse(argc, argv, &info, &o);
	n = o.bytes / sizeof(*v);
	v = rmt_wl_alloc(n * sizeof(*v), "column");
	for (i = 0; i < n; i++)
		v[i] = rmt_wl_rand(&seed);
	for (pass = 0; pass < PASSES; pass++) {
		uint64_t lo = (uint64_t)pass << 61, acc = 0, cnt = 0;

		for (i = 0; i < n; i++) {
			if (v[i] >= lo) {
				acc += v[i] >> 8;
				cnt++;
			}
		}
		sum = rmt_wl_hash(sum, &acc, sizeof(acc));
		sum = rmt_wl_hash(sum, &cnt, sizeof(cnt));
	}
	rmt_wl_print(sum);
	free(v);
	return 0;
}
