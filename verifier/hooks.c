// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hooks.c - the built-in hook descriptions (see hooks.h).
 */
#include <string.h>

#include "verifier/hooks.h"

#define R RMT_VF_READ
#define E RMT_VF_EXPORT

/* struct rmt_msg_fault (proto/msg.h) as the swap-in fault's context. */
static const struct rmt_verify_field rmt_test_fault_fields[] = {
	{ 0, 8, R | E, "addr" },	{ 8, 8, R | E, "vma_start" },
	{ 16, 8, R | E, "vma_end" },	{ 24, 8, R | E, "time_ns" },
	{ 32, 8, R, "cgroup_id" },	{ 40, 4, R, "pid" },
	{ 44, 4, R, "tgid" },		{ 48, 4, R | E, "cpu" },
	{ 52, 2, R | E, "hook_id" },	{ 54, 1, R | E, "flags" },
	{ 56, 4, R | E, "latency_ns" },
};

static const struct rmt_verify_helper rmt_test_fault_helpers[] = {
	{ .id = RMT_VH_EMIT_VALUE,
	  .name = "emit_value",
	  .args = { RMT_VA_SCALAR },
	  .flags = RMT_VH_EXPORT,
	  .cost = 20 },
	{ .id = RMT_VH_EMIT,
	  .name = "emit",
	  .args = { RMT_VA_MEM_RO, RMT_VA_SIZE },
	  .flags = RMT_VH_EXPORT,
	  .cost = 40,
	  .max_size = 64 },
	{ .id = RMT_VH_LOOKUP,
	  .name = "lookup",
	  .args = { RMT_VA_SCALAR },
	  .ret = RMT_VRET_MEM_OR_NULL,
	  .cost = 30,
	  .ret_size = RMT_VHOOK_LOOKUP_SIZE },
	{ .id = RMT_VH_KTIME, .name = "ktime", .cost = 5 },
	{ .id = RMT_VH_MODEL,
	  .name = "model",
	  .args = { RMT_VA_SCALAR, RMT_VA_MEM_RO, RMT_VA_SIZE },
	  .flags = RMT_VH_TAINT_RET,
	  .cost = 400,
	  .max_size = 256,
	  .ret_max = 255 },
	{ .id = RMT_VH_PREFETCH,
	  .name = "prefetch",
	  .args = { RMT_VA_SCALAR, RMT_VA_SCALAR },
	  .cost = 20 },
};

static const struct rmt_verify_field rmt_packet_fields[] = {
	{ 0, 68, R | E, "packet" },
};

static const struct rmt_verify_helper rmt_example_helpers[] = {
	{ .id = RMT_VH_EMIT_VALUE,
	  .name = "emit",
	  .args = { RMT_VA_SCALAR },
	  .flags = RMT_VH_EXPORT,
	  .cost = 20 },
};

static const struct rmt_verify_env rmt_vhooks[] = {
	{ .hook = "test_fault",
	  .args = { RMT_VR_CTX, RMT_VR_PARAM, RMT_VR_STATE, RMT_VR_FEAT },
	  .ctx_size = 64,
	  .ctx_fields = rmt_test_fault_fields,
	  .n_ctx_fields = RMT_ARRAY_SIZE(rmt_test_fault_fields),
	  .param_size = 32,
	  .state_size = 64,
	  .feat_size = 64,
	  .helpers = rmt_test_fault_helpers,
	  .n_helpers = RMT_ARRAY_SIZE(rmt_test_fault_helpers),
	  .cost_budget = 2000,
	  .max_insns = 4096,
	  .max_emits = 4,
	  .emit_rate = 10000 },
	/* examples/ stride and majority: a history window as entry state */
	{ .hook = "example_history",
	  .args = { RMT_VR_STATE },
	  .state_size = 80,
	  .helpers = rmt_example_helpers,
	  .n_helpers = RMT_ARRAY_SIZE(rmt_example_helpers),
	  .cost_budget = 5000,
	  .max_emits = 1,
	  .emit_rate = 1000 },
	/* examples/ checksum: a packet as read-only context */
	{ .hook = "example_packet",
	  .args = { RMT_VR_CTX },
	  .ctx_size = 68,
	  .ctx_fields = rmt_packet_fields,
	  .n_ctx_fields = RMT_ARRAY_SIZE(rmt_packet_fields),
	  .cost_budget = 5000 },
};

const struct rmt_verify_env *rmt_vhook_find(const char *name)
{
	size_t i;

	for (i = 0; i < RMT_ARRAY_SIZE(rmt_vhooks); i++)
		if (!strcmp(rmt_vhooks[i].hook, name))
			return &rmt_vhooks[i];
	return NULL;
}

const char *const *rmt_vhook_names(void)
{
	static const char *names[RMT_ARRAY_SIZE(rmt_vhooks) + 1];
	size_t i;

	for (i = 0; i < RMT_ARRAY_SIZE(rmt_vhooks); i++)
		names[i] = rmt_vhooks[i].hook;
	return names;
}

static u64 rmt_vhook_nop(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d,
			 u64 e)
{
	return 0;
}

const struct rmt_helper_set *rmt_vhook_helpers(void)
{
	static struct rmt_helper helpers[RMT_VH_COUNT_IDS - 1];
	static struct rmt_helper_set set = { helpers, RMT_ARRAY_SIZE(helpers) };
	u32 i;

	for (i = 0; i < RMT_ARRAY_SIZE(helpers); i++) {
		helpers[i].id = i + 1;
		helpers[i].cost = 1;
		helpers[i].fn = rmt_vhook_nop;
		helpers[i].name = "stub";
	}
	return &set;
}
