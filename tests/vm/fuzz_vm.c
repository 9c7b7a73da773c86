// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_vm.c - libFuzzer target: bytes as a program through decode, load
 * and the interpreter (guards on, a small budget, one region).
 */
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static u64 rmt_fuzz_helper(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d,
			   u64 e)
{
	return a ^ b;
}

static const struct rmt_helper rmt_fuzz_helpers[] = {
	{ .id = 1, .cost = 1, .fn = rmt_fuzz_helper, .name = "xor" },
	{ .id = 5, .cost = 1, .fn = rmt_fuzz_helper, .name = "xor5" },
};
static const struct rmt_helper_set rmt_fuzz_set = { rmt_fuzz_helpers, 2 };

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u64 stack[RMT_VM_STACK_BYTES / 8];
	static u64 mem[8];
	struct rmt_vm_region region = {
		.start = (u64)(unsigned long)mem,
		.len = sizeof(mem),
		.writable = true,
	};
	struct rmt_vm_run run = {
		.args = { region.start, sizeof(mem) },
		.regions = &region,
		.n_regions = 1,
		.budget = 1000,
		.stack = stack,
	};
	struct rmt_prog prog;
	char log[256];

	/* Whole slots mostly; the odd length still reaches the check. */
	if (size % 8 && size > 8 && (data[0] & 1))
		size -= size % 8;
	if (rmt_prog_load(&prog, data, size, &rmt_fuzz_set, log, sizeof(log)))
		return 0;
	memset(mem, 0, sizeof(mem));
	rmt_vm_exec(&prog, &run);
	if (run.executed > 1000)
		abort();
	rmt_prog_free(&prog);
	return 0;
}
