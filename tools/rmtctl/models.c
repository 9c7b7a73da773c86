// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * models.c - `rmtctl models`: look at and steer a model registry
 * (agent/registry.h) while an agent runs or not.  list and show only
 * read; rollback, pin and unpin change a key's state, which a running
 * agent notices on its next registry check and installs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/registry.h"
#include "mlib/format.h"
#include "tools/rmtctl/models.h"

static const char usage[] =
	"usage: rmtctl models list     --registry DIR [KEY]\n"
	"       rmtctl models show     --registry DIR KEY [VERSION]\n"
	"       rmtctl models rollback --registry DIR KEY\n"
	"       rmtctl models pin      --registry DIR KEY [VERSION]\n"
	"       rmtctl models unpin    --registry DIR KEY\n"
	"\n"
	"The model registry an agent keeps (rmt-agent --registry DIR): per\n"
	"workload key (e.g. swap_fault/tgid-1234) the saved model versions,\n"
	"the installed (current) one and the one before it.\n"
	"  list      versions with time, held-out accuracy (candidate,\n"
	"            installed model and heuristic when it was trained),\n"
	"            backend and markers: current, previous, pinned\n"
	"  show      a version's metadata and model (default: the current)\n"
	"  rollback  make the previous version current again\n"
	"  pin       keep a version (default: the current) installed: the\n"
	"            agent promotes nothing else until unpin\n"
	"  unpin     let the agent promote new models again\n"
	"A running agent installs a changed current version within a second.\n"
	"Exit status: 0 done, 1 failed (also: damaged versions listed),\n"
	"2 usage.\n";

struct args {
	const char *cmd, *dir, *key;
	u32 version;
};

static int usage_error(const char *fmt, const char *what)
{
	fputs("rmtctl models: ", stderr);
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

static int parse_version(const char *s, u32 *v)
{
	unsigned long x;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || !x || x > RMT_REG_VERSION_MAX)
		return -EINVAL;
	*v = (u32)x;
	return 0;
}

/* Each command and how many of KEY, VERSION it takes. */
static const struct {
	const char *name;
	int least, most;
} cmds[] = {
	{ "list", 0, 1 }, { "show", 1, 2 },  { "rollback", 1, 1 },
	{ "pin", 1, 2 },  { "unpin", 1, 1 },
};

/* 0 to run, 1 after --help, or 2 (usage error, printed). */
static int parse_args(int argc, char **argv, struct args *a)
{
	const char *pos[3];
	size_t c;
	int i, n = 0;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage, stdout);
			return 1;
		} else if (!strcmp(s, "--registry")) {
			if (i + 1 == argc)
				return usage_error("%s needs a directory", s);
			a->dir = argv[++i];
		} else if (!strncmp(s, "--registry=", 11)) {
			a->dir = s + 11;
		} else if (s[0] == '-' && s[1]) {
			return usage_error("unknown option %s", s);
		} else if (n == 3) {
			return usage_error("too many arguments at '%s'", s);
		} else {
			pos[n++] = s;
		}
	}
	if (!n)
		return usage_error("%s", "which command?");
	a->cmd = pos[0];
	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(cmds[c].name, a->cmd))
			break;
	if (c == sizeof(cmds) / sizeof(cmds[0]))
		return usage_error("unknown command '%s'", a->cmd);
	if (n - 1 > cmds[c].most)
		return usage_error("too many arguments for %s", a->cmd);
	if (n - 1 < cmds[c].least)
		return usage_error("%s needs a KEY", a->cmd);
	if (!a->dir || !*a->dir)
		return usage_error("%s needs --registry DIR", a->cmd);
	a->key = n > 1 ? pos[1] : NULL;
	if (n > 2 && parse_version(pos[2], &a->version))
		return usage_error("bad VERSION '%s' (a number from 1)",
				   pos[2]);
	return 0;
}

static void fmt_time(u64 ns, char *buf, size_t size)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "-");
}

static void fmt_ppm(u32 ppm, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%02u%%", ppm / 10000, ppm / 100 % 100);
}

/* "current previous pinned DAMAGED", as far as they hold. */
static void marks(bool current, bool previous, bool pinned, bool damaged,
		  char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", current ? "current " : "",
		 previous ? "previous " : "", pinned ? "pinned " : "",
		 damaged ? "DAMAGED " : "");
	if (*buf)
		buf[strlen(buf) - 1] = 0;
}

/* One line of the listing: the columns, then the markers if any. */
static void row(int w, const char *const col[9])
{
	printf("%-*s %7s  %-19s %9s %9s %9s %8s  ", w, col[0], col[1], col[2],
	       col[3], col[4], col[5], col[6]);
	if (*col[8])
		printf("%-8s %s\n", col[7], col[8]);
	else
		printf("%s\n", col[7]);
}

static int cmd_list(struct rmt_registry *r, const struct args *a)
{
	static const char *const head[9] = {
		"KEY",	     "VERSION", "SAVED (UTC)", "CANDIDATE", "INSTALLED",
		"HEURISTIC", "SAMPLES", "BACKEND",     "STATE",
	};
	char err[600], v[16], t[32], c[16], in[16], h[16], s[16], m[48];
	struct rmt_reg_entry *e;
	size_t n, i, damaged = 0;
	int w = 3;

	if (rmt_registry_list(r, a->key, &e, &n, err, sizeof(err))) {
		fprintf(stderr, "rmtctl models: %s\n", err);
		return 1;
	}
	if (!n) {
		printf("no models in registry %s\n", a->dir);
		return 0;
	}
	for (i = 0; i < n; i++)
		if ((int)strlen(e[i].key) > w)
			w = (int)strlen(e[i].key);
	row(w, head);
	for (i = 0; i < n; i++) {
		const struct rmt_reg_meta *mt = &e[i].meta;
		const char *col[9] = { e[i].key, v, t, c, in, h, s, "-", m };

		snprintf(v, sizeof(v), "%u", mt->version);
		marks(e[i].current, e[i].previous, e[i].pinned,
		      e[i].error[0] != 0, m, sizeof(m));
		if (e[i].error[0]) {
			col[2] = col[3] = col[4] = col[5] = col[6] = "-";
			damaged++;
		} else {
			fmt_time(mt->time_ns, t, sizeof(t));
			fmt_ppm(mt->candidate_ppm, c, sizeof(c));
			fmt_ppm(mt->installed_ppm, in, sizeof(in));
			fmt_ppm(mt->heuristic_ppm, h, sizeof(h));
			snprintf(s, sizeof(s), "%u", mt->train_samples);
			if (mt->backend[0])
				col[7] = mt->backend;
		}
		row(w, col);
	}
	for (i = 0; i < n; i++)
		if (e[i].error[0])
			fprintf(stderr, "rmtctl models: %s version %u: %s\n",
				e[i].key, e[i].meta.version, e[i].error);
	free(e);
	if (damaged)
		fprintf(stderr, "rmtctl models: %zu damaged version%s\n",
			damaged, damaged == 1 ? "" : "s");
	return damaged ? 1 : 0;
}

static const char *act_name(u8 act)
{
	return act == RMT_ACT_RELU ? "relu" :
	       act == RMT_ACT_LUT  ? "table" :
				     "linear";
}

static void describe_model(const struct rmt_model *m)
{
	struct rmt_model_cost cost;
	u32 i, nodes = 0;

	rmt_model_cost(m, &cost);
	printf("model: %s, %u features (%u fractional bits), ",
	       m->type == RMT_MODEL_TREE   ? "tree" :
	       m->type == RMT_MODEL_FOREST ? "forest" :
					     "mlp",
	       m->n_features, m->in_frac_bits);
	if (m->n_classes)
		printf("%u classes\n", m->n_classes);
	else
		printf("regression\n");
	if (m->type == RMT_MODEL_MLP) {
		for (i = 0; i < m->mlp.n_layers; i++) {
			const struct rmt_layer *l = &m->mlp.layers[i];

			printf("  layer %u: %s %u -> %u, int%u weights, %s\n",
			       i,
			       l->kind == RMT_LAYER_DENSE ? "dense" : "conv1d",
			       (u32)l->cin * l->len_in,
			       (u32)l->cout * (l->len_in - l->ksize + 1u),
			       l->wbits, act_name(l->act));
		}
	} else {
		for (i = 0; i < m->n_trees; i++)
			nodes += m->trees[i].n_nodes;
		printf("  %u tree%s, %u nodes, depth %u\n", m->n_trees,
		       m->n_trees == 1 ? "" : "s", nodes, m->max_depth);
	}
	printf("  cost: %u node visits, %u multiply-accumulates\n",
	       cost.node_visits, cost.macs);
}

static int cmd_show(struct rmt_registry *r, const struct args *a)
{
	char err[600], t[32], c[16], in[16], h[16], mk[48];
	struct rmt_reg_state st;
	struct rmt_reg_meta mt;
	struct rmt_model *m;
	size_t len;
	u8 *blob;

	if (rmt_registry_state(r, a->key, &st, err, sizeof(err)) ||
	    rmt_registry_load(r, a->key, a->version, &blob, &len, &mt, err,
			      sizeof(err))) {
		fprintf(stderr, "rmtctl models: %s\n", err);
		return 1;
	}
	if (rmt_model_parse(blob, len, &m, err, sizeof(err))) {
		fprintf(stderr, "rmtctl models: %s version %u: %s\n", a->key,
			mt.version, err);
		free(blob);
		return 1;
	}
	fmt_time(mt.time_ns, t, sizeof(t));
	fmt_ppm(mt.candidate_ppm, c, sizeof(c));
	fmt_ppm(mt.installed_ppm, in, sizeof(in));
	fmt_ppm(mt.heuristic_ppm, h, sizeof(h));
	marks(mt.version == st.current, mt.version == st.previous,
	      mt.version == st.pinned, false, mk, sizeof(mk));
	printf("key: %s\nversion: %u%s%s%s\nmodel id: %llu\nsaved: %s UTC\n",
	       a->key, mt.version, *mk ? " (" : "", mk, *mk ? ")" : "",
	       (unsigned long long)mt.model_id, t);
	printf("data window: events at %llu to %llu ns, %u training and %u "
	       "held-out samples\n",
	       (unsigned long long)mt.first_event_ns,
	       (unsigned long long)mt.last_event_ns, mt.train_samples,
	       mt.heldout_samples);
	printf("held-out accuracy: candidate %s, installed %s, heuristic %s\n",
	       c, in, h);
	printf("backend: %s%s%s%s\nreason: %s\nmodel file: %zu bytes\n",
	       mt.backend[0] ? mt.backend : "-", mt.device[0] ? " (" : "",
	       mt.device, mt.device[0] ? ")" : "", mt.reason, len);
	describe_model(m);
	rmt_model_free(m);
	free(blob);
	return 0;
}

static int cmd_change(struct rmt_registry *r, const struct args *a)
{
	struct rmt_reg_state before, after;
	char err[600];
	u32 v = 0;
	int ret;

	ret = rmt_registry_state(r, a->key, &before, err, sizeof(err));
	if (!ret && !strcmp(a->cmd, "rollback"))
		ret = rmt_registry_rollback(r, a->key, &v, err, sizeof(err));
	else if (!ret && !strcmp(a->cmd, "pin"))
		ret = rmt_registry_pin(r, a->key, a->version, err, sizeof(err));
	else if (!ret)
		ret = rmt_registry_unpin(r, a->key, err, sizeof(err));
	if (!ret)
		ret = rmt_registry_state(r, a->key, &after, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "rmtctl models: %s\n", err);
		return 1;
	}
	if (!strcmp(a->cmd, "rollback"))
		printf("%s: version %u is current again (was %u)\n", a->key,
		       after.current, before.current);
	else if (!strcmp(a->cmd, "pin"))
		printf("%s: version %u pinned and current\n", a->key,
		       after.pinned);
	else
		printf("%s: %s\n", a->key,
		       before.pinned ? "unpinned" : "was not pinned");
	return 0;
}

int rmtctl_models(int argc, char **argv)
{
	struct rmt_registry *r;
	struct args a;
	char err[600];
	int ret = parse_args(argc, argv, &a);

	if (ret)
		return ret == 1 ? 0 : ret;
	if (rmt_registry_open(a.dir, 0, &r, err, sizeof(err))) {
		fprintf(stderr, "rmtctl models: %s\n", err);
		return 1;
	}
	if (!strcmp(a.cmd, "list"))
		ret = cmd_list(r, &a);
	else if (!strcmp(a.cmd, "show"))
		ret = cmd_show(r, &a);
	else
		ret = cmd_change(r, &a);
	rmt_registry_close(r);
	return ret;
}
