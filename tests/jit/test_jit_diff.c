// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_jit_diff.c - differential test: random programs (diff_gen.c) run
 * in the interpreter and in the JIT from the same memory must give the
 * same error, error_pc, r0, executed count, stack and region bytes.
 * RMT_JIT_DIFF_COUNT and RMT_JIT_DIFF_SEED override the count and the
 * first seed; a failure prints the seed and the program.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/jit/diff_gen.h"
#include "vm/asm.h"
#include "vm/jit.h"

#ifndef RMT_JIT_DIFF_DEFAULT
#define RMT_JIT_DIFF_DEFAULT 100000
#endif

typedef int (*exec_fn)(const struct rmt_prog *prog, struct rmt_vm_run *run);

struct mem {
	u8 *stack, *rw, *ro;
};

struct outcome {
	int ret;
	u64 r0, executed;
	u32 error_pc;
	u8 stack[RMT_VM_STACK_BYTES];
	u8 rw[RMT_GEN_RW_LEN];
	u8 ro[RMT_GEN_RO_LEN];
};

static u64 env_u64(const char *name, u64 def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static void fill_bytes(u8 *p, size_t n, u64 *s)
{
	size_t i;
	u64 v;

	for (i = 0; i < n; i += sizeof(v)) {
		v = rmt_gen_next(s);
		memcpy(p + i, &v, sizeof(v));
	}
}

static void fill(struct mem *m, u64 seed)
{
	u64 s = seed ^ 0x5eed;

	fill_bytes(m->stack, RMT_VM_STACK_BYTES, &s);
	fill_bytes(m->rw, RMT_GEN_RW_LEN, &s);
	fill_bytes(m->ro, RMT_GEN_RO_LEN, &s);
}

static void run_one(exec_fn exec, const struct rmt_prog *prog,
		    struct rmt_vm_run *run, struct mem *m, u64 seed,
		    struct outcome *o)
{
	fill(m, seed);
	o->ret = exec(prog, run);
	o->r0 = run->r0;
	o->executed = run->executed;
	o->error_pc = run->error_pc;
	memcpy(o->stack, m->stack, sizeof(o->stack));
	memcpy(o->rw, m->rw, sizeof(o->rw));
	memcpy(o->ro, m->ro, sizeof(o->ro));
}

static void dump(const struct rmt_gen_prog *p)
{
	char line[128];
	u32 i = 0;
	int n;

	while (i < p->len) {
		n = rmt_disasm(p->code, p->len, i, line, sizeof(line));
		fprintf(stderr, "  %4u: %s\n", i, line);
		i += n > 0 ? (u32)n : 1;
	}
}

static const char *differs(const struct outcome *a, const struct outcome *b)
{
	if (a->ret != b->ret)
		return "error";
	if (a->error_pc != b->error_pc)
		return "error_pc";
	if (a->r0 != b->r0)
		return "r0";
	if (a->executed != b->executed)
		return "executed";
	if (memcmp(a->stack, b->stack, sizeof(a->stack)))
		return "stack";
	if (memcmp(a->rw, b->rw, sizeof(a->rw)))
		return "region 0";
	if (memcmp(a->ro, b->ro, sizeof(a->ro)))
		return "region 1";
	return NULL;
}

/* Budget: mostly ample, often short enough to stop mid-program. */
static u64 pick_budget(const struct rmt_gen_prog *p, u64 *rng)
{
	u64 r = rmt_gen_next(rng);

	if (p->may_loop)
		return 1 + r % 3000;
	if (r % 4 == 0)
		return 1 + (r >> 8) % (p->len + 8);
	return 0;
}

/* 0 when both engines agree on program seed. */
static int diff_one(u64 seed, struct mem *m, struct outcome *a,
		    struct outcome *b)
{
	static struct rmt_gen_prog p;
	struct rmt_vm_region regions[2];
	struct rmt_vm_run run;
	struct rmt_prog prog;
	char log[256];
	u64 rng = seed * 31 + 7;
	const char *what;
	int err;

	rmt_gen_program(&p, seed, (u64)(uintptr_t)m->rw, (u64)(uintptr_t)m->ro);
	err = rmt_prog_load(&prog, p.code, p.len * sizeof(p.code[0]),
			    &rmt_gen_helpers, log, sizeof(log));
	if (err) {
		fprintf(stderr, "seed %llu: generated program rejected: %s\n",
			(unsigned long long)seed, log);
		dump(&p);
		return -1;
	}
	prog.verified =
		!p.may_fault && !p.may_loop && rmt_gen_next(&rng) % 8 == 0;
	err = rmt_jit_compile(&prog, log, sizeof(log));
	if (err) {
		fprintf(stderr, "seed %llu: jit: %s\n",
			(unsigned long long)seed, log);
		dump(&p);
		rmt_prog_free(&prog);
		return -1;
	}
	memset(&run, 0, sizeof(run));
	regions[0] = (struct rmt_vm_region){ (u64)(uintptr_t)m->rw,
					     RMT_GEN_RW_LEN, true };
	regions[1] = (struct rmt_vm_region){ (u64)(uintptr_t)m->ro,
					     RMT_GEN_RO_LEN, false };
	run.regions = regions;
	run.n_regions = 2;
	run.stack = (u64 *)m->stack;
	run.budget = pick_budget(&p, &rng);
	run.args[0] = (u64)(uintptr_t)m->rw;
	run.args[1] = rmt_gen_next(&rng);
	run.args[2] = rmt_gen_next(&rng) % 1000;
	run.args[3] = rmt_gen_next(&rng);
	run.args[4] = (u64) - (s64)(rmt_gen_next(&rng) % 5);
	run_one(rmt_vm_exec, &prog, &run, m, seed, a);
	run_one(rmt_jit_exec, &prog, &run, m, seed, b);
	what = differs(a, b);
	if (what) {
		fprintf(stderr,
			"seed %llu: %s differs (verified %d, budget %llu)\n"
			"  interp: ret %d pc %u r0 0x%llx executed %llu\n"
			"  jit:    ret %d pc %u r0 0x%llx executed %llu\n",
			(unsigned long long)seed, what, prog.verified,
			(unsigned long long)run.budget, a->ret, a->error_pc,
			(unsigned long long)a->r0,
			(unsigned long long)a->executed, b->ret, b->error_pc,
			(unsigned long long)b->r0,
			(unsigned long long)b->executed);
		dump(&p);
	}
	rmt_jit_free(&prog);
	rmt_prog_free(&prog);
	return what ? -1 : 0;
}

Test(jit_diff, random_programs, .timeout = 600)
{
	u64 count = env_u64("RMT_JIT_DIFF_COUNT", RMT_JIT_DIFF_DEFAULT);
	u64 seed = env_u64("RMT_JIT_DIFF_SEED", 1);
	static struct outcome a, b;
	u64 i, failed = 0, errors = 0;
	struct mem m;

	m.stack = aligned_alloc(64, RMT_VM_STACK_BYTES);
	m.rw = aligned_alloc(64, RMT_GEN_RW_LEN);
	m.ro = aligned_alloc(64, RMT_GEN_RO_LEN);
	cr_assert(m.stack && m.rw && m.ro);
	for (i = 0; i < count && failed < 5; i++) {
		if (diff_one(seed + i, &m, &a, &b))
			failed++;
		else if (a.ret)
			errors++;
	}
	free(m.stack);
	free(m.rw);
	free(m.ro);
	cr_log_info("%llu programs, %llu stopped by an error in both engines",
		    (unsigned long long)i, (unsigned long long)errors);
	cr_assert_eq(failed, 0, "%llu of %llu programs differ (seeds above)",
		     (unsigned long long)failed, (unsigned long long)i);
	/* the generator must exercise the error paths, not only success */
	cr_assert_gt(errors, i / 20, "only %llu of %llu runs hit an error",
		     (unsigned long long)errors, (unsigned long long)i);
}
