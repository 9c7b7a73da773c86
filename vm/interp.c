// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * interp.c - the RMT interpreter: runs a loaded program (prog->decoded)
 * with direct dispatch on the ISA table's op ids through computed goto,
 * with the run-time guards of vm.h (memory inside the stack or the given
 * regions, an instruction budget, bounded call depth).
 */
#include "vm/vm.h"
#include "vm/isa_desc.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the interpreter assumes a little-endian host (le16/le32/le64)"
#endif

struct rmt_frame {
	u64 saved[4]; /* r6-r9 of the caller */
	const struct rmt_insn *ret;
};

/* Inlined: an out-of-line call per access cost about 20% on region loops. */
static inline bool rmt_in_regions(const struct rmt_vm_run *run, u64 addr,
				  u64 size, bool write)
{
	u32 i;

	for (i = 0; i < run->n_regions; i++) {
		const struct rmt_vm_region *r = &run->regions[i];

		if (addr >= r->start && r->len >= size &&
		    addr - r->start <= r->len - size && (r->writable || !write))
			return true;
	}
	return false;
}

static inline void *rmt_ptr(u64 addr)
{
	return (void *)(unsigned long)addr;
}

static inline u32 rmt_sdiv32(u32 a, u32 b)
{
	if (!b)
		return 0;
	if ((s32)a == (s32)0x80000000 && (s32)b == -1)
		return a;
	return (u32)((s32)a / (s32)b);
}

static inline u32 rmt_smod32(u32 a, u32 b)
{
	if (!b)
		return a;
	if ((s32)b == -1)
		return 0;
	return (u32)((s32)a % (s32)b);
}

static inline u64 rmt_sdiv64(u64 a, u64 b)
{
	if (!b)
		return 0;
	if ((s64)a == (s64)0x8000000000000000ull && (s64)b == -1)
		return a;
	return (u64)((s64)a / (s64)b);
}

static inline u64 rmt_smod64(u64 a, u64 b)
{
	if (!b)
		return a;
	if ((s64)b == -1)
		return 0;
	return (u64)((s64)a % (s64)b);
}

int rmt_vm_exec(const struct rmt_prog *prog, struct rmt_vm_run *run)
{
	static const void *const labels[RMT_OP_COUNT] = {
#define RMT_X_LABEL(op, code, sel, selval, name, form, cost) \
	[RMT_OP_##op] = &&L_##op,
		RMT_ISA_TABLE(RMT_X_LABEL)
#undef RMT_X_LABEL
	};
	const struct rmt_insn *const base = prog->decoded;
	const struct rmt_insn *pc = base;
	struct rmt_frame frames[RMT_MAX_CALL_DEPTH];
	const struct rmt_helper *h;
	u64 reg[RMT_NR_REGS];
	u64 budget, left, stack_lo, a;
	const bool guard = !prog->verified;
	u32 depth = 0;
	int err;

	run->r0 = 0;
	run->executed = 0;
	run->error_pc = 0;
	if (!run->stack || !base)
		return -EINVAL;
	budget = run->budget ? run->budget : RMT_VM_DEFAULT_BUDGET;
	left = budget;
	stack_lo = (u64)(unsigned long)run->stack;
	memset(reg, 0, sizeof(reg));
	memcpy(&reg[1], run->args, sizeof(run->args));
	reg[RMT_REG_FP] = stack_lo + RMT_VM_STACK_BYTES;

#define DST reg[pc->regs & 0x0f]
#define SRC reg[pc->regs >> 4]
#define KIMM ((u64)(s64)pc->imm)
#define NEXT                             \
	do {                             \
		if (rmt_unlikely(!left)) \
			goto e_budget;   \
		left--;                  \
		goto *labels[pc->code];  \
	} while (0)
#define STEP          \
	do {          \
		pc++; \
		NEXT; \
	} while (0)
/* Checks [a, a + size) for the current instruction. */
#define GUARD(size, write)                                                 \
	do {                                                               \
		if (guard && a - stack_lo > RMT_VM_STACK_BYTES - (size) && \
		    !rmt_in_regions(run, a, size, write))                  \
			goto e_fault;                                      \
	} while (0)

#define ALU(NAME, EXPR32, EXPR64)                   \
	L_##NAME##32_K:                             \
	{                                           \
		u32 x = (u32)DST, y = (u32)pc->imm; \
		DST = (u32)(EXPR32);                \
		STEP;                               \
	}                                           \
	L_##NAME##32_X:                             \
	{                                           \
		u32 x = (u32)DST, y = (u32)SRC;     \
		DST = (u32)(EXPR32);                \
		STEP;                               \
	}                                           \
	L_##NAME##_K:                               \
	{                                           \
		u64 x = DST, y = KIMM;              \
		DST = (EXPR64);                     \
		STEP;                               \
	}                                           \
	L_##NAME##_X:                               \
	{                                           \
		u64 x = DST, y = SRC;               \
		DST = (EXPR64);                     \
		STEP;                               \
	}
#define JCC(NAME, T, COND)                      \
	L_##NAME##_K:                           \
	{                                       \
		T x = (T)DST, y = (T)KIMM;      \
		pc += (COND) ? pc->off + 1 : 1; \
		NEXT;                           \
	}                                       \
	L_##NAME##_X:                           \
	{                                       \
		T x = (T)DST, y = (T)SRC;       \
		pc += (COND) ? pc->off + 1 : 1; \
		NEXT;                           \
	}
#define JCC2(NAME, T, COND)    \
	JCC(NAME, T##64, COND) \
	JCC(NAME##32, T##32, COND)
#define LDX(NAME, T, EXT)                          \
	L_##NAME:                                  \
	{                                          \
		T v;                               \
		a = SRC + (u64)(s64)pc->off;       \
		GUARD(sizeof(T), false);           \
		memcpy(&v, rmt_ptr(a), sizeof(T)); \
		DST = (u64)(EXT)v;                 \
		STEP;                              \
	}
#define ST(NAME, T, VAL)                           \
	L_##NAME:                                  \
	{                                          \
		T v = (T)(VAL);                    \
		a = DST + (u64)(s64)pc->off;       \
		GUARD(sizeof(T), true);            \
		memcpy(rmt_ptr(a), &v, sizeof(T)); \
		STEP;                              \
	}
#define ATOMIC_PREP(T)               \
	a = DST + (u64)(s64)pc->off; \
	GUARD(sizeof(T), true);      \
	if (a & (sizeof(T) - 1))     \
		goto e_fault;
#define ATOMIC_OP(NAME, T, FN)                                       \
	L_ATOMIC_##NAME:                                             \
	{                                                            \
		ATOMIC_PREP(T);                                      \
		FN((T *)rmt_ptr(a), (T)SRC, __ATOMIC_SEQ_CST);       \
		STEP;                                                \
	}                                                            \
	L_ATOMIC_F##NAME:                                            \
	{                                                            \
		ATOMIC_PREP(T);                                      \
		SRC = FN((T *)rmt_ptr(a), (T)SRC, __ATOMIC_SEQ_CST); \
		STEP;                                                \
	}
#define ATOMIC_SIZE(SFX, T)                                                \
	ATOMIC_OP(ADD##SFX, T, __atomic_fetch_add)                         \
	ATOMIC_OP(OR##SFX, T, __atomic_fetch_or)                           \
	ATOMIC_OP(AND##SFX, T, __atomic_fetch_and)                         \
	ATOMIC_OP(XOR##SFX, T, __atomic_fetch_xor)                         \
	L_ATOMIC_XCHG##SFX:                                                \
	{                                                                  \
		ATOMIC_PREP(T);                                            \
		SRC = __atomic_exchange_n((T *)rmt_ptr(a), (T)SRC,         \
					  __ATOMIC_SEQ_CST);               \
		STEP;                                                      \
	}                                                                  \
	L_ATOMIC_CMPXCHG##SFX:                                             \
	{                                                                  \
		T old = (T)reg[0];                                         \
		ATOMIC_PREP(T);                                            \
		__atomic_compare_exchange_n((T *)rmt_ptr(a), &old, (T)SRC, \
					    false, __ATOMIC_SEQ_CST,       \
					    __ATOMIC_SEQ_CST);             \
		reg[0] = old;                                              \
		STEP;                                                      \
	}

	NEXT;

	ALU(ADD, x + y, x + y)
	ALU(SUB, x - y, x - y)
	ALU(MUL, x * y, x * y)
	ALU(DIV, y ? x / y : 0, y ? x / y : 0)
	ALU(SDIV, rmt_sdiv32(x, y), rmt_sdiv64(x, y))
	ALU(OR, x | y, x | y)
	ALU(AND, x & y, x & y)
	ALU(LSH, x << (y & 31), x << (y & 63))
	ALU(RSH, x >> (y & 31), x >> (y & 63))
	ALU(MOD, y ? x % y : x, y ? x % y : x)
	ALU(SMOD, rmt_smod32(x, y), rmt_smod64(x, y))
	ALU(XOR, x ^ y, x ^ y)
	ALU(ARSH, (s32)x >> (y & 31), (u64)((s64)x >> (y & 63)))
L_NEG32:
	DST = (u32)(0u - (u32)DST);
	STEP;
L_NEG:
	DST = 0 - DST;
	STEP;
L_MOV32_K:
	DST = (u32)pc->imm;
	STEP;
L_MOV32_X:
	DST = (u32)SRC;
	STEP;
L_MOV_K:
	DST = KIMM;
	STEP;
L_MOV_X:
	DST = SRC;
	STEP;
L_MOVSX8_32:
	DST = (u32)(s32)(s8)SRC;
	STEP;
L_MOVSX16_32:
	DST = (u32)(s32)(s16)SRC;
	STEP;
L_MOVSX8:
	DST = (u64)(s64)(s8)SRC;
	STEP;
L_MOVSX16:
	DST = (u64)(s64)(s16)SRC;
	STEP;
L_MOVSX32:
	DST = (u64)(s64)(s32)SRC;
	STEP;
L_LE16:
	DST = (u16)DST;
	STEP;
L_LE32:
	DST = (u32)DST;
	STEP;
L_LE64:
	STEP;
L_BE16:
L_BSWAP16:
	DST = __builtin_bswap16((u16)DST);
	STEP;
L_BE32:
L_BSWAP32:
	DST = __builtin_bswap32((u32)DST);
	STEP;
L_BE64:
L_BSWAP64:
	DST = __builtin_bswap64(DST);
	STEP;

L_JA:
	pc += pc->off + 1;
	NEXT;
L_JA32:
	pc += pc->imm + 1;
	NEXT;
	JCC2(JEQ, u, x == y)
	JCC2(JNE, u, x != y)
	JCC2(JSET, u, (x & y) != 0)
	JCC2(JGT, u, x > y)
	JCC2(JGE, u, x >= y)
	JCC2(JLT, u, x < y)
	JCC2(JLE, u, x <= y)
	JCC2(JSGT, s, x > y)
	JCC2(JSGE, s, x >= y)
	JCC2(JSLT, s, x < y)
	JCC2(JSLE, s, x <= y)

L_CALL:
	h = &prog->helpers->helpers[pc->imm];
	reg[0] = h->fn(run, reg[1], reg[2], reg[3], reg[4], reg[5]);
	STEP;
L_CALLX:
	h = DST >> 32 ? NULL : rmt_helper_find(prog->helpers, (u32)DST);
	if (!h) {
		err = -ENOENT;
		goto e_out;
	}
	reg[0] = h->fn(run, reg[1], reg[2], reg[3], reg[4], reg[5]);
	STEP;
L_CALL_LOCAL:
	if (depth + 1 >= RMT_MAX_CALL_DEPTH) {
		err = -ELOOP;
		goto e_out;
	}
	memcpy(frames[depth].saved, &reg[6], sizeof(frames[depth].saved));
	frames[depth].ret = pc + 1;
	depth++;
	reg[RMT_REG_FP] -= RMT_STACK_SIZE;
	pc += pc->imm + 1;
	NEXT;
L_EXIT:
	if (!depth) {
		run->r0 = reg[0];
		run->executed = budget - left;
		return 0;
	}
	depth--;
	memcpy(&reg[6], frames[depth].saved, sizeof(frames[depth].saved));
	reg[RMT_REG_FP] += RMT_STACK_SIZE;
	pc = frames[depth].ret;
	NEXT;

L_LDDW:
	DST = (u64)(u32)pc[0].imm | (u64)(u32)pc[1].imm << 32;
	pc += 2;
	NEXT;
	LDX(LDXW, u32, u64)
	LDX(LDXH, u16, u64)
	LDX(LDXB, u8, u64)
	LDX(LDXDW, u64, u64)
	LDX(LDXSW, s32, s64)
	LDX(LDXSH, s16, s64)
	LDX(LDXSB, s8, s64)
	ST(STW, u32, pc->imm)
	ST(STH, u16, pc->imm)
	ST(STB, u8, pc->imm)
	ST(STDW, u64, KIMM)
	ST(STXW, u32, SRC)
	ST(STXH, u16, SRC)
	ST(STXB, u8, SRC)
	ST(STXDW, u64, SRC)
	ATOMIC_SIZE(32, u32)
	ATOMIC_SIZE(64, u64)

e_budget:
	err = -E2BIG;
	goto e_out;
e_fault:
	err = -EFAULT;
e_out:
	run->error_pc = (u32)(pc - base);
	run->executed = budget - left;
	return err;

#undef DST
#undef SRC
#undef KIMM
#undef NEXT
#undef STEP
#undef GUARD
#undef ALU
#undef JCC
#undef JCC2
#undef LDX
#undef ST
#undef ATOMIC_PREP
#undef ATOMIC_OP
#undef ATOMIC_SIZE
}
