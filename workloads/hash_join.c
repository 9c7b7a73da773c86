// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hash_join.c - an equi-join: build an open-addressing hash table from
 * relation R, then probe it with the larger relation S, scanned in order
 * (sequential reads of S, random reads of the table).
 */
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

struct tuple {
	uint32_t key;
	uint32_t payload;
};

static inline size_t slot_of(uint32_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b1u) >> 7) & mask;
}

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"hash-join", "Hash join: build from R, probe with 4x larger S.",
		false
	};
	struct rmt_wl_opts o;
	uint64_t seed = 7, sum = RMT_WL_HASH_INIT, matches = 0, acc = 0;
	struct tuple *r, *s, *table;
	size_t nr, ns, slots = 1, i;

	rmt_wl_parse(argc, argv, &info, &o);
	/* R, S = 4R and a table of at least 2R slots: about 7R tuples. */
	nr = o.bytes / (7 * sizeof(struct tuple));
	ns = 4 * nr;
	while (slots < 2 * nr)
		slots <<= 1;
	r = rmt_wl_alloc(nr * sizeof(*r), "R");
	s = rmt_wl_alloc(ns * sizeof(*s), "S");
	table = rmt_wl_alloc(slots * sizeof(*table), "hash table");
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
	for (i = 0; i < slots; i++)
		table[i].key = 0;
	for (i = 0; i < nr; i++) {
		size_t h = slot_of(r[i].key, slots - 1);

		while (table[h].key)
			h = (h + 1) & (slots - 1);
		table[h] = r[i];
	}
	for (i = 0; i < ns; i++) {
		size_t h = slot_of(s[i].key, slots - 1);

		for (; table[h].key; h = (h + 1) & (slots - 1)) {
			if (table[h].key == s[i].key) {
				matches++;
				acc += (uint64_t)table[h].payload ^
				       s[i].payload;
				break;
			}
		}
	}
	sum = rmt_wl_hash(sum, &matches, sizeof(matches));
	sum = rmt_wl_hash(sum, &acc, sizeof(acc));
	rmt_wl_print(sum);
	free(r);
	free(s);
	free(table);
	return 0;
}
