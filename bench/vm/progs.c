// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * progs.c - the bench-vm workloads, bytecode and C side by side; each C
 * function does what its program does, step for step.
 */
#include "bench/vm/progs.h"

const char rmt_bench_alu_text[] = "mov %r0, %r1\n"
				  "mov %r3, 0\n"
				  "mov %r4, %r2\n"
				  "lddw %r5, 0x9e3779b97f4a7c15\n"
				  "loop:\n"
				  "add %r0, %r3\n"
				  "mul %r0, %r5\n"
				  "mov %r6, %r0\n"
				  "rsh %r6, 29\n"
				  "xor %r0, %r6\n"
				  "jgt %r6, 0x7ffffff, big\n"
				  "add %r0, 7\n"
				  "big:\n"
				  "lsh %r6, 3\n"
				  "add %r0, %r6\n"
				  "add %r3, 1\n"
				  "jlt %r3, %r4, loop\n"
				  "exit\n";

__attribute__((noinline)) u64 rmt_bench_alu_native(u64 seed, u64 iters, u64 mul)
{
	u64 acc = seed, t, i;

	for (i = 0; i < iters; i++) {
		acc += i;
		acc *= mul;
		t = acc >> 29;
		acc ^= t;
		if (t <= 0x7ffffff)
			acc += 7;
		acc += t << 3;
	}
	return acc;
}

const char rmt_bench_csum_text[] = "mov %r0, 0\n"
				   "mov %r3, 0\n"
				   "mov %r6, %r1\n"
				   "add %r2, %r1\n"
				   "loop:\n"
				   "ldxb %r4, [%r6+0]\n"
				   "add %r0, %r4\n"
				   "add %r3, %r0\n"
				   "add %r6, 1\n"
				   "jlt %r6, %r2, loop\n"
				   "lsh %r3, 32\n"
				   "or %r0, %r3\n"
				   "exit\n";

__attribute__((noinline)) u64 rmt_bench_csum_native(const u8 *data, u64 len)
{
	const u8 *p = data, *end = data + len;
	u64 a = 0, b = 0;

	do {
		a += *p;
		b += a;
		p++;
	} while (p < end);
	return a | b << 32;
}

const char rmt_bench_tree_text[] = "mov %r3, 0\n"
				   "loop:\n"
				   "mov %r4, %r3\n"
				   "lsh %r4, 3\n"
				   "add %r4, %r1\n"
				   "ldxw %r5, [%r4+0]\n"
				   "ldxw %r6, [%r4+4]\n"
				   "lsh %r5, 2\n"
				   "add %r5, %r2\n"
				   "ldxw %r7, [%r5+0]\n"
				   "lsh %r3, 1\n"
				   "add %r3, 1\n"
				   "jle %r7, %r6, left\n"
				   "add %r3, 1\n"
				   "left:\n"
				   "jlt %r3, 1023, loop\n"
				   "lsh %r3, 2\n"
				   "add %r3, %r1\n"
				   "ldxw %r0, [%r3+4092]\n"
				   "exit\n";

/* Leaf n is at byte 8 * 1023 + 4 * n = 4 * (n + 1023) + 4092. */
_Static_assert(8 * RMT_BENCH_TREE_NODES == 4 * RMT_BENCH_TREE_NODES + 4092,
	       "leaf offset in rmt_bench_tree_text");

__attribute__((noinline)) u64 rmt_bench_tree_native(const u32 *tree,
						    const u32 *features)
{
	u64 i = 0;

	do {
		const u32 *node = tree + 2 * i;

		i = 2 * i + 1;
		if (features[node[0]] > node[1])
			i++;
	} while (i < RMT_BENCH_TREE_NODES);
	return tree[2 * RMT_BENCH_TREE_NODES + (i - RMT_BENCH_TREE_NODES)];
}

const char rmt_bench_nop_text[] = "mov %r0, 1\n"
				  "exit\n";
