// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_examples.c - every clang-built action in examples/ passes the
 * verifier for its hook and then runs with guards on without a fault;
 * the same objects are rejected for hooks that give them less room.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/verifier/vtest.h"
#include "vm/elf.h"

struct rmt_ex {
	const char *object, *section, *hook;
};

static const struct rmt_ex rmt_examples[] = {
	{ "stride", "action/stride", "example_history" },
	{ "majority", "action/majority", "example_history" },
	{ "checksum", "action/checksum", "example_packet" },
};

static void load_example(const struct rmt_ex *ex, struct rmt_prog *prog)
{
	char path[4096], err[256];
	const struct rmt_elf_prog *ep;
	struct rmt_elf elf;

	snprintf(path, sizeof(path), "%s/%s.o", RMT_EXAMPLES_DIR, ex->object);
	cr_assert_eq(rmt_elf_load_file(path, ex->section, &elf, &ep, err,
				       sizeof(err)),
		     0, "%s: %s", path, err);
	cr_assert_eq(rmt_prog_load(prog, ep->insns,
				   ep->len * sizeof(struct rmt_insn),
				   rmt_vtest_helpers(), err, sizeof(err)),
		     0, "%s: %s", ex->section, err);
	rmt_elf_free(&elf);
}

Test(examples, accepted_and_run_without_fault)
{
	struct rmt_verify_stats st;
	struct rmt_prog prog;
	char log[512];
	size_t i;
	unsigned int seed;

	for (i = 0; i < RMT_ARRAY_SIZE(rmt_examples); i++) {
		const struct rmt_verify_env *env =
			rmt_vhook_find(rmt_examples[i].hook);

		load_example(&rmt_examples[i], &prog);
		cr_expect_eq(rmt_verify_prog_stats(&prog, env, &st, log,
						   sizeof(log)),
			     0, "%s: %s", rmt_examples[i].section, log);
		cr_expect_gt(st.cost, prog.len / 2);
		for (seed = 0; seed < 200; seed++)
			cr_expect_eq(rmt_vtest_run(&prog, env, seed, NULL), 0,
				     "%s faults", rmt_examples[i].section);
		rmt_prog_free(&prog);
	}
}

/* The history actions write predict at +72: a smaller state is refused. */
Test(examples, rejected_with_less_room)
{
	struct rmt_verify_env env = *rmt_vhook_find("example_history");
	struct rmt_prog prog;
	char log[512];

	env.state_size = 72;
	load_example(&rmt_examples[0], &prog);
	cr_expect_neq(rmt_verify_prog(&prog, &env, log, sizeof(log)), 0);
	cr_expect(strstr(log, "write of state+72 outside example_history "
			      "state (72 bytes)"),
		  "%s", log);
	rmt_prog_free(&prog);
	env = *rmt_vhook_find("example_history");
	env.max_emits = 0;
	load_example(&rmt_examples[1], &prog);
	cr_expect_neq(rmt_verify_prog(&prog, &env, log, sizeof(log)), 0);
	cr_expect(strstr(log, "more than 0 exporting calls"), "%s", log);
	env = *rmt_vhook_find("example_history");
	env.cost_budget = 250;
	cr_expect_neq(rmt_verify_prog(&prog, &env, log, sizeof(log)), 0);
	cr_expect(
		strstr(log, "exceeds the example_history budget of 250 by 46"),
		"%s", log);
	rmt_prog_free(&prog);
}
