// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jit_exec.c - running JIT-compiled code, and the C routines compiled code
 * calls out to (region bounds, guards beyond the inline checks, callx),
 * all with the interpreter's rules.
 */
#include "vm/jit.h"
#include "vm/jit_ctx.h"

static u64 region_lim(const struct rmt_vm_region *r, u64 size, bool write)
{
	if (r->len < size || (write && !r->writable))
		return 0;
	return r->len - size + 1;
}

s64 rmt_jit_guard(struct rmt_jit_ctx *ctx, u64 addr, u32 flags)
{
	const struct rmt_vm_run *run = ctx->run;
	u64 size = flags & 0xff;
	bool write = flags & RMT_JIT_GUARD_WRITE;
	u32 i;

	if (addr - ctx->stack_lo <= RMT_VM_STACK_BYTES - size)
		return 0;
	for (i = 0; i < run->n_regions; i++) {
		const struct rmt_vm_region *r = &run->regions[i];

		if (addr - r->start < region_lim(r, size, write) &&
		    addr >= r->start)
			return 0;
	}
	return -EFAULT;
}

u64 rmt_jit_callx(struct rmt_jit_ctx *ctx, u64 r1, u64 r2, u64 r3, u64 r4,
		  u64 r5)
{
	const struct rmt_helper *h = NULL;

	if (!(ctx->callx_id >> 32))
		h = rmt_helper_find(ctx->prog->helpers, (u32)ctx->callx_id);
	if (!h) {
		ctx->err = -ENOENT;
		return 0;
	}
	return h->fn(ctx->run, r1, r2, r3, r4, r5);
}

void rmt_jit_set_regions(struct rmt_jit_ctx *ctx)
{
	const struct rmt_vm_run *run = ctx->run;
	const struct rmt_vm_region *reg;
	u32 r, i;

	ctx->stack_lo = (u64)(uintptr_t)run->stack;
	for (r = 0; r < RMT_JIT_INLINE_REGIONS; r++) {
		if (r >= run->n_regions) {
			ctx->reg_start[r] = 0;
			memset(ctx->reg_lim[r], 0, sizeof(ctx->reg_lim[r]));
			continue;
		}
		reg = &run->regions[r];
		ctx->reg_start[r] = reg->start;
		for (i = 0; i < 4; i++) {
			ctx->reg_lim[r][0][i] = region_lim(reg, 1u << i, false);
			ctx->reg_lim[r][1][i] = region_lim(reg, 1u << i, true);
		}
	}
}

static int not_runnable(bool compiled, struct rmt_vm_run *run)
{
	run->r0 = 0;
	run->executed = 0;
	run->error_pc = 0;
	return compiled ? -EINVAL : -ENOEXEC;
}

/*
 * The compiled code sets up its context and writes the results itself
 * (jit.c): what is left here is what no compilation can know.
 */
int rmt_jit_exec(const struct rmt_prog *prog, struct rmt_vm_run *run)
{
	const struct rmt_jit_image *img = prog->jit;

	if (rmt_unlikely(!img || !run->stack))
		return not_runnable(img, run);
	return ((rmt_jit_fn)(uintptr_t)(img + 1))(prog, run);
}

int rmt_jit_exec_once(const struct rmt_prog *prog, struct rmt_vm_run *run)
{
	struct rmt_prog copy = *prog;
	int err;

	copy.jit = NULL;
	copy.jit_size = 0;
	err = rmt_jit_compile(&copy, NULL, 0);
	if (err) {
		run->r0 = 0;
		run->executed = 0;
		run->error_pc = 0;
		return err;
	}
	err = rmt_jit_exec(&copy, run);
	rmt_jit_free(&copy);
	return err;
}
