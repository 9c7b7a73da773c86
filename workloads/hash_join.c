// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hash_join.c - a partitioned (Grace) equi-join, the way databases join
 * relations larger than memory: scan R and S, scatter both into 64
 * partitions by a hash of the key, then per partition build a small
 * open-addressing table from R's part and probe it with S's part.
 * Sequential scans, 64 interleaved write streams, then partition-local
 * random access.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/wl.h"

#define PARTS 64u

struct tuple {
	uint32_t key;
	uint32_t payload;
};

static inline uint32_t part_of(uint32_t key)
{
	return (key * 0x9e3779b1u) >> 26;
}

static inline size_t slot_of(uint32_t key, size_t mask)
{
	return (size_t)((key * 0x85ebca6bu) >> 5) & mask;
}

/* Scatters in[] into out[] by partition; start[] gets PARTS + 1 offsets. */
static void partition(const struct tuple *in, size_t n, struct tuple *out,
		      size_t *start)
{
	size_t fill[PARTS], i;
	unsigned int p;

	memset(start, 0, (PARTS + 1) * sizeof(*start));
	for (i = 0; i < n; i++)
		start[part_of(in[i].key) + 1]++;
	for (p = 0; p < PARTS; p++)
		start[p + 1] += start[p];
	memcpy(fill, start, sizeof(fill));
	for (i = 0; i < n; i++)
		out[fill[part_of(in[i].key)]++] = in[i];
}

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"hash-join", "Partitioned hash join of R with a 4x larger S.",
		false
	};
	struct rmt_wl_opts o;
	uint64_t seed = 7, sum = RMT_WL_HASH_INIT, matches = 0, acc = 0;
	struct tuple *r, *s, *rp, *sp, *table;
	size_t nr, ns, slots = 1, i, rs[PARTS + 1], ss[PARTS + 1];
	unsigned int p;

	rmt_wl_parse(argc, argv, &info, &o);
	/* R, S = 4R and their partitioned copies: 10R tuples. */
	nr = o.bytes / (10 * sizeof(struct tuple));
	ns = 4 * nr;
	r = rmt_wl_alloc(nr * sizeof(*r), "R");
	s = rmt_wl_alloc(ns * sizeof(*s), "S");
	rp = rmt_wl_alloc(nr * sizeof(*rp), "partitioned R");
	sp = rmt_wl_alloc(ns * sizeof(*sp), "partitioned S");
	for (i = 0; i < nr; i++) {
		/* Distinct keys, never 0 (0 marks an empty slot). */
		r[i].key = (uint32_t)(i * 2 + 1);
		r[i].payload = (uint32_t)rmt_wl_rand(&seed);
	}
	for (i = 0; i < ns; i++) {
		uint64_t x = rmt_wl_rand(&seed);

		s[i].key = (uint32_t)(x % (4 * nr)) + 1;
		s[i].payload = (uint32_t)(x >> 32);
	}
	partition(r, nr, rp, rs);
	partition(s, ns, sp, ss);
	for (p = 0; p < PARTS; p++)
		while (slots < 2 * (rs[p + 1] - rs[p]))
			slots <<= 1;
	table = rmt_wl_alloc(slots * sizeof(*table), "hash table");
	for (p = 0; p < PARTS; p++) {
		memset(table, 0, slots * sizeof(*table));
		for (i = rs[p]; i < rs[p + 1]; i++) {
			size_t h = slot_of(rp[i].key, slots - 1);

			while (table[h].key)
				h = (h + 1) & (slots - 1);
			table[h] = rp[i];
		}
		for (i = ss[p]; i < ss[p + 1]; i++) {
			size_t h = slot_of(sp[i].key, slots - 1);

			for (; table[h].key; h = (h + 1) & (slots - 1)) {
				if (table[h].key == sp[i].key) {
					matches++;
					acc += (uint64_t)table[h].payload ^
					       sp[i].payload;
					break;
				}
			}
		}
	}
	sum = rmt_wl_hash(sum, &matches, sizeof(matches));
	sum = rmt_wl_hash(sum, &acc, sizeof(acc));
	rmt_wl_print(sum);
	free(r);
	free(s);
	free(rp);
	free(sp);
	free(table);
	return 0;
}
