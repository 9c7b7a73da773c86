// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hook_env.c - rmt_verify_env_from_hook (see hook_env.h): the context
 * policy from the hook's fields, the helper types from helpers.h.
 */
#include "verifier/hook_env.h"
#include "vm/pipeline.h"

/* Argument types, flags and element sizes of the helpers of helpers.h. */
static const struct rmt_verify_helper rmt_vhook_helper_types[] = {
	{ .id = RMT_HELPER_EMIT,
	  .args = { RMT_VA_SCALAR, RMT_VA_SCALAR },
	  .flags = RMT_VH_EXPORT },
	{ .id = RMT_HELPER_MODEL,
	  .args = { RMT_VA_SCALAR, RMT_VA_MEM_RO, RMT_VA_SIZE },
	  .flags = RMT_VH_TAINT_RET,
	  .max_size = RMT_MODEL_MAX_INPUTS,
	  .elem_size = sizeof(s32) },
	{ .id = RMT_HELPER_PREFETCH, .args = { RMT_VA_SCALAR, RMT_VA_SCALAR } },
	{ .id = RMT_HELPER_PLACE, .args = { RMT_VA_SCALAR, RMT_VA_SCALAR } },
	{ .id = RMT_HELPER_CLOCK },
	{ .id = RMT_HELPER_COUNT, .args = { RMT_VA_SCALAR, RMT_VA_SCALAR } },
};

/* Insert field f keeping out->fields sorted by start. */
static int rmt_vhook_add_field(struct rmt_verify_hook_env *out,
			       const struct rmt_ctx_field *f)
{
	struct rmt_verify_field *v = out->fields;
	u32 n = out->env.n_ctx_fields, k = n;

	if (n >= RMT_VERIFY_HOOK_FIELDS)
		return -EINVAL;
	while (k && v[k - 1].start > f->offset) {
		v[k] = v[k - 1];
		k--;
	}
	v[k].start = f->offset;
	v[k].len = (u32)f->size * f->count;
	v[k].name = f->name;
	v[k].flags = (f->flags & RMT_CTX_READ ? RMT_VF_READ : 0) |
		     (f->flags & RMT_CTX_EXPORT ? RMT_VF_EXPORT : 0);
	out->env.n_ctx_fields = n + 1;
	if ((k && v[k - 1].start + v[k - 1].len > v[k].start) ||
	    (k < n && v[k].start + v[k].len > v[k + 1].start))
		return -EINVAL;
	return 0;
}

int rmt_verify_env_from_hook(const struct rmt_hook_desc *h,
			     const struct rmt_verify_action *a,
			     struct rmt_verify_hook_env *out)
{
	const struct rmt_helper *impl;
	struct rmt_verify_env *env = &out->env;
	u32 i, n = 0;
	int err;

	memset(out, 0, sizeof(*out));
	env->hook = h->name;
	env->args[0] = RMT_VR_CTX;
	env->args[1] = a->param_len ? RMT_VR_PARAM : RMT_VR_SCALAR;
	env->args[2] = a->state_size ? RMT_VR_STATE : RMT_VR_SCALAR;
	env->args[3] = RMT_VR_FEAT;
	env->args[4] = RMT_VR_SCALAR;
	env->ctx_size = h->ctx_size;
	env->param_size = a->param_len;
	env->state_size = a->state_size;
	env->feat_size = RMT_META_WORDS * sizeof(u64);
	env->ctx_fields = out->fields;
	for (i = 0; i < h->n_fields; i++) {
		err = rmt_vhook_add_field(out, &h->fields[i]);
		if (err)
			return err;
	}
	for (i = 0; i < RMT_ARRAY_SIZE(rmt_vhook_helper_types); i++) {
		if (!(h->helper_mask & (1u << rmt_vhook_helper_types[i].id)))
			continue;
		impl = &rmt_helpers[rmt_vhook_helper_types[i].id - 1];
		out->helpers[n] = rmt_vhook_helper_types[i];
		out->helpers[n].name = impl->name;
		out->helpers[n].cost = impl->cost;
		n++;
	}
	env->helpers = out->helpers;
	env->n_helpers = n;
	env->cost_budget = h->budget;
	env->max_emits = a->max_emits;
	env->emit_rate = a->emit_rate;
	return 0;
}
