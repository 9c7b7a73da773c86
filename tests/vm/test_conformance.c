// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_conformance.c - every test of the public eBPF conformance suite
 * through our own test-file parser, assembler and the interpreter; the
 * assembled bytes are also compared with the suite's assembled.tsv.
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

#define RMT_CONF_TESTS 313

static int rmt_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Column 2 of assembled.tsv for name, as bytes, or NULL. */
static u8 *rmt_tsv_bytes(const char *tsv, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *line;
	char *hex;
	u8 *bytes = NULL;

	for (line = tsv; line && *line;
	     line = strchr(line, '\n'), line += !!line) {
		const char *end;

		if (strncmp(line, name, nl) || line[nl] != '\t')
			continue;
		end = strchr(line + nl + 1, '\t');
		if (!end)
			return NULL;
		hex = strndup(line + nl + 1, (size_t)(end - line - nl - 1));
		if (rmt_hex_bytes(hex, &bytes, len))
			bytes = NULL;
		free(hex);
		return bytes;
	}
	return NULL;
}

static int rmt_conf_one(const char *dir, const char *file, const char *tsv,
			char *why, size_t why_size)
{
	struct rmt_conf_test t;
	struct rmt_insn *code = NULL;
	char path[4096], name[256], err[256];
	size_t tsv_len = 0;
	u8 *expect;
	u64 r0 = 0;
	u32 n = 0;
	char *text;
	int ret;

	snprintf(path, sizeof(path), "%s/tests/%s", dir, file);
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - 5), file);
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
		goto out;
	}
	expect = rmt_tsv_bytes(tsv, name, &tsv_len);
	if (!expect || tsv_len != n * sizeof(*code) ||
	    memcmp(expect, code, tsv_len)) {
		snprintf(why, why_size,
			 "assembled bytes differ from assembled.tsv");
		free(expect);
		ret = -1;
		goto out;
	}
	free(expect);
	ret = rmt_conf_run(code, n * sizeof(*code), t.mem, t.mem_len,
			   rmt_vm_exec, &r0, err, sizeof(err));
	if (ret)
		snprintf(why, why_size, "%s", err);
	else if (!t.has_result || r0 != t.result)
		snprintf(why, why_size, "r0 0x%llx, expected 0x%llx",
			 (unsigned long long)r0, (unsigned long long)t.result);
	ret = ret || !t.has_result || r0 != t.result ? -1 : 0;
out:
	free(code);
	rmt_conf_free(&t);
	return ret;
}

Test(conformance, all_files)
{
	const char *dir = rmt_test_conformance_dir();
	char *names[1024], path[4096], why[512];
	struct dirent *de;
	size_t n = 0, i, failed = 0;
	char *tsv;
	DIR *d;

	if (!dir)
		cr_skip_test("RMT_SHARED_DIR/conformance is absent");
	snprintf(path, sizeof(path), "%s/assembled.tsv", dir);
	tsv = rmt_test_read_file(path, NULL);
	cr_assert_not_null(tsv, "cannot read %s", path);
	snprintf(path, sizeof(path), "%s/tests", dir);
	d = opendir(path);
	cr_assert_not_null(d, "cannot open %s", path);
	while ((de = readdir(d)) && n < 1024) {
		size_t l = strlen(de->d_name);

		if (l > 5 && !strcmp(de->d_name + l - 5, ".data"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), rmt_cmp_names);
	for (i = 0; i < n; i++) {
		if (rmt_conf_one(dir, names[i], tsv, why, sizeof(why))) {
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
