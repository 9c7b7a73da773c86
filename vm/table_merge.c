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
 * so that buckets hold about one row).  In large one-field tables a
 * tuple may also hash on bits some of its masks leave open, their rows
 * copied once per setting of those bits (rmt_merge_cluster); the plan
 * with the lowest estimated cost wins.  The cost of a lookup is the sum
 * over tuples of one hash probe plus the rows compared (the fullest
 * bucket's count); in one-field tables, the words compared and, in the
 * worst case, each of their lanes again.  Copies change neither: every
 * copy carries its row's own mask and value, so any copy a key meets
 * gives the same answer, and the cost already counts every lane.
 */
#include "vm/table_impl.h"
#include "vm/table_sort.h"

/* At most 2^20 buckets a tuple. */
#define RMT_MERGE_MAX_BITS 20u
#define RMT_MERGE_MAX_MASKS 4096u
/*
 * Clustering (one-field tables): up to so many masks and from so many
 * rows (below, the greedy plan is close enough and commits stay fast),
 * at most so many copies a row on average and so many tuples.
 */
#define RMT_MERGE_CLUSTER_MASKS 256u
#define RMT_MERGE_CLUSTER_ROWS 1024u
#define RMT_MERGE_MAX_COPIES 4u
#define RMT_MERGE_MAX_K 32u

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

/*
 * A copy of a row in a tuple.  A row whose mask leaves some of the
 * tuple's bits open is stored once per setting of those bits (each copy
 * in the bucket of the keys it can match), so that a tuple may hash on
 * bits not every one of its masks specifies.
 */
struct rmt_mitem {
	u64 hash;
	u32 row;
};

/* The copies of rows[0..n) in a tuple of mask gm; -E2BIG past cap. */
static int rmt_merge_items(const struct rmt_rows *r, const u32 *rows, u32 n,
			   const u64 *gm, struct rmt_mitem *it, u32 cap,
			   u32 *n_items)
{
	u64 key[RMT_TABLE_MAX_FIELDS], miss, sub;
	u32 nf = r->nf, i, k = 0;

	for (i = 0; i < n; i++) {
		memcpy(key, rmt_mrow_key(r, rows[i]), sizeof(u64) * nf);
		/* Only one-field tuples are grouped with open bits. */
		miss = nf == 1 ? gm[0] & ~rmt_mrow_mask(r, rows[i])[0] : 0;
		sub = 0;
		do {
			if (k == cap)
				return -E2BIG;
			key[0] = rmt_mrow_key(r, rows[i])[0] | sub;
			it[k].hash = rmt_tuple_hash(key, gm, nf);
			it[k++].row = rows[i];
			sub = (sub - miss) & miss;
		} while (sub);
	}
	*n_items = k;
	return 0;
}

/* Hash items into 2^bits buckets; returns the fullest's count. */
static u32 rmt_merge_hash(const struct rmt_mitem *it, u32 n, u32 *occ, u32 bits)
{
	u32 bk = 1, i;
	u64 h;

	memset(occ, 0, sizeof(u32) << bits);
	for (i = 0; i < n; i++) {
		h = it[i].hash >> (64 - bits);
		if (++occ[h] > bk)
			bk = occ[h];
	}
	return bk;
}

/* Bucket bits a tuple of n copies may get: from *lo to the return. */
static u32 rmt_merge_bit_span(u32 n, u32 *lo)
{
	u32 top;

	/* At least one bit: a shift by 64 is undefined. */
	*lo = rmt_log2_ceil((u64)n + 1);
	top = rmt_log2_ceil((u64)n * 8);
	if (top > RMT_MERGE_MAX_BITS)
		top = RMT_MERGE_MAX_BITS;
	return top < *lo ? *lo : top;
}

/*
 * A lookup's cost in bytes of table: every word it compares counts as
 * RMT_MERGE_WORD_BYTES, so that tables stay small enough to stay in
 * cache, which matters as much as the compares.
 */
#define RMT_MERGE_WORD_BYTES 16384u

/*
 * Buckets, from 2^lo to 2^top, for the fewest words compared (what a
 * lookup does: the fullest bucket's rows, `lanes` to a word) against the
 * bytes the bucket starts take: more buckets stop helping once the
 * fullest holds rows that agree on all the tuple's bits.  Returns the
 * bits; *words gets the words.
 */
static u32 rmt_merge_buckets(const struct rmt_mitem *it, u32 n, u32 *occ,
			     u32 lo, u32 top, u32 lanes, u32 *words)
{
	u32 b, w, best_bits = lo, best_w = ~0u;
	u64 c, best = ~0ull;

	for (b = lo; b <= top; b++) {
		w = (rmt_merge_hash(it, n, occ, b) + lanes - 1) / lanes;
		c = (u64)w * RMT_MERGE_WORD_BYTES + (sizeof(u32) << b);
		if (c < best) {
			best = c;
			best_w = w;
			best_bits = b;
		}
		if (w <= 1)
			break;
	}
	*words = best_w;
	return best_bits;
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
 * Fill one tuple from its copies it[0..n), stored bucket by bucket from
 * row *at on.  A lookup compares a fixed number of rows from the first
 * of the key's bucket whatever the bucket's size: rows past it belong to
 * other buckets or tuples and match only keys that really match them,
 * so the test is branch-free and still exact.  With several fields a row
 * is (rank, then value and mask per field) in refs and a slot holds the
 * bucket's first row; with one field rows are lanes of words (see struct
 * rmt_table_snap) and a bucket's start is the word of its first row, so
 * that max_probe words cover any bucket of the fullest's size.
 */
static int rmt_merge_fill(struct rmt_table_snap *s, struct rmt_tuple *tp,
			  const struct rmt_rows *r, const struct rmt_mitem *it,
			  u32 n, u64 *at, u64 *cost)
{
	u32 nf = r->nf, rstride = 1 + 2 * nf, bits, i, f, bk, c, lo, top, *occ;
	u64 size, *row, sum;

	top = rmt_merge_bit_span(n, &lo);
	occ = rmt_alloc(sizeof(u32) << top);
	if (!occ)
		return -ENOMEM;
	bits = rmt_merge_buckets(it, n, occ, lo, top, nf == 1 ? s->lanes : 1,
				 &bk);
	bk = rmt_merge_hash(it, n, occ, bits);
	tp->shift = 64 - bits;
	size = 1ull << bits;
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
		const u64 *k = rmt_mrow_key(r, it[i].row);
		const u64 *m = rmt_mrow_mask(r, it[i].row);
		u64 pos = *at + occ[it[i].hash >> tp->shift]++;
		u32 rank = r->rank[it[i].row];

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
			    bb < rmt_log2_ceil(rows_in + cnt[best]))
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
 * Tuples by local search, as Lloyd's k-means: each distinct mask dm[d]
 * (cnt[d] rows) joins the tuple where it needs the fewest copies, cnt[d]
 * times 2 to the number of the tuple's bits it leaves open, and each
 * tuple's mask is rebuilt bit by bit, taking each time the bit that adds
 * the fewest copies, until it has `extra` more bits than log2 of its rows
 * (so that buckets stay short).  Seeds are spread out: each next one is
 * the mask the seeds so far would copy most.  One-field tables only.
 * Returns the number of non-empty tuples, numbered from 0.
 */
#define RMT_MERGE_MAX_OPEN 24u /* saturates 2^open, no overflow */
#define RMT_MERGE_ROUNDS 16u

static u64 rmt_copies(u64 gm, u64 m, u32 cnt)
{
	u32 open = rmt_popcount64(gm & ~m);

	return (u64)cnt << (open < RMT_MERGE_MAX_OPEN ? open :
							RMT_MERGE_MAX_OPEN);
}

/*
 * Rebuild tuple j's mask from its masks' bits, until it has `extra` more
 * bits than log2 of its rows with their copies; add[] is 64 scratch.
 */
static u64 rmt_merge_refit(const u64 *dm, const u32 *cnt, u32 nd,
			   const u32 *group, u32 j, u32 extra, u64 *add)
{
	u64 cur = 0, any = 0, rows, free_bits, x;
	u32 d, b, best;

	for (d = 0; d < nd; d++)
		if (group[d] == j)
			any |= dm[d];
	for (;;) {
		free_bits = any & ~cur;
		rows = 0;
		memset(add, 0, sizeof(u64) * 64);
		for (d = 0; d < nd; d++) {
			if (group[d] != j)
				continue;
			rows += rmt_copies(cur, dm[d], cnt[d]);
			for (x = free_bits & ~dm[d]; x; x &= x - 1) {
				b = (u32)__builtin_ctzll(x);
				add[b] += rmt_copies(cur, dm[d], cnt[d]);
			}
		}
		if (!free_bits ||
		    rmt_popcount64(cur) >= rmt_log2_ceil(rows) + extra)
			return cur;
		best = (u32)__builtin_ctzll(free_bits);
		for (x = free_bits; x; x &= x - 1) {
			b = (u32)__builtin_ctzll(x);
			if (add[b] < add[best])
				best = b;
		}
		cur |= 1ull << best;
	}
}

/* Out of line: its arrays stay off the caller's frame (1 KiB at most). */
static rmt_noinline u32 rmt_merge_cluster(const u64 *dm, const u32 *cnt, u32 nd,
					  u32 k, u32 extra, u32 *group, u64 *gm,
					  u64 *add)
{
	u32 d, j, i, best, round, ng = 0, renum[RMT_MERGE_MAX_K];
	u64 c, bc, worst, out[RMT_MERGE_MAX_K];
	bool moved;

	for (j = 0; j < k; j++) {
		best = 0;
		worst = 0;
		for (d = 0; d < nd; d++) {
			for (i = 0, bc = ~0ull; i < j; i++) {
				c = rmt_copies(gm[i], dm[d], 1);
				bc = c < bc ? c : bc;
			}
			c = j ? bc : rmt_popcount64(dm[d]);
			if (c > worst) {
				worst = c;
				best = d;
			}
		}
		gm[j] = dm[best];
	}
	for (d = 0; d < nd; d++)
		group[d] = RMT_RANK_NONE;
	for (round = 0; round < RMT_MERGE_ROUNDS; round++) {
		moved = false;
		for (d = 0; d < nd; d++) {
			best = 0;
			for (j = 1; j < k; j++)
				if (rmt_copies(gm[j], dm[d], 1) <
				    rmt_copies(gm[best], dm[d], 1))
					best = j;
			moved |= group[d] != best;
			group[d] = best;
		}
		if (!moved)
			break;
		for (j = 0; j < k; j++)
			gm[j] = rmt_merge_refit(dm, cnt, nd, group, j, extra,
						add);
	}
	/* Renumber the tuples that kept masks, merging equal masks. */
	for (j = 0; j < k; j++)
		renum[j] = RMT_RANK_NONE;
	for (d = 0; d < nd; d++) {
		j = group[d];
		if (renum[j] == RMT_RANK_NONE) {
			for (i = 0; i < ng && out[i] != gm[j]; i++)
				;
			if (i == ng)
				out[ng++] = gm[j];
			renum[j] = i;
		}
		group[d] = renum[j];
	}
	memcpy(gm, out, sizeof(u64) * ng);
	return ng;
}

/* What a build shares: the distinct masks and scratch for plans. */
struct rmt_merge_work {
	const struct rmt_rows *r;
	u32 nd;
	u32 *ord; /* rows by mask */
	u32 *first; /* per distinct mask: its first row in ord */
	u32 *cnt; /* its rows */
	u32 *rows; /* one tuple's rows */
	struct rmt_mitem *items; /* one tuple's copies */
	u32 cap; /* room in items */
	u32 lanes;
};

/* Tuple t's rows into w->rows; returns how many. */
static u32 rmt_merge_rows_of(const struct rmt_merge_work *w, const u32 *group,
			     u32 t)
{
	u32 d, i, n = 0;

	for (d = 0; d < w->nd; d++)
		if (group[d] == t)
			for (i = 0; i < w->cnt[d]; i++)
				w->rows[n++] = w->ord[w->first[d] + i];
	return n;
}

/*
 * What a plan would cost a lookup, in bytes as rmt_merge_buckets counts
 * them, a tuple's hash and bucket start counting as 3 words, plus the
 * rows' bytes; -E2BIG if it copies rows beyond the room.  *copies gets
 * the copies of rows in all.
 */
static int rmt_merge_eval(const struct rmt_merge_work *w, const u32 *group,
			  const u64 *gm, u32 ng, u64 *score, u64 *copies)
{
	u32 t, n, ni, lo, top, words, bits, *occ;
	int err;

	*score = 0;
	*copies = 0;
	for (t = 0; t < ng; t++) {
		n = rmt_merge_rows_of(w, group, t);
		err = rmt_merge_items(w->r, w->rows, n,
				      gm + (size_t)t * w->r->nf, w->items,
				      w->cap, &ni);
		if (err)
			return err;
		top = rmt_merge_bit_span(ni, &lo);
		occ = rmt_alloc(sizeof(u32) << top);
		if (!occ)
			return -ENOMEM;
		bits = rmt_merge_buckets(w->items, ni, occ, lo, top,
					 w->r->nf == 1 ? w->lanes : 1, &words);
		rmt_free(occ);
		*score += (u64)(3 + words) * RMT_MERGE_WORD_BYTES +
			  (sizeof(u32) << bits) +
			  (u64)ni * sizeof(u64) * (1 + 2 * w->r->nf);
		*copies += ni;
	}
	return 0;
}

/*
 * Room for the rows (n copies) and, after them, for rows that never
 * match (mask 0, value 1), which a lookup past the last bucket compares.
 */
static int rmt_merge_alloc_rows(const struct rmt_rows *r,
				struct rmt_table_snap *s, u64 n_rows)
{
	u32 nf = r->nf, rstride = 1 + 2 * nf, i, f;
	size_t n;
	u64 *row;

	if (nf > 1) {
		n = 2 * (size_t)n_rows + 1;
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
	/*
	 * Buckets start at a word, so padding at most doubles the rows, and
	 * a lookup reaches at most (b + 1) / lanes words past the last.
	 */
	n = 2 * (size_t)n_rows / s->lanes + (n_rows + 1) / s->lanes + 2;
	s->refs = rmt_alloc(sizeof(u64) * 2 * n);
	s->lane_rank = rmt_alloc(sizeof(u32) * s->lanes * n);
	if (!s->refs || !s->lane_rank)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		s->refs[2 * i + 1] = s->lane_one;
	return 0;
}

/* Two rows a word when the masks leave a key's upper half out. */
static void rmt_merge_lanes(const struct rmt_rows *r, struct rmt_table_snap *s)
{
	u32 i;

	s->lanes = 2;
	for (i = 0; i < r->n; i++)
		if (r->mask[i] >> 32)
			s->lanes = 1;
	s->lane_key = s->lanes == 2 ? 0xffffffffull : ~0ull;
	s->lane_mul = s->lanes == 2 ? 0x100000001ull : 1;
	s->lane_one = s->lane_mul;
	s->lane_top = s->lanes == 2 ? 0x8000000080000000ull : 1ull << 63;
}

/*
 * The plan with the lowest cost: TupleMerge's greedy grouping (no copies)
 * or, in one-field tables with few enough masks, clustering into k tuples
 * for every k up to the greedy's count, with 0 or 1 extra bits.  group
 * and gm get the plan, *copies its rows with copies.
 */
static rmt_noinline u32 rmt_merge_plan(struct rmt_merge_work *w, u32 *group,
				       u64 *gm, u64 *copies)
{
	const struct rmt_rows *r = w->r;
	u32 nf = r->nf, nd = w->nd, ng, k, extra, n, d;
	u64 score, best_score, c;
	u32 *tg = NULL;
	u64 *tm = NULL, *dm = NULL, *add = NULL;

	ng = rmt_merge_group(r, w->ord, w->first, w->cnt, nd, group, gm);
	if (rmt_merge_eval(w, group, gm, ng, &best_score, copies) || nf != 1 ||
	    nd > RMT_MERGE_CLUSTER_MASKS || r->n < RMT_MERGE_CLUSTER_ROWS)
		return ng;
	tg = rmt_alloc(sizeof(u32) * nd);
	tm = rmt_alloc(sizeof(u64) * nd);
	dm = rmt_alloc(sizeof(u64) * nd);
	add = rmt_alloc(sizeof(u64) * 64);
	if (!tg || !tm || !dm || !add)
		goto out;
	for (d = 0; d < nd; d++)
		dm[d] = rmt_mrow_mask(r, w->ord[w->first[d]])[0];
	for (k = 1; k < ng && k <= RMT_MERGE_MAX_K; k++) {
		for (extra = 0; extra <= 1; extra++) {
			n = rmt_merge_cluster(dm, w->cnt, nd, k, extra, tg, tm,
					      add);
			if (rmt_merge_eval(w, tg, tm, n, &score, &c) ||
			    score >= best_score)
				continue;
			best_score = score;
			*copies = c;
			ng = n;
			memcpy(group, tg, sizeof(u32) * nd);
			memcpy(gm, tm, sizeof(u64) * n);
		}
	}
out:
	rmt_free(tg);
	rmt_free(tm);
	rmt_free(dm);
	rmt_free(add);
	return ng;
}

int rmt_merge_build(const struct rmt_rows *r, struct rmt_table_snap *s)
{
	u32 nf = r->nf, nd = 0, ng, i, t, n, ni;
	u64 cost = 0, at = 0, copies = 0;
	struct rmt_merge_ctx ctx = { .r = r };
	struct rmt_merge_work w = { .r = r };
	u32 *group = rmt_alloc(sizeof(u32) * (r->n + 1));
	u64 *gmask = rmt_alloc(sizeof(u64) * nf * (r->n + 1));
	struct rmt_tuple *tmp = NULL;
	u32 *tord = NULL;
	int err = -ENOMEM;

	w.cap = RMT_MERGE_MAX_COPIES * r->n + 1;
	w.ord = rmt_alloc(sizeof(u32) * (r->n + 1));
	w.first = rmt_alloc(sizeof(u32) * (r->n + 1));
	w.cnt = rmt_alloc(sizeof(u32) * (r->n + 1));
	w.rows = rmt_alloc(sizeof(u32) * (r->n + 1));
	w.items = rmt_alloc(sizeof(*w.items) * w.cap);
	if (!w.ord || !w.first || !w.cnt || !w.rows || !w.items || !group ||
	    !gmask)
		goto out;
	for (i = 0; i < r->n; i++)
		w.ord[i] = i;
	rmt_sort_idx(w.ord, r->n, rmt_mask_cmp, &ctx);
	for (i = 0; i < r->n; i++) {
		if (!i ||
		    memcmp(rmt_mrow_mask(r, w.ord[i]),
			   rmt_mrow_mask(r, w.ord[i - 1]), sizeof(u64) * nf)) {
			w.first[nd] = i;
			w.cnt[nd++] = 0;
		}
		w.cnt[nd - 1]++;
	}
	w.nd = nd;
	/* Grouping is quadratic in the masks: keep commits short. */
	if (nd > RMT_MERGE_MAX_MASKS) {
		err = -E2BIG;
		goto out;
	}
	if (nf == 1)
		rmt_merge_lanes(r, s);
	w.lanes = s->lanes;
	ng = rmt_merge_plan(&w, group, gmask, &copies);
	if (rmt_merge_alloc_rows(r, s, copies ? copies : r->n))
		goto out;
	tmp = rmt_alloc(sizeof(*tmp) * (ng + 1));
	tord = rmt_alloc(sizeof(u32) * (ng + 1));
	s->tuples = rmt_alloc(sizeof(*s->tuples) * (ng + 1));
	if (!tmp || !tord || !s->tuples)
		goto out;
	memset(tmp, 0, sizeof(*tmp) * (ng + 1));
	for (t = 0; t < ng; t++) {
		n = rmt_merge_rows_of(&w, group, t);
		memcpy(tmp[t].mask, gmask + (size_t)t * nf, sizeof(u64) * nf);
		tord[t] = t;
		err = rmt_merge_items(r, w.rows, n, tmp[t].mask, w.items, w.cap,
				      &ni);
		if (!err)
			err = rmt_merge_fill(s, &tmp[t], r, w.items, ni, &at,
					     &cost);
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
	rmt_free(w.ord);
	rmt_free(w.first);
	rmt_free(w.cnt);
	rmt_free(w.rows);
	rmt_free(w.items);
	rmt_free(group);
	rmt_free(gmask);
	rmt_free(tmp);
	rmt_free(tord);
	return err;
}
