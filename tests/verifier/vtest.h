/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vtest.h - helpers shared by the verifier's tests, fuzzers and benchmark:
 * assemble and load a program for a built-in hook, and run a program in
 * the interpreter with guards on and regions shaped like the hook's.
 */
#ifndef RMT_TESTS_VERIFIER_VTEST_H
#define RMT_TESTS_VERIFIER_VTEST_H

#include "verifier/hooks.h"

/*
 * Assemble text and load it with the built-in helpers.  Returns 0, or a
 * negative errno with the assembler's or loader's message in log.
 */
int rmt_vtest_load(struct rmt_prog *prog, const char *text, char *log,
		   size_t log_size);

/*
 * Run prog with guards on (prog->verified stays false), r1..r5 pointing
 * at zeroed regions of the sizes env gives, filled from seed.  Returns
 * rmt_vm_exec's result.
 */
int rmt_vtest_run(const struct rmt_prog *prog, const struct rmt_verify_env *env,
		  unsigned int seed);

#endif /* RMT_TESTS_VERIFIER_VTEST_H */
