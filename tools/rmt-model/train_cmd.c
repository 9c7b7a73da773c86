// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * train_cmd.c - rmt-model train: CART, bagged forests or an MLP from a CSV
 * file, written as an integer model.  Reports the float and integer
 * accuracy on the training data, so the cost of quantization shows.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlib/train/cart.h"
#include "mlib/train/mlp.h"
#include "mlib/train/writer.h"
#include "tools/rmt-model/rmt_model_tool.h"

static const char train_usage[] =
	"usage: rmt-model train --algo cart|forest|mlp --input TRAIN.csv\n"
	"                       --output MODEL.rmtm [options]\n"
	"trees:\n"
	"  --depth N          maximum depth, 1..15 (default 8)\n"
	"  --min-leaf N       minimum samples per leaf (default 1)\n"
	"  --criterion C      gini or entropy (default gini)\n"
	"  --balanced         weight classes by inverse frequency\n"
	"  --trees N          forest size (default 16)\n"
	"  --max-leaves N     prune to at most N leaves (default: no limit)\n"
	"mlp:\n"
	"  --hidden W,W,...   hidden widths (default 32,32)\n"
	"  --act A            relu, tanh or sigmoid (default relu)\n"
	"  --opt O            adam or sgd (default adam)\n"
	"  --lr X             learning rate (default 0.001 adam, 0.01 sgd)\n"
	"  --epochs N         at most N epochs (default 200)\n"
	"  --batch N          mini-batch size (default min(200, rows))\n"
	"  --val F            validation fraction for early stopping (0.1)\n"
	"  --weights 8|16     integer weight width (default 8)\n"
	"  --prune F          zero fraction F of the smallest weights\n"
	"both:\n"
	"  --seed N           random seed (default 42)\n";

struct train_opts {
	const char *algo, *input, *output;
	struct rmt_cart_params cart;
	struct rmt_fmlp_params mlp;
	u32 trees, max_leaves, wbits;
	double prune;
	bool balanced, lr_set;
};

static int parse_u32(const char *s, const char *name, u32 lo, u32 hi, u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr,
			"rmt-model train: %s must be %u..%u, not "
			"'%s'\n",
			name, lo, hi, s);
		return -EINVAL;
	}
	*out = (u32)v;
	return 0;
}

static int parse_double(const char *s, const char *name, double lo, double hi,
			double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end || end == s || !(*out >= lo && *out <= hi)) {
		fprintf(stderr,
			"rmt-model train: %s must be in [%g, %g], "
			"not '%s'\n",
			name, lo, hi, s);
		return -EINVAL;
	}
	return 0;
}

static int parse_hidden(const char *s, struct rmt_fmlp_params *p)
{
	char buf[256], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	p->n_hidden = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (p->n_hidden == RMT_FMLP_MAX_HIDDEN ||
		    parse_u32(tok, "--hidden width", 1, RMT_MLP_MAX_WIDTH,
			      &p->hidden[p->n_hidden]))
			return -EINVAL;
		p->n_hidden++;
	}
	return 0;
}

static int pick(const char *s, const char *name, const char *const *names,
		u32 n, u32 *out)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	fprintf(stderr, "rmt-model train: unknown %s '%s'\n", name, s);
	return -EINVAL;
}

static int parse_opt(struct train_opts *o, int c, const char *arg)
{
	static const char *const crit[] = { "gini", "entropy" };
	static const char *const acts[] = { "relu", "tanh", "sigmoid" };
	static const char *const opts[] = { "adam", "sgd" };
	u32 v;
	int rc = 0;

	switch (c) {
	case 'a':
		o->algo = arg;
		break;
	case 'i':
		o->input = arg;
		break;
	case 'o':
		o->output = arg;
		break;
	case 'd':
		rc = parse_u32(arg, "--depth", 1, 15, &o->cart.max_depth);
		break;
	case 'l':
		rc = parse_u32(arg, "--min-leaf", 1, 1u << 30,
			       &o->cart.min_samples_leaf);
		break;
	case 'c':
		rc = pick(arg, "criterion", crit, 2, &v);
		o->cart.criterion = v ? RMT_CART_ENTROPY : RMT_CART_GINI;
		break;
	case 'B':
		o->balanced = true;
		break;
	case 't':
		rc = parse_u32(arg, "--trees", 1, RMT_FOREST_MAX_TREES,
			       &o->trees);
		break;
	case 'L':
		rc = parse_u32(arg, "--max-leaves", 1, 65535, &o->max_leaves);
		break;
	case 'H':
		rc = parse_hidden(arg, &o->mlp);
		if (rc)
			fprintf(stderr, "rmt-model train: --hidden takes up "
					"to 8 widths like 32,32\n");
		break;
	case 'A':
		rc = pick(arg, "activation", acts, 3, &v);
		o->mlp.act = (enum rmt_fmlp_act)v;
		break;
	case 'O':
		rc = pick(arg, "optimizer", opts, 2, &v);
		o->mlp.opt = (enum rmt_fmlp_opt)v;
		break;
	case 'r':
		rc = parse_double(arg, "--lr", 1e-9, 10, &o->mlp.lr);
		o->lr_set = true;
		break;
	case 'e':
		rc = parse_u32(arg, "--epochs", 1, 100000, &o->mlp.max_epochs);
		break;
	case 'b':
		rc = parse_u32(arg, "--batch", 1, 1u << 30, &o->mlp.batch);
		break;
	case 'v':
		rc = parse_double(arg, "--val", 0, 0.5, &o->mlp.val_fraction);
		break;
	case 'w':
		rc = parse_u32(arg, "--weights", 8, 16, &o->wbits);
		if (!rc && o->wbits != 8 && o->wbits != 16) {
			fprintf(stderr, "rmt-model train: --weights is 8 or "
					"16\n");
			rc = -EINVAL;
		}
		break;
	case 'p':
		rc = parse_double(arg, "--prune", 0, 0.99, &o->prune);
		break;
	case 's':
		rc = parse_u32(arg, "--seed", 0, 0xffffffffu, &v);
		o->cart.seed = v;
		o->mlp.seed = v;
		break;
	default:
		rc = -EINVAL;
	}
	return rc;
}

static int parse_args(int argc, char **argv, struct train_opts *o)
{
	static const struct option opts[] = {
		{ "algo", required_argument, NULL, 'a' },
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "depth", required_argument, NULL, 'd' },
		{ "min-leaf", required_argument, NULL, 'l' },
		{ "criterion", required_argument, NULL, 'c' },
		{ "balanced", no_argument, NULL, 'B' },
		{ "trees", required_argument, NULL, 't' },
		{ "max-leaves", required_argument, NULL, 'L' },
		{ "hidden", required_argument, NULL, 'H' },
		{ "act", required_argument, NULL, 'A' },
		{ "opt", required_argument, NULL, 'O' },
		{ "lr", required_argument, NULL, 'r' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "batch", required_argument, NULL, 'b' },
		{ "val", required_argument, NULL, 'v' },
		{ "weights", required_argument, NULL, 'w' },
		{ "prune", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	rmt_cart_params_default(&o->cart);
	rmt_fmlp_params_default(&o->mlp);
	o->cart.seed = 42;
	o->trees = 16;
	o->wbits = 8;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(train_usage, stdout);
			return 1;
		}
		if (c == '?' || parse_opt(o, c, optarg))
			return -EINVAL;
	}
	if (optind != argc || !o->algo || !o->input || !o->output) {
		fprintf(stderr,
			"rmt-model train: needs --algo, --input and "
			"--output\n%s",
			train_usage);
		return -EINVAL;
	}
	if (strcmp(o->algo, "cart") && strcmp(o->algo, "forest") &&
	    strcmp(o->algo, "mlp")) {
		fprintf(stderr,
			"rmt-model train: --algo is cart, forest or "
			"mlp, not '%s'\n",
			o->algo);
		return -EINVAL;
	}
	if (o->mlp.opt == RMT_FMLP_SGD && !o->lr_set)
		o->mlp.lr = 1e-2;
	return 0;
}

static double cart_float_accuracy(const struct rmt_cart *t, u32 n_trees,
				  const struct rmt_dataset *ds)
{
	u32 i, k, ok = 0, votes[RMT_MODEL_MAX_CLASSES], best;

	for (i = 0; i < ds->n; i++) {
		const double *x = ds->x + (size_t)i * ds->n_features;

		memset(votes, 0, sizeof(votes));
		for (k = 0; k < n_trees; k++)
			votes[rmt_cart_leaf(&t[k], x)->cls]++;
		best = 0;
		for (k = 1; k < ds->n_classes; k++)
			if (votes[k] > votes[best])
				best = k;
		ok += (s32)best == ds->y[i];
	}
	return (double)ok / ds->n;
}

static int train_trees(const struct train_opts *o, struct rmt_dataset *ds,
		       struct rmt_model **m, char *err, size_t err_size)
{
	bool forest = !strcmp(o->algo, "forest");
	u32 n_trees = forest ? o->trees : 1, frac = rmt_train_pick_frac(ds);
	struct rmt_cart_params p = o->cart;
	double cw[RMT_MODEL_MAX_CLASSES], cnt[RMT_MODEL_MAX_CLASSES] = { 0 };
	struct rmt_cart *trees = calloc(n_trees, sizeof(*trees));
	u32 *idx = malloc((size_t)ds->n * sizeof(*idx)), i;
	int rc;

	if (!trees || !idx) {
		free(trees);
		free(idx);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (o->balanced) {
		for (i = 0; i < ds->n; i++)
			cnt[ds->y[i]]++;
		for (i = 0; i < ds->n_classes; i++)
			cw[i] = cnt[i] ? ds->n / (ds->n_classes * cnt[i]) : 0;
		p.class_weight = cw;
	}
	for (i = 0; i < ds->n; i++)
		idx[i] = i;
	if (forest)
		rc = rmt_forest_train(ds, n_trees, &p, frac, trees, err,
				      err_size);
	else
		rc = rmt_cart_train(ds, idx, ds->n, &p, frac, trees, err,
				    err_size);
	for (i = 0; !rc && o->max_leaves && i < n_trees; i++)
		rc = rmt_cart_prune(&trees[i], p.max_depth, o->max_leaves);
	if (!rc) {
		printf("trained %s: %u tree(s), %u nodes in the first, depth "
		       "%u, %u leaves\n",
		       o->algo, n_trees, trees[0].n_nodes, trees[0].depth,
		       rmt_cart_leaves(&trees[0]));
		printf("train accuracy: float %.4f\n",
		       cart_float_accuracy(trees, n_trees, ds));
		rc = rmt_cart_to_model(trees, n_trees, 0, m, err, err_size);
	}
	for (i = 0; i < n_trees; i++)
		rmt_cart_free(&trees[i]);
	free(trees);
	free(idx);
	return rc;
}

static int train_mlp(const struct train_opts *o, struct rmt_dataset *ds,
		     struct rmt_model **m, char *err, size_t err_size)
{
	struct rmt_fmlp f;
	double fa;
	int rc = rmt_fmlp_train(ds, &o->mlp, &f, err, err_size);

	if (rc)
		return rc;
	if (o->prune > 0) {
		fa = rmt_fmlp_accuracy(&f, ds);
		rc = rmt_fmlp_prune(&f, o->prune);
		printf("pruned %.0f%% of the weights: train accuracy %.4f -> "
		       "%.4f\n",
		       o->prune * 100, fa, rmt_fmlp_accuracy(&f, ds));
	}
	if (!rc) {
		printf("trained mlp: %u epochs, validation accuracy %.4f\n",
		       f.epochs, f.val_accuracy);
		rc = rmt_fmlp_quantize(&f, ds, o->wbits, m, err, err_size);
	}
	if (!rc) {
		fa = rmt_fmlp_accuracy(&f, ds);
		printf("train accuracy: float %.4f\n", fa);
		printf("quantization (int%u weights): accuracy change %+.4f\n",
		       o->wbits, rmt_model_accuracy(*m, ds) - fa);
	}
	rmt_fmlp_free(&f);
	return rc;
}

int rmt_model_cmd_train(int argc, char **argv)
{
	struct train_opts o;
	struct rmt_dataset ds;
	struct rmt_model *m = NULL;
	char err[512];
	int rc = parse_args(argc, argv, &o);

	if (rc)
		return rc > 0 ? 0 : 2;
	if (rmt_csv_read(o.input, &ds, err, sizeof(err))) {
		fprintf(stderr, "rmt-model: %s\n", err);
		return 1;
	}
	if (!strcmp(o.algo, "mlp"))
		rc = train_mlp(&o, &ds, &m, err, sizeof(err));
	else
		rc = train_trees(&o, &ds, &m, err, sizeof(err));
	if (!rc) {
		printf("train accuracy: integer %.4f\n",
		       rmt_model_accuracy(m, &ds));
		rc = rmt_model_save(m, o.output, err, sizeof(err));
	}
	if (rc)
		fprintf(stderr, "rmt-model: %s\n", err);
	rmt_model_free(m);
	rmt_dataset_free(&ds);
	return rc ? 1 : 0;
}
