// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * verify_cmd.c - the `verify` command of rmt-verify and `rmtctl verify`:
 * check a program against a hook's policy with the verifier and print its
 * log.  Takes assembly (.s, the conformance syntax), a
 * clang-built BPF object (.o: every program section, or the one --section
 * names; .text, which holds called functions, only when it is the only
 * one) or raw little-endian instruction slots (anything else).  Exits 0
 * when every program is accepted, 1 when one is rejected, 2 on a usage or
 * I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/rmt-verify/verify_cmd.h"
#include "verifier/hook_env.h"
#include "verifier/hooks.h"
#include "vm/asm.h"
#include "vm/elf.h"

#define RMT_VERIFY_MAX_FILE (16u << 20)

/* How the command was started, for messages: "rmt-verify" or "rmtctl verify". */
static const char *me;

static void usage(FILE *out)
{
	const char *const *n;

	fprintf(out,
		"usage: %s --hook NAME [options] FILE\n"
		"Verifies the program(s) in FILE for hook NAME and prints the\n"
		"verifier's log.  FILE is assembly (.s), a BPF ELF object (.o)\n"
		"or raw little-endian instructions (any other name).\n"
		"  --hook NAME       the hook whose policy applies\n"
		"  --section NAME    only this section of an object\n"
		"  --quiet           print only rejections\n"
		"  --help            show this text\n"
		"For the datapath's hooks (swap_fault, sched_wakeup, mem_place),\n"
		"what the action is installed with:\n"
		"  --param-len N     bytes of entry parameters (default 0)\n"
		"  --state-size N    bytes of per-entry state (default 0: a\n"
		"                    default action, r3 holds no pointer)\n"
		"  --max-emits N     emit calls per run allowed (default 1)\n"
		"  --emit-rate N     records per second allowed (default 1000)\n"
		"Exit status: 0 accepted, 1 rejected, 2 usage or I/O error.\n"
		"Built-in test hooks:",
		me);
	for (n = rmt_vhook_names(); *n; n++)
		fprintf(out, " %s", *n);
	fprintf(out, "\n");
}

static const struct rmt_helper_set rmt_datapath_helpers = { rmt_helpers,
							    RMT_HELPER_MAX };

/* The helper set programs for env are loaded with. */
static const struct rmt_helper_set *helpers_for;

static u8 *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;

	if (!f)
		return NULL;
	buf = malloc(RMT_VERIFY_MAX_FILE + 1);
	if (buf) {
		*len = fread(buf, 1, RMT_VERIFY_MAX_FILE + 1, f);
		if (ferror(f) || *len > RMT_VERIFY_MAX_FILE) {
			free(buf);
			buf = NULL;
		} else {
			buf[*len] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

/* Load and verify one program: 0 accepted, 1 rejected. */
static int verify_one(const char *name, const struct rmt_insn *code, u32 n,
		      const struct rmt_verify_env *env, bool quiet)
{
	struct rmt_verify_stats st;
	struct rmt_prog prog;
	char log[1024];
	int err;

	err = rmt_prog_load(&prog, code, (size_t)n * sizeof(*code), helpers_for,
			    log, sizeof(log));
	if (err) {
		printf("%s: rejected: %s\n", name, log);
		return 1;
	}
	err = rmt_verify_prog_stats(&prog, env, &st, log, sizeof(log));
	rmt_prog_free(&prog);
	if (err) {
		printf("%s: rejected: %s\n", name, log);
		return 1;
	}
	if (!quiet)
		printf("%s: accepted for %s: %u instructions, worst-case cost "
		       "%llu of %llu, %u exporting calls (limit %u per run, "
		       "%u per second), stack %u bytes, %u frames; %u "
		       "instructions analysed, %u states saved\n",
		       name, env->hook, n, (unsigned long long)st.cost,
		       (unsigned long long)(env->cost_budget ?
						    env->cost_budget :
						    RMT_VERIFY_DEFAULT_BUDGET),
		       st.max_emits, env->max_emits, env->emit_rate,
		       st.stack_depth, st.max_call_depth, st.steps, st.states);
	return 0;
}

static int verify_elf(const char *path, const u8 *data, size_t len,
		      const char *section, const struct rmt_verify_env *env,
		      bool quiet)
{
	struct rmt_elf elf;
	char err[256], name[512];
	int ret = 0, found = 0;
	u32 i;

	if (rmt_elf_load(data, len, &elf, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", me, path, err);
		return 2;
	}
	for (i = 0; i < elf.n_progs; i++) {
		/* .text holds the functions the entry sections call */
		if (section ? strcmp(section, elf.progs[i].name) :
			      elf.n_progs > 1 &&
				      !strcmp(elf.progs[i].name, ".text"))
			continue;
		found++;
		snprintf(name, sizeof(name), "%s:%s", path, elf.progs[i].name);
		ret |= verify_one(name, elf.progs[i].insns, elf.progs[i].len,
				  env, quiet);
	}
	rmt_elf_free(&elf);
	if (!found) {
		fprintf(stderr, "%s: %s: no program section%s%s\n", me, path,
			section ? " named " : "", section ? section : "");
		return 2;
	}
	return ret;
}

static int verify_file(const char *path, const char *section,
		       const struct rmt_verify_env *env, bool quiet)
{
	struct rmt_insn *code;
	char err[256];
	size_t len = 0;
	u8 *data;
	u32 n;
	int ret;

	data = read_file(path, &len);
	if (!data) {
		fprintf(stderr,
			"%s: cannot read %s (missing, or over "
			"16 MiB)\n",
			me, path);
		return 2;
	}
	if (ends_with(path, ".o")) {
		ret = verify_elf(path, data, len, section, env, quiet);
	} else if (ends_with(path, ".s")) {
		if (rmt_asm((const char *)data, &code, &n, err, sizeof(err))) {
			fprintf(stderr, "%s: %s: %s\n", me, path, err);
			ret = 2;
		} else {
			ret = verify_one(path, code, n, env, quiet);
			free(code);
		}
	} else if (!len || len % sizeof(struct rmt_insn)) {
		fprintf(stderr,
			"%s: %s: %zu bytes is not a whole number of "
			"8-byte instructions\n",
			me, path, len);
		ret = 2;
	} else {
		code = malloc(len);
		ret = 2;
		if (code) {
			memcpy(code, data, len);
			ret = verify_one(path, code, (u32)(len / sizeof(*code)),
					 env, quiet);
			free(code);
		}
	}
	free(data);
	return ret;
}

/* A number option's value; false when it is not a number. */
static bool parse_u32(const char *s, u32 *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 0);

	if (!*s || *end || x > 0xffffffffu || *s == '-')
		return false;
	*v = (u32)x;
	return true;
}

int rmt_verify_cmd(const char *name, int argc, char **argv)
{
	const char *hook = NULL, *section = NULL, *path = NULL;
	struct rmt_verify_action act = { .max_emits = 1, .emit_rate = 1000 };
	static struct rmt_verify_hook_env hook_env;
	const struct rmt_verify_env *env;
	const struct rmt_hook_desc *desc;
	bool quiet = false;
	u32 *num;
	int i;

	me = name;
	for (i = 1; i < argc; i++) {
		num = !strcmp(argv[i], "--param-len")  ? &act.param_len :
		      !strcmp(argv[i], "--state-size") ? &act.state_size :
		      !strcmp(argv[i], "--max-emits")  ? &act.max_emits :
		      !strcmp(argv[i], "--emit-rate")  ? &act.emit_rate :
							 NULL;
		if (num) {
			if (i + 1 >= argc || !parse_u32(argv[++i], num)) {
				fprintf(stderr, "%s: %s needs a number\n", me,
					argv[i - (i + 1 >= argc ? 0 : 1)]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--hook") && i + 1 < argc) {
			hook = argv[++i];
		} else if (!strcmp(argv[i], "--section") && i + 1 < argc) {
			section = argv[++i];
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr, "%s: unexpected argument '%s'\n", me,
				argv[i]);
			usage(stderr);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!hook || !path) {
		fprintf(stderr, "%s: %s is required\n", me,
			hook ? "FILE" : "--hook NAME");
		usage(stderr);
		return 2;
	}
	desc = rmt_hook_find(hook);
	if (desc) {
		if (rmt_verify_env_from_hook(desc, &act, &hook_env)) {
			fprintf(stderr, "%s: hook %s: bad description\n", me,
				hook);
			return 2;
		}
		env = &hook_env.env;
		helpers_for = &rmt_datapath_helpers;
	} else {
		env = rmt_vhook_find(hook);
		helpers_for = rmt_vhook_helpers();
	}
	if (!env) {
		fprintf(stderr, "%s: unknown hook '%s'\n", me, hook);
		usage(stderr);
		return 2;
	}
	return verify_file(path, section, env, quiet);
}
