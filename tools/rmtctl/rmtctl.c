// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmtctl - the control tool, here against an in-process datapath: load an
 * RMT program, add, delete and list entries, change defaults, run the
 * hook on contexts given as FIELD=VALUE (one by one or from a trace file)
 * and show per-table, per-entry and hook counters.  The same commands
 * will drive the kernel module and the user-space pager through the
 * control API.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/rmt-verify/verify_cmd.h"
#include "tools/rmtctl/models.h"
#include "tools/rmtctl/stats.h"
#include "vm/pipeline_parse.h"

static const char usage[] =
	"usage: rmtctl [-q] PROGRAM.rmt [SCRIPT|-]\n"
	"       rmtctl [-q] PROGRAM.rmt --trace FILE\n"
	"       rmtctl verify --hook NAME [options] FILE   (see rmtctl verify --help)\n"
	"       rmtctl models list|show|rollback|pin|unpin --registry DIR ...\n"
	"                                       (see rmtctl models --help)\n"
	"       rmtctl --control SOCKET stats   a running datapath's counters\n"
	"                                       (see rmtctl stats --help)\n"
	"\n"
	"Loads PROGRAM.rmt into an in-process datapath.  Without a script it\n"
	"describes the program; with one (or - for stdin) it runs its\n"
	"commands, one per line:\n"
	"  add TABLE ENTRY        add PROGRAM-syntax entry, e.g.\n"
	"                         add per_cgroup cgroup_id=3 -> next(2)\n"
	"  modify TABLE ENTRY     change the action of an existing entry\n"
	"  del TABLE MATCH        delete, e.g. del per_cgroup cgroup_id=3\n"
	"  default TABLE CALL     set the default action, e.g. noop()\n"
	"  reset-default TABLE    back to the program's default action\n"
	"  list [TABLE]           entries with their hit counters\n"
	"  stats                  table and hook counters\n"
	"  run FIELD=VALUE ...    run the hook once; arrays as a,b,c\n"
	"With --trace FILE each line of FILE is a context (FIELD=VALUE ...)\n"
	"the hook runs on; the counters are printed at the end.\n"
	"  -q      do not print each decision\n"
	"  --help  this text\n";

struct ctl {
	struct rmt_program prog;
	struct rmt_hook_scratch scr;
	bool quiet;
	u64 runs, pages;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = 0;
	return s;
}

static int parse_s64(const char *s, u64 *v)
{
	char *end;

	errno = 0;
	if (*s == '-')
		*v = (u64)strtoll(s, &end, 0);
	else
		*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

/* FIELD=VALUE ... into a context of the program's hook. */
static int build_ctx(struct ctl *c, char *args, u8 *ctx, char *err, size_t es)
{
	const struct rmt_hook_desc *h = rmt_pipeline_hook(c->prog.pipe);
	char *tok, *save = NULL;

	memset(ctx, 0, h->ctx_size);
	for (tok = strtok_r(args, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		const struct rmt_ctx_field *f;
		char *eq = strchr(tok, '='), *v, *vs = NULL;
		u32 i = 0;

		if (!eq) {
			snprintf(err, es, "'%s': expected FIELD=VALUE", tok);
			return -EINVAL;
		}
		*eq = 0;
		f = rmt_hook_field_by_name(h, tok);
		if (!f) {
			snprintf(err, es, "hook %s has no field '%s'", h->name,
				 tok);
			return -EINVAL;
		}
		for (v = strtok_r(eq + 1, ",", &vs); v;
		     v = strtok_r(NULL, ",", &vs), i++) {
			u64 x;

			if (i >= f->count || parse_s64(v, &x)) {
				snprintf(err, es, "bad value for %s", tok);
				return -EINVAL;
			}
			memcpy(ctx + f->offset + i * f->size, &x, f->size);
		}
	}
	return 0;
}

static void print_decision(const struct rmt_decision *d)
{
	u32 i;

	printf("decision: stages %u, %llu insns", d->stages_run,
	       (unsigned long long)d->executed);
	if (d->error)
		printf(", fault %d (%s)", d->error, strerror(-d->error));
	if (d->n_pages) {
		printf(", prefetch");
		for (i = 0; i < d->n_pages; i++)
			printf(" 0x%llx", (unsigned long long)d->pages[i]);
	}
	if (d->refused_pages)
		printf(", %u refused", d->refused_pages);
	if (d->place_set)
		printf(", place 0x%llx on node %u",
		       (unsigned long long)d->place_region, d->place_node);
	printf("\n");
}

static int run_ctx(struct ctl *c, char *args, char *err, size_t es)
{
	u8 ctx[512];
	struct rmt_decision d;
	const struct rmt_hook_desc *h = rmt_pipeline_hook(c->prog.pipe);

	if (build_ctx(c, args, ctx, err, es))
		return -EINVAL;
	rmt_pipeline_run(c->prog.pipe, ctx, h->ctx_size, &c->scr, &d);
	c->runs++;
	c->pages += d.n_pages;
	if (!c->quiet)
		print_decision(&d);
	return 0;
}

static void list_table(struct ctl *c, const char *name, struct rmt_table *t)
{
	struct rmt_table_entry e;
	struct rmt_table_stats st;
	char buf[1024];
	u64 hits;
	u32 slot;

	rmt_table_get_stats(t, &st);
	printf("table %s: %u/%u entries, %s, lookup cost %llu\n", name,
	       st.entries, st.capacity, st.structure,
	       (unsigned long long)st.lookup_cost);
	for (slot = 0; slot < 2 * st.capacity; slot++) {
		if (rmt_table_entry_get(t, slot, &e, &hits))
			continue;
		rmt_program_format_entry(&c->prog, t, &e, buf, sizeof(buf));
		printf("  [%u] %s  hits %llu\n", slot, buf,
		       (unsigned long long)hits);
	}
}

static void stats(struct ctl *c)
{
	struct rmt_pipeline_stats ps;
	struct rmt_table_stats st;
	const char *name;
	u32 i;

	for (i = 0; i < rmt_pipeline_n_stages(c->prog.pipe); i++) {
		rmt_table_get_stats(rmt_pipeline_stage(c->prog.pipe, i, &name),
				    &st);
		printf("table %s: lookups %llu hits %llu misses %llu\n", name,
		       (unsigned long long)st.lookups,
		       (unsigned long long)st.hits,
		       (unsigned long long)st.misses);
	}
	rmt_pipeline_get_stats(c->prog.pipe, &ps);
	printf("hook %s: runs %llu stops %llu faults %llu prefetched %llu\n",
	       rmt_pipeline_hook(c->prog.pipe)->name,
	       (unsigned long long)ps.runs, (unsigned long long)ps.stops,
	       (unsigned long long)ps.faults, (unsigned long long)c->pages);
	for (i = 0; i < RMT_HOOK_COUNTERS; i++)
		if (ps.counters[i])
			printf("counter %u: %llu\n", i,
			       (unsigned long long)ps.counters[i]);
}

static struct rmt_table *table_arg(struct ctl *c, char **rest, char *err,
				   size_t es)
{
	char *name = *rest, *sp = strpbrk(name, " \t");
	struct rmt_table *t;

	if (sp) {
		*sp = 0;
		*rest = trim(sp + 1);
	} else {
		*rest = name + strlen(name);
	}
	t = rmt_pipeline_find_stage(c->prog.pipe, name);
	if (!t)
		snprintf(err, es, "no table '%s'", name);
	return t;
}

static int command(struct ctl *c, char *line, char *err, size_t es)
{
	char *cmd = trim(line), *rest, *hash = strchr(cmd, '#');
	u8 params[RMT_TABLE_MAX_PARAM];
	struct rmt_table_entry e;
	enum rmt_table_code code;
	struct rmt_table *t;
	u32 id, len, i;
	int r;

	if (hash)
		*hash = 0;
	cmd = trim(cmd);
	if (!*cmd)
		return 0;
	rest = strpbrk(cmd, " \t");
	if (rest)
		*rest++ = 0;
	rest = trim(rest ? rest : cmd + strlen(cmd));
	if (!strcmp(cmd, "run"))
		return run_ctx(c, rest, err, es);
	if (!strcmp(cmd, "stats")) {
		stats(c);
		return 0;
	}
	if (!strcmp(cmd, "list")) {
		const char *name;

		for (i = 0; i < rmt_pipeline_n_stages(c->prog.pipe); i++) {
			t = rmt_pipeline_stage(c->prog.pipe, i, &name);
			if (!*rest || !strcmp(rest, name))
				list_table(c, name, t);
		}
		return 0;
	}
	if (strcmp(cmd, "add") && strcmp(cmd, "del") && strcmp(cmd, "modify") &&
	    strcmp(cmd, "default") && strcmp(cmd, "reset-default")) {
		snprintf(err, es, "unknown command '%s' (see --help)", cmd);
		return -EINVAL;
	}
	t = table_arg(c, &rest, err, es);
	if (!t)
		return -ENOENT;
	if (!strcmp(cmd, "reset-default")) {
		rmt_table_reset_default(t);
		return rmt_table_commit(t, NULL);
	}
	if (!strcmp(cmd, "default")) {
		r = rmt_program_parse_call(&c->prog, rest, &id, params, &len,
					   err, es);
		if (!r)
			r = rmt_table_set_default(t, id, params, len, &code);
		if (r && !*err)
			snprintf(err, es, "%s", rmt_table_code_str(code));
		return r ? r : rmt_table_commit(t, NULL);
	}
	r = rmt_program_parse_entry(&c->prog, t, rest, strcmp(cmd, "del") != 0,
				    &e, params, err, es);
	if (r)
		return r;
	if (!strcmp(cmd, "add"))
		r = rmt_table_add(t, &e, NULL, &code);
	else if (!strcmp(cmd, "del"))
		r = rmt_table_delete(t, &e, &code);
	else
		r = rmt_table_modify(t, &e, &code);
	if (r) {
		snprintf(err, es, "%s", rmt_table_code_str(code));
		return r;
	}
	r = rmt_table_commit(t, &code);
	if (r)
		snprintf(err, es, "commit: %s", rmt_table_code_str(code));
	return r;
}

static int run_file(struct ctl *c, const char *path, bool trace)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL, err[512];
	size_t cap = 0;
	u32 n = 0;
	int r = 0;

	if (!fp) {
		fprintf(stderr, "rmtctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (getline(&line, &cap, fp) >= 0) {
		n++;
		err[0] = 0;
		if (trace) {
			char *s = trim(line);

			if (!*s || *s == '#')
				continue;
			r = run_ctx(c, s, err, sizeof(err));
		} else {
			r = command(c, line, err, sizeof(err));
		}
		if (r) {
			fprintf(stderr, "rmtctl: %s:%u: %s\n", path, n,
				*err ? err : strerror(-r));
			break;
		}
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	if (!r && trace)
		stats(c);
	return r ? 1 : 0;
}

static void describe(struct ctl *c)
{
	const char *name;
	u32 i;

	printf("hook %s: %u tables, %u actions, %u model slots\n",
	       rmt_pipeline_hook(c->prog.pipe)->name,
	       rmt_pipeline_n_stages(c->prog.pipe),
	       rmt_pipeline_n_actions(c->prog.pipe), c->prog.n_models);
	for (i = 0; i < c->prog.n_models; i++)
		printf("model slot %u: %s, %u inputs (empty in rmtctl)\n",
		       c->prog.models[i].slot, c->prog.models[i].name,
		       c->prog.models[i].n_in);
	for (i = 0; i < rmt_pipeline_n_stages(c->prog.pipe); i++) {
		struct rmt_table *t =
			rmt_pipeline_stage(c->prog.pipe, i, &name);

		list_table(c, name, t);
	}
}

int main(int argc, char **argv)
{
	static struct ctl c;
	const char *prog = NULL, *script = NULL, *trace = NULL;
	char err[512];
	int i, r;

	if (argc > 1 && !strcmp(argv[1], "verify"))
		return rmt_verify_cmd("rmtctl verify", argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "models"))
		return rmtctl_models(argc - 1, argv + 1);
	if (argc > 1 &&
	    (!strcmp(argv[1], "stats") || !strcmp(argv[1], "--control")))
		return rmtctl_stats(argc - 1, argv + 1);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-q")) {
			c.quiet = true;
		} else if (!strcmp(argv[i], "--trace") && i + 1 < argc) {
			trace = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "rmtctl: unknown option %s\n%s",
				argv[i], usage);
			return 2;
		} else if (!prog) {
			prog = argv[i];
		} else if (!script) {
			script = argv[i];
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!prog || (script && trace)) {
		fputs(usage, stderr);
		return 2;
	}
	r = rmt_program_load(prog, &c.prog, err, sizeof(err));
	if (r) {
		fprintf(stderr, "rmtctl: %s: %s\n", prog, err);
		return 1;
	}
	if (trace)
		r = run_file(&c, trace, true);
	else if (script)
		r = run_file(&c, script, false);
	else
		describe(&c);
	rmt_program_free(&c.prog);
	return r;
}
