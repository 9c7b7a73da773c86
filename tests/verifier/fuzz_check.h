/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * fuzz_check.h - what both verifier fuzzers assert about a loaded
 * program: the verifier answers within its bounds, and a program it
 * accepts runs in the interpreter, guards on, without any error and
 * within the cost it was proven to need.
 */
#ifndef RMT_TESTS_VERIFIER_FUZZ_CHECK_H
#define RMT_TESTS_VERIFIER_FUZZ_CHECK_H

#include "verifier/verifier.h"

/* Aborts on a verifier bug; returns whether prog was accepted. */
bool rmt_vfuzz_check(const struct rmt_prog *prog,
		     const struct rmt_verify_env *env);

#endif /* RMT_TESTS_VERIFIER_FUZZ_CHECK_H */
