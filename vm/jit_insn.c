// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jit_insn.c - the x86-64 code of each eBPF instruction: arithmetic with
 * RFC 9669's division rules, loads and stores behind the guards, atomics,
 * branches, helper, callx and local calls, exit.
 */
#include "vm/jit_priv.h"

const u8 rmt_jit_reg_map[RMT_NR_REGS] = {
	RMT_RAX, RMT_RDI, RMT_RSI, RMT_RDX, RMT_RCX, RMT_R8,
	RMT_RBX, RMT_R13, RMT_R14, RMT_R15, RMT_RBP,
};

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
	int dst = rmt_jit_reg_map[rmt_insn_dst(in)];
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
	err = rmt_jit_new_label(j, &l_zero);
	err = err ?: rmt_jit_new_label(j, &l_m1);
	err = err ?: rmt_jit_new_label(j, &l_done);
	if (err)
		return err;
	rmt_x86_mov_rr(e, w, REG_AUX, rmt_jit_reg_map[rmt_insn_src(in)]);
	rmt_x86_test_rr(e, w, REG_AUX, REG_AUX);
	rmt_jit_jcc(j, RMT_CC_E, l_zero);
	if (sign) {
		rmt_x86_alu_ri(e, RMT_X86_CMP, w, REG_AUX, -1);
		rmt_jit_jcc(j, RMT_CC_E, l_m1);
	}
	emit_divmod_core(j, w, sign, mod, dst);
	rmt_jit_jmp(j, l_done);
	rmt_jit_place(j, l_zero);
	if (!mod)
		rmt_x86_mov_ri(e, false, dst, 0);
	else if (!w)
		rmt_x86_mov_rr(e, false, dst, dst);
	if (sign) {
		rmt_jit_jmp(j, l_done);
		rmt_jit_place(j, l_m1);
		if (mod)
			rmt_x86_mov_ri(e, false, dst, 0);
		else
			rmt_x86_neg(e, w, dst);
	}
	rmt_jit_place(j, l_done);
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
	int dst = rmt_jit_reg_map[rmt_insn_dst(in)];
	int src = rmt_jit_reg_map[rmt_insn_src(in)];
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

/*
 * One inline bounds check of [reg + off, + size) in r11; carry set when
 * the access is inside.  area: -1 the whole stack, else a region.
 */
static void emit_area_check(struct jit *j, int reg, s16 off, int lg, bool write,
			    int area)
{
	struct rmt_x86 *e = &j->e;

	rmt_x86_lea(e, REG_AUX, rmt_jit_reg_map[reg], off);
	if (area < 0) {
		rmt_x86_alu_rm(e, RMT_X86_SUB, true, REG_AUX, REG_CTX,
			       CTX(stack_lo));
		rmt_jit_fuse(j);
		rmt_x86_alu_ri(e, RMT_X86_CMP, true, REG_AUX,
			       RMT_VM_STACK_BYTES - (1 << lg) + 1);
		return;
	}
	if (area == 0 && j->cache_start >= 0)
		rmt_x86_alu_rr(e, RMT_X86_SUB, true, REG_AUX, j->cache_start);
	else
		rmt_x86_alu_rm(e, RMT_X86_SUB, true, REG_AUX, REG_CTX,
			       CTX(reg_start[area]));
	rmt_jit_fuse(j);
	if (area == 0 && j->cache_lim >= 0 && lg == j->cache_lg &&
	    write == j->cache_write)
		rmt_x86_alu_rr(e, RMT_X86_CMP, true, REG_AUX, j->cache_lim);
	else
		rmt_x86_alu_rm(e, RMT_X86_CMP, true, REG_AUX, REG_CTX,
			       CTX(reg_lim[area][write][lg]));
}

/* The areas a guard tries inline, the likelier first. */
static int guard_areas(int reg, int *areas)
{
	int i, n = 0;

	if (reg == RMT_REG_FP)
		areas[n++] = -1;
	for (i = 0; i < RMT_JIT_INLINE_REGIONS; i++)
		areas[n++] = i;
	if (reg != RMT_REG_FP)
		areas[n++] = -1;
	return n;
}

/*
 * Check [reg + off] before an access.  The straight path tries the
 * likelier area (the stack for r10, else the first region) and falls
 * through to the access; the other inline areas and the call-out to the
 * interpreter's rules (rmt_jit_guard) are in the guard's stub.  A
 * constant r10 offset inside the frame needs no check at all.  The access
 * itself then uses [reg + off] unchanged.
 */
static int emit_guard(struct jit *j, u32 pc, int reg, s16 off, int lg,
		      bool write)
{
	int areas[RMT_JIT_INLINE_REGIONS + 1];
	u32 ok, stub;
	int err;

	if (!j->guards || rmt_jit_static_stack_ok(reg, off, 1 << lg))
		return 0;
	err = rmt_jit_new_label(j, &ok);
	err = err   ?:
		      rmt_jit_add_stub(
			      j, STUB_GUARD, pc, ok,
			      (1 << lg) | (write ? RMT_JIT_GUARD_WRITE : 0),
			      &stub);
	if (err)
		return err;
	guard_areas(reg, areas);
	emit_area_check(j, reg, off, lg, write, areas[0]);
	rmt_jit_jcc(j, RMT_CC_AE, stub);
	rmt_jit_place(j, ok);
	return 0;
}

void rmt_jit_emit_guard_stub(struct jit *j, const struct stub *s)
{
	const struct rmt_insn *in = &j->prog->insns[s->pc];
	int reg = RMT_CLASS(in->code) == RMT_LDX ? rmt_insn_src(in) :
						   rmt_insn_dst(in);
	bool write = s->arg & RMT_JIT_GUARD_WRITE;
	int lg = rmt_jit_size_lg(in->code);
	int areas[RMT_JIT_INLINE_REGIONS + 1];
	int i, n = guard_areas(reg, areas);
	struct rmt_x86 *e = &j->e;

	for (i = 1; i < n; i++) {
		emit_area_check(j, reg, in->off, lg, write, areas[i]);
		rmt_jit_jcc(j, RMT_CC_B, s->back);
	}
	/* the thunk takes the address in r10, the access in r11 */
	rmt_x86_lea(e, REG_AX, rmt_jit_reg_map[reg], in->off);
	rmt_x86_mov_ri(e, false, REG_AUX, s->arg);
	rmt_x86_call32(e, rmt_jit_rel(j, rmt_jit_label_fixed(j, L_GUARD_THUNK),
				      RMT_X86_CALL_LEN));
	rmt_x86_test_rr(e, false, REG_AUX, REG_AUX);
	rmt_jit_jcc(j, RMT_CC_E, s->back);
	rmt_x86_mov_rr(e, false, REG_AX, REG_AUX);
}

static int emit_ldx(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	int lg = rmt_jit_size_lg(in->code);
	int err;

	err = emit_guard(j, pc, rmt_insn_src(in), in->off, lg, false);
	if (err)
		return err;
	rmt_x86_load(&j->e, 1 << lg, RMT_MODE(in->code) == RMT_MEMSX,
		     rmt_jit_reg_map[rmt_insn_dst(in)],
		     rmt_jit_reg_map[rmt_insn_src(in)], in->off);
	return 0;
}

static int emit_st(struct jit *j, u32 pc, const struct rmt_insn *in)
{
	int lg = rmt_jit_size_lg(in->code);
	int base = rmt_jit_reg_map[rmt_insn_dst(in)];
	s32 disp = in->off;
	int err;

	err = emit_guard(j, pc, rmt_insn_dst(in), in->off, lg, true);
	if (err)
		return err;
	if (RMT_CLASS(in->code) == RMT_ST)
		rmt_x86_store_imm(&j->e, 1 << lg, base, disp, in->imm);
	else
		rmt_x86_store(&j->e, 1 << lg, base, disp,
			      rmt_jit_reg_map[rmt_insn_src(in)]);
	return 0;
}

/* fetch-or/and/xor: a compare-and-exchange loop around rax. */
static int emit_fetch_op(struct jit *j, enum rmt_x86_alu op, bool w, int base,
			 s32 disp, int src)
{
	struct rmt_x86 *e = &j->e;
	u32 again;
	int err = rmt_jit_new_label(j, &again);

	if (err)
		return err;
	rmt_x86_push(e, RMT_RAX);
	rmt_jit_place(j, again);
	rmt_x86_load(e, w ? 8 : 4, false, RMT_RAX, base, disp);
	rmt_x86_mov_rr(e, true, REG_AUX, RMT_RAX);
	if (src == RMT_RAX)
		rmt_x86_alu_rm(e, op, w, REG_AUX, RMT_RSP, 0);
	else
		rmt_x86_alu_rr(e, op, w, REG_AUX, src);
	rmt_x86_lock_cmpxchg(e, w ? 8 : 4, base, disp, REG_AUX);
	rmt_jit_jcc(j, RMT_CC_NE, again);
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
	int src = rmt_jit_reg_map[rmt_insn_src(in)];
	enum rmt_x86_alu op;
	int base;
	s32 disp;
	int err;

	err = emit_guard(j, pc, rmt_insn_dst(in), in->off, w ? 3 : 2, true);
	if (err)
		return err;
	/* misaligned atomics fault, verified or not, as in the interpreter */
	rmt_x86_lea(e, REG_AX, rmt_jit_reg_map[rmt_insn_dst(in)], in->off);
	base = REG_AX;
	disp = 0;
	rmt_x86_test_ri(e, false, REG_AX, size - 1);
	err = rmt_jit_jcc_err(j, RMT_CC_NE, pc, -EFAULT);
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
	int dst = rmt_jit_reg_map[rmt_insn_dst(in)];
	int src = rmt_jit_reg_map[rmt_insn_src(in)];

	rmt_jit_fuse(j);
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
	rmt_jit_jcc(j, jmp_cc(op), rmt_jit_label_pc(pc + 1 + in->off));
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
			      rmt_jit_reg_map[rmt_insn_dst(in)]);
		emit_c_call(j, (u64)(uintptr_t)rmt_jit_callx, true);
		err = rmt_jit_add_stub(j, STUB_PC, pc, 0, 0, &label);
		if (err)
			return err;
		rmt_x86_alu_mi(e, RMT_X86_CMP, false, REG_CTX, CTX(err), 0);
		rmt_jit_jcc(j, RMT_CC_NE, label);
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
	err = rmt_jit_jcc_err(j, RMT_CC_AE, pc, -ELOOP);
	if (err)
		return err;
	rmt_x86_alu_mi(e, RMT_X86_ADD, false, REG_CTX, CTX(depth), 1);
	rmt_x86_call32(e,
		       rmt_jit_rel(j, rmt_jit_label_entry(j, pc + 1 + in->imm),
				   RMT_X86_CALL_LEN));
	rmt_x86_alu_mi(e, RMT_X86_SUB, false, REG_CTX, CTX(depth), 1);
	return 0;
}

static void emit_exit(struct jit *j, u32 pc)
{
	struct rmt_x86 *e = &j->e;

	if (!j->has_calls) {
		/* the exit code follows the last slot (jit.c) */
		if (j->slow || pc + 1 < j->prog->len)
			rmt_jit_jmp(j, rmt_jit_label_fixed(j, L_EXIT));
		return;
	}
	rmt_x86_alu_mi(e, RMT_X86_CMP, false, REG_CTX, CTX(depth), 0);
	rmt_jit_jcc(j, RMT_CC_E, rmt_jit_label_fixed(j, L_EXIT));
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
			rmt_jit_jmp(j, rmt_jit_label_pc(pc + 1 + in->imm));
		else
			rmt_jit_jmp(j, rmt_jit_label_pc(pc + 1 + in->off));
		return 0;
	case RMT_CALL:
		return emit_call(j, pc, in);
	case RMT_EXIT:
		emit_exit(j, pc);
		return 0;
	default:
		emit_cond(j, pc, in);
		return 0;
	}
}

int rmt_jit_emit_insn(struct jit *j, u32 pc)
{
	const struct rmt_insn *in = &j->prog->insns[pc];
	u32 label, cost;
	int err;

	if (j->slow || (j->flags[pc] & F_SEG_START)) {
		cost = j->slow ? 1 : j->seg_cost[pc];
		err = rmt_jit_add_stub(j, cost == 1 ? STUB_BUDGET : STUB_SEG,
				       pc, 0, (s32)cost, &label);
		if (err)
			return err;
		rmt_jit_fuse(j);
		rmt_x86_alu_ri(&j->e, RMT_X86_SUB, true, REG_BUDGET, (s32)cost);
		rmt_jit_jcc(j, RMT_CC_B, label);
	}
	switch (RMT_CLASS(in->code)) {
	case RMT_ALU:
	case RMT_ALU64:
		return emit_alu(j, in);
	case RMT_LD:
		rmt_x86_mov_ri64(&j->e, rmt_jit_reg_map[rmt_insn_dst(in)],
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
