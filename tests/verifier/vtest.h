/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vtest.h - helpers shared by the verifier's tests and fuzzers: assemble
 * and load a program for a built-in hook, and run a program in the
 * interpreter with guards on and regions shaped like the hook's.
 */
#ifndef RMT_TESTS_VERIFIER_VTEST_H
#define RMT_TESTS_VERIFIER_VTEST_H

#include "verifier/hooks.h"

/*
 * The built-in helper ids with working functions: lookup returns NULL or a
 * 16-byte buffer (which rmt_vtest_run makes a region) by turns, model
 * 255, ktime a large number; the rest return 0.
 */
const struct rmt_helper_set *rmt_vtest_helpers(void);

/*
 * Assemble text and load it with rmt_vtest_helpers().  Returns 0, or a
 * negative errno with the assembler's or loader's message in log.
 */
int rmt_vtest_load(struct rmt_prog *prog, const char *text, char *log,
		   size_t log_size);

/*
 * Run prog with guards on (prog->verified stays false), r1..r5 pointing
 * at regions of the sizes env gives, filled from seed.  Returns
 * rmt_vm_exec's result; *executed (may be NULL) gets the instructions run.
 */
int rmt_vtest_run(const struct rmt_prog *prog, const struct rmt_verify_env *env,
		  unsigned int seed, u64 *executed);

#endif /* RMT_TESTS_VERIFIER_VTEST_H */
