/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * conf_util.h - running the public eBPF conformance suite's test files,
 * shared by the interpreter's and the JIT's conformance tests.
 */
#ifndef RMT_TESTS_VM_CONF_UTIL_H
#define RMT_TESTS_VM_CONF_UTIL_H

#include <stddef.h>

#include "vm/conf_run.h"

/*
 * The names of the *.data files in dir/tests, sorted, strdup'ed into
 * names (at most max); returns how many.
 */
size_t rmt_test_conf_names(const char *dir, char **names, size_t max);

/*
 * Parse, assemble and run dir/tests/file with exec.  When tsv (the
 * suite's assembled.tsv) is given, the assembled bytes must also match
 * its line for the test.  Returns 0 when the test passes, else -1 with
 * the reason in why.
 */
int rmt_test_conf_file(const char *dir, const char *file, const char *tsv,
		       rmt_exec_fn exec, char *why, size_t why_size);

#endif /* RMT_TESTS_VM_CONF_UTIL_H */
