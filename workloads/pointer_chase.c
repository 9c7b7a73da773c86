// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pointer_chase.c - follows a linked list laid out as one random cycle
 * (Sattolo's shuffle) over cache-line nodes: every step lands on an
 * unpredictable page, the case where a prefetcher should stay quiet.
 */
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

struct node {
	uint64_t next;
	uint64_t payload[7];
};

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"pointer-chase", "Walks a random cyclic linked list.", false
	};
	struct rmt_wl_opts o;
	uint64_t seed = 6, sum = RMT_WL_HASH_INIT, acc = 0, at = 0;
	struct node *nodes;
	size_t n, i, steps;

	rmt_wl_parse(argc, argv, &info, &o);
	n = o.bytes / sizeof(*nodes);
	nodes = rmt_wl_alloc(n * sizeof(*nodes), "nodes");
	for (i = 0; i < n; i++) {
		nodes[i].next = i;
		nodes[i].payload[i & 7 ? (i & 7) - 1 : 0] = i * 2654435761u;
	}
	/* Sattolo: a uniformly random permutation with a single cycle. */
	for (i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rmt_wl_rand(&seed) % i);
		uint64_t t = nodes[i].next;

		nodes[i].next = nodes[j].next;
		nodes[j].next = t;
	}
	steps = n / 2;
	for (i = 0; i < steps; i++) {
		acc += nodes[at].payload[at % 7] ^ at;
		at = nodes[at].next;
	}
	sum = rmt_wl_hash(sum, &acc, sizeof(acc));
	sum = rmt_wl_hash(sum, &at, sizeof(at));
	rmt_wl_print(sum);
	free(nodes);
	return 0;
}
