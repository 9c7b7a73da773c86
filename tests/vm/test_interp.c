// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_interp.c - interpreter semantics the conformance suite does not
 * pin down: guards (regions, read-only, stack frames, misaligned atomics),
 * the budget, call depth, frames and r10, helpers, error_pc, executed.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/vm/test_util.h"

static u64 rmt_h_sum(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d, u64 e)
{
	return a + b + c + d + e;
}

static u64 rmt_h_user(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d, u64 e)
{
	return *(u64 *)run->user;
}

static const struct rmt_helper helpers[] = {
	{ .id = 7, .cost = 1, .fn = rmt_h_sum, .name = "sum" },
	{ .id = 3, .cost = 1, .fn = rmt_h_user, .name = "user" },
};
static const struct rmt_helper_set helper_set = { helpers, 2 };

/* Run text with one region of len bytes in r1 (r2 = len). */
static int run_text(const char *text, u8 *mem, u64 len, bool writable,
		    struct rmt_vm_run *run)
{
	static struct rmt_vm_region region;
	struct rmt_prog prog;
	int ret;

	rmt_test_load(&prog, text, &helper_set);
	if (mem) {
		region.start = (u64)(unsigned long)mem;
		region.len = len;
		region.writable = writable;
		run->regions = &region;
		run->n_regions = 1;
		run->args[0] = region.start;
		run->args[1] = len;
	}
	ret = rmt_test_run(&prog, run);
	rmt_prog_free(&prog);
	return ret;
}

Test(interp, region_reads_and_writes)
{
	u8 mem[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct rmt_vm_run run = { 0 };

	cr_assert_eq(run_text("ldxdw %r0, [%r1+8]\n"
			      "stxdw [%r1+8], %r1\n"
			      "ldxdw %r0, [%r1]\n"
			      "exit\n",
			      mem, sizeof(mem), true, &run),
		     0);
	cr_assert_eq(run.r0, 0x0807060504030201ull);
	cr_assert_eq(run.executed, 4);
}

Test(interp, out_of_region_faults)
{
	u8 mem[16] = { 0 };
	struct rmt_vm_run run = { 0 };

	/* The last byte is inside, a word that crosses the end is not. */
	cr_assert_eq(run_text("ldxb %r0, [%r1+15]\nldxh %r0, [%r1+15]\nexit",
			      mem, sizeof(mem), false, &run),
		     -EFAULT);
	cr_assert_eq(run.error_pc, 1);
	cr_assert_eq(run.executed, 2);
	cr_assert_eq(run.r0, 0);
	run = (struct rmt_vm_run){ 0 };
	cr_assert_eq(run_text("mov %r0, 0\nldxb %r0, [%r1-1]\nexit", mem,
			      sizeof(mem), false, &run),
		     -EFAULT);
	cr_assert_eq(run.error_pc, 1);
	/* No region at all: r1 is 0. */
	run = (struct rmt_vm_run){ 0 };
	cr_assert_eq(run_text("ldxw %r0, [%r1]\nexit", NULL, 0, false, &run),
		     -EFAULT);
}

Test(interp, read_only_region)
{
	u8 mem[8] = { 9 };
	struct rmt_vm_run run = { 0 };

	cr_assert_eq(run_text("ldxb %r0, [%r1]\nexit", mem, 8, false, &run), 0);
	cr_assert_eq(run.r0, 9);
	cr_assert_eq(run_text("ldxb %r0, [%r1]\nstb [%r1], 1\nexit", mem, 8,
			      false, &run),
		     -EFAULT);
	cr_assert_eq(run.error_pc, 1);
	cr_assert_eq(run_text("mov %r2, 1\nlock add [%r1], %r2\nexit", mem, 8,
			      false, &run),
		     -EFAULT);
	cr_assert_eq(mem[0], 9);
}

Test(interp, stack_bounds)
{
	struct rmt_vm_run run = { 0 };

	/* r10 is one past the top: [r10-8] is in, [r10] is not. */
	cr_assert_eq(run_text("stdw [%r10-8], 5\nldxdw %r0, [%r10-8]\nexit",
			      NULL, 0, false, &run),
		     0);
	cr_assert_eq(run.r0, 5);
	cr_assert_eq(run_text("ldxdw %r0, [%r10]\nexit", NULL, 0, false, &run),
		     -EFAULT);
	cr_assert_eq(run_text("mov %r0, 0\nldxb %r0, [%r10-4097]\nexit", NULL,
			      0, false, &run),
		     -EFAULT);
	cr_assert_eq(run.error_pc, 1);
	/* The bottom of the whole stack area is reachable. */
	cr_assert_eq(
		run_text("ldxb %r0, [%r10-4096]\nexit", NULL, 0, false, &run),
		0);
}

Test(interp, misaligned_atomic_faults)
{
	struct rmt_vm_run run = { 0 };

	cr_assert_eq(run_text("mov %r1, 1\nlock add [%r10-12], %r1\nexit", NULL,
			      0, false, &run),
		     -EFAULT);
	cr_assert_eq(run.error_pc, 1);
	cr_assert_eq(run_text("mov %r1, 1\nlock add32 [%r10-12], %r1\n"
			      "ldxw %r0, [%r10-12]\nexit",
			      NULL, 0, false, &run),
		     0);
	cr_assert_eq(run.r0, 1);
}

Test(interp, budget)
{
	struct rmt_vm_run run = { .budget = 100 };

	cr_assert_eq(run_text("mov %r0, 0\nl: add %r0, 1\nja l", NULL, 0, false,
			      &run),
		     -E2BIG);
	cr_assert_eq(run.executed, 100);
	/* mov, 49 (add, ja) pairs and one add: the next ja is over. */
	cr_assert_eq(run.error_pc, 2);
	run = (struct rmt_vm_run){ .budget = 3 };
	cr_assert_eq(
		run_text("mov %r0, 1\nlddw %r1, 5\nexit", NULL, 0, false, &run),
		0);
	cr_assert_eq(run.executed, 3);
	run = (struct rmt_vm_run){ .budget = 2 };
	cr_assert_eq(
		run_text("mov %r0, 1\nlddw %r1, 5\nexit", NULL, 0, false, &run),
		-E2BIG);
	cr_assert_eq(run.error_pc, 3);
	/* 0 means the default budget. */
	run = (struct rmt_vm_run){ 0 };
	cr_assert_eq(run_text("l: ja l", NULL, 0, false, &run), -E2BIG);
	cr_assert_eq(run.executed, RMT_VM_DEFAULT_BUDGET);
}

/* f calls itself `depth` more times through r1 (a countdown). */
static const char *const rmt_recursive = "mov %r6, 42\n"
					 "call local f\n"
					 "add %r0, %r6\n"
					 "exit\n"
					 "f:\n"
					 "jeq %r1, 0, done\n"
					 "sub %r1, 1\n"
					 "mov %r6, 0\n"
					 "call local f\n"
					 "add %r0, 1\n"
					 "exit\n"
					 "done:\n"
					 "mov %r0, 0\n"
					 "exit\n";

Test(interp, call_depth)
{
	struct rmt_vm_run run = { .args = { 6 } };

	/* Entry frame + 7 nested: the deepest allowed. */
	cr_assert_eq(run_text(rmt_recursive, NULL, 0, false, &run), 0);
	cr_assert_eq(run.r0, 6 + 42);
	run = (struct rmt_vm_run){ .args = { 7 } };
	cr_assert_eq(run_text(rmt_recursive, NULL, 0, false, &run), -ELOOP);
	cr_assert_eq(run.error_pc, 7);
}

Test(interp, frames_and_r10)
{
	struct rmt_vm_run run = { 0 };

	/* The callee's r10 is 512 below; it may read the caller's frame. */
	cr_assert_eq(run_text("stdw [%r10-8], 77\n"
			      "mov %r6, %r10\n"
			      "call local f\n"
			      "sub %r6, %r0\n"
			      "mov %r0, %r6\n"
			      "exit\n"
			      "f:\n"
			      "ldxdw %r7, [%r10+504]\n"
			      "jne %r7, 77, bad\n"
			      "mov %r0, %r10\n"
			      "exit\n"
			      "bad:\n"
			      "mov %r0, 0\n"
			      "exit\n",
			      NULL, 0, false, &run),
		     0);
	cr_assert_eq(run.r0, RMT_STACK_SIZE);
}

Test(interp, helpers_and_callx)
{
	u64 token = 0xabcdef;
	struct rmt_vm_run run = { .user = &token };

	cr_assert_eq(run_text("mov %r1, 1\nmov %r2, 2\nmov %r3, 3\n"
			      "mov %r4, 4\nmov %r5, 5\ncall 7\n"
			      "mov %r6, %r0\ncall 3\nadd %r0, %r6\nexit",
			      NULL, 0, false, &run),
		     0);
	cr_assert_eq(run.r0, 15 + token);
	cr_assert_eq(run_text("mov %r1, 1\nmov %r8, 7\ncallx %r8\nexit", NULL,
			      0, false, &run),
		     0);
	cr_assert_eq(run.r0, 1);
	cr_assert_eq(run_text("mov %r0, 0\nmov %r8, 8\ncall %r8\nexit", NULL, 0,
			      false, &run),
		     -ENOENT);
	cr_assert_eq(run.error_pc, 2);
	cr_assert_eq(run_text("lddw %r8, 0x100000007\ncall %r8\nexit", NULL, 0,
			      false, &run),
		     -ENOENT);
}

Test(interp, division_by_zero)
{
	struct rmt_vm_run run = { 0 };

	cr_assert_eq(run_text("mov %r0, -5\nmov %r1, 0\nmod %r0, %r1\n"
			      "mov %r2, 9\ndiv %r2, %r1\nadd %r0, %r2\nexit",
			      NULL, 0, false, &run),
		     0);
	cr_assert_eq(run.r0, (u64)-5);
	cr_assert_eq(run_text("mov %r0, -5\nmov32 %r1, 0\nmod32 %r0, %r1\nexit",
			      NULL, 0, false, &run),
		     0);
	cr_assert_eq(run.r0, 0xfffffffbull);
	cr_assert_eq(run_text("lddw %r0, 0x8000000000000000\n"
			      "sdiv %r0, -1\nexit",
			      NULL, 0, false, &run),
		     0);
	cr_assert_eq(run.r0, 0x8000000000000000ull);
	cr_assert_eq(run_text("mov %r0, -7\nsmod %r0, 2\nexit", NULL, 0, false,
			      &run),
		     0);
	cr_assert_eq(run.r0, (u64)-1);
}

Test(interp, no_stack_is_an_error)
{
	struct rmt_insn code[] = { { .code = 0x95 } };
	struct rmt_vm_run run = { 0 };
	struct rmt_prog prog;

	cr_assert_eq(rmt_prog_load(&prog, code, sizeof(code), NULL, NULL, 0),
		     0);
	cr_assert_eq(rmt_vm_exec(&prog, &run), -EINVAL);
	rmt_prog_free(&prog);
}
