/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * verifier.h - what the verifier admits.  A hook describes itself in a
 * struct rmt_verify_env (its context layout and privacy policy, the memory
 * an action gets, the helpers it may call with their argument types and
 * costs, its cost budget and emit limit); rmt_verify_prog() proves a loaded
 * program safe, bounded and within that policy, or names the instruction
 * and the reason in the log.  Freestanding: it runs in the kernel module.
 * docs/verifier.md describes the checks and the accepted loop forms.
 */
#ifndef RMT_VERIFIER_VERIFIER_H
#define RMT_VERIFIER_VERIFIER_H

#include "vm/vm.h"

/* What an argument register holds at entry, or what a pointer points to. */
enum rmt_vregion {
	RMT_VR_NONE = 0, /* nothing: reading the register is an error */
	RMT_VR_SCALAR, /* a number */
	RMT_VR_CTX, /* the hook's context: read-only, per-field policy */
	RMT_VR_PARAM, /* the matched entry's action parameters: read-only */
	RMT_VR_STATE, /* the entry's per-entry state: read-write */
	RMT_VR_FEAT, /* the feature buffer handed to models: read-write */
	RMT_VR_COUNT,
};

/* Context field policy (struct rmt_verify_field.flags). */
#define RMT_VF_READ (1u << 0) /* the program may load these bytes */
#define RMT_VF_EXPORT (1u << 1) /* their values may reach the ring */

/* A byte range of the context and what the program may do with it. */
struct rmt_verify_field {
	u32 start;
	u32 len;
	u32 flags;
	const char *name;
};

/* Helper argument types. */
enum rmt_varg {
	RMT_VA_NONE = 0, /* unused: not read */
	RMT_VA_SCALAR, /* any initialised number */
	RMT_VA_MEM_RO, /* pointer to readable memory; size in the next arg */
	RMT_VA_MEM_RW, /* pointer to writable memory; size in the next arg */
	/* size of the previous MEM arg: 1..max_size elements of elem_size */
	RMT_VA_SIZE,
};

/* Helper return types. */
enum rmt_vret {
	RMT_VRET_SCALAR = 0, /* a number in [ret_min, ret_max] (0, 0: any) */
	RMT_VRET_MEM_OR_NULL, /* NULL or ret_size writable bytes */
};

/* Helper flags. */
#define RMT_VH_EXPORT (1u << 0) /* its arguments' data reach the ring */
#define RMT_VH_TAINT_RET (1u << 1) /* r0 derives from its memory arguments */

struct rmt_verify_helper {
	u32 id; /* as in `call id` */
	const char *name;
	u8 args[5]; /* enum rmt_varg, r1..r5 */
	u8 ret; /* enum rmt_vret */
	u32 flags;
	u32 cost; /* worst case, instruction units (a model: its bound) */
	u32 max_size; /* largest RMT_VA_SIZE accepted (0: no limit) */
	u32 elem_size; /* bytes per RMT_VA_SIZE unit (0: 1) */
	u32 ret_size;
	u64 ret_min, ret_max;
};

struct rmt_verify_env {
	const char *hook; /* for messages: "swap_fault" */
	u8 args[5]; /* enum rmt_vregion held by r1..r5 at entry */
	u32 ctx_size;
	const struct rmt_verify_field *ctx_fields; /* sorted, disjoint */
	u32 n_ctx_fields;
	u32 param_size;
	u32 state_size;
	u32 feat_size;
	const struct rmt_verify_helper *helpers;
	u32 n_helpers;
	u64 cost_budget; /* instruction units; 0: RMT_VERIFY_DEFAULT_BUDGET */
	u32 max_insns; /* 0: RMT_VERIFY_DEFAULT_MAX_INSNS */
	u32 max_emits; /* exporting calls per run along any path */
	u32 emit_rate; /* records per second the datapath enforces */
};

#define RMT_VERIFY_DEFAULT_BUDGET 100000u
#define RMT_VERIFY_DEFAULT_MAX_INSNS 8192u
/* Back-edges one path may take before a loop counts as unbounded. */
#define RMT_VERIFY_MAX_ITERS 4096u
/* Instructions the analysis may process before giving up. */
#define RMT_VERIFY_MAX_STEPS 1000000u
/* Bytes of saved states (pending branches and pruning points). */
#define RMT_VERIFY_MAX_MEM (32u << 20)

/* What an accepted program was proven to need. */
struct rmt_verify_stats {
	u64 cost; /* worst-case cost over every path */
	u32 max_emits; /* most exporting calls on one path */
	u32 stack_depth; /* deepest stack byte used, entry frame */
	u32 max_call_depth; /* frames, the entry frame included */
	u32 steps; /* instructions the analysis processed */
	u32 states; /* states saved for pruning */
};

/*
 * Check prog (loaded with rmt_prog_load) for env.  Returns 0 when it is
 * admitted, -EINVAL (-E2BIG for size, cost or complexity, -EACCES for a
 * policy violation, -ENOMEM) otherwise with "insn N: reason" in log.  The
 * caller marks an admitted program verified.  stats may be NULL.
 */
int rmt_verify_prog_stats(const struct rmt_prog *prog,
			  const struct rmt_verify_env *env,
			  struct rmt_verify_stats *stats, char *log,
			  size_t log_size);

static inline int rmt_verify_prog(const struct rmt_prog *prog,
				  const struct rmt_verify_env *env, char *log,
				  size_t log_size)
{
	return rmt_verify_prog_stats(prog, env, NULL, log, log_size);
}

#endif /* RMT_VERIFIER_VERIFIER_H */
