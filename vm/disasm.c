// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * disasm.c - one instruction to text, named by the ISA table.
 */
#include <stdio.h>

#include "vm/asm.h"
#include "vm/isa_desc.h"

static void rmt_mem_operand(char *buf, size_t size, u8 reg, s16 off)
{
	if (off)
		snprintf(buf, size, "[%%r%u%+d]", reg, off);
	else
		snprintf(buf, size, "[%%r%u]", reg);
}

int rmt_disasm(const struct rmt_insn *insns, u32 n, u32 i, char *buf,
	       size_t size)
{
	const struct rmt_insn *in = &insns[i];
	const struct rmt_isa_entry *e;
	u8 dst = rmt_insn_dst(in), src = rmt_insn_src(in);
	char mem[32];
	int op;
	u64 wide;

	op = rmt_isa_decode(in, NULL);
	if (op < 0 || dst >= RMT_NR_REGS || src >= RMT_NR_REGS ||
	    (op == RMT_OP_LDDW &&
	     (i + 1 >= n || in[1].code || in[1].regs || in[1].off))) {
		snprintf(buf, size, "# invalid: %02x %02x %04x %08x", in->code,
			 in->regs, (u16)in->off, (u32)in->imm);
		return -EINVAL;
	}
	e = &rmt_isa[op];
	rmt_mem_operand(mem, sizeof(mem), e->form == RMT_FORM_LDX ? src : dst,
			in->off);
	switch (e->form) {
	case RMT_FORM_ALU_K:
		snprintf(buf, size, "%s %%r%u, %d", e->name, dst, in->imm);
		break;
	case RMT_FORM_ALU_X:
		snprintf(buf, size, "%s %%r%u, %%r%u", e->name, dst, src);
		break;
	case RMT_FORM_NEG:
	case RMT_FORM_END:
	case RMT_FORM_CALLX:
		snprintf(buf, size, "%s %%r%u", e->name, dst);
		break;
	case RMT_FORM_LDDW:
		wide = (u64)(u32)in[0].imm | (u64)(u32)in[1].imm << 32;
		snprintf(buf, size, "%s %%r%u, 0x%llx", e->name, dst,
			 (unsigned long long)wide);
		return 2;
	case RMT_FORM_LDX:
		snprintf(buf, size, "%s %%r%u, %s", e->name, dst, mem);
		break;
	case RMT_FORM_ST:
		snprintf(buf, size, "%s %s, %d", e->name, mem, in->imm);
		break;
	case RMT_FORM_STX:
	case RMT_FORM_ATOMIC:
		snprintf(buf, size, "%s %s, %%r%u", e->name, mem, src);
		break;
	case RMT_FORM_JA:
		snprintf(buf, size, "%s %+d", e->name, in->off);
		break;
	case RMT_FORM_JA32:
		snprintf(buf, size, "%s %+d", e->name, in->imm);
		break;
	case RMT_FORM_JMP_K:
		snprintf(buf, size, "%s %%r%u, %d, %+d", e->name, dst, in->imm,
			 in->off);
		break;
	case RMT_FORM_JMP_X:
		snprintf(buf, size, "%s %%r%u, %%r%u, %+d", e->name, dst, src,
			 in->off);
		break;
	case RMT_FORM_CALL:
		if (op == RMT_OP_CALL_LOCAL)
			snprintf(buf, size, "%s %+d", e->name, in->imm);
		else
			snprintf(buf, size, "%s %u", e->name, (u32)in->imm);
		break;
	default:
		snprintf(buf, size, "%s", e->name);
		break;
	}
	return 1;
}
