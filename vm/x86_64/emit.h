/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * emit.h - an x86-64 instruction encoder for the JIT: the handful of
 * general-purpose instructions it needs, with REX, ModRM, SIB and
 * displacement chosen here so that the compiler never spells bytes.
 *
 * An emitter with no buffer only counts bytes (the sizing passes of the
 * compiler); one with a buffer also writes them.
 */
#ifndef RMT_VM_X86_64_EMIT_H
#define RMT_VM_X86_64_EMIT_H

#include "port/rmt_port.h"

enum rmt_x86_reg {
	RMT_RAX,
	RMT_RCX,
	RMT_RDX,
	RMT_RBX,
	RMT_RSP,
	RMT_RBP,
	RMT_RSI,
	RMT_RDI,
	RMT_R8,
	RMT_R9,
	RMT_R10,
	RMT_R11,
	RMT_R12,
	RMT_R13,
	RMT_R14,
	RMT_R15,
};

/* Group-1 arithmetic: the ModRM /digit of the 0x81/0x83 forms. */
enum rmt_x86_alu {
	RMT_X86_ADD = 0,
	RMT_X86_OR = 1,
	RMT_X86_AND = 4,
	RMT_X86_SUB = 5,
	RMT_X86_XOR = 6,
	RMT_X86_CMP = 7,
};

/* Group-2 shifts: the ModRM /digit of 0xc1/0xd3. */
enum rmt_x86_shift {
	RMT_X86_ROL = 0,
	RMT_X86_SHL = 4,
	RMT_X86_SHR = 5,
	RMT_X86_SAR = 7,
};

/* Condition codes (the low nibble of Jcc). */
enum rmt_x86_cc {
	RMT_CC_B = 0x2,
	RMT_CC_AE = 0x3,
	RMT_CC_E = 0x4,
	RMT_CC_NE = 0x5,
	RMT_CC_BE = 0x6,
	RMT_CC_A = 0x7,
	RMT_CC_L = 0xc,
	RMT_CC_GE = 0xd,
	RMT_CC_LE = 0xe,
	RMT_CC_G = 0xf,
};

struct rmt_x86 {
	u8 *buf; /* NULL: count only */
	u32 len;
	u32 cap;
};

/* Inline: every encoding goes through here, many times per compile. */
static inline void rmt_x86_byte(struct rmt_x86 *e, u8 b)
{
	if (e->buf && e->len < e->cap)
		e->buf[e->len] = b;
	e->len++;
}

/* Register-register and register-immediate arithmetic; w: 64-bit. */
void rmt_x86_alu_rr(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int dst,
		    int src);
void rmt_x86_alu_ri(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int dst,
		    s32 imm);
/* dst op= qword/dword [base + disp] */
void rmt_x86_alu_rm(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int dst,
		    int base, s32 disp);
/* dword/qword [base + disp] op= imm */
void rmt_x86_alu_mi(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int base,
		    s32 disp, s32 imm);
void rmt_x86_mov_rr(struct rmt_x86 *e, bool w, int dst, int src);
/* w: the 64-bit value imm sign-extended; !w: imm as 32 bits, zero-extended */
void rmt_x86_mov_ri(struct rmt_x86 *e, bool w, int dst, s32 imm);
void rmt_x86_mov_ri64(struct rmt_x86 *e, int dst, u64 imm);
void rmt_x86_test_rr(struct rmt_x86 *e, bool w, int dst, int src);
void rmt_x86_test_ri(struct rmt_x86 *e, bool w, int dst, s32 imm);
void rmt_x86_neg(struct rmt_x86 *e, bool w, int dst);
void rmt_x86_imul_rr(struct rmt_x86 *e, bool w, int dst, int src);
/* dst = src when cc holds */
void rmt_x86_cmov_rr(struct rmt_x86 *e, enum rmt_x86_cc cc, bool w, int dst,
		     int src);
void rmt_x86_imul_rri(struct rmt_x86 *e, bool w, int dst, int src, s32 imm);
/* rdx:rax / src: div (unsigned) or idiv (signed) */
void rmt_x86_div(struct rmt_x86 *e, bool w, bool sign, int src);
/* Sign-extend rax into rdx (cqo) or eax into edx (cdq). */
void rmt_x86_cdq(struct rmt_x86 *e, bool w);
void rmt_x86_shift_ri(struct rmt_x86 *e, enum rmt_x86_shift op, bool w, int dst,
		      u8 imm);
void rmt_x86_shift_cl(struct rmt_x86 *e, enum rmt_x86_shift op, bool w,
		      int dst);
/* rol r16, 8: swaps the two low bytes */
void rmt_x86_rol16_8(struct rmt_x86 *e, int dst);
void rmt_x86_bswap(struct rmt_x86 *e, bool w, int dst);
/* Register extension: bits 8, 16 or 32 of src into dst (w: 64-bit dst). */
void rmt_x86_movzx_rr(struct rmt_x86 *e, int bits, int dst, int src);
void rmt_x86_movsx_rr(struct rmt_x86 *e, int bits, bool w, int dst, int src);

/* Loads of 1, 2, 4 or 8 bytes, zero- or sign-extended to 64 bits. */
void rmt_x86_load(struct rmt_x86 *e, int size, bool sign, int dst, int base,
		  s32 disp);
void rmt_x86_store(struct rmt_x86 *e, int size, int base, s32 disp, int src);
void rmt_x86_store_imm(struct rmt_x86 *e, int size, int base, s32 disp,
		       s32 imm);
void rmt_x86_lea(struct rmt_x86 *e, int dst, int base, s32 disp);

/* Atomic read-modify-write on [base + disp], size 4 or 8. */
void rmt_x86_lock_alu(struct rmt_x86 *e, enum rmt_x86_alu op, int size,
		      int base, s32 disp, int src);
void rmt_x86_lock_xadd(struct rmt_x86 *e, int size, int base, s32 disp,
		       int src);
void rmt_x86_xchg(struct rmt_x86 *e, int size, int base, s32 disp, int src);
void rmt_x86_lock_cmpxchg(struct rmt_x86 *e, int size, int base, s32 disp,
			  int src);

/*
 * Insert n bytes of NOPs (the SDM's multi-byte forms) at offset at,
 * moving what was emitted from there on.
 */
void rmt_x86_nops_at(struct rmt_x86 *e, u32 at, u32 n);

void rmt_x86_push(struct rmt_x86 *e, int reg);
void rmt_x86_pop(struct rmt_x86 *e, int reg);
void rmt_x86_call_r(struct rmt_x86 *e, int reg);
void rmt_x86_ret(struct rmt_x86 *e);

/*
 * Relative control transfers.  rel is measured from the end of the
 * instruction; the short forms need it to fit in a signed byte.
 */
void rmt_x86_jmp8(struct rmt_x86 *e, s8 rel);
void rmt_x86_jmp32(struct rmt_x86 *e, s32 rel);
void rmt_x86_jcc8(struct rmt_x86 *e, enum rmt_x86_cc cc, s8 rel);
void rmt_x86_jcc32(struct rmt_x86 *e, enum rmt_x86_cc cc, s32 rel);
void rmt_x86_call32(struct rmt_x86 *e, s32 rel);

#define RMT_X86_JMP8_LEN 2
#define RMT_X86_JMP32_LEN 5
#define RMT_X86_JCC8_LEN 2
#define RMT_X86_JCC32_LEN 6
#define RMT_X86_CALL_LEN 5

#endif /* RMT_VM_X86_64_EMIT_H */
