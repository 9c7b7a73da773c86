// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_tree_table.c - trees lowered into range-table entries: the check
 * proves the compiler's output, sampling agrees, and broken tables get a
 * counterexample that really is one.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "mlib/train/cart.h"
#include "mlib/train/synth.h"
#include "mlib/train/tree_table.h"

static struct rmt_model *tree_model(u32 depth, struct rmt_cart *keep)
{
	struct rmt_dataset ds;
	struct rmt_cart_params p;
	struct rmt_model *m;
	char err[256];
	u32 idx[2000], i;

	cr_assert_eq(rmt_synth_planted(&ds, 2000, 6, 0.05, 8), 0);
	for (i = 0; i < ds.n; i++)
		idx[i] = i;
	rmt_cart_params_default(&p);
	p.max_depth = depth;
	cr_assert_eq(
		rmt_cart_train(&ds, idx, ds.n, &p, 8, keep, err, sizeof(err)),
		0, "%s", err);
	cr_assert_eq(rmt_cart_to_model(keep, 1, 0, &m, err, sizeof(err)), 0,
		     "%s", err);
	rmt_dataset_free(&ds);
	return m;
}

static void sample_agrees(const struct rmt_model *m,
			  const struct rmt_tree_table *t)
{
	struct rmt_infer_out o;
	u64 s = 4;
	s32 x[6];
	u32 i, f;

	for (i = 0; i < 5000; i++) {
		for (f = 0; f < 6; f++)
			x[f] = (s32)(rmt_synth_uniform(&s) * 600) - 300;
		if (i % 10 == 0)
			x[i % 6] = i % 20 ? INT32_MAX : INT32_MIN;
		rmt_model_infer(m, x, &o);
		cr_assert_eq(rmt_tree_table_lookup(t, x), o.value);
	}
}

Test(mlib_tree_table, compiles_and_proves)
{
	struct rmt_tree_table t, td;
	struct rmt_cart c;
	struct rmt_model *m = tree_model(7, &c);
	char err[256], report[512];
	u32 leaves = rmt_cart_leaves(&c);

	cr_assert_eq(rmt_tree_to_table(m, false, &t, err, sizeof(err)), 0);
	cr_assert_eq(t.n_entries, leaves);
	cr_assert_eq(t.default_cls, -1);
	cr_assert_eq(rmt_tree_table_check(m, &t, report, sizeof(report)), 0,
		     "%s", report);
	cr_assert(strstr(report, "equivalent"), "%s", report);
	sample_agrees(m, &t);

	cr_assert_eq(rmt_tree_to_table(m, true, &td, err, sizeof(err)), 0);
	cr_assert_geq(td.default_cls, 0);
	cr_assert_lt(td.n_entries, leaves);
	cr_assert_eq(rmt_tree_table_check(m, &td, report, sizeof(report)), 0,
		     "%s", report);
	sample_agrees(m, &td);
	rmt_tree_table_free(&t);
	rmt_tree_table_free(&td);
	rmt_model_free(m);
	rmt_cart_free(&c);
}

static void expect_counterexample(const struct rmt_model *m,
				  const struct rmt_tree_table *t)
{
	char report[512], *p;
	struct rmt_infer_out o;
	s32 x[6];
	u32 f;

	cr_assert_eq(rmt_tree_table_check(m, t, report, sizeof(report)), 1,
		     "%s", report);
	p = strstr(report, "x = (");
	cr_assert(p, "%s", report);
	p += 5;
	for (f = 0; f < 6; f++)
		x[f] = (s32)strtol(p, &p, 10), p += 2;
	rmt_model_infer(m, x, &o);
	cr_assert_neq(rmt_tree_table_lookup(t, x), o.value, "%s", report);
}

Test(mlib_tree_table, broken_tables_get_counterexamples)
{
	struct rmt_tree_table t;
	struct rmt_table_entry extra;
	struct rmt_range r[6];
	struct rmt_cart c;
	struct rmt_model *m = tree_model(5, &c);
	char err[256];
	u32 f;
	s32 cls;

	cr_assert_eq(rmt_tree_to_table(m, false, &t, err, sizeof(err)), 0);
	/* A wrong class. */
	cls = t.entries[3].cls;
	t.entries[3].cls = (cls + 1) % 3;
	expect_counterexample(m, &t);
	t.entries[3].cls = cls;
	/* A hole: entry 0 narrowed on a bounded feature. */
	for (f = 0; f < 6; f++)
		if (t.entries[0].ranges[f].hi != INT32_MAX)
			break;
	cr_assert_lt(f, 6);
	t.entries[0].ranges[f].hi--;
	expect_counterexample(m, &t);
	t.entries[0].ranges[f].hi++;
	/* A wrong entry above everything else. */
	for (f = 0; f < 6; f++) {
		r[f].lo = 0;
		r[f].hi = 5;
	}
	extra.priority = 1u << 30;
	extra.cls = 0;
	extra.ranges = r;
	t.entries = realloc(t.entries, (t.n_entries + 1) * sizeof(*t.entries));
	t.entries[t.n_entries++] = extra;
	{
		s32 x[6] = { 0, 0, 0, 0, 0, 0 };
		struct rmt_infer_out o;

		rmt_model_infer(m, x, &o);
		if (o.value == 0)
			extra.cls = 1;
		t.entries[t.n_entries - 1].cls = extra.cls;
	}
	expect_counterexample(m, &t);
	t.n_entries--;
	rmt_tree_table_free(&t);
	rmt_model_free(m);
	rmt_cart_free(&c);
}
