// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jit_labels.c - labels, jumps sized from the previous pass's offsets,
 * and the out-of-line stubs the JIT compiler collects while it emits.
 */
#include "vm/jit_priv.h"

int rmt_jit_new_label(struct jit *j, u32 *label)
{
	if (j->n_labels == j->cap_labels)
		return -ENOMEM;
	*label = j->n_labels++;
	return 0;
}

void rmt_jit_place(struct jit *j, u32 label)
{
	j->cur[label] = j->e.len;
	j->seen[label] = j->pass;
}

/*
 * A label placed earlier in this pass has its exact offset; a later one
 * is estimated from the previous pass, which is exact once passes agree.
 */
static bool short_ok(struct jit *j, u32 label, u32 len)
{
	s64 rel;

	if (j->seen[label] == j->pass)
		rel = (s64)j->cur[label] - (j->e.len + len);
	else if (j->long_jumps)
		return false;
	else
		rel = (s64)j->prev[label] - (j->e.len + len);
	return rel >= -128 && rel <= 127;
}

s32 rmt_jit_rel(struct jit *j, u32 label, u32 len)
{
	u32 target = j->seen[label] == j->pass ? j->cur[label] : j->prev[label];

	return (s32)((s64)target - (s64)(j->e.len + len));
}

/*
 * Keep a branch (with the instruction fused to it) from crossing or
 * ending on a 32-byte boundary: on many Intel cores such branches are not
 * cached as decoded micro-ops (the "JCC erratum" microcode update), which
 * slowed a bench-vm loop by a third.  NOPs before the bundle move it to
 * the next boundary.
 */
static void align_branch(struct jit *j, u32 len)
{
	u32 start = j->fuse_start != RMT_JIT_NO_FUSE ? j->fuse_start : j->e.len;
	u32 end = j->e.len + len;

	j->fuse_start = RMT_JIT_NO_FUSE;
	if (start / 32 == (end - 1) / 32 && end % 32)
		return;
	rmt_x86_nops_at(&j->e, start, 32 - start % 32);
}

void rmt_jit_jmp(struct jit *j, u32 label)
{
	align_branch(j, short_ok(j, label, RMT_X86_JMP8_LEN) ?
				RMT_X86_JMP8_LEN :
				RMT_X86_JMP32_LEN);
	if (short_ok(j, label, RMT_X86_JMP8_LEN))
		rmt_x86_jmp8(&j->e,
			     (s8)rmt_jit_rel(j, label, RMT_X86_JMP8_LEN));
	else
		rmt_x86_jmp32(&j->e, rmt_jit_rel(j, label, RMT_X86_JMP32_LEN));
}

void rmt_jit_jcc(struct jit *j, enum rmt_x86_cc cc, u32 label)
{
	align_branch(j, short_ok(j, label, RMT_X86_JCC8_LEN) ?
				RMT_X86_JCC8_LEN :
				RMT_X86_JCC32_LEN);
	if (short_ok(j, label, RMT_X86_JCC8_LEN))
		rmt_x86_jcc8(&j->e, cc,
			     (s8)rmt_jit_rel(j, label, RMT_X86_JCC8_LEN));
	else
		rmt_x86_jcc32(&j->e, cc,
			      rmt_jit_rel(j, label, RMT_X86_JCC32_LEN));
}

int rmt_jit_add_stub(struct jit *j, u8 kind, u32 pc, u32 back, s32 arg,
		     u32 *label)
{
	struct stub *s;
	int err;

	if (j->n_stubs == j->cap_stubs)
		return -ENOMEM;
	err = rmt_jit_new_label(j, label);
	if (err)
		return err;
	s = &j->stubs[j->n_stubs++];
	s->kind = kind;
	s->pc = pc;
	s->label = *label;
	s->back = back;
	s->arg = arg;
	s->refund = j->slow ? 0 : (s32)j->seg_rest[pc];
	return 0;
}

int rmt_jit_jcc_err(struct jit *j, enum rmt_x86_cc cc, u32 pc, s32 err)
{
	u32 label;
	int ret = rmt_jit_add_stub(j, STUB_ERR, pc, 0, err, &label);

	if (!ret)
		rmt_jit_jcc(j, cc, label);
	return ret;
}
