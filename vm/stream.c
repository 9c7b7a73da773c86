// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * stream.c - stream tracking for the swap_fault hook (see stream.h).
 */
#include "proto/msg.h"
#include "vm/pipeline.h"
#include "vm/stream.h"

void rmt_streams_init(struct rmt_streams *st)
{
	memset(st, 0, sizeof(*st));
}

static u64 rmt_dist(u64 a, u64 b)
{
	return a > b ? a - b : b - a;
}

/*
 * The stream of page pg in region: one whose stride lands exactly on pg
 * (the latest stream first; a long stride is still one stream), else the
 * nearest within RMT_STREAM_NEAR pages, else a new stream in a free or
 * the least recently used slot.
 */
static u32 rmt_stream_find(struct rmt_streams *st, u64 region, u64 pg,
			   bool *fresh)
{
	u32 i, best = RMT_STREAM_SLOTS, lru = 0;
	u64 d, best_dist = (u64)RMT_STREAM_NEAR + 1, lru_used = ~0ull;
	const struct rmt_stream *m = &st->s[st->mru % RMT_STREAM_SLOTS];

	/* The latest stream continuing its stride: no scan needed. */
	if (m->used && m->region == region && m->n &&
	    m->last + (u64)m->d[0] == pg) {
		*fresh = false;
		return st->mru % RMT_STREAM_SLOTS;
	}
	/*
	 * One pass: a stride landing on pg wins at once; meanwhile the
	 * nearest stream and the least recently used slot are kept for
	 * when none does (a new stream needs the slot).
	 */
	for (i = 0; i < RMT_STREAM_SLOTS; i++) {
		const struct rmt_stream *s = &st->s[i];

		if (s->used < lru_used) {
			lru_used = s->used;
			lru = i;
		}
		if (s->region != region || !s->used)
			continue;
		if (s->n && s->last + (u64)s->d[0] == pg) {
			*fresh = false;
			return i;
		}
		d = rmt_dist(s->last, pg);
		if (d < best_dist) {
			best_dist = d;
			best = i;
		}
	}
	*fresh = best == RMT_STREAM_SLOTS;
	return *fresh ? lru : best;
}

static void rmt_stream_start(struct rmt_stream *s, u64 region, u64 pg)
{
	u32 gen = s->gen + 1;

	memset(s, 0, sizeof(*s));
	s->gen = gen;
	s->region = region;
	s->last = pg;
}

/* Checks the previous prediction against this fault, then records it. */
static void rmt_stream_advance(struct rmt_stream *s, u64 pg, u32 flags)
{
	if (s->expect) {
		if (pg == s->expect) {
			s->right++;
			if (s->run < 0xffffu)
				s->run++;
		} else {
			s->wrong++;
			s->run = 0;
		}
		if (s->right + s->wrong >= RMT_STREAM_CHECK_WINDOW) {
			s->right >>= 1;
			s->wrong >>= 1;
		}
		s->expect = 0;
	}
	/*
	 * Claims are kept apart (a random walk would vouch for any step):
	 * a fault without a refuted claim ends the row.
	 */
	if (s->deny && pg == s->deny) {
		if (s->refuted < 0xffffu)
			s->refuted++;
	} else {
		s->refuted = 0;
	}
	s->deny = 0;
	/*
	 * A miss: what the stream asked for ahead is not all staged (evicted
	 * unused, as when a stream pauses while others run), so its next
	 * decision asks again from here.
	 */
	if (flags & RMT_FAULT_PREFETCH_HIT)
		s->hits++;
	else
		s->ahead = 0;
	if (pg == s->last)
		return;
	memmove(&s->d[1], &s->d[0], sizeof(s->d) - sizeof(s->d[0]));
	s->d[0] = (s64)(pg - s->last);
	if (s->n < RMT_STREAM_HISTORY)
		s->n++;
	s->last = pg;
}

static u32 rmt_log2(u64 v)
{
	return v > 1 ? 63u - (u32)__builtin_clzll(v) : 0;
}

static void rmt_stream_export(const struct rmt_stream *s,
			      struct rmt_ctx_swap_fault *c)
{
	u32 i, j, k, best = 0;

	_Static_assert(sizeof(c->s_deltas) == sizeof(s->d), "same history");
	c->s_n = s->n;
	/* Deltas past n are zero: a stream starts zeroed and fills in. */
	memcpy(c->s_deltas, s->d, sizeof(s->d));
	c->s_repeat = 0;
	while (c->s_repeat + 1 < s->n && s->d[c->s_repeat + 1] == s->d[0])
		c->s_repeat++;
	c->s_mode = s->n ? s->d[0] : 0;
	c->s_mode_count = s->n;
	c->s_d0_count = s->n;
	/*
	 * A steady stride (the common case) is its own mode.  Otherwise
	 * count each distinct delta once, at its newest place (so a tie
	 * goes to the newest), counting only older places (the newer ones
	 * hold other deltas), and stop once no delta left can win.
	 */
	for (i = c->s_repeat + 1 < s->n ? 0 : s->n; i < s->n && best < s->n - i;
	     i++) {
		for (j = 0; j < i && s->d[j] != s->d[i]; j++)
			;
		if (j < i)
			continue;
		for (k = 1, j = i + 1; j < s->n; j++)
			k += s->d[j] == s->d[i];
		if (i == 0)
			c->s_d0_count = k;
		if (k > best) {
			best = k;
			c->s_mode = s->d[i];
			c->s_mode_count = k;
		}
	}
	c->s_region_log2 = c->vma_end > c->vma_start ?
				   rmt_log2((c->vma_end - c->vma_start) >>
					    RMT_PAGE_SHIFT) :
				   0;
	c->s_run = s->run;
	c->s_ahead = s->ahead;
	c->s_step = s->step;
	c->s_hits = s->hits;
	c->s_issued = s->issued;
	c->s_right = s->right;
	c->s_wrong = s->wrong;
	c->s_refuted = s->refuted;
}

u32 rmt_stream_fill(struct rmt_streams *st, struct rmt_ctx_swap_fault *c)
{
	u64 pg = c->addr >> RMT_PAGE_SHIFT;
	struct rmt_stream *s;
	bool fresh;
	u32 i;

	i = rmt_stream_find(st, c->vma_start, pg, &fresh);
	s = &st->s[i];
	if (fresh)
		rmt_stream_start(s, c->vma_start, pg);
	else
		rmt_stream_advance(s, pg, c->flags);
	s->used = ++st->tick;
	st->mru = i;
	c->s_id = i;
	c->s_new = fresh;
	rmt_stream_export(s, c);
	return i;
}

/*
 * A sweep predicts no next page, so no run of right predictions vouches
 * for it; its pages do.  pages: how far ahead of the fault it asked.
 */
static bool rmt_sweep_coasts(const struct rmt_stream *s, s64 pages)
{
	s64 net = 0;
	u32 i;

	for (i = 0; i < s->n; i++)
		net += s->d[i];
	if (net < 0) {
		net = -net;
		pages = -pages;
	}
	return net && pages >= RMT_STREAM_SWEEP_AHEAD &&
	       s->issued <= s->hits + RMT_STREAM_SWEEP_SLACK;
}

bool rmt_stream_coast(struct rmt_streams *st,
		      const struct rmt_ctx_swap_fault *c)
{
	struct rmt_stream *s = &st->s[c->s_id % RMT_STREAM_SLOTS];
	s64 pages;

	if (!(c->flags & RMT_FAULT_PREFETCH_HIT) || c->s_new || !s->ahead)
		return false;
	pages = (s64)(s->ahead - c->addr) / (s64)(1 << RMT_PAGE_SHIFT);
	if (!s->step)
		return rmt_sweep_coasts(s, pages);
	if (s->run < RMT_STREAM_COAST_RUN ||
	    pages / s->step < RMT_STREAM_COAST_AHEAD)
		return false;
	s->expect = (c->addr >> RMT_PAGE_SHIFT) + (u64)s->step;
	return true;
}

void rmt_stream_update(struct rmt_streams *st,
		       const struct rmt_ctx_swap_fault *c, const u64 *meta,
		       u32 n_pages)
{
	struct rmt_stream *s = &st->s[c->s_id % RMT_STREAM_SLOTS];
	s64 step = (s64)meta[RMT_STREAM_META_STEP];
	s64 deny = (s64)meta[RMT_STREAM_META_DENY];

	s->expect = step ? (c->addr >> RMT_PAGE_SHIFT) + (u64)step : 0;
	s->deny = !step && deny ? (c->addr >> RMT_PAGE_SHIFT) + (u64)deny : 0;
	s->ahead = meta[RMT_STREAM_META_AHEAD];
	s->step = s->ahead ? step : 0;
	s->issued += n_pages;
	if (s->issued >= RMT_STREAM_ISSUED_WINDOW) {
		s->issued >>= 1;
		s->hits >>= 1;
	}
}

int rmt_stream_run(struct rmt_streams *st, struct rmt_pipeline *p,
		   struct rmt_ctx_swap_fault *c, struct rmt_hook_scratch *scr,
		   struct rmt_decision *d)
{
	int err;

	rmt_stream_fill(st, c);
	if (rmt_stream_coast(st, c)) {
		memset(d, 0, __builtin_offsetof(struct rmt_decision, pages));
		return 0;
	}
	err = rmt_pipeline_run(p, c, sizeof(*c), scr, d);
	if (!err)
		rmt_stream_update(st, c, scr->meta, d->n_pages);
	return err;
}
