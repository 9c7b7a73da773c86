// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_conformance.c - every test of the public eBPF conformance suite
 * through our own test-file parser, assembler and the interpreter; the
 * assembled bytes are also compared with the suite's assembled.tsv.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/vm/conf_util.h"
#include "tests/vm/test_util.h"

#define RMT_CONF_TESTS 313

Test(conformance, all_files)
{
	const char *dir = rmt_test_conformance_dir();
	char *names[1024], path[4096], why[512];
	size_t n, i, failed = 0;
	char *tsv;

	if (!dir)
		cr_skip_test("RMT_SHARED_DIR/conformance is absent");
	snprintf(path, sizeof(path), "%s/assembled.tsv", dir);
	tsv = rmt_test_read_file(path, NULL);
	cr_assert_not_null(tsv, "cannot read %s", path);
	n = rmt_test_conf_names(dir, names, 1024);
	for (i = 0; i < n; i++) {
		if (rmt_test_conf_file(dir, names[i], tsv, rmt_vm_exec, why,
				       sizeof(why))) {
			cr_log_error("%s: %s", names[i], why);
			failed++;
		}
		free(names[i]);
	}
	free(tsv);
	cr_expect_eq(n, RMT_CONF_TESTS, "found %zu test files", n);
	cr_assert_eq(failed, 0, "%zu of %zu conformance tests failed", failed,
		     n);
}
