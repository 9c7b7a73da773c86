// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_program.c - the RMT program text format: a full program loads and
 * runs, entries round-trip through the formatter, every kind of mistake
 * is refused with its line number, and the shipped examples load.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "vm/pipeline_parse.h"

static const char good[] =
	"# a comment\n"
	"hook swap_fault\n"
	"action noop\n"
	"action ahead(u32 n, s16 bias, u64 far) {\n"
	"\tldxdw %r1, [%r1+0]\n"
	"\tadd %r1, 4096\n"
	"\tldxw %r2, [%r2+0]\n"
	"\tcall 3\n"
	"\tmov %r0, 0\n"
	"\texit\n"
	"}\n"
	"model 2 tree inputs 8\n"
	"table t {\n"
	"\tkey cgroup_id exact\n"
	"\tkey addr ternary\n"
	"\tactions ahead noop\n"
	"\tdefault noop\n"
	"\tcapacity 16\n"
	"\tstate 32\n"
	"\tentry priority 5 cgroup_id=1 addr=0x10000&&&0xff0000 -> "
	"ahead(2, -3, 0x123456789)\n"
	"\tentry priority 6 cgroup_id=1 -> ahead(1, 0, 0)\n"
	"}\n"
	"table r {\n"
	"\tkey cpu range\n"
	"\tkey meta3 exact\n"
	"\tactions noop\n"
	"\tentry priority 1 cpu=2..5 meta3=0 -> noop\n"
	"}\n";

Test(program, parses_runs_and_formats)
{
	struct rmt_program p;
	struct rmt_ctx_swap_fault c = { 0 };
	struct rmt_decision d;
	static struct rmt_hook_scratch scr;
	struct rmt_table_entry e;
	char err[256] = "", buf[512];
	struct rmt_table *t;
	u32 slot;

	cr_assert_eq(rmt_program_parse(good, NULL, &p, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(rmt_pipeline_n_stages(p.pipe), 2);
	cr_assert_eq(p.n_models, 1);
	cr_assert_eq(p.models[0].slot, 2);
	cr_assert_eq(p.params[1].len, 16, "u32, s16, pad, u64");
	cr_assert_eq(p.params[1].offset[2], 8);
	c.addr = 0x10000;
	c.vma_end = ~0ull;
	c.cgroup_id = 1;
	cr_assert_eq(rmt_pipeline_run(p.pipe, &c, sizeof(c), &scr, &d), 0);
	cr_assert_eq(d.n_pages, 1, "priority 6 wins: one page");
	c.cgroup_id = 2;
	cr_assert_eq(rmt_pipeline_run(p.pipe, &c, sizeof(c), &scr, &d), 0);
	cr_assert_eq(d.n_pages, 0);
	t = rmt_pipeline_find_stage(p.pipe, "t");
	for (slot = 0; rmt_table_entry_get(t, slot, &e, NULL); slot++)
		;
	rmt_program_format_entry(&p, t, &e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "priority 5 cgroup_id=0x1 "
			      "addr=0x10000&&&0xff0000 -> "
			      "ahead(2, -3, 4886718345)");
	rmt_program_free(&p);
}

static void bad(const char *text, const char *want)
{
	struct rmt_program p;
	char err[256] = "";

	cr_assert_neq(rmt_program_parse(text, NULL, &p, err, sizeof(err)), 0,
		      "accepted: %s", text);
	cr_assert(strstr(err, want), "for\n%s\ngot '%s', want '%s'", text, err,
		  want);
	cr_assert_null(p.pipe);
}

#define T0 "hook swap_fault\naction noop\n"
#define TB "table t {\nkey cgroup_id exact\nactions noop\n"

Test(program, mistakes_name_their_line)
{
	bad("", "no hook");
	bad("table t {\n", "line 1: the program must start");
	bad("hook nope\n", "line 1: unknown hook 'nope'");
	bad("hook swap_fault\nhook swap_fault\n", "line 2: a second hook");
	bad(T0, "no table");
	bad(T0 "frob x\n", "line 3: unknown statement 'frob'");
	bad(T0 "action noop\n" TB "}\n", "line 3: action noop: action noop "
					 "defined twice");
	bad(T0 "action a(u65 x)\n", "line 3: unknown parameter type 'u65'");
	bad(T0 "action a(u64)\n", "line 3: parameter 'u64' is not");
	bad(T0 "action a(u64 x\n", "line 3: missing ')'");
	bad(T0 "action 9a\n", "line 3: bad action name");
	bad(T0 "action a {\nmov %r0, 0\nfoo %r1\nexit\n}\n" TB "}\n",
	    "line 5: action a:");
	bad(T0 "action a {\nmov %r0, 0\n", "line 3: action a has no closing");
	bad(T0 "action a {\ncall 4\nexit\n}\n", "line 3: action a:");
	bad(T0 "action a object \"x.o\"\n", "line 3: objects are not allowed");
	bad(T0 TB, "line 3: table t has no closing");
	bad(T0 "table t {\nkey nope exact\n", "line 4: hook swap_fault has no "
					      "field 'nope'");
	bad(T0 "table t {\nkey deltas exact\nactions noop\n}\n",
	    "line 3: table t: field 11 is no readable scalar");
	bad(T0 "table t {\nkey addr fuzzy\n", "line 4: unknown match kind");
	bad(T0 "table t {\nactions nope\n", "line 4: unknown action 'nope'");
	bad(T0 "table t {\nkey addr exact\n}\n", "needs keys and actions");
	bad(T0 TB "capacity -1\n", "line 6: capacity needs a number");
	bad(T0 TB "capacity 99999999\n", "line 6: capacity needs a number");
	bad(T0 TB "algo fast\n",
	    "line 6: algo is auto, tuples, tree or merged");
	bad(T0 TB "colour red\n", "line 6: unknown table statement");
	bad(T0 TB "entry cgroup_id=1\n}\n", "line 6: expected '-> ACTION");
	bad(T0 TB "entry cgroup_id=x -> noop\n}\n", "line 6: bad number 'x'");
	bad(T0 TB "entry addr=1 -> noop\n}\n", "line 6: 'addr' is no key");
	bad(T0 TB "entry pidd=1 -> noop\n}\n", "line 6: unknown field 'pidd'");
	bad(T0 TB "entry cgroup_id -> noop\n}\n", "line 6: 'cgroup_id': "
						  "expected FIELD=MATCH");
	bad(T0 TB "entry cgroup_id=1 -> nope\n}\n", "line 6: unknown action");
	bad(T0 TB "entry cgroup_id=1 -> noop(1)\n}\n", "takes 0 arguments");
	bad(T0 TB "entry cgroup_id=1 -> noop\nentry cgroup_id=1 -> noop\n}\n",
	    "line 7: entry refused: duplicate entry");
	bad(T0 TB "entry priority 3 cgroup_id=1 -> noop\n}\n",
	    "line 6: entry refused: bad priority");
	bad(T0 TB "default nope\n}\n", "line 6: unknown action 'nope'");
	bad(T0 "action a(u8 x)\n" TB "actions a\nentry cgroup_id=1 -> a(256)"
	       "\n}\n",
	    "line 8: 256 out of range");
	bad(T0 "action a(s8 x)\n" TB "actions a\nentry cgroup_id=1 -> a(-129)"
	       "\n}\n",
	    "line 8: -129 out of range");
	bad(T0 "table t {\nkey cpu lpm\nactions noop\nentry cpu=1/33 -> noop"
	       "\n}\n",
	    "line 6: entry refused: prefix length");
	bad(T0 "table t {\nkey cpu range\nactions noop\n"
	       "entry priority 1 cpu=5..2 -> noop\n}\n",
	    "line 6: entry refused: range low above high");
	bad(T0 "model 9 m inputs 2\n", "line 3: model slot");
	bad(T0 "model 1 m inputs 2\nmodel 1 n inputs 2\n", "line 4: model "
							   "slot 1 declared");
	bad("hook swap_fault\r\n", "line 1: control characters");
}

Test(program, long_and_binary_input)
{
	char *big = malloc(5000);
	struct rmt_program p;
	char err[256] = "";
	static const char nul[] = "hook swap_fault\n\0action x\n";

	memset(big, 'a', 4999);
	big[4999] = 0;
	cr_assert_neq(rmt_program_parse(big, NULL, &p, err, sizeof(err)), 0);
	cr_assert(strstr(err, "line 1: line over"), "%s", err);
	free(big);
	/* text stops at the NUL: what remains is a program without tables */
	cr_assert_neq(rmt_program_parse(nul, NULL, &p, err, sizeof(err)), 0);
}

static void load_example(const char *rel)
{
	char path[512], err[256] = "";
	struct rmt_program p;

	snprintf(path, sizeof(path), "%s/%s", RMT_SOURCE_DIR, rel);
	cr_assert_eq(rmt_program_load(path, &p, err, sizeof(err)), 0, "%s: %s",
		     rel, err);
	rmt_program_free(&p);
}

Test(program, shipped_programs_load)
{
	struct rmt_program p;
	char err[256] = "";

	load_example("programs/examples/next_n.rmt");
	load_example("programs/examples/classify.rmt");
	cr_assert_neq(
		rmt_program_load("/nonexistent/x.rmt", &p, err, sizeof(err)),
		0);
	cr_assert(strstr(err, "No such file"), "%s", err);
}

Test(program, object_actions_from_clang)
{
#ifdef RMT_BPF_OBJ_DIR
	static const char text[] =
		"hook swap_fault\n"
		"action next(u64 n) object \"next_page.o\" section "
		"action/next_page\n"
		"table t {\n"
		"\tkey cgroup_id exact\n"
		"\tactions next\n"
		"\tdefault next(3)\n"
		"}\n";
	static struct rmt_hook_scratch scr;
	struct rmt_ctx_swap_fault c = { 0 };
	struct rmt_decision d;
	struct rmt_program p;
	char err[256] = "";

	cr_assert_eq(
		rmt_program_parse(text, RMT_BPF_OBJ_DIR, &p, err, sizeof(err)),
		0, "%s", err);
	c.addr = 0x10000;
	c.vma_end = 0x100000;
	cr_assert_eq(rmt_pipeline_run(p.pipe, &c, sizeof(c), &scr, &d), 0,
		     "fault %d", d.error);
	cr_assert_eq(d.n_pages, 3);
	cr_assert_eq(d.pages[0], 0x11000);
	rmt_program_free(&p);
	cr_assert_neq(rmt_program_parse("hook swap_fault\naction a object "
					"\"next_page.o\" section nope\n",
					RMT_BPF_OBJ_DIR, &p, err, sizeof(err)),
		      0);
	cr_assert(strstr(err, "line 2: next_page.o: no section 'nope'"), "%s",
		  err);
	cr_assert_neq(rmt_program_parse("hook swap_fault\naction a object "
					"\"missing.o\"\n",
					RMT_BPF_OBJ_DIR, &p, err, sizeof(err)),
		      0);
	cr_assert(strstr(err, "line 2: missing.o: cannot open"), "%s", err);
	cr_assert_neq(rmt_program_parse("hook swap_fault\naction a object "
					"\"../x.o\"\n",
					RMT_BPF_OBJ_DIR, &p, err, sizeof(err)),
		      0);
	cr_assert(strstr(err, "may not contain '..'"), "%s", err);
#else
	cr_skip_test("clang is missing: no BPF object to load");
#endif
}
