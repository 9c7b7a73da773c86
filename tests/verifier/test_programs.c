// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_programs.c - the actions of the datapath's built-in programs
 * (programs/readahead.rmt, programs/examples/) pass the verifier for their
 * hook, as each stage would install them: with the stage's per-entry
 * state, and without state where one is the stage's default action.  A
 * smaller state is refused.  programs/leap.rmt passes because it clamps
 * every count it reads back from the entry's state; without the clamps
 * (the prediction count indexes an 8-slot array, the previous window and
 * the history length bound its loops) it is refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/hook_env.h"
#include "vm/pipeline_impl.h"
#include "vm/pipeline_parse.h"

static const char *const rmt_programs[] = {
	"programs/readahead.rmt",	"programs/leap.rmt",
	"programs/learned.rmt",		"programs/examples/classify.rmt",
	"programs/examples/next_n.rmt",
};

/* Verify action a of p as stage t installs it; returns the errno. */
static int verify_action(const struct rmt_pipeline *p, u32 a, u32 state_size,
			 char *log, size_t log_size)
{
	const struct rmt_action_def *def = &p->actions[a];
	struct rmt_verify_action act = { .param_len = def->param_len,
					 .state_size = state_size,
					 .max_emits = 4,
					 .emit_rate = 1000 };
	struct rmt_verify_hook_env env;

	cr_assert_eq(rmt_verify_env_from_hook(p->hook, &act, &env), 0);
	return rmt_verify_prog(&def->prog, &env.env, log, log_size);
}

Test(programs, every_action_accepted)
{
	struct rmt_program prog;
	char path[4096], err[512];
	u32 checked = 0;
	size_t i;
	u32 s, k, a;

	for (i = 0; i < RMT_ARRAY_SIZE(rmt_programs); i++) {
		snprintf(path, sizeof(path), "%s/%s", RMT_SOURCE_DIR,
			 rmt_programs[i]);
		cr_assert_eq(rmt_program_load(path, &prog, err, sizeof(err)), 0,
			     "%s: %s", rmt_programs[i], err);
		for (s = 0; s < prog.pipe->n_stages; s++) {
			const struct rmt_table_config *cfg =
				rmt_table_config(prog.pipe->stages[s].table);

			for (k = 0; k < cfg->n_actions; k++) {
				a = cfg->actions[k].id;
				if (!prog.pipe->actions[a].has_prog)
					continue;
				cr_expect_eq(verify_action(prog.pipe, a,
							   cfg->state_size, err,
							   sizeof(err)),
					     0, "%s action %s: %s",
					     rmt_programs[i],
					     prog.pipe->actions[a].name, err);
				checked++;
				if (a != cfg->default_action ||
				    !cfg->state_size)
					continue;
				cr_expect_eq(verify_action(prog.pipe, a, 0, err,
							   sizeof(err)),
					     0, "%s default action %s: %s",
					     rmt_programs[i],
					     prog.pipe->actions[a].name, err);
			}
		}
		rmt_program_free(&prog);
	}
	cr_expect_gt(checked, 3);
}

Test(programs, readahead_needs_its_state)
{
	struct rmt_program prog;
	char path[4096], err[512];
	u32 a;

	snprintf(path, sizeof(path), "%s/programs/readahead.rmt",
		 RMT_SOURCE_DIR);
	cr_assert_eq(rmt_program_load(path, &prog, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(rmt_pipeline_action_id(prog.pipe, "ra", &a), 0);
	cr_expect_neq(verify_action(prog.pipe, a, 16, err, sizeof(err)), 0);
	cr_expect(strstr(err, "outside swap_fault state (16 bytes)"), "%s",
		  err);
	rmt_program_free(&prog);
}

/* Leap with its clamp on the prediction count taken out is refused. */
Test(programs, leap_without_its_clamps_is_refused)
{
	struct rmt_program prog;
	char path[4096], err[512], *text, *at;
	size_t len;
	FILE *f;
	u32 a, state;

	snprintf(path, sizeof(path), "%s/programs/leap.rmt", RMT_SOURCE_DIR);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	text = calloc(1, 1 << 16);
	len = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	cr_assert_gt(len, 0);
	at = strstr(text, "jle %r3, 8, pred_n_ok\n\tmov %r3, 8\n");
	cr_assert_not_null(at, "the clamp moved; update this test");
	/* Comment both lines of the clamp out. */
	at[0] = '#';
	at = strstr(at, "mov %r3, 8");
	at[0] = '#';
	cr_assert_eq(rmt_program_parse(text, NULL, &prog, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(rmt_pipeline_action_id(prog.pipe, "leap", &a), 0);
	state = rmt_table_config(prog.pipe->stages[0].table)->state_size;
	cr_expect_lt(verify_action(prog.pipe, a, state, err, sizeof(err)), 0);
	cr_expect(strstr(err, "outside swap_fault state"), "%s", err);
	rmt_program_free(&prog);
	free(text);
}
