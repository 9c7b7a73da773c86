// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * guard.c - the model guardrail (see guard.h).
 */
#include "verifier/guard.h"

int rmt_guard_init(struct rmt_guard *g, const struct rmt_guard_cfg *cfg,
		   u16 hook_id, u16 slot, u64 model_id)
{
	if (!cfg->window || !cfg->bad_windows ||
	    cfg->threshold_ppm > RMT_GUARD_PPM)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->cfg = *cfg;
	g->hook_id = hook_id;
	g->slot = slot;
	g->model_id = model_id;
	g->last_ppm = RMT_GUARD_PPM;
	return 0;
}

/* Close the current window; 1 when it trips the guard. */
static int rmt_guard_window(struct rmt_guard *g)
{
	u64 hits = g->hits < g->predictions ? g->hits : g->predictions;

	g->last_ppm = (u32)(hits * RMT_GUARD_PPM / g->predictions);
	g->predictions = 0;
	g->hits = 0;
	if (g->last_ppm >= g->cfg.threshold_ppm) {
		g->bad = 0;
		return 0;
	}
	return ++g->bad >= g->cfg.bad_windows;
}

int rmt_guard_record(struct rmt_guard *g, u32 predictions, u32 hits, u64 now_ns,
		     struct rmt_msg_guardrail *ev)
{
	u32 room, take, hit;

	if (g->tripped)
		return 0;
	/* split the batch at window boundaries, hits in proportion */
	while (predictions) {
		room = g->cfg.window - g->predictions;
		take = predictions < room ? predictions : room;
		hit = take == predictions ?
			      hits :
			      (u32)((u64)hits * take / predictions);
		g->predictions += take;
		g->hits += hit;
		predictions -= take;
		hits -= hit;
		if (g->predictions < g->cfg.window || !rmt_guard_window(g))
			continue;
		rmt_store_release(&g->tripped, 1u);
		if (ev) {
			memset(ev, 0, sizeof(*ev));
			ev->time_ns = now_ns;
			ev->model_id = g->model_id;
			ev->hook_id = g->hook_id;
			ev->slot = g->slot;
			ev->accuracy_ppm = g->last_ppm;
			ev->threshold_ppm = g->cfg.threshold_ppm;
			ev->window = g->cfg.window;
		}
		return 1;
	}
	return 0;
}

void rmt_guard_readmit(struct rmt_guard *g, u64 model_id)
{
	g->model_id = model_id;
	g->predictions = 0;
	g->hits = 0;
	g->bad = 0;
	g->last_ppm = RMT_GUARD_PPM;
	rmt_store_release(&g->tripped, 0u);
}
