// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vtest.c - see vtest.h.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/verifier/vtest.h"
#include "vm/asm.h"

static u64 rmt_vtest_lookup_buf[RMT_VHOOK_LOOKUP_SIZE / 8];

static u64 rmt_vtest_lookup(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d,
			    u64 e)
{
	static unsigned int turn;

	return turn++ & 1 ? (u64)(unsigned long)rmt_vtest_lookup_buf : 0;
}

static u64 rmt_vtest_model(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d,
			   u64 e)
{
	return 255;
}

static u64 rmt_vtest_ktime(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d,
			   u64 e)
{
	return 1ull << 62;
}

static u64 rmt_vtest_nop(struct rmt_vm_run *run, u64 a, u64 b, u64 c, u64 d,
			 u64 e)
{
	return 0;
}

const struct rmt_helper_set *rmt_vtest_helpers(void)
{
	static const struct rmt_helper helpers[] = {
		{ RMT_VH_EMIT_VALUE, 1, rmt_vtest_nop, "emit_value" },
		{ RMT_VH_EMIT, 1, rmt_vtest_nop, "emit" },
		{ RMT_VH_LOOKUP, 1, rmt_vtest_lookup, "lookup" },
		{ RMT_VH_KTIME, 1, rmt_vtest_ktime, "ktime" },
		{ RMT_VH_MODEL, 1, rmt_vtest_model, "model" },
		{ RMT_VH_PREFETCH, 1, rmt_vtest_nop, "prefetch" },
	};
	static const struct rmt_helper_set set = { helpers,
						   RMT_ARRAY_SIZE(helpers) };

	return &set;
}

int rmt_vtest_load(struct rmt_prog *prog, const char *text, char *log,
		   size_t log_size)
{
	struct rmt_insn *code;
	u32 n;
	int err;

	err = rmt_asm(text, &code, &n, log, log_size);
	if (err)
		return err;
	err = rmt_prog_load(prog, code, n * sizeof(*code), rmt_vtest_helpers(),
			    log, log_size);
	free(code);
	return err;
}

static u32 rmt_vtest_region_size(const struct rmt_verify_env *env, u8 kind)
{
	switch (kind) {
	case RMT_VR_CTX:
		return env->ctx_size;
	case RMT_VR_PARAM:
		return env->param_size;
	case RMT_VR_STATE:
		return env->state_size;
	case RMT_VR_FEAT:
		return env->feat_size;
	default:
		return 0;
	}
}

int rmt_vtest_run(const struct rmt_prog *prog, const struct rmt_verify_env *env,
		  unsigned int seed, u64 *executed)
{
	static u64 stack[RMT_VM_STACK_BYTES / 8];
	static u64 mem[5][64];
	struct rmt_vm_region regions[6];
	struct rmt_vm_run run;
	u32 a, n = 0, size, k;
	int err;

	memset(&run, 0, sizeof(run));
	for (a = 0; a < 5; a++) {
		size = rmt_vtest_region_size(env, env->args[a]);
		if (env->args[a] == RMT_VR_SCALAR)
			run.args[a] = seed * 2654435761u + a;
		if (!size || size > sizeof(mem[a]))
			continue;
		for (k = 0; k < 64; k++)
			mem[a][k] = (seed + k) * 0x9e3779b97f4a7c15ull;
		regions[n].start = (u64)(unsigned long)mem[a];
		regions[n].len = size;
		regions[n].writable = env->args[a] == RMT_VR_STATE ||
				      env->args[a] == RMT_VR_FEAT;
		run.args[a] = regions[n].start;
		n++;
	}
	regions[n].start = (u64)(unsigned long)rmt_vtest_lookup_buf;
	regions[n].len = sizeof(rmt_vtest_lookup_buf);
	regions[n].writable = true;
	run.regions = regions;
	run.n_regions = n + 1;
	run.stack = stack;
	err = rmt_vm_exec(prog, &run);
	if (executed)
		*executed = run.executed;
	return err;
}
