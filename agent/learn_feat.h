/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * learn_feat.h - what programs/learned.rmt feeds its tree and what the
 * classes mean, in C for the trainer: the feature vector built from a
 * swap_fault context whose s_* fields rmt_stream_fill() filled, and the
 * candidate step of each class.  tests/learned checks that the program
 * builds exactly these features.
 */
#ifndef RMT_AGENT_LEARN_FEAT_H
#define RMT_AGENT_LEARN_FEAT_H

#include "mlib/model.h"
#include "vm/hook.h"

#define RMT_LEARNED_FEATURES 15u
#define RMT_LEARNED_CLAMP (1 << 20) /* deltas are clamped to +-this */
/* A next delta within +-this off every candidate: label readahead. */
#define RMT_LEARNED_NEAR 8

enum rmt_learned_class {
	RMT_LC_OTHER = 0, /* prefetch nothing */
	RMT_LC_LAST = 1, /* repeat the last delta */
	RMT_LC_BEFORE = 2, /* repeat the delta before it */
	RMT_LC_MODE = 3, /* the stream's most frequent delta */
	RMT_LC_UNSURE = 4, /* readahead: unsure, or near but off every step */
	RMT_LC_SWEEP = 5, /* near, off every step, but going one way */
	RMT_LC_COUNT = 6,
};

/* Whether the program asks the model about this fault at all. */
static inline bool rmt_learned_asks(const struct rmt_ctx_swap_fault *c)
{
	return !c->s_new && c->s_n;
}

void rmt_learned_features(const struct rmt_ctx_swap_fault *c, s32 *x);

/* The step (pages) class cls follows from c, 0 for none. */
s64 rmt_learned_step(const struct rmt_ctx_swap_fault *c, u32 cls);

/*
 * A model slot function (vm/pipeline.h rmt_model_fn) for an mlib tree:
 * model is a struct rmt_model, *out its class.
 */
int rmt_learned_slot_fn(void *model, const s32 *in, u32 n_in, s32 *out);

#endif /* RMT_AGENT_LEARN_FEAT_H */
