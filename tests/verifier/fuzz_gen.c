// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_gen.c - libFuzzer target: the input drives a generator of
 * valid-looking test_fault actions (context, parameter, state, feature
 * and stack accesses near their bounds, pointer arithmetic, forward
 * branches, counted loops, helper calls), so that many are accepted;
 * every accepted one must run clean (fuzz_check.h).
 */
#include <string.h>

#include "tests/verifier/fuzz_check.h"
#include "tests/verifier/vtest.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define RMT_GEN_MAX 96

struct rmt_gen {
	const u8 *data;
	size_t size, pos;
	struct rmt_insn code[RMT_GEN_MAX + 8];
	u32 n;
};

static u32 rmt_gen_byte(struct rmt_gen *g)
{
	return g->pos < g->size ? g->data[g->pos++] : 0;
}

static void rmt_gen_emit(struct rmt_gen *g, u8 code, u8 dst, u8 src, s16 off,
			 s32 imm)
{
	struct rmt_insn *i = &g->code[g->n++];

	i->code = code;
	i->regs = (u8)(dst | src << 4);
	i->off = off;
	i->imm = imm;
}

static const u8 rmt_gen_alu[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50,
				  0x60, 0x70, 0x90, 0xa0, 0xc0, 0xb0 };
static const u8 rmt_gen_jmp[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60,
				  0x70, 0xa0, 0xb0, 0xc0, 0xd0 };
static const u8 rmt_gen_size[] = { 0x00, 0x08, 0x10, 0x18 };

/* One instruction (or a short idiom) chosen by the input. */
static void rmt_gen_one(struct rmt_gen *g)
{
	u32 t = rmt_gen_byte(g), a = rmt_gen_byte(g), b = rmt_gen_byte(g);
	u8 d = a % 10, s = b % 11, ptr = (u8)(1 + (b >> 4) % 4);
	s16 off = (s16)((s8)rmt_gen_byte(g));
	u32 left = RMT_GEN_MAX - g->n;

	switch (t % 12) {
	case 0:
		rmt_gen_emit(g, 0xb7, d, 0, 0, (s8)b);
		break;
	case 1:
		rmt_gen_emit(g, (u8)(0x07 | rmt_gen_alu[a % 12]), d, 0, 0,
			     (s8)b);
		break;
	case 2:
		rmt_gen_emit(g, (u8)(0x0f | rmt_gen_alu[a % 12]), d, s, 0, 0);
		break;
	case 3:
		rmt_gen_emit(g, (u8)(0x04 | rmt_gen_alu[b % 12]), d, 0, 0,
			     (s8)a);
		break;
	case 4: /* load near a region */
		if (b & 1)
			ptr = 10;
		rmt_gen_emit(g, (u8)(0x61 | rmt_gen_size[a % 4]), d, ptr,
			     ptr == 10 ? (s16)(-(off & 0x7f) - 1) :
					 (s16)(off & 0x7f),
			     0);
		break;
	case 5: /* store near a region */
		if (b & 1)
			ptr = 10;
		rmt_gen_emit(g, (u8)(0x63 | rmt_gen_size[a % 4]), ptr, s,
			     ptr == 10 ? (s16)(-(off & 0x7f) - 1) :
					 (s16)(off & 0x7f),
			     0);
		break;
	case 6: /* forward branch */
		rmt_gen_emit(g,
			     (u8)((a & 1 ? 0x05 : 0x06) | (a & 2 ? 0x08 : 0) |
				  rmt_gen_jmp[b % 11]),
			     d, s, (s16)(off & 7) % (s16)(left ? left : 1),
			     (s8)t);
		break;
	case 7: /* helper call with typical arguments */
		rmt_gen_emit(g, 0xbf, 1, ptr, 0, 0);
		rmt_gen_emit(g, 0xb7, 2, 0, 0, 1 + (b & 31));
		rmt_gen_emit(g, 0xb7, 3, 0, 0, 1 + (a & 63));
		rmt_gen_emit(g, 0x85, 0, 0, 0, 1 + (s32)(t / 12 % 6));
		break;
	case 8: /* pointer +/- a masked scalar */
		rmt_gen_emit(g, 0x57, s % 10, 0, 0, a & 63);
		rmt_gen_emit(g, b & 1 ? 0x0f : 0x1f, ptr, s % 10, 0, 0);
		break;
	case 9: /* a counted loop around one instruction */
		if (left < 4)
			break;
		rmt_gen_emit(g, 0xb7, 9, 0, 0, 0);
		rmt_gen_emit(g, 0x07, 9, 0, 0, 1 + (a & 3));
		rmt_gen_emit(g, (u8)(0x07 | rmt_gen_alu[b % 3]), d == 9 ? 0 : d,
			     0, 0, (s8)t);
		rmt_gen_emit(g, 0xa5, 9, 0, -3, (s32)(b % 40));
		break;
	case 10: /* spill and fill */
		rmt_gen_emit(g, 0x7b, 10, s, (s16)(-8 * (1 + a % 8)), 0);
		rmt_gen_emit(g, 0x79, d, 10, (s16)(-8 * (1 + b % 8)), 0);
		break;
	default: /* null-checked lookup */
		if (left < 4)
			break;
		rmt_gen_emit(g, 0xb7, 1, 0, 0, (s8)a);
		rmt_gen_emit(g, 0x85, 0, 0, 0, 3);
		rmt_gen_emit(g, 0x15, 0, 0, 1, 0);
		rmt_gen_emit(g, 0x79, d, 0, (s16)(off & 15), 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct rmt_gen g;
	struct rmt_prog prog;
	char log[256];

	memset(&g, 0, sizeof(g));
	g.data = data;
	g.size = size;
	while (g.pos < size && g.n + 4 <= RMT_GEN_MAX)
		rmt_gen_one(&g);
	rmt_gen_emit(&g, 0xb7, 0, 0, 0, 0);
	rmt_gen_emit(&g, 0x95, 0, 0, 0, 0);
	if (rmt_prog_load(&prog, g.code, g.n * sizeof(g.code[0]),
			  rmt_vtest_helpers(), log, sizeof(log)))
		return 0;
	rmt_vfuzz_check(&prog, rmt_vhook_find("test_fault"));
	rmt_prog_free(&prog);
	return 0;
}
