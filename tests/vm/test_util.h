/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * test_util.h - helpers shared by the VM tests: reading files, the shared
 * conformance directory, assembling a program and running it.
 */
#ifndef RMT_TESTS_VM_TEST_UTIL_H
#define RMT_TESTS_VM_TEST_UTIL_H

#include "vm/vm.h"

/* The whole file, NUL-terminated (malloc'ed), or NULL. */
char *rmt_test_read_file(const char *path, size_t *len);

/* $RMT_SHARED_DIR/conformance, or NULL when it is not there. */
const char *rmt_test_conformance_dir(void);

/*
 * Assemble text and load it with helpers; aborts the test with the
 * assembler's or loader's message on failure.
 */
void rmt_test_load(struct rmt_prog *prog, const char *text,
		   const struct rmt_helper_set *helpers);

/* Run prog with a fresh stack and the given args/regions. */
int rmt_test_run(const struct rmt_prog *prog, struct rmt_vm_run *run);

#endif /* RMT_TESTS_VM_TEST_UTIL_H */
