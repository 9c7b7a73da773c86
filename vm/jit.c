// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jit.c - translate a loaded eBPF program into x86-64 code.
 *
 * Registers as in the Linux x86-64 BPF JIT: r0 rax, r1 rdi, r2 rsi, r3 rdx,
 * r4 rcx, r5 r8, r6 rbx, r7 r13, r8 r14, r9 r15, r10 rbp.  r12 holds the
 * run context (struct rmt_jit_ctx), r9 the instructions left of the
 * budget, r10 and r11 are scratch.
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
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm/jit.h"
#include "vm/jit_ctx.h"
#include "vm/x86_64/emit.h"

#define CTX(field) ((s32)offsetof(struct rmt_jit_ctx, field))

#define REG_CTX RMT_R12
#define REG_BUDGET RMT_R9
#define REG_AX RMT_R10 /* scratch: addresses */
#define REG_AUX RMT_R11 /* scratch: operands */

static const u8 reg_map[RMT_NR_REGS] = {
	RMT_RAX, RMT_RDI, RMT_RSI, RMT_RDX, RMT_RCX, RMT_R8,
	RMT_RBX, RMT_R13, RMT_R14, RMT_R15, RMT_RBP,
};

#define MAX_PASSES 16

/* Shared labels after the per-slot ones. */
enum {
	L_EXIT, /* leave the program: r0 in rax, or an error in ctx */
	L_BUDGET_FAIL,
	L_GUARD_THUNK,
	L_FIXED
};

enum stub_kind {
	STUB_GUARD, /* call the guard; back on success */
	STUB_BUDGET, /* instruction unpaid: refund and stop */
	STUB_SEG, /* segment unpaid: refund, run it paying as it goes */
	STUB_ERR, /* stop with a fixed error */
	STUB_PC, /* stop with the error already in ctx->err */
};

struct stub {
	u8 kind;
	u32 pc;
	u32 label;
	u32 back; /* STUB_GUARD: where to resume */
	s32 arg; /* guard flags, segment cost or error */
	s32 refund; /* charged for instructions that will not run */
};

struct jit {
	const struct rmt_prog *prog;
	struct rmt_x86 e;
	u32 *prev; /* label offsets of the pass before */
	u32 *cur;
	u32 *seen; /* pass in which a label was placed */
	u32 n_labels, cap_labels;
	struct stub *stubs;
	u32 n_stubs, cap_stubs;
	u32 pass;
	bool long_jumps;
	bool guards;
	bool has_calls;
	bool uses_regions; /* guarded accesses read ctx->reg_* */
	u16 used; /* eBPF registers the program names */
	u8 *flags; /* per slot */
	u32 *seg_cost; /* at a segment's first slot */
	u32 *seg_rest; /* instructions after this one in its segment */
	bool slow; /* emitting a segment's pay-as-you-go copy */
	char *log;
	size_t log_size;
};

#define F_SEG_START 0x01
#define F_CALL_TARGET 0x02
#define F_LDDW_HI 0x04

static u32 label_pc(u32 pc)
{
	return pc;
}

static u32 label_fixed(const struct jit *j, u32 which)
{
	return j->prog->len + which;
}

/* The entry stub of a local call target. */
static u32 label_entry(const struct jit *j, u32 pc)
{
	return j->prog->len + L_FIXED + pc;
}

static int new_label(struct jit *j, u32 *label)
{
	if (j->n_labels == j->cap_labels)
		return -ENOMEM;
	*label = j->n_labels++;
	return 0;
}

static void place(struct jit *j, u32 label)
{
	j->cur[label] = j->e.len;
	j->seen[label] = j->pass;
}

/*
 * A label placed earlier in this pass has its exact offset; a later one
 * is estimated from the previous pass, which is exact once passes agree.
 */
static bool short_ok(struct jit *j, u32 label, u32 len)
{
	s64 rel;

	if (j->seen[label] == j->pass)
		rel = (s64)j->cur[label] - (j->e.len + len);
	else if (j->long_jumps)
		return false;
	else
		rel = (s64)j->prev[label] - (j->e.len + len);
	return rel >= -128 && rel <= 127;
}

static s32 rel_to(struct jit *j, u32 label, u32 len)
{
	u32 target = j->seen[label] == j->pass ? j->cur[label] : j->prev[label];

	return (s32)((s64)target - (s64)(j->e.len + len));
}

static void jmp_to(struct jit *j, u32 label)
{
	if (short_ok(j, label, RMT_X86_JMP8_LEN))
		rmt_x86_jmp8(&j->e, (s8)rel_to(j, label, RMT_X86_JMP8_LEN));
	else
		rmt_x86_jmp32(&j->e, rel_to(j, label, RMT_X86_JMP32_LEN));
}

static void jcc_to(struct jit *j, enum rmt_x86_cc cc, u32 label)
{
	if (short_ok(j, label, RMT_X86_JCC8_LEN))
		rmt_x86_jcc8(&j->e, cc, (s8)rel_to(j, label, RMT_X86_JCC8_LEN));
	else
		rmt_x86_jcc32(&j->e, cc, rel_to(j, label, RMT_X86_JCC32_LEN));
}

static int add_stub(struct jit *j, u8 kind, u32 pc, u32 back, s32 arg,
		    u32 *label)
{
	struct stub *s;
	int err;

	if (j->n_stubs == j->cap_stubs)
		return -ENOMEM;
	err = new_label(j, label);
	if (err)
		return err;
	s = &j->stubs[j->n_stubs++];
	s->kind = kind;
	s->pc = pc;
	s->label = *label;
	s->back = back;
	s->arg = arg;
	s->refund = j->slow ? 0 : (s32)j->seg_rest[pc];
	return 0;
}

static int jcc_err(struct jit *j, enum rmt_x86_cc cc, u32 pc, s32 err)
{
	u32 label;
	int ret = add_stub(j, STUB_ERR, pc, 0, err, &label);

	if (!ret)
		jcc_to(j, cc, label);
	return ret;
}

/* ---- arithmetic ---------------------------------------------------- */

static bool is64(u8 code)
{
	return RMT_CLASS(code) == RMT_ALU64;
}

/* The divisor goes to r11; rax and rdx are borrowed around div/idiv. */
static void emit_divmod_core(struct jit *j, bool w, bool sign, bool mod,
			     int dst)
{
	struct rmt_x86 *e = &j->e;

	rmt_x86_push(e, RMT_RAX);
	rmt_x86_push(e, RMT_RDX);
	rmt_x86_mov_rr(e, w, RMT_RAX, dst);
	if (sign)
		rmt_x86_cdq(e, w);
	else
		rmt_x86_alu_rr(e, RMT_X86_XOR, false, RMT_RDX, RMT_RDX);
	rmt_x86_div(e, w, sign, REG_AUX);
	rmt_x86_mov_rr(e, true, REG_AUX, mod ? RMT_RDX : RMT_RAX);
	rmt_x86_pop(e, RMT_RDX);
	rmt_x86_pop(e, RMT_RAX);
	rmt_x86_mov_rr(e, w, dst, REG_AUX);
}

/*
 * RFC 9669: x / 0 = 0, x % 0 = x, and the signed INT_MIN / -1 overflow
 * wraps (the quotient is INT_MIN, the remainder 0), where idiv would trap.
 */
static int emit_divmod(struct jit *j, const struct rmt_insn *in)
{
	struct rmt_x86 *e = &j->e;
	bool w = is64(in->code);
	bool sign = in->off == 1;
	bool mod = RMT_OP(in->code) == RMT_MOD;
	int dst = reg_map[rmt_insn_dst(in)];
	u32 l_zero, l_m1, l_done;
	int err;

	if (RMT_SRC(in->code) == RMT_K) {
		if (in->imm == 0) {
			if (!mod)
				rmt_x86_mov_ri(e, false, dst, 0);
			else if (!w)
				rmt_x86_mov_rr(e, false, dst, dst);
			return 0;
		}
		if (sign && in->imm == -1) {
			if (mod)
				rmt_x86_mov_ri(e, false, dst, 0);
			else
				rmt_x86_neg(e, w, dst);
			return 0;
		}
		rmt_x86_mov_ri(e, w, REG_AUX, in->imm);
		emit_divmod_core(j, w, sign, mod, dst);
		return 0;
	}
	err = new_label(j, &l_zero);
	err = err ?: new_label(j, &l_m1);
	err = err ?: new_label(j, &l_done);
	if (err)
		return err;
	rmt_x86_mov_rr(e, w, REG_AUX, reg_map[rmt_insn_src(in)]);
	rmt_x86_test_rr(e, w, REG_AUX, REG_AUX);
	jcc_to(j, RMT_CC_E, l_zero);
	if (sign) {
		rmt_x86_alu_ri(e, RMT_X86_CMP, w, REG_AUX, -1);
		jcc_to(j, RMT_CC_E, l_m1);
	}
	emit_divmod_core(j, w, sign, mod, dst);
	jmp_to(j, l_done);
	place(j, l_zero);
	if (!mod)
		rmt_x86_mov_ri(e, false, dst, 0);
	else if (!w)
		rmt_x86_mov_rr(e, false, dst, dst);
	if (sign) {
		jmp_to(j, l_done);
		place(j, l_m1);
		if (mod)
			rmt_x86_mov_ri(e, false, dst, 0);
		else
			rmt_x86_neg(e, w, dst);
	}
	place(j, l_done);
	return 0;
}

static enum rmt_x86_shift shift_op(u8 op)
{
	if (op == RMT_LSH)
		return RMT_X86_SHL;
	return op == RMT_RSH ? RMT_X86_SHR : RMT_X86_SAR;
}

/* The count must be in cl: rcx (eBPF r4) is parked in r11 meanwhile. */
static void emit_shift_x(struct jit *j, bool w, enum rmt_x86_shift op, int dst,
			 int src)
{
	struct rmt_x86 *e = &j->e;

	if (src == RMT_RCX) {
		rmt_x86_shift_cl(e, op, w, dst);
		return;
	}
	rmt_x86_mov_rr(e, true, REG_AUX, RMT_RCX);
	rmt_x86_mov_rr(e, false, RMT_RCX, src);
	if (dst == RMT_RCX) {
		rmt_x86_shift_cl(e, op, w, REG_AUX);
		rmt_x86_mov_rr(e, true, RMT_RCX, REG_AUX);
		return;
	}
	rmt_x86_shift_cl(e, op, w, dst);
	rmt_x86_mov_rr(e, true, RMT_RCX, REG_AUX);
}

static void emit_end(struct jit *j, const struct rmt_insn *in, int dst)
{
	struct rmt_x86 *e = &j->e;
	bool swap = RMT_SRC(in->code) == RMT_X || is64(in->code);

	switch (in->imm) {
	case 16:
		if (swap)
			rmt_x86_rol16_8(e, dst);
		rmt_x86_movzx_rr(e, 16, dst, dst);
		break;
	case 32:
		if (swap)
			rmt_x86_bswap(e, false, dst);
		else
			rmt_x86_mov_rr(e, false, dst, dst);
		break;
	default:
		if (swap)
			rmt_x86_bswap(e, true, dst);
		break;
	}
}

static int emit_alu(struct jit *j, const struct rmt_insn *in)
{
	static const u8 alu_ops[16] = {
		[RMT_ADD >> 4] = RMT_X86_ADD, [RMT_SUB >> 4] = RMT_X86_SUB,
		[RMT_OR >> 4] = RMT_X86_OR,   [RMT_AND >> 4] = RMT_X86_AND,
		[RMT_XOR >> 4] = RMT_X86_XOR,
	};
	struct rmt_x86 *e = &j->e;
	bool w = is64(in->code);
	bool k = RMT_SRC(in->code) == RMT_K;
	u8 op = RMT_OP(in->code);
	int dst = reg_map[rmt_insn_dst(in)];
	int src = reg_map[rmt_insn_src(in)];
	u8 mask = w ? 63 : 31;

	switch (op) {
	case RMT_ADD:
	case RMT_SUB:
	case RMT_OR:
	case RMT_AND:
	case RMT_XOR:
		if (k)
			rmt_x86_alu_ri(e, alu_ops[op >> 4], w, dst, in->imm);
		else
			rmt_x86_alu_rr(e, alu_ops[op >> 4], w, dst, src);
		break;
	case RMT_MOV:
		if (k)
			rmt_x86_mov_ri(e, w, dst, in->imm);
		else if (in->off)
			rmt_x86_movsx_rr(e, in->off, w, dst, src);
		else
			rmt_x86_mov_rr(e, w, dst, src);
		break;
	case RMT_MUL:
		if (k)
			rmt_x86_imul_rri(e, w, dst, dst, in->imm);
		else
			rmt_x86_imul_rr(e, w, dst, src);
		break;
	case RMT_DIV:
	case RMT_MOD:
		return emit_divmod(j, in);
	case RMT_LSH:
	case RMT_RSH:
	case RMT_ARSH:
		if (!k) {
			emit_shift_x(j, w, shift_op(op), dst, src);
		} else if (in->imm & mask) {
			rmt_x86_shift_ri(e, shift_op(op), w, dst,
					 (u8)(in->imm & mask));
		} else if (!w) {
			rmt_x86_mov_rr(e, false, dst, dst);
		}
		break;
	case RMT_NEG:
		rmt_x86_neg(e, w, dst);
		break;
	case RMT_END:
		emit_end(j, in, dst);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- memory -------------------------------------------------------- */

static int size_log2(u8 code)
{
	switch (RMT_SIZE(code)) {
	case RMT_B:
		return 0;
	case RMT_H:
		return 1;
	case RMT_W:
		return 2;
	default:
		return 3;
	}
}

/*
 * A constant offset from r10 inside the current frame: always inside the
 * stack, since r10 never leaves it.
 */
static bool static_stack_ok(int reg, s16 off, int size)
{
	return reg == RMT_REG_FP && off >= -RMT_STACK_SIZE && off + size <= 0;
}

/* Carry clear when [r10, r10 + size) is outside the whole stack. */
static void emit_stack_check(struct jit *j, int size)
{
	rmt_x86_mov_rr(&j->e, true, REG_AUX, REG_AX);
	rmt_x86_alu_rm(&j->e, RMT_X86_SUB, true, REG_AUX, REG_CTX,
		       CTX(stack_lo));
	rmt_x86_alu_ri(&j->e, RMT_X86_CMP, true, REG_AUX,
		       RMT_VM_STACK_BYTES - size + 1);
}

/*
 * Make [*base + *disp] a checked address.  The current frame is tested
 * inline, and so is the first region; anything else calls out to the
 * same rules the interpreter applies.  A constant r10 offset inside the
 * frame needs no check at all.
 */
static int emit_guard(struct jit *j, u32 pc, int reg, s16 off, int lg,
		      bool write, int *base, s32 *disp)
{
	struct rmt_x86 *e = &j->e;
	int size = 1 << lg;
	u32 ok, stub;
	int i, err;

	*base = reg_map[reg];
	*disp = off;
	if (!j->guards || static_stack_ok(reg, off, size))
		return 0;
	err = new_label(j, &ok);
	err = err   ?:
		      add_stub(j, STUB_GUARD, pc, ok,
			       size | (write ? RMT_JIT_GUARD_WRITE : 0), &stub);
	if (err)
		return err;
	j->uses_regions = true;
	rmt_x86_lea(e, REG_AX, reg_map[reg], off);
	/* the likelier area first: the stack for r10, else the regions */
	if (reg == RMT_REG_FP) {
		emit_stack_check(j, size);
		jcc_to(j, RMT_CC_B, ok);
	}
	for (i = 0; i < RMT_JIT_INLINE_REGIONS; i++) {
		rmt_x86_mov_rr(e, true, REG_AUX, REG_AX);
		rmt_x86_alu_rm(e, RMT_X86_SUB, true, REG_AUX, REG_CTX,
			       CTX(reg_start[i]));
		rmt_x86_alu_rm(e, RMT_X86_CMP, true, REG_AUX, REG_CTX,
			       CTX(reg_lim[i][write][lg]));
		if (reg == RMT_REG_FP && i == RMT_JIT_INLINE_REGIONS - 1)
			jcc_to(j, RMT_CC_AE, stub);
		else
			jcc_to(j, RMT_CC_B, ok);
	}
	if (reg != RMT_REG_FP) {
		emit_stack_check(j, size);
		jcc_to(j, RMT_CC_AE, stub);
	}
	place(j, ok);
	*base = REG_AX;
	*disp = 0;
	return 0;
}

static int emit_ldx(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	int lg = size_log2(in->code);
	int base;
	s32 disp;
	int err;

	err = emit_guard(j, pc, rmt_insn_src(in), in->off, lg, false, &base,
			 &disp);
	if (err)
		return err;
	rmt_x86_load(&j->e, 1 << lg, RMT_MODE(in->code) == RMT_MEMSX,
		     reg_map[rmt_insn_dst(in)], base, disp);
	return 0;
}

static int emit_st(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	int lg = size_log2(in->code);
	int base;
	s32 disp;
	int err;

	err = emit_guard(j, pc, rmt_insn_dst(in), in->off, lg, true, &base,
			 &disp);
	if (err)
		return err;
	if (RMT_CLASS(in->code) == RMT_ST)
		rmt_x86_store_imm(&j->e, 1 << lg, base, disp, in->imm);
	else
		rmt_x86_store(&j->e, 1 << lg, base, disp,
			      reg_map[rmt_insn_src(in)]);
	return 0;
}

/* fetch-or/and/xor: a compare-and-exchange loop around rax. */
static int emit_fetch_op(struct jit *j, enum rmt_x86_alu op, bool w, int base,
			 s32 disp, int src)
{
	struct rmt_x86 *e = &j->e;
	u32 again;
	int err = new_label(j, &again);

	if (err)
		return err;
	rmt_x86_push(e, RMT_RAX);
	place(j, again);
	rmt_x86_load(e, w ? 8 : 4, false, RMT_RAX, base, disp);
	rmt_x86_mov_rr(e, true, REG_AUX, RMT_RAX);
	if (src == RMT_RAX)
		rmt_x86_alu_rm(e, op, w, REG_AUX, RMT_RSP, 0);
	else
		rmt_x86_alu_rr(e, op, w, REG_AUX, src);
	rmt_x86_lock_cmpxchg(e, w ? 8 : 4, base, disp, REG_AUX);
	jcc_to(j, RMT_CC_NE, again);
	rmt_x86_mov_rr(e, true, REG_AUX, RMT_RAX);
	rmt_x86_pop(e, RMT_RAX);
	rmt_x86_mov_rr(e, true, src, REG_AUX);
	return 0;
}

static int emit_atomic(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	struct rmt_x86 *e = &j->e;
	bool w = RMT_SIZE(in->code) == RMT_DW;
	int size = w ? 8 : 4;
	int src = reg_map[rmt_insn_src(in)];
	enum rmt_x86_alu op;
	int base;
	s32 disp;
	int err;

	err = emit_guard(j, pc, rmt_insn_dst(in), in->off, w ? 3 : 2, true,
			 &base, &disp);
	if (err)
		return err;
	/* misaligned atomics fault, verified or not, as in the interpreter */
	if (base != REG_AX)
		rmt_x86_lea(e, REG_AX, base, disp);
	base = REG_AX;
	disp = 0;
	rmt_x86_test_ri(e, false, REG_AX, size - 1);
	err = jcc_err(j, RMT_CC_NE, pc, -EFAULT);
	if (err)
		return err;
	switch (in->imm) {
	case RMT_XCHG:
		rmt_x86_xchg(e, size, base, disp, src);
		return 0;
	case RMT_CMPXCHG:
		rmt_x86_lock_cmpxchg(e, size, base, disp, src);
		if (!w) /* eax is not written when the compare succeeds */
			rmt_x86_mov_rr(e, false, RMT_RAX, RMT_RAX);
		return 0;
	case RMT_ADD | RMT_FETCH:
		rmt_x86_lock_xadd(e, size, base, disp, src);
		return 0;
	}
	switch (in->imm & ~RMT_FETCH) {
	case RMT_ADD:
		op = RMT_X86_ADD;
		break;
	case RMT_OR:
		op = RMT_X86_OR;
		break;
	case RMT_AND:
		op = RMT_X86_AND;
		break;
	default:
		op = RMT_X86_XOR;
		break;
	}
	if (in->imm & RMT_FETCH)
		return emit_fetch_op(j, op, w, base, disp, src);
	rmt_x86_lock_alu(e, op, size, base, disp, src);
	return 0;
}

/* ---- control ------------------------------------------------------- */

static enum rmt_x86_cc jmp_cc(u8 op)
{
	switch (op) {
	case RMT_JEQ:
		return RMT_CC_E;
	case RMT_JGT:
		return RMT_CC_A;
	case RMT_JGE:
		return RMT_CC_AE;
	case RMT_JLT:
		return RMT_CC_B;
	case RMT_JLE:
		return RMT_CC_BE;
	case RMT_JSGT:
		return RMT_CC_G;
	case RMT_JSGE:
		return RMT_CC_GE;
	case RMT_JSLT:
		return RMT_CC_L;
	case RMT_JSLE:
		return RMT_CC_LE;
	default: /* JNE, JSET */
		return RMT_CC_NE;
	}
}

static void emit_cond(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	struct rmt_x86 *e = &j->e;
	bool w = RMT_CLASS(in->code) == RMT_JMP;
	u8 op = RMT_OP(in->code);
	int dst = reg_map[rmt_insn_dst(in)];
	int src = reg_map[rmt_insn_src(in)];

	if (RMT_SRC(in->code) == RMT_K) {
		if (op == RMT_JSET)
			rmt_x86_test_ri(e, w, dst, in->imm);
		else
			rmt_x86_alu_ri(e, RMT_X86_CMP, w, dst, in->imm);
	} else {
		if (op == RMT_JSET)
			rmt_x86_test_rr(e, w, dst, src);
		else
			rmt_x86_alu_rr(e, RMT_X86_CMP, w, dst, src);
	}
	jcc_to(j, jmp_cc(op), label_pc(pc + 1 + in->off));
}

/* r1..r5 survive helper calls, as in the interpreter. */
static void emit_c_call(struct jit *j, u64 fn, bool pass_ctx)
{
	static const u8 args[] = { RMT_RDI, RMT_RSI, RMT_RDX, RMT_RCX, RMT_R8 };
	struct rmt_x86 *e = &j->e;
	int i;

	rmt_x86_store(e, 8, REG_CTX, CTX(budget), REG_BUDGET);
	for (i = 0; i < 5; i++)
		rmt_x86_push(e, args[i]);
	rmt_x86_alu_ri(e, RMT_X86_SUB, true, RMT_RSP, 8);
	rmt_x86_mov_rr(e, true, RMT_R9, RMT_R8);
	rmt_x86_mov_rr(e, true, RMT_R8, RMT_RCX);
	rmt_x86_mov_rr(e, true, RMT_RCX, RMT_RDX);
	rmt_x86_mov_rr(e, true, RMT_RDX, RMT_RSI);
	rmt_x86_mov_rr(e, true, RMT_RSI, RMT_RDI);
	if (pass_ctx)
		rmt_x86_mov_rr(e, true, RMT_RDI, REG_CTX);
	else
		rmt_x86_load(e, 8, false, RMT_RDI, REG_CTX, CTX(run));
	rmt_x86_mov_ri64(e, RMT_RAX, fn);
	rmt_x86_call_r(e, RMT_RAX);
	rmt_x86_alu_ri(e, RMT_X86_ADD, true, RMT_RSP, 8);
	for (i = 4; i >= 0; i--)
		rmt_x86_pop(e, args[i]);
	rmt_x86_load(e, 8, false, REG_BUDGET, REG_CTX, CTX(budget));
}

static int emit_call(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	struct rmt_x86 *e = &j->e;
	const struct rmt_helper *h;
	u32 label;
	int err;

	if (RMT_SRC(in->code) == RMT_X) {
		rmt_x86_store(e, 8, REG_CTX, CTX(callx_id),
			      reg_map[rmt_insn_dst(in)]);
		emit_c_call(j, (u64)(uintptr_t)rmt_jit_callx, true);
		err = add_stub(j, STUB_PC, pc, 0, 0, &label);
		if (err)
			return err;
		rmt_x86_alu_mi(e, RMT_X86_CMP, false, REG_CTX, CTX(err), 0);
		jcc_to(j, RMT_CC_NE, label);
		return 0;
	}
	if (rmt_insn_src(in) == RMT_CALL_HELPER) {
		h = rmt_helper_find(j->prog->helpers, (u32)in->imm);
		if (!h)
			return -ENOENT;
		emit_c_call(j, (u64)(uintptr_t)h->fn, false);
		return 0;
	}
	/* local call: a new frame, at most RMT_MAX_CALL_DEPTH deep */
	rmt_x86_alu_mi(e, RMT_X86_CMP, false, REG_CTX, CTX(depth),
		       RMT_MAX_CALL_DEPTH - 1);
	err = jcc_err(j, RMT_CC_AE, pc, -ELOOP);
	if (err)
		return err;
	rmt_x86_alu_mi(e, RMT_X86_ADD, false, REG_CTX, CTX(depth), 1);
	rmt_x86_call32(e, rel_to(j, label_entry(j, pc + 1 + in->imm),
				 RMT_X86_CALL_LEN));
	rmt_x86_alu_mi(e, RMT_X86_SUB, false, REG_CTX, CTX(depth), 1);
	return 0;
}

static void emit_exit(struct jit *j)
{
	struct rmt_x86 *e = &j->e;

	if (!j->has_calls) {
		jmp_to(j, label_fixed(j, L_EXIT));
		return;
	}
	rmt_x86_alu_mi(e, RMT_X86_CMP, false, REG_CTX, CTX(depth), 0);
	jcc_to(j, RMT_CC_E, label_fixed(j, L_EXIT));
	rmt_x86_pop(e, RMT_RBP);
	rmt_x86_pop(e, RMT_R15);
	rmt_x86_pop(e, RMT_R14);
	rmt_x86_pop(e, RMT_R13);
	rmt_x86_pop(e, RMT_RBX);
	rmt_x86_ret(e);
}

static int emit_jmp(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	switch (RMT_OP(in->code)) {
	case RMT_JA:
		if (RMT_CLASS(in->code) == RMT_JMP32)
			jmp_to(j, label_pc(pc + 1 + in->imm));
		else
			jmp_to(j, label_pc(pc + 1 + in->off));
		return 0;
	case RMT_CALL:
		return emit_call(j, pc, in);
	case RMT_EXIT:
		emit_exit(j);
		return 0;
	default:
		emit_cond(j, pc, in);
		return 0;
	}
}

static int emit_insn(struct jit *j, u32 pc)
{
	const struct rmt_insn *in = &j->prog->insns[pc];
	u32 label, cost;
	int err;

	if (j->slow || (j->flags[pc] & F_SEG_START)) {
		cost = j->slow ? 1 : j->seg_cost[pc];
		err = add_stub(j, cost == 1 ? STUB_BUDGET : STUB_SEG, pc, 0,
			       (s32)cost, &label);
		if (err)
			return err;
		rmt_x86_alu_ri(&j->e, RMT_X86_SUB, true, REG_BUDGET, (s32)cost);
		jcc_to(j, RMT_CC_B, label);
	}
	switch (RMT_CLASS(in->code)) {
	case RMT_ALU:
	case RMT_ALU64:
		return emit_alu(j, in);
	case RMT_LD:
		rmt_x86_mov_ri64(&j->e, reg_map[rmt_insn_dst(in)],
				 (u32)in[0].imm | (u64)(u32)in[1].imm << 32);
		return 0;
	case RMT_LDX:
		return emit_ldx(j, pc, in);
	case RMT_ST:
		return emit_st(j, pc, in);
	case RMT_STX:
		if (RMT_MODE(in->code) == RMT_ATOMIC)
			return emit_atomic(j, pc, in);
		return emit_st(j, pc, in);
	default:
		return emit_jmp(j, pc, in);
	}
}

/*
 * The host registers the code changes and must give back: r12 always,
 * and the ones behind eBPF registers the program names (r10 also when it
 * makes local calls, which move it).  Fewer pushes make short programs
 * cheaper to call.
 */
static u32 saved_regs(const struct jit *j, u8 *regs)
{
	u32 n = 0, r;

	regs[n++] = REG_CTX;
	if ((j->used & (1u << RMT_REG_FP)) || j->has_calls)
		regs[n++] = RMT_RBP;
	for (r = 6; r <= 9; r++)
		if (j->used & (1u << r))
			regs[n++] = reg_map[r];
	return n;
}

/* With n pushes and the return address, rsp stays 16-byte aligned. */
static bool needs_pad(u32 n)
{
	return n % 2 == 0;
}

static void emit_prologue(struct jit *j)
{
	static const u8 args[] = { RMT_RDI, RMT_RSI, RMT_RDX, RMT_RCX, RMT_R8 };
	struct rmt_x86 *e = &j->e;
	u8 regs[6];
	u32 i, n = saved_regs(j, regs);

	for (i = 0; i < n; i++)
		rmt_x86_push(e, regs[i]);
	if (needs_pad(n))
		rmt_x86_alu_ri(e, RMT_X86_SUB, true, RMT_RSP, 8);
	/* (ctx, run, budget) in rdi, rsi, rdx */
	rmt_x86_mov_rr(e, true, REG_CTX, RMT_RDI);
	rmt_x86_mov_rr(e, true, REG_BUDGET, RMT_RDX);
	rmt_x86_mov_rr(e, true, REG_AX, RMT_RSI);
	/*
	 * Only local calls leave frames of their own on the native stack at
	 * an exit; everything else is balanced where it can fault.
	 */
	if (j->has_calls)
		rmt_x86_store(e, 8, REG_CTX, CTX(saved_rsp), RMT_RSP);
	if (n > 1 && regs[1] == RMT_RBP)
		rmt_x86_load(e, 8, false, RMT_RBP, REG_CTX, CTX(stack_top));
	for (i = 0; i < 5; i++)
		rmt_x86_load(e, 8, false, args[i], REG_AX,
			     (s32)(offsetof(struct rmt_vm_run, args) + 8 * i));
	/* registers start at zero, as in the interpreter */
	rmt_x86_alu_rr(e, RMT_X86_XOR, false, RMT_RAX, RMT_RAX);
	for (i = 6; i <= 9; i++)
		if (j->used & (1u << i))
			rmt_x86_alu_rr(e, RMT_X86_XOR, false, reg_map[i],
				       reg_map[i]);
}

static void emit_exits(struct jit *j)
{
	struct rmt_x86 *e = &j->e;
	u8 regs[6];
	u32 n = saved_regs(j, regs);

	/* struct rmt_jit_ret in rax:rdx; the caller ignores r0 on errors */
	place(j, label_fixed(j, L_EXIT));
	rmt_x86_mov_rr(e, true, RMT_RDX, REG_BUDGET);
	if (j->has_calls)
		rmt_x86_load(e, 8, false, RMT_RSP, REG_CTX, CTX(saved_rsp));
	if (needs_pad(n))
		rmt_x86_alu_ri(e, RMT_X86_ADD, true, RMT_RSP, 8);
	while (n--)
		rmt_x86_pop(e, regs[n]);
	rmt_x86_ret(e);
	place(j, label_fixed(j, L_BUDGET_FAIL));
	rmt_x86_store_imm(e, 4, REG_CTX, CTX(err), -E2BIG);
	jmp_to(j, label_fixed(j, L_EXIT));
}

/* A local call's new frame: r6..r9 and r10 saved, r10 one frame down. */
static void emit_entries(struct jit *j)
{
	struct rmt_x86 *e = &j->e;
	u32 pc;

	for (pc = 0; pc < j->prog->len; pc++) {
		if (!(j->flags[pc] & F_CALL_TARGET))
			continue;
		place(j, label_entry(j, pc));
		rmt_x86_push(e, RMT_RBX);
		rmt_x86_push(e, RMT_R13);
		rmt_x86_push(e, RMT_R14);
		rmt_x86_push(e, RMT_R15);
		rmt_x86_push(e, RMT_RBP);
		rmt_x86_alu_ri(e, RMT_X86_SUB, true, RMT_RBP, RMT_STACK_SIZE);
		jmp_to(j, label_pc(pc));
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
			err = emit_insn(j, pc);
		pc++;
	} while (!err && pc < len && !(j->flags[pc] & F_SEG_START));
	j->slow = false;
	if (!err && pc < len)
		jmp_to(j, label_pc(pc));
	return err;
}

static int emit_stub(struct jit *j, const struct stub *s)
{
	struct rmt_x86 *e = &j->e;

	place(j, s->label);
	switch (s->kind) {
	case STUB_GUARD:
		rmt_x86_mov_ri(e, false, REG_AUX, s->arg);
		rmt_x86_call32(e, rel_to(j, label_fixed(j, L_GUARD_THUNK),
					 RMT_X86_CALL_LEN));
		rmt_x86_test_rr(e, false, REG_AUX, REG_AUX);
		jcc_to(j, RMT_CC_E, s->back);
		rmt_x86_store(e, 4, REG_CTX, CTX(err), REG_AUX);
		break;
	case STUB_BUDGET:
		rmt_x86_alu_ri(e, RMT_X86_ADD, true, REG_BUDGET, s->arg);
		rmt_x86_store_imm(e, 4, REG_CTX, CTX(err_pc), (s32)s->pc);
		jmp_to(j, label_fixed(j, L_BUDGET_FAIL));
		return 0;
	case STUB_SEG:
		return emit_slow_segment(j, s);
	case STUB_ERR:
		rmt_x86_store_imm(e, 4, REG_CTX, CTX(err), s->arg);
		break;
	default:
		break;
	}
	if (s->refund)
		rmt_x86_alu_ri(e, RMT_X86_ADD, true, REG_BUDGET, s->refund);
	rmt_x86_store_imm(e, 4, REG_CTX, CTX(err_pc), (s32)s->pc);
	jmp_to(j, label_fixed(j, L_EXIT));
	return 0;
}

/* Call-out to rmt_jit_guard with every eBPF register preserved. */
static void emit_guard_thunk(struct jit *j)
{
	static const u8 saved[] = { RMT_RAX, RMT_RCX, RMT_RDX, RMT_RSI,
				    RMT_RDI, RMT_R8,  RMT_R9,  RMT_R10 };
	struct rmt_x86 *e = &j->e;
	int i;

	place(j, label_fixed(j, L_GUARD_THUNK));
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
	j->n_labels = 2 * j->prog->len + L_FIXED;
	j->n_stubs = 0;
	emit_prologue(j);
	for (pc = 0; pc < j->prog->len; pc++) {
		place(j, label_pc(pc));
		if (j->flags[pc] & F_LDDW_HI)
			continue;
		err = emit_insn(j, pc);
		if (err) {
			snprintf(j->log, j->log_size,
				 "insn %u: cannot compile opcode 0x%02x: %d",
				 pc, j->prog->insns[pc].code, err);
			return err;
		}
	}
	emit_exits(j);
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
		} else if (op != RMT_CALL && op != RMT_EXIT) {
			j->flags[pc + 1 + in->off] |= F_SEG_START;
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
	img->code_size = size;
	img->flags = j->uses_regions ? RMT_JIT_USES_REGIONS : 0;
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
