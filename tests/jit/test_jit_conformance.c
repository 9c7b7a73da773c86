// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_jit_conformance.c - every test of the public eBPF conformance suite
 * through the project's test-file parser and assembler and the JIT, with
 * the interpreter's conventions (vm/conf_run.h).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "tests/vm/conf_util.h"
#include "tests/vm/test_util.h"
#include "vm/jit.h"

#define CONF_TESTS 313

Test(jit_conformance, all_files)
{
	const char *dir = rmt_test_conformance_dir();
	char *names[1024], why[512];
	size_t n, i, failed = 0;

	if (!dir)
		cr_skip_test("RMT_SHARED_DIR/conformance is absent");
	n = rmt_test_conf_names(dir, names, 1024);
	for (i = 0; i < n; i++) {
		if (rmt_test_conf_file(dir, names[i], NULL, rmt_jit_exec_once,
				       why, sizeof(why))) {
			cr_log_error("%s: %s", names[i], why);
			failed++;
		}
		free(names[i]);
	}
	cr_expect_eq(n, CONF_TESTS, "found %zu test files", n);
	cr_assert_eq(failed, 0,
		     "%zu of %zu conformance tests failed in the JIT", failed,
		     n);
}
