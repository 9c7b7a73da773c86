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
 * bucket's count); in one-field tables, the words compared and, in the
 * worst case, each of their lanes again.
 */
#include "vm/table_impl.h"
#include "vm/table_sort.h"

/* At most 2^20 buckets a tuple. */
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
		n += rmt_popcount64(m[i]);
	return n;
}

static u32 rmt_bits_and(const u64 *a, const u64 *b, u32 nf)
{
	u32 i, n = 0;

	for (i = 0; i < nf; i++)
		n += rmt_popcount64(a[i] & b[i]);
	return n;
}

static u32 rmt_log2c(u64 n)
{
	u32 l = 0;

	while ((1ull << l) < n)
		l++;
	return l;
}

/* Hash rows[0..n) into 2^bits buckets; returns the fullest's count. */
static u32 rmt_merge_hash(struct rmt_tuple *tp, const struct rmt_rows *r,
			  const u32 *rows, u32 n, u32 *occ, u32 bits)
{
	u32 bk = 1, i;

	tp->shift = 64 - bits;
	memset(occ, 0, sizeof(u32) << bits);
	for (i = 0; i < n; i++) {
		u64 h = rmt_tuple_hash(rmt_mrow_key(r, rows[i]), tp->mask,
				       r->nf) >>
			tp->shift;

		if (++occ[h] > bk)
			bk = occ[h];
	}
	return bk;
}

/*
 * The fewest buckets, from 2^bits to 2^top, whose fullest spans the
 * fewest groups of `lanes` rows (what a lookup compares): more buckets
 * stop helping once the fullest holds rows that agree on all the
 * tuple's bits, and only cost memory.  occ gets each bucket's count.
 */
static u32 rmt_merge_buckets(struct rmt_tuple *tp, const struct rmt_rows *r,
			     const u32 *rows, u32 n, u32 *occ, u32 bits,
			     u32 top, u32 lanes)
{
	u32 b, w, best_bits = bits, best_w = ~0u;

	for (b = bits; b <= top; b++) {
		w = (rmt_merge_hash(tp, r, rows, n, occ, b) + lanes - 1) /
		    lanes;
		if (w < best_w) {
			best_w = w;
			best_bits = b;
		}
		if (w <= 1)
			break;
	}
	return rmt_merge_hash(tp, r, rows, n, occ, best_bits);
}

/* Row number at of a one-field table: its lane of a word, its rank. */
static void rmt_merge_put1(struct rmt_table_snap *s, u64 at, u64 key, u64 mask,
			   u32 rank)
{
	u64 *w = s->refs + 2 * (at / s->lanes);
	u32 sh = (u32)(at % s->lanes) * 32;
	u64 lm = s->lanes == 2 ? 0xffffffffull << sh : ~0ull;

	w[0] = (w[0] & ~lm) | (mask << sh);
	w[1] = (w[1] & ~lm) | (key << sh);
	s->lane_rank[at] = rank;
}

/*
 * Fill one tuple from rows[0..n), stored bucket by bucket from row *at
 * on.  A lookup compares a fixed number of rows from the first of the
 * key's bucket whatever the bucket's size: rows past it belong to other
 * buckets or tuples and match only keys that really match them, so the
 * test is branch-free and still exact.  With several fields a row is
 * (rank, then value and mask per field) in refs and a slot holds the
 * bucket's first row; with one field rows are lanes of words (see
 * struct rmt_table_snap) and a bucket's start is the word of its first
 * row, so that max_probe words cover any bucket of the fullest's size.
 */
static int rmt_merge_fill(struct rmt_table_snap *s, struct rmt_tuple *tp,
			  const struct rmt_rows *r, const u32 *rows, u32 n,
			  u64 *at, u64 *cost)
{
	u32 nf = r->nf, rstride = 1 + 2 * nf, bits, i, f, bk, c, top, *occ;
	u64 size, *row, sum;

	/* At least one bit: a shift by 64 is undefined. */
	bits = rmt_log2c((u64)n * 2);
	top = rmt_log2c((u64)n * 8);
	if (top > RMT_MERGE_MAX_BITS)
		top = RMT_MERGE_MAX_BITS;
	if (top < bits)
		top = bits;
	occ = rmt_alloc(sizeof(u32) << top);
	if (!occ)
		return -ENOMEM;
	bk = rmt_merge_buckets(tp, r, rows, n, occ, bits, top,
			       nf == 1 ? s->lanes : 1);
	size = 1ull << (64 - tp->shift);
	tp->size_mask = (u32)size - 1;
	tp->best_rank = RMT_RANK_NONE;
	if (nf == 1) {
		/* Buckets start at a word, so bk rows span so many words. */
		tp->max_probe = (bk + s->lanes - 1) / s->lanes;
		tp->start = rmt_alloc(sizeof(u32) * size);
	} else {
		tp->max_probe = bk;
		tp->slots = rmt_alloc(sizeof(u64) * size);
	}
	if (!tp->start && !tp->slots) {
		rmt_free(occ);
		return -ENOMEM;
	}
	/* occ[h] becomes the next free row of bucket h, from *at. */
	for (i = 0, sum = *at; i < size; i++) {
		if (nf == 1) {
			sum = RMT_ALIGN_UP(sum, (u64)s->lanes);
			tp->start[i] = (u32)(sum / s->lanes);
		} else {
			tp->slots[i] = sum;
		}
		c = occ[i];
		occ[i] = (u32)(sum - *at);
		sum += c;
	}
	for (i = 0; i < n; i++) {
		const u64 *k = rmt_mrow_key(r, rows[i]);
		const u64 *m = rmt_mrow_mask(r, rows[i]);
		u64 h = rmt_tuple_hash(k, tp->mask, nf) >> tp->shift;
		u64 pos = *at + occ[h]++;
		u32 rank = r->rank[rows[i]];

		if (rank < tp->best_rank)
			tp->best_rank = rank;
		if (nf == 1) {
			rmt_merge_put1(s, pos, k[0], m[0], rank);
			continue;
		}
		row = s->refs + pos * rstride;
		row[0] = rank;
		for (f = 0; f < nf; f++) {
			row[1 + 2 * f] = k[f];
			row[2 + 2 * f] = m[f];
		}
	}
	*at = sum;
	rmt_free(occ);
	/* One word test per word, each lane checked again on a match. */
	*cost += nf == 1 ? 1 + tp->max_probe * (1 + s->lanes) :
			   1 + tp->max_probe;
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

/*
 * Room for the rows and, after them, for rows that never match (mask 0,
 * value 1), which a lookup past the last bucket compares.
 */
static int rmt_merge_alloc_rows(const struct rmt_rows *r,
				struct rmt_table_snap *s)
{
	u32 nf = r->nf, rstride = 1 + 2 * nf, i, f;
	size_t n;
	u64 *row;

	if (nf > 1) {
		n = 2 * (size_t)r->n + 1;
		s->refs = rmt_alloc(sizeof(u64) * rstride * n);
		if (!s->refs)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			row = s->refs + i * rstride;
			row[0] = RMT_RANK_NONE;
			for (f = 0; f < nf; f++) {
				row[1 + 2 * f] = 1;
				row[2 + 2 * f] = 0;
			}
		}
		return 0;
	}
	/* Two rows a word when the masks leave a key's upper half out. */
	s->lanes = 2;
	for (i = 0; i < r->n; i++)
		if (r->mask[i] >> 32)
			s->lanes = 1;
	s->lane_key = s->lanes == 2 ? 0xffffffffull : ~0ull;
	s->lane_mul = s->lanes == 2 ? 0x100000001ull : 1;
	s->lane_one = s->lane_mul;
	s->lane_top = s->lanes == 2 ? 0x8000000080000000ull : 1ull << 63;
	/*
	 * Buckets start at a word, so padding at most doubles the rows, and
	 * a lookup reaches at most (b + 1) / lanes words past the last.
	 */
	n = 2 * (size_t)r->n / s->lanes + (r->n + 1) / s->lanes + 2;
	s->refs = rmt_alloc(sizeof(u64) * 2 * n);
	s->lane_rank = rmt_alloc(sizeof(u32) * s->lanes * n);
	if (!s->refs || !s->lane_rank)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		s->refs[2 * i + 1] = s->lane_one;
	return 0;
}

int rmt_merge_build(const struct rmt_rows *r, struct rmt_table_snap *s)
{
	u32 nf = r->nf, nd = 0, ng, i, d, t;
	u64 cost = 0, at = 0;
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

	if (!ord || !first || !cnt || !group || !rows || !gmask)
		goto out;
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
	if (rmt_merge_alloc_rows(r, s))
		goto out;
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
		err = rmt_merge_fill(s, &tmp[t], r, rows, n, &at, &cost);
		if (err) {
			/* Hand what was allocated to the snapshot to free. */
			memcpy(s->tuples, tmp, sizeof(*tmp) * (t + 1));
			s->n_tuples = t + 1;
			goto out;
		}
	}
	rmt_sort_idx(tord, ng, rmt_best_cmp, tmp);
	for (t = 0; t < ng; t++)
		s->tuples[t] = tmp[tord[t]];
	s->n_tuples = ng;
	if (nf == 1) {
		s->mt = rmt_alloc(sizeof(*s->mt) * (ng + 1));
		if (!s->mt)
			goto out;
		for (t = 0; t < ng; t++) {
			s->mt[t].mask = s->tuples[t].mask[0];
			s->mt[t].start = s->tuples[t].start;
			s->mt[t].shift = s->tuples[t].shift;
			s->mt[t].words = s->tuples[t].max_probe;
			s->mt[t].best_rank = s->tuples[t].best_rank;
		}
	}
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
