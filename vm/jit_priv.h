/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jit_priv.h - what the parts of the JIT compiler share: the compiler
 * state, labels and stubs (jit_labels.c), the per-instruction translation
 * (jit_insn.c), driven by jit.c.  See jit.c for the design.
 */
#ifndef RMT_VM_JIT_PRIV_H
#define RMT_VM_JIT_PRIV_H

#include <stddef.h>

#include "vm/jit_ctx.h"
#include "vm/x86_64/emit.h"

#define CTX(field) ((s32)offsetof(struct rmt_jit_ctx, field))

#define REG_CTX RMT_R12
#define REG_BUDGET RMT_R9
#define REG_AX RMT_R10 /* scratch: addresses */
#define REG_AUX RMT_R11 /* scratch: operands */

/* eBPF register n lives in host register rmt_jit_reg_map[n]. */
extern const u8 rmt_jit_reg_map[RMT_NR_REGS];

/* Shared labels after the per-slot ones. */
enum {
	L_EXIT, /* leave the program with r0 in rax */
	L_ERR_EXIT, /* leave with the error in r10d, its insn in r11d */
	L_RET, /* the epilogue, eax the return value */
	L_BUDGET_FAIL,
	L_GUARD_THUNK,
	L_FIXED
};

enum stub_kind {
	STUB_GUARD, /* call the guard; back on success */
	STUB_BUDGET, /* instruction unpaid: stop, the whole budget spent */
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
	bool has_calls; /* local calls */
	bool has_callx;
	bool uses_regions; /* guarded accesses read ctx->reg_* */
	bool uses_ctx; /* else the code has neither context nor frame */
	u16 used; /* eBPF registers the program names */
	u8 *flags; /* per slot */
	u32 *seg_cost; /* at a segment's first slot */
	u32 *seg_rest; /* instructions after this one in its segment */
	bool slow; /* emitting a segment's pay-as-you-go copy */
	/*
	 * Host registers of eBPF registers the program never names, holding
	 * region 0's start and its bound for the commonest access (cache_lg,
	 * cache_write) so that those guards need no memory operand; -1: none.
	 */
	s8 cache_start, cache_lim;
	/*
	 * Host registers of r1, r2 or r5 when the program never names them
	 * (no instruction uses them as scratch), holding the run and the
	 * budget it started with, so that the exit need not reload them
	 * from the context; -1: none, the context holds them.
	 */
	s8 run_reg, budget_reg;
	/*
	 * Where the instruction that sets the flags for the next jcc began
	 * (cmp + jcc run as one fused branch), or RMT_JIT_NO_FUSE.
	 */
	u32 fuse_start;
	u8 cache_lg;
	bool cache_write;
	char *log;
	size_t log_size;
};

#define F_SEG_START 0x01
#define F_CALL_TARGET 0x02
#define F_LDDW_HI 0x04
#define F_LOOP_HEAD 0x08 /* a backward jump's target */

static inline u32 rmt_jit_label_pc(u32 pc)
{
	return pc;
}

static inline u32 rmt_jit_label_fixed(const struct jit *j, u32 which)
{
	return j->prog->len + which;
}

/* The entry stub of a local call target. */
static inline u32 rmt_jit_label_entry(const struct jit *j, u32 pc)
{
	return j->prog->len + L_FIXED + pc;
}

/* log2 of the access size of a load or store */
static inline int rmt_jit_size_lg(u8 code)
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
static inline bool rmt_jit_static_stack_ok(int reg, s16 off, int size)
{
	return reg == RMT_REG_FP && off >= -RMT_STACK_SIZE && off + size <= 0;
}

#define RMT_JIT_NO_FUSE 0xffffffffu

/* The next jcc is fused with the flag-setting instruction emitted now. */
static inline void rmt_jit_fuse(struct jit *j)
{
	j->fuse_start = j->e.len;
}

int rmt_jit_new_label(struct jit *j, u32 *label);
/* Put label at the current position. */
void rmt_jit_place(struct jit *j, u32 label);
/* Displacement to label from the end of an instruction of len bytes. */
s32 rmt_jit_rel(struct jit *j, u32 label, u32 len);
/* Jumps with the shortest encoding the label's offset allows. */
void rmt_jit_jmp(struct jit *j, u32 label);
void rmt_jit_jcc(struct jit *j, enum rmt_x86_cc cc, u32 label);
/* A stub for instruction pc, emitted after the code; its label in *label. */
int rmt_jit_add_stub(struct jit *j, u8 kind, u32 pc, u32 back, s32 arg,
		     u32 *label);
/* Branch on cc to a stub that stops the run with err at pc. */
int rmt_jit_jcc_err(struct jit *j, enum rmt_x86_cc cc, u32 pc, s32 err);

/*
 * The rest of a guard, out of line: the inline areas the fast path did
 * not try, then rmt_jit_guard; back to s->back when the access is
 * allowed, else on with the error in r10d.
 */
void rmt_jit_emit_guard_stub(struct jit *j, const struct stub *s);

/* The code of instruction slot pc (with its segment's budget check). */
int rmt_jit_emit_insn(struct jit *j, u32 pc);

#endif /* RMT_VM_JIT_PRIV_H */
