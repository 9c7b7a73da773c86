// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gen.c - see gen.h.  Registers: r6 context, r7 state, r8 accumulator,
 * r9 a context value the diamonds branch on; r1-r5 and r0 are scratch.
 */
#include "bench/verifier/gen.h"
#include "verifier/hooks.h"

struct rmt_bgen_st {
	struct rmt_insn *code;
	u32 n;
	u64 seed;
};

static u32 rmt_bgen_rand(struct rmt_bgen_st *g, u32 below)
{
	g->seed ^= g->seed << 13;
	g->seed ^= g->seed >> 7;
	g->seed ^= g->seed << 17;
	return (u32)(g->seed % below);
}

static void rmt_bgen_emit(struct rmt_bgen_st *g, u8 code, u8 dst, u8 src,
			  s16 off, s32 imm)
{
	struct rmt_insn *i = &g->code[g->n++];

	i->code = code;
	i->regs = (u8)(dst | src << 4);
	i->off = off;
	i->imm = imm;
}

/* Exportable, readable 4-byte context fields of test_fault. */
static const s16 rmt_bgen_ctx[] = { 0, 4, 8, 12, 16, 20, 24, 28, 48, 56 };

/* One straight-line statement: 2 to 7 instructions. */
static void rmt_bgen_stmt(struct rmt_bgen_st *g)
{
	s16 slot = (s16)(-8 * (1 + (s16)rmt_bgen_rand(g, 8)));

	switch (rmt_bgen_rand(g, 6)) {
	case 0: /* context value into the accumulator */
		rmt_bgen_emit(g, 0x61, 2, 6, rmt_bgen_ctx[rmt_bgen_rand(g, 10)],
			      0);
		rmt_bgen_emit(g, 0x0f, 8, 2, 0, 0);
		break;
	case 1: /* stack round trip */
		rmt_bgen_emit(g, 0x7b, 10, 8, slot, 0);
		rmt_bgen_emit(g, 0x79, 3, 10,
			      (s16)(-8 * (1 + (s16)rmt_bgen_rand(g, 8))), 0);
		rmt_bgen_emit(g, 0xaf, 8, 3, 0, 0);
		break;
	case 2: /* state at a computed offset */
		rmt_bgen_emit(g, 0xbf, 2, 8, 0, 0);
		rmt_bgen_emit(g, 0x57, 2, 0, 0, 56);
		rmt_bgen_emit(g, 0xbf, 3, 7, 0, 0);
		rmt_bgen_emit(g, 0x0f, 3, 2, 0, 0);
		rmt_bgen_emit(g, 0x79, 4, 3, 0, 0);
		rmt_bgen_emit(g, 0x0f, 8, 4, 0, 0);
		rmt_bgen_emit(g, 0x7b, 7, 8, 8, 0);
		break;
	case 3: /* helper: ktime or prefetch */
		if (rmt_bgen_rand(g, 2)) {
			rmt_bgen_emit(g, 0x85, 0, 0, 0, RMT_VH_KTIME);
		} else {
			rmt_bgen_emit(g, 0xbf, 1, 8, 0, 0);
			rmt_bgen_emit(g, 0xb7, 2, 0, 0, 4);
			rmt_bgen_emit(g, 0x85, 0, 0, 0, RMT_VH_PREFETCH);
		}
		rmt_bgen_emit(g, 0x0f, 8, 0, 0, 0);
		break;
	case 4: /* NULL-checked lookup */
		rmt_bgen_emit(g, 0xbf, 1, 8, 0, 0);
		rmt_bgen_emit(g, 0x85, 0, 0, 0, RMT_VH_LOOKUP);
		rmt_bgen_emit(g, 0x15, 0, 0, 2, 0);
		rmt_bgen_emit(g, 0x79, 2, 0, 8, 0);
		rmt_bgen_emit(g, 0x0f, 8, 2, 0, 0);
		break;
	default:
		rmt_bgen_emit(g, 0x27, 8, 0, 0, 33 + (s32)rmt_bgen_rand(g, 9));
		rmt_bgen_emit(g, 0xa7, 8, 0, 0, (s32)rmt_bgen_rand(g, 1 << 20));
		break;
	}
}

/* Statements and diamonds nested up to depth, within room slots. */
static void rmt_bgen_block(struct rmt_bgen_st *g, u32 depth, u32 room)
{
	u32 end = g->n + room, jcc, ja;

	while (g->n + 24 < end) {
		if (!depth || rmt_bgen_rand(g, 3)) {
			rmt_bgen_stmt(g);
			continue;
		}
		/* if (r9 > K) { then } else { else } */
		jcc = g->n;
		rmt_bgen_emit(g, 0x25, 9, 0, 0, (s32)rmt_bgen_rand(g, 4096));
		rmt_bgen_block(g, depth - 1, 24 + rmt_bgen_rand(g, 40));
		ja = g->n;
		rmt_bgen_emit(g, 0x05, 0, 0, 0, 0);
		g->code[jcc].off = (s16)(g->n - jcc - 1);
		rmt_bgen_block(g, depth - 1, 24 + rmt_bgen_rand(g, 40));
		g->code[ja].off = (s16)(g->n - ja - 1);
		/* the branch value changes between diamonds */
		rmt_bgen_emit(g, 0x61, 9, 6, rmt_bgen_ctx[rmt_bgen_rand(g, 10)],
			      0);
	}
}

void rmt_bgen(struct rmt_insn *code, u32 n, u64 seed)
{
	struct rmt_bgen_st g = { .code = code, .seed = seed | 1 };
	s16 k;

	rmt_bgen_emit(&g, 0xbf, 6, 1, 0, 0);
	rmt_bgen_emit(&g, 0xbf, 7, 3, 0, 0);
	rmt_bgen_emit(&g, 0xb7, 8, 0, 0, 0);
	rmt_bgen_emit(&g, 0x61, 9, 6, 0, 0);
	for (k = 1; k <= 8; k++)
		rmt_bgen_emit(&g, 0x7b, 10, 8, (s16)(-8 * k), 0);
	/* a depth-3 diamond can overrun its room by up to 620 slots */
	if (n > g.n + 2 + 650)
		rmt_bgen_block(&g, 3, n - 2 - 650 - g.n);
	while (g.n + 7 < n - 2)
		rmt_bgen_stmt(&g);
	while (g.n < n - 2)
		rmt_bgen_emit(&g, 0x07, 8, 0, 0, 1);
	rmt_bgen_emit(&g, 0xb7, 0, 0, 0, 0);
	rmt_bgen_emit(&g, 0x95, 0, 0, 0, 0);
}
