/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * diff_gen.h - random eBPF programs that rmt_prog_load accepts by
 * construction, for differential runs of the interpreter and the JIT:
 * ALU of every op and width, forward branches of every condition, loads,
 * stores and atomics on the stack and on two regions, lddw, byte swaps,
 * helper calls, callx and local calls; now and then an access outside the
 * regions, a misaligned atomic, a bad callx id, runaway recursion or a
 * backward jump, so that the guards fire too.
 */
#ifndef RMT_TESTS_JIT_DIFF_GEN_H
#define RMT_TESTS_JIT_DIFF_GEN_H

#include "vm/vm.h"

#define RMT_GEN_MAX_SLOTS 1024
#define RMT_GEN_RW_LEN 256 /* region 0: writable, its address in r1 */
#define RMT_GEN_RO_LEN 64 /* region 1: read-only */

struct rmt_gen_prog {
	struct rmt_insn code[RMT_GEN_MAX_SLOTS];
	u32 len;
	bool may_loop; /* has backward jumps: give it a small budget */
	bool may_fault; /* has accesses meant to fail the guards */
	bool few_regs; /* r0..r5 and r10 only: the JIT has spare registers */
};

/* The helpers generated programs call (ids 1 and 2). */
extern const struct rmt_helper_set rmt_gen_helpers;

/*
 * A program for seed; rw and ro are the addresses the two regions will
 * have when it runs (region 1 is reached through lddw).
 */
void rmt_gen_program(struct rmt_gen_prog *p, u64 seed, u64 rw, u64 ro);

/* The next value of a splitmix64 generator. */
u64 rmt_gen_next(u64 *state);

#endif /* RMT_TESTS_JIT_DIFF_GEN_H */
