// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * table_merge.c - merged tuples for ternary (and mixed) tables, after
 * TupleMerge (Daly and Torng, ICCCN 2017): rows whose mask vectors share
 * many bits go into one tuple hashed on the bits they all specify (the
 * AND of their masks) into buckets, and each row is checked against its
 * own mask.  With tens of random masks, plain tuple space search probes
 * one hash table per mask; merging cuts that to a handful while keeping
 * buckets short.
 *
 * Grouping is greedy: a tuple starts from the most specific mask left and
 * takes, one at a time, the mask that keeps most of its bits, as long as
 * the bits kept still spread the tuple's rows (at least log2 of its rows,
 * so that buckets hold about one row).  The cost of a lookup is the sum
 * over tuples of one hash probe plus the rows compared (the fullest
 * bucket's count).
 */
#include "vm/table_impl.h"
#include "vm/table_sort.h"

/* Rows per bucket worth more buckets; at most 2^20 buckets a tuple. */
#define RMT_MERGE_BUCKET 2u
#define RMT_MERGE_MAX_BITS 20u
#define RMT_MERGE_MAX_MASKS 4096u

struct rmt_merge_ctx {
	const struct rmt_rows *r;
};

static const u64 *rmt_mrow_mask(const struct rmt_rows *r, u32 row)
{
	return r->mask + (size_t)row * r->nf;
}

static const u64 *rmt_mrow_key(const struct rmt_rows *r, u32 row)
{
	return r->key + (size_t)row * r->nf;
}

/* Rows by mask vector, then rank. */
static int rmt_mask_cmp(const void *ctx, u32 a, u32 b)
{
	const struct rmt_merge_ctx *c = ctx;
	const u64 *ma = rmt_mrow_mask(c->r, a), *mb = rmt_mrow_mask(c->r, b);
	u32 i;

	for (i = 0; i < c->r->nf; i++)
		if (ma[i] != mb[i])
			return ma[i] < mb[i] ? -1 : 1;
	return c->r->rank[a] < c->r->rank[b] ? -1 :
					       c->r->rank[a] > c->r->rank[b];
}

static u32 rmt_bits(const u64 *m, u32 nf)
{
	u32 i, n = 0;

	for (i = 0; i < nf; i++)
		n += (u32)__builtin_popcountll(m[i]);
	return n;
}

static u32 rmt_bits_and(const u64 *a, const u64 *b, u32 nf)
{
	u32 i, n = 0;

	for (i = 0; i < nf; i++)
		n += (u32)__builtin_popcountll(a[i] & b[i]);
	return n;
}

static u32 rmt_log2c(u64 n)
{
	u32 l = 0;

	while ((1ull << l) < n)
		l++;
	return l;
}

/*
 * Fill one tuple from rows[0..n): rows hashed on the tuple's mask into
 * 2^bits buckets, stored bucket by bucket from refs row *at on; a slot
 * holds the first row of its bucket.  A lookup compares the max_probe
 * rows from there whatever the bucket's size: rows past it belong to
 * other buckets or tuples and match only keys that really match them,
 * so the test is branch-free and still exact.  More buckets are tried
 * while the fullest holds more than RMT_MERGE_BUCKET rows.
 */
static int rmt_merge_fill(struct rmt_tuple *tp, const struct rmt_rows *r,
			  const u32 *rows, u32 n, u64 *refs, u32 *at, u64 *cost)
{
	u32 nf = r->nf, rstride = 1 + 2 * nf, bits, i, f, bk, top, *occ;
	u64 size, *row, sum;

	bits = rmt_log2c((u64)n * 2);
	top = rmt_log2c((u64)n * 8);
	if (top > RMT_MERGE_MAX_BITS)
		top = RMT_MERGE_MAX_BITS;
	if (top < bits)
		top = bits;
	occ = rmt_alloc(sizeof(u32) << top);
	if (!occ)
		return -ENOMEM;
	for (;;) {
		size = 1ull << bits;
		tp->shift = 64 - bits;
		memset(occ, 0, sizeof(u32) * size);
		bk = 1;
		for (i = 0; i < n; i++) {
			u64 h = rmt_tuple_hash(rmt_mrow_key(r, rows[i]),
					       tp->mask, nf) >>
				tp->shift;

			if (++occ[h] > bk)
				bk = occ[h];
		}
		if (bk <= RMT_MERGE_BUCKET || bits >= top)
			break;
		bits++;
	}
	tp->size_mask = (u32)size - 1;
	tp->max_probe = bk;
	tp->best_rank = RMT_RANK_NONE;
	tp->slots = rmt_alloc(sizeof(u64) * size);
	if (!tp->slots) {
		rmt_free(occ);
		return -ENOMEM;
	}
	for (i = 0, sum = *at; i < size; i++) {
		tp->slots[i] = sum;
		sum += occ[i];
		occ[i] = 0;
	}
	for (i = 0; i < n; i++) {
		const u64 *k = rmt_mrow_key(r, rows[i]);
		u64 h = rmt_tuple_hash(k, tp->mask, nf) >> tp->shift;

		row = refs + (tp->slots[h] + occ[h]++) * rstride;
		row[0] = r->rank[rows[i]];
		for (f = 0; f < nf; f++) {
			row[1 + 2 * f] = k[f];
			row[2 + 2 * f] = rmt_mrow_mask(r, rows[i])[f];
		}
		if (r->rank[rows[i]] < tp->best_rank)
			tp->best_rank = r->rank[rows[i]];
	}
	*at += n;
	rmt_free(occ);
	*cost += 1 + bk;
	return 0;
}

static int rmt_best_cmp(const void *ctx, u32 a, u32 b)
{
	const struct rmt_tuple *tp = ctx;

	return tp[a].best_rank < tp[b].best_rank ?
		       -1 :
		       tp[a].best_rank > tp[b].best_rank;
}

/*
 * Greedy grouping of the distinct masks (first[d] is the first of their
 * rows in ord, cnt[d] how many): group[d] gets a tuple number, gmask the
 * tuple's mask.  Returns the number of tuples.
 */
static u32 rmt_merge_group(const struct rmt_rows *r, const u32 *ord,
			   const u32 *first, const u32 *cnt, u32 nd, u32 *group,
			   u64 *gmask)
{
	u32 nf = r->nf, ng = 0, d, best, bb, rows_in, b;
	u64 *g;

	for (d = 0; d < nd; d++)
		group[d] = RMT_RANK_NONE;
	for (;;) {
		best = RMT_RANK_NONE;
		bb = 0;
		for (d = 0; d < nd; d++) {
			if (group[d] != RMT_RANK_NONE)
				continue;
			b = rmt_bits(rmt_mrow_mask(r, ord[first[d]]), nf);
			if (best == RMT_RANK_NONE || b > bb) {
				best = d;
				bb = b;
			}
		}
		if (best == RMT_RANK_NONE)
			return ng;
		g = gmask + (size_t)ng * nf;
		memcpy(g, rmt_mrow_mask(r, ord[first[best]]), sizeof(u64) * nf);
		group[best] = ng;
		rows_in = cnt[best];
		for (;;) {
			best = RMT_RANK_NONE;
			bb = 0;
			for (d = 0; d < nd; d++) {
				if (group[d] != RMT_RANK_NONE)
					continue;
				b = rmt_bits_and(
					g, rmt_mrow_mask(r, ord[first[d]]), nf);
				if (best == RMT_RANK_NONE || b > bb) {
					best = d;
					bb = b;
				}
			}
			if (best == RMT_RANK_NONE ||
			    bb < rmt_log2c(rows_in + cnt[best]))
				break;
			for (b = 0; b < nf; b++)
				g[b] &= rmt_mrow_mask(r, ord[first[best]])[b];
			group[best] = ng;
			rows_in += cnt[best];
		}
		ng++;
	}
}

int rmt_merge_build(const struct rmt_rows *r, struct rmt_table_snap *s)
{
	u32 nf = r->nf, rstride = 1 + 2 * nf, nd = 0, ng, i, d, t, at = 0;
	u64 cost = 0, *row;
	struct rmt_merge_ctx ctx = { .r = r };
	u32 *ord = rmt_alloc(sizeof(u32) * (r->n + 1));
	u32 *first = rmt_alloc(sizeof(u32) * (r->n + 1));
	u32 *cnt = rmt_alloc(sizeof(u32) * (r->n + 1));
	u32 *group = rmt_alloc(sizeof(u32) * (r->n + 1));
	u32 *rows = rmt_alloc(sizeof(u32) * (r->n + 1));
	u64 *gmask = rmt_alloc(sizeof(u64) * nf * (r->n + 1));
	struct rmt_tuple *tmp = NULL;
	u32 *tord = NULL;
	int err = -ENOMEM;

	/* Room for the rows and, after them, for rows that never match. */
	s->refs = rmt_alloc(sizeof(u64) * rstride * (2 * (size_t)r->n + 1));
	if (!ord || !first || !cnt || !group || !rows || !gmask || !s->refs)
		goto out;
	for (i = 0; i < 2 * r->n + 1; i++) {
		row = s->refs + (size_t)i * rstride;
		row[0] = RMT_RANK_NONE;
		for (d = 0; d < nf; d++) {
			row[1 + 2 * d] = 1;
			row[2 + 2 * d] = 0;
		}
	}
	for (i = 0; i < r->n; i++)
		ord[i] = i;
	rmt_sort_idx(ord, r->n, rmt_mask_cmp, &ctx);
	for (i = 0; i < r->n; i++) {
		if (!i ||
		    memcmp(rmt_mrow_mask(r, ord[i]),
			   rmt_mrow_mask(r, ord[i - 1]), sizeof(u64) * nf)) {
			first[nd] = i;
			cnt[nd++] = 0;
		}
		cnt[nd - 1]++;
	}
	/* Grouping is quadratic in the masks: keep commits short. */
	if (nd > RMT_MERGE_MAX_MASKS) {
		err = -E2BIG;
		goto out;
	}
	ng = rmt_merge_group(r, ord, first, cnt, nd, group, gmask);
	tmp = rmt_alloc(sizeof(*tmp) * (ng + 1));
	tord = rmt_alloc(sizeof(u32) * (ng + 1));
	s->tuples = rmt_alloc(sizeof(*s->tuples) * (ng + 1));
	if (!tmp || !tord || !s->tuples)
		goto out;
	memset(tmp, 0, sizeof(*tmp) * (ng + 1));
	for (t = 0; t < ng; t++) {
		u32 n = 0;

		for (d = 0; d < nd; d++)
			if (group[d] == t)
				for (i = 0; i < cnt[d]; i++)
					rows[n++] = ord[first[d] + i];
		memcpy(tmp[t].mask, gmask + (size_t)t * nf, sizeof(u64) * nf);
		tord[t] = t;
		err = rmt_merge_fill(&tmp[t], r, rows, n, s->refs, &at, &cost);
		if (err) {
			/* Hand what was allocated to the snapshot to free. */
			memcpy(s->tuples, tmp, sizeof(*tmp) * (t + 1));
			s->n_tuples = t + 1;
			goto out;
		}
	}
	rmt_sort_idx(tord, ng, rmt_best_cmp, tmp);
	for (at = 0; at < ng; at++)
		s->tuples[at] = tmp[tord[at]];
	s->n_tuples = ng;
	s->cost = cost;
	err = 0;
out:
	rmt_free(ord);
	rmt_free(first);
	rmt_free(cnt);
	rmt_free(group);
	rmt_free(rows);
	rmt_free(gmask);
	rmt_free(tmp);
	rmt_free(tord);
	return err;
}
