/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hook_env.h - the verifier's description of a datapath hook (vm/hook.h,
 * vm/helpers.h, vm/pipeline.h) for one action: r1 the context (the hook's
 * fields and policy), r2 the entry's parameters, r3 its per-entry state
 * (absent for a default action), r4 the metadata words, r5 the parameter
 * length; the hook's helpers with their argument types and costs, its
 * budget.  Freestanding.
 */
#ifndef RMT_VERIFIER_HOOK_ENV_H
#define RMT_VERIFIER_HOOK_ENV_H

#include "verifier/verifier.h"
#include "vm/helpers.h"
#include "vm/hook.h"

#define RMT_VERIFY_HOOK_FIELDS 32u

/* env and the arrays it points into. */
struct rmt_verify_hook_env {
	struct rmt_verify_env env;
	struct rmt_verify_field fields[RMT_VERIFY_HOOK_FIELDS];
	struct rmt_verify_helper helpers[RMT_HELPER_MAX];
};

/* What the action is installed with. */
struct rmt_verify_action {
	u32 param_len; /* bytes of parameters its entries carry */
	u32 state_size; /* per-entry state bytes; 0: none (default action) */
	u32 max_emits; /* emit calls per run the hook's policy allows */
	u32 emit_rate; /* records per second the datapath enforces */
};

/*
 * Fill out for actions of hook h.  Returns 0, or -EINVAL when the hook
 * has more fields than RMT_VERIFY_HOOK_FIELDS or overlapping fields.
 */
int rmt_verify_env_from_hook(const struct rmt_hook_desc *h,
			     const struct rmt_verify_action *a,
			     struct rmt_verify_hook_env *out);

#endif /* RMT_VERIFIER_HOOK_ENV_H */
