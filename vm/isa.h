/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * isa.h - the eBPF instruction encoding (RFC 9669) as rmt uses it: the
 * instruction word and the opcode field constants.  Which opcodes are
 * valid, their names and costs live in the ISA table (isa_table.h), not
 * here.
 */
#ifndef RMT_VM_ISA_H
#define RMT_VM_ISA_H

#include "port/rmt_port.h"

/* One 64-bit instruction slot, little-endian; lddw takes two slots. */
struct rmt_insn {
	u8 code;
	u8 regs; /* dst in the low nibble, src in the high nibble */
	s16 off;
	s32 imm;
};

_Static_assert(sizeof(struct rmt_insn) == 8, "instruction slot is 8 bytes");

static inline u8 rmt_insn_dst(const struct rmt_insn *i)
{
	return i->regs & 0x0f;
}

static inline u8 rmt_insn_src(const struct rmt_insn *i)
{
	return i->regs >> 4;
}

#define RMT_NR_REGS 11 /* r0..r10; r10 is the read-only frame pointer */
#define RMT_REG_FP 10
#define RMT_STACK_SIZE 512 /* bytes per frame */
#define RMT_MAX_CALL_DEPTH 8 /* frames, the entry frame included */
#define RMT_MAX_INSNS 65536

/* Instruction classes (code & 0x07). */
#define RMT_CLASS(code) ((code)&0x07)
#define RMT_LD 0x00
#define RMT_LDX 0x01
#define RMT_ST 0x02
#define RMT_STX 0x03
#define RMT_ALU 0x04
#define RMT_JMP 0x05
#define RMT_JMP32 0x06
#define RMT_ALU64 0x07

/* Arithmetic and jump instructions: source (code & 0x08), op (code & 0xf0). */
#define RMT_SRC(code) ((code)&0x08)
#define RMT_K 0x00
#define RMT_X 0x08
#define RMT_OP(code) ((code)&0xf0)

#define RMT_ADD 0x00
#define RMT_SUB 0x10
#define RMT_MUL 0x20
#define RMT_DIV 0x30 /* off 1: signed */
#define RMT_OR 0x40
#define RMT_AND 0x50
#define RMT_LSH 0x60
#define RMT_RSH 0x70
#define RMT_NEG 0x80
#define RMT_MOD 0x90 /* off 1: signed */
#define RMT_XOR 0xa0
#define RMT_MOV 0xb0 /* off 8/16/32: sign-extending move */
#define RMT_ARSH 0xc0
#define RMT_END 0xd0 /* ALU: to_le (K) / to_be (X); ALU64: bswap */

#define RMT_JA 0x00
#define RMT_JEQ 0x10
#define RMT_JGT 0x20
#define RMT_JGE 0x30
#define RMT_JSET 0x40
#define RMT_JNE 0x50
#define RMT_JSGT 0x60
#define RMT_JSGE 0x70
#define RMT_CALL 0x80 /* src 0: helper by id; src 1: local (pc-relative imm) */
#define RMT_EXIT 0x90
#define RMT_JLT 0xa0
#define RMT_JLE 0xb0
#define RMT_JSLT 0xc0
#define RMT_JSLE 0xd0

#define RMT_CALL_HELPER 0
#define RMT_CALL_LOCAL 1

/* Load and store instructions: size (code & 0x18), mode (code & 0xe0). */
#define RMT_SIZE(code) ((code)&0x18)
#define RMT_W 0x00
#define RMT_H 0x08
#define RMT_B 0x10
#define RMT_DW 0x18
#define RMT_MODE(code) ((code)&0xe0)
#define RMT_IMM 0x00 /* lddw */
#define RMT_MEM 0x60
#define RMT_MEMSX 0x80
#define RMT_ATOMIC 0xc0

/* Atomic operations (imm of an RMT_ATOMIC store). */
#define RMT_FETCH 0x01
#define RMT_XCHG (0xe0 | RMT_FETCH)
#define RMT_CMPXCHG (0xf0 | RMT_FETCH)

#endif /* RMT_VM_ISA_H */
