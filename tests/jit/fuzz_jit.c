// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_jit.c - libFuzzer target: bytes as a program; when rmt_prog_load
 * accepts it, the interpreter and the JIT run it from the same memory
 * (guards on, a small budget, two regions) and must agree on the error,
 * error_pc, r0, executed count and every byte of memory.  Half of the
 * inputs are first repaired into mostly valid instructions (opcodes from
 * the ISA table, reserved fields cleared, registers and offsets brought
 * into range), so that the engines, not the loader, get the mutations.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/isa_desc.h"
#include "vm/jit.h"

#define MAX_SLOTS 256

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static u64 fuzz_helper(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d,
		       u64 e)
{
	return (a ^ b) + c * 3 - d + (e << 1);
}

static const struct rmt_helper fuzz_helpers[] = {
	{ .id = 1, .cost = 1, .fn = fuzz_helper, .name = "mix" },
	{ .id = 5, .cost = 1, .fn = fuzz_helper, .name = "mix5" },
};
static const struct rmt_helper_set fuzz_set = { fuzz_helpers, 2 };

struct mem {
	u64 stack[RMT_VM_STACK_BYTES / 8];
	u64 rw[8];
	u64 ro[4];
};

struct result {
	int ret;
	u64 r0, executed;
	u32 error_pc;
};

static struct result run(const struct rmt_prog *prog, struct mem *m, bool jit)
{
	struct rmt_vm_region regions[2] = {
		{ (u64)(uintptr_t)m->rw, sizeof(m->rw), true },
		{ (u64)(uintptr_t)m->ro, sizeof(m->ro), false },
	};
	struct rmt_vm_run r = {
		.args = { regions[0].start, sizeof(m->rw), regions[1].start },
		.regions = regions,
		.n_regions = 2,
		.budget = 1000,
		.stack = m->stack,
	};
	struct result res;
	u32 i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 4; i++)
		m->ro[i] = 0x0123456789abcdefull * (i + 1);
	res.ret = jit ? rmt_jit_exec(prog, &r) : rmt_vm_exec(prog, &r);
	res.r0 = r.r0;
	res.executed = r.executed;
	res.error_pc = r.error_pc;
	return res;
}

static s32 wrap(s32 v, s32 span)
{
	return v % span;
}

/* Rewrite slot i from its raw bytes; returns the slots it took. */
static u32 repair(struct rmt_insn *code, u32 i, u32 n)
{
	struct rmt_insn *in = &code[i];
	enum rmt_op op = (enum rmt_op)(in->code % RMT_OP_COUNT);
	const struct rmt_isa_entry *e = &rmt_isa[op];
	u8 reserved = rmt_isa_reserved(op);

	in->code = e->code;
	in->regs = (u8)((in->regs >> 4) % RMT_NR_REGS << 4 |
			(in->regs & 0xf) % RMT_NR_REGS);
	in->off = (s16)wrap(
		in->off, e->form == RMT_FORM_JA || e->form == RMT_FORM_JMP_K ||
					 e->form == RMT_FORM_JMP_X ?
				 12 :
				 600);
	if (e->form == RMT_FORM_JA32 || op == RMT_OP_CALL_LOCAL)
		in->imm = wrap(in->imm, 12);
	if (op == RMT_OP_CALL)
		in->imm = in->imm & 1 ? 1 : 5;
	if (reserved & RMT_F_DST)
		in->regs &= 0xf0;
	if (reserved & RMT_F_SRC)
		in->regs &= 0x0f;
	if (reserved & RMT_F_OFF)
		in->off = 0;
	if (reserved & RMT_F_IMM)
		in->imm = 0;
	if (e->sel == RMT_SEL_OFF)
		in->off = (s16)e->selval;
	else if (e->sel == RMT_SEL_IMM)
		in->imm = e->selval;
	else if (e->sel == RMT_SEL_SRC)
		in->regs = (u8)((in->regs & 0x0f) | e->selval << 4);
	if (op != RMT_OP_LDDW || i + 1 >= n)
		return 1;
	in[1].code = 0;
	in[1].regs = 0;
	in[1].off = 0;
	return 2;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct rmt_insn fixed[MAX_SLOTS];
	static struct mem m, after_interp;
	struct result a, b;
	struct rmt_prog prog;
	char log[256];

	u32 i, n;

	if (size % 8 && size > 8 && (data[0] & 1))
		size -= size % 8;
	if (size >= 8 && (data[0] & 2) && size / 8 <= MAX_SLOTS) {
		n = (u32)(size / 8);
		memcpy(fixed, data, n * 8);
		for (i = 0; i < n; i += repair(fixed, i, n))
			;
		fixed[n - 1].code = RMT_JMP | RMT_EXIT;
		fixed[n - 1].regs = 0;
		fixed[n - 1].off = 0;
		fixed[n - 1].imm = 0;
		data = (const u8 *)fixed;
		size = n * 8;
	}
	if (rmt_prog_load(&prog, data, size, &fuzz_set, log, sizeof(log)))
		return 0;
	if (rmt_jit_compile(&prog, log, sizeof(log)))
		abort(); /* every loaded program must compile */
	a = run(&prog, &m, false);
	after_interp = m;
	b = run(&prog, &m, true);
	if (a.ret != b.ret || a.r0 != b.r0 || a.executed != b.executed ||
	    a.error_pc != b.error_pc || memcmp(&m, &after_interp, sizeof(m)))
		abort();
	rmt_jit_free(&prog);
	rmt_prog_free(&prog);
	return 0;
}
