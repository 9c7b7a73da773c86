// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * table_tree.c - a decision tree over key bits for ternary (and mixed)
 * tables, in the spirit of HiCuts/HyperCuts: each node looks at up to
 * four bits of the key, chosen as the bits that most of the node's rows
 * specify, and a row whose mask leaves a chosen bit open goes to both
 * sides.  Leaves keep at most a few rows in rank order and are scanned.
 *
 * Tuple space search costs one hash probe per distinct mask, which with
 * tens of masks dominates; the tree costs its depth plus one leaf scan,
 * both known after the build, so the verifier still gets a bound.  The
 * price is replication: when the rows would be copied more than
 * RMT_TREE_BUDGET times in all the build gives up and the table falls
 * back to tuples.
 *
 * Two prunings keep leaves short: rows that repeat an earlier row's
 * (value, mask) can never win, nor can any row after one whose every
 * specified bit is already fixed by the path (it matches every key that
 * reaches the node, with a better rank).
 */
#include "vm/table_impl.h"

#define RMT_TREE_BUDGET 32u /* rows copied, per row of the table */

struct rmt_tree_build {
	const struct rmt_rows *r;
	u32 nf;
	u32 stride;
	struct rmt_tnode *nodes;
	u32 n_nodes;
	u32 cap_nodes;
	u64 *refs;
	u32 n_refs; /* rows stored */
	u32 cap_refs;
	u64 budget;
	u64 cost;
	u64 path[RMT_TABLE_MAX_FIELDS]; /* bits fixed above this node */
	u32 cnt[RMT_TABLE_MAX_FIELDS * 64];
};

static int rmt_grow(void **p, u32 *cap, u32 need, size_t elem)
{
	u32 ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = rmt_alloc(elem * ncap);
	if (!np)
		return -ENOMEM;
	if (*p)
		memcpy(np, *p, elem * *cap);
	rmt_free(*p);
	*p = np;
	*cap = ncap;
	return 0;
}

static const u64 *rmt_row_mask(const struct rmt_tree_build *b, u32 row)
{
	return b->r->mask + (size_t)row * b->nf;
}

static const u64 *rmt_row_key(const struct rmt_tree_build *b, u32 row)
{
	return b->r->key + (size_t)row * b->nf;
}

static bool rmt_row_certain(const struct rmt_tree_build *b, u32 row)
{
	const u64 *m = rmt_row_mask(b, row);
	u32 f;

	for (f = 0; f < b->nf; f++)
		if (m[f] & ~b->path[f])
			return false;
	return true;
}

static bool rmt_row_same(const struct rmt_tree_build *b, u32 x, u32 y)
{
	size_t len = sizeof(u64) * b->nf;

	return !memcmp(rmt_row_mask(b, x), rmt_row_mask(b, y), len) &&
	       !memcmp(rmt_row_key(b, x), rmt_row_key(b, y), len);
}

static int rmt_tree_leaf(struct rmt_tree_build *b, u32 node, const u32 *rows,
			 u32 n, u32 depth)
{
	u32 i, j, kept = 0, f;
	u64 *out;

	if (rmt_grow((void **)&b->refs, &b->cap_refs,
		     (b->n_refs + n) * b->stride, sizeof(u64)))
		return -ENOMEM;
	b->nodes[node].nbits = 0;
	b->nodes[node].base = b->n_refs;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (rmt_row_same(b, rows[j], rows[i]))
				break;
		if (j < i)
			continue;
		out = b->refs + (size_t)(b->n_refs + kept) * b->stride;
		out[0] = b->r->rank[rows[i]];
		for (f = 0; f < b->nf; f++) {
			out[1 + 2 * f] = rmt_row_key(b, rows[i])[f];
			out[2 + 2 * f] = rmt_row_mask(b, rows[i])[f];
		}
		kept++;
	}
	b->nodes[node].count = kept;
	b->n_refs += kept;
	if (depth + kept > b->cost)
		b->cost = depth + kept;
	return 0;
}

/* Up to RMT_TREE_MAX_BITS open bits that the most rows specify. */
static u32 rmt_tree_pick(struct rmt_tree_build *b, const u32 *rows, u32 n,
			 u8 *field, u8 *shift)
{
	u32 i, f, bit, k, best, at;

	memset(b->cnt, 0, sizeof(u32) * 64 * b->nf);
	for (i = 0; i < n; i++) {
		const u64 *m = rmt_row_mask(b, rows[i]);

		for (f = 0; f < b->nf; f++) {
			u64 open = m[f] & ~b->path[f];

			while (open) {
				bit = (u32)__builtin_ctzll(open);
				b->cnt[f * 64 + bit]++;
				open &= open - 1;
			}
		}
	}
	for (k = 0; k < RMT_TREE_MAX_BITS; k++) {
		best = 0;
		at = 0;
		for (i = 0; i < 64 * b->nf; i++) {
			if (b->cnt[i] > best) {
				best = b->cnt[i];
				at = i;
			}
		}
		/* A bit most rows leave open only multiplies them. */
		if (!best || (k && best * 2 < n))
			break;
		b->cnt[at] = 0;
		field[k] = (u8)(at / 64);
		shift[k] = (u8)(at % 64);
	}
	return k;
}

static bool rmt_row_fits(const struct rmt_tree_build *b, u32 row, u32 k,
			 const u8 *field, const u8 *shift, u32 child)
{
	const u64 *m = rmt_row_mask(b, row), *v = rmt_row_key(b, row);
	u32 j;

	for (j = 0; j < k; j++) {
		u64 bit = 1ull << shift[j];

		if ((m[field[j]] & bit) &&
		    !!(v[field[j]] & bit) != ((child >> j) & 1))
			return false;
	}
	return true;
}

/* Recursion is bounded by RMT_TREE_MAX_DEPTH. */
static int rmt_tree_node(struct rmt_tree_build *b, u32 node, const u32 *rows,
			 u32 n, u32 depth)
{
	u8 field[RMT_TREE_MAX_BITS], shift[RMT_TREE_MAX_BITS];
	u32 i, k, c, m, base, *sub;
	int err = 0;

	for (i = 0; i < n; i++) {
		if (rmt_row_certain(b, rows[i])) {
			n = i + 1;
			break;
		}
	}
	if (n <= RMT_TREE_LEAF || depth >= RMT_TREE_MAX_DEPTH)
		return rmt_tree_leaf(b, node, rows, n, depth);
	k = rmt_tree_pick(b, rows, n, field, shift);
	if (!k)
		return rmt_tree_leaf(b, node, rows, n, depth);
	base = b->n_nodes;
	if (rmt_grow((void **)&b->nodes, &b->cap_nodes, base + (1u << k),
		     sizeof(*b->nodes)))
		return -ENOMEM;
	memset(b->nodes + base, 0, sizeof(*b->nodes) << k);
	b->n_nodes += 1u << k;
	b->nodes[node].nbits = (u8)k;
	b->nodes[node].base = base;
	memcpy(b->nodes[node].field, field, k);
	memcpy(b->nodes[node].shift, shift, k);
	sub = rmt_alloc(sizeof(u32) * n);
	if (!sub)
		return -ENOMEM;
	for (i = 0; i < k; i++)
		b->path[field[i]] |= 1ull << shift[i];
	for (c = 0; c < (1u << k) && !err; c++) {
		for (i = 0, m = 0; i < n; i++)
			if (rmt_row_fits(b, rows[i], k, field, shift, c))
				sub[m++] = rows[i];
		if (b->budget < m) {
			err = -E2BIG;
			break;
		}
		b->budget -= m;
		err = rmt_tree_node(b, base + c, sub, m, depth + 1);
	}
	for (i = 0; i < k; i++)
		b->path[field[i]] &= ~(1ull << shift[i]);
	rmt_free(sub);
	return err;
}

int rmt_tree_build(const struct rmt_rows *r, struct rmt_table_snap *s)
{
	struct rmt_tree_build *b = rmt_alloc(sizeof(*b));
	u32 *rows = rmt_alloc(sizeof(u32) * (r->n + 1)), i;
	int err = -ENOMEM;

	if (!b || !rows)
		goto out;
	b->r = r;
	b->nf = r->nf;
	b->stride = 1 + 2 * r->nf;
	b->budget = (u64)RMT_TREE_BUDGET * r->n + 1024;
	for (i = 0; i < r->n; i++)
		rows[i] = i;
	if (rmt_grow((void **)&b->nodes, &b->cap_nodes, 1, sizeof(*b->nodes)))
		goto out;
	memset(b->nodes, 0, sizeof(*b->nodes));
	b->n_nodes = 1;
	err = rmt_tree_node(b, 0, rows, r->n, 0);
	if (err)
		goto out;
	s->nodes = b->nodes;
	s->n_nodes = b->n_nodes;
	s->refs = b->refs;
	s->cost = b->cost + 1;
	b->nodes = NULL;
	b->refs = NULL;
out:
	if (b) {
		rmt_free(b->nodes);
		rmt_free(b->refs);
	}
	rmt_free(b);
	rmt_free(rows);
	return err;
}
