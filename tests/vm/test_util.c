// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_util.c - helpers shared by the VM tests.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tests/vm/test_util.h"
#include "vm/asm.h"

char *rmt_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
out:
	fclose(f);
	return buf;
}

const char *rmt_test_conformance_dir(void)
{
	static char path[4096];
	const char *shared = getenv("RMT_SHARED_DIR");
	struct stat sb;

	if (!shared || !*shared)
		return NULL;
	snprintf(path, sizeof(path), "%s/conformance", shared);
	if (stat(path, &sb) || !S_ISDIR(sb.st_mode))
		return NULL;
	return path;
}

void rmt_test_load(struct rmt_prog *prog, const char *text,
		   const struct rmt_helper_set *helpers)
{
	struct rmt_insn *code;
	char err[256];
	u32 n;
	int ret;

	ret = rmt_asm(text, &code, &n, err, sizeof(err));
	cr_assert_eq(ret, 0, "assembler: %s", err);
	ret = rmt_prog_load(prog, code, n * sizeof(*code), helpers, err,
			    sizeof(err));
	free(code);
	cr_assert_eq(ret, 0, "load: %s", err);
}

int rmt_test_run(const struct rmt_prog *prog, struct rmt_vm_run *run)
{
	static u64 stack[RMT_VM_STACK_BYTES / 8];

	memset(stack, 0, sizeof(stack));
	run->stack = stack;
	return rmt_vm_exec(prog, run);
}
