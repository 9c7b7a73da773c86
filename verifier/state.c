// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * state.c - path states: compact copies (only the frames in use and their
 * written slots), the LIFO of pending branches, and pruning at merge
 * points.  A state reaching a merge point is compared with the states
 * saved there for the same call chain and loop iteration count: when one
 * covers it (every register, slot, cost and taint of the new one is within
 * the saved one), the path is pruned; otherwise the two are joined and the
 * analysis goes on with the join, which covers both.  Keying on the
 * iteration count keeps loop iterations apart, so loops are unrolled
 * while the branches inside one iteration still merge.
 */
#include "verifier/vpriv.h"

#define RMT_VFRAME_HDR offsetof(struct rmt_vframe, slots)
#define RMT_VSTATE_HDR offsetof(struct rmt_vstate, frames)

static const struct rmt_vslot rmt_vempty;

size_t rmt_vstate_size(const struct rmt_vstate *st)
{
	size_t n = RMT_VSTATE_HDR;
	u32 f;

	for (f = 0; f <= st->depth; f++)
		n += RMT_VFRAME_HDR +
		     st->frames[f].used * sizeof(struct rmt_vslot);
	return n;
}

/* Copy st to or from a packed buffer. */
void rmt_vpack(u8 *buf, const struct rmt_vstate *st)
{
	size_t n;
	u32 f;

	memcpy(buf, st, RMT_VSTATE_HDR);
	buf += RMT_VSTATE_HDR;
	for (f = 0; f <= st->depth; f++) {
		n = RMT_VFRAME_HDR +
		    st->frames[f].used * sizeof(struct rmt_vslot);
		memcpy(buf, &st->frames[f], n);
		buf += n;
	}
}

void rmt_vunpack(struct rmt_vstate *st, const u8 *buf)
{
	size_t n;
	u32 f;

	memcpy(st, buf, RMT_VSTATE_HDR);
	buf += RMT_VSTATE_HDR;
	for (f = 0; f <= st->depth; f++) {
		memcpy(&st->frames[f], buf, RMT_VFRAME_HDR);
		n = st->frames[f].used * sizeof(struct rmt_vslot);
		memcpy(st->frames[f].slots, buf + RMT_VFRAME_HDR, n);
		buf += RMT_VFRAME_HDR + n;
	}
}

void rmt_vstate_copy(struct rmt_vstate *dst, const struct rmt_vstate *src)
{
	u32 f;

	memcpy(dst, src, RMT_VSTATE_HDR);
	for (f = 0; f <= src->depth; f++)
		memcpy(&dst->frames[f], &src->frames[f],
		       RMT_VFRAME_HDR +
			       src->frames[f].used * sizeof(struct rmt_vslot));
}

static const struct rmt_vslot *rmt_vslot_get(const struct rmt_vstate *st, u32 f,
					     u32 k)
{
	return k < st->frames[f].used ? &st->frames[f].slots[k] : &rmt_vempty;
}

struct rmt_vslot *rmt_vslot_at(struct rmt_vstate *st, u32 frame, s64 off,
			       bool write)
{
	struct rmt_vframe *fr = &st->frames[frame];
	u32 k = (u32)((-off - 1) / 8);

	if (k >= fr->used) {
		if (!write)
			return (struct rmt_vslot *)&rmt_vempty;
		memset(&fr->slots[fr->used], 0,
		       (k + 1 - fr->used) * sizeof(struct rmt_vslot));
		fr->used = k + 1;
	}
	return &fr->slots[k];
}

/* Make room for n more bytes within the verifier's memory limit. */
int rmt_varena_reserve(struct rmt_vctx *c, struct rmt_varena *a, size_t n)
{
	size_t cap = a->cap ? a->cap : 65536;
	u8 *buf;

	if (a->len + n <= a->cap)
		return 0;
	while (cap < a->len + n)
		cap *= 2;
	if (c->store.cap + c->pend.cap - a->cap + cap > RMT_VERIFY_MAX_MEM)
		return -E2BIG;
	buf = rmt_alloc(cap);
	if (!buf)
		return -ENOMEM;
	if (a->len)
		memcpy(buf, a->buf, a->len);
	rmt_free(a->buf);
	a->buf = buf;
	a->cap = cap;
	return 0;
}

static u32 rmt_vchain(const struct rmt_vstate *st)
{
	u32 h = 2166136261u, f;

	for (f = 1; f <= st->depth; f++)
		h = (h ^ st->frames[f].ret_pc) * 16777619u;
	return h;
}

static bool rmt_vreg_same_kind(const struct rmt_vreg *a,
			       const struct rmt_vreg *b)
{
	return a->type == b->type && a->frame == b->frame && a->size == b->size;
}

static bool rmt_vreg_covers(const struct rmt_vreg *o, const struct rmt_vreg *n)
{
	if (o->type == RMT_VT_NOT_INIT)
		return true;
	/* relations the old path relied on must hold for the new one */
	if ((o->id && o->id != n->id) ||
	    (o->link && (o->link != n->link || o->mask != n->mask)))
		return false;
	return rmt_vreg_same_kind(o, n) && n->taint <= o->taint &&
	       rmt_sc_covers(&o->v, &n->v);
}

static bool rmt_vslot_covers(const struct rmt_vslot *o,
			     const struct rmt_vslot *n)
{
	if ((o->init & ~n->init) || n->taint > o->taint ||
	    n->ptrbits > o->ptrbits)
		return false;
	if (o->spill.type != RMT_VT_NOT_INIT)
		return n->spill.type != RMT_VT_NOT_INIT &&
		       rmt_vreg_covers(&o->spill, &n->spill);
	return n->spill.type <= RMT_VT_SCALAR || !o->init;
}

/*
 * Loop l goes on around st: it holds st's pc or one of the calls st is
 * in.  The path can only leave such a loop or take its back-edge; any
 * other loop it reaches again is entered afresh.
 */
static bool rmt_vloop_around(const struct rmt_vctx *c, u32 l,
			     const struct rmt_vstate *st)
{
	u32 f;

	if (rmt_vin_loop(c, l, st->pc))
		return true;
	for (f = 1; f <= st->depth; f++)
		if (rmt_vin_loop(c, l, st->frames[f].ret_pc - 1))
			return true;
	return false;
}

/*
 * What tells loop iterations apart at st->pc: the counts of the loops
 * around it, or (loops_ok false) the whole back-edge history.
 */
static u32 rmt_viter_key(const struct rmt_vctx *c, const struct rmt_vstate *st)
{
	u32 h = 2166136261u, l;

	if (!c->loops_ok)
		return st->hist ^ st->iters * 2654435761u;
	for (l = 0; l < c->n_loops; l++)
		if (rmt_vloop_around(c, l, st))
			h = (h ^ (l << 16 | st->lcnt[l])) * 16777619u;
	return h;
}

static bool rmt_vsame_iter(const struct rmt_vctx *c, const struct rmt_vstate *a,
			   const struct rmt_vstate *b)
{
	u32 l;

	if (!c->loops_ok)
		return a->iters == b->iters && a->hist == b->hist;
	for (l = 0; l < c->n_loops; l++)
		if (rmt_vloop_around(c, l, a) && a->lcnt[l] != b->lcnt[l])
			return false;
	return true;
}

static bool rmt_vframes_match(const struct rmt_vstate *a,
			      const struct rmt_vstate *b)
{
	u32 f;

	if (a->depth != b->depth)
		return false;
	for (f = 1; f <= a->depth; f++)
		if (a->frames[f].ret_pc != b->frames[f].ret_pc)
			return false;
	return true;
}

/* o covers n: whatever n can do from here, o has been checked for. */
static bool rmt_vstate_covers(const struct rmt_vstate *o,
			      const struct rmt_vstate *n)
{
	u32 f, k, used, r;

	if (n->cost > o->cost || n->emits > o->emits ||
	    n->feat_taint > o->feat_taint)
		return false;
	for (r = 0; r < RMT_NR_REGS; r++)
		if (!rmt_vreg_covers(&o->regs[r], &n->regs[r]))
			return false;
	for (f = 0; f <= o->depth; f++) {
		for (r = 0; f && r < 4; r++)
			if (!rmt_vreg_covers(&o->frames[f].saved[r],
					     &n->frames[f].saved[r]))
				return false;
		used = o->frames[f].used > n->frames[f].used ?
			       o->frames[f].used :
			       n->frames[f].used;
		for (k = 0; k < used; k++)
			if (!rmt_vslot_covers(rmt_vslot_get(o, f, k),
					      rmt_vslot_get(n, f, k)))
				return false;
	}
	return true;
}

/* Registers that hold something in both must hold the same kind. */
static bool rmt_vstate_joinable(const struct rmt_vstate *a,
				const struct rmt_vstate *b)
{
	u32 r, f;

	for (r = 0; r < RMT_NR_REGS; r++)
		if (a->regs[r].type && b->regs[r].type &&
		    !rmt_vreg_same_kind(&a->regs[r], &b->regs[r]))
			return false;
	for (f = 1; f <= a->depth; f++)
		for (r = 0; r < 4; r++)
			if (!rmt_vreg_same_kind(&a->frames[f].saved[r],
						&b->frames[f].saved[r]))
				return false;
	return true;
}

static void rmt_vreg_join(struct rmt_vreg *a, const struct rmt_vreg *b)
{
	if (!a->type || !b->type || !rmt_vreg_same_kind(a, b)) {
		memset(a, 0, sizeof(*a));
		return;
	}
	rmt_sc_join(&a->v, &b->v);
	a->taint |= b->taint;
	if (a->id != b->id)
		a->id = 0;
	if (a->link != b->link || a->mask != b->mask)
		a->link = 0;
}

static void rmt_vslot_join(struct rmt_vslot *a, const struct rmt_vslot *b)
{
	bool aptr = a->spill.type > RMT_VT_SCALAR;
	bool bptr = b->spill.type > RMT_VT_SCALAR;

	a->init &= b->init;
	a->taint |= b->taint;
	a->ptrbits |= b->ptrbits;
	if (a->spill.type && b->spill.type &&
	    rmt_vreg_same_kind(&a->spill, &b->spill)) {
		rmt_vreg_join(&a->spill, &b->spill);
		return;
	}
	if (aptr || bptr)
		a->ptrbits = 1;
	memset(&a->spill, 0, sizeof(a->spill));
}

/* a = a joined with b (same pc, call chain and iteration count). */
static void rmt_vstate_join(struct rmt_vstate *a, const struct rmt_vstate *b)
{
	u32 r, f, k, used;

	if (b->cost > a->cost)
		a->cost = b->cost;
	if (b->emits > a->emits)
		a->emits = b->emits;
	/* the longest history bounds every path the join stands for */
	if (b->iters > a->iters)
		a->iters = b->iters;
	a->feat_taint |= b->feat_taint;
	for (r = 0; r < RMT_NR_REGS; r++)
		rmt_vreg_join(&a->regs[r], &b->regs[r]);
	for (f = 0; f <= a->depth; f++) {
		for (r = 0; f && r < 4; r++)
			rmt_vreg_join(&a->frames[f].saved[r],
				      &b->frames[f].saved[r]);
		used = b->frames[f].used;
		if (used > a->frames[f].used) {
			memset(&a->frames[f].slots[a->frames[f].used], 0,
			       (used - a->frames[f].used) *
				       sizeof(struct rmt_vslot));
			a->frames[f].used = used;
		}
		for (k = 0; k < a->frames[f].used; k++)
			rmt_vslot_join(&a->frames[f].slots[k],
				       rmt_vslot_get(b, f, k));
	}
}

/* Save st at its pc (packed into the store); false when out of room. */
static bool rmt_vsave(struct rmt_vctx *c, struct rmt_vsaved *s,
		      const struct rmt_vstate *st)
{
	size_t n = rmt_vstate_size(st);

	if (rmt_varena_reserve(c, &c->store, n))
		return false;
	rmt_vpack(c->store.buf + c->store.len, st);
	s->off = c->store.len;
	c->store.len += n;
	return true;
}

static bool rmt_vsaved_grow(struct rmt_vctx *c)
{
	u32 cap = c->cap_saved ? c->cap_saved * 2 : 256;
	struct rmt_vsaved *s;

	if (c->n_saved < c->cap_saved)
		return true;
	if (cap > RMT_VERIFY_MAX_SAVED)
		return false;
	s = rmt_alloc(cap * sizeof(*s));
	if (!s)
		return false;
	if (c->n_saved)
		memcpy(s, c->saved, c->n_saved * sizeof(*s));
	rmt_free(c->saved);
	c->saved = s;
	c->cap_saved = cap;
	return true;
}

/*
 * A new saved state for st's key: a fresh one, or, when its pc is full,
 * the one with the fewest back-edges that is not waiting in the queue
 * (loops move forward: the newest iterations are the ones that can still
 * merge).  NULL when there is no room.
 */
static struct rmt_vsaved *rmt_vsaved_new(struct rmt_vctx *c,
					 const struct rmt_vstate *st)
{
	struct rmt_vsaved *s, *old = NULL;
	u32 idx;

	if (c->saved_count[st->pc] < RMT_VERIFY_SAVED_PER_PC) {
		if (!rmt_vsaved_grow(c))
			return NULL;
		s = &c->saved[c->n_saved];
		memset(s, 0, sizeof(*s));
		s->pc = st->pc;
		s->next = c->saved_head[st->pc];
		c->saved_head[st->pc] = ++c->n_saved;
		c->saved_count[st->pc]++;
		c->stats.states = c->n_saved;
		return s;
	}
	for (idx = c->saved_head[st->pc]; idx; idx = s->next) {
		s = &c->saved[idx - 1];
		if (!s->queued && (!old || s->iters < old->iters))
			old = s;
	}
	return old && old->iters < st->iters ? old : NULL;
}

int rmt_vprune(struct rmt_vctx *c, struct rmt_vstate *st)
{
	u32 chain = rmt_vchain(st), idx = c->saved_head[st->pc], r;
	u32 key = rmt_viter_key(c, st);
	struct rmt_vstate *o = c->tmp;
	struct rmt_vsaved *s;

	/* what no path reads again does not matter from here on */
	for (r = 0; r < RMT_REG_FP; r++)
		if (!(c->live[st->pc] & (1u << r)))
			memset(&st->regs[r], 0, sizeof(st->regs[r]));
	for (; idx; idx = s->next) {
		s = &c->saved[idx - 1];
		if (s->key != key || s->depth != st->depth ||
		    s->chain != chain || s->iters == ~0u)
			continue;
		rmt_vunpack(o, c->store.buf + s->off);
		if (!rmt_vsame_iter(c, o, st) || !rmt_vframes_match(o, st) ||
		    !rmt_vstate_joinable(o, st))
			continue;
		if (rmt_vstate_covers(o, st))
			return 1;
		rmt_vstate_join(st, o);
		if (!rmt_vsave(c, s, st)) {
			s->iters = ~0u; /* stale: matches no key again */
			return 0;
		}
		return rmt_vqueue_saved(c, s);
	}
	s = rmt_vsaved_new(c, st);
	if (!s)
		return 0;
	s->iters = st->iters;
	s->key = key;
	s->chain = chain;
	s->depth = st->depth;
	if (!rmt_vsave(c, s, st)) {
		s->iters = ~0u;
		return 0;
	}
	return rmt_vqueue_saved(c, s);
}
