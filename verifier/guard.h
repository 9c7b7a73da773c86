/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * guard.h - the run-time guardrail of a model slot: it tracks the quality
 * the datapath measures (for prefetching: hits over predictions) window by
 * window; after enough consecutive windows below the threshold it trips,
 * the hook falls back to its default action, and a RMT_MSG_GUARDRAIL
 * event describes why.  Only rmt_guard_readmit() (the agent, explicitly)
 * lets the model run again.  Freestanding, no allocation.
 *
 * One writer records outcomes (the path that learns whether predictions
 * were right); any CPU may ask rmt_guard_active() without a lock.
 */
#ifndef RMT_VERIFIER_GUARD_H
#define RMT_VERIFIER_GUARD_H

#include "proto/msg.h"

#define RMT_GUARD_PPM 1000000u

struct rmt_guard_cfg {
	u32 window; /* predictions per window, >= 1 */
	u32 threshold_ppm; /* accuracy below this is a bad window */
	u32 bad_windows; /* consecutive bad windows that trip, >= 1 */
};

struct rmt_guard {
	struct rmt_guard_cfg cfg;
	u64 model_id;
	u16 hook_id;
	u16 slot;
	u32 predictions; /* in the current window */
	u32 hits;
	u32 bad; /* consecutive bad windows so far */
	u32 last_ppm; /* accuracy of the last full window */
	u32 tripped; /* read lock-free by hooks */
};

/* -EINVAL for a window or bad_windows of 0 or a threshold over 10^6. */
int rmt_guard_init(struct rmt_guard *g, const struct rmt_guard_cfg *cfg,
		   u16 hook_id, u16 slot, u64 model_id);

/* May the slot's model decide?  False once tripped, until readmitted. */
static inline bool rmt_guard_active(const struct rmt_guard *g)
{
	return !rmt_load_acquire(&g->tripped);
}

/*
 * Record predictions made and how many of them hit.  Returns 1 when this
 * trips the guard (ev, if not NULL, then holds the event to put on the
 * ring, stamped now_ns), else 0.  Outcomes after a trip are ignored.
 */
int rmt_guard_record(struct rmt_guard *g, u32 predictions, u32 hits, u64 now_ns,
		     struct rmt_msg_guardrail *ev);

/* The agent admits a model (the same or a new one) again: fresh counts. */
void rmt_guard_readmit(struct rmt_guard *g, u64 model_id);

#endif /* RMT_VERIFIER_GUARD_H */
