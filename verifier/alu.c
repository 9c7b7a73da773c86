// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alu.c - arithmetic and jumps in the abstract: scalars through the value
 * domain of scalar.c, pointers only as pointer +/- bounded number (the
 * offset is tracked as a scalar), and both arms of every conditional jump
 * refined, an arm the values rule out being dropped.
 */
#include "verifier/vpriv.h"

void rmt_vreg_scalar(struct rmt_vreg *r, u8 taint)
{
	memset(r, 0, sizeof(*r));
	r->type = RMT_VT_SCALAR;
	r->taint = taint;
	rmt_sc_unknown(&r->v);
}

int rmt_vreg_read(struct rmt_vctx *c, const struct rmt_vstate *st, u32 i, u32 r)
{
	if (st->regs[r].type == RMT_VT_NOT_INIT)
		return rmt_verr(c, -EACCES,
				"insn %u: read of uninitialised r%u", i, r);
	return 0;
}

void rmt_vreg_unlink(struct rmt_vstate *st, u32 r)
{
	st->regs[r].id = 0;
	st->regs[r].link = 0;
	st->regs[r].mask = 0;
}

/* Give the scalar in r the id of the mov at pc, dropping its old users. */
static void rmt_vreg_new_id(struct rmt_vstate *st, u32 r, u32 pc)
{
	u32 id = pc + 1, k;

	for (k = 0; k < RMT_NR_REGS; k++) {
		if (st->regs[k].id == id)
			st->regs[k].id = 0;
		if (st->regs[k].link == id)
			st->regs[k].link = 0;
	}
	st->regs[r].id = id;
}

/* A branch refined r: carry that to its copies; false if impossible. */
static bool rmt_vpropagate(struct rmt_vstate *st, const struct rmt_vreg *r)
{
	struct rmt_vreg *q;
	u64 zero = 0, one = 0;
	u32 k;

	if (r->link && rmt_sc_is_const(&r->v) && !r->v.tv)
		zero = r->mask;
	else if (r->link && r->v.umin && RMT_IS_POW2(r->mask))
		one = r->mask;
	for (k = 0; k < RMT_NR_REGS; k++) {
		q = &st->regs[k];
		if (q == r || q->type != RMT_VT_SCALAR)
			continue;
		if (r->id && q->id == r->id) {
			q->v = r->v;
		} else if ((zero || one) && q->id == r->link) {
			if ((q->v.tv & zero) || (~(q->v.tv | q->v.tm) & one))
				return false;
			q->v.tm &= ~(zero | one);
			q->v.tv |= one;
			if (!rmt_sc_sync(&q->v))
				return false;
		}
	}
	return true;
}

/* Apply a 32-bit ALU op: operands and result are the low 32 bits. */
static void rmt_valu32(struct rmt_vscalar *d, struct rmt_vscalar *s, u8 op)
{
	rmt_sc_trunc(d, 32);
	rmt_sc_trunc(s, 32);
	if (op == RMT_ARSH)
		rmt_sc_sext(d, 32);
	if ((op == RMT_LSH || op == RMT_RSH || op == RMT_ARSH) &&
	    rmt_sc_is_const(s))
		rmt_sc_const(s, s->tv & 31);
	rmt_sc_alu(d, s, op);
	rmt_sc_trunc(d, 32);
}

static int rmt_vptr_alu(struct rmt_vctx *c, u32 i, struct rmt_vreg *d,
			const struct rmt_vreg *s, u8 op, bool is64, u32 dr)
{
	struct rmt_vreg ptr;

	if (!is64 || (op != RMT_ADD && op != RMT_SUB) ||
	    (d->type > RMT_VT_SCALAR && s->type > RMT_VT_SCALAR) ||
	    (op == RMT_SUB && d->type == RMT_VT_SCALAR))
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s on pointer r%u is not allowed (only pointer +/- number)",
			i, rmt_isa[c->prog->decoded[i].code].name, dr);
	if (d->type == RMT_VT_MEM_OR_NULL || s->type == RMT_VT_MEM_OR_NULL)
		return rmt_verr(c, -EACCES,
				"insn %u: arithmetic on r%u, which may be NULL",
				i, dr);
	if (d->type == RMT_VT_SCALAR) {
		ptr = *s;
		rmt_sc_alu(&ptr.v, &d->v, RMT_ADD);
		*d = ptr;
		return 0;
	}
	rmt_sc_alu(&d->v, &s->v, op);
	return 0;
}

static void rmt_vendian(struct rmt_vscalar *v, u8 opid)
{
	u32 width = (u32)rmt_isa[opid].selval;
	u64 x = v->tv;

	if (opid == RMT_OP_LE16 || opid == RMT_OP_LE32 || opid == RMT_OP_LE64) {
		rmt_sc_trunc(v, width);
		return;
	}
	if (!rmt_sc_is_const(v)) {
		rmt_sc_unknown(v);
		rmt_sc_trunc(v, width);
		return;
	}
	if (width == 16)
		x = __builtin_bswap16((u16)x);
	else if (width == 32)
		x = __builtin_bswap32((u32)x);
	else
		x = __builtin_bswap64(x);
	rmt_sc_const(v, x);
}

int rmt_valu(struct rmt_vctx *c, struct rmt_vstate *st, u32 i)
{
	const struct rmt_insn *insn = &c->prog->insns[i];
	u8 opid = c->prog->decoded[i].code, form = rmt_isa[opid].form;
	u8 op = RMT_OP(insn->code);
	bool is64 = RMT_CLASS(insn->code) == RMT_ALU64;
	u32 dr = rmt_insn_dst(insn), sr = rmt_insn_src(insn);
	struct rmt_vreg *d = &st->regs[dr], s;
	int err;

	if (form == RMT_FORM_ALU_X) {
		err = rmt_vreg_read(c, st, i, sr);
		if (err)
			return err;
		s = st->regs[sr];
	} else {
		rmt_vreg_scalar(&s, 0);
		rmt_sc_const(&s.v,
			     is64 ? (u64)(s64)insn->imm : (u64)(u32)insn->imm);
	}
	if (op == RMT_MOV) {
		if (s.type != RMT_VT_SCALAR && (!is64 || insn->off))
			return rmt_verr(c, -EACCES,
					"insn %u: %s truncates pointer r%u", i,
					rmt_isa[opid].name, sr);
		if (s.type == RMT_VT_SCALAR && form == RMT_FORM_ALU_X && is64 &&
		    !insn->off && dr != sr) {
			if (!st->regs[sr].id)
				rmt_vreg_new_id(st, sr, i);
			*d = st->regs[sr];
			return 0;
		}
		if (insn->off)
			rmt_sc_sext(&s.v, (u32)insn->off);
		if (!is64)
			rmt_sc_trunc(&s.v, 32);
		*d = s;
		rmt_vreg_unlink(st, dr);
		return 0;
	}
	err = rmt_vreg_read(c, st, i, dr);
	if (err)
		return err;
	if (d->type != RMT_VT_SCALAR || s.type != RMT_VT_SCALAR)
		return rmt_vptr_alu(c, i, d, &s, op, is64, dr);
	d->taint |= s.taint;
	if (op == RMT_AND && is64 && form == RMT_FORM_ALU_K && d->id) {
		d->link = d->id;
		d->mask = s.v.tv;
		d->id = 0;
	} else {
		rmt_vreg_unlink(st, dr);
	}
	if (form == RMT_FORM_END) {
		rmt_vendian(&d->v, opid);
	} else if (form == RMT_FORM_NEG) {
		rmt_sc_const(&s.v, 0);
		rmt_sc_alu(&s.v, &d->v, RMT_SUB);
		d->v = s.v;
		if (!is64)
			rmt_sc_trunc(&d->v, 32);
	} else if ((op == RMT_DIV || op == RMT_MOD) && insn->off) {
		rmt_sc_unknown(&d->v);
		if (!is64)
			rmt_sc_trunc(&d->v, 32);
	} else if (!is64) {
		rmt_valu32(&d->v, &s.v, op);
	} else {
		rmt_sc_alu(&d->v, &s.v, op);
	}
	return 0;
}

/* Refine copies of a and b for a 32-bit jump; write back what is exact. */
static bool rmt_vbranch32(struct rmt_vscalar *a, struct rmt_vscalar *b, u8 op,
			  bool taken)
{
	bool sign = op >= RMT_JSGT && op != RMT_JLT && op != RMT_JLE;
	u64 lim = sign ? 0x7fffffffull : RMT_U32_MAX;
	struct rmt_vscalar ta = *a, tb = *b;

	rmt_sc_trunc(&ta, 32);
	rmt_sc_trunc(&tb, 32);
	if (sign) {
		rmt_sc_sext(&ta, 32);
		rmt_sc_sext(&tb, 32);
	}
	if (!rmt_sc_branch(&ta, &tb, op, taken))
		return false;
	if (a->umax <= lim)
		*a = ta;
	if (b->umax <= lim)
		*b = tb;
	return true;
}

/* Offsets of pointers that may be compared: far from wrapping. */
#define RMT_VPTR_CMP_LIMIT (1ll << 24)

/*
 * Pointer comparisons: NULL checks, and equality or unsigned order of two
 * pointers into one region with small offsets.
 */
static int rmt_vbranch_ptr(struct rmt_vctx *c, u32 i, struct rmt_vreg *a,
			   struct rmt_vreg *b, u8 op, bool is32, bool taken)
{
	bool null =
		rmt_sc_is_const(&b->v) && !b->v.tv && b->type == RMT_VT_SCALAR;

	if (a->type == RMT_VT_MEM_OR_NULL && null && !is32 &&
	    (op == RMT_JEQ || op == RMT_JNE)) {
		if ((op == RMT_JEQ) == taken) {
			rmt_vreg_scalar(a, 0);
			rmt_sc_const(&a->v, 0);
		} else {
			a->type = RMT_VT_MEM;
		}
		return 1;
	}
	if (is32 || a->type != b->type || a->frame != b->frame ||
	    a->type == RMT_VT_MEM_OR_NULL || a->type == RMT_VT_SCALAR ||
	    a->type == RMT_VT_MEM || op == RMT_JSET || op == RMT_JSGT ||
	    op == RMT_JSGE || op == RMT_JSLT || op == RMT_JSLE)
		return rmt_verr(
			c, -EACCES,
			"insn %u: comparison of a %s pointer with %s is not allowed",
			i, rmt_vregion_name(a->type),
			b->type == RMT_VT_SCALAR ? "a number" :
						   rmt_vregion_name(b->type));
	/* offsets compare like addresses only while base + offset cannot wrap */
	if (a->v.smin < -RMT_VPTR_CMP_LIMIT || a->v.smax > RMT_VPTR_CMP_LIMIT ||
	    b->v.smin < -RMT_VPTR_CMP_LIMIT || b->v.smax > RMT_VPTR_CMP_LIMIT)
		return rmt_verr(
			c, -EACCES,
			"insn %u: comparison of %s pointers whose offsets are not bounded",
			i, rmt_vregion_name(a->type));
	return rmt_sc_branch(&a->v, &b->v, op, taken) ? 1 : 0;
}

int rmt_vbranch(struct rmt_vctx *c, struct rmt_vstate *st, u32 i, bool taken)
{
	const struct rmt_insn *insn = &c->prog->insns[i];
	u8 form = rmt_isa[c->prog->decoded[i].code].form;
	u8 op = RMT_OP(insn->code);
	bool is32 = RMT_CLASS(insn->code) == RMT_JMP32;
	u32 dr = rmt_insn_dst(insn), sr = rmt_insn_src(insn);
	struct rmt_vreg *a = &st->regs[dr], kb, *b = &kb;
	int err;

	err = rmt_vreg_read(c, st, i, dr);
	if (err)
		return err;
	if (form == RMT_FORM_JMP_X) {
		err = rmt_vreg_read(c, st, i, sr);
		if (err)
			return err;
		b = &st->regs[sr];
	} else {
		rmt_vreg_scalar(&kb, 0);
		rmt_sc_const(&kb.v, (u64)(s64)insn->imm);
	}
	if (a->type != RMT_VT_SCALAR || b->type != RMT_VT_SCALAR) {
		if (a->type == RMT_VT_SCALAR)
			return rmt_verr(
				c, -EACCES,
				"insn %u: comparison of a number with pointer r%u is not allowed",
				i, sr);
		return rmt_vbranch_ptr(c, i, a, b, op, is32, taken);
	}
	if (is32 ? !rmt_vbranch32(&a->v, &b->v, op, taken) :
		   !rmt_sc_branch(&a->v, &b->v, op, taken))
		return 0;
	if (!rmt_vpropagate(st, a))
		return 0;
	return b == &kb || rmt_vpropagate(st, b) ? 1 : 0;
}
