/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pipeline_impl.h - the inside of a pipeline, shared by pipeline.c and
 * the helpers (helpers.c), which reach it through the run's user pointer.
 */
#ifndef RMT_VM_PIPELINE_IMPL_H
#define RMT_VM_PIPELINE_IMPL_H

#include "vm/helpers.h"
#include "vm/pipeline.h"

struct rmt_action_def {
	char name[RMT_NAME_LEN];
	u32 param_len;
	bool has_prog;
	struct rmt_prog prog;
};

/* Where a key word comes from: the context copy or the metadata. */
struct rmt_key_src {
	u16 offset;
	u8 size;
	u8 meta;
};

struct rmt_stage {
	char name[RMT_NAME_LEN];
	struct rmt_table *table;
	u32 n_keys;
	struct rmt_key_src keys[RMT_TABLE_MAX_FIELDS];
};

struct rmt_pipeline {
	const struct rmt_hook_desc *hook;
	struct rmt_helper helpers[RMT_HELPER_MAX];
	struct rmt_helper_set helper_set;
	bool filter_ctx; /* some fields are hidden from actions */
	u32 n_actions;
	struct rmt_action_def actions[RMT_PIPELINE_MAX_ACTIONS];
	u32 n_stages;
	struct rmt_stage stages[RMT_PIPELINE_MAX_STAGES];
	struct rmt_model_slot models[RMT_MODEL_SLOTS];
	struct rmt_ring_prod *ring;
	u64 (*clock)(void *arg);
	void *clock_arg;
	rmt_exec_fn exec;
	struct rmt_pipeline_stats stats;
};

/* What helpers see of the run in progress (run->user). */
struct rmt_hook_exec {
	struct rmt_pipeline *p;
	const u8 *ctx; /* the filtered copy */
	struct rmt_decision *d;
};

#endif /* RMT_VM_PIPELINE_IMPL_H */
