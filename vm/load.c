// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * load.c - rmt_prog_load: decode a program against the ISA table and check
 * its structure, so that the engines never meet an invalid instruction, a
 * jump outside the program or a helper that does not exist.
 */
#include "vm/vm.h"
#include "vm/isa_desc.h"
#include "vm/vm_log.h"

#define RMT_REG_WRITES(form)                                     \
	((form) == RMT_FORM_ALU_K || (form) == RMT_FORM_ALU_X || \
	 (form) == RMT_FORM_NEG || (form) == RMT_FORM_END ||     \
	 (form) == RMT_FORM_LDDW || (form) == RMT_FORM_LDX)

const struct rmt_helper *rmt_helper_find(const struct rmt_helper_set *set,
					 u32 id)
{
	u32 i;

	if (!set)
		return NULL;
	for (i = 0; i < set->count; i++)
		if (set->helpers[i].id == id && set->helpers[i].fn)
			return &set->helpers[i];
	return NULL;
}

/* Decode slot i (and its second slot for lddw) into prog->decoded. */
static int rmt_load_decode(struct rmt_prog *prog, u32 i, char *log,
			   size_t log_size)
{
	const struct rmt_insn *insn = &prog->insns[i];
	struct rmt_insn *d = &prog->decoded[i];
	const struct rmt_isa_entry *e;
	u8 field = 0;
	int op;

	op = rmt_isa_decode(insn, &field);
	if (op == -ENOENT) {
		rmt_vm_logf(
			log, log_size,
			"insn %u: unknown opcode 0x%x (off %d, imm %d, src %u)",
			i, insn->code, insn->off, insn->imm,
			rmt_insn_src(insn));
		return -EINVAL;
	}
	if (op < 0) {
		rmt_vm_logf(
			log, log_size,
			"insn %u: opcode 0x%x: reserved field %s is not zero",
			i, insn->code, rmt_isa_field_name(field));
		return -EINVAL;
	}
	e = &rmt_isa[op];
	if (rmt_insn_dst(insn) >= RMT_NR_REGS ||
	    rmt_insn_src(insn) >= RMT_NR_REGS) {
		rmt_vm_logf(log, log_size, "insn %u: %s: bad register r%u", i,
			    e->name,
			    rmt_insn_dst(insn) >= RMT_NR_REGS ?
				    rmt_insn_dst(insn) :
				    rmt_insn_src(insn));
		return -EINVAL;
	}
	if ((RMT_REG_WRITES(e->form) && rmt_insn_dst(insn) == RMT_REG_FP) ||
	    (e->form == RMT_FORM_ATOMIC && (insn->imm & RMT_FETCH) &&
	     rmt_insn_src(insn) == RMT_REG_FP)) {
		rmt_vm_logf(log, log_size,
			    "insn %u: %s: r10 is read-only (frame pointer)", i,
			    e->name);
		return -EINVAL;
	}
	*d = *insn;
	d->code = (u8)op;
	if (op != RMT_OP_LDDW)
		return 0;
	if (i + 1 >= prog->len) {
		rmt_vm_logf(
			log, log_size,
			"insn %u: lddw truncated: its second slot is missing",
			i);
		return -EINVAL;
	}
	insn++;
	if (insn->code || insn->regs || insn->off) {
		rmt_vm_logf(log, log_size,
			    "insn %u: lddw second slot: only imm may be set",
			    i + 1);
		return -EINVAL;
	}
	d[1] = *insn;
	d[1].code = RMT_OP_LDDW_HI;
	return 0;
}

/* Check control transfers and resolve helper ids for slot i. */
static int rmt_load_link(struct rmt_prog *prog, u32 i, char *log,
			 size_t log_size)
{
	struct rmt_insn *d = &prog->decoded[i];
	const struct rmt_helper *h;
	s64 target;

	switch (d->code) {
	case RMT_OP_CALL:
		h = rmt_helper_find(prog->helpers, (u32)d->imm);
		if (!h) {
			rmt_vm_logf(log, log_size,
				    "insn %u: call %u: unknown helper id", i,
				    (u32)d->imm);
			return -EINVAL;
		}
		d->imm = (s32)(h - prog->helpers->helpers);
		return 0;
	case RMT_OP_EXIT:
	case RMT_OP_CALLX:
	case RMT_OP_LDDW_HI:
		return 0;
	case RMT_OP_JA32:
	case RMT_OP_CALL_LOCAL:
		target = (s64)i + 1 + d->imm;
		break;
	default:
		if (d->code == RMT_OP_JA ||
		    rmt_isa[d->code].form == RMT_FORM_JMP_K ||
		    rmt_isa[d->code].form == RMT_FORM_JMP_X) {
			target = (s64)i + 1 + d->off;
			break;
		}
		return 0;
	}
	if (target < 0 || target >= prog->len) {
		rmt_vm_logf(
			log, log_size,
			"insn %u: %s: target %lld is outside the program (0..%u)",
			i, rmt_isa[d->code].name, (long long)target,
			prog->len - 1);
		return -EINVAL;
	}
	if (prog->decoded[target].code == RMT_OP_LDDW_HI) {
		rmt_vm_logf(
			log, log_size,
			"insn %u: %s: target %lld is the second slot of lddw",
			i, rmt_isa[d->code].name, (long long)target);
		return -EINVAL;
	}
	return 0;
}

static int rmt_load_check(struct rmt_prog *prog, char *log, size_t log_size)
{
	u8 last;
	u32 i;
	int err;

	for (i = 0; i < prog->len; i++) {
		err = rmt_load_decode(prog, i, log, log_size);
		if (err)
			return err;
		if (prog->decoded[i].code == RMT_OP_LDDW)
			i++;
	}
	for (i = 0; i < prog->len; i++) {
		err = rmt_load_link(prog, i, log, log_size);
		if (err)
			return err;
	}
	last = prog->decoded[prog->len - 1].code;
	if (last != RMT_OP_EXIT && last != RMT_OP_JA && last != RMT_OP_JA32) {
		rmt_vm_logf(
			log, log_size,
			"insn %u: the last instruction must be exit or ja, or control runs off the end",
			prog->len - 1);
		return -EINVAL;
	}
	return 0;
}

int rmt_prog_load(struct rmt_prog *prog, const void *code, size_t len,
		  const struct rmt_helper_set *helpers, char *log,
		  size_t log_size)
{
	int err;

	memset(prog, 0, sizeof(*prog));
	rmt_vm_logf(log, log_size, "%s", "");
	if (!code || !len) {
		rmt_vm_logf(log, log_size, "empty program");
		return -EINVAL;
	}
	if (len % sizeof(struct rmt_insn)) {
		rmt_vm_logf(log, log_size,
			    "code length %llu is not a multiple of 8 bytes",
			    (unsigned long long)len);
		return -EINVAL;
	}
	if (len / sizeof(struct rmt_insn) > RMT_MAX_INSNS) {
		rmt_vm_logf(log, log_size,
			    "program too long: %llu instructions (at most %u)",
			    (unsigned long long)(len / sizeof(struct rmt_insn)),
			    RMT_MAX_INSNS);
		return -E2BIG;
	}
	prog->len = (u32)(len / sizeof(struct rmt_insn));
	prog->helpers = helpers;
	prog->insns = rmt_alloc(len);
	prog->decoded = rmt_alloc(len);
	if (!prog->insns || !prog->decoded) {
		rmt_prog_free(prog);
		rmt_vm_logf(log, log_size, "out of memory");
		return -ENOMEM;
	}
	memcpy(prog->insns, code, len);
	err = rmt_load_check(prog, log, log_size);
	if (err)
		rmt_prog_free(prog);
	return err;
}

void rmt_prog_free(struct rmt_prog *prog)
{
	rmt_free(prog->insns);
	rmt_free(prog->decoded);
	prog->insns = NULL;
	prog->decoded = NULL;
	prog->len = 0;
}
