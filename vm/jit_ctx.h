/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jit_ctx.h - the per-run state that compiled code keeps in its own
 * native frame and reaches through r12, and the C routines it calls out
 * to.  The compiler (jit.c) addresses the fields by offsetof; the
 * prologue fills in only those the program reads.
 */
#ifndef RMT_VM_JIT_CTX_H
#define RMT_VM_JIT_CTX_H

#include "vm/vm.h"

/* flags of a guard call-out: access size in bytes, and a write bit */
#define RMT_JIT_GUARD_WRITE 0x100

/* Regions checked inline; the rest (rarely any) by rmt_jit_guard. */
#define RMT_JIT_INLINE_REGIONS 2

struct rmt_jit_ctx {
	struct rmt_vm_run *run;
	const struct rmt_prog *prog;
	u64 saved_rsp; /* after the prologue, kept with local calls only */
	u64 budget; /* r9 spilled across helper calls */
	u64 start_budget; /* what the run may execute: run->budget or default */
	u64 stack_lo;
	u64 callx_id;
	/*
	 * The first regions, checked inline: an access of 1 << s bytes at
	 * offset o from reg_start[r] is inside when o < reg_lim[r][write][s].
	 */
	u64 reg_start[RMT_JIT_INLINE_REGIONS];
	u64 reg_lim[RMT_JIT_INLINE_REGIONS][2][4];
	u32 depth; /* local calls in progress */
	s32 err; /* set by rmt_jit_callx */
};

/*
 * Compiled code has rmt_jit_exec's signature and contract, once the
 * image and run->stack are known to be there.
 */
typedef int (*rmt_jit_fn)(const struct rmt_prog *prog, struct rmt_vm_run *run);

/* prog->jit: this header, then the code. */
struct rmt_jit_image {
	u64 reserved[8]; /* the code starts on a cache line (jit_labels.c) */
};

/*
 * ctx->stack_lo and the bounds of the regions checked inline, from
 * ctx->run: called by the prologue of code with guards.
 */
void rmt_jit_set_regions(struct rmt_jit_ctx *ctx);

/* 0 when the access is allowed, else the error. */
s64 rmt_jit_guard(struct rmt_jit_ctx *ctx, u64 addr, u32 flags);

/* callx: the helper whose id is ctx->callx_id, or ctx->err = -ENOENT. */
u64 rmt_jit_callx(struct rmt_jit_ctx *ctx, u64 r1, u64 r2, u64 r3, u64 r4,
		  u64 r5);

#endif /* RMT_VM_JIT_CTX_H */
