/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * tree_table.h - decision trees lowered into range-match table entries:
 * one entry per leaf region, a range per feature (the key fields), the
 * leaf's class as the action, and a priority; optionally the most common
 * class becomes the table's default action and its leaves get no entry.
 * Plain data, for the agent to install into a vm/ range table.
 *
 * The equivalence check enumerates the tree's leaf regions and proves,
 * region by region, that a priority lookup in the entries returns the
 * leaf's class for every point of the region; otherwise it reports the
 * first counterexample, a concrete feature vector.
 */
#ifndef RMT_MLIB_TRAIN_TREE_TABLE_H
#define RMT_MLIB_TRAIN_TREE_TABLE_H

#include "mlib/model.h"

struct rmt_range {
	s32 lo, hi; /* inclusive; [INT32_MIN, INT32_MAX] matches anything */
};

struct rmt_table_entry {
	u32 priority; /* the larger wins where entries overlap */
	s32 cls;
	struct rmt_range *ranges; /* n_features */
};

struct rmt_tree_table {
	u32 n_features;
	u32 n_entries;
	s32 default_cls; /* when no entry matches; -1: none needed */
	struct rmt_table_entry *entries;
};

/*
 * Lower a single-tree classification model.  with_default: the class of
 * the most leaves becomes the default action instead of entries.
 */
int rmt_tree_to_table(const struct rmt_model *m, bool with_default,
		      struct rmt_tree_table *out, char *err, size_t err_size);
void rmt_tree_table_free(struct rmt_tree_table *t);

/* Reference lookup: the class of the highest-priority matching entry. */
s32 rmt_tree_table_lookup(const struct rmt_tree_table *t, const s32 *x);

/*
 * Prove t equivalent to the tree of m.  Returns 0 (equivalent), 1 (a
 * counterexample, described in report), 2 (not proven: entries overlap in
 * a way this check does not resolve) or a negative errno.
 */
int rmt_tree_table_check(const struct rmt_model *m,
			 const struct rmt_tree_table *t, char *report,
			 size_t report_size);

#endif /* RMT_MLIB_TRAIN_TREE_TABLE_H */
