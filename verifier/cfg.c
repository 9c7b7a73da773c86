// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cfg.c - the structural pass the analysis builds on, beyond what
 * rmt_prog_load checked: functions (entry 0 and every local call target)
 * that control never leaves except by call and exit, no unreachable
 * instruction, merge points, and back-edges (found by a depth-first search
 * of each function; every cycle contains one, which is what lets the
 * analysis count loop iterations per path).  Also which registers are
 * live at each instruction, so that pruning ignores dead ones.
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

#define RMT_VARGS 0x3eu /* r1-r5 */
#define RMT_VCALLER 0x3fu /* r0-r5: what a call leaves undefined */

/* Registers insn reads (*use) and writes (*def). */
static void rmt_vuse_def(const struct rmt_insn *d, u16 *use, u16 *def)
{
	const struct rmt_isa_entry *e = &rmt_isa[d->code];
	u16 dst = (u16)(1u << rmt_insn_dst(d)),
	    src = (u16)(1u << rmt_insn_src(d));

	*use = 0;
	*def = 0;
	switch (e->form) {
	case RMT_FORM_ALU_K:
	case RMT_FORM_NEG:
	case RMT_FORM_END:
		*use = RMT_OP(e->code) == RMT_MOV ? 0 : dst;
		*def = dst;
		break;
	case RMT_FORM_ALU_X:
		*use = (u16)(src | (RMT_OP(e->code) == RMT_MOV ? 0 : dst));
		*def = dst;
		break;
	case RMT_FORM_LDDW:
		*def = dst;
		break;
	case RMT_FORM_LDX:
		*use = src;
		*def = dst;
		break;
	case RMT_FORM_ST:
	case RMT_FORM_JMP_K:
		*use = dst;
		break;
	case RMT_FORM_STX:
	case RMT_FORM_JMP_X:
		*use = (u16)(dst | src);
		break;
	case RMT_FORM_ATOMIC:
		*use = (u16)(dst | src | 1u);
		break;
	case RMT_FORM_CALL:
	case RMT_FORM_CALLX:
		*use = (u16)(RMT_VARGS | (e->form == RMT_FORM_CALLX ? dst : 0));
		*def = RMT_VCALLER;
		break;
	case RMT_FORM_EXIT:
		*use = 1u;
		break;
	default:
		break;
	}
}

void rmt_vlive(struct rmt_vctx *c)
{
	const struct rmt_prog *p = c->prog;
	bool changed = true;
	u16 use, def, out;
	u32 i, s[2], k;

	while (changed) {
		changed = false;
		for (i = p->len; i-- > 0;) {
			if (rmt_vslot2(c, i))
				continue;
			rmt_vsucc(c, i, s);
			out = 0;
			for (k = 0; k < 2; k++)
				if (s[k] != RMT_NO_SUCC)
					out |= c->live[s[k]];
			rmt_vuse_def(&p->decoded[i], &use, &def);
			out = (u16)((out & ~def) | use);
			if (out != c->live[i]) {
				c->live[i] = out;
				changed = true;
			}
		}
	}
}

/* Mark the natural loop of back-edge u -> h in loop l; false: irreducible. */
static bool rmt_vloop_body(struct rmt_vctx *c, u32 l, u32 u, u32 h,
			   const u32 *poff, const u32 *preds, u32 *stack)
{
	u32 *body = &c->loop_body[l * c->words], top = 0, n, k;

	body[h / 32] |= 1u << (h % 32);
	if (!(body[u / 32] >> (u % 32) & 1)) {
		body[u / 32] |= 1u << (u % 32);
		stack[top++] = u;
	}
	while (top) {
		n = stack[--top];
		if (n == c->func[h])
			return false; /* h does not dominate u */
		for (k = poff[n]; k < poff[n + 1]; k++) {
			if (body[preds[k] / 32] >> (preds[k] % 32) & 1)
				continue;
			body[preds[k] / 32] |= 1u << (preds[k] % 32);
			stack[top++] = preds[k];
		}
	}
	return true;
}

int rmt_vloops(struct rmt_vctx *c)
{
	const struct rmt_prog *p = c->prog;
	u32 *poff, *preds, *stack, i, k, s[2], h, n = p->len;
	bool back;

	c->words = (n + 31) / 32;
	c->loop_of = rmt_alloc(n);
	c->loop_body = rmt_alloc((size_t)RMT_VLOOPS * c->words * 4);
	poff = rmt_alloc(((size_t)n + 1) * sizeof(*poff));
	preds = rmt_alloc((size_t)n * 2 * sizeof(*preds));
	stack = rmt_alloc((size_t)n * sizeof(*stack));
	if (!c->loop_of || !c->loop_body || !poff || !preds || !stack) {
		rmt_free(poff);
		rmt_free(preds);
		rmt_free(stack);
		return rmt_verr(c, -ENOMEM, "out of memory");
	}
	/* predecessor lists */
	for (i = 0; i < n; i++) {
		if (rmt_vslot2(c, i))
			continue;
		rmt_vsucc(c, i, s);
		for (k = 0; k < 2; k++)
			if (s[k] != RMT_NO_SUCC)
				poff[s[k] + 1]++;
	}
	for (i = 0; i < n; i++)
		poff[i + 1] += poff[i];
	for (i = 0; i < n; i++)
		stack[i] = poff[i];
	for (i = 0; i < n; i++) {
		if (rmt_vslot2(c, i))
			continue;
		rmt_vsucc(c, i, s);
		for (k = 0; k < 2; k++)
			if (s[k] != RMT_NO_SUCC)
				preds[stack[s[k]]++] = i;
	}
	c->loops_ok = true;
	for (i = 0; i < n && c->loops_ok; i++) {
		if (rmt_vslot2(c, i))
			continue;
		rmt_vsucc(c, i, s);
		for (k = 0; k < 2 && c->loops_ok; k++) {
			back = c->info[i] &
			       (k ? RMT_VI_BACK_JUMP : RMT_VI_BACK_FALL);
			if (!back)
				continue;
			h = s[k];
			if (!c->loop_of[h]) {
				if (c->n_loops == RMT_VLOOPS) {
					c->loops_ok = false;
					break;
				}
				c->loop_of[h] = (u8)++c->n_loops;
			}
			c->loops_ok = rmt_vloop_body(c, c->loop_of[h] - 1u, i,
						     h, poff, preds, stack);
		}
	}
	rmt_free(poff);
	rmt_free(preds);
	rmt_free(stack);
	return 0;
}
