// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * learn_feat.c - the learned prefetcher's features and classes in C (see
 * learn_feat.h); programs/learned.rmt builds the same vector.
 */
#include "agent/learn_feat.h"

static s32 clamp(s64 v)
{
	if (v > RMT_LEARNED_CLAMP)
		return RMT_LEARNED_CLAMP;
	if (v < -RMT_LEARNED_CLAMP)
		return -RMT_LEARNED_CLAMP;
	return (s32)v;
}

void rmt_learned_features(const struct rmt_ctx_swap_fault *c, s32 *x)
{
	u32 i;

	for (i = 0; i < RMT_STREAM_HISTORY; i++)
		x[i] = clamp(c->s_deltas[i]);
	x[8] = (s32)c->s_n;
	x[9] = (s32)c->s_repeat;
	x[10] = (s32)c->s_d0_count;
	x[11] = clamp(c->s_mode);
	x[12] = (s32)c->s_mode_count;
	x[13] = (s32)c->s_region_log2;
	x[14] = (c->flags >> 2) & 1;
}

s64 rmt_learned_step(const struct rmt_ctx_swap_fault *c, u32 cls)
{
	switch (cls) {
	case RMT_LC_LAST:
		return c->s_deltas[0];
	case RMT_LC_BEFORE:
		return c->s_deltas[1];
	case RMT_LC_MODE:
		return c->s_mode;
	default:
		return 0;
	}
}

int rmt_learned_slot_fn(void *model, const s32 *in, u32 n_in, s32 *out)
{
	const struct rmt_model *m = model;
	struct rmt_infer_out o;
	int r;

	if (n_in != m->n_features)
		return -EINVAL;
	r = rmt_model_infer(m, in, &o);
	if (!r)
		*out = o.value;
	return r;
}
