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

void rmt_jit_jmp(struct jit *j, u32 label)
{
	if (short_ok(j, label, RMT_X86_JMP8_LEN))
		rmt_x86_jmp8(&j->e,
			     (s8)rmt_jit_rel(j, label, RMT_X86_JMP8_LEN));
	else
		rmt_x86_jmp32(&j->e, rmt_jit_rel(j, label, RMT_X86_JMP32_LEN));
}

void rmt_jit_jcc(struct jit *j, enum rmt_x86_cc cc, u32 label)
{
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
