// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mem.c - memory accesses: every load, store and atomic, and every memory
 * argument of a helper, is proven inside its region, aligned for its
 * size, allowed by the region's permissions and the context policy, and
 * reading only initialised stack bytes.  Stack slots remember spilled
 * registers (so pointers survive a spill), which bytes were written, and
 * whether they hold data of non-exportable context fields or pointer bits.
 */
#include "verifier/vpriv.h"

/* Offsets beyond this are never in bounds; keeps the arithmetic exact. */
#define RMT_VOFF_LIMIT (1ll << 40)

/* A signed offset as "+8" or "-8", for "%s%lld". */
#define RMT_VOFF(x) (x) < 0 ? "" : "+", (long long)(x)

struct rmt_vaccess {
	u32 i;
	u32 reg;
	s64 lo, hi; /* first byte of the access: [lo, hi] */
	u32 size;
	bool write;
	const char *what; /* "read", "write", "helper argument" */
};

static const char *const rmt_vregion_names[] = {
	[RMT_VT_NOT_INIT] = "nothing", [RMT_VT_SCALAR] = "scalar",
	[RMT_VT_CTX] = "ctx",	       [RMT_VT_PARAM] = "param",
	[RMT_VT_STATE] = "state",      [RMT_VT_FEAT] = "feat",
	[RMT_VT_MEM] = "mem",	       [RMT_VT_MEM_OR_NULL] = "mem_or_null",
	[RMT_VT_STACK] = "stack",
};

/* The region as a whole, for "outside swap_fault context (64 bytes)". */
static const char *const rmt_vregion_long[] = {
	[RMT_VT_CTX] = "context",	[RMT_VT_PARAM] = "parameters",
	[RMT_VT_STATE] = "state",	[RMT_VT_FEAT] = "feature buffer",
	[RMT_VT_MEM] = "helper memory", [RMT_VT_MEM_OR_NULL] = "helper memory",
	[RMT_VT_STACK] = "stack",
};

const char *rmt_vregion_name(u8 type)
{
	return type < RMT_ARRAY_SIZE(rmt_vregion_names) ?
		       rmt_vregion_names[type] :
		       "?";
}

static u64 rmt_vregion_size(const struct rmt_vctx *c, const struct rmt_vreg *r)
{
	switch (r->type) {
	case RMT_VT_CTX:
		return c->env->ctx_size;
	case RMT_VT_PARAM:
		return c->env->param_size;
	case RMT_VT_STATE:
		return c->env->state_size;
	case RMT_VT_FEAT:
		return c->env->feat_size;
	default:
		return r->size;
	}
}

/*
 * Context bytes [lo, hi): all readable by policy?  *taint is set when any
 * of them may not be exported.
 */
static bool rmt_vctx_policy(const struct rmt_verify_env *env, s64 lo, s64 hi,
			    u8 *taint)
{
	const struct rmt_verify_field *f;
	u32 k;

	*taint = 0;
	for (k = 0; k < env->n_ctx_fields && lo < hi; k++) {
		f = &env->ctx_fields[k];
		if ((s64)f->start + f->len <= lo)
			continue;
		if ((s64)f->start > lo || !(f->flags & RMT_VF_READ))
			return false;
		if (!(f->flags & RMT_VF_EXPORT))
			*taint = 1;
		lo = (s64)f->start + f->len;
	}
	return lo >= hi;
}

static int rmt_vbounds_err(struct rmt_vctx *c, const struct rmt_vaccess *a,
			   const struct rmt_vreg *r, u64 size)
{
	const char *hook = c->env->hook ? c->env->hook : "the hook's";

	if (a->lo == a->hi)
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s of %s%s%lld outside %s %s (%llu bytes)",
			a->i, a->what, rmt_vregion_name(r->type),
			RMT_VOFF(a->lo), hook, rmt_vregion_long[r->type],
			(unsigned long long)size);
	return rmt_verr(
		c, -EACCES,
		"insn %u: %s of %s%s%lld..%s%lld (r%u) outside %s %s (%llu bytes)",
		a->i, a->what, rmt_vregion_name(r->type), RMT_VOFF(a->lo),
		RMT_VOFF(a->hi), a->reg, hook, rmt_vregion_long[r->type],
		(unsigned long long)size);
}

/* Check the access a through pointer r; on success *taint says more. */
static int rmt_vcheck(struct rmt_vctx *c, const struct rmt_vreg *r,
		      struct rmt_vaccess *a, s16 off, u8 *taint)
{
	u64 size;

	*taint = 0;
	if (r->type == RMT_VT_MEM_OR_NULL)
		return rmt_verr(
			c, -EACCES,
			"insn %u: r%u may be NULL: compare it with 0 before the %s",
			a->i, a->reg, a->what);
	if (r->type <= RMT_VT_SCALAR)
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s through r%u, which is not a pointer", a->i,
			a->what, a->reg);
	if (r->v.smin < -RMT_VOFF_LIMIT || r->v.smax > RMT_VOFF_LIMIT)
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s through r%u: the offset into %s is not bounded",
			a->i, a->what, a->reg, rmt_vregion_name(r->type));
	a->lo = r->v.smin + off;
	a->hi = r->v.smax + off;
	if (r->type == RMT_VT_STACK) {
		if (!rmt_sc_is_const(&r->v))
			return rmt_verr(
				c, -EACCES,
				"insn %u: %s of the stack at a variable offset (r%u)",
				a->i, a->what, a->reg);
		if (a->lo < -RMT_STACK_SIZE || a->lo + a->size > 0)
			return rmt_verr(
				c, -EACCES,
				"insn %u: %s of stack%s%lld (%u bytes) outside the %u-byte frame",
				a->i, a->what, RMT_VOFF(a->lo), a->size,
				RMT_STACK_SIZE);
	} else {
		size = rmt_vregion_size(c, r);
		if (a->lo < 0 || (u64)a->hi + a->size > size)
			return rmt_vbounds_err(c, a, r, size);
	}
	if (a->size > 1 &&
	    ((r->v.tm | (r->v.tv + (u64)(s64)off)) & (a->size - 1)))
		return rmt_verr(
			c, -EACCES,
			"insn %u: misaligned %u-byte %s of %s%s%lld (r%u)",
			a->i, a->size, a->what, rmt_vregion_name(r->type),
			RMT_VOFF(a->lo), a->reg);
	if (a->write && (r->type == RMT_VT_CTX || r->type == RMT_VT_PARAM))
		return rmt_verr(c, -EACCES,
				"insn %u: write to %s, which is read-only",
				a->i, rmt_vregion_name(r->type));
	if (r->type == RMT_VT_CTX &&
	    !rmt_vctx_policy(c->env, a->lo, a->hi + a->size, taint))
		return rmt_verr(
			c, -EACCES,
			"insn %u: read of ctx%s%lld (%u bytes) not allowed by the %s policy",
			a->i, RMT_VOFF(a->lo), a->size,
			c->env->hook ? c->env->hook : "hook's");
	return 0;
}

/* Bytes [off, off + size) of a stack frame, one slot at a time. */
static int rmt_vstack_read(struct rmt_vctx *c, struct rmt_vstate *st, u32 frame,
			   s64 off, u32 size, u32 i, struct rmt_vreg *out)
{
	const struct rmt_vslot *s;
	u8 mask, taint = 0;
	s64 end = off + size;
	u32 b, n;

	if (out)
		memset(out, 0, sizeof(*out));
	for (; off < end; off += n) {
		s = rmt_vslot_at(st, frame, off, false);
		b = (u32)(((off % 8) + 8) % 8);
		n = end - off < 8 - b ? (u32)(end - off) : 8 - b;
		mask = (u8)(((1u << n) - 1) << b);
		if ((s->init & mask) != mask)
			return rmt_verr(
				c, -EACCES,
				"insn %u: read of uninitialised stack%s%lld", i,
				RMT_VOFF(off));
		if (s->ptrbits ||
		    (s->spill.type > RMT_VT_SCALAR && (size != 8 || !out)))
			return rmt_verr(
				c, -EACCES,
				"insn %u: read of part of a spilled pointer at stack%s%lld",
				i, RMT_VOFF(off));
		if (out && size == 8 && s->spill.type) {
			*out = s->spill;
			return 0;
		}
		taint |= s->taint;
	}
	if (out) {
		rmt_vreg_scalar(out, taint);
		if (size < 8)
			rmt_sc_trunc(&out->v, size * 8);
	}
	return taint ? 1 : 0;
}

static void rmt_vstack_write(struct rmt_vstate *st, u32 frame, s64 off,
			     u32 size, const struct rmt_vreg *val, u8 taint)
{
	struct rmt_vslot *s;
	s64 end = off + size;
	u32 b, n;

	for (; off < end; off += n) {
		s = rmt_vslot_at(st, frame, off, true);
		b = (u32)(((off % 8) + 8) % 8);
		n = end - off < 8 - b ? (u32)(end - off) : 8 - b;
		if (n == 8 && val) {
			s->spill = *val;
			s->spill.id = 0;
			s->spill.link = 0;
			s->init = 0xff;
			s->taint = val->taint;
			s->ptrbits = 0;
			continue;
		}
		if (s->spill.type > RMT_VT_SCALAR)
			s->ptrbits = 1;
		if (s->spill.type)
			s->taint = s->spill.taint;
		memset(&s->spill, 0, sizeof(s->spill));
		s->init |= (u8)(((1u << n) - 1) << b);
		s->taint |= taint;
	}
}

static u32 rmt_vsize(u8 code)
{
	static const u8 sizes[4] = { 4, 2, 1, 8 };

	return sizes[RMT_SIZE(code) >> 3];
}

static int rmt_vload(struct rmt_vctx *c, struct rmt_vstate *st,
		     struct rmt_vaccess *a, const struct rmt_insn *insn)
{
	const struct rmt_vreg *p = &st->regs[rmt_insn_src(insn)];
	struct rmt_vreg val;
	u8 taint;
	int err;

	err = rmt_vcheck(c, p, a, insn->off, &taint);
	if (err)
		return err;
	if (p->type == RMT_VT_STACK) {
		err = rmt_vstack_read(c, st, p->frame, a->lo, a->size, a->i,
				      &val);
		if (err < 0)
			return err;
	} else {
		if (p->type == RMT_VT_FEAT)
			taint |= st->feat_taint;
		rmt_vreg_scalar(&val, taint);
		if (a->size < 8)
			rmt_sc_trunc(&val.v, a->size * 8);
	}
	if (RMT_MODE(insn->code) == RMT_MEMSX)
		rmt_sc_sext(&val.v, a->size * 8);
	st->regs[rmt_insn_dst(insn)] = val;
	return 0;
}

/* A store of val (NULL: an immediate) through the pointer in dst. */
static int rmt_vstore(struct rmt_vctx *c, struct rmt_vstate *st,
		      struct rmt_vaccess *a, const struct rmt_insn *insn,
		      const struct rmt_vreg *val)
{
	const struct rmt_vreg *p = &st->regs[rmt_insn_dst(insn)];
	struct rmt_vreg imm;
	u8 taint;
	int err;

	err = rmt_vcheck(c, p, a, insn->off, &taint);
	if (err)
		return err;
	if (!val) {
		rmt_vreg_scalar(&imm, 0);
		rmt_sc_const(&imm.v, (u64)(s64)insn->imm);
		val = &imm;
	}
	if (p->type == RMT_VT_STACK) {
		if (val->type > RMT_VT_SCALAR && a->size != 8)
			return rmt_verr(
				c, -EACCES,
				"insn %u: partial store of pointer r%u to the stack",
				a->i, rmt_insn_src(insn));
		rmt_vstack_write(st, p->frame, a->lo, a->size,
				 a->size == 8 ? val : NULL, val->taint);
		return 0;
	}
	if (val->type > RMT_VT_SCALAR)
		return rmt_verr(c, -EACCES,
				"insn %u: store of pointer r%u into %s", a->i,
				rmt_insn_src(insn), rmt_vregion_name(p->type));
	if (val->taint && p->type == RMT_VT_FEAT)
		st->feat_taint = 1;
	else if (val->taint)
		return rmt_verr(
			c, -EACCES,
			"insn %u: store of non-exportable ctx data into %s",
			a->i, rmt_vregion_name(p->type));
	return 0;
}

static int rmt_vatomic(struct rmt_vctx *c, struct rmt_vstate *st,
		       struct rmt_vaccess *a, const struct rmt_insn *insn)
{
	const struct rmt_vreg *p = &st->regs[rmt_insn_dst(insn)];
	struct rmt_vreg *src = &st->regs[rmt_insn_src(insn)];
	struct rmt_vreg old;
	u8 taint = 0;
	int err;

	if (src->type != RMT_VT_SCALAR)
		return rmt_verr(c, -EACCES,
				"insn %u: atomic operand r%u is not a number",
				a->i, rmt_insn_src(insn));
	if ((u32)insn->imm == RMT_CMPXCHG && st->regs[0].type != RMT_VT_SCALAR)
		return rmt_verr(
			c, -EACCES,
			"insn %u: cmpxchg compares with r0, which is not a number",
			a->i);
	err = rmt_vcheck(c, p, a, insn->off, &taint);
	if (err)
		return err;
	if (p->type == RMT_VT_STACK) {
		err = rmt_vstack_read(c, st, p->frame, a->lo, a->size, a->i,
				      NULL);
		if (err < 0)
			return err;
		taint = (u8)err;
		rmt_vstack_write(st, p->frame, a->lo, a->size, NULL,
				 src->taint);
		taint |= src->taint;
	} else if (src->taint) {
		return rmt_verr(
			c, -EACCES,
			"insn %u: store of non-exportable ctx data into %s",
			a->i, rmt_vregion_name(p->type));
	} else if (p->type == RMT_VT_FEAT) {
		taint = st->feat_taint;
	}
	rmt_vreg_scalar(&old, taint);
	if (a->size == 4)
		rmt_sc_trunc(&old.v, 32);
	if ((u32)insn->imm == RMT_CMPXCHG)
		st->regs[0] = old;
	else if (insn->imm & RMT_FETCH)
		*src = old;
	return 0;
}

int rmt_vmem(struct rmt_vctx *c, struct rmt_vstate *st, u32 i,
	     const struct rmt_insn *insn, u8 form)
{
	struct rmt_vaccess a = { .i = i, .size = rmt_vsize(insn->code) };
	u32 ptr =
		form == RMT_FORM_LDX ? rmt_insn_src(insn) : rmt_insn_dst(insn);
	int err;

	a.reg = ptr;
	err = rmt_vreg_read(c, st, i, ptr);
	if (err)
		return err;
	if (form != RMT_FORM_ST && form != RMT_FORM_LDX) {
		err = rmt_vreg_read(c, st, i, rmt_insn_src(insn));
		if (err)
			return err;
	}
	switch (form) {
	case RMT_FORM_LDX:
		a.what = "read";
		return rmt_vload(c, st, &a, insn);
	case RMT_FORM_ST:
		a.what = "write";
		a.write = true;
		return rmt_vstore(c, st, &a, insn, NULL);
	case RMT_FORM_STX:
		a.what = "write";
		a.write = true;
		return rmt_vstore(c, st, &a, insn,
				  &st->regs[rmt_insn_src(insn)]);
	default:
		a.what = "atomic update";
		a.write = true;
		return rmt_vatomic(c, st, &a, insn);
	}
}

int rmt_vmem_arg(struct rmt_vctx *c, struct rmt_vstate *st, u32 i,
		 const struct rmt_verify_helper *h, u32 arg)
{
	const struct rmt_vreg *p = &st->regs[arg + 1];
	const struct rmt_vreg *n = &st->regs[arg + 2];
	bool write = h->args[arg] == RMT_VA_MEM_RW;
	bool export = h->flags & RMT_VH_EXPORT;
	struct rmt_vaccess a = { .i = i, .reg = arg + 1, .size = 1 };
	u8 taint;
	int err;

	if (n->type != RMT_VT_SCALAR)
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s: size argument r%u is not a number", i,
			h->name, arg + 2);
	if (!n->v.umin || (h->max_size && n->v.umax > h->max_size) ||
	    n->v.umax > RMT_STACK_SIZE * 16)
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s: size r%u in [%llu, %llu] must be 1..%u",
			i, h->name, arg + 2, (unsigned long long)n->v.umin,
			(unsigned long long)n->v.umax,
			h->max_size ? h->max_size : RMT_STACK_SIZE * 16);
	a.size = (u32)n->v.umax * (h->elem_size ? h->elem_size : 1);
	a.write = write;
	a.what = write ? "helper write" : "helper read";
	err = rmt_vcheck(c, p, &a, 0, &taint);
	if (err)
		return err;
	if (p->type == RMT_VT_FEAT)
		taint |= st->feat_taint;
	if (p->type == RMT_VT_STACK && !write) {
		err = rmt_vstack_read(c, st, p->frame, a.lo, a.size, i, NULL);
		if (err < 0)
			return err;
		taint |= (u8)err;
	} else if (p->type == RMT_VT_STACK) {
		rmt_vstack_write(st, p->frame, a.lo, a.size, NULL, 0);
	}
	if (export && taint)
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s exports r%u's memory, which holds non-exportable ctx data",
			i, h->name, arg + 1);
	return taint ? 1 : 0;
}
