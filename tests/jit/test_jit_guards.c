// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_jit_guards.c - programs that trip each run-time guard, run in the
 * interpreter and in the JIT: both must stop with the expected error at
 * the expected instruction, with the same executed count and memory.
 * Also the paths around the guards that must not stop: the edges of the
 * stack and of the regions, the region that is not checked inline.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/vm/test_util.h"
#include "vm/jit.h"

static u64 h_sum(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d, u64 e)
{
	return a + b + c + d + e;
}

static const struct rmt_helper helpers[] = {
	{ .id = 7, .cost = 1, .fn = h_sum, .name = "sum" },
};
static const struct rmt_helper_set helper_set = { helpers, 1 };

struct gcase {
	const char *name;
	const char *text;
	u64 budget;
	int ret;
	u32 error_pc; /* when ret != 0 */
	u64 r0; /* when ret == 0 */
};

/* r1: 16 writable bytes, r2: 8 read-only bytes (regions 0 and 1). */
static const struct gcase cases[] = {
	{ "store above the stack", "stxdw [%r10+0], %r1\nexit", 0, -EFAULT, 0,
	  0 },
	{ "load across the stack top", "mov %r0, 0\nldxw %r0, [%r10-2]\nexit",
	  0, -EFAULT, 1, 0 },
	{ "load below the stack",
	  "mov %r3, %r10\nsub %r3, 4096\n"
	  "ldxb %r0, [%r3-1]\nexit",
	  0, -EFAULT, 2, 0 },
	{ "bottom byte of the stack",
	  "mov %r3, %r10\nsub %r3, 4096\n"
	  "stb [%r3+0], 9\nldxb %r0, [%r3+0]\nexit",
	  0, 0, 0, 9 },
	{ "end of region 0", "stdw [%r1+8], 5\nldxdw %r0, [%r1+8]\nexit", 0, 0,
	  0, 5 },
	{ "past region 0", "ldxdw %r0, [%r1+9]\nexit", 0, -EFAULT, 0, 0 },
	{ "before region 0", "ldxb %r0, [%r1-1]\nexit", 0, -EFAULT, 0, 0 },
	{ "region 1 read", "ldxdw %r0, [%r2+0]\nexit", 0, 0, 0,
	  0x0807060504030201ull },
	{ "region 1 is read-only", "ldxb %r0, [%r2+7]\nstb [%r2+7], 1\nexit", 0,
	  -EFAULT, 1, 0 },
	{ "atomic on read-only region 1",
	  "mov %r3, 1\n"
	  "lock add [%r2+0], %r3\nexit",
	  0, -EFAULT, 1, 0 },
	{ "past region 1", "ldxh %r0, [%r2+7]\nexit", 0, -EFAULT, 0, 0 },
	{ "misaligned atomic",
	  "mov %r3, 1\nlock fetch add [%r1+4], %r3\n"
	  "exit",
	  0, -EFAULT, 1, 0 },
	{ "aligned atomic",
	  "mov %r3, 1\nlock add32 [%r1+4], %r3\n"
	  "ldxw %r0, [%r1+4]\nexit",
	  0, 0, 0, 1 },
	{ "budget in a loop", "mov %r0, 0\nl: add %r0, 1\nja l", 100, -E2BIG, 2,
	  0 },
	{ "default budget in a loop", "mov %r0, 0\nl: add %r0, 1\nja l", 0,
	  -E2BIG, 2, 0 },
	{ "budget exactly enough", "mov %r0, 1\nlddw %r1, 5\nexit", 3, 0, 0,
	  1 },
	{ "budget one short", "mov %r0, 1\nlddw %r1, 5\nexit", 2, -E2BIG, 3,
	  0 },
	{ "budget stops before a store",
	  "mov %r0, 1\nadd %r0, 1\n"
	  "stb [%r1+0], 7\nexit",
	  2, -E2BIG, 2, 0 },
	{ "call depth", "call local f\nexit\nf:\ncall local f\nexit", 0, -ELOOP,
	  2, 0 },
	{ "callx unknown id", "mov %r0, 0\nmov %r8, 8\ncallx %r8\nexit", 0,
	  -ENOENT, 2, 0 },
	{ "callx id above 32 bits", "lddw %r8, 0x100000007\ncallx %r8\nexit", 0,
	  -ENOENT, 2, 0 },
	{ "callx known id",
	  "mov %r1, 1\nmov %r2, 8\nmov %r3, 2\n"
	  "mov %r8, 7\n"
	  "callx %r8\nexit",
	  0, 0, 0, 1 + 8 + 2 },
};

/* Gaps keep a stray access from landing in the neighbouring area. */
struct state {
	u64 stack[RMT_VM_STACK_BYTES / 8];
	u8 gap1[64];
	u8 rw[16];
	u8 gap2[64];
	u8 ro[8];
};

static int run_case(const struct gcase *c, const struct rmt_prog *prog,
		    bool jit, struct state *s, struct rmt_vm_run *run)
{
	static struct rmt_vm_region regions[2];
	u32 i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < sizeof(s->ro); i++)
		s->ro[i] = (u8)(i + 1);
	regions[0] = (struct rmt_vm_region){ (u64)(uintptr_t)s->rw,
					     sizeof(s->rw), true };
	regions[1] = (struct rmt_vm_region){ (u64)(uintptr_t)s->ro,
					     sizeof(s->ro), false };
	memset(run, 0, sizeof(*run));
	/* results both engines must overwrite, whatever the outcome */
	run->r0 = ~0ull;
	run->executed = ~0ull;
	run->error_pc = ~0u;
	run->regions = regions;
	run->n_regions = 2;
	run->args[0] = regions[0].start;
	run->args[1] = regions[1].start;
	run->budget = c->budget;
	run->stack = s->stack;
	return jit ? rmt_jit_exec(prog, run) : rmt_vm_exec(prog, run);
}

Test(jit_guards, each_guard_in_both_engines)
{
	static struct state si, sj;
	struct rmt_vm_run ri, rj;
	struct rmt_prog prog;
	char log[256];
	size_t k;
	int a, b;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct gcase *c = &cases[k];

		rmt_test_load(&prog, c->text, &helper_set);
		cr_assert_eq(rmt_jit_compile(&prog, log, sizeof(log)), 0,
			     "%s: %s", c->name, log);
		a = run_case(c, &prog, false, &si, &ri);
		b = run_case(c, &prog, true, &sj, &rj);
		cr_expect_eq(a, c->ret, "%s: interp returned %d", c->name, a);
		cr_expect_eq(b, c->ret, "%s: jit returned %d", c->name, b);
		if (c->ret) {
			cr_expect_eq(ri.error_pc, c->error_pc,
				     "%s: interp error_pc %u", c->name,
				     ri.error_pc);
			cr_expect_eq(rj.error_pc, c->error_pc,
				     "%s: jit error_pc %u", c->name,
				     rj.error_pc);
		} else {
			cr_expect_eq(ri.r0, c->r0, "%s: interp r0", c->name);
			cr_expect_eq(rj.r0, c->r0, "%s: jit r0", c->name);
		}
		cr_expect_eq(ri.r0, rj.r0, "%s: r0 %llu/%llu", c->name,
			     (unsigned long long)ri.r0,
			     (unsigned long long)rj.r0);
		cr_expect_eq(ri.error_pc, rj.error_pc, "%s: error_pc %u/%u",
			     c->name, ri.error_pc, rj.error_pc);
		cr_expect_eq(ri.executed, rj.executed, "%s: executed %llu/%llu",
			     c->name, (unsigned long long)ri.executed,
			     (unsigned long long)rj.executed);
		cr_expect(!memcmp(&si, &sj, sizeof(si)), "%s: memory differs",
			  c->name);
		rmt_jit_free(&prog);
		rmt_prog_free(&prog);
	}
}

Test(jit_guards, bad_calls_of_the_api)
{
	struct rmt_vm_run run = { 0 };
	struct rmt_prog prog;
	static u64 stack[RMT_VM_STACK_BYTES / 8];

	struct rmt_prog empty = { 0 };
	char log[128];

	/* a program rmt_prog_load did not accept (or never saw) */
	cr_expect_eq(rmt_jit_compile(&empty, log, sizeof(log)), -EINVAL);
	cr_expect_neq(log[0], '\0', "the log says why");
	cr_expect_null(empty.jit);
	rmt_test_load(&prog, "mov %r0, 1\nexit", &helper_set);
	cr_expect_eq(rmt_jit_exec(&prog, &run), -ENOEXEC);
	cr_assert_eq(rmt_jit_compile(&prog, NULL, 0), 0);
	cr_expect_eq(rmt_jit_exec(&prog, &run), -EINVAL, "no stack");
	run.stack = stack;
	cr_expect_eq(rmt_jit_exec(&prog, &run), 0);
	cr_expect_eq(run.r0, 1);
	/* compiling again replaces the code; freeing twice is harmless */
	cr_assert_eq(rmt_jit_compile(&prog, NULL, 0), 0);
	rmt_jit_free(&prog);
	rmt_jit_free(&prog);
	cr_expect_null(prog.jit);
	rmt_prog_free(&prog);
}

/*
 * The largest program the loader takes, one straight segment: a budget
 * that runs out inside it must stop both engines on the same instruction
 * with the same registers written to the stack so far.
 */
Test(jit_guards, largest_program_budget_inside_one_segment, .timeout = 120)
{
	static struct rmt_insn code[RMT_MAX_INSNS];
	static struct state si, sj;
	struct rmt_vm_run ri, rj;
	struct rmt_prog prog;
	const struct gcase c = { "largest", NULL, 40001, -E2BIG, 40001, 0 };
	char log[256];
	u32 i;

	for (i = 0; i + 1 < RMT_MAX_INSNS; i++) {
		/* add r0, i; then every 64th: stxdw [r10-8], r0 */
		code[i].code = i % 64 ? RMT_ALU64 | RMT_ADD :
					RMT_STX | RMT_MEM | RMT_DW;
		code[i].regs = i % 64 ? 0 : RMT_REG_FP;
		code[i].off = i % 64 ? 0 : -8;
		code[i].imm = i % 64 ? (s32)i : 0;
	}
	code[RMT_MAX_INSNS - 1].code = RMT_JMP | RMT_EXIT;
	cr_assert_eq(rmt_prog_load(&prog, code, sizeof(code), &helper_set, log,
				   sizeof(log)),
		     0, "%s", log);
	cr_assert_eq(rmt_jit_compile(&prog, log, sizeof(log)), 0, "%s", log);
	cr_expect_eq(run_case(&c, &prog, false, &si, &ri), -E2BIG);
	cr_expect_eq(run_case(&c, &prog, true, &sj, &rj), -E2BIG);
	cr_expect_eq(ri.error_pc, c.error_pc);
	cr_expect_eq(rj.error_pc, c.error_pc);
	cr_expect_eq(rj.executed, ri.executed);
	cr_expect(!memcmp(&si, &sj, sizeof(si)), "stack differs");
	rmt_jit_free(&prog);
	rmt_prog_free(&prog);
}
