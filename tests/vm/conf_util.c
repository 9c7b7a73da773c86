// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * conf_util.c - running the public eBPF conformance suite's test files
 * with a chosen engine.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vm/conf_util.h"
#include "tests/vm/test_util.h"
#include "vm/conf_data.h"

static int rmt_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t rmt_test_conf_names(const char *dir, char **names, size_t max)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/tests", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		size_t l = strlen(de->d_name);

		if (l > 5 && !strcmp(de->d_name + l - 5, ".data"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), rmt_cmp_names);
	return n;
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

static int rmt_tsv_matches(const char *tsv, const char *file,
			   const struct rmt_insn *code, u32 n)
{
	char name[256];
	size_t len = 0;
	u8 *expect;
	int same;

	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - 5), file);
	expect = rmt_tsv_bytes(tsv, name, &len);
	same = expect && len == n * sizeof(*code) && !memcmp(expect, code, len);
	free(expect);
	return same;
}

int rmt_test_conf_file(const char *dir, const char *file, const char *tsv,
		       rmt_exec_fn exec, char *why, size_t why_size)
{
	struct rmt_conf_test t;
	struct rmt_insn *code = NULL;
	char path[4096], err[256];
	u64 r0 = 0;
	u32 n = 0;
	char *text;
	int ret;

	snprintf(path, sizeof(path), "%s/tests/%s", dir, file);
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
	if (tsv && !rmt_tsv_matches(tsv, file, code, n)) {
		snprintf(why, why_size,
			 "assembled bytes differ from assembled.tsv");
		ret = -1;
		goto out;
	}
	ret = rmt_conf_run(code, n * sizeof(*code), t.mem, t.mem_len, exec, &r0,
			   err, sizeof(err));
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
