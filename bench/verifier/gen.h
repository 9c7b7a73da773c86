/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gen.h - a fixed-seed generator of test_fault actions of an exact length:
 * nested if/else diamonds on context values, context, state and stack
 * accesses, and helper calls (ktime, prefetch, a NULL-checked lookup),
 * all of which the verifier must accept.
 */
#ifndef RMT_BENCH_VERIFIER_GEN_H
#define RMT_BENCH_VERIFIER_GEN_H

#include "vm/isa.h"

/* Fill code[0..n) (n >= 64); the same seed gives the same program. */
void rmt_bgen(struct rmt_insn *code, u32 n, u64 seed);

#endif /* RMT_BENCH_VERIFIER_GEN_H */
