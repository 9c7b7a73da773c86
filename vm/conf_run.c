// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * conf_run.c - run a program under the conformance suite's conventions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/conf_run.h"

static u64 rmt_conf_unwind(struct rmt_vm_run *run, u64 r1, u64 r2, u64 r3,
			   u64 r4, u64 r5)
{
	return r1;
}

static const struct rmt_helper rmt_conf_helper_list[] = {
	{ .id = 5, .cost = 1, .fn = rmt_conf_unwind, .name = "unwind" },
};

const struct rmt_helper_set rmt_conf_helpers = {
	.helpers = rmt_conf_helper_list,
	.count = 1,
};

int rmt_conf_run(const void *code, size_t len, const u8 *mem, size_t mem_len,
		 rmt_exec_fn exec, u64 *r0, char *err, size_t err_size)
{
	struct rmt_vm_region region = { 0 };
	struct rmt_vm_run run = { 0 };
	struct rmt_prog prog;
	u64 *stack;
	u8 *copy = NULL;
	int ret;

	ret = rmt_prog_load(&prog, code, len, &rmt_conf_helpers, err, err_size);
	if (ret)
		return ret;
	stack = calloc(1, RMT_VM_STACK_BYTES);
	if (mem_len)
		copy = malloc(mem_len);
	if (!stack || (mem_len && !copy)) {
		ret = -ENOMEM;
		snprintf(err, err_size, "out of memory");
		goto out;
	}
	if (mem_len) {
		memcpy(copy, mem, mem_len);
		region.start = (u64)(unsigned long)copy;
		region.len = mem_len;
		region.writable = true;
		run.regions = &region;
		run.n_regions = 1;
		run.args[0] = region.start;
		run.args[1] = mem_len;
	}
	run.stack = stack;
	ret = exec(&prog, &run);
	if (ret)
		snprintf(err, err_size, "run failed at insn %u: %s",
			 run.error_pc,
			 ret == -EFAULT ? "memory access out of bounds" :
			 ret == -E2BIG	? "instruction budget exhausted" :
			 ret == -ELOOP	? "calls nested too deep" :
			 ret == -ENOENT ? "unknown helper" :
					  strerror(-ret));
	else
		*r0 = run.r0;
out:
	free(copy);
	free(stack);
	rmt_prog_free(&prog);
	return ret;
}
