// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * table_build.c - compiles a table's staged entries into an immutable
 * lookup snapshot.  Updates are rare and lookups hot, so each commit
 * builds the structure from scratch:
 *
 *  - one range or lpm field: the entries' intervals cut the field into
 *    elementary intervals, each labelled with its best entry; a lookup is
 *    a binary search (depth log2 of the number of bounds);
 *  - ternary and mixed tables: a decision tree up to RMT_TREE_AUTO_ROWS
 *    rows (table_tree.c), merged tuples above (table_merge.c);
 *  - exact tables: tuple space search.  Entries are grouped by their
 *    vector of masks (ranges of multi-field tables are split into
 *    prefixes first), each group is a hash table keyed by the masked key,
 *    and the groups are probed in the order of their best entry, stopping
 *    once no later group can beat the match in hand.  An exact table is a
 *    single group.  The cost is the sum over groups of the longest probe.
 *
 * Entries are ranked once (priority, then insertion order) so that the
 * structures compare small integers.
 */
#include "vm/table_impl.h"
#include "vm/table_sort.h"

u32 rmt_range_prefixes(u64 lo, u64 hi, u32 width, u64 *vals, u64 *masks,
		       u32 cap)
{
	u64 w = rmt_width_mask(width), low;
	u32 n = 0, k;

	for (;;) {
		k = lo ? (u32)__builtin_ctzll(lo) : width;
		if (k > width)
			k = width;
		while (k > 0 && rmt_width_mask(k) > hi - lo)
			k--;
		low = rmt_width_mask(k);
		if (vals && n < cap) {
			vals[n] = lo;
			masks[n] = w & ~low;
		}
		n++;
		if (lo + low >= hi)
			return n;
		lo += low + 1;
	}
}

struct rmt_rank_ctx {
	const struct rmt_table *t;
	s32 lpm_field; /* -1 if none */
};

static s64 rmt_eff_priority(const struct rmt_rank_ctx *c, u32 s)
{
	const struct rmt_tentry *e = &c->t->entries[s];

	if (c->t->has_priority)
		return e->priority;
	return c->lpm_field >= 0 ? e->plen[c->lpm_field] : 0;
}

static int rmt_rank_cmp(const void *ctx, u32 a, u32 b)
{
	const struct rmt_rank_ctx *c = ctx;
	s64 pa = rmt_eff_priority(c, a), pb = rmt_eff_priority(c, b);
	u64 sa = c->t->entries[a].seq, sb = c->t->entries[b].seq;

	if (pa != pb)
		return pa > pb ? -1 : 1;
	return sa < sb ? -1 : sa > sb;
}

void rmt_table_snap_free(struct rmt_table_snap *s)
{
	u32 i;

	if (!s)
		return;
	for (i = 0; i < s->n_tuples; i++) {
		rmt_free(s->tuples[i].slots);
		rmt_free(s->tuples[i].filter);
		rmt_free(s->tuples[i].start);
	}
	rmt_free(s->mt);
	rmt_free(s->lane_rank);
	rmt_free(s->tuples);
	rmt_free(s->hot);
	rmt_free(s->bounds);
	rmt_free(s->bound_rank);
	rmt_free(s->radix);
	rmt_free(s->nodes);
	rmt_free(s->refs);
	rmt_free(s->acts);
	rmt_free(s->rank_of_slot);
	rmt_free(s->params);
	rmt_free(s);
}

/* ---- intervals ---- */

struct rmt_iv_ctx {
	const u64 *key;
};

static int rmt_u64_cmp(const void *ctx, u32 a, u32 b)
{
	const struct rmt_iv_ctx *c = ctx;

	return c->key[a] < c->key[b] ? -1 : c->key[a] > c->key[b];
}

/* At most 2^16 cells (256 KiB) of index over interval bounds. */
#define RMT_RADIX_MAX_BITS 16u

/* Min-heap of ranks; ranks whose interval ended are dropped lazily. */
static void rmt_heap_push(u32 *h, u32 *n, u32 v)
{
	u32 i = (*n)++, p;

	while (i && h[p = (i - 1) / 2] > v) {
		h[i] = h[p];
		i = p;
	}
	h[i] = v;
}

static void rmt_heap_pop(u32 *h, u32 *n)
{
	u32 v = h[--(*n)], i = 0, c;

	while ((c = 2 * i + 1) < *n) {
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (v <= h[c])
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
}

/*
 * The index over the bounds: the key's top bits pick a cell, and the
 * cell knows the bounds its keys fall between, about 2 to 4 with one
 * cell per 2 to 4 bounds.  A search is then a few steps within one or
 * two cache lines instead of log2 of all the bounds, each a dependent
 * load.  Cost: the cell (two adjacent words), the steps, the rank.
 */
static int rmt_build_radix(struct rmt_table_snap *s, u32 width)
{
	u32 bits = rmt_log2_ceil(s->n_bounds), c, i = 0, n, most = 1;
	u64 first;

	/* At least one bit: a shift by the whole width may be by 64. */
	bits = bits > 3 ? bits - 2 : 1;
	if (bits > width)
		bits = width;
	if (bits > RMT_RADIX_MAX_BITS)
		bits = RMT_RADIX_MAX_BITS;
	s->radix_shift = width - bits;
	n = 1u << bits;
	s->radix = rmt_alloc(sizeof(u32) * (n + 1));
	if (!s->radix)
		return -ENOMEM;
	for (c = 0; c < n; c++) {
		first = (u64)c << s->radix_shift;
		while (i + 1 < s->n_bounds && s->bounds[i + 1] <= first)
			i++;
		s->radix[c] = i;
	}
	s->radix[n] = s->n_bounds - 1;
	for (c = 0; c < n; c++)
		if (s->radix[c + 1] - s->radix[c] + 1 > most)
			most = s->radix[c + 1] - s->radix[c] + 1;
	/* Steps 2^(k-1) .. 1 search 2^k bounds. */
	s->radix_step = most > 1 ? 1u << (rmt_log2_ceil(most) - 1) : 0;
	s->cost = 2 + rmt_log2_ceil(most);
	return 0;
}

static int rmt_build_intervals(const struct rmt_table *t,
			       struct rmt_table_snap *s, const u32 *by_rank)
{
	u32 n = s->n_entries, np = 0, i, j, nb, hn = 0, next = 0;
	u64 w = rmt_width_mask(t->cfg.fields[0].width);
	u64 *lo = rmt_alloc(sizeof(u64) * (n + 1));
	u64 *hi = rmt_alloc(sizeof(u64) * (n + 1));
	u64 *pts = rmt_alloc(sizeof(u64) * (2 * n + 1));
	u32 *ord = rmt_alloc(sizeof(u32) * (2 * n + 1));
	u32 *heap = rmt_alloc(sizeof(u32) * (n + 1));
	u64 *pts_sorted = rmt_alloc(sizeof(u64) * (2 * n + 1));
	struct rmt_iv_ctx ctx;
	int err = -ENOMEM;

	if (!lo || !hi || !pts || !ord || !heap || !pts_sorted)
		goto out;
	for (i = 0; i < n; i++) {
		const struct rmt_tentry *e = &t->entries[by_rank[i]];

		lo[i] = e->value[0];
		hi[i] = t->cfg.fields[0].kind == RMT_MATCH_LPM ?
				e->value[0] | (w & ~e->mask_hi[0]) :
				e->mask_hi[0];
	}
	pts[np++] = 0;
	for (i = 0; i < n; i++) {
		pts[np++] = lo[i];
		if (hi[i] < w)
			pts[np++] = hi[i] + 1;
	}
	for (i = 0; i < np; i++)
		ord[i] = i;
	ctx.key = pts;
	rmt_sort_idx(ord, np, rmt_u64_cmp, &ctx);
	nb = 0;
	for (i = 0; i < np; i++)
		if (!nb || pts[ord[i]] != pts_sorted[nb - 1])
			pts_sorted[nb++] = pts[ord[i]];
	/* Entries in order of their low end, to push as the sweep passes. */
	for (i = 0; i < n; i++)
		ord[i] = i;
	ctx.key = lo;
	rmt_sort_idx(ord, n, rmt_u64_cmp, &ctx);
	s->bounds = rmt_alloc(sizeof(u64) * nb);
	s->bound_rank = rmt_alloc(sizeof(u32) * nb);
	if (!s->bounds || !s->bound_rank)
		goto out;
	s->n_bounds = 0;
	for (j = 0; j < nb; j++) {
		u64 p = pts_sorted[j];
		u32 best;

		while (next < n && lo[ord[next]] <= p)
			rmt_heap_push(heap, &hn, ord[next++]);
		while (hn && hi[heap[0]] < p)
			rmt_heap_pop(heap, &hn);
		best = hn ? heap[0] : RMT_RANK_NONE;
		/* Neighbours with the same winner merge into one interval. */
		if (s->n_bounds && s->bound_rank[s->n_bounds - 1] == best)
			continue;
		s->bounds[s->n_bounds] = p;
		s->bound_rank[s->n_bounds++] = best;
	}
	err = rmt_build_radix(s, t->cfg.fields[0].width);
out:
	rmt_free(lo);
	rmt_free(hi);
	rmt_free(pts);
	rmt_free(ord);
	rmt_free(heap);
	rmt_free(pts_sorted);
	return err;
}

/* ---- tuple space ---- */

static int rmt_row_cmp(const void *ctx, u32 a, u32 b)
{
	const struct rmt_rows *r = ctx;
	const u64 *ma = r->mask + (size_t)a * r->nf;
	const u64 *mb = r->mask + (size_t)b * r->nf;
	u32 i;

	for (i = 0; i < r->nf; i++)
		if (ma[i] != mb[i])
			return ma[i] < mb[i] ? -1 : 1;
	return r->rank[a] < r->rank[b] ? -1 : r->rank[a] > r->rank[b];
}

/* Most prefixes one range of a 64-bit field splits into. */
#define RMT_MAX_FIELD_PREFIXES 128u

/*
 * Append the prefix rows of one entry (cartesian product of fields);
 * scratch holds 2 * RMT_TABLE_MAX_FIELDS * RMT_MAX_FIELD_PREFIXES words.
 */
static void rmt_expand(const struct rmt_table *t, const struct rmt_tentry *e,
		       u32 rank, struct rmt_rows *r, u64 *scratch)
{
	const struct rmt_table_config *c = &t->cfg;
	u32 cnt[RMT_TABLE_MAX_FIELDS], pos[RMT_TABLE_MAX_FIELDS];
	u32 i, row, nf = c->n_fields;
	u64 *pv = scratch;
	u64 *pm = scratch + RMT_TABLE_MAX_FIELDS * RMT_MAX_FIELD_PREFIXES;

	for (i = 0; i < nf; i++) {
		u64 *v = pv + i * RMT_MAX_FIELD_PREFIXES;
		u64 *m = pm + i * RMT_MAX_FIELD_PREFIXES;

		pos[i] = 0;
		cnt[i] = 1;
		v[0] = e->value[i];
		m[0] = e->mask_hi[i];
		if (c->fields[i].kind == RMT_MATCH_RANGE)
			cnt[i] = rmt_range_prefixes(e->value[i], e->mask_hi[i],
						    c->fields[i].width, v, m,
						    RMT_MAX_FIELD_PREFIXES);
	}
	for (row = 0; row < e->expansion; row++) {
		u64 *m = r->mask + (size_t)r->n * nf;
		u64 *k = r->key + (size_t)r->n * nf;

		for (i = 0; i < nf; i++) {
			u32 at = i * RMT_MAX_FIELD_PREFIXES + pos[i];

			m[i] = pm[at];
			k[i] = pv[at] & m[i];
		}
		r->rank[r->n++] = rank;
		for (i = 0; i < nf; i++) {
			if (++pos[i] < cnt[i])
				break;
			pos[i] = 0;
		}
	}
}

static int rmt_tuple_fill(struct rmt_tuple *tp, const struct rmt_rows *r,
			  const u32 *ord, u32 from, u32 to)
{
	u32 nf = r->nf, count = to - from, bits, i, j, stride = nf + 1;
	u64 size;

	bits = rmt_log2_ceil((u64)count * 2);
	if (bits < 2)
		bits = 2;
	size = 1ull << bits;
	tp->slots = rmt_alloc(sizeof(u64) * stride * size);
	if (!tp->slots)
		return -ENOMEM;
	for (i = 0; i < size; i++)
		tp->slots[i * stride] = RMT_RANK_NONE;
	/* 8 filter bits per slot, at least one word. */
	tp->filter = rmt_alloc(sizeof(u64) * (size < 8 ? 1 : size / 8));
	if (!tp->filter)
		return -ENOMEM;
	tp->fshift = 64 - bits - 3;
	tp->shift = 64 - bits;
	tp->size_mask = (u32)size - 1;
	tp->max_probe = 0;
	tp->best_rank = r->rank[ord[from]];
	memcpy(tp->mask, r->mask + (size_t)ord[from] * nf, sizeof(u64) * nf);
	/* Rows come in rank order: the first of a masked key is the best. */
	for (j = from; j < to; j++) {
		const u64 *k = r->key + (size_t)ord[j] * nf;
		u64 hash = rmt_tuple_hash(k, tp->mask, nf);
		u32 h = (u32)(hash >> tp->shift), probe;
		u32 fbit = (u32)(hash >> tp->fshift);

		tp->filter[fbit / 64] |= 1ull << (fbit % 64);
		for (probe = 0;; probe++) {
			u64 *sl = tp->slots + (size_t)h * stride;

			if (sl[0] == RMT_RANK_NONE) {
				sl[0] = r->rank[ord[j]];
				memcpy(sl + 1, k, sizeof(u64) * nf);
				if (probe > tp->max_probe)
					tp->max_probe = probe;
				break;
			}
			if (!memcmp(sl + 1, k, sizeof(u64) * nf))
				break;
			h = (h + 1) & tp->size_mask;
		}
	}
	return 0;
}

static int rmt_tuple_cmp(const void *ctx, u32 a, u32 b)
{
	const struct rmt_tuple *tp = ctx;

	return tp[a].best_rank < tp[b].best_rank ?
		       -1 :
		       tp[a].best_rank > tp[b].best_rank;
}

static bool rmt_all_exact(const struct rmt_table *t)
{
	u32 i;

	for (i = 0; i < t->cfg.n_fields; i++)
		if (t->cfg.fields[i].kind != RMT_MATCH_EXACT)
			return false;
	return true;
}

static int rmt_build_tuples(const struct rmt_table *t, struct rmt_table_snap *s,
			    const u32 *by_rank)
{
	u32 nf = t->cfg.n_fields, n_rows = 0, i, start, nt = 0;
	struct rmt_rows r = { .nf = nf };
	struct rmt_tuple *tmp = NULL;
	u32 *ord = NULL, *tord = NULL;
	u64 *scratch = rmt_alloc(sizeof(u64) * 2 * RMT_TABLE_MAX_FIELDS *
				 RMT_MAX_FIELD_PREFIXES);
	int err = -ENOMEM;

	for (i = 0; i < s->n_entries; i++)
		n_rows += t->entries[by_rank[i]].expansion;
	r.mask = rmt_alloc(sizeof(u64) * nf * (n_rows + 1));
	r.key = rmt_alloc(sizeof(u64) * nf * (n_rows + 1));
	r.rank = rmt_alloc(sizeof(u32) * (n_rows + 1));
	ord = rmt_alloc(sizeof(u32) * (n_rows + 1));
	if (!r.mask || !r.key || !r.rank || !ord || !scratch)
		goto out;
	for (i = 0; i < s->n_entries; i++)
		rmt_expand(t, &t->entries[by_rank[i]], i, &r, scratch);
	/*
	 * A small tree's few dependent loads stay in cache; a large one
	 * misses at every level, where merged tuples overlap their misses.
	 */
	if (!rmt_all_exact(t) && (t->cfg.algo == RMT_TABLE_ALGO_TREE ||
				  (t->cfg.algo == RMT_TABLE_ALGO_AUTO &&
				   r.n <= RMT_TREE_AUTO_ROWS))) {
		s->kind = RMT_SNAP_TREE;
		err = rmt_tree_build(&r, s);
		if (err != -E2BIG)
			goto out;
	}
	if (!rmt_all_exact(t) && t->cfg.algo != RMT_TABLE_ALGO_TUPLES) {
		s->kind = RMT_SNAP_MERGED;
		err = rmt_merge_build(&r, s);
		if (err != -E2BIG)
			goto out;
		rmt_free(s->refs);
		s->refs = NULL;
	}
	s->kind = RMT_SNAP_TUPLES;
	err = -ENOMEM;
	for (i = 0; i < r.n; i++)
		ord[i] = i;
	rmt_sort_idx(ord, r.n, rmt_row_cmp, &r);
	for (i = 0; i < r.n; i++)
		if (!i ||
		    memcmp(r.mask + (size_t)ord[i] * nf,
			   r.mask + (size_t)ord[i - 1] * nf, sizeof(u64) * nf))
			nt++;
	tmp = rmt_alloc(sizeof(*tmp) * (nt + 1));
	tord = rmt_alloc(sizeof(u32) * (nt + 1));
	s->tuples = rmt_alloc(sizeof(*s->tuples) * (nt + 1));
	if (!tmp || !tord || !s->tuples)
		goto out;
	nt = 0;
	for (start = 0, i = 1; i <= r.n; i++) {
		if (i < r.n &&
		    !memcmp(r.mask + (size_t)ord[i] * nf,
			    r.mask + (size_t)ord[start] * nf, sizeof(u64) * nf))
			continue;
		if (rmt_tuple_fill(&tmp[nt], &r, ord, start, i)) {
			/* Hand what was allocated to the snapshot to free. */
			s->n_tuples = nt + 1;
			memcpy(s->tuples, tmp, sizeof(*tmp) * (nt + 1));
			goto out;
		}
		tord[nt] = nt;
		nt++;
		start = i;
	}
	rmt_sort_idx(tord, nt, rmt_tuple_cmp, tmp);
	s->hot = rmt_alloc(sizeof(*s->hot) * (nt + 1));
	if (!s->hot) {
		s->n_tuples = nt;
		memcpy(s->tuples, tmp, sizeof(*tmp) * nt);
		goto out;
	}
	s->cost = 0;
	for (i = 0; i < nt; i++) {
		s->tuples[i] = tmp[tord[i]];
		s->hot[i].mask = s->tuples[i].mask[0];
		s->hot[i].filter = s->tuples[i].filter;
		s->hot[i].fshift = s->tuples[i].fshift;
		s->hot[i].best_rank = s->tuples[i].best_rank;
		s->cost += s->tuples[i].max_probe + 1;
	}
	s->n_tuples = nt;
	err = 0;
out:
	rmt_free(r.mask);
	rmt_free(r.key);
	rmt_free(r.rank);
	rmt_free(ord);
	rmt_free(tmp);
	rmt_free(tord);
	rmt_free(scratch);
	return err;
}

int rmt_table_build(const struct rmt_table *t, struct rmt_table_snap **out)
{
	struct rmt_table_snap *s = rmt_alloc(sizeof(*s));
	const struct rmt_table_config *c = &t->cfg;
	struct rmt_rank_ctx rc = { .t = t, .lpm_field = -1 };
	u32 *by_rank = NULL, i, n = 0, stride = t->param_stride;
	int err = -ENOMEM;

	if (!s)
		return -ENOMEM;
	s->nf = c->n_fields;
	for (i = 0; i < c->n_fields; i++)
		if (c->fields[i].kind == RMT_MATCH_LPM)
			rc.lpm_field = (s32)i;
	by_rank = rmt_alloc(sizeof(u32) * (t->n_live + 1));
	s->acts = rmt_alloc(sizeof(*s->acts) * (t->n_live + 1));
	s->rank_of_slot = rmt_alloc(sizeof(u32) * t->n_slots);
	s->params = rmt_alloc((size_t)(t->n_live + 1) * (stride ? stride : 1) +
			      RMT_TABLE_MAX_PARAM);
	if (!by_rank || !s->acts || !s->params || !s->rank_of_slot)
		goto out;
	for (i = 0; i < t->n_slots; i++)
		s->rank_of_slot[i] = RMT_RANK_NONE;
	for (i = 0; i < t->n_slots; i++)
		if (t->entries[i].live)
			by_rank[n++] = i;
	rmt_sort_idx(by_rank, n, rmt_rank_cmp, &rc);
	s->n_entries = n;
	for (i = 0; i < n; i++) {
		const struct rmt_tentry *e = &t->entries[by_rank[i]];
		struct rmt_snap_act *a = &s->acts[i];

		a->slot = by_rank[i];
		s->rank_of_slot[a->slot] = i;
		a->action_id = e->action_id;
		a->param_len = e->param_len;
		a->param_off = i * stride;
		memcpy(s->params + a->param_off,
		       t->params + (size_t)by_rank[i] * stride, e->param_len);
	}
	/* The default's parameters go after the entries'. */
	s->def.slot = RMT_TABLE_NO_SLOT;
	s->def.action_id = t->staged_def_action;
	s->def.param_len = t->staged_def_len;
	s->def.param_off = n * stride;
	memcpy(s->params + s->def.param_off, t->staged_def_params,
	       t->staged_def_len);
	if (c->n_fields == 1 && (c->fields[0].kind == RMT_MATCH_RANGE ||
				 c->fields[0].kind == RMT_MATCH_LPM)) {
		s->kind = RMT_SNAP_INTERVALS;
		s->key_mask = rmt_width_mask(c->fields[0].width);
		err = rmt_build_intervals(t, s, by_rank);
	} else {
		s->kind = RMT_SNAP_TUPLES;
		err = rmt_build_tuples(t, s, by_rank);
	}
out:
	rmt_free(by_rank);
	if (err) {
		rmt_table_snap_free(s);
		return err;
	}
	*out = s;
	return 0;
}
