// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tree_table.c - the tree-to-table compiler and its equivalence check.
 * Leaf regions are boxes: the path's tests x[f] <= t narrow feature f to
 * [lo, t] on the left and [t + 1, hi] on the right.  The walk keeps an
 * explicit stack, bounded by the tree's node count.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mlib/train/tree_table.h"

struct region {
	u32 node;
	struct rmt_range *box; /* n_features ranges */
};

typedef int (*leaf_fn)(void *ctx, u32 node, const struct rmt_range *box);

static bool box_empty(const struct rmt_range *box, u32 n)
{
	u32 f;

	for (f = 0; f < n; f++)
		if (box[f].lo > box[f].hi)
			return true;
	return false;
}

/* Call fn for every non-empty leaf region, in depth-first order. */
static int for_each_leaf(const struct rmt_model *m, leaf_fn fn, void *ctx)
{
	const struct rmt_tree *t = &m->trees[0];
	u32 F = m->n_features, top = 0, f;
	struct region *stack = calloc(t->n_nodes + 1, sizeof(*stack));
	struct rmt_range *mem =
		malloc(((size_t)t->n_nodes + 1) * F * sizeof(*mem));
	int rc = 0;

	if (!stack || !mem) {
		free(stack);
		free(mem);
		return -ENOMEM;
	}
	/* Stack slot i owns mem[i * F ...]; children reuse their slots. */
	stack[0].node = 0;
	stack[0].box = mem;
	for (f = 0; f < F; f++) {
		mem[f].lo = INT32_MIN;
		mem[f].hi = INT32_MAX;
	}
	top = 1;
	while (top && !rc) {
		struct region r = stack[--top];
		const struct rmt_tree_node *n = &t->nodes[r.node];
		struct rmt_range *lbox, *rbox;

		if (box_empty(r.box, F))
			continue;
		if (n->feature == RMT_TREE_LEAF) {
			rc = fn(ctx, r.node, r.box);
			continue;
		}
		/* The right child takes this slot, the left the next. */
		rbox = r.box;
		lbox = mem + (size_t)(top + 1) * F;
		memcpy(lbox, rbox, F * sizeof(*lbox));
		if (n->value < lbox[n->feature].hi)
			lbox[n->feature].hi = n->value;
		if (n->value == INT32_MAX) {
			/* Nothing is above: the right region is empty. */
			rbox[n->feature].lo = 1;
			rbox[n->feature].hi = 0;
		} else if (n->value + 1 > rbox[n->feature].lo) {
			rbox[n->feature].lo = n->value + 1;
		}
		stack[top].node = n->right;
		stack[top].box = rbox;
		stack[top + 1].node = n->left;
		stack[top + 1].box = lbox;
		top += 2;
	}
	free(stack);
	free(mem);
	return rc;
}

struct compile_ctx {
	const struct rmt_model *m;
	struct rmt_tree_table *t;
	u32 *leaves_per_class;
	bool count_only;
	u32 cap;
};

static int compile_leaf(void *p, u32 node, const struct rmt_range *box)
{
	struct compile_ctx *c = p;
	struct rmt_tree_table *t = c->t;
	s32 cls = c->m->trees[0].nodes[node].value;
	struct rmt_table_entry *e;

	if (c->count_only) {
		c->leaves_per_class[cls]++;
		c->cap++;
		return 0;
	}
	if (cls == t->default_cls)
		return 0;
	e = &t->entries[t->n_entries++];
	e->cls = cls;
	e->ranges = malloc(t->n_features * sizeof(*e->ranges));
	if (!e->ranges)
		return -ENOMEM;
	memcpy(e->ranges, box, t->n_features * sizeof(*e->ranges));
	return 0;
}

int rmt_tree_to_table(const struct rmt_model *m, bool with_default,
		      struct rmt_tree_table *out, char *err, size_t err_size)
{
	u32 counts[RMT_MODEL_MAX_CLASSES] = { 0 }, c, i;
	struct compile_ctx ctx = { m, out, counts, true, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->default_cls = -1;
	if (m->type != RMT_MODEL_TREE || !m->n_classes) {
		snprintf(err, err_size,
			 "only a single classification tree "
			 "lowers into a table");
		return -EINVAL;
	}
	out->n_features = m->n_features;
	rc = for_each_leaf(m, compile_leaf, &ctx);
	if (!rc && with_default) {
		for (c = 1, i = 0; c < m->n_classes; c++)
			if (counts[c] > counts[i])
				i = c;
		out->default_cls = (s32)i;
	}
	out->entries = rc ? NULL : calloc(ctx.cap + 1, sizeof(*out->entries));
	if (!rc && !out->entries)
		rc = -ENOMEM;
	ctx.count_only = false;
	if (!rc)
		rc = for_each_leaf(m, compile_leaf, &ctx);
	/* Entries are disjoint; distinct priorities keep lookups defined. */
	for (i = 0; !rc && i < out->n_entries; i++)
		out->entries[i].priority = out->n_entries - i;
	if (rc) {
		snprintf(err, err_size, "out of memory");
		rmt_tree_table_free(out);
	}
	return rc;
}

void rmt_tree_table_free(struct rmt_tree_table *t)
{
	u32 i;

	for (i = 0; t->entries && i < t->n_entries; i++)
		free(t->entries[i].ranges);
	free(t->entries);
	memset(t, 0, sizeof(*t));
}

static bool entry_matches(const struct rmt_table_entry *e, u32 n, const s32 *x)
{
	u32 f;

	for (f = 0; f < n; f++)
		if (x[f] < e->ranges[f].lo || x[f] > e->ranges[f].hi)
			return false;
	return true;
}

s32 rmt_tree_table_lookup(const struct rmt_tree_table *t, const s32 *x)
{
	const struct rmt_table_entry *best = NULL;
	u32 i;

	for (i = 0; i < t->n_entries; i++)
		if (entry_matches(&t->entries[i], t->n_features, x) &&
		    (!best || t->entries[i].priority > best->priority))
			best = &t->entries[i];
	return best ? best->cls : t->default_cls;
}

struct check_ctx {
	const struct rmt_model *m;
	const struct rmt_tree_table *t;
	const struct rmt_table_entry **sorted;
	char *report;
	size_t report_size;
	u32 regions;
};

static bool overlaps(const struct rmt_range *a, const struct rmt_range *b,
		     u32 n)
{
	u32 f;

	for (f = 0; f < n; f++)
		if (a[f].hi < b[f].lo || b[f].hi < a[f].lo)
			return false;
	return true;
}

static bool contains(const struct rmt_range *outer,
		     const struct rmt_range *inner, u32 n)
{
	u32 f;

	for (f = 0; f < n; f++)
		if (inner[f].lo < outer[f].lo || inner[f].hi > outer[f].hi)
			return false;
	return true;
}

/* If the table gives x another class than want, report x. */
static int try_point(struct check_ctx *c, u32 node, s32 want, const s32 *x)
{
	s32 got = rmt_tree_table_lookup(c->t, x);
	size_t len;
	u32 f;

	if (got == want)
		return 0;
	snprintf(c->report, c->report_size,
		 "counterexample: leaf %u gives "
		 "class %d, the table class %d at x = (",
		 node, want, got);
	for (f = 0; f < c->t->n_features; f++) {
		len = strlen(c->report);
		snprintf(c->report + len, c->report_size - len, "%s%d",
			 f ? ", " : "", x[f]);
	}
	len = strlen(c->report);
	snprintf(c->report + len, c->report_size - len, ")");
	return 1;
}

/*
 * Find a point of region b that the table gets wrong: inside e when e is
 * given; else just outside one side of an overlapping entry (a hole).
 */
static int counterexample(struct check_ctx *c, u32 node, s32 want,
			  const struct rmt_range *b,
			  const struct rmt_table_entry *e)
{
	s32 x[RMT_MODEL_MAX_FEATURES];
	u32 F = c->t->n_features, f, i, g;

	for (f = 0; f < F; f++)
		x[f] = e && e->ranges[f].lo > b[f].lo ? e->ranges[f].lo :
							b[f].lo;
	if (try_point(c, node, want, x))
		return 1;
	for (i = 0; !e && i < c->t->n_entries; i++) {
		const struct rmt_range *r = c->sorted[i]->ranges;

		if (!overlaps(r, b, F))
			continue;
		for (f = 0; f < F; f++) {
			for (g = 0; g < F; g++)
				x[g] = r[g].lo > b[g].lo ? r[g].lo : b[g].lo;
			if (r[f].hi < b[f].hi) {
				x[f] = r[f].hi + 1;
				if (try_point(c, node, want, x))
					return 1;
			}
			if (r[f].lo > b[f].lo) {
				x[f] = r[f].lo - 1;
				if (try_point(c, node, want, x))
					return 1;
			}
		}
	}
	snprintf(c->report, c->report_size,
		 "not proven: leaf %u (class %d) "
		 "is covered by overlapping entries in a way this check does "
		 "not resolve",
		 node, want);
	return 2;
}

/*
 * Walk the entries overlapping the region from the highest priority: all
 * must give the leaf's class until one contains the whole region; if none
 * does, the uncovered rest gets the default, which must match too.
 */
static int check_leaf(void *p, u32 node, const struct rmt_range *box)
{
	struct check_ctx *c = p;
	s32 want = c->m->trees[0].nodes[node].value;
	u32 i, F = c->t->n_features;

	c->regions++;
	for (i = 0; i < c->t->n_entries; i++) {
		const struct rmt_table_entry *e = c->sorted[i];

		if (!overlaps(e->ranges, box, F))
			continue;
		if (e->cls != want)
			return counterexample(c, node, want, box, e);
		if (contains(e->ranges, box, F))
			return 0;
	}
	if (c->t->default_cls == want)
		return 0;
	return counterexample(c, node, want, box, NULL);
}

static int by_priority(const void *a, const void *b)
{
	u32 x = (*(const struct rmt_table_entry *const *)a)->priority;
	u32 y = (*(const struct rmt_table_entry *const *)b)->priority;

	return (x < y) - (x > y);
}

int rmt_tree_table_check(const struct rmt_model *m,
			 const struct rmt_tree_table *t, char *report,
			 size_t report_size)
{
	struct check_ctx c = { m, t, NULL, report, report_size, 0 };
	u32 i;
	int rc;

	if (m->type != RMT_MODEL_TREE || t->n_features != m->n_features) {
		snprintf(report, report_size,
			 "the table has %u key fields, "
			 "the tree %u features",
			 t->n_features, m->n_features);
		return -EINVAL;
	}
	for (i = 1; i < t->n_entries; i++) {
		u32 j;

		for (j = 0; j < i; j++) {
			if (t->entries[i].priority == t->entries[j].priority &&
			    t->entries[i].cls != t->entries[j].cls &&
			    overlaps(t->entries[i].ranges, t->entries[j].ranges,
				     t->n_features)) {
				snprintf(report, report_size,
					 "entries %u and "
					 "%u overlap at the same priority",
					 j, i);
				return 2;
			}
		}
	}
	c.sorted = malloc((t->n_entries + 1) * sizeof(*c.sorted));
	if (!c.sorted)
		return -ENOMEM;
	for (i = 0; i < t->n_entries; i++)
		c.sorted[i] = &t->entries[i];
	qsort(c.sorted, t->n_entries, sizeof(*c.sorted), by_priority);
	rc = for_each_leaf(m, check_leaf, &c);
	if (!rc)
		snprintf(report, report_size,
			 "equivalent: %u leaf regions, %u "
			 "entries%s",
			 c.regions, t->n_entries,
			 t->default_cls >= 0 ? " and a default action" : "");
	free(c.sorted);
	return rc;
}
