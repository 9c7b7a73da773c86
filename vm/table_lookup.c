// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * table_lookup.c - the lookup path: no lock, no allocation, bounded by
 * the snapshot's cost.  Key values are taken modulo their field width.
 */
#include "vm/table_impl.h"
#include "port/rmt_rcu.h"

/*
 * The cell of the key's top bits gives the first and last bound it can
 * fall after; a search by halving steps, clamped to the last, finds the
 * last bound <= key without a branch.
 */
static u32 rmt_lookup_intervals(const struct rmt_table_snap *s, u64 key)
{
	const u64 *b = s->bounds;
	u32 c, lo, hi, p, step;

	key &= s->key_mask;
	c = (u32)(key >> s->radix_shift);
	lo = s->radix[c];
	hi = s->radix[c + 1];
	for (step = s->radix_step; step; step >>= 1) {
		p = lo + step < hi ? lo + step : hi;
		lo = b[p] <= key ? p : lo;
	}
	return s->bound_rank[lo];
}

/* One field, the common case: slots are (rank, key) pairs. */
static u32 rmt_lookup_tuples1(const struct rmt_table_snap *s, u64 key)
{
	const struct rmt_tuple_hot *hot = s->hot;
	u32 best = RMT_RANK_NONE, t, n = s->n_tuples;

	for (t = 0; t < n && hot[t].best_rank < best; t++) {
		const struct rmt_tuple *tp;
		u64 mk = key & hot[t].mask, hash = mk * RMT_HASH_MUL;
		u32 fbit = (u32)(hash >> hot[t].fshift), h, p;

		if (rmt_likely(
			    !((hot[t].filter[fbit / 64] >> (fbit % 64)) & 1)))
			continue;
		tp = &s->tuples[t];
		h = (u32)(hash >> tp->shift);
		for (p = 0; p <= tp->max_probe; p++) {
			const u64 *sl = tp->slots + 2 * (size_t)h;

			if (sl[0] == RMT_RANK_NONE)
				break;
			if (sl[1] == mk) {
				if (sl[0] < best)
					best = (u32)sl[0];
				break;
			}
			h = (h + 1) & tp->size_mask;
		}
	}
	return best;
}

static bool rmt_key_eq(const u64 *sl, const u64 *key, const u64 *mask, u32 nf)
{
	u32 i;

	for (i = 0; i < nf; i++)
		if (sl[i] != (key[i] & mask[i]))
			return false;
	return true;
}

static u32 rmt_lookup_tuples(const struct rmt_table_snap *s, const u64 *key)
{
	const struct rmt_tuple *tp = s->tuples, *end = tp + s->n_tuples;
	u32 best = RMT_RANK_NONE, nf = s->nf, stride = nf + 1;

	for (; tp < end && tp->best_rank < best; tp++) {
		u64 hash = rmt_tuple_hash(key, tp->mask, nf);
		u32 h = (u32)(hash >> tp->shift), p;
		u32 fbit = (u32)(hash >> tp->fshift);

		if (!((tp->filter[fbit / 64] >> (fbit % 64)) & 1))
			continue;
		for (p = 0; p <= tp->max_probe; p++) {
			const u64 *sl = tp->slots + (size_t)h * stride;

			if (sl[0] == RMT_RANK_NONE)
				break;
			if (rmt_key_eq(sl + 1, key, tp->mask, nf)) {
				if (sl[0] < best)
					best = (u32)sl[0];
				break;
			}
			h = (h + 1) & tp->size_mask;
		}
	}
	return best;
}

/*
 * A word of a one-field merged tuple had a lane that matched: find the
 * lanes that did (the word test says only that one did) and keep the best
 * rank.  Rare: at most the one or two entries a key matches get here.
 */
static rmt_noinline u32 rmt_merged1_lanes(const struct rmt_table_snap *s,
					  u64 key, u32 word, u32 words,
					  u32 best)
{
	const u64 *w = s->refs + 2 * (size_t)word;
	u64 lm = s->lane_key, k2 = (key & lm) * s->lane_mul, x;
	u32 i, l, r;

	for (i = 0; i < words; i++, w += 2) {
		/* The word test again: most words have no matching lane. */
		x = (k2 & w[0]) ^ w[1];
		if (!((x - s->lane_one) & ~x & s->lane_top))
			continue;
		for (l = 0; l < s->lanes; l++) {
			if ((key & (w[0] >> (32 * l)) & lm) !=
			    ((w[1] >> (32 * l)) & lm))
				continue;
			r = s->lane_rank[(size_t)(word + i) * s->lanes + l];
			best = r < best ? r : best;
		}
	}
	return best;
}

/*
 * Merged tuples of one field (table_merge.c): per tuple, the key's
 * bucket gives a word, and the fixed number of words from there are
 * tested without a branch: each packs one or two rows as (masks,
 * values), and a lane of (key & masks) ^ values is zero where its row
 * matches, which the carry trick of "has a zero byte" finds for all
 * lanes and words at once.  Only a word with a zero lane is looked at
 * again, lane by lane, for its rank.  Tuples are independent: out of
 * order execution overlaps their loads (prefetching them in batches cost
 * more instructions than it saved).
 *
 * RMT_WORD(i): a lane of word i is 0 where its row matches; z gets the
 * lane's top bit.  The rare path is kept out of line, so that the loop
 * keeps its values in registers.
 */
#define RMT_WORD(i) \
	(x = (k2 & w[2 * (i)]) ^ w[2 * (i) + 1], z |= (x - one) & ~x)

static rmt_noinline u32 rmt_lookup_merged1(const struct rmt_table_snap *s,
					   u64 key)
{
	const struct rmt_mtuple *tp = s->mt, *end = tp + s->n_tuples;
	u32 best = RMT_RANK_NONE, j, at;
	u64 k2 = (key & s->lane_key) * s->lane_mul, one = s->lane_one, x, z;
	u64 top = s->lane_top;
	const u64 *refs = s->refs, *w;

	for (; tp < end && tp->best_rank < best; tp++) {
		at = tp->start[((key & tp->mask) * RMT_HASH_MUL) >> tp->shift];
		w = refs + 2 * (size_t)at;
		z = 0;
		/* Unrolled: the count is the tuple's, the same every lookup. */
		switch (tp->words) {
		default:
			for (j = 8; j < tp->words; j++)
				RMT_WORD(j);
			rmt_fallthrough;
		case 8:
			RMT_WORD(7);
			rmt_fallthrough;
		case 7:
			RMT_WORD(6);
			rmt_fallthrough;
		case 6:
			RMT_WORD(5);
			rmt_fallthrough;
		case 5:
			RMT_WORD(4);
			rmt_fallthrough;
		case 4:
			RMT_WORD(3);
			rmt_fallthrough;
		case 3:
			RMT_WORD(2);
			rmt_fallthrough;
		case 2:
			RMT_WORD(1);
			rmt_fallthrough;
		case 1:
			RMT_WORD(0);
		}
		if (rmt_unlikely(z & top))
			best = rmt_merged1_lanes(s, key, at, tp->words, best);
	}
	return best;
}

static u32 rmt_lookup_merged(const struct rmt_table_snap *s, const u64 *key)
{
	const struct rmt_tuple *tp = s->tuples, *end = tp + s->n_tuples;
	u32 best = RMT_RANK_NONE, nf = s->nf, rstride = 1 + 2 * nf, i, j;

	for (; tp < end && tp->best_rank < best; tp++) {
		u64 h = rmt_tuple_hash(key, tp->mask, nf) >> tp->shift;
		const u64 *row = s->refs + tp->slots[h] * rstride;

		for (i = 0; i < tp->max_probe; i++, row += rstride) {
			u64 miss = 0;

			for (j = 0; j < nf; j++)
				miss |= (key[j] & row[2 + 2 * j]) ^
					row[1 + 2 * j];
			if (!miss && (u32)row[0] < best)
				best = (u32)row[0];
		}
	}
	return best;
}

static u32 rmt_lookup_tree(const struct rmt_table_snap *s, const u64 *key)
{
	const struct rmt_tnode *n = s->nodes;
	const u64 *ref;
	u32 i, j, idx, nf = s->nf, stride = 1 + 2 * nf;

	while (n->nbits) {
		idx = 0;
		for (j = 0; j < n->nbits; j++)
			idx |= (u32)((key[n->field[j]] >> n->shift[j]) & 1)
			       << j;
		n = &s->nodes[n->base + idx];
	}
	ref = s->refs + (size_t)n->base * stride;
	if (nf == 1) {
		for (i = 0; i < n->count; i++, ref += 3)
			if ((key[0] & ref[2]) == ref[1])
				return (u32)ref[0];
		return RMT_RANK_NONE;
	}
	for (i = 0; i < n->count; i++, ref += stride) {
		for (j = 0; j < nf; j++)
			if ((key[j] & ref[2 + 2 * j]) != ref[1 + 2 * j])
				break;
		if (j == nf)
			return (u32)ref[0];
	}
	return RMT_RANK_NONE;
}

bool rmt_table_lookup(struct rmt_table *t, const u64 *key,
		      struct rmt_table_result *res)
{
	const struct rmt_table_snap *s = rmt_rcu_dereference(t->snap);
	const struct rmt_snap_act *a;
	u32 best;

	if (s->kind == RMT_SNAP_INTERVALS)
		best = rmt_lookup_intervals(s, key[0]);
	else if (s->kind == RMT_SNAP_TREE)
		best = rmt_lookup_tree(s, key);
	else if (s->kind == RMT_SNAP_MERGED)
		best = s->nf == 1 ? rmt_lookup_merged1(s, key[0]) :
				    rmt_lookup_merged(s, key);
	else if (s->nf == 1)
		best = rmt_lookup_tuples1(s, key[0]);
	else
		best = rmt_lookup_tuples(s, key);
	/* Statistics may lose counts when CPUs race; they never block. */
	RMT_WRITE_ONCE(t->lookups, RMT_READ_ONCE(t->lookups) + 1);
	if (best == RMT_RANK_NONE) {
		a = &s->def;
		res->state = NULL;
		res->state_len = 0;
	} else {
		a = &s->acts[best];
		RMT_WRITE_ONCE(((struct rmt_snap_act *)a)->hits,
			       RMT_READ_ONCE(a->hits) + 1);
		RMT_WRITE_ONCE(t->matched, RMT_READ_ONCE(t->matched) + 1);
		res->state_len = t->cfg.state_size;
		res->state =
			t->cfg.state_size ?
				t->state + (size_t)a->slot * t->cfg.state_size :
				NULL;
	}
	res->slot = a->slot;
	res->action_id = a->action_id;
	res->param_len = a->param_len;
	res->params = s->params + a->param_off;
	return best != RMT_RANK_NONE;
}
