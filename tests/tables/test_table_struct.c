// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_table_struct.c - the invariants of the compiled lookup structures
 * that the answers and the cost reported to the verifier rely on, read
 * from the published snapshot: merged tuples with copied rows (bucket
 * sizes within the words compared, tuples in rank order, the cost an
 * upper bound of the work) and the index over interval bounds; and
 * lookups against a linear scan on tables shaped to exercise them.
 */
#include <stdlib.h>
#include <criterion/criterion.h>

#include "vm/table_impl.h"
#include "port/rmt_rcu.h"
#include "tests/tables/table_test_util.h"

static u32 lookup(struct rmt_table *t, u64 key)
{
	struct rmt_table_result r;

	rmt_rcu_read_lock();
	rmt_table_lookup(t, &key, &r);
	rmt_rcu_read_unlock();
	return r.slot;
}

static u32 log2c(u64 n)
{
	u32 l = 0;

	while ((1ull << l) < n)
		l++;
	return l;
}

struct ref_entry {
	u64 v, m; /* ternary value and mask, or range low and high */
	s32 prio;
	u32 slot;
};

/* The documented rule: the highest priority wins, then the first added. */
static u32 scan(const struct ref_entry *e, u32 n, u8 kind, u64 key)
{
	u32 i, best = RMT_TABLE_NO_SLOT;
	s32 bp = 0;

	for (i = 0; i < n; i++) {
		bool hit = kind == RMT_MATCH_RANGE ?
				   key >= e[i].v && key <= e[i].m :
				   (key & e[i].m) == e[i].v;

		if (hit && e[i].prio > bp) {
			bp = e[i].prio;
			best = e[i].slot;
		}
	}
	return best;
}

/*
 * The benchmark's shape: 64 random masks of 16 to 28 of 32 bits, random
 * priorities.  Too few bits are common to many such masks for tuples
 * that only hash on bits all their masks specify, so the compiler's
 * best plan copies rows into tuples hashed on bits they leave open.
 */
Test(table_struct, merged_tuples_with_copied_rows)
{
	u8 k[] = { RMT_MATCH_TERNARY }, w[] = { 32 };
	const u32 n = 4000;
	struct rmt_table_config c = tt_config(1, k, w, n);
	struct ref_entry *e = calloc(n, sizeof(*e));
	const struct rmt_table_snap *s;
	struct rmt_table *t;
	u64 seed = 4, masks[64], cost = 0, key;
	u32 i, j, h, added = 0, uncovered = 0, at;

	cr_assert_eq(rmt_table_create(&c, &t, NULL), 0);
	for (i = 0; i < 64; i++) {
		u32 bits = 16 + tt_rand(&seed) % 13;

		masks[i] = 0;
		while (__builtin_popcountll(masks[i]) < (int)bits)
			masks[i] |= 1ull << (tt_rand(&seed) % 32);
	}
	while (added < n) {
		struct rmt_table_entry te = { .action_id = 7, .param_len = 4 };
		u8 p[4] = { 1, 2, 3, 4 };

		te.params = p;
		te.priority = (s32)(1 + tt_rand(&seed) % 100000);
		e[added].m = masks[added % 64];
		e[added].v = tt_rand(&seed) & e[added].m;
		e[added].prio = te.priority;
		tt_field(&te, 10, RMT_MATCH_TERNARY, e[added].v, e[added].m, 0);
		if (rmt_table_add(t, &te, &e[added].slot, NULL))
			continue; /* a duplicate */
		added++;
	}
	cr_assert_eq(rmt_table_commit(t, NULL), 0);
	s = t->snap;
	cr_assert_eq(s->kind, RMT_SNAP_MERGED);
	/* Copies in use: some mask holds no tuple's mask. */
	for (i = 0; i < 64; i++) {
		for (j = 0; j < s->n_tuples; j++)
			if (!(s->mt[j].mask & ~masks[i]))
				break;
		uncovered += j == s->n_tuples;
	}
	cr_assert_gt(uncovered, 0);
	for (j = 0; j < s->n_tuples; j++) {
		const struct rmt_mtuple *tp = &s->mt[j];
		u32 size = 1u << (64 - tp->shift);

		/* Rank order: the lookup stops once no later tuple can win. */
		if (j)
			cr_assert_geq(tp->best_rank, s->mt[j - 1].best_rank);
		/* Every bucket within the words a lookup compares. */
		for (h = 0; h + 1 < size; h++)
			cr_assert_leq(tp->start[h + 1] - tp->start[h],
				      tp->words, "tuple %u bucket %u", j, h);
		cost += 1 + tp->words * (1 + s->lanes);
	}
	cr_assert_geq(rmt_table_lookup_cost(t), cost);
	for (i = 0; i < 6000; i++) {
		at = tt_rand(&seed) % n;
		key = tt_rand(&seed) & 0xffffffff;
		if (i & 1)
			key = e[at].v | (key & ~e[at].m);
		cr_assert_eq(lookup(t, key), scan(e, n, RMT_MATCH_TERNARY, key),
			     "key %llx", (unsigned long long)key);
	}
	free(e);
	rmt_table_destroy(t);
}

/*
 * Ranges crowded into one corner of the field and at its top: the index
 * cells there hold many bounds, the others one.  Keys on, before and
 * after every bound.
 */
Test(table_struct, interval_index_with_crowded_cells)
{
	u8 k[] = { RMT_MATCH_RANGE }, w[] = { 32 };
	const u32 n = 600;
	struct rmt_table_config c = tt_config(1, k, w, n);
	struct ref_entry *e = calloc(n, sizeof(*e));
	const struct rmt_table_snap *s;
	struct rmt_table *t;
	u64 seed = 5, lo, key;
	u32 i, d, cells, most = 1, steps = 0, added = 0;

	cr_assert_eq(rmt_table_create(&c, &t, NULL), 0);
	while (added < n) {
		struct rmt_table_entry te = { .action_id = 7, .param_len = 4 };
		u8 p[4] = { 0 };

		te.params = p;
		te.priority = (s32)(1 + tt_rand(&seed) % 50);
		lo = added % 3 ? 0x1000 + tt_rand(&seed) % 0x1000 :
				 0xffffff00 + tt_rand(&seed) % 0x100;
		e[added].v = lo;
		e[added].m = lo + tt_rand(&seed) % 64;
		if (e[added].m > 0xffffffff)
			e[added].m = 0xffffffff;
		e[added].prio = te.priority;
		tt_field(&te, 10, RMT_MATCH_RANGE, e[added].v, e[added].m, 0);
		if (rmt_table_add(t, &te, &e[added].slot, NULL))
			continue;
		added++;
	}
	cr_assert_eq(rmt_table_commit(t, NULL), 0);
	s = t->snap;
	cr_assert_eq(s->kind, RMT_SNAP_INTERVALS);
	cells = 1u << (32 - s->radix_shift);
	for (i = 0; i < cells; i++) {
		u32 a = s->radix[i], b = s->radix[i + 1];

		/* The cell's first key falls after its first bound... */
		cr_assert_leq(s->bounds[a], (u64)i << s->radix_shift);
		cr_assert_leq(a, b);
		if (b - a + 1 > most)
			most = b - a + 1;
	}
	/* ... and the steps reach its last. */
	for (d = s->radix_step; d; d >>= 1)
		steps++;
	cr_assert_geq(2ull * (s->radix_step ? s->radix_step : 1), most);
	cr_assert_gt(most, 8);
	cr_assert_geq(rmt_table_lookup_cost(t), 2 + steps);
	cr_assert_geq(rmt_table_lookup_cost(t), 2 + log2c(most));
	for (i = 0; i < n; i++) {
		for (d = 0; d < 4; d++) {
			key = (d < 2 ? e[i].v : e[i].m) + (d & 1) - (d < 2);
			key &= 0xffffffff;
			cr_assert_eq(lookup(t, key),
				     scan(e, n, RMT_MATCH_RANGE, key),
				     "key %llx", (unsigned long long)key);
		}
	}
	cr_assert_eq(lookup(t, 0xffffffff),
		     scan(e, n, RMT_MATCH_RANGE, 0xffffffff));
	free(e);
	rmt_table_destroy(t);
}
