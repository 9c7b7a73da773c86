// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * helpers.c - the helpers of helpers.h.  Each checks its arguments at run
 * time (the verifier checks them too, but a helper never trusts a
 * program): pointers must lie in the run's stack or regions, indices in
 * range, pages inside the hook's allowed range, emitted fields exportable.
 */
#include "proto/msg.h"
#include "vm/pipeline_impl.h"

#define RMT_ERR(e) ((u64)(s64)(e))

static struct rmt_hook_exec *rmt_exec(struct rmt_vm_run *run)
{
	return run->user;
}

static bool rmt_mem_ok(const struct rmt_vm_run *run, u64 p, u64 len)
{
	u64 s = (u64)(size_t)run->stack;
	u32 i;

	if (p + len < p)
		return false;
	if (p >= s && p + len <= s + RMT_VM_STACK_BYTES)
		return true;
	for (i = 0; i < run->n_regions; i++) {
		const struct rmt_vm_region *r = &run->regions[i];

		if (p >= r->start && p + len <= r->start + r->len)
			return true;
	}
	return false;
}

static u64 rmt_ctx_load(const u8 *ctx, u32 off, u32 size)
{
	u64 v = 0;

	memcpy(&v, ctx + off, size); /* little-endian hosts only */
	return v;
}

static u64 rmt_sext(u64 v, u32 size)
{
	u32 sh = 64 - 8 * size;

	return (u64)((s64)(v << sh) >> sh);
}

static u64 rmt_h_emit(struct rmt_vm_run *run, u64 mask, u64 label, u64 r3,
		      u64 r4, u64 r5)
{
	struct rmt_hook_exec *x = rmt_exec(run);
	const struct rmt_hook_desc *h = x->p->hook;
	struct rmt_msg_sample hdr;
	s32 feat[RMT_MSG_MAX_FEATURES];
	u8 rec[sizeof(hdr) + sizeof(feat)];
	const struct rmt_ctx_field *cg = rmt_hook_field_by_name(h, "cgroup_id");
	u32 i, j, n = 0;
	int err;

	if (mask >> h->n_fields)
		return RMT_ERR(-EINVAL);
	for (i = 0; i < h->n_fields; i++) {
		const struct rmt_ctx_field *f = &h->fields[i];

		if (!(mask & (1ull << i)))
			continue;
		if (!(f->flags & RMT_CTX_EXPORT))
			return RMT_ERR(-EPERM);
		if (n + f->count > RMT_MSG_MAX_FEATURES)
			return RMT_ERR(-E2BIG);
		for (j = 0; j < f->count; j++) {
			u64 v = rmt_ctx_load(x->ctx, f->offset + j * f->size,
					     f->size);

			if (f->flags & RMT_CTX_SIGNED)
				v = rmt_sext(v, f->size);
			feat[n++] = (s32)v;
		}
	}
	if (!x->p->ring)
		return RMT_ERR(-ENODEV);
	hdr.key = cg && (cg->flags & RMT_CTX_EXPORT) ?
			  rmt_ctx_load(x->ctx, cg->offset, cg->size) :
			  0;
	hdr.hook_id = h->id;
	hdr.n_features = (u16)n;
	hdr.label = (s32)label;
	memcpy(rec, &hdr, sizeof(hdr));
	memcpy(rec + sizeof(hdr), feat, n * sizeof(s32));
	err = rmt_ring_produce(x->p->ring, RMT_MSG_SAMPLE, rec,
			       (u32)(sizeof(hdr) + n * sizeof(s32)));
	if (err) {
		x->p->stats.emit_dropped++;
		return RMT_ERR(err);
	}
	x->p->stats.emitted++;
	return 0;
}

static u64 rmt_h_model(struct rmt_vm_run *run, u64 slot, u64 in, u64 n_in,
		       u64 r4, u64 r5)
{
	struct rmt_hook_exec *x = rmt_exec(run);
	const struct rmt_model_slot *m;
	s32 buf[RMT_MODEL_MAX_INPUTS], out = 0;
	int err;

	if (slot >= RMT_MODEL_SLOTS)
		return RMT_ERR(-EINVAL);
	m = &x->p->models[slot];
	if (!m->fn)
		return RMT_ERR(-ENOENT);
	if (n_in != m->n_in || n_in > RMT_MODEL_MAX_INPUTS ||
	    !rmt_mem_ok(run, in, n_in * sizeof(s32)))
		return RMT_ERR(-EINVAL);
	memcpy(buf, (const void *)(size_t)in, n_in * sizeof(s32));
	err = m->fn(m->model, buf, (u32)n_in, &out);
	if (err)
		return RMT_ERR(err < 0 ? err : -EIO);
	/* Outputs are s32; a negative one reads as an error to a program. */
	return (u64)(u32)out;
}

static u64 rmt_h_prefetch(struct rmt_vm_run *run, u64 page, u64 n, u64 r3,
			  u64 r4, u64 r5)
{
	struct rmt_hook_exec *x = rmt_exec(run);
	const struct rmt_hook_desc *h = x->p->hook;
	struct rmt_decision *d = x->d;
	u64 lo = 0, hi = ~0ull, i, added = 0;

	if (page & ((1u << RMT_PAGE_SHIFT) - 1) || n > RMT_DECISION_MAX_PAGES)
		return RMT_ERR(-EINVAL);
	if (h->prefetch_lo) {
		const struct rmt_ctx_field *fl =
			rmt_hook_field(h, h->prefetch_lo);
		const struct rmt_ctx_field *fh =
			rmt_hook_field(h, h->prefetch_hi);

		lo = rmt_ctx_load(x->ctx, fl->offset, fl->size);
		hi = rmt_ctx_load(x->ctx, fh->offset, fh->size);
	}
	for (i = 0; i < n; i++) {
		u64 a = page + (i << RMT_PAGE_SHIFT);

		if (a < page || a < lo || a >= hi ||
		    d->n_pages >= RMT_DECISION_MAX_PAGES) {
			d->refused_pages++;
			continue;
		}
		d->pages[d->n_pages++] = a;
		added++;
	}
	return added;
}

static u64 rmt_h_place(struct rmt_vm_run *run, u64 region, u64 node, u64 r3,
		       u64 r4, u64 r5)
{
	struct rmt_decision *d = rmt_exec(run)->d;

	if (node >= 64)
		return RMT_ERR(-EINVAL);
	d->place_set = 1;
	d->place_region = region;
	d->place_node = (u32)node;
	return 0;
}

static u64 rmt_h_clock(struct rmt_vm_run *run, u64 r1, u64 r2, u64 r3, u64 r4,
		       u64 r5)
{
	struct rmt_pipeline *p = rmt_exec(run)->p;

	return p->clock ? p->clock(p->clock_arg) : 0;
}

static u64 rmt_h_count(struct rmt_vm_run *run, u64 idx, u64 delta, u64 r3,
		       u64 r4, u64 r5)
{
	struct rmt_pipeline *p = rmt_exec(run)->p;

	if (idx >= RMT_HOOK_COUNTERS)
		return RMT_ERR(-EINVAL);
	RMT_WRITE_ONCE(p->stats.counters[idx],
		       RMT_READ_ONCE(p->stats.counters[idx]) + delta);
	return 0;
}

/* Costs in instruction units, as the verifier charges them. */
const struct rmt_helper rmt_helpers[RMT_HELPER_MAX] = {
	{ RMT_HELPER_EMIT, 64, rmt_h_emit, "emit" },
	{ RMT_HELPER_MODEL, 256, rmt_h_model, "model" },
	{ RMT_HELPER_PREFETCH, 40, rmt_h_prefetch, "prefetch" },
	{ RMT_HELPER_PLACE, 8, rmt_h_place, "place" },
	{ RMT_HELPER_CLOCK, 8, rmt_h_clock, "clock" },
	{ RMT_HELPER_COUNT, 4, rmt_h_count, "count" },
};
