// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * isa.c - the ISA table as an array of descriptors, and the decoder.
 */
#include "vm/isa_desc.h"

const struct rmt_isa_entry rmt_isa[RMT_OP_COUNT] = {
#define RMT_X_ENTRY(op, c, s, sv, n, f, cst)    \
	[RMT_OP_##op] = { .name = n,            \
			  .code = c,            \
			  .sel = RMT_SEL_##s,   \
			  .form = RMT_FORM_##f, \
			  .cost = cst,          \
			  .selval = sv },
	RMT_ISA_TABLE(RMT_X_ENTRY)
#undef RMT_X_ENTRY
};

const u8 rmt_isa_form_fields[RMT_FORM_COUNT] = {
	[RMT_FORM_ALU_K] = RMT_F_DST | RMT_F_IMM,
	[RMT_FORM_ALU_X] = RMT_F_DST | RMT_F_SRC,
	[RMT_FORM_NEG] = RMT_F_DST,
	[RMT_FORM_END] = RMT_F_DST,
	[RMT_FORM_LDDW] = RMT_F_DST | RMT_F_IMM,
	[RMT_FORM_LDX] = RMT_F_DST | RMT_F_SRC | RMT_F_OFF,
	[RMT_FORM_ST] = RMT_F_DST | RMT_F_OFF | RMT_F_IMM,
	[RMT_FORM_STX] = RMT_F_DST | RMT_F_SRC | RMT_F_OFF,
	[RMT_FORM_ATOMIC] = RMT_F_DST | RMT_F_SRC | RMT_F_OFF,
	[RMT_FORM_JA] = RMT_F_OFF,
	[RMT_FORM_JA32] = RMT_F_IMM,
	[RMT_FORM_JMP_K] = RMT_F_DST | RMT_F_OFF | RMT_F_IMM,
	[RMT_FORM_JMP_X] = RMT_F_DST | RMT_F_SRC | RMT_F_OFF,
	[RMT_FORM_CALL] = RMT_F_IMM,
	[RMT_FORM_CALLX] = RMT_F_DST,
	[RMT_FORM_EXIT] = 0,
};

static s32 rmt_field(const struct rmt_insn *insn, u8 field)
{
	switch (field) {
	case RMT_F_DST:
		return rmt_insn_dst(insn);
	case RMT_F_SRC:
		return rmt_insn_src(insn);
	case RMT_F_OFF:
		return insn->off;
	default:
		return insn->imm;
	}
}

const char *rmt_isa_field_name(u8 field)
{
	switch (field) {
	case RMT_F_DST:
		return "dst";
	case RMT_F_SRC:
		return "src";
	case RMT_F_OFF:
		return "off";
	default:
		return "imm";
	}
}

int rmt_isa_decode(const struct rmt_insn *insn, u8 *bad_field)
{
	u8 f, reserved;
	int op;

	for (op = 0; op < RMT_OP_COUNT; op++) {
		const struct rmt_isa_entry *e = &rmt_isa[op];

		if (e->code != insn->code)
			continue;
		if (e->sel != RMT_SEL_NONE &&
		    rmt_field(insn, e->sel) != e->selval)
			continue;
		reserved = rmt_isa_reserved((enum rmt_op)op);
		for (f = RMT_F_DST; f <= RMT_F_IMM; f <<= 1) {
			if ((reserved & f) && rmt_field(insn, f) != 0) {
				if (bad_field)
					*bad_field = f;
				return -EINVAL;
			}
		}
		return op;
	}
	return -ENOENT;
}
