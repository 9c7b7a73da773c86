/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * progs.h - the bench-vm workloads: each as eBPF assembly text and as the
 * same logic in C (the native anchor), over inputs made at run time.
 */
#ifndef RMT_BENCH_VM_PROGS_H
#define RMT_BENCH_VM_PROGS_H

#include "port/rmt_port.h"

/* ALU loop: r1 = seed, r2 = iterations; returns the mixed accumulator. */
extern const char rmt_bench_alu_text[];
u64 rmt_bench_alu_native(u64 seed, u64 iters, u64 mul);
#define RMT_BENCH_ALU_MUL 0x9e3779b97f4a7c15ull

/* Fletcher-style checksum: r1 = data, r2 = length in bytes. */
extern const char rmt_bench_csum_text[];
u64 rmt_bench_csum_native(const u8 *data, u64 len);
#define RMT_BENCH_CSUM_LEN 1500

/*
 * Depth-10 decision tree as a flat array: node i (0..1022) is
 * {feature, threshold} (two u32), children 2i+1 and 2i+2; the 1024 leaves
 * follow as u32 values.  r1 = tree, r2 = the input's 16 u32 features.
 */
#define RMT_BENCH_TREE_DEPTH 10
#define RMT_BENCH_TREE_NODES ((1u << RMT_BENCH_TREE_DEPTH) - 1)
#define RMT_BENCH_TREE_LEAVES (1u << RMT_BENCH_TREE_DEPTH)
#define RMT_BENCH_TREE_FEATURES 16
extern const char rmt_bench_tree_text[];
u64 rmt_bench_tree_native(const u32 *tree, const u32 *features);

/* Two instructions: the cost of a call into the engine. */
extern const char rmt_bench_nop_text[];

#endif /* RMT_BENCH_VM_PROGS_H */
