// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * main.c - rmt-model: train (train_cmd.c), eval and info for mlib models.
 * eval runs the integer inference path, as the datapath would.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mlib/model.h"
#include "mlib/train/dataset.h"
#include "mlib/train/mlp.h"
#include "mlib/train/tree_table.h"
#include "mlib/train/writer.h"
#include "tools/rmt-model/rmt_model_tool.h"

static const char usage[] =
	"usage: rmt-model COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  train --algo cart|forest|mlp --input TRAIN.csv --output M.rmtm\n"
	"        [--depth N] [--min-leaf N] [--criterion gini|entropy]\n"
	"        [--trees N] [--max-leaves N] [--hidden 32,32]\n"
	"        [--act relu|tanh|sigmoid] [--opt adam|sgd] [--lr X]\n"
	"        [--epochs N] [--batch N] [--weights 8|16] [--prune F]\n"
	"        [--seed N]      (see rmt-model train --help)\n"
	"  eval --model M.rmtm --input TEST.csv\n"
	"        integer inference on every row; ends with\n"
	"        RESULT accuracy=<0..1>\n"
	"  info M.rmtm   type, shape and worst-case cost\n"
	"  tables M.rmtm [--default]\n"
	"        lower a tree into range-table entries, print them and\n"
	"        prove them equivalent to the tree (exit 1 if not)\n"
	"\n"
	"CSV: numeric features, then the integer class label in the last\n"
	"column; an optional header line.\n";

static int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "input", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *model = NULL, *input = NULL;
	struct rmt_dataset ds;
	struct rmt_model *m;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, "m:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			model = optarg;
			break;
		case 'i':
			input = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!model || !input || optind != argc) {
		fprintf(stderr, "rmt-model eval: needs --model and --input\n");
		return 2;
	}
	if (rmt_model_load_file(model, &m, err, sizeof(err))) {
		fprintf(stderr, "rmt-model: %s: %s\n", model, err);
		return 1;
	}
	if (rmt_csv_read(input, &ds, err, sizeof(err))) {
		fprintf(stderr, "rmt-model: %s\n", err);
		rmt_model_free(m);
		return 1;
	}
	if (ds.n_features != m->n_features || !m->n_classes) {
		fprintf(stderr,
			"rmt-model: %s has %u features, the model "
			"takes %u%s\n",
			input, ds.n_features, m->n_features,
			m->n_classes ? "" : " (and is a regression model)");
		rmt_dataset_free(&ds);
		rmt_model_free(m);
		return 1;
	}
	printf("rows=%u features=%u\n", ds.n, ds.n_features);
	printf("RESULT accuracy=%.4f\n", rmt_model_accuracy(m, &ds));
	rmt_dataset_free(&ds);
	rmt_model_free(m);
	return 0;
}

static const char *type_name(u32 t)
{
	return t == RMT_MODEL_TREE   ? "tree" :
	       t == RMT_MODEL_FOREST ? "forest" :
				       "mlp";
}

static int cmd_info(int argc, char **argv)
{
	struct rmt_model_cost cost;
	struct rmt_model *m;
	char err[512];
	u32 i, nodes = 0;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "rmt-model info: needs one model file\n");
		return 2;
	}
	if (rmt_model_load_file(argv[1], &m, err, sizeof(err))) {
		fprintf(stderr, "rmt-model: %s: %s\n", argv[1], err);
		return 1;
	}
	rmt_model_cost(m, &cost);
	printf("type: %s\nfeatures: %u (%u fractional bits)\n",
	       type_name(m->type), m->n_features, m->in_frac_bits);
	if (m->n_classes)
		printf("classes: %u\n", m->n_classes);
	else
		printf("regression (%u fractional bits)\n", m->out_frac_bits);
	if (m->type == RMT_MODEL_MLP) {
		for (i = 0; i < m->mlp.n_layers; i++) {
			const struct rmt_layer *l = &m->mlp.layers[i];

			printf("layer %u: %s %u -> %u, int%u weights, %s\n", i,
			       l->kind == RMT_LAYER_DENSE ? "dense" : "conv1d",
			       (u32)l->cin * l->len_in,
			       (u32)l->cout * (l->len_in - l->ksize + 1u),
			       l->wbits,
			       l->act == RMT_ACT_RELU ? "relu" :
			       l->act == RMT_ACT_LUT  ? "table" :
							"linear");
		}
	} else {
		for (i = 0; i < m->n_trees; i++)
			nodes += m->trees[i].n_nodes;
		printf("trees: %u\nnodes: %u\nmax depth: %u\n", m->n_trees,
		       nodes, m->max_depth);
	}
	printf("cost: %u node visits, %u multiply-accumulates\n",
	       cost.node_visits, cost.macs);
	rmt_model_free(m);
	return 0;
}

static void print_entry(const struct rmt_tree_table *t, u32 i)
{
	const struct rmt_table_entry *e = &t->entries[i];
	u32 f;

	printf("entry %u: priority %u class %d:", i, e->priority, e->cls);
	for (f = 0; f < t->n_features; f++) {
		if (e->ranges[f].lo == INT32_MIN &&
		    e->ranges[f].hi == INT32_MAX)
			continue;
		printf(" x%u in [%d, %d]", f, e->ranges[f].lo, e->ranges[f].hi);
	}
	printf("\n");
}

static int cmd_tables(int argc, char **argv)
{
	struct rmt_tree_table t;
	struct rmt_model *m;
	char err[512], report[1024];
	bool with_default = argc == 3 && !strcmp(argv[2], "--default");
	u32 i;
	int rc;

	if (argc < 2 || argc > 3 || (argc == 3 && !with_default)) {
		fprintf(stderr, "rmt-model tables: needs one model file and "
				"optionally --default\n");
		return 2;
	}
	if (rmt_model_load_file(argv[1], &m, err, sizeof(err))) {
		fprintf(stderr, "rmt-model: %s: %s\n", argv[1], err);
		return 1;
	}
	if (rmt_tree_to_table(m, with_default, &t, err, sizeof(err))) {
		fprintf(stderr, "rmt-model: %s: %s\n", argv[1], err);
		rmt_model_free(m);
		return 1;
	}
	for (i = 0; i < t.n_entries; i++)
		print_entry(&t, i);
	if (t.default_cls >= 0)
		printf("default: class %d\n", t.default_cls);
	rc = rmt_tree_table_check(m, &t, report, sizeof(report));
	printf("%s\n", report);
	rmt_tree_table_free(&t);
	rmt_model_free(m);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "train"))
		return rmt_model_cmd_train(argc - 1, argv + 1);
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tables"))
		return cmd_tables(argc - 1, argv + 1);
	fprintf(stderr, "rmt-model: unknown command '%s'\n\n%s", argv[1],
		usage);
	return 2;
}
