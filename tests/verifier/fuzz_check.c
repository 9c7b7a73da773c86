// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_check.c - see fuzz_check.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/verifier/fuzz_check.h"
#include "tests/verifier/vtest.h"
#include "vm/asm.h"

static void rmt_vfuzz_dump(const struct rmt_prog *prog)
{
	char line[128];
	u32 i = 0;
	int n;

	while (i < prog->len) {
		n = rmt_disasm(prog->insns, prog->len, i, line, sizeof(line));
		fprintf(stderr, "%4u: %s\n", i, line);
		i += n > 0 ? (u32)n : 1;
	}
}

bool rmt_vfuzz_check(const struct rmt_prog *prog,
		     const struct rmt_verify_env *env)
{
	struct rmt_verify_stats st;
	char log[512];
	unsigned int seed;
	u64 executed;
	int err;

	err = rmt_verify_prog_stats(prog, env, &st, log, sizeof(log));
	if (err && !log[0]) {
		fprintf(stderr, "rejected (%d) without a message\n", err);
		abort();
	}
	if (st.steps > RMT_VERIFY_MAX_STEPS + 1) {
		fprintf(stderr, "analysis ran past its step limit\n");
		abort();
	}
	if (err)
		return false;
	for (seed = 0; seed < 4; seed++) {
		err = rmt_vtest_run(prog, env, seed, &executed);
		if (err || executed > st.cost) {
			fprintf(stderr,
				"verifier bug: accepted program: run %d, "
				"%llu instructions, proven cost %llu\n",
				err, (unsigned long long)executed,
				(unsigned long long)st.cost);
			rmt_vfuzz_dump(prog);
			abort();
		}
	}
	return true;
}
