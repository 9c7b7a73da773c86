// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cfg.c - the structural pass the analysis builds on, beyond what
 * rmt_prog_load checked: functions (entry 0 and every local call target)
 * that control never leaves except by call and exit, no unreachable
 * instruction, merge points, and back-edges (found by a depth-first search
 * of each function; every cycle contains one, which is what lets the
 * analysis count loop iterations per path).
 */
#include "verifier/vpriv.h"

#define RMT_NO_SUCC 0xffffffffu

/* Successors of slot i inside its function: fall-through, jump target. */
static void rmt_vsucc(const struct rmt_vctx *c, u32 i, u32 succ[2])
{
	const struct rmt_insn *d = &c->prog->decoded[i];
	u8 form = rmt_isa[d->code].form;

	succ[0] = i + 1;
	succ[1] = RMT_NO_SUCC;
	switch (form) {
	case RMT_FORM_EXIT:
		succ[0] = RMT_NO_SUCC;
		break;
	case RMT_FORM_LDDW:
		succ[0] = i + 2;
		break;
	case RMT_FORM_JA:
		succ[0] = RMT_NO_SUCC;
		succ[1] = i + 1 + d->off;
		break;
	case RMT_FORM_JA32:
		succ[0] = RMT_NO_SUCC;
		succ[1] = i + 1 + d->imm;
		break;
	case RMT_FORM_JMP_K:
	case RMT_FORM_JMP_X:
		succ[1] = i + 1 + d->off;
		break;
	default:
		break;
	}
}

static bool rmt_vslot2(const struct rmt_vctx *c, u32 i)
{
	return c->prog->decoded[i].code == RMT_OP_LDDW_HI;
}

static int rmt_vcfg_funcs(struct rmt_vctx *c)
{
	const struct rmt_prog *p = c->prog;
	u32 i, f = 0, s[2];

	c->info[0] |= RMT_VI_FUNC;
	for (i = 0; i < p->len; i++)
		if (p->decoded[i].code == RMT_OP_CALL_LOCAL)
			c->info[i + 1 + p->decoded[i].imm] |= RMT_VI_FUNC;
	for (i = 0; i < p->len; i++) {
		if (c->info[i] & RMT_VI_FUNC)
			f = i;
		c->func[i] = f;
	}
	for (i = 0; i < p->len; i++) {
		if (rmt_vslot2(c, i))
			continue;
		rmt_vsucc(c, i, s);
		if (s[0] != RMT_NO_SUCC &&
		    (s[0] >= p->len || c->func[s[0]] != c->func[i]))
			return rmt_verr(
				c, -EINVAL,
				"insn %u: control falls off the end of the function at insn %u",
				i, c->func[i]);
		if (s[1] != RMT_NO_SUCC && c->func[s[1]] != c->func[i])
			return rmt_verr(
				c, -EINVAL,
				"insn %u: jump to insn %u leaves the function at insn %u",
				i, s[1], c->func[i]);
	}
	return 0;
}

/* Depth-first search of one function from its entry; marks back-edges. */
static void rmt_vcfg_dfs(struct rmt_vctx *c, u32 entry, u32 *stack, u8 *color)
{
	u32 top = 0, i, s[2], k;

	stack[top++] = entry << 2;
	color[entry] = 1;
	c->info[entry] |= RMT_VI_REACHED;
	while (top) {
		i = stack[top - 1] >> 2;
		k = stack[top - 1] & 3;
		if (k == 2) {
			color[i] = 2;
			top--;
			continue;
		}
		stack[top - 1]++;
		rmt_vsucc(c, i, s);
		if (s[k] == RMT_NO_SUCC)
			continue;
		if (color[s[k]] == 1) {
			c->info[i] |= k ? RMT_VI_BACK_JUMP : RMT_VI_BACK_FALL;
		} else if (!color[s[k]]) {
			color[s[k]] = 1;
			c->info[s[k]] |= RMT_VI_REACHED;
			stack[top++] = s[k] << 2;
		}
	}
}

int rmt_vcfg(struct rmt_vctx *c)
{
	const struct rmt_prog *p = c->prog;
	u32 *stack, i, s[2], k;
	u8 *color, *preds;
	int err;

	err = rmt_vcfg_funcs(c);
	if (err)
		return err;
	stack = rmt_alloc((size_t)p->len * sizeof(*stack));
	color = rmt_alloc((size_t)p->len * 2);
	if (!stack || !color) {
		rmt_free(stack);
		rmt_free(color);
		return rmt_verr(c, -ENOMEM, "out of memory");
	}
	preds = color + p->len;
	/* Functions are reached from entry 0 through reached call sites. */
	rmt_vcfg_dfs(c, 0, stack, color);
	for (i = 0; i < p->len; i++) {
		if (!(c->info[i] & RMT_VI_REACHED) ||
		    p->decoded[i].code != RMT_OP_CALL_LOCAL)
			continue;
		k = i + 1 + p->decoded[i].imm;
		if (!(c->info[k] & RMT_VI_REACHED)) {
			rmt_vcfg_dfs(c, k, stack, color);
			i = 0; /* newly reached code may call further */
		}
	}
	for (i = 0; i < p->len && !err; i++) {
		if (rmt_vslot2(c, i))
			continue;
		if (!(c->info[i] & RMT_VI_REACHED)) {
			err = rmt_verr(c, -EINVAL,
				       "insn %u: unreachable instruction", i);
			break;
		}
		rmt_vsucc(c, i, s);
		for (k = 0; k < 2; k++)
			if (s[k] != RMT_NO_SUCC && preds[s[k]] < 2)
				preds[s[k]]++;
	}
	for (i = 0; i < p->len; i++)
		if (preds[i] >= 2)
			c->info[i] |= RMT_VI_MERGE;
	rmt_free(stack);
	rmt_free(color);
	return err;
}
