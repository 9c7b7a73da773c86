// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * emit.c - x86-64 instruction encodings (Intel SDM vol. 2): prefixes,
 * REX, opcode, ModRM, SIB, displacement and immediate.
 */
#include "vm/x86_64/emit.h"

#define REX_W 0x08
#define REX_R 0x04
#define REX_B 0x01

static void emit_u16(struct rmt_x86 *e, u16 v)
{
	rmt_x86_byte(e, v & 0xff);
	rmt_x86_byte(e, v >> 8);
}

static void emit_u32(struct rmt_x86 *e, u32 v)
{
	emit_u16(e, v & 0xffff);
	emit_u16(e, v >> 16);
}

static bool fits8(s64 v)
{
	return v >= -128 && v <= 127;
}

#define BYTE_REG 1 /* ModRM.reg is an 8-bit register */
#define BYTE_RM 2 /* ModRM.rm is an 8-bit register */

/*
 * REX for reg (ModRM.reg) and rm (ModRM.rm or opcode register).  byte: which
 * operand is an 8-bit register; spl/bpl/sil/dil exist only with a REX.
 */
static void rex(struct rmt_x86 *e, bool w, int reg, int rm, int byte)
{
	u8 r = 0x40;

	if (w)
		r |= REX_W;
	if (reg & 8)
		r |= REX_R;
	if (rm & 8)
		r |= REX_B;
	if (r != 0x40 || ((byte & BYTE_REG) && (reg & 7) >= 4) ||
	    ((byte & BYTE_RM) && (rm & 7) >= 4))
		rmt_x86_byte(e, r);
}

static void modrm_rr(struct rmt_x86 *e, int reg, int rm)
{
	rmt_x86_byte(e, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

/* [base + disp]: rsp/r12 need a SIB byte, rbp/r13 a displacement. */
static void modrm_mem(struct rmt_x86 *e, int reg, int base, s32 disp)
{
	u8 mod;

	if (disp == 0 && (base & 7) != RMT_RBP)
		mod = 0x00;
	else if (fits8(disp))
		mod = 0x40;
	else
		mod = 0x80;
	rmt_x86_byte(e, mod | (reg & 7) << 3 | (base & 7));
	if ((base & 7) == RMT_RSP)
		rmt_x86_byte(e, 0x24);
	if (mod == 0x40)
		rmt_x86_byte(e, (u8)disp);
	else if (mod == 0x80)
		emit_u32(e, (u32)disp);
}

/* An instruction "op reg, rm" with rm a register. */
static void op_rr(struct rmt_x86 *e, bool w, u8 op, int reg, int rm)
{
	rex(e, w, reg, rm, 0);
	rmt_x86_byte(e, op);
	modrm_rr(e, reg, rm);
}

static void op_rr_0f(struct rmt_x86 *e, bool w, u8 op, int reg, int rm,
		     int byte)
{
	rex(e, w, reg, rm, byte);
	rmt_x86_byte(e, 0x0f);
	rmt_x86_byte(e, op);
	modrm_rr(e, reg, rm);
}

void rmt_x86_alu_rr(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int dst,
		    int src)
{
	/* 01 add, 09 or, 21 and, 29 sub, 31 xor, 39 cmp: "op r/m, reg" */
	op_rr(e, w, (u8)(op << 3 | 0x01), src, dst);
}

void rmt_x86_alu_ri(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int dst,
		    s32 imm)
{
	rex(e, w, 0, dst, 0);
	if (fits8(imm)) {
		rmt_x86_byte(e, 0x83);
		modrm_rr(e, op, dst);
		rmt_x86_byte(e, (u8)imm);
	} else {
		rmt_x86_byte(e, 0x81);
		modrm_rr(e, op, dst);
		emit_u32(e, (u32)imm);
	}
}

void rmt_x86_alu_rm(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int dst,
		    int base, s32 disp)
{
	rex(e, w, dst, base, 0);
	rmt_x86_byte(e, (u8)(op << 3 | 0x03));
	modrm_mem(e, dst, base, disp);
}

void rmt_x86_alu_mi(struct rmt_x86 *e, enum rmt_x86_alu op, bool w, int base,
		    s32 disp, s32 imm)
{
	rex(e, w, 0, base, 0);
	rmt_x86_byte(e, fits8(imm) ? 0x83 : 0x81);
	modrm_mem(e, op, base, disp);
	if (fits8(imm))
		rmt_x86_byte(e, (u8)imm);
	else
		emit_u32(e, (u32)imm);
}

void rmt_x86_mov_rr(struct rmt_x86 *e, bool w, int dst, int src)
{
	op_rr(e, w, 0x89, src, dst);
}

void rmt_x86_mov_ri(struct rmt_x86 *e, bool w, int dst, s32 imm)
{
	if (!w || imm >= 0) {
		/* b8+r id: zero-extends, and is the shortest form */
		rex(e, false, 0, dst, 0);
		rmt_x86_byte(e, 0xb8 | (dst & 7));
		emit_u32(e, (u32)imm);
		return;
	}
	rex(e, true, 0, dst, 0);
	rmt_x86_byte(e, 0xc7);
	modrm_rr(e, 0, dst);
	emit_u32(e, (u32)imm);
}

void rmt_x86_mov_ri64(struct rmt_x86 *e, int dst, u64 imm)
{
	if (imm <= 0xffffffffu) {
		rmt_x86_mov_ri(e, false, dst, (s32)(u32)imm);
		return;
	}
	if ((s64)imm >= -0x80000000ll && (s64)imm < 0) {
		rmt_x86_mov_ri(e, true, dst, (s32)imm);
		return;
	}
	rex(e, true, 0, dst, 0);
	rmt_x86_byte(e, 0xb8 | (dst & 7));
	emit_u32(e, (u32)imm);
	emit_u32(e, (u32)(imm >> 32));
}

void rmt_x86_test_rr(struct rmt_x86 *e, bool w, int dst, int src)
{
	op_rr(e, w, 0x85, src, dst);
}

void rmt_x86_test_ri(struct rmt_x86 *e, bool w, int dst, s32 imm)
{
	rex(e, w, 0, dst, 0);
	rmt_x86_byte(e, 0xf7);
	modrm_rr(e, 0, dst);
	emit_u32(e, (u32)imm);
}

void rmt_x86_neg(struct rmt_x86 *e, bool w, int dst)
{
	rex(e, w, 0, dst, 0);
	rmt_x86_byte(e, 0xf7);
	modrm_rr(e, 3, dst);
}

void rmt_x86_imul_rr(struct rmt_x86 *e, bool w, int dst, int src)
{
	op_rr_0f(e, w, 0xaf, dst, src, 0);
}

void rmt_x86_cmov_rr(struct rmt_x86 *e, enum rmt_x86_cc cc, bool w, int dst,
		     int src)
{
	op_rr_0f(e, w, (u8)(0x40 | cc), dst, src, 0);
}

void rmt_x86_imul_rri(struct rmt_x86 *e, bool w, int dst, int src, s32 imm)
{
	rex(e, w, dst, src, 0);
	if (fits8(imm)) {
		rmt_x86_byte(e, 0x6b);
		modrm_rr(e, dst, src);
		rmt_x86_byte(e, (u8)imm);
	} else {
		rmt_x86_byte(e, 0x69);
		modrm_rr(e, dst, src);
		emit_u32(e, (u32)imm);
	}
}

void rmt_x86_div(struct rmt_x86 *e, bool w, bool sign, int src)
{
	rex(e, w, 0, src, 0);
	rmt_x86_byte(e, 0xf7);
	modrm_rr(e, sign ? 7 : 6, src);
}

void rmt_x86_cdq(struct rmt_x86 *e, bool w)
{
	if (w)
		rmt_x86_byte(e, 0x40 | REX_W);
	rmt_x86_byte(e, 0x99);
}

void rmt_x86_shift_ri(struct rmt_x86 *e, enum rmt_x86_shift op, bool w, int dst,
		      u8 imm)
{
	rex(e, w, 0, dst, 0);
	rmt_x86_byte(e, 0xc1);
	modrm_rr(e, op, dst);
	rmt_x86_byte(e, imm);
}

void rmt_x86_shift_cl(struct rmt_x86 *e, enum rmt_x86_shift op, bool w, int dst)
{
	rex(e, w, 0, dst, 0);
	rmt_x86_byte(e, 0xd3);
	modrm_rr(e, op, dst);
}

void rmt_x86_rol16_8(struct rmt_x86 *e, int dst)
{
	rmt_x86_byte(e, 0x66);
	rmt_x86_shift_ri(e, RMT_X86_ROL, false, dst, 8);
}

void rmt_x86_bswap(struct rmt_x86 *e, bool w, int dst)
{
	rex(e, w, 0, dst, 0);
	rmt_x86_byte(e, 0x0f);
	rmt_x86_byte(e, 0xc8 | (dst & 7));
}

void rmt_x86_movzx_rr(struct rmt_x86 *e, int bits, int dst, int src)
{
	if (bits == 32)
		rmt_x86_mov_rr(e, false, dst, src);
	else
		op_rr_0f(e, false, bits == 8 ? 0xb6 : 0xb7, dst, src,
			 bits == 8 ? BYTE_RM : 0);
}

void rmt_x86_movsx_rr(struct rmt_x86 *e, int bits, bool w, int dst, int src)
{
	if (bits == 32)
		op_rr(e, true, 0x63, dst, src); /* movsxd */
	else
		op_rr_0f(e, w, bits == 8 ? 0xbe : 0xbf, dst, src,
			 bits == 8 ? BYTE_RM : 0);
}

void rmt_x86_load(struct rmt_x86 *e, int size, bool sign, int dst, int base,
		  s32 disp)
{
	switch (size) {
	case 1:
	case 2:
		rex(e, sign, dst, base, 0);
		rmt_x86_byte(e, 0x0f);
		rmt_x86_byte(e, (sign ? 0xbe : 0xb6) | (size == 2));
		break;
	case 4:
		rex(e, sign, dst, base, 0);
		rmt_x86_byte(e, sign ? 0x63 : 0x8b);
		break;
	default:
		rex(e, true, dst, base, 0);
		rmt_x86_byte(e, 0x8b);
		break;
	}
	modrm_mem(e, dst, base, disp);
}

void rmt_x86_store(struct rmt_x86 *e, int size, int base, s32 disp, int src)
{
	if (size == 2)
		rmt_x86_byte(e, 0x66);
	rex(e, size == 8, src, base, size == 1 ? BYTE_REG : 0);
	rmt_x86_byte(e, size == 1 ? 0x88 : 0x89);
	modrm_mem(e, src, base, disp);
}

void rmt_x86_store_imm(struct rmt_x86 *e, int size, int base, s32 disp, s32 imm)
{
	if (size == 2)
		rmt_x86_byte(e, 0x66);
	rex(e, size == 8, 0, base, 0);
	rmt_x86_byte(e, size == 1 ? 0xc6 : 0xc7);
	modrm_mem(e, 0, base, disp);
	if (size == 1)
		rmt_x86_byte(e, (u8)imm);
	else if (size == 2)
		emit_u16(e, (u16)imm);
	else
		emit_u32(e, (u32)imm);
}

void rmt_x86_lea(struct rmt_x86 *e, int dst, int base, s32 disp)
{
	rex(e, true, dst, base, 0);
	rmt_x86_byte(e, 0x8d);
	modrm_mem(e, dst, base, disp);
}

static void mem_op(struct rmt_x86 *e, bool lock, int size, const u8 *op,
		   int nop, int base, s32 disp, int reg)
{
	int i;

	if (lock)
		rmt_x86_byte(e, 0xf0);
	rex(e, size == 8, reg, base, 0);
	for (i = 0; i < nop; i++)
		rmt_x86_byte(e, op[i]);
	modrm_mem(e, reg, base, disp);
}

void rmt_x86_lock_alu(struct rmt_x86 *e, enum rmt_x86_alu op, int size,
		      int base, s32 disp, int src)
{
	u8 code = (u8)(op << 3 | 0x01);

	mem_op(e, true, size, &code, 1, base, disp, src);
}

void rmt_x86_lock_xadd(struct rmt_x86 *e, int size, int base, s32 disp, int src)
{
	static const u8 code[] = { 0x0f, 0xc1 };

	mem_op(e, true, size, code, 2, base, disp, src);
}

void rmt_x86_xchg(struct rmt_x86 *e, int size, int base, s32 disp, int src)
{
	static const u8 code[] = { 0x87 }; /* locked without a prefix */

	mem_op(e, false, size, code, 1, base, disp, src);
}

void rmt_x86_lock_cmpxchg(struct rmt_x86 *e, int size, int base, s32 disp,
			  int src)
{
	static const u8 code[] = { 0x0f, 0xb1 };

	mem_op(e, true, size, code, 2, base, disp, src);
}

void rmt_x86_nops_at(struct rmt_x86 *e, u32 at, u32 n)
{
	static const u8 nops[9][9] = {
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	u32 k;

	if (e->buf && e->len + n <= e->cap) {
		memmove(e->buf + at + n, e->buf + at, e->len - at);
		while (n) {
			k = n < 9 ? n : 9;
			memcpy(e->buf + at, nops[k - 1], k);
			at += k;
			n -= k;
			e->len += k;
		}
		return;
	}
	e->len += n;
}

void rmt_x86_push(struct rmt_x86 *e, int reg)
{
	rex(e, false, 0, reg, 0);
	rmt_x86_byte(e, 0x50 | (reg & 7));
}

void rmt_x86_pop(struct rmt_x86 *e, int reg)
{
	rex(e, false, 0, reg, 0);
	rmt_x86_byte(e, 0x58 | (reg & 7));
}

void rmt_x86_call_r(struct rmt_x86 *e, int reg)
{
	rex(e, false, 0, reg, 0);
	rmt_x86_byte(e, 0xff);
	modrm_rr(e, 2, reg);
}

void rmt_x86_ret(struct rmt_x86 *e)
{
	rmt_x86_byte(e, 0xc3);
}

void rmt_x86_jmp8(struct rmt_x86 *e, s8 rel)
{
	rmt_x86_byte(e, 0xeb);
	rmt_x86_byte(e, (u8)rel);
}

void rmt_x86_jmp32(struct rmt_x86 *e, s32 rel)
{
	rmt_x86_byte(e, 0xe9);
	emit_u32(e, (u32)rel);
}

void rmt_x86_jcc8(struct rmt_x86 *e, enum rmt_x86_cc cc, s8 rel)
{
	rmt_x86_byte(e, 0x70 | cc);
	rmt_x86_byte(e, (u8)rel);
}

void rmt_x86_jcc32(struct rmt_x86 *e, enum rmt_x86_cc cc, s32 rel)
{
	rmt_x86_byte(e, 0x0f);
	rmt_x86_byte(e, 0x80 | cc);
	emit_u32(e, (u32)rel);
}

void rmt_x86_call32(struct rmt_x86 *e, s32 rel)
{
	rmt_x86_byte(e, 0xe8);
	emit_u32(e, (u32)rel);
}
