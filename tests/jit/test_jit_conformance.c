// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_jit_conformance.c - every test of the public eBPF conformance suite
 * through the project's test-file parser and assembler and the JIT, with
 * the interpreter's conventions (vm/conf_run.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vm/test_util.h"
#include "vm/conf_data.h"
#include "vm/conf_run.h"
#include "vm/jit.h"

#define CONF_TESTS 313

/* 0 when the test at path passes through the JIT; else why not. */
static int conf_one(const char *path, char *why, size_t why_size)
{
	struct rmt_conf_test t;
	struct rmt_insn *code = NULL;
	char err[256];
	u64 r0 = 0;
	u32 n = 0;
	char *text;
	int ret;

	text = rmt_test_read_file(path, NULL);
	if (!text) {
		snprintf(why, why_size, "cannot read the file");
		return -1;
	}
	ret = rmt_conf_parse(text, &t, err, sizeof(err));
	free(text);
	if (ret) {
		snprintf(why, why_size, "parse: %s", err);
		return -1;
	}
	ret = rmt_conf_program(&t, &code, &n, err, sizeof(err));
	if (ret) {
		snprintf(why, why_size, "asm line %u: %s", t.asm_line, err);
	} else {
		ret = rmt_conf_run(code, n * sizeof(*code), t.mem, t.mem_len,
				   rmt_jit_exec_once, &r0, err, sizeof(err));
		if (ret)
			snprintf(why, why_size, "%s", err);
		else if (!t.has_result || r0 != t.result)
			snprintf(why, why_size, "r0 0x%llx, expected 0x%llx",
				 (unsigned long long)r0,
				 (unsigned long long)t.result);
		ret = ret || !t.has_result || r0 != t.result ? -1 : 0;
	}
	free(code);
	rmt_conf_free(&t);
	return ret;
}

Test(jit_conformance, all_files)
{
	const char *dir = rmt_test_conformance_dir();
	char path[4096], why[512];
	size_t n = 0, failed = 0;
	struct dirent *de;
	DIR *d;

	if (!dir)
		cr_skip_test("RMT_SHARED_DIR/conformance is absent");
	snprintf(path, sizeof(path), "%s/tests", dir);
	d = opendir(path);
	cr_assert_not_null(d, "cannot open %s", path);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l <= 5 || strcmp(de->d_name + l - 5, ".data"))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/tests/%s", dir, de->d_name);
		if (conf_one(path, why, sizeof(why))) {
			cr_log_error("%s: %s", de->d_name, why);
			failed++;
		}
	}
	closedir(d);
	cr_expect_eq(n, CONF_TESTS, "found %zu test files", n);
	cr_assert_eq(failed, 0,
		     "%zu of %zu conformance tests failed in the JIT", failed,
		     n);
}
