// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * verify.c - rmt_verify_prog: the structural pass (cfg.c), then a
 * path-sensitive abstract interpretation from the entry with the hook's
 * argument types.  Each path carries its state (registers, stack frames,
 * cost, exporting calls, back-edges taken); conditional jumps fork it,
 * merge points prune or join it (state.c), and every exit of the entry
 * frame checks r0 and records the path's cost.  Loops are unrolled: a
 * path that takes more than RMT_VERIFY_MAX_ITERS back-edges has a loop
 * whose bound the analysis cannot prove.
 */
#include "verifier/vpriv.h"

static const struct rmt_verify_helper *
rmt_vhelper(const struct rmt_verify_env *env, u32 id)
{
	u32 k;

	for (k = 0; k < env->n_helpers; k++)
		if (env->helpers[k].id == id)
			return &env->helpers[k];
	return NULL;
}

static int rmt_vcall_args(struct rmt_vctx *c, struct rmt_vstate *st, u32 i,
			  const struct rmt_verify_helper *h, u8 *taint)
{
	const struct rmt_vreg *r;
	u32 a;
	int err;

	for (a = 0; a < 5; a++) {
		if (h->args[a] == RMT_VA_NONE || h->args[a] == RMT_VA_SIZE)
			continue;
		err = rmt_vreg_read(c, st, i, a + 1);
		if (err)
			return err;
		r = &st->regs[a + 1];
		if (h->args[a] == RMT_VA_SCALAR) {
			if (r->type != RMT_VT_SCALAR)
				return rmt_verr(
					c, -EACCES,
					"insn %u: %s: r%u must be a number, not a %s pointer",
					i, h->name, a + 1,
					rmt_vregion_name(r->type));
			if (r->taint && (h->flags & RMT_VH_EXPORT))
				return rmt_verr(
					c, -EACCES,
					"insn %u: %s exports r%u, which holds non-exportable ctx data",
					i, h->name, a + 1);
			*taint |= r->taint;
			continue;
		}
		if (a == 4 || h->args[a + 1] != RMT_VA_SIZE)
			return rmt_verr(
				c, -EINVAL,
				"insn %u: %s: memory argument r%u has no size argument",
				i, h->name, a + 1);
		err = rmt_vreg_read(c, st, i, a + 2);
		if (!err)
			err = rmt_vmem_arg(c, st, i, h, a);
		if (err < 0)
			return err;
		*taint |= (u8)err;
	}
	return 0;
}

static int rmt_vcall(struct rmt_vctx *c, struct rmt_vstate *st, u32 i, u32 id)
{
	const struct rmt_verify_helper *h = rmt_vhelper(c->env, id);
	struct rmt_vreg *r0 = &st->regs[0];
	u8 taint = 0;
	u32 a;
	int err;

	if (!h)
		return rmt_verr(
			c, -EACCES,
			"insn %u: helper %u is not allowed at the %s hook", i,
			id, c->env->hook ? c->env->hook : "this");
	err = rmt_vcall_args(c, st, i, h, &taint);
	if (err)
		return err;
	if (h->flags & RMT_VH_EXPORT && ++st->emits > c->env->max_emits)
		return rmt_verr(
			c, -EACCES,
			"insn %u: %s: more than %u exporting calls on one path (the %s policy)",
			i, h->name, c->env->max_emits,
			c->env->hook ? c->env->hook : "hook's");
	st->cost += h->cost;
	for (a = 1; a <= 5; a++)
		memset(&st->regs[a], 0, sizeof(st->regs[a]));
	rmt_vreg_scalar(r0, h->flags & RMT_VH_TAINT_RET ? taint : 0);
	if (h->ret == RMT_VRET_MEM_OR_NULL) {
		r0->type = RMT_VT_MEM_OR_NULL;
		r0->size = h->ret_size;
		rmt_sc_const(&r0->v, 0);
	} else if (h->ret_min || h->ret_max) {
		rmt_sc_urange(&r0->v, h->ret_min, h->ret_max);
	}
	return 0;
}

static int rmt_vlocal_call(struct rmt_vctx *c, struct rmt_vstate *st, u32 i)
{
	struct rmt_vframe *f;
	u32 r;

	if (st->depth + 1 >= RMT_MAX_CALL_DEPTH)
		return rmt_verr(c, -EINVAL,
				"insn %u: call depth exceeds %u frames", i,
				RMT_MAX_CALL_DEPTH);
	f = &st->frames[++st->depth];
	f->ret_pc = i + 1;
	f->used = 0;
	for (r = 0; r < RMT_NR_REGS; r++)
		rmt_vreg_unlink(st, r);
	memcpy(f->saved, &st->regs[6], sizeof(f->saved));
	memset(&st->regs[6], 0, 4 * sizeof(st->regs[0]));
	memset(&st->regs[0], 0, sizeof(st->regs[0]));
	st->regs[RMT_REG_FP].frame = (u8)st->depth;
	if (st->depth + 1 > c->stats.max_call_depth)
		c->stats.max_call_depth = st->depth + 1;
	st->pc = i + 1 + c->prog->decoded[i].imm;
	return 0;
}

/* A pointer into the frame being left may not survive it. */
static bool rmt_vdangles(const struct rmt_vstate *st, const struct rmt_vreg *r)
{
	return r->type == RMT_VT_STACK && r->frame == st->depth;
}

static int rmt_vexit(struct rmt_vctx *c, struct rmt_vstate *st, u32 i)
{
	const struct rmt_vreg *r0 = &st->regs[0];
	struct rmt_vframe *f;
	u32 k, d;

	/* a function may return nothing: its caller cannot read r0 then */
	if (r0->type == RMT_VT_NOT_INIT && !st->depth)
		return rmt_verr(c, -EACCES, "insn %u: r0 is not set at exit",
				i);
	if (!st->depth) {
		if (r0->type != RMT_VT_SCALAR)
			return rmt_verr(
				c, -EACCES,
				"insn %u: r0 is a %s pointer at exit; a pointer may not be returned",
				i, rmt_vregion_name(r0->type));
		if (st->cost > c->stats.cost)
			c->stats.cost = st->cost;
		if (st->emits > c->stats.max_emits)
			c->stats.max_emits = st->emits;
		if (st->frames[0].used * 8 > c->stats.stack_depth)
			c->stats.stack_depth = st->frames[0].used * 8;
		return 1;
	}
	if (rmt_vdangles(st, r0))
		return rmt_verr(
			c, -EACCES,
			"insn %u: returns a pointer to its own stack frame", i);
	for (d = 0; d < st->depth; d++)
		for (k = 0; k < st->frames[d].used; k++)
			if (rmt_vdangles(st, &st->frames[d].slots[k].spill))
				return rmt_verr(
					c, -EACCES,
					"insn %u: a pointer to the returning frame stays in the caller's stack",
					i);
	f = &st->frames[st->depth--];
	memcpy(&st->regs[6], f->saved, sizeof(f->saved));
	rmt_vreg_unlink(st, 0);
	for (k = 1; k <= 5; k++)
		memset(&st->regs[k], 0, sizeof(st->regs[k]));
	st->regs[RMT_REG_FP].frame = (u8)st->depth;
	st->pc = f->ret_pc;
	return 0;
}

static int rmt_vback(struct rmt_vctx *c, struct rmt_vstate *st, u32 i,
		     u32 target)
{
	u32 l = c->loop_of[target];

	st->hist = (st->hist ^ (i << 16 ^ target)) * 16777619u;
	st->via_back = 1;
	if (l && st->lcnt[l - 1] < 0xffff)
		st->lcnt[l - 1]++;
	if (++st->iters > RMT_VERIFY_MAX_ITERS)
		return rmt_verr(
			c, -E2BIG,
			"insn %u: back-edge to insn %u: loop bound not proven (more than %u iterations)",
			i, target, RMT_VERIFY_MAX_ITERS);
	/* past twice the budget, a loop's exact cost no longer matters */
	if (st->cost > 2 * c->budget)
		return rmt_verr(
			c, -E2BIG,
			"insn %u: back-edge to insn %u: loop bound not proven within the %s budget (a path reaches cost %llu, twice the budget is %llu)",
			i, target, c->env->hook ? c->env->hook : "hook's",
			(unsigned long long)st->cost,
			(unsigned long long)(2 * c->budget));
	return 0;
}

/* A conditional jump: go on with one arm, queue the other. */
static int rmt_vjump(struct rmt_vctx *c, struct rmt_vstate *st, u32 i)
{
	u32 target = i + 1 + c->prog->decoded[i].off;
	struct rmt_vstate *alt = c->tmp;
	int taken, fall, err;

	rmt_vstate_copy(alt, st);
	taken = rmt_vbranch(c, alt, i, true);
	if (taken < 0)
		return taken;
	fall = rmt_vbranch(c, st, i, false);
	if (fall < 0)
		return fall;
	if (taken) {
		alt->pc = target;
		if (c->info[i] & RMT_VI_BACK_JUMP) {
			err = rmt_vback(c, alt, i, target);
			if (err)
				return err;
		}
		if (!fall) {
			rmt_vstate_copy(st, alt);
			return 0;
		}
		err = rmt_vpend_push(c, alt);
		if (err)
			return err;
	}
	if (!fall)
		return 1;
	st->pc = i + 1;
	if (c->info[i] & RMT_VI_BACK_FALL)
		return rmt_vback(c, st, i, i + 1);
	return 0;
}

/* One instruction; 1 ends the path. */
static int rmt_vstep(struct rmt_vctx *c, struct rmt_vstate *st)
{
	const struct rmt_insn *d = &c->prog->decoded[st->pc];
	const struct rmt_isa_entry *e = &rmt_isa[d->code];
	u32 i = st->pc, target;
	int err;

	st->cost += e->cost;
	switch (e->form) {
	case RMT_FORM_ALU_K:
	case RMT_FORM_ALU_X:
	case RMT_FORM_NEG:
	case RMT_FORM_END:
		err = rmt_valu(c, st, i);
		st->pc++;
		return err;
	case RMT_FORM_LDDW:
		rmt_vreg_scalar(&st->regs[rmt_insn_dst(d)], 0);
		rmt_sc_const(&st->regs[rmt_insn_dst(d)].v,
			     (u64)(u32)d[0].imm | (u64)(u32)d[1].imm << 32);
		st->pc += 2;
		return 0;
	case RMT_FORM_LDX:
	case RMT_FORM_ST:
	case RMT_FORM_STX:
	case RMT_FORM_ATOMIC:
		st->pc++;
		return rmt_vmem(c, st, i, &c->prog->insns[i], e->form);
	case RMT_FORM_JA:
	case RMT_FORM_JA32:
		target = i + 1 + (e->form == RMT_FORM_JA ? d->off : d->imm);
		st->pc = target;
		if (c->info[i] & RMT_VI_BACK_JUMP)
			return rmt_vback(c, st, i, target);
		return 0;
	case RMT_FORM_JMP_K:
	case RMT_FORM_JMP_X:
		return rmt_vjump(c, st, i);
	case RMT_FORM_CALL:
		if (d->code == RMT_OP_CALL_LOCAL)
			return rmt_vlocal_call(c, st, i);
		st->pc++;
		return rmt_vcall(c, st, i,
				 c->prog->helpers->helpers[d->imm].id);
	case RMT_FORM_CALLX:
		st->pc++;
		err = rmt_vreg_read(c, st, i, rmt_insn_dst(d));
		if (err)
			return err;
		if (st->regs[rmt_insn_dst(d)].type != RMT_VT_SCALAR ||
		    !rmt_sc_is_const(&st->regs[rmt_insn_dst(d)].v))
			return rmt_verr(
				c, -EACCES,
				"insn %u: callx r%u: the helper id is not a known constant",
				i, rmt_insn_dst(d));
		return rmt_vcall(c, st, i, (u32)st->regs[rmt_insn_dst(d)].v.tv);
	default:
		return rmt_vexit(c, st, i);
	}
}

static int rmt_vinit(struct rmt_vctx *c, struct rmt_vstate *st)
{
	u32 a;

	memset(st, 0, offsetof(struct rmt_vstate, frames));
	st->frames[0].used = 0;
	for (a = 0; a < 5; a++) {
		if (c->env->args[a] >= RMT_VR_COUNT)
			return rmt_verr(
				c, -EINVAL,
				"hook %s: argument r%u has an unknown type %u",
				c->env->hook ? c->env->hook : "?", a + 1,
				c->env->args[a]);
		if (c->env->args[a] == RMT_VR_NONE)
			continue;
		rmt_vreg_scalar(&st->regs[a + 1], 0);
		st->regs[a + 1].type = c->env->args[a];
		if (c->env->args[a] != RMT_VR_SCALAR)
			rmt_sc_const(&st->regs[a + 1].v, 0);
	}
	rmt_vreg_scalar(&st->regs[RMT_REG_FP], 0);
	st->regs[RMT_REG_FP].type = RMT_VT_STACK;
	rmt_sc_const(&st->regs[RMT_REG_FP].v, 0);
	return 0;
}

/* Follow one path until it ends; resume skips the first merge check. */
static int rmt_vpath(struct rmt_vctx *c, struct rmt_vstate *st, bool resume)
{
	int ret;

	for (;;) {
		if (++c->stats.steps > RMT_VERIFY_MAX_STEPS)
			return rmt_verr(
				c, -E2BIG,
				"insn %u: program too complex: more than %u instructions analysed",
				st->pc, RMT_VERIFY_MAX_STEPS);
		/* entering a loop from outside starts its count afresh */
		if (!resume && c->loop_of[st->pc] && !st->via_back)
			st->lcnt[c->loop_of[st->pc] - 1] = 0;
		st->via_back = 0;
		if (!resume && (c->info[st->pc] & RMT_VI_MERGE)) {
			ret = rmt_vprune(c, st);
			if (ret)
				return ret < 0 ? ret : 0;
		}
		resume = false;
		ret = rmt_vstep(c, st);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

static int rmt_vrun(struct rmt_vctx *c)
{
	struct rmt_vstate *st = c->cur;
	bool resume = false;
	int ret;

	ret = rmt_vinit(c, st);
	if (ret)
		return ret;
	do {
		ret = rmt_vpath(c, st, resume);
		if (ret)
			return ret;
	} while (rmt_vpend_pop(c, st, &resume));
	return 0;
}

static void rmt_vctx_free(struct rmt_vctx *c)
{
	rmt_free(c->info);
	rmt_free(c->func);
	rmt_free(c->saved_head);
	rmt_free(c->saved_count);
	rmt_free(c->saved);
	rmt_free(c->items);
	rmt_free(c->live);
	rmt_free(c->loop_of);
	rmt_free(c->loop_body);
	rmt_free(c->store.buf);
	rmt_free(c->pend.buf);
	rmt_free(c->cur);
	rmt_free(c->tmp);
}

static int rmt_vctx_init(struct rmt_vctx *c)
{
	u32 n = c->prog->len;

	c->info = rmt_alloc(n);
	c->func = rmt_alloc((size_t)n * sizeof(*c->func));
	c->saved_head = rmt_alloc((size_t)n * sizeof(*c->saved_head));
	c->saved_count = rmt_alloc(n);
	c->live = rmt_alloc((size_t)n * sizeof(*c->live));
	c->cur = rmt_alloc(sizeof(*c->cur));
	c->tmp = rmt_alloc(sizeof(*c->tmp));
	if (!c->info || !c->func || !c->saved_head || !c->saved_count ||
	    !c->live || !c->cur || !c->tmp)
		return rmt_verr(c, -ENOMEM, "out of memory");
	return 0;
}

int rmt_verify_prog_stats(const struct rmt_prog *prog,
			  const struct rmt_verify_env *env,
			  struct rmt_verify_stats *stats, char *log,
			  size_t log_size)
{
	struct rmt_vctx c = {
		.prog = prog, .env = env, .log = log, .log_size = log_size
	};
	u32 max = env && env->max_insns ? env->max_insns :
					  RMT_VERIFY_DEFAULT_MAX_INSNS;
	int err;

	rmt_vm_logf(log, log_size, "%s", "");
	if (!prog || !env || !prog->decoded || !prog->len)
		return rmt_verr(&c, -EINVAL, "no program or no hook");
	if (prog->len > max)
		return rmt_verr(
			&c, -E2BIG,
			"program too long: %u instructions (the %s hook allows %u)",
			prog->len, env->hook ? env->hook : "", max);
	c.budget =
		env->cost_budget ? env->cost_budget : RMT_VERIFY_DEFAULT_BUDGET;
	c.stats.max_call_depth = 1;
	err = rmt_vctx_init(&c);
	if (!err)
		err = rmt_vcfg(&c);
	if (!err)
		err = rmt_vloops(&c);
	if (!err) {
		rmt_vlive(&c);
		err = rmt_vrun(&c);
	}
	if (!err && c.stats.cost > c.budget)
		err = rmt_verr(
			&c, -E2BIG,
			"worst-case cost %llu exceeds the %s budget of %llu by %llu",
			(unsigned long long)c.stats.cost,
			env->hook ? env->hook : "hook's",
			(unsigned long long)c.budget,
			(unsigned long long)(c.stats.cost - c.budget));
	if (stats)
		*stats = c.stats;
	rmt_vctx_free(&c);
	return err;
}
