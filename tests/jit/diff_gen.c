// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * diff_gen.c - the random program generator of the differential tests.
 * Programs are built from items (one instruction, or a short sequence
 * such as lddw + load); forward jumps name a later item and are patched
 * once the function is laid out.  r1 keeps the address of region 0 and
 * is never written, so region accesses through it stay in bounds.
 */
#include <string.h>

#include "tests/jit/diff_gen.h"
#include "vm/isa.h"

#define MAX_ITEMS 96
#define MAX_FIXUPS 128

struct fixup {
	u32 slot;
	u32 target; /* item index, or function index for calls */
	bool ja32; /* offset in imm rather than off */
	bool call;
};

struct gen {
	struct rmt_gen_prog *p;
	u64 rng;
	u64 rw, ro;
	u32 item_start[MAX_ITEMS + 1];
	struct fixup fix[MAX_FIXUPS];
	u32 n_fix;
	struct fixup calls[MAX_FIXUPS];
	u32 n_calls;
	u32 func_start[3];
	u32 n_funcs;
	u32 cur_func;
};

static u64 helper_mix(struct rmt_vm_run *run, u64 r1, u64 r2, u64 r3, u64 r4,
		      u64 r5)
{
	return r1 * 31 + (r2 ^ (r3 << 7)) + r4 - r5;
}

static u64 helper_rot(struct rmt_vm_run *run, u64 r1, u64 r2, u64 r3, u64 r4,
		      u64 r5)
{
	return (r2 << 13 | r2 >> 51) ^ r5 ^ 0x9e3779b97f4a7c15ull;
}

static const struct rmt_helper gen_helper_list[] = {
	{ .id = 1, .cost = 1, .fn = helper_mix, .name = "mix" },
	{ .id = 2, .cost = 1, .fn = helper_rot, .name = "rot" },
};

const struct rmt_helper_set rmt_gen_helpers = {
	.helpers = gen_helper_list,
	.count = 2,
};

u64 rmt_gen_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static u32 rnd(struct gen *g, u32 n)
{
	return (u32)(rmt_gen_next(&g->rng) % n);
}

static bool chance(struct gen *g, u32 one_in)
{
	return rnd(g, one_in) == 0;
}

static s32 rnd_imm(struct gen *g)
{
	static const s32 special[] = { 0,    1,	     -1,	 2,
				       3,    7,	     0x7fffffff, INT32_MIN,
				       0xff, 0xffff, -2,	 0x80 };

	switch (rnd(g, 4)) {
	case 0:
		return special[rnd(g, RMT_ARRAY_SIZE(special))];
	case 1:
		return (s32)rnd(g, 64) - 16;
	default:
		return (s32)(u32)rmt_gen_next(&g->rng);
	}
}

static u64 rnd_imm64(struct gen *g)
{
	static const u64 special[] = { 0,
				       ~0ull,
				       0x8000000000000000ull,
				       0x7fffffffffffffffull,
				       0xffffffffull,
				       0x80000000ull,
				       0xffffffff80000000ull,
				       1 };

	if (chance(g, 3))
		return special[rnd(g, RMT_ARRAY_SIZE(special))];
	return rmt_gen_next(&g->rng);
}

/* Registers an item may write: all but r1 (region 0) and r10. */
static u8 wreg(struct gen *g)
{
	static const u8 regs[] = { 0, 2, 3, 4, 5, 6, 7, 8, 9 };

	return regs[rnd(g, g->p->few_regs ? 5 : RMT_ARRAY_SIZE(regs))];
}

static u8 rreg(struct gen *g)
{
	static const u8 regs[] = { 0, 1, 2, 3, 4, 5, 10, 6, 7, 8, 9 };

	return regs[rnd(g, g->p->few_regs ? 7 : RMT_ARRAY_SIZE(regs))];
}

static void emit(struct gen *g, u8 code, u8 dst, u8 src, s16 off, s32 imm)
{
	struct rmt_insn *in = &g->p->code[g->p->len++];

	in->code = code;
	in->regs = (u8)(src << 4 | dst);
	in->off = off;
	in->imm = imm;
}

static void emit_lddw(struct gen *g, u8 dst, u64 v)
{
	emit(g, RMT_LD | RMT_IMM | RMT_DW, dst, 0, 0, (s32)(u32)v);
	emit(g, 0, 0, 0, 0, (s32)(u32)(v >> 32));
}

static void gen_alu(struct gen *g)
{
	static const u8 ops[] = { RMT_ADD, RMT_SUB, RMT_MUL,  RMT_DIV, RMT_OR,
				  RMT_AND, RMT_LSH, RMT_RSH,  RMT_NEG, RMT_MOD,
				  RMT_XOR, RMT_MOV, RMT_ARSH, RMT_END };
	bool w = chance(g, 2);
	u8 cls = w ? RMT_ALU64 : RMT_ALU;
	u8 op = ops[rnd(g, RMT_ARRAY_SIZE(ops))];
	bool x = chance(g, 2);
	u8 dst = wreg(g);
	s16 off = 0;
	s32 imm;

	switch (op) {
	case RMT_NEG:
		emit(g, cls | op, dst, 0, 0, 0);
		return;
	case RMT_END:
		imm = 16 << rnd(g, 3);
		if (w)
			x = false;
		emit(g, cls | op | (x ? RMT_X : RMT_K), dst, 0, 0, imm);
		return;
	case RMT_DIV:
	case RMT_MOD:
		off = (s16)rnd(g, 2);
		break;
	case RMT_MOV:
		if (x && chance(g, 2))
			off = (s16)(8 << rnd(g, w ? 3 : 2));
		break;
	case RMT_LSH:
	case RMT_RSH:
	case RMT_ARSH:
		if (!x) {
			imm = chance(g, 8) ? rnd_imm(g) :
					     (s32)rnd(g, w ? 64 : 32);
			emit(g, cls | op, dst, 0, 0, imm);
			return;
		}
		break;
	default:
		break;
	}
	if (x)
		emit(g, cls | op | RMT_X, dst, rreg(g), off, 0);
	else
		emit(g, cls | op, dst, 0, off, rnd_imm(g));
}

static u8 rnd_size(struct gen *g, int *bytes)
{
	static const u8 sizes[] = { RMT_B, RMT_H, RMT_W, RMT_DW };
	static const int len[] = { 1, 2, 4, 8 };
	u32 i = rnd(g, 4);

	*bytes = len[i];
	return sizes[i];
}

/*
 * A base register and offset for size bytes: the stack through r10 or a
 * copy of it, region 0 through r1, or (for loads) region 1 through lddw.
 * align: keep the address a multiple of size.
 */
static void rnd_addr(struct gen *g, int size, bool load, bool align, u8 *base,
		     s16 *off)
{
	u32 where = rnd(g, load ? 4 : 3);
	u32 slots;

	switch (where) {
	case 0:
		*base = RMT_REG_FP;
		slots = (RMT_STACK_SIZE - size) / size + 1;
		*off = (s16)(-(s32)size * (s32)(1 + rnd(g, slots - 1)));
		if (!align)
			*off = (s16)(-size -
				     (s32)rnd(g, RMT_STACK_SIZE - size));
		return;
	case 1: {
		u8 tmp = wreg(g);
		s32 back = 8 * (s32)rnd(g, 64);

		/* r10 copied: a stack access the JIT must check at run time */
		emit(g, RMT_ALU64 | RMT_MOV | RMT_X, tmp, RMT_REG_FP, 0, 0);
		emit(g, RMT_ALU64 | RMT_ADD, tmp, 0, 0, -back);
		*base = tmp;
		slots = (RMT_STACK_SIZE - 64 - size) / size;
		*off = (s16)(-(s32)size * (s32)(1 + rnd(g, slots)));
		if (!align)
			*off = (s16)(-size -
				     (s32)rnd(g, RMT_STACK_SIZE - 64 - size));
		return;
	}
	case 2:
		*base = 1;
		*off = (s16)(size * (s32)rnd(g, RMT_GEN_RW_LEN / size));
		if (!align)
			*off = (s16)rnd(g, RMT_GEN_RW_LEN - size + 1);
		return;
	default:
		*base = wreg(g);
		emit_lddw(g, *base, g->ro);
		*off = (s16)rnd(g, RMT_GEN_RO_LEN - size + 1);
		return;
	}
}

static void gen_load(struct gen *g)
{
	int size;
	u8 sz = rnd_size(g, &size);
	u8 mode = size < 8 && chance(g, 3) ? RMT_MEMSX : RMT_MEM;
	u8 base;
	s16 off;

	rnd_addr(g, size, true, false, &base, &off);
	emit(g, RMT_LDX | mode | sz, wreg(g), base, off, 0);
}

static void gen_store(struct gen *g)
{
	int size;
	u8 sz = rnd_size(g, &size);
	u8 base;
	s16 off;

	rnd_addr(g, size, false, false, &base, &off);
	if (chance(g, 2))
		emit(g, RMT_ST | RMT_MEM | sz, base, 0, off, rnd_imm(g));
	else
		emit(g, RMT_STX | RMT_MEM | sz, base, rreg(g), off, 0);
}

static void gen_atomic(struct gen *g)
{
	static const s32 ops[] = { RMT_ADD,
				   RMT_OR,
				   RMT_AND,
				   RMT_XOR,
				   RMT_ADD | RMT_FETCH,
				   RMT_OR | RMT_FETCH,
				   RMT_AND | RMT_FETCH,
				   RMT_XOR | RMT_FETCH,
				   RMT_XCHG,
				   RMT_CMPXCHG };
	bool w = chance(g, 2);
	int size = w ? 8 : 4;
	u8 base, src = wreg(g);
	s16 off;

	s32 op = ops[rnd(g, RMT_ARRAY_SIZE(ops))];

	rnd_addr(g, size, false, true, &base, &off);
	/* r0 equal to memory (and other high bits) makes cmpxchg store */
	if (op == RMT_CMPXCHG && base && chance(g, 2))
		emit(g, RMT_LDX | RMT_MEM | RMT_DW, 0, base, off, 0);
	emit(g, RMT_STX | RMT_ATOMIC | (w ? RMT_DW : RMT_W), base, src, off,
	     op);
}

static void add_fixup(struct gen *g, u32 target, bool ja32)
{
	struct fixup *f = &g->fix[g->n_fix++];

	f->slot = g->p->len - 1;
	f->target = target;
	f->ja32 = ja32;
	f->call = false;
}

static void gen_jump(struct gen *g, u32 item, u32 n_items, bool back)
{
	static const u8 conds[] = { RMT_JEQ, RMT_JGT,  RMT_JGE,	 RMT_JSET,
				    RMT_JNE, RMT_JSGT, RMT_JSGE, RMT_JLT,
				    RMT_JLE, RMT_JSLT, RMT_JSLE };
	u32 span = n_items - item < 8 ? n_items - item : 8;
	u32 target = back ? rnd(g, item + 1) : item + 1 + rnd(g, span);
	u8 cls = chance(g, 2) ? RMT_JMP : RMT_JMP32;

	if (chance(g, 6)) {
		bool ja32 = chance(g, 3);

		emit(g, ja32 ? RMT_JMP32 | RMT_JA : RMT_JMP | RMT_JA, 0, 0, 0,
		     0);
		add_fixup(g, target, ja32);
		return;
	}
	if (chance(g, 2))
		emit(g, cls | conds[rnd(g, 11)] | RMT_X, rreg(g), rreg(g), 0,
		     0);
	else
		emit(g, cls | conds[rnd(g, 11)], rreg(g), 0, 0, rnd_imm(g));
	add_fixup(g, target, false);
}

static void gen_call_local(struct gen *g, u32 func)
{
	struct fixup *f = &g->calls[g->n_calls++];

	emit(g, RMT_JMP | RMT_CALL, 0, RMT_CALL_LOCAL, 0, 0);
	f->slot = g->p->len - 1;
	f->target = func;
	f->call = true;
}

/* Something the guards must stop: each engine must stop the same way. */
static void gen_fault(struct gen *g)
{
	int size;
	u8 sz = rnd_size(g, &size);
	u8 tmp = wreg(g);

	switch (rnd(g, 5)) {
	case 0: /* across the top of the entry frame or the stack's bottom */
		emit(g, RMT_LDX | RMT_MEM | sz, wreg(g), RMT_REG_FP,
		     chance(g, 2) ?
			     (s16)(1 - size + (s32)rnd(g, size + 8)) :
			     (s16)(-RMT_VM_STACK_BYTES - 1 - (s32)rnd(g, size)),
		     0);
		return;
	case 1: /* around the ends of region 0 */
		emit(g, RMT_STX | RMT_MEM | sz, 1, rreg(g),
		     chance(g, 2) ? (s16)(RMT_GEN_RW_LEN - size + 1 +
					  (s32)rnd(g, 16)) :
				    (s16) - (s32)(1 + rnd(g, 16)),
		     0);
		return;
	case 2: /* a write to read-only region 1 */
		emit_lddw(g, tmp, g->ro);
		emit(g, RMT_ST | RMT_MEM | sz, tmp, 0,
		     (s16)rnd(g, RMT_GEN_RO_LEN - size + 1), rnd_imm(g));
		return;
	case 3: /* a misaligned atomic */
		emit(g, RMT_STX | RMT_ATOMIC | RMT_DW, 1, tmp,
		     (s16)(8 * rnd(g, 8) + 1 + rnd(g, 7)), RMT_ADD);
		return;
	default: /* callx of an id nobody has */
		emit(g, RMT_ALU64 | RMT_MOV, tmp, 0, 0,
		     chance(g, 2) ? 3 : rnd_imm(g));
		emit(g, RMT_JMP | RMT_CALL | RMT_X, tmp, 0, 0, 0);
		return;
	}
}

static void gen_item(struct gen *g, u32 item, u32 n_items, bool may_call)
{
	u32 k = rnd(g, 100);
	u8 tmp;

	if (g->p->may_fault && chance(g, 40)) {
		gen_fault(g);
	} else if (g->p->may_loop && chance(g, 25)) {
		gen_jump(g, item, n_items, true);
	} else if (k < 40) {
		gen_alu(g);
	} else if (k < 45) {
		emit_lddw(g, wreg(g), rnd_imm64(g));
	} else if (k < 57) {
		gen_load(g);
	} else if (k < 67) {
		gen_store(g);
	} else if (k < 72) {
		gen_atomic(g);
	} else if (k < 88) {
		gen_jump(g, item, n_items, false);
	} else if (k < 92) {
		emit(g, RMT_JMP | RMT_CALL, 0, 0, 0, 1 + (s32)rnd(g, 2));
	} else if (k < 94) {
		tmp = wreg(g);
		emit(g, RMT_ALU64 | RMT_MOV, tmp, 0, 0, 1 + (s32)rnd(g, 2));
		emit(g, RMT_JMP | RMT_CALL | RMT_X, tmp, 0, 0, 0);
	} else if (k < 97 && may_call) {
		gen_call_local(g, g->cur_func + 1);
	} else if (k < 98 && g->cur_func && g->p->may_fault) {
		gen_call_local(g, g->cur_func); /* recursion: -ELOOP */
	} else {
		gen_alu(g);
	}
}

static void gen_function(struct gen *g, u32 n_items, bool may_call)
{
	u32 i, first_fix = g->n_fix;

	g->func_start[g->cur_func] = g->p->len;
	for (i = 0; i < n_items; i++) {
		g->item_start[i] = g->p->len;
		gen_item(g, i, n_items, may_call);
	}
	g->item_start[n_items] = g->p->len;
	emit(g, RMT_JMP | RMT_EXIT, 0, 0, 0, 0);
	for (i = first_fix; i < g->n_fix; i++) {
		struct fixup *f = &g->fix[i];
		s32 rel = (s32)g->item_start[f->target] - (s32)(f->slot + 1);

		if (f->ja32)
			g->p->code[f->slot].imm = rel;
		else
			g->p->code[f->slot].off = (s16)rel;
	}
	g->n_fix = first_fix;
}

void rmt_gen_program(struct rmt_gen_prog *p, u64 seed, u64 rw, u64 ro)
{
	struct gen g;
	u32 i, r;

	memset(&g, 0, sizeof(g));
	memset(p, 0, sizeof(*p));
	g.p = p;
	g.rng = seed;
	g.rw = rw;
	g.ro = ro;
	p->may_fault = chance(&g, 4);
	p->may_loop = chance(&g, 10);
	g.n_funcs = 1 + rnd(&g, 3);
	p->few_regs = chance(&g, 4);
	for (r = 0; r < (p->few_regs ? 6u : RMT_NR_REGS - 1); r++) {
		if (r == 1 || chance(&g, 2))
			continue;
		if (chance(&g, 2))
			emit_lddw(&g, (u8)r, rnd_imm64(&g));
		else
			emit(&g, RMT_ALU64 | RMT_MOV, (u8)r, 0, 0, rnd_imm(&g));
	}
	for (i = 0; i < g.n_funcs; i++) {
		g.cur_func = i;
		gen_function(&g, i ? 3 + rnd(&g, 20) : 5 + rnd(&g, 60),
			     i + 1 < g.n_funcs);
	}
	for (i = 0; i < g.n_calls; i++) {
		struct fixup *f = &g.calls[i];

		p->code[f->slot].imm =
			(s32)g.func_start[f->target] - (s32)(f->slot + 1);
	}
}
