/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hook.h - hooks: named decision points with a context layout (each field
 * with an id, offset, size, signedness and a policy: readable by actions,
 * exportable to the ring), the helpers their actions may call and a cost
 * budget.  Defines the contexts of swap_fault, sched_wakeup and mem_place.
 */
#ifndef RMT_VM_HOOK_H
#define RMT_VM_HOOK_H

#include "port/rmt_port.h"

/* struct rmt_ctx_field.flags */
#define RMT_CTX_READ 0x1u /* actions may read it and tables key on it */
#define RMT_CTX_EXPORT 0x2u /* may be emitted to the ring */
#define RMT_CTX_SIGNED 0x4u

struct rmt_ctx_field {
	const char *name;
	u16 id;
	u16 offset;
	u16 size; /* bytes of one element: 1, 2, 4 or 8 */
	u16 count; /* elements; 1 for a scalar (only scalars are keys) */
	u32 flags;
};

enum rmt_hook_id {
	RMT_HOOK_SWAP_FAULT = 1,
	RMT_HOOK_SCHED_WAKEUP = 2,
	RMT_HOOK_MEM_PLACE = 3,
};

struct rmt_hook_desc {
	const char *name;
	u16 id;
	u32 ctx_size;
	const struct rmt_ctx_field *fields;
	u32 n_fields;
	u64 budget; /* instructions a whole pipeline run may execute */
	u32 helper_mask; /* bit n: helper id n allowed */
	/* Prefetch requests must fall in [ctx[lo], ctx[hi]); 0: unchecked. */
	u16 prefetch_lo;
	u16 prefetch_hi;
};

#define RMT_PAGE_SHIFT 12
#define RMT_SWAP_HISTORY 16
#define RMT_STREAM_HISTORY 8

/*
 * A swap-in fault, or an access to a swapped page served from memory
 * (flags: RMT_FAULT_* of proto/msg.h).  deltas[] are the faulting task's
 * last page deltas, newest first; n_deltas of them are valid.
 */
struct rmt_ctx_swap_fault {
	u64 addr; /* page address: must stay at offset 0 */
	u64 vma_start;
	u64 vma_end;
	u64 time_ns;
	u64 cgroup_id;
	u32 pid;
	u32 tgid;
	u32 cpu;
	u32 flags;
	u32 n_deltas;
	u32 reserved;
	s64 deltas[RMT_SWAP_HISTORY];
	/*
	 * The fault's stream (vm/stream.h: faults close together within one
	 * region), filled by rmt_stream_fill() before the pipeline runs.
	 * s_deltas[] include this fault's own delta, newest first.
	 */
	u32 s_id; /* stream slot */
	u32 s_new; /* 1: this fault started the stream */
	u32 s_n; /* valid s_deltas */
	u32 s_repeat; /* deltas right before s_deltas[0] equal to it */
	s64 s_deltas[RMT_STREAM_HISTORY];
	s64 s_mode; /* the most frequent of s_deltas (ties: newest) */
	u32 s_mode_count;
	u32 s_d0_count; /* how many of s_deltas equal s_deltas[0] */
	u32 s_region_log2; /* log2 of the region's size in pages */
	u32 s_run; /* next-page predictions right in a row */
	u64 s_ahead; /* furthest page address asked for along s_step */
	s64 s_step; /* the step the stream's lookahead follows, 0: none */
	u32 s_hits; /* recent prefetch hits of the stream */
	u32 s_issued; /* recent pages the stream asked for */
	u32 s_right; /* recent next-page predictions that came true */
	u32 s_wrong;
	u32 s_refuted; /* "nothing near comes next" refuted in a row */
};

_Static_assert(sizeof(struct rmt_ctx_swap_fault) < 4096, "small context");
_Static_assert(__builtin_offsetof(struct rmt_ctx_swap_fault, addr) == 0,
	       "page address at offset 0");
/* programs/learned.rmt reads the stream fields at these offsets. */
_Static_assert(
	__builtin_offsetof(struct rmt_ctx_swap_fault, s_id) == 192 &&
		__builtin_offsetof(struct rmt_ctx_swap_fault, s_deltas) ==
			208 &&
		__builtin_offsetof(struct rmt_ctx_swap_fault, s_mode) == 272 &&
		__builtin_offsetof(struct rmt_ctx_swap_fault, s_wrong) == 324 &&
		__builtin_offsetof(struct rmt_ctx_swap_fault, s_refuted) == 328,
	"swap_fault stream fields are ABI");

#define RMT_SCHED_MAX_CPUS 16

/* A task wakes up: where should it run? */
struct rmt_ctx_sched_wakeup {
	u64 task; /* opaque task id, not a kernel pointer */
	u64 time_ns;
	u64 cgroup_id;
	u32 pid;
	u32 prev_cpu;
	u32 this_cpu;
	u32 n_candidates;
	u32 candidates[RMT_SCHED_MAX_CPUS];
	u32 load[RMT_SCHED_MAX_CPUS]; /* runnable load per candidate */
	u32 task_util; /* the task's recent utilisation */
	u32 wakee_flips;
};

#define RMT_PLACE_MAX_NODES 8

/* Where should a memory region live (DRAM tiers, GPU, SmartNIC)? */
struct rmt_ctx_mem_place {
	u64 region;
	u64 size;
	u64 time_ns;
	u64 cgroup_id;
	u32 pid;
	u32 current_node;
	u32 n_nodes;
	u32 reserved;
	u64 accesses[RMT_PLACE_MAX_NODES]; /* per memory node or device */
};

const struct rmt_hook_desc *rmt_hook_find(const char *name);
const struct rmt_hook_desc *rmt_hook_by_id(u32 id);
const struct rmt_ctx_field *rmt_hook_field(const struct rmt_hook_desc *h,
					   u32 id);
const struct rmt_ctx_field *
rmt_hook_field_by_name(const struct rmt_hook_desc *h, const char *name);

/* Metadata words passed from stage to stage, keyable as fields too. */
#define RMT_META_WORDS 8
#define RMT_META_FIELD(i) (0x100u + (i))

#endif /* RMT_VM_HOOK_H */
