/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hooks.h - built-in hook descriptions for the verifier's user-space
 * tools and tests (rmt-verify, the corpus, the fuzzers, bench-verifier):
 * test_fault (the fault event of proto/msg.h as context) and the two shapes the examples/
 * actions use.  The datapath fills struct rmt_verify_env from its own hook
 * definitions; these stand in until a tool can ask it.  User space.
 */
#ifndef RMT_VERIFIER_HOOKS_H
#define RMT_VERIFIER_HOOKS_H

#include "verifier/verifier.h"

/* Helper ids of the built-in hooks. */
enum rmt_vhook_helper {
	RMT_VH_EMIT_VALUE = 1, /* emit_value(u64): one number to the ring */
	RMT_VH_EMIT = 2, /* emit(ptr, size): a record to the ring */
	RMT_VH_LOOKUP = 3, /* lookup(key): NULL or 16 writable bytes */
	RMT_VH_KTIME = 4, /* ktime(): nanoseconds */
	RMT_VH_MODEL = 5, /* model(slot, feat, size): class 0..255 */
	RMT_VH_PREFETCH = 6, /* prefetch(addr, pages) */
	RMT_VH_COUNT_IDS = 7,
};

#define RMT_VHOOK_LOOKUP_SIZE 16u

/* The named hook, or NULL. */
const struct rmt_verify_env *rmt_vhook_find(const char *name);
/* Names of the built-in hooks, NULL-terminated. */
const char *const *rmt_vhook_names(void);
/*
 * A helper set with every id above, for rmt_prog_load; the functions do
 * nothing and return 0 (NULL from lookup).
 */
const struct rmt_helper_set *rmt_vhook_helpers(void);

#endif /* RMT_VERIFIER_HOOKS_H */
