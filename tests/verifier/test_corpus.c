// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_corpus.c - every case of the corpus: rejected programs with their
 * message, accepted ones run in the interpreter with guards on without a
 * fault; plus the size limit, bad arguments and garbage programs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/verifier/corpus.h"
#include "tests/verifier/vtest.h"

Test(corpus, every_case)
{
	const struct rmt_verify_env *env;
	struct rmt_prog prog;
	char log[512];
	size_t i;
	int err, run;

	for (i = 0; i < rmt_vcorpus_len; i++) {
		const struct rmt_vcase *t = &rmt_vcorpus[i];

		env = rmt_vhook_find(t->hook);
		cr_assert_not_null(env, "%s: no hook %s", t->name, t->hook);
		err = rmt_vtest_load(&prog, t->text, log, sizeof(log));
		cr_assert_eq(err, 0, "%s: %s", t->name, log);
		err = rmt_verify_prog(&prog, env, log, sizeof(log));
		if (t->reject) {
			cr_expect_neq(err, 0, "%s: accepted", t->name);
			cr_expect(strstr(log, t->reject) != NULL,
				  "%s: log '%s', expected '%s'", t->name, log,
				  t->reject);
		} else {
			cr_expect_eq(err, 0, "%s: %s", t->name, log);
			run = rmt_vtest_run(&prog, env, (unsigned int)i, NULL);
			cr_expect(run != -EFAULT,
				  "%s: accepted but faults at insn %d", t->name,
				  run);
		}
		rmt_prog_free(&prog);
	}
}

/* Each rejection names an instruction or the program, never nothing. */
Test(corpus, rejections_say_why)
{
	struct rmt_prog prog;
	char log[512];
	size_t i;

	for (i = 0; i < rmt_vcorpus_len; i++) {
		if (!rmt_vcorpus[i].reject)
			continue;
		cr_assert_eq(rmt_vtest_load(&prog, rmt_vcorpus[i].text, log,
					    sizeof(log)),
			     0);
		rmt_verify_prog(&prog, rmt_vhook_find(rmt_vcorpus[i].hook), log,
				sizeof(log));
		cr_expect(strlen(log) > 10, "%s: '%s'", rmt_vcorpus[i].name,
			  log);
		rmt_prog_free(&prog);
	}
}

static char *rmt_straight_line(u32 n)
{
	char *text = malloc((size_t)n * 16 + 32);
	size_t len = 0;
	u32 i;

	cr_assert_not_null(text);
	len += (size_t)sprintf(text + len, "mov %%r0, 0\n");
	for (i = 0; i + 2 < n; i++)
		len += (size_t)sprintf(text + len, "add %%r0, 1\n");
	sprintf(text + len, "exit\n");
	return text;
}

Test(limits, program_size)
{
	const struct rmt_verify_env *env = rmt_vhook_find("test_fault");
	struct rmt_verify_env big = *env;
	struct rmt_prog prog;
	char log[512], *text;

	text = rmt_straight_line(env->max_insns + 1);
	cr_assert_eq(rmt_vtest_load(&prog, text, log, sizeof(log)), 0, "%s",
		     log);
	cr_assert_eq(rmt_verify_prog(&prog, env, log, sizeof(log)), -E2BIG);
	cr_assert(strstr(log, "program too long: 4097 instructions "
			      "(the test_fault hook allows 4096)"),
		  "%s", log);
	big.max_insns = 8192;
	big.cost_budget = 10000;
	cr_assert_eq(rmt_verify_prog(&prog, &big, log, sizeof(log)), 0, "%s",
		     log);
	rmt_prog_free(&prog);
	free(text);
}

Test(limits, stats_of_accepted_program)
{
	struct rmt_verify_stats st;
	struct rmt_prog prog;
	char log[512];

	cr_assert_eq(rmt_vtest_load(&prog,
				    "stdw [%r10-16], 0\nmov %r1, 1\ncall 1\n"
				    "mov %r0, 0\nexit",
				    log, sizeof(log)),
		     0);
	cr_assert_eq(rmt_verify_prog_stats(&prog, rmt_vhook_find("test_fault"),
					   &st, log, sizeof(log)),
		     0, "%s", log);
	/* 5 instructions of cost 1, emit_value 20 */
	cr_expect_eq(st.cost, 25);
	cr_expect_eq(st.max_emits, 1);
	cr_expect_eq(st.stack_depth, 16);
	rmt_prog_free(&prog);
}

Test(args, null_and_bad_env)
{
	struct rmt_verify_env env = *rmt_vhook_find("test_fault");
	struct rmt_prog prog;
	char log[128];

	cr_assert_eq(rmt_verify_prog(NULL, &env, log, sizeof(log)), -EINVAL);
	cr_assert_eq(
		rmt_vtest_load(&prog, "mov %r0, 0\nexit", log, sizeof(log)), 0);
	cr_assert_eq(rmt_verify_prog(&prog, NULL, log, sizeof(log)), -EINVAL);
	env.args[0] = 77;
	cr_assert_eq(rmt_verify_prog(&prog, &env, log, sizeof(log)), -EINVAL);
	cr_assert(strstr(log, "argument r1 has an unknown type 77"), "%s", log);
	cr_assert_eq(
		rmt_verify_prog(&prog, rmt_vhook_find("test_fault"), NULL, 0),
		0);
	rmt_prog_free(&prog);
}

/* Random loadable programs: the verifier answers, and what it accepts
 * runs without a guard firing. */
Test(garbage, random_loadable_programs)
{
	const struct rmt_verify_env *env = rmt_vhook_find("test_fault");
	struct rmt_insn code[32];
	struct rmt_prog prog;
	u64 s = 88172645463325252ull;
	char log[256];
	u32 i, n, accepted = 0, tries;

	for (tries = 0; tries < 200000; tries++) {
		n = 2 + (u32)(s % 30);
		for (i = 0; i < n; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			memcpy(&code[i], &s, sizeof(code[i]));
			code[i].regs &= 0x99; /* r0..r9 mostly */
			code[i].off &= 7;
		}
		code[n - 1] = (struct rmt_insn){ .code = 0x95 };
		if (rmt_prog_load(&prog, code, n * sizeof(code[0]),
				  rmt_vtest_helpers(), log, sizeof(log)))
			continue;
		if (!rmt_verify_prog(&prog, env, log, sizeof(log))) {
			accepted++;
			cr_assert_neq(rmt_vtest_run(&prog, env, tries, NULL),
				      -EFAULT, "accepted program faults");
		}
		cr_assert(log[0] || accepted, "empty log on rejection");
		rmt_prog_free(&prog);
	}
	cr_log_info("%u accepted", accepted);
}
