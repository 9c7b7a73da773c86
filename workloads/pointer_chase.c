// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pointer_chase.c - follows a linked list of cache-line nodes laid out as
 * one random cycle: the list visits chunks of 16 consecutive nodes (1 KiB,
 * as an allocator hands out neighbouring objects) in an order drawn by
 * Sattolo's shuffle, so every chunk lands on an unpredictable page.  This
 * is the case where a prefetcher should stay quiet.
 */
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

#define CHUNK 16u
#define LAPS 2u

struct node {
	uint64_t next;
	uint64_t payload[7];
};

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"pointer-chase", "Walks a random cyclic linked list, twice.",
		false
	};
	struct rmt_wl_opts o;
	uint64_t seed = 6, sum = RMT_WL_HASH_INIT, acc = 0, at = 0;
	struct node *nodes;
	uint32_t *order;
	size_t n, chunks, i, k;

	rmt_wl_parse(argc, argv, &info, &o);
	chunks = o.bytes / (sizeof(*nodes) * CHUNK);
	n = chunks * CHUNK;
	nodes = rmt_wl_alloc(n * sizeof(*nodes), "nodes");
	order = rmt_wl_alloc(chunks * sizeof(*order), "chunk order");
	/* Sattolo: a uniformly random single cycle over the chunks. */
	for (i = 0; i < chunks; i++)
		order[i] = (uint32_t)i;
	for (i = chunks - 1; i > 0; i--) {
		size_t j = (size_t)(rmt_wl_rand(&seed) % i);
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	/* Chunk c's last node links to the first node of chunk order[c]. */
	for (i = 0; i < chunks; i++) {
		for (k = 0; k < CHUNK; k++) {
			struct node *nd = &nodes[i * CHUNK + k];

			nd->next = k + 1 < CHUNK ? i * CHUNK + k + 1 :
						   (uint64_t)order[i] * CHUNK;
			nd->payload[k % 7] = rmt_wl_rand(&seed);
		}
	}
	for (i = 0; i < LAPS * n; i++) {
		acc += nodes[at].payload[at % 7] ^ at;
		at = nodes[at].next;
	}
	sum = rmt_wl_hash(sum, &acc, sizeof(acc));
	sum = rmt_wl_hash(sum, &at, sizeof(at));
	rmt_wl_print(sum);
	free(order);
	free(nodes);
	return 0;
}
