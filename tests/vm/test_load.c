// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_load.c - rmt_prog_load on bad programs: each gets -EINVAL (or
 * -E2BIG) and a message naming the instruction and the reason; random
 * bytes never crash the loader or the interpreter.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vm/test_util.h"
#include "vm/isa_desc.h"

#define I(c, r, o, i)                                            \
	{                                                        \
		.code = (c), .regs = (r), .off = (o), .imm = (i) \
	}
#define EXIT I(0x95, 0, 0, 0)

static u64 rmt_ret7(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d, u64 e)
{
	return 7;
}

static const struct rmt_helper helpers[] = {
	{ .id = 1, .cost = 1, .fn = rmt_ret7, .name = "ret7" },
};
static const struct rmt_helper_set helper_set = { helpers, 1 };

static void expect_error(const struct rmt_insn *code, size_t n, int err,
			 const char *msg)
{
	struct rmt_prog prog;
	char log[256];
	int ret;

	ret = rmt_prog_load(&prog, code, n * sizeof(*code), &helper_set, log,
			    sizeof(log));
	cr_assert_eq(ret, err, "expected %d, got %d (%s)", err, ret, log);
	cr_assert_not_null(strstr(log, msg), "log '%s' lacks '%s'", log, msg);
	cr_assert_null(prog.insns);
}

Test(load, accepts_minimal)
{
	struct rmt_insn code[] = { I(0xb7, 0, 0, 3), EXIT };
	struct rmt_prog prog;
	char log[64];

	cr_assert_eq(rmt_prog_load(&prog, code, sizeof(code), NULL, log,
				   sizeof(log)),
		     0, "%s", log);
	cr_assert_eq(prog.len, 2);
	cr_assert_eq(prog.decoded[0].code, RMT_OP_MOV_K);
	cr_assert_eq(memcmp(prog.insns, code, sizeof(code)), 0);
	rmt_prog_free(&prog);
}

Test(load, empty_and_lengths)
{
	struct rmt_insn code[] = { EXIT };
	struct rmt_prog prog;
	char log[128];

	cr_assert_eq(rmt_prog_load(&prog, code, 0, NULL, log, sizeof(log)),
		     -EINVAL);
	cr_assert_str_eq(log, "empty program");
	cr_assert_eq(rmt_prog_load(&prog, code, 7, NULL, log, sizeof(log)),
		     -EINVAL);
	cr_assert_not_null(strstr(log, "not a multiple of 8"));
	cr_assert_eq(rmt_prog_load(&prog, code, 12, NULL, NULL, 0), -EINVAL);
}

Test(load, too_long)
{
	size_t n = RMT_MAX_INSNS + 1, i;
	struct rmt_insn *code = calloc(n, sizeof(*code));

	cr_assert_not_null(code);
	for (i = 0; i < n; i++)
		code[i] = (struct rmt_insn)EXIT;
	expect_error(code, n, -E2BIG, "program too long");
	free(code);
}

Test(load, unknown_opcodes)
{
	struct rmt_insn a[] = { EXIT, I(0xff, 0, 0, 0), EXIT };
	struct rmt_insn b[] = { I(0x37, 0, 2, 1), EXIT }; /* div off 2 */
	struct rmt_insn c[] = { I(0xbf, 0x10, 4, 0), EXIT }; /* movsx 4 */
	struct rmt_insn d[] = { I(0xdb, 0x10, 0, 0x02), EXIT }; /* atomic */
	struct rmt_insn e[] = { I(0xd7, 0, 0, 8), EXIT }; /* bswap8 */
	struct rmt_insn f[] = { I(0x85, 0x20, 0, 1), EXIT }; /* call src 2 */
	struct rmt_insn g[] = { I(0x20, 0, 0, 0), EXIT }; /* LD_ABS */

	expect_error(a, 3, -EINVAL, "insn 1: unknown opcode 0xff");
	expect_error(b, 2, -EINVAL, "insn 0: unknown opcode 0x37");
	expect_error(c, 2, -EINVAL, "insn 0: unknown opcode 0xbf");
	expect_error(d, 2, -EINVAL, "insn 0: unknown opcode 0xdb");
	expect_error(e, 2, -EINVAL, "insn 0: unknown opcode 0xd7");
	expect_error(f, 2, -EINVAL, "insn 0: unknown opcode 0x85");
	expect_error(g, 2, -EINVAL, "insn 0: unknown opcode 0x20");
}

Test(load, reserved_fields)
{
	struct rmt_insn a[] = { I(0xb7, 0, 0, 0), I(0x95, 0, 0, 1) };
	struct rmt_insn b[] = { I(0x0f, 0x21, 0, 5), EXIT }; /* add imm */
	struct rmt_insn c[] = { I(0x07, 0x21, 0, 5), EXIT }; /* add src */
	struct rmt_insn d[] = { I(0x18, 0x10, 0, 0), I(0, 0, 0, 0), EXIT };

	expect_error(a, 2, -EINVAL, "insn 1: opcode 0x95: reserved field imm");
	expect_error(b, 2, -EINVAL, "insn 0: opcode 0xf: reserved field imm");
	expect_error(c, 2, -EINVAL, "insn 0: opcode 0x7: reserved field src");
	expect_error(d, 3, -EINVAL, "insn 0: opcode 0x18: reserved field src");
}

Test(load, registers)
{
	struct rmt_insn a[] = { I(0xb7, 0x0b, 0, 0), EXIT };
	struct rmt_insn b[] = { EXIT, I(0xbf, 0xc0, 0, 0), EXIT };
	struct rmt_insn c[] = { I(0xb7, 0x0a, 0, 0), EXIT };
	struct rmt_insn d[] = { I(0x61, 0x1a, 0, 0), EXIT };
	struct rmt_insn e[] = { I(0xdb, 0xa1, 0, 0x01), EXIT };
	struct rmt_insn ok[] = { I(0x7b, 0x1a, -8, 0), I(0xdb, 0x1a, -8, 0),
				 EXIT };
	struct rmt_prog prog;

	expect_error(a, 2, -EINVAL, "insn 0: mov: bad register r11");
	expect_error(b, 3, -EINVAL, "insn 1: mov: bad register r12");
	expect_error(c, 2, -EINVAL, "insn 0: mov: r10 is read-only");
	expect_error(d, 2, -EINVAL, "insn 0: ldxw: r10 is read-only");
	expect_error(e, 2, -EINVAL, "insn 0: lock fetch add: r10 is read-only");
	/* r10 as a base pointer of a store or atomic is fine. */
	cr_assert_eq(rmt_prog_load(&prog, ok, sizeof(ok), NULL, NULL, 0), 0);
	rmt_prog_free(&prog);
}

Test(load, jumps)
{
	struct rmt_insn a[] = { I(0x05, 0, 5, 0), EXIT };
	struct rmt_insn b[] = { EXIT, I(0x15, 0, -3, 0), EXIT };
	struct rmt_insn c[] = { I(0x05, 0, 1, 0), I(0x18, 0, 0, 1),
				I(0, 0, 0, 2), EXIT };
	struct rmt_insn d[] = { I(0x06, 0, 0, 2), EXIT };
	struct rmt_insn e[] = { I(0x85, 0x10, 0, -2), EXIT };
	struct rmt_insn f[] = { I(0x18, 0, 0, 1), I(0, 0, 0, 2), EXIT,
				I(0x05, 0, -3, 0) };

	expect_error(a, 2, -EINVAL, "insn 0: ja: target 6 is outside");
	expect_error(b, 3, -EINVAL, "insn 1: jeq: target -1 is outside");
	expect_error(c, 4, -EINVAL,
		     "insn 0: ja: target 2 is the second slot of lddw");
	expect_error(d, 2, -EINVAL, "insn 0: ja32: target 3 is outside");
	expect_error(e, 2, -EINVAL, "insn 0: call local: target -1 is outside");
	expect_error(f, 4, -EINVAL,
		     "insn 3: ja: target 1 is the second slot of lddw");
}

Test(load, lddw)
{
	struct rmt_insn a[] = { EXIT, I(0x18, 0, 0, 1) };
	struct rmt_insn b[] = { I(0x18, 0, 0, 1), I(0x95, 0, 0, 2), EXIT };
	struct rmt_insn c[] = { I(0x18, 0, 0, 1), I(0, 0x01, 0, 2), EXIT };

	expect_error(a, 2, -EINVAL, "insn 1: lddw truncated");
	expect_error(b, 3, -EINVAL, "insn 1: lddw second slot");
	expect_error(c, 3, -EINVAL, "insn 1: lddw second slot");
}

Test(load, helpers)
{
	struct rmt_insn a[] = { I(0x85, 0, 0, 2), EXIT };
	struct rmt_insn ok[] = { I(0x85, 0, 0, 1), EXIT };
	struct rmt_prog prog;
	char log[128];

	expect_error(a, 2, -EINVAL, "insn 0: call 2: unknown helper id");
	cr_assert_eq(
		rmt_prog_load(&prog, ok, sizeof(ok), NULL, log, sizeof(log)),
		-EINVAL);
	cr_assert_not_null(strstr(log, "unknown helper id"));
	cr_assert_eq(rmt_prog_load(&prog, ok, sizeof(ok), &helper_set, log,
				   sizeof(log)),
		     0);
	cr_assert_eq(prog.decoded[0].imm, 0, "helper index, not id");
	rmt_prog_free(&prog);
}

Test(load, must_not_fall_off)
{
	struct rmt_insn a[] = { I(0xb7, 0, 0, 0) };
	struct rmt_insn b[] = { I(0xb7, 0, 0, 0), I(0x15, 0, -2, 0) };
	struct rmt_insn c[] = { EXIT, I(0x85, 0x10, 0, -2) };

	expect_error(a, 1, -EINVAL, "insn 0: the last instruction must be");
	expect_error(b, 2, -EINVAL, "insn 1: the last instruction must be");
	expect_error(c, 2, -EINVAL, "insn 1: the last instruction must be");
}

Test(load, small_log_is_truncated)
{
	struct rmt_insn a[] = { I(0xff, 0, 0, 0), EXIT };
	struct rmt_prog prog;
	char log[8];

	cr_assert_eq(rmt_prog_load(&prog, a, sizeof(a), NULL, log, sizeof(log)),
		     -EINVAL);
	cr_assert_str_eq(log, "insn 0:");
}

/* xorshift64: a fixed-seed generator, the same on every run. */
static u64 rmt_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(load, random_programs_never_crash)
{
	u64 seed = 0x9e3779b97f4a7c15ull, stack_area[64];
	struct rmt_insn code[16];
	struct rmt_vm_region region = {
		.start = (u64)(unsigned long)stack_area,
		.len = sizeof(stack_area),
		.writable = true,
	};
	int i, j, loaded = 0;

	for (i = 0; i < 20000; i++) {
		struct rmt_vm_run run = { .budget = 200 };
		struct rmt_prog prog;
		int n = 1 + (int)(rmt_rand(&seed) % 16);

		for (j = 0; j < n; j++) {
			u64 r = rmt_rand(&seed);

			/* Real opcodes half of the time, small fields. */
			code[j].code =
				(r & 1) ?
					rmt_isa[(r >> 8) % RMT_OP_COUNT].code :
					(u8)(r >> 8);
			code[j].regs = (u8)((r >> 16) & 0xaa);
			code[j].off = (s16)((s8)(r >> 24) % 8);
			code[j].imm = (r >> 32) & 1 ? (s32)(r >> 40) % 64 :
						      (s32)(r >> 33);
		}
		code[n - 1] = (struct rmt_insn)EXIT;
		if (rmt_prog_load(&prog, code, n * sizeof(code[0]), &helper_set,
				  NULL, 0))
			continue;
		loaded++;
		run.regions = &region;
		run.n_regions = 1;
		run.args[0] = region.start;
		rmt_test_run(&prog, &run);
		cr_assert_leq(run.executed, 200);
		rmt_prog_free(&prog);
	}
	cr_assert_gt(loaded, 100, "only %d programs loaded", loaded);
}
