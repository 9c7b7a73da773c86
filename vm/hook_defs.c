// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hook_defs.c - the hooks rmt defines, their context fields and policies.
 * Kernel pointers never appear in a context; identifiers of tasks are
 * opaque numbers.
 */
#include "vm/hook.h"
#include "vm/helpers.h"

#define F(st, name, id, flags)                                 \
	{                                                      \
#name, id, (u16) __builtin_offsetof(st, name), \
			(u16)sizeof(((st *)0)->name), 1, flags \
	}
#define A(st, name, id, flags)                                 \
	{                                                      \
#name, id, (u16) __builtin_offsetof(st, name), \
			(u16)sizeof(((st *)0)->name[0]),       \
			(u16)(sizeof(((st *)0)->name) /        \
			      sizeof(((st *)0)->name[0])),     \
			flags                                  \
	}

#define RE (RMT_CTX_READ | RMT_CTX_EXPORT)
#define R RMT_CTX_READ

static const struct rmt_ctx_field swap_fault_fields[] = {
	F(struct rmt_ctx_swap_fault, addr, 1, RE),
	F(struct rmt_ctx_swap_fault, vma_start, 2, RE),
	F(struct rmt_ctx_swap_fault, vma_end, 3, RE),
	F(struct rmt_ctx_swap_fault, time_ns, 4, RE),
	F(struct rmt_ctx_swap_fault, cgroup_id, 5, RE),
	/* Process ids stay in the kernel: keys, but never exported. */
	F(struct rmt_ctx_swap_fault, pid, 6, R),
	F(struct rmt_ctx_swap_fault, tgid, 7, R),
	F(struct rmt_ctx_swap_fault, cpu, 8, RE),
	F(struct rmt_ctx_swap_fault, flags, 9, RE),
	F(struct rmt_ctx_swap_fault, n_deltas, 10, RE),
	A(struct rmt_ctx_swap_fault, deltas, 11, RE | RMT_CTX_SIGNED),
	F(struct rmt_ctx_swap_fault, s_id, 12, RE),
	F(struct rmt_ctx_swap_fault, s_new, 13, RE),
	F(struct rmt_ctx_swap_fault, s_n, 14, RE),
	F(struct rmt_ctx_swap_fault, s_repeat, 15, RE),
	A(struct rmt_ctx_swap_fault, s_deltas, 16, RE | RMT_CTX_SIGNED),
	F(struct rmt_ctx_swap_fault, s_mode, 17, RE | RMT_CTX_SIGNED),
	F(struct rmt_ctx_swap_fault, s_mode_count, 18, RE),
	F(struct rmt_ctx_swap_fault, s_d0_count, 19, RE),
	F(struct rmt_ctx_swap_fault, s_region_log2, 20, RE),
	F(struct rmt_ctx_swap_fault, s_run, 21, RE),
	F(struct rmt_ctx_swap_fault, s_ahead, 22, RE),
	F(struct rmt_ctx_swap_fault, s_step, 23, RE | RMT_CTX_SIGNED),
	F(struct rmt_ctx_swap_fault, s_hits, 24, RE),
	F(struct rmt_ctx_swap_fault, s_issued, 25, RE),
	F(struct rmt_ctx_swap_fault, s_right, 26, RE),
	F(struct rmt_ctx_swap_fault, s_wrong, 27, RE),
	F(struct rmt_ctx_swap_fault, s_refuted, 28, RE),
};

static const struct rmt_ctx_field sched_wakeup_fields[] = {
	/* An opaque task handle for the datapath, hidden from actions. */
	F(struct rmt_ctx_sched_wakeup, task, 1, 0),
	F(struct rmt_ctx_sched_wakeup, time_ns, 2, RE),
	F(struct rmt_ctx_sched_wakeup, cgroup_id, 3, RE),
	F(struct rmt_ctx_sched_wakeup, pid, 4, R),
	F(struct rmt_ctx_sched_wakeup, prev_cpu, 5, RE),
	F(struct rmt_ctx_sched_wakeup, this_cpu, 6, RE),
	F(struct rmt_ctx_sched_wakeup, n_candidates, 7, RE),
	A(struct rmt_ctx_sched_wakeup, candidates, 8, RE),
	A(struct rmt_ctx_sched_wakeup, load, 9, RE),
	F(struct rmt_ctx_sched_wakeup, task_util, 10, RE),
	F(struct rmt_ctx_sched_wakeup, wakee_flips, 11, RE),
};

static const struct rmt_ctx_field mem_place_fields[] = {
	F(struct rmt_ctx_mem_place, region, 1, RE),
	F(struct rmt_ctx_mem_place, size, 2, RE),
	F(struct rmt_ctx_mem_place, time_ns, 3, RE),
	F(struct rmt_ctx_mem_place, cgroup_id, 4, RE),
	F(struct rmt_ctx_mem_place, pid, 5, R),
	F(struct rmt_ctx_mem_place, current_node, 6, RE),
	F(struct rmt_ctx_mem_place, n_nodes, 7, RE),
	A(struct rmt_ctx_mem_place, accesses, 8, RE),
};

#define ALL_BUT(x) (RMT_HELPERS_ALL & ~(1u << (x)))

/*
 * Budgets are in the ISA table's cost units.  swap_fault's covers Leap's
 * worst case (FindTrend voting over windows of 8, 16 and 32 deltas, then
 * eight prefetches: 4313 units as the verifier proves it) with room for
 * a model call; a swap-in that waits for a device costs far more.
 */
static const struct rmt_hook_desc rmt_hooks[] = {
	{ "swap_fault", RMT_HOOK_SWAP_FAULT, sizeof(struct rmt_ctx_swap_fault),
	  swap_fault_fields, RMT_ARRAY_SIZE(swap_fault_fields), 8192,
	  ALL_BUT(RMT_HELPER_PLACE), 2, 3 },
	{ "sched_wakeup", RMT_HOOK_SCHED_WAKEUP,
	  sizeof(struct rmt_ctx_sched_wakeup), sched_wakeup_fields,
	  RMT_ARRAY_SIZE(sched_wakeup_fields), 2048,
	  ALL_BUT(RMT_HELPER_PREFETCH), 0, 0 },
	{ "mem_place", RMT_HOOK_MEM_PLACE, sizeof(struct rmt_ctx_mem_place),
	  mem_place_fields, RMT_ARRAY_SIZE(mem_place_fields), 4096,
	  ALL_BUT(RMT_HELPER_PREFETCH), 0, 0 },
};

static bool rmt_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const struct rmt_hook_desc *rmt_hook_find(const char *name)
{
	u32 i;

	for (i = 0; i < RMT_ARRAY_SIZE(rmt_hooks); i++)
		if (rmt_streq(rmt_hooks[i].name, name))
			return &rmt_hooks[i];
	return NULL;
}

const struct rmt_hook_desc *rmt_hook_by_id(u32 id)
{
	u32 i;

	for (i = 0; i < RMT_ARRAY_SIZE(rmt_hooks); i++)
		if (rmt_hooks[i].id == id)
			return &rmt_hooks[i];
	return NULL;
}

const struct rmt_ctx_field *rmt_hook_field(const struct rmt_hook_desc *h,
					   u32 id)
{
	u32 i;

	for (i = 0; i < h->n_fields; i++)
		if (h->fields[i].id == id)
			return &h->fields[i];
	return NULL;
}

const struct rmt_ctx_field *
rmt_hook_field_by_name(const struct rmt_hook_desc *h, const char *name)
{
	u32 i;

	for (i = 0; i < h->n_fields; i++)
		if (rmt_streq(h->fields[i].name, name))
			return &h->fields[i];
	return NULL;
}
