/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * isa_desc.h - the ISA table (isa_table.h) as data: one enum value and one
 * descriptor per valid instruction, and the decoder that maps an encoded
 * instruction to its descriptor, checking that reserved fields are zero.
 */
#ifndef RMT_VM_ISA_DESC_H
#define RMT_VM_ISA_DESC_H

#include "vm/isa.h"
#include "vm/isa_table.h"

enum rmt_op {
#define RMT_X_ENUM(op, code, sel, selval, name, form, cost) RMT_OP_##op,
	RMT_ISA_TABLE(RMT_X_ENUM)
#undef RMT_X_ENUM
	RMT_OP_COUNT
};

_Static_assert(RMT_OP_COUNT < 0xff,
	       "op ids fit the code byte, 0xff is lddw's second slot");

/* Instruction fields, as bits of a mask. */
#define RMT_F_DST (1u << 0)
#define RMT_F_SRC (1u << 1)
#define RMT_F_OFF (1u << 2)
#define RMT_F_IMM (1u << 3)

/* Which field tells instructions with the same code apart. */
enum rmt_sel {
	RMT_SEL_NONE = 0,
	RMT_SEL_OFF = RMT_F_OFF,
	RMT_SEL_IMM = RMT_F_IMM,
	RMT_SEL_SRC = RMT_F_SRC,
};

/* Operand forms: the comment lists the operand fields. */
enum rmt_form {
	RMT_FORM_ALU_K, /* dst, imm */
	RMT_FORM_ALU_X, /* dst, src */
	RMT_FORM_NEG, /* dst */
	RMT_FORM_END, /* dst (width in imm, the selector) */
	RMT_FORM_LDDW, /* dst, imm of both slots */
	RMT_FORM_LDX, /* dst, [src + off] */
	RMT_FORM_ST, /* [dst + off], imm */
	RMT_FORM_STX, /* [dst + off], src */
	RMT_FORM_ATOMIC, /* [dst + off], src (operation in imm) */
	RMT_FORM_JA, /* off */
	RMT_FORM_JA32, /* imm */
	RMT_FORM_JMP_K, /* dst, imm, off */
	RMT_FORM_JMP_X, /* dst, src, off */
	RMT_FORM_CALL, /* imm: helper id or pc-relative target */
	RMT_FORM_CALLX, /* dst holds the helper id */
	RMT_FORM_EXIT, /* none */
	RMT_FORM_COUNT
};

struct rmt_isa_entry {
	const char *name;
	u8 code;
	u8 sel; /* enum rmt_sel */
	u8 form; /* enum rmt_form */
	u8 cost;
	s32 selval;
};

extern const struct rmt_isa_entry rmt_isa[RMT_OP_COUNT];

/* Operand fields of each form (RMT_F_* mask). */
extern const u8 rmt_isa_form_fields[RMT_FORM_COUNT];

/* Fields that must be zero in an instruction of op. */
static inline u8 rmt_isa_reserved(enum rmt_op op)
{
	const struct rmt_isa_entry *e = &rmt_isa[op];

	return (u8)(~(rmt_isa_form_fields[e->form] | e->sel) &
		    (RMT_F_DST | RMT_F_SRC | RMT_F_OFF | RMT_F_IMM));
}

/*
 * The op of insn: >= 0, or -ENOENT when no table entry has its code (and
 * selector value), or -EINVAL when a reserved field is not zero; then
 * *bad_field (if not NULL) is that field's RMT_F_* bit.
 */
int rmt_isa_decode(const struct rmt_insn *insn, u8 *bad_field);

/* Name of a field bit, for messages. */
const char *rmt_isa_field_name(u8 field);

#endif /* RMT_VM_ISA_DESC_H */
