/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * criterion.h for the ThreadSanitizer build (tests/tsan/): Criterion's
 * runner cannot start under TSan here, so the concurrency tests are built
 * against this stand-in instead.  It gives the part of Criterion's API
 * those tests use: Test() registers a function that tsan_main.c runs in
 * this process, TestSuite() the suite's .init and .fini, run around each
 * of its tests, and a failed cr_assert*() prints where and why and exits
 * with 1.  Test options (.timeout = ...) are accepted and ignored.
 */
#ifndef RMT_TSAN_CRITERION_H
#define RMT_TSAN_CRITERION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rmt_tsan_test {
	const char *suite;
	const char *name;
	void (*fn)(void);
	struct rmt_tsan_test *next;
};

struct rmt_tsan_suite {
	const char *name;
	void (*init)(void);
	void (*fini)(void);
	struct rmt_tsan_suite *next;
};

void rmt_tsan_register(struct rmt_tsan_test *t);
void rmt_tsan_register_suite(struct rmt_tsan_suite *s);
void rmt_tsan_check(bool ok, const char *file, int line, const char *expr,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define Test(suite, name, ...)                                                \
	static void suite##_##name(void);                                     \
	static struct rmt_tsan_test suite##_##name##_test = { #suite, #name,  \
							      suite##_##name, \
							      NULL };         \
	__attribute__((constructor)) static void suite##_##name##_reg(void)   \
	{                                                                     \
		rmt_tsan_register(&suite##_##name##_test);                    \
	}                                                                     \
	static void suite##_##name(void)

#define TestSuite(suite, ...)                                            \
	static struct rmt_tsan_suite suite##_suite = { .name = #suite,   \
						       __VA_ARGS__ };    \
	__attribute__((constructor)) static void suite##_suite_reg(void) \
	{                                                                \
		rmt_tsan_register_suite(&suite##_suite);                 \
	}

/* An optional message follows the operands, as in Criterion. */
#define cr_assert(cond, ...) \
	rmt_tsan_check((cond), __FILE__, __LINE__, #cond, "" __VA_ARGS__)
#define rmt_tsan_cmp(a, op, b, ...)                                     \
	rmt_tsan_check((a)op(b), __FILE__, __LINE__, #a " " #op " " #b, \
		       "" __VA_ARGS__)
#define cr_assert_eq(a, b, ...) rmt_tsan_cmp(a, ==, b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) rmt_tsan_cmp(a, !=, b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) rmt_tsan_cmp(a, <, b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) rmt_tsan_cmp(a, <=, b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) rmt_tsan_cmp(a, >, b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) rmt_tsan_cmp(a, >=, b, __VA_ARGS__)
#define cr_assert_null(p, ...) rmt_tsan_cmp(p, ==, NULL, __VA_ARGS__)
#define cr_assert_not_null(p, ...) rmt_tsan_cmp(p, !=, NULL, __VA_ARGS__)

#endif /* RMT_TSAN_CRITERION_H */
