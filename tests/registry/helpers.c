// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * helpers.c - scratch directories and model images for the registry
 * tests (see helpers.h).
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlib/train/writer.h"
#include "tests/registry/helpers.h"

void test_tmpdir(char *path, size_t size)
{
	const char *t = getenv("TMPDIR");

	snprintf(path, size, "%s/rmt-registry-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(path)) {
		perror(path);
		abort();
	}
}

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	return remove(p);
}

void test_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

u8 *test_model(s32 t, size_t *len)
{
	/* x0 <= t ? class 0 : (x1 <= -5 ? class 1 : class 2) */
	struct rmt_tree_node nodes[5] = {
		{ 0, 0, t, 1, 2 },
		{ RMT_TREE_LEAF, 65535, 0, 0, 0 },
		{ 1, 0, -5, 3, 4 },
		{ RMT_TREE_LEAF, 30000, 1, 0, 0 },
		{ RMT_TREE_LEAF, 40000, 2, 0, 0 },
	};
	struct rmt_tree tree = { 5, 2, nodes };
	struct rmt_model m;
	u8 *buf;

	memset(&m, 0, sizeof(m));
	m.type = RMT_MODEL_TREE;
	m.n_features = 2;
	m.n_classes = 3;
	m.n_trees = 1;
	m.max_depth = 2;
	m.trees = &tree;
	if (rmt_model_write(&m, &buf, len))
		abort();
	return buf;
}
