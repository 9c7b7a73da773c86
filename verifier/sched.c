// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sched.c - the analysis' queue of work: forked branch states and saved
 * states at merge points waiting to be explored, in a binary heap ordered
 * by (back-edges taken, pc).  Jumps other than back-edges go forward, so
 * in that order every path into a merge point of a loop-free region gets
 * there before the joined state goes on: each merge point is explored
 * once per loop iteration rather than once per path into it.
 */
#include "verifier/vpriv.h"

#define RMT_VERIFY_MAX_ITEMS (1u << 20)

static u64 rmt_vkey(u32 iters, u32 pc)
{
	return (u64)iters << 32 | pc;
}

static int rmt_vheap_push(struct rmt_vctx *c, const struct rmt_vitem *it)
{
	struct rmt_vitem *items, tmp;
	u32 cap, k, parent;

	if (c->n_items == c->cap_items) {
		cap = c->cap_items ? c->cap_items * 2 : 256;
		if (cap > RMT_VERIFY_MAX_ITEMS)
			return rmt_verr(
				c, -E2BIG,
				"insn %u: program too complex: more than %u paths waiting",
				(u32)it->key, RMT_VERIFY_MAX_ITEMS);
		items = rmt_alloc(cap * sizeof(*items));
		if (!items)
			return rmt_verr(c, -ENOMEM, "out of memory");
		if (c->n_items)
			memcpy(items, c->items, c->n_items * sizeof(*items));
		rmt_free(c->items);
		c->items = items;
		c->cap_items = cap;
	}
	k = c->n_items++;
	c->items[k] = *it;
	while (k) {
		parent = (k - 1) / 2;
		if (c->items[parent].key <= c->items[k].key)
			break;
		tmp = c->items[parent];
		c->items[parent] = c->items[k];
		c->items[k] = tmp;
		k = parent;
	}
	return 0;
}

static void rmt_vheap_pop(struct rmt_vctx *c, struct rmt_vitem *out)
{
	struct rmt_vitem tmp;
	u32 k = 0, l, m;

	*out = c->items[0];
	c->items[0] = c->items[--c->n_items];
	for (;;) {
		l = 2 * k + 1;
		m = k;
		if (l < c->n_items && c->items[l].key < c->items[m].key)
			m = l;
		if (l + 1 < c->n_items && c->items[l + 1].key < c->items[m].key)
			m = l + 1;
		if (m == k)
			break;
		tmp = c->items[m];
		c->items[m] = c->items[k];
		c->items[k] = tmp;
		k = m;
	}
}

int rmt_vpend_push(struct rmt_vctx *c, const struct rmt_vstate *st)
{
	struct rmt_vitem it = { .key = rmt_vkey(st->iters, st->pc) };
	size_t n = rmt_vstate_size(st);
	int err = rmt_varena_reserve(c, &c->pend, n);

	if (err == -E2BIG)
		return rmt_verr(
			c, err,
			"insn %u: program too complex: pending branches exceed %u MiB",
			st->pc, RMT_VERIFY_MAX_MEM >> 20);
	if (err)
		return rmt_verr(c, err, "out of memory");
	rmt_vpack(c->pend.buf + c->pend.len, st);
	it.off = c->pend.len;
	it.size = (u32)n;
	c->pend.len += n;
	return rmt_vheap_push(c, &it);
}

int rmt_vqueue_saved(struct rmt_vctx *c, struct rmt_vsaved *s)
{
	struct rmt_vitem it = { .key = rmt_vkey(s->iters, s->pc),
				.saved = (u32)(s - c->saved) + 1 };
	int err;

	if (s->queued)
		return 1;
	err = rmt_vheap_push(c, &it);
	if (err)
		return err;
	s->queued = true;
	return 1;
}

bool rmt_vpend_pop(struct rmt_vctx *c, struct rmt_vstate *st, bool *resume)
{
	struct rmt_vsaved *s;
	struct rmt_vitem it;

	if (!c->n_items)
		return false;
	rmt_vheap_pop(c, &it);
	if (it.saved) {
		s = &c->saved[it.saved - 1];
		s->queued = false;
		rmt_vunpack(st, c->store.buf + s->off);
		*resume = true;
	} else {
		rmt_vunpack(st, c->pend.buf + it.off);
		/* the newest branch state: its room is free again */
		if (it.off + it.size == c->pend.len)
			c->pend.len = it.off;
		*resume = false;
	}
	if (!c->n_items)
		c->pend.len = 0;
	return true;
}
