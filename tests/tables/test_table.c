// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_table.c - match-action table engine: each match kind, priority
 * order, canonicalisation, bad entries and their codes, default-action
 * rules, staging and commit, counters, cost, and a randomised comparison
 * of every kind against a reference linear scan.
 */
#include <criterion/criterion.h>

#include "vm/table.h"
#include "port/rmt_rcu.h"
#include "tests/tables/table_test_util.h"

static const u8 params7[4] = { 1, 2, 3, 4 };

static struct rmt_table *mk(u32 n, const u8 *kinds, const u8 *widths, u32 cap)
{
	struct rmt_table_config c = tt_config(n, kinds, widths, cap);
	struct rmt_table *t;
	enum rmt_table_code code;

	cr_assert_eq(rmt_table_create(&c, &t, &code), 0, "create: %s",
		     rmt_table_code_str(code));
	return t;
}

static struct rmt_table_entry entry(s32 prio)
{
	struct rmt_table_entry e = { 0 };

	e.priority = prio;
	e.action_id = 7;
	e.param_len = 4;
	e.params = params7;
	return e;
}

static u32 look(struct rmt_table *t, u64 k0, u64 k1)
{
	struct rmt_table_result r;
	u64 key[2] = { k0, k1 };

	rmt_rcu_read_lock();
	rmt_table_lookup(t, key, &r);
	rmt_rcu_read_unlock();
	return r.slot;
}

static u32 add(struct rmt_table *t, const struct rmt_table_entry *e)
{
	enum rmt_table_code code;
	u32 slot;

	cr_assert_eq(rmt_table_add(t, e, &slot, &code), 0, "add: %s",
		     rmt_table_code_str(code));
	return slot;
}

static void commit(struct rmt_table *t)
{
	cr_assert_eq(rmt_table_commit(t, NULL), 0);
}

Test(table, exact_hit_miss_and_counters)
{
	u8 k[] = { RMT_MATCH_EXACT }, w[] = { 64 };
	struct rmt_table *t = mk(1, k, w, 8);
	struct rmt_table_entry e = entry(0);
	struct rmt_table_result r;
	struct rmt_table_stats st;
	u64 key = 0xdeadbeefcafeull, hits;
	u32 s;

	tt_field(&e, 10, RMT_MATCH_EXACT, key, 0, 0);
	s = add(t, &e);
	cr_assert_eq(look(t, key, 0), RMT_TABLE_NO_SLOT, "staged is invisible");
	commit(t);
	rmt_rcu_read_lock();
	cr_assert(rmt_table_lookup(t, &key, &r));
	rmt_rcu_read_unlock();
	cr_assert_eq(r.slot, s);
	cr_assert_eq(r.action_id, 7);
	cr_assert_eq(r.param_len, 4);
	cr_assert_arr_eq(r.params, params7, 4);
	cr_assert_not_null(r.state);
	cr_assert_eq(look(t, key + 1, 0), RMT_TABLE_NO_SLOT);
	cr_assert_eq(look(t, key, 0), s);
	rmt_table_get_stats(t, &st);
	cr_assert_eq(st.lookups, 4);
	cr_assert_eq(st.hits, 2);
	cr_assert_eq(st.misses, 2);
	cr_assert_eq(st.entries, 1);
	cr_assert_eq(rmt_table_entry_get(t, s, &e, &hits), 0);
	cr_assert_eq(hits, 2);
	rmt_table_reset_stats(t);
	rmt_table_get_stats(t, &st);
	cr_assert_eq(st.lookups, 0);
	rmt_table_destroy(t);
}

Test(table, ternary_higher_priority_wins_ties_go_to_first)
{
	u8 k[] = { RMT_MATCH_TERNARY }, w[] = { 32 };
	struct rmt_table *t = mk(1, k, w, 8);
	struct rmt_table_entry a = entry(5), b = entry(9), c = entry(9);
	u32 sa, sb, sc;

	tt_field(&a, 10, RMT_MATCH_TERNARY, 0x10, 0xf0, 0);
	tt_field(&b, 10, RMT_MATCH_TERNARY, 0x01, 0x0f, 0);
	tt_field(&c, 10, RMT_MATCH_TERNARY, 0x11, 0xff, 0);
	sa = add(t, &a);
	sb = add(t, &b);
	sc = add(t, &c);
	commit(t);
	cr_assert_eq(look(t, 0x11, 0), sb, "9 beats 5; equal 9: first wins");
	cr_assert_eq(look(t, 0x12, 0), sa);
	cr_assert_eq(look(t, 0x21, 0), sb);
	cr_assert_eq(look(t, 0x22, 0), RMT_TABLE_NO_SLOT);
	cr_assert_eq(rmt_table_delete(t, &b, NULL), 0);
	commit(t);
	cr_assert_eq(look(t, 0x11, 0), sc);
	rmt_table_destroy(t);
}

Test(table, lpm_longest_prefix_wins)
{
	u8 k[] = { RMT_MATCH_LPM }, w[] = { 32 };
	struct rmt_table *t = mk(1, k, w, 8);
	struct rmt_table_entry a = entry(0), b = entry(0), d = entry(0);
	struct rmt_table_entry bad = entry(3);
	enum rmt_table_code code;
	u32 sa, sb, sd;

	tt_field(&a, 10, RMT_MATCH_LPM, 0x0a000000, 0, 8);
	tt_field(&b, 10, RMT_MATCH_LPM, 0x0a010000, 0, 16);
	tt_field(&d, 10, RMT_MATCH_LPM, 0, 0, 0);
	sd = add(t, &d);
	sb = add(t, &b);
	sa = add(t, &a);
	commit(t);
	cr_assert_eq(look(t, 0x0a010203, 0), sb);
	cr_assert_eq(look(t, 0x0a020203, 0), sa);
	cr_assert_eq(look(t, 0x0b000000, 0), sd);
	tt_field(&bad, 10, RMT_MATCH_LPM, 0x0b000000, 0, 8);
	cr_assert_eq(rmt_table_add(t, &bad, NULL, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_PRIORITY, "lpm tables take no priority");
	rmt_table_destroy(t);
}

Test(table, range_overlaps_resolved_by_priority)
{
	u8 k[] = { RMT_MATCH_RANGE }, w[] = { 16 };
	struct rmt_table *t = mk(1, k, w, 8);
	struct rmt_table_entry a = entry(1), b = entry(2), z = entry(1);
	u32 sa, sb, sz;

	tt_field(&a, 10, RMT_MATCH_RANGE, 100, 200, 0);
	tt_field(&b, 10, RMT_MATCH_RANGE, 150, 300, 0);
	tt_field(&z, 10, RMT_MATCH_RANGE, 0xffff, 0xffff, 0);
	sa = add(t, &a);
	sb = add(t, &b);
	sz = add(t, &z);
	commit(t);
	cr_assert_eq(look(t, 99, 0), RMT_TABLE_NO_SLOT);
	cr_assert_eq(look(t, 100, 0), sa);
	cr_assert_eq(look(t, 149, 0), sa);
	cr_assert_eq(look(t, 150, 0), sb);
	cr_assert_eq(look(t, 300, 0), sb);
	cr_assert_eq(look(t, 301, 0), RMT_TABLE_NO_SLOT);
	cr_assert_eq(look(t, 0xffff, 0), sz, "top of the field");
	rmt_table_destroy(t);
}

Test(table, canonicalisation_makes_duplicates)
{
	u8 k[] = { RMT_MATCH_TERNARY, RMT_MATCH_LPM }, w[] = { 8, 16 };
	struct rmt_table *t = mk(2, k, w, 8);
	struct rmt_table_entry a = entry(4), b = entry(4), l;
	enum rmt_table_code code;
	u32 s;

	tt_field(&a, 10, RMT_MATCH_TERNARY, 0xff, 0x0f, 0);
	tt_field(&a, 11, RMT_MATCH_LPM, 0x12ff, 0, 8);
	tt_field(&b, 11, RMT_MATCH_LPM, 0x1200, 0, 8);
	tt_field(&b, 10, RMT_MATCH_TERNARY, 0x0f, 0x0f, 0);
	s = add(t, &a);
	cr_assert_eq(rmt_table_add(t, &b, NULL, &code), -EEXIST);
	cr_assert_eq(code, RMT_TC_DUPLICATE);
	cr_assert_eq(rmt_table_entry_get(t, s, &l, NULL), 0);
	cr_assert_eq(l.fields[0].value, 0x0f, "value & mask == value");
	cr_assert_eq(l.fields[1].value, 0x1200, "trailing lpm bits zero");
	b.priority = 5;
	add(t, &b);
	rmt_table_destroy(t);
}

Test(table, bad_entries_get_specific_codes)
{
	u8 k[] = { RMT_MATCH_EXACT, RMT_MATCH_RANGE }, w[] = { 8, 8 };
	struct rmt_table *t = mk(2, k, w, 1);
	struct rmt_table_entry e;
	enum rmt_table_code code;
	static const struct {
		u16 id;
		u8 kind;
		u64 v, m;
		u8 plen;
		s32 prio;
		u32 action;
		enum rmt_table_code want;
	} cases[] = {
		{ 99, RMT_MATCH_EXACT, 1, 0, 0, 1, 7, RMT_TC_BAD_FIELD },
		{ 10, RMT_MATCH_TERNARY, 1, 1, 0, 1, 7, RMT_TC_BAD_MATCH_KIND },
		{ 10, RMT_MATCH_EXACT, 256, 0, 0, 1, 7, RMT_TC_VALUE_TOO_WIDE },
		{ 10, RMT_MATCH_EXACT, 1, 0, 0, 0, 7, RMT_TC_BAD_PRIORITY },
		{ 10, RMT_MATCH_EXACT, 1, 0, 0, 1, 9, RMT_TC_BAD_ACTION },
	};
	u32 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = entry(cases[i].prio);
		e.action_id = cases[i].action;
		tt_field(&e, cases[i].id, cases[i].kind, cases[i].v, cases[i].m,
			 cases[i].plen);
		cr_assert_eq(rmt_table_add(t, &e, NULL, &code), -EINVAL);
		cr_assert_eq(code, cases[i].want, "case %u: %s", i,
			     rmt_table_code_str(code));
	}
	e = entry(1);
	tt_field(&e, 11, RMT_MATCH_RANGE, 5, 10, 0);
	cr_assert_eq(rmt_table_add(t, &e, NULL, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_FIELD, "exact field missing");
	tt_field(&e, 10, RMT_MATCH_EXACT, 1, 0, 0);
	e.fields[0].value = 11;
	cr_assert_eq(rmt_table_add(t, &e, NULL, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_RANGE);
	e.fields[0].value = 5;
	e.param_len = 3;
	cr_assert_eq(rmt_table_add(t, &e, NULL, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_PARAMS);
	e.param_len = 4;
	add(t, &e);
	e.fields[1].value = 2;
	cr_assert_eq(rmt_table_add(t, &e, NULL, &code), -ENOSPC);
	cr_assert_eq(code, RMT_TC_FULL);
	cr_assert_eq(rmt_table_delete(t, &e, &code), -ENOENT);
	cr_assert_eq(code, RMT_TC_NOT_FOUND);
	e.n_fields = 9;
	cr_assert_eq(rmt_table_add(t, &e, NULL, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_FIELD);
	cr_assert_str_eq(rmt_table_code_str(RMT_TC_FULL), "table full");
	cr_assert_str_eq(rmt_table_code_str((enum rmt_table_code)77),
			 "unknown");
	rmt_table_destroy(t);
}

Test(table, bad_configs_are_refused)
{
	u8 k[] = { RMT_MATCH_LPM, RMT_MATCH_LPM }, w[] = { 8, 8 };
	struct rmt_table_config c = tt_config(2, k, w, 4);
	struct rmt_table *t;
	enum rmt_table_code code;

	cr_assert_eq(rmt_table_create(&c, &t, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_MATCH_KIND,
		     "two lpm fields, no priority");
	cr_assert_null(t);
	c.fields[1].kind = RMT_MATCH_EXACT;
	c.fields[1].field_id = 10;
	cr_assert_eq(rmt_table_create(&c, &t, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_FIELD);
	c.fields[1].field_id = 11;
	c.fields[1].width = 65;
	cr_assert_eq(rmt_table_create(&c, &t, &code), -EINVAL);
	c.fields[1].width = 8;
	c.default_action = 7;
	cr_assert_eq(rmt_table_create(&c, &t, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_PARAMS, "default without its params");
	c.default_action = 3;
	cr_assert_eq(rmt_table_create(&c, &t, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_ACTION);
	c.default_action = 0;
	c.capacity = 0;
	cr_assert_eq(rmt_table_create(&c, &t, &code), -E2BIG);
	c.capacity = 4;
	cr_assert_eq(rmt_table_create(&c, &t, &code), 0);
	rmt_table_destroy(t);
}

Test(table, default_action_set_reset_never_deleted)
{
	u8 k[] = { RMT_MATCH_EXACT }, w[] = { 8 };
	struct rmt_table *t = mk(1, k, w, 4);
	struct rmt_table_result r;
	enum rmt_table_code code;
	u64 key = 3;

	rmt_rcu_read_lock();
	cr_assert_not(rmt_table_lookup(t, &key, &r));
	rmt_rcu_read_unlock();
	cr_assert_eq(r.action_id, 0);
	cr_assert_null(r.state);
	cr_assert_eq(rmt_table_set_default(t, 7, params7, 4, &code), 0);
	cr_assert_eq(rmt_table_set_default(t, 8, NULL, 0, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_ACTION);
	cr_assert_eq(rmt_table_set_default(t, 7, params7, 2, &code), -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_PARAMS);
	commit(t);
	rmt_rcu_read_lock();
	rmt_table_lookup(t, &key, &r);
	rmt_rcu_read_unlock();
	cr_assert_eq(r.action_id, 7);
	cr_assert_arr_eq(r.params, params7, 4);
	rmt_table_reset_default(t);
	commit(t);
	rmt_rcu_read_lock();
	rmt_table_lookup(t, &key, &r);
	rmt_rcu_read_unlock();
	cr_assert_eq(r.action_id, 0);
	rmt_table_destroy(t);
}

Test(table, modify_keeps_slot_state_and_counter)
{
	u8 k[] = { RMT_MATCH_EXACT }, w[] = { 8 };
	struct rmt_table *t = mk(1, k, w, 4);
	struct rmt_table_entry e = entry(0);
	struct rmt_table_result r;
	static const u8 p2[4] = { 9, 9, 9, 9 };
	u64 key = 5, hits;
	u32 s;

	tt_field(&e, 10, RMT_MATCH_EXACT, 5, 0, 0);
	s = add(t, &e);
	commit(t);
	look(t, 5, 0);
	rmt_table_entry_state(t, s)[0] = 42;
	e.params = p2;
	cr_assert_eq(rmt_table_modify(t, &e, NULL), 0);
	commit(t);
	rmt_rcu_read_lock();
	rmt_table_lookup(t, &key, &r);
	rmt_rcu_read_unlock();
	cr_assert_eq(r.slot, s);
	cr_assert_arr_eq(r.params, p2, 4);
	cr_assert_eq(r.state[0], 42);
	rmt_table_entry_get(t, s, &e, &hits);
	cr_assert_eq(hits, 2);
	/* A deleted slot comes back clean. */
	cr_assert_eq(rmt_table_delete(t, &e, NULL), 0);
	commit(t);
	cr_assert_eq(rmt_table_entry_get(t, s, &e, NULL), -ENOENT);
	cr_assert_eq(rmt_table_entry_state(t, s)[0], 0);
	rmt_table_destroy(t);
}

Test(table, delete_and_add_in_one_batch_when_full)
{
	u8 k[] = { RMT_MATCH_EXACT }, w[] = { 8 };
	struct rmt_table *t = mk(1, k, w, 2);
	struct rmt_table_entry e[3];
	u32 i;

	for (i = 0; i < 3; i++) {
		e[i] = entry(0);
		tt_field(&e[i], 10, RMT_MATCH_EXACT, i, 0, 0);
	}
	add(t, &e[0]);
	add(t, &e[1]);
	commit(t);
	cr_assert_eq(rmt_table_delete(t, &e[0], NULL), 0);
	add(t, &e[2]);
	commit(t);
	cr_assert_eq(look(t, 0, 0), RMT_TABLE_NO_SLOT);
	cr_assert_neq(look(t, 2, 0), RMT_TABLE_NO_SLOT);
	rmt_table_destroy(t);
}

Test(table, cost_is_bounded_and_limited)
{
	u8 k[] = { RMT_MATCH_RANGE }, w[] = { 32 };
	struct rmt_table_config c = tt_config(1, k, w, 64);
	struct rmt_table *t;
	struct rmt_table_entry e;
	enum rmt_table_code code;
	u32 i;

	c.max_cost = 5;
	cr_assert_eq(rmt_table_create(&c, &t, NULL), 0);
	/* One bound: the index cell and the rank, no search step. */
	cr_assert_eq(rmt_table_lookup_cost(t), 2);
	for (i = 0; i < 32; i++) {
		e = entry(1);
		tt_field(&e, 10, RMT_MATCH_RANGE, i * 100, i * 100 + 50, 0);
		add(t, &e);
	}
	/*
	 * 65 bounds, all in the index's first cell, need 7 steps: over the
	 * limit, nothing changes.
	 */
	cr_assert_eq(rmt_table_commit(t, &code), -E2BIG);
	cr_assert_eq(code, RMT_TC_TOO_COMPLEX);
	cr_assert_eq(rmt_table_lookup_cost(t), 2);
	cr_assert_eq(look(t, 120, 0), RMT_TABLE_NO_SLOT);
	rmt_table_destroy(t);
}

Test(table, multi_field_range_expansion_limit)
{
	u8 k[] = { RMT_MATCH_RANGE, RMT_MATCH_RANGE }, w[] = { 32, 32 };
	struct rmt_table *t = mk(2, k, w, 4);
	struct rmt_table_entry e = entry(1);
	enum rmt_table_code code;

	tt_field(&e, 10, RMT_MATCH_RANGE, 1, 0xfffffffe, 0);
	tt_field(&e, 11, RMT_MATCH_RANGE, 1, 0xfffffffe, 0);
	cr_assert_eq(rmt_table_add(t, &e, NULL, &code), -E2BIG);
	cr_assert_eq(code, RMT_TC_TOO_COMPLEX);
	e.fields[1].value = 0;
	e.fields[1].mask_or_high = 0xffffffff;
	add(t, &e);
	commit(t);
	cr_assert_neq(look(t, 7, 123), RMT_TABLE_NO_SLOT);
	cr_assert_eq(look(t, 0, 123), RMT_TABLE_NO_SLOT);
	cr_assert_eq(look(t, 0xffffffff, 0), RMT_TABLE_NO_SLOT);
	rmt_table_destroy(t);
}

/* ---- randomised comparison against a linear scan ---- */

struct ref_entry {
	u32 slot;
	u64 order;
};

static u64 rand_field(u64 *seed, const struct rmt_table_field *f,
		      struct rmt_table_entry *e, u64 anchor)
{
	u64 wm = f->width == 64 ? ~0ull : (1ull << f->width) - 1;
	u64 v = anchor & wm, m, hi;
	u8 plen;

	switch (f->kind) {
	case RMT_MATCH_EXACT:
		tt_field(e, f->field_id, f->kind, v, 0, 0);
		break;
	case RMT_MATCH_TERNARY:
		m = tt_rand(seed) & tt_rand(seed) & wm;
		tt_field(e, f->field_id, f->kind, v, m, 0);
		break;
	case RMT_MATCH_LPM:
		plen = (u8)(tt_rand(seed) % (f->width + 1));
		tt_field(e, f->field_id, f->kind, v, 0, plen);
		break;
	default:
		hi = v + (tt_rand(seed) & 0xff);
		if (hi > wm || hi < v)
			hi = wm;
		tt_field(e, f->field_id, f->kind, v, hi, 0);
	}
	return v;
}

static void random_compare_algo(u32 n, const u8 *kinds, const u8 *widths,
				u32 n_entries, u64 seed, u32 algo)
{
	struct rmt_table_config c = tt_config(n, kinds, widths, n_entries);
	struct rmt_table *t;
	struct rmt_table_entry e, le;
	struct ref_entry *ref = calloc(n_entries, sizeof(*ref));
	u64 anchors[64][RMT_TABLE_MAX_FIELDS], key[RMT_TABLE_MAX_FIELDS];
	u32 i, j, nref = 0, q, slot;
	bool prio = false;
	int err;

	for (i = 0; i < n; i++)
		prio |= kinds[i] == RMT_MATCH_TERNARY ||
			kinds[i] == RMT_MATCH_RANGE;
	c.algo = algo;
	cr_assert_eq(rmt_table_create(&c, &t, NULL), 0);
	/* Few anchors, so that entries overlap and collide. */
	for (i = 0; i < 64; i++)
		for (j = 0; j < n; j++)
			anchors[i][j] =
				tt_rand(&seed) & (tt_rand(&seed) | 0xff);
	for (i = 0; i < n_entries; i++) {
		u64 *a = anchors[tt_rand(&seed) % 64];

		e = entry(prio ? (s32)(1 + tt_rand(&seed) % 8) : 0);
		for (j = 0; j < n; j++)
			rand_field(&seed, &c.fields[j], &e,
				   a[j] ^ (tt_rand(&seed) & 3));
		err = rmt_table_add(t, &e, &slot, NULL);
		if (err == -EEXIST || err == -E2BIG)
			continue;
		cr_assert_eq(err, 0);
		ref[nref].slot = slot;
		ref[nref].order = nref;
		nref++;
		/* Delete one in ten again, exercising slot reuse. */
		if (tt_rand(&seed) % 10 == 0) {
			cr_assert_eq(rmt_table_delete(t, &e, NULL), 0);
			nref--;
		}
		if (i % 97 == 0)
			commit(t);
	}
	commit(t);
	for (q = 0; q < 4000; q++) {
		u64 *a = anchors[tt_rand(&seed) % 64];
		struct rmt_table_result r;
		u32 best = RMT_TABLE_NO_SLOT;
		s64 best_p = -1;

		for (j = 0; j < n; j++) {
			u64 wm = widths[j] == 64 ? ~0ull :
						   (1ull << widths[j]) - 1;

			key[j] = (q & 1 ? a[j] ^ (tt_rand(&seed) & 0x1ff) :
					  tt_rand(&seed)) &
				 wm;
		}
		for (i = 0; i < nref; i++) {
			s64 p;

			rmt_table_entry_get(t, ref[i].slot, &le, NULL);
			if (!tt_matches(&c, &le, key))
				continue;
			p = le.priority;
			for (j = 0; !prio && j < n; j++)
				if (kinds[j] == RMT_MATCH_LPM)
					p = le.fields[j].prefix_len;
			if (p > best_p) {
				best_p = p;
				best = ref[i].slot;
			}
		}
		rmt_rcu_read_lock();
		rmt_table_lookup(t, key, &r);
		rmt_rcu_read_unlock();
		cr_assert_eq(r.slot, best, "query %u key %llx: got %u want %u",
			     q, (unsigned long long)key[0], r.slot, best);
	}
	cr_assert_lt(rmt_table_lookup_cost(t), 100000);
	free(ref);
	rmt_table_destroy(t);
}

/* Every structure a table may get must give the same answers. */
static void random_compare(u32 n, const u8 *kinds, const u8 *widths,
			   u32 n_entries, u64 seed)
{
	u32 algo;

	for (algo = RMT_TABLE_ALGO_AUTO; algo <= RMT_TABLE_ALGO_MERGED; algo++)
		random_compare_algo(n, kinds, widths, n_entries, seed, algo);
}

Test(table_random, exact_64)
{
	u8 k[] = { RMT_MATCH_EXACT }, w[] = { 64 };

	random_compare(1, k, w, 500, 1);
}

Test(table_random, ternary_32)
{
	u8 k[] = { RMT_MATCH_TERNARY }, w[] = { 32 };

	random_compare(1, k, w, 500, 2);
}

/* Masks wider than 32 bits: merged tuples keep one row a word. */
Test(table_random, ternary_64)
{
	u8 k[] = { RMT_MATCH_TERNARY }, w[] = { 64 };

	random_compare(1, k, w, 500, 12);
}

Test(table_random, ternary_40)
{
	u8 k[] = { RMT_MATCH_TERNARY }, w[] = { 40 };

	random_compare(1, k, w, 500, 13);
}

Test(table_random, lpm_32)
{
	u8 k[] = { RMT_MATCH_LPM }, w[] = { 32 };

	random_compare(1, k, w, 500, 3);
}

Test(table_random, range_16)
{
	u8 k[] = { RMT_MATCH_RANGE }, w[] = { 16 };

	random_compare(1, k, w, 500, 4);
}

Test(table_random, range_64)
{
	u8 k[] = { RMT_MATCH_RANGE }, w[] = { 64 };

	random_compare(1, k, w, 300, 5);
}

Test(table_random, mixed_four_kinds)
{
	u8 k[] = { RMT_MATCH_EXACT, RMT_MATCH_TERNARY, RMT_MATCH_LPM,
		   RMT_MATCH_RANGE };
	u8 w[] = { 4, 16, 24, 12 };

	random_compare(4, k, w, 400, 6);
}

Test(table_random, exact_lpm_pair)
{
	u8 k[] = { RMT_MATCH_EXACT, RMT_MATCH_LPM }, w[] = { 3, 32 };

	random_compare(2, k, w, 400, 7);
}

Test(table, empty_tables_of_every_kind_miss)
{
	u8 kinds[] = { RMT_MATCH_EXACT, RMT_MATCH_TERNARY, RMT_MATCH_LPM,
		       RMT_MATCH_RANGE };
	u8 w[] = { 16, 16 };
	u32 k, algo;

	for (k = 0; k < 4; k++) {
		for (algo = 0; algo <= RMT_TABLE_ALGO_MERGED; algo++) {
			u8 two[] = { kinds[k], RMT_MATCH_TERNARY };
			struct rmt_table_config c = tt_config(2, two, w, 4);
			struct rmt_table *t;

			c.algo = algo;
			cr_assert_eq(rmt_table_create(&c, &t, NULL), 0);
			cr_assert_eq(look(t, 1, 2), RMT_TABLE_NO_SLOT);
			rmt_table_destroy(t);
			t = mk(1, &kinds[k], w, 4);
			cr_assert_eq(look(t, 1, 0), RMT_TABLE_NO_SLOT);
			rmt_table_destroy(t);
		}
	}
}

/*
 * Large tables of broad random masks (the benchmark's shape): auto picks
 * merged tuples there, a tree for the small one, and both agree with a
 * scan.  Values drawn from few anchors make many rows share the bits a
 * merged tuple hashes on, so buckets overflow their first choice.  Masks
 * use the bits of mbits of a field of the given width; keys have random
 * bits everywhere else.
 */
static void broad_masks_in(u32 n, u32 n_anchors, const char *structure,
			   u8 width, u64 mbits)
{
	u8 k[] = { RMT_MATCH_TERNARY }, w[] = { width };
	u64 wm = width == 64 ? ~0ull : (1ull << width) - 1;
	struct rmt_table *t = mk(1, k, w, n);
	u64 seed = 99 + n, masks[64], anchors[16];
	u64 *val = calloc(n, sizeof(u64)), *msk = calloc(n, sizeof(u64));
	s32 *prio = calloc(n, sizeof(s32));
	u32 *slot = calloc(n, sizeof(u32)), i, j, q, best, added = 0;
	struct rmt_table_stats st;
	s32 bp;

	for (i = 0; i < 64; i++)
		masks[i] = tt_rand(&seed) & tt_rand(&seed) & mbits;
	for (i = 0; i < 16; i++)
		anchors[i] = tt_rand(&seed) & mbits;
	while (added < n) {
		struct rmt_table_entry e = entry(1 + tt_rand(&seed) % 100000);
		u64 m = masks[added % 64];
		u64 v = (n_anchors ? anchors[tt_rand(&seed) % n_anchors] ^
					     (tt_rand(&seed) & 0xf) :
				     tt_rand(&seed)) &
			m;

		tt_field(&e, 10, RMT_MATCH_TERNARY, v, m, 0);
		if (rmt_table_add(t, &e, &slot[added], NULL))
			continue; /* a duplicate */
		val[added] = v;
		msk[added] = m;
		prio[added++] = e.priority;
	}
	commit(t);
	rmt_table_get_stats(t, &st);
	cr_assert_str_eq(st.structure, structure, "%s", st.structure);
	cr_assert_gt(rmt_table_lookup_cost(t), 0);
	for (q = 0; q < 3000; q++) {
		u64 key = tt_rand(&seed) & wm;

		if (q & 1)
			key = val[tt_rand(&seed) % n] |
			      (key & ~msk[tt_rand(&seed) % n]);
		best = RMT_TABLE_NO_SLOT;
		bp = 0;
		for (j = 0; j < n; j++) {
			/* Equal priorities: the first added wins. */
			if ((key & msk[j]) == val[j] && prio[j] > bp) {
				bp = prio[j];
				best = slot[j];
			}
		}
		cr_assert_eq(look(t, key, 0), best, "key %llx",
			     (unsigned long long)key);
	}
	free(val);
	free(msk);
	free(prio);
	free(slot);
	rmt_table_destroy(t);
}

static void broad_masks(u32 n, u32 n_anchors, const char *structure)
{
	broad_masks_in(n, n_anchors, structure, 32, 0xffffffff);
}

Test(table_random, broad_masks_small_tree)
{
	broad_masks(30, 0, "tree");
}

Test(table_random, broad_masks_large_merged)
{
	broad_masks(3000, 0, "merged");
}

Test(table_random, broad_masks_colliding_merged)
{
	broad_masks(3000, 3, "merged");
}

/* Two rows a word (masks in the low half), keys with high bits set. */
Test(table_random, broad_masks_low_half_of_64)
{
	broad_masks_in(3000, 0, "merged", 64, 0xffffffff);
}

Test(table_random, broad_masks_64)
{
	broad_masks_in(3000, 0, "merged", 64, ~0ull);
	broad_masks_in(3000, 3, "merged", 64, 0xffff0000ffff0000ull);
}

/* Too many distinct masks to group in a short commit: plain tuples. */
Test(table_random, many_masks_fall_back_to_tuples)
{
	u8 k[] = { RMT_MATCH_TERNARY }, w[] = { 32 };
	struct rmt_table *t = mk(1, k, w, 4200);
	struct rmt_table_stats st;
	u32 i, top = 0;

	for (i = 0; i < 4200; i++) {
		struct rmt_table_entry e = entry((s32)(1 + (i * 7919) % 4200));
		u32 slot;

		tt_field(&e, 10, RMT_MATCH_TERNARY, 0, i + 1, 0);
		slot = add(t, &e);
		if (e.priority == 4200)
			top = slot;
	}
	commit(t);
	rmt_table_get_stats(t, &st);
	cr_assert_str_eq(st.structure, "tuples");
	cr_assert_eq(look(t, 0, 0), top);
	cr_assert_eq(look(t, 0xffffffff, 0), RMT_TABLE_NO_SLOT);
	rmt_table_destroy(t);
}
