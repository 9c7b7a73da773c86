/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pipeline.h - a hook's datapath: an ordered pipeline of match-action
 * tables with metadata passed from stage to stage, the actions (bytecode
 * programs) entries name, model slots, a ring for records and the hook's
 * counters.  Running it on a context returns the hook's decision.
 *
 * An action runs with r1 = context (read-only; fields the hook does not
 * let actions read are zero), r2 = the entry's parameters (read-only),
 * r3 = the entry's state (read-write, 0 for a default action), r4 = the
 * metadata words (read-write), r5 = the parameter length.  It returns
 * RMT_ACT_CONTINUE or RMT_ACT_STOP (skip the later stages).
 *
 * Control calls (create, add_*, set_*) are not safe against each other;
 * table updates are safe against concurrent runs (see table.h).
 */
#ifndef RMT_VM_PIPELINE_H
#define RMT_VM_PIPELINE_H

#include "proto/ring.h"
#include "vm/hook.h"
#include "vm/table.h"
#include "vm/vm.h"

#define RMT_PIPELINE_MAX_STAGES 8
#define RMT_PIPELINE_MAX_ACTIONS 32
#define RMT_MODEL_SLOTS 8
#define RMT_HOOK_COUNTERS 16
#define RMT_DECISION_MAX_PAGES 32
#define RMT_MODEL_MAX_INPUTS 64
#define RMT_NAME_LEN 32

#define RMT_ACT_CONTINUE 0
#define RMT_ACT_STOP 1

/* A model slot, filled by the datapath (mlib lives elsewhere). */
typedef int (*rmt_model_fn)(void *model, const s32 *in, u32 n_in, s32 *out);

struct rmt_model_slot {
	rmt_model_fn fn;
	void *model;
	u32 n_in;
};

/* pages[] past n_pages is not cleared between runs. */
struct rmt_decision {
	u32 n_pages;
	u32 refused_pages; /* requests past the bound or outside the range */
	u32 place_set;
	u32 place_node;
	u64 place_region;
	u32 stages_run;
	s32 error; /* first action fault, 0 if none */
	u64 executed; /* instructions */
	u64 pages[RMT_DECISION_MAX_PAGES];
};

/* Per-thread (per-CPU in the kernel) room a run needs: no allocation. */
struct rmt_hook_scratch {
	u64 stack[RMT_VM_STACK_BYTES / 8];
	u64 meta[RMT_META_WORDS];
	u64 ctx[64]; /* policy-filtered copy, when the hook hides fields */
};

struct rmt_pipeline_stats {
	u64 runs;
	u64 stops;
	u64 faults;
	u64 counters[RMT_HOOK_COUNTERS];
	u64 emitted;
	u64 emit_dropped;
};

struct rmt_pipeline;

int rmt_pipeline_create(const struct rmt_hook_desc *hook,
			struct rmt_pipeline **out);
void rmt_pipeline_destroy(struct rmt_pipeline *p);
const struct rmt_hook_desc *rmt_pipeline_hook(const struct rmt_pipeline *p);

/*
 * Add an action; its id is the order of addition (0, 1, ...), stored in
 * *id.  code may be NULL for an action that does nothing (NoAction).  The
 * code is loaded against the hook's helpers; errors go to log.
 */
int rmt_pipeline_add_action(struct rmt_pipeline *p, const char *name,
			    const struct rmt_insn *code, u32 n_insns,
			    u32 param_len, u32 *id, char *log, size_t log_size);
int rmt_pipeline_action_id(const struct rmt_pipeline *p, const char *name,
			   u32 *id);
const char *rmt_pipeline_action_name(const struct rmt_pipeline *p, u32 id);
u32 rmt_pipeline_n_actions(const struct rmt_pipeline *p);

/*
 * Append a stage.  cfg's key fields name context fields (scalars the hook
 * lets actions read) or metadata words (RMT_META_FIELD(i)); their widths
 * are filled in from the layout.  Its action ids and parameter lengths
 * must be the pipeline's.  The table is owned by the pipeline.
 */
int rmt_pipeline_add_stage(struct rmt_pipeline *p, const char *name,
			   struct rmt_table_config *cfg, struct rmt_table **out,
			   char *log, size_t log_size);
u32 rmt_pipeline_n_stages(const struct rmt_pipeline *p);
struct rmt_table *rmt_pipeline_stage(const struct rmt_pipeline *p, u32 i,
				     const char **name);
struct rmt_table *rmt_pipeline_find_stage(const struct rmt_pipeline *p,
					  const char *name);

int rmt_pipeline_set_model(struct rmt_pipeline *p, u32 slot,
			   const struct rmt_model_slot *m);
void rmt_pipeline_set_ring(struct rmt_pipeline *p, struct rmt_ring_prod *ring);
void rmt_pipeline_set_clock(struct rmt_pipeline *p, u64 (*clock)(void *),
			    void *arg);

/*
 * The engine that runs actions: rmt_vm_exec (the default, NULL) or one
 * with its signature and results, such as rmt_jit_exec in user space once
 * every action is compiled with rmt_jit_compile.
 */
typedef int (*rmt_exec_fn)(const struct rmt_prog *prog, struct rmt_vm_run *run);
void rmt_pipeline_set_exec(struct rmt_pipeline *p, rmt_exec_fn exec);

/*
 * Run the pipeline on ctx (ctx_len must be the hook's context size).
 * Returns 0, or the first action's fault (also in d->error; the run
 * stops there).  Call outside any table read section or inside: it nests.
 */
int rmt_pipeline_run(struct rmt_pipeline *p, const void *ctx, u32 ctx_len,
		     struct rmt_hook_scratch *scratch, struct rmt_decision *d);

void rmt_pipeline_get_stats(const struct rmt_pipeline *p,
			    struct rmt_pipeline_stats *s);

/*
 * Apply one RMT_MSG_TABLE_ENTRY record (proto/msg.h; table_id is the
 * stage index), staged; commit it too when commit is true.  Returns 0,
 * -EBADMSG for a malformed record, -EINVAL for another hook, -ENOENT for
 * no such table, or the table's refusal with its reason in *code.  A
 * datapath draining a burst of records stages them all and then calls
 * rmt_pipeline_commit() once: one compile per table, one atomic switch.
 */
int rmt_pipeline_apply_msg(struct rmt_pipeline *p, const void *payload, u32 len,
			   bool commit, enum rmt_table_code *code);
/* Commit every table's staged changes; stops at the first failure. */
int rmt_pipeline_commit(struct rmt_pipeline *p, enum rmt_table_code *code);

#endif /* RMT_VM_PIPELINE_H */
