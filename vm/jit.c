// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jit.c - translate a loaded eBPF program into x86-64 code.
 *
 * Registers as in the Linux x86-64 BPF JIT: r0 rax, r1 rdi, r2 rsi, r3 rdx,
 * r4 rcx, r5 r8, r6 rbx, r7 r13, r8 r14, r9 r15, r10 rbp.  r12 holds the
 * run context (struct rmt_jit_ctx) when the program needs one, r9 the
 * instructions left of the budget, r10 and r11 are scratch.
 *
 * Code layout: prologue, one block per instruction slot, shared exits,
 * then out-of-line stubs (guard call-outs, budget and error exits) so that
 * the straight path only carries a compare and a rarely taken branch.
 *
 * The budget is charged per segment (a basic block: it ends at a jump,
 * call or exit, or before a jump target) with one subtract and branch.
 * When the budget cannot pay for the whole segment, the segment's budget
 * stub refunds it and runs a copy of the segment that pays per
 * instruction, so the run stops exactly where the interpreter's would,
 * with every store and fault before that point; a fault inside a paid
 * segment refunds the instructions after it.  The result equals the
 * interpreter's per-instruction count.
 *
 * Jumps are sized by iteration: the first pass uses 32-bit
 * displacements, later passes shrink them with the offsets of the pass
 * before, until two passes agree.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm/jit.h"
#include "vm/jit_priv.h"

#define MAX_PASSES 16

/*
 * The host registers the code changes and must give back: r12 with a
 * context, and the ones behind eBPF registers the program names (r10 also
 * when it makes local calls, which move it).  Fewer pushes make short
 * programs cheaper to call.
 */
static bool uses_fp(const struct jit *j)
{
	return (j->used & (1u << RMT_REG_FP)) || j->has_calls;
}

static u32 saved_regs(const struct jit *j, u8 *regs)
{
	u32 n = 0, r;

	if (j->uses_ctx)
		regs[n++] = REG_CTX;
	if (uses_fp(j))
		regs[n++] = RMT_RBP;
	for (r = 6; r <= 9; r++)
		if (j->used & (1u << r))
			regs[n++] = rmt_jit_reg_map[r];
	if (j->cache_start >= 0)
		regs[n++] = (u8)j->cache_start;
	if (j->cache_lim >= 0)
		regs[n++] = (u8)j->cache_lim;
	return n;
}

/*
 * The context lives in the code's own frame, at r12 = rsp; with n pushes
 * and the return address before it, rsp stays 16-byte aligned.  Code
 * without a context calls no C and needs no frame.
 */
static s32 frame_size(const struct jit *j, u32 n)
{
	u32 size = (sizeof(struct rmt_jit_ctx) + 7) & ~7u;

	if (!j->uses_ctx)
		return 0;
	if ((size + 8 * (n + 1)) % 16)
		size += 8;
	return (s32)size;
}

/*
 * (prog, run) in rdi, rsi, as rmt_jit_exec.  The prologue sets up only
 * what this program reads: a short program costs little more than a
 * function call.
 */
static void emit_prologue(struct jit *j)
{
	static const u8 args[] = { RMT_RDI, RMT_RSI, RMT_RDX, RMT_RCX, RMT_R8 };
	struct rmt_x86 *e = &j->e;
	u8 regs[8];
	u32 i, n = saved_regs(j, regs);
	s32 frame = frame_size(j, n);
	int run = RMT_RSI; /* where the run is */

	for (i = 0; i < n; i++)
		rmt_x86_push(e, regs[i]);
	if (frame) {
		rmt_x86_alu_ri(e, RMT_X86_SUB, true, RMT_RSP, frame);
		rmt_x86_mov_rr(e, true, REG_CTX, RMT_RSP);
	}
	if (j->run_reg < 0 || j->uses_regions)
		rmt_x86_store(e, 8, REG_CTX, CTX(run), RMT_RSI);
	if (j->has_callx)
		rmt_x86_store(e, 8, REG_CTX, CTX(prog), RMT_RDI);
	/* a C call: before anything lives in caller-saved registers */
	if (j->uses_regions) {
		rmt_x86_mov_rr(e, true, RMT_RDI, REG_CTX);
		rmt_x86_mov_ri64(e, RMT_RAX,
				 (u64)(uintptr_t)rmt_jit_set_regions);
		rmt_x86_call_r(e, RMT_RAX);
		rmt_x86_load(e, 8, false, REG_AX, REG_CTX, CTX(run));
		run = REG_AX;
	}
	/* out of the way of the argument loads below */
	if (run != (j->run_reg >= 0 ? j->run_reg : REG_AX)) {
		rmt_x86_mov_rr(e, true, j->run_reg >= 0 ? j->run_reg : REG_AX,
			       run);
		run = j->run_reg >= 0 ? j->run_reg : REG_AX;
	}
	/* without a branch: callers leave the budget 0 as often as not */
	rmt_x86_load(e, 8, false, REG_BUDGET, run,
		     offsetof(struct rmt_vm_run, budget));
	rmt_x86_mov_ri(e, false, REG_AUX, RMT_VM_DEFAULT_BUDGET);
	rmt_x86_test_rr(e, true, REG_BUDGET, REG_BUDGET);
	rmt_x86_cmov_rr(e, RMT_CC_E, true, REG_BUDGET, REG_AUX);
	if (j->budget_reg >= 0)
		rmt_x86_mov_rr(e, true, j->budget_reg, REG_BUDGET);
	else
		rmt_x86_store(e, 8, REG_CTX, CTX(start_budget), REG_BUDGET);
	/*
	 * Only local calls leave frames of their own on the native stack at
	 * an exit; everything else is balanced where it can fault.
	 */
	if (j->has_calls) {
		rmt_x86_store(e, 8, REG_CTX, CTX(saved_rsp), RMT_RSP);
		rmt_x86_store_imm(e, 4, REG_CTX, CTX(depth), 0);
	}
	if (j->has_callx)
		rmt_x86_store_imm(e, 4, REG_CTX, CTX(err), 0);
	if (uses_fp(j)) {
		rmt_x86_load(e, 8, false, RMT_RBP, run,
			     offsetof(struct rmt_vm_run, stack));
		rmt_x86_alu_ri(e, RMT_X86_ADD, true, RMT_RBP,
			       RMT_VM_STACK_BYTES);
	}
	for (i = 0; i < 5; i++)
		if (j->used & (1u << (i + 1)))
			rmt_x86_load(e, 8, false, args[i], run,
				     (s32)(offsetof(struct rmt_vm_run, args) +
					   8 * i));
	if (j->cache_start >= 0)
		rmt_x86_load(e, 8, false, j->cache_start, REG_CTX,
			     CTX(reg_start[0]));
	if (j->cache_lim >= 0)
		rmt_x86_load(e, 8, false, j->cache_lim, REG_CTX,
			     CTX(reg_lim[0][j->cache_write][j->cache_lg]));
	/* registers start at zero, as in the interpreter */
	rmt_x86_alu_rr(e, RMT_X86_XOR, false, RMT_RAX, RMT_RAX);
	for (i = 6; i <= 9; i++)
		if (j->used & (1u << i))
			rmt_x86_alu_rr(e, RMT_X86_XOR, false,
				       rmt_jit_reg_map[i], rmt_jit_reg_map[i]);
}

/* The run into r10 if no register holds it; the register with it. */
static int emit_run(struct jit *j)
{
	if (j->run_reg >= 0)
		return j->run_reg;
	rmt_x86_load(&j->e, 8, false, REG_AX, REG_CTX, CTX(run));
	return REG_AX;
}

/* run->executed from the budget left in r9 */
static void emit_executed(struct jit *j, int run)
{
	struct rmt_x86 *e = &j->e;
	int start = j->budget_reg >= 0 ? j->budget_reg : RMT_RDX;

	if (j->budget_reg < 0)
		rmt_x86_load(e, 8, false, RMT_RDX, REG_CTX, CTX(start_budget));
	rmt_x86_alu_rr(e, RMT_X86_SUB, true, start, REG_BUDGET);
	rmt_x86_store(e, 8, run, offsetof(struct rmt_vm_run, executed), start);
}

/* The results go into the run here, not in C after the return. */
static void emit_exits(struct jit *j)
{
	struct rmt_x86 *e = &j->e;
	u8 regs[8];
	u32 n = saved_regs(j, regs);

	int run;

	rmt_jit_place(j, rmt_jit_label_fixed(j, L_EXIT));
	run = emit_run(j);
	rmt_x86_store(e, 8, run, offsetof(struct rmt_vm_run, r0), RMT_RAX);
	emit_executed(j, run);
	rmt_x86_store_imm(e, 4, run, offsetof(struct rmt_vm_run, error_pc), 0);
	rmt_x86_alu_rr(e, RMT_X86_XOR, false, RMT_RAX, RMT_RAX);
	rmt_jit_place(j, rmt_jit_label_fixed(j, L_RET));
	if (j->has_calls)
		rmt_x86_load(e, 8, false, RMT_RSP, REG_CTX, CTX(saved_rsp));
	if (frame_size(j, n))
		rmt_x86_alu_ri(e, RMT_X86_ADD, true, RMT_RSP, frame_size(j, n));
	while (n--)
		rmt_x86_pop(e, regs[n]);
	rmt_x86_ret(e);
	/* the interpreter's count: the whole budget */
	rmt_jit_place(j, rmt_jit_label_fixed(j, L_BUDGET_FAIL));
	rmt_x86_mov_ri(e, false, REG_AX, -E2BIG);
	rmt_x86_alu_rr(e, RMT_X86_XOR, false, REG_BUDGET, REG_BUDGET);
	rmt_jit_place(j, rmt_jit_label_fixed(j, L_ERR_EXIT));
	rmt_x86_mov_rr(e, false, RMT_RAX,
		       REG_AX); /* before r10 holds the run */
	run = emit_run(j);
	rmt_x86_store_imm(e, 8, run, offsetof(struct rmt_vm_run, r0), 0);
	emit_executed(j, run);
	rmt_x86_store(e, 4, run, offsetof(struct rmt_vm_run, error_pc),
		      REG_AUX);
	rmt_jit_jmp(j, rmt_jit_label_fixed(j, L_RET));
}

/* A local call's new frame: r6..r9 and r10 saved, r10 one frame down. */
static void emit_entries(struct jit *j)
{
	struct rmt_x86 *e = &j->e;
	u32 pc;

	for (pc = 0; pc < j->prog->len; pc++) {
		if (!(j->flags[pc] & F_CALL_TARGET))
			continue;
		rmt_jit_place(j, rmt_jit_label_entry(j, pc));
		rmt_x86_push(e, RMT_RBX);
		rmt_x86_push(e, RMT_R13);
		rmt_x86_push(e, RMT_R14);
		rmt_x86_push(e, RMT_R15);
		rmt_x86_push(e, RMT_RBP);
		rmt_x86_alu_ri(e, RMT_X86_SUB, true, RMT_RBP, RMT_STACK_SIZE);
		rmt_jit_jmp(j, rmt_jit_label_pc(pc));
	}
}

/*
 * The budget cannot pay for the whole segment: refund it and run a copy
 * that pays per instruction, so that the run stops exactly where the
 * interpreter's would, with every effect before that point done.
 */
static int emit_slow_segment(struct jit *j, const struct stub *s)
{
	u32 pc = s->pc, len = j->prog->len;
	int err = 0;

	rmt_x86_alu_ri(&j->e, RMT_X86_ADD, true, REG_BUDGET, s->arg);
	j->slow = true;
	do {
		if (!(j->flags[pc] & F_LDDW_HI))
			err = rmt_jit_emit_insn(j, pc);
		pc++;
	} while (!err && pc < len && !(j->flags[pc] & F_SEG_START));
	j->slow = false;
	if (!err && pc < len)
		rmt_jit_jmp(j, rmt_jit_label_pc(pc));
	return err;
}

static int emit_stub(struct jit *j, const struct stub *s)
{
	struct rmt_x86 *e = &j->e;

	rmt_jit_place(j, s->label);
	switch (s->kind) {
	case STUB_GUARD:
		rmt_jit_emit_guard_stub(j, s);
		break;
	case STUB_BUDGET:
		rmt_x86_mov_ri(e, false, REG_AUX, (s32)s->pc);
		rmt_jit_jmp(j, rmt_jit_label_fixed(j, L_BUDGET_FAIL));
		return 0;
	case STUB_SEG:
		return emit_slow_segment(j, s);
	case STUB_ERR:
		rmt_x86_mov_ri(e, false, REG_AX, s->arg);
		break;
	default: /* STUB_PC */
		rmt_x86_load(e, 4, false, REG_AX, REG_CTX, CTX(err));
		break;
	}
	if (s->refund)
		rmt_x86_alu_ri(e, RMT_X86_ADD, true, REG_BUDGET, s->refund);
	rmt_x86_mov_ri(e, false, REG_AUX, (s32)s->pc);
	rmt_jit_jmp(j, rmt_jit_label_fixed(j, L_ERR_EXIT));
	return 0;
}

/* Call-out to rmt_jit_guard with every eBPF register preserved. */
static void emit_guard_thunk(struct jit *j)
{
	static const u8 saved[] = { RMT_RAX, RMT_RCX, RMT_RDX, RMT_RSI,
				    RMT_RDI, RMT_R8,  RMT_R9,  RMT_R10 };
	struct rmt_x86 *e = &j->e;
	int i;

	rmt_jit_place(j, rmt_jit_label_fixed(j, L_GUARD_THUNK));
	for (i = 0; i < (int)sizeof(saved); i++)
		rmt_x86_push(e, saved[i]);
	rmt_x86_alu_ri(e, RMT_X86_SUB, true, RMT_RSP, 8);
	rmt_x86_mov_rr(e, true, RMT_RDI, REG_CTX);
	rmt_x86_mov_rr(e, true, RMT_RSI, REG_AX);
	rmt_x86_mov_rr(e, false, RMT_RDX, REG_AUX);
	rmt_x86_mov_ri64(e, RMT_RAX, (u64)(uintptr_t)rmt_jit_guard);
	rmt_x86_call_r(e, RMT_RAX);
	rmt_x86_mov_rr(e, true, REG_AUX, RMT_RAX);
	rmt_x86_alu_ri(e, RMT_X86_ADD, true, RMT_RSP, 8);
	for (i = sizeof(saved) - 1; i >= 0; i--)
		rmt_x86_pop(e, saved[i]);
	rmt_x86_ret(e);
}

static int emit_prog(struct jit *j)
{
	u32 pc, i;
	int err;

	j->pass++;
	j->e.len = 0;
	j->fuse_start = RMT_JIT_NO_FUSE;
	j->n_labels = 2 * j->prog->len + L_FIXED;
	j->n_stubs = 0;
	emit_prologue(j);
	for (pc = 0; pc < j->prog->len; pc++) {
		/*
		 * A loop starts on a 32-byte boundary: it then spans as few
		 * decoded-micro-op cache lines as it can (bench-vm's
		 * checksum loop: 20% faster), and the NOPs run once.
		 */
		if ((j->flags[pc] & F_LOOP_HEAD) && j->e.len % 32)
			rmt_x86_nops_at(&j->e, j->e.len, 32 - j->e.len % 32);
		rmt_jit_place(j, rmt_jit_label_pc(pc));
		if (j->flags[pc] & F_LDDW_HI)
			continue;
		err = rmt_jit_emit_insn(j, pc);
		if (err) {
			snprintf(j->log, j->log_size,
				 "insn %u: cannot compile opcode 0x%02x: %d",
				 pc, j->prog->insns[pc].code, err);
			return err;
		}
	}
	emit_exits(j); /* first: a last exit falls through to it */
	emit_entries(j);
	/* a slow segment adds stubs of its own: they come later */
	for (i = 0; i < j->n_stubs; i++) {
		err = emit_stub(j, &j->stubs[i]);
		if (err)
			return err;
	}
	if (j->uses_regions)
		emit_guard_thunk(j);
	return 0;
}

/* A load, store or atomic the code must check (unless verified). */
static bool needs_guard(const struct rmt_insn *in)
{
	u8 cls = RMT_CLASS(in->code);
	int size = 1 << rmt_jit_size_lg(in->code);

	if (cls == RMT_LDX)
		return !rmt_jit_static_stack_ok(rmt_insn_src(in), in->off,
						size);
	if (cls == RMT_ST || cls == RMT_STX)
		return !rmt_jit_static_stack_ok(rmt_insn_dst(in), in->off,
						size);
	return false;
}

/* Segments, call targets and the budget each segment charges. */
static void analyse(struct jit *j)
{
	const struct rmt_insn *insns = j->prog->insns;
	u32 len = j->prog->len;
	u32 pc, start = 0, after = 0;

	j->flags[0] |= F_SEG_START;
	for (pc = 0; pc < len; pc++) {
		const struct rmt_insn *in = &insns[pc];
		u8 cls = RMT_CLASS(in->code);
		u8 op = RMT_OP(in->code);

		if (j->flags[pc] & F_LDDW_HI)
			continue;
		j->used |=
			(u16)(1u << rmt_insn_dst(in) | 1u << rmt_insn_src(in));
		if (j->guards && needs_guard(in))
			j->uses_regions = true;
		/* helpers read r1..r5 without naming them */
		if ((cls == RMT_JMP || cls == RMT_JMP32) && op == RMT_CALL) {
			j->used |= 0x3e;
			j->has_callx |= RMT_SRC(in->code) == RMT_X;
		}
		if (cls == RMT_LD)
			j->flags[pc + 1] |= F_LDDW_HI;
		if (cls != RMT_JMP && cls != RMT_JMP32)
			continue;
		if (pc + 1 < len)
			j->flags[pc + 1] |= F_SEG_START;
		if (op == RMT_CALL && RMT_SRC(in->code) == RMT_K &&
		    rmt_insn_src(in) == RMT_CALL_LOCAL) {
			j->flags[pc + 1 + in->imm] |=
				F_CALL_TARGET | F_SEG_START;
			j->has_calls = true;
		} else if (op == RMT_JA && cls == RMT_JMP32) {
			j->flags[pc + 1 + in->imm] |= F_SEG_START;
			if (in->imm < 0)
				j->flags[pc + 1 + in->imm] |= F_LOOP_HEAD;
		} else if (op != RMT_CALL && op != RMT_EXIT) {
			j->flags[pc + 1 + in->off] |= F_SEG_START;
			if (in->off < 0)
				j->flags[pc + 1 + in->off] |= F_LOOP_HEAD;
		}
	}
	for (pc = 0; pc < len; pc++) {
		if (j->flags[pc] & F_SEG_START)
			start = pc;
		if (!(j->flags[pc] & F_LDDW_HI))
			j->seg_cost[start]++;
	}
	for (pc = len; pc-- > 0;) {
		if (j->flags[pc] & F_LDDW_HI)
			continue;
		j->seg_rest[pc] = after;
		after = j->flags[pc] & F_SEG_START ? 0 : after + 1;
	}
}

/*
 * Homes for the run and its budget among r1, r2 and r5 (r2 first: the run
 * arrives in its host register).  Helper calls name all five.
 */
static void choose_run_regs(struct jit *j)
{
	static const u8 spare[] = { 2, 1, 5 };
	u32 i;

	j->run_reg = -1;
	j->budget_reg = -1;
	for (i = 0; i < sizeof(spare); i++) {
		if (j->used & (1u << spare[i]))
			continue;
		if (j->run_reg < 0)
			j->run_reg = (s8)rmt_jit_reg_map[spare[i]];
		else if (j->budget_reg < 0)
			j->budget_reg = (s8)rmt_jit_reg_map[spare[i]];
	}
}

/*
 * Region 0's bounds in spare registers: count the guarded accesses that
 * try region 0 first (through any register but r10) by size and
 * direction, and give the commonest kind a register for its bound.
 */
static void choose_cache(struct jit *j)
{
	u32 count[8] = { 0 }, pc, best = 0;
	u8 spare[4];
	int n = 0, r;

	j->cache_start = -1;
	j->cache_lim = -1;
	if (!j->guards)
		return;
	for (pc = 0; pc < j->prog->len; pc++) {
		const struct rmt_insn *in = &j->prog->insns[pc];
		u8 cls = RMT_CLASS(in->code);
		int base;

		if (j->flags[pc] & F_LDDW_HI)
			continue;
		if (cls == RMT_LDX)
			base = rmt_insn_src(in);
		else if (cls == RMT_ST || cls == RMT_STX)
			base = rmt_insn_dst(in);
		else
			continue;
		if (base != RMT_REG_FP)
			count[(cls != RMT_LDX) * 4 +
			      rmt_jit_size_lg(in->code)]++;
	}
	for (r = 1; r < 8; r++)
		if (count[r] > count[best])
			best = (u32)r;
	for (r = 6; r <= 9; r++)
		if (!(j->used & (1u << r)))
			spare[n++] = rmt_jit_reg_map[r];
	if (!count[best] || !n)
		return;
	j->cache_start = (s8)spare[0];
	if (n > 1) {
		j->cache_lim = (s8)spare[1];
		j->cache_write = best >= 4;
		j->cache_lg = best & 3;
	}
}

static int run_pass(struct jit *j)
{
	int err = emit_prog(j);

	if (!err && j->e.len > 0x7fffffffu)
		err = -E2BIG;
	return err;
}

/* Pass until two agree on every label; then the sizes are final. */
static int converge(struct jit *j)
{
	u32 bytes = (u32)j->cap_labels * sizeof(u32);
	u32 i, last_len;
	int err;

	j->long_jumps = true;
	err = run_pass(j);
	for (i = 0; !err && i < MAX_PASSES; i++) {
		memcpy(j->prev, j->cur, bytes);
		last_len = j->e.len;
		j->long_jumps = false;
		err = run_pass(j);
		if (!err && j->e.len == last_len &&
		    !memcmp(j->prev, j->cur, bytes))
			return 0;
	}
	if (err)
		return err;
	/* no fixed point: 32-bit forward jumps, sized in one pass */
	j->long_jumps = true;
	err = run_pass(j);
	memcpy(j->prev, j->cur, bytes);
	return err;
}

static int jit_alloc(struct jit *j)
{
	u32 len = j->prog->len;

	/* an instruction may be emitted twice (its segment's slow copy) */
	j->cap_labels = 14 * len + L_FIXED + 16;
	j->cap_stubs = 8 * len + 16;
	j->prev = calloc(j->cap_labels, sizeof(u32));
	j->cur = calloc(j->cap_labels, sizeof(u32));
	j->seen = calloc(j->cap_labels, sizeof(u32));
	j->stubs = calloc(j->cap_stubs, sizeof(*j->stubs));
	j->flags = calloc(len + 1, 1);
	j->seg_cost = calloc(len, sizeof(u32));
	j->seg_rest = calloc(len, sizeof(u32));
	if (!j->prev || !j->cur || !j->seen || !j->stubs || !j->flags ||
	    !j->seg_cost || !j->seg_rest)
		return -ENOMEM;
	return 0;
}

static void jit_release(struct jit *j)
{
	free(j->prev);
	free(j->cur);
	free(j->seen);
	free(j->stubs);
	free(j->flags);
	free(j->seg_cost);
	free(j->seg_rest);
}

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

/* W^X: written while read-write, then read+execute, never both. */
static int jit_finish(struct jit *j, struct rmt_prog *prog)
{
	u32 size = j->e.len;
	size_t map = page_round(sizeof(struct rmt_jit_image) + size);
	struct rmt_jit_image *img;
	u32 bytes = (u32)j->cap_labels * sizeof(u32);
	void *mem;
	int err;

	mem = mmap(NULL, map, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(j->log, j->log_size, "jit: mmap of %u bytes failed",
			 size);
		return -ENOMEM;
	}
	img = mem;
	j->e.buf = (u8 *)(img + 1);
	j->e.cap = size;
	err = run_pass(j);
	if (!err && (j->e.len != size || memcmp(j->prev, j->cur, bytes))) {
		snprintf(j->log, j->log_size,
			 "jit: code size changed in the final pass");
		err = -EFAULT;
	}
	if (!err && mprotect(mem, map, PROT_READ | PROT_EXEC)) {
		snprintf(j->log, j->log_size, "jit: mprotect failed");
		err = -ENOMEM;
	}
	if (err) {
		munmap(mem, map);
		return err;
	}
	prog->jit = mem;
	prog->jit_size = (u32)(sizeof(*img) + size);
	return 0;
}

int rmt_jit_compile(struct rmt_prog *prog, char *log, size_t log_size)
{
	struct jit j = { 0 };
	int err;

	if (!log)
		log_size = 0;
	if (log_size)
		log[0] = '\0';
#ifndef __x86_64__
	snprintf(log, log_size, "jit: only x86-64 hosts are supported");
	return -EOPNOTSUPP;
#endif
	rmt_jit_free(prog);
	if (!prog->insns || !prog->len) {
		snprintf(log, log_size, "jit: program is not loaded");
		return -EINVAL;
	}
	j.prog = prog;
	j.guards = !prog->verified;
	j.log = log;
	j.log_size = log_size;
	err = jit_alloc(&j);
	if (err) {
		snprintf(log, log_size, "jit: out of memory");
	} else {
		analyse(&j);
		choose_run_regs(&j);
		j.uses_ctx = j.uses_regions || j.has_calls || j.has_callx ||
			     j.run_reg < 0 || j.budget_reg < 0;
		choose_cache(&j);
		err = converge(&j);
		if (!err)
			err = jit_finish(&j, prog);
	}
	jit_release(&j);
	return err;
}

void rmt_jit_free(struct rmt_prog *prog)
{
	if (prog->jit)
		munmap(prog->jit, page_round(prog->jit_size));
	prog->jit = NULL;
	prog->jit_size = 0;
}
