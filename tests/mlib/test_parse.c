// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_parse.c - the model parser against a corpus of bad models: each
 * mutation of a valid blob must be rejected with the message that names
 * the problem; valid blobs round-trip through the writer unchanged.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "mlib/format.h"
#include "mlib/train/writer.h"
#include "proto/crc32c.h"

/* x0 <= 10 ? class 0 : (x1 <= -5 ? class 1 : class 2) */
static struct rmt_tree_node tree_nodes[5] = {
	{ 0, 0, 10, 1, 2 },
	{ RMT_TREE_LEAF, 65535, 0, 0, 0 },
	{ 1, 0, -5, 3, 4 },
	{ RMT_TREE_LEAF, 30000, 1, 0, 0 },
	{ RMT_TREE_LEAF, 40000, 2, 0, 0 },
};

static u8 *tree_blob(size_t *len)
{
	struct rmt_tree t = { 5, 2, tree_nodes };
	struct rmt_model m;
	u8 *buf;

	memset(&m, 0, sizeof(m));
	m.type = RMT_MODEL_TREE;
	m.n_features = 2;
	m.n_classes = 3;
	m.n_trees = 1;
	m.trees = &t;
	cr_assert_eq(rmt_model_write(&m, &buf, len), 0);
	return buf;
}

static const s8 w0[12] = { 1, -2, 3, 4, 5, -6, 7, 8, -9, 10, 11, 12 };
static const s32 b0[4] = { 1, 2, 3, -4 };
static const s8 w1[8] = { 1, 2, 3, 4, -1, -2, -3, -4 };
static const s32 b1[2] = { 0, 5 };

static u8 *mlp_blob(size_t *len)
{
	struct rmt_input_q inq[3] = { { 0, 16384, 14 },
				      { 5, 16384, 15 },
				      { -5, 20000, 16 } };
	struct rmt_layer l[2];
	struct rmt_model m;
	u8 *buf;

	memset(&m, 0, sizeof(m));
	memset(l, 0, sizeof(l));
	l[0] = (struct rmt_layer){ .kind = RMT_LAYER_DENSE,
				   .act = RMT_ACT_RELU,
				   .wbits = 8,
				   .shift = 36,
				   .cin = 3,
				   .len_in = 1,
				   .cout = 4,
				   .ksize = 1,
				   .out_zp = -128,
				   .mult = 1 << 30,
				   .w8 = w0,
				   .bias = b0 };
	l[1] = (struct rmt_layer){ .kind = RMT_LAYER_DENSE,
				   .wbits = 8,
				   .shift = 31,
				   .cin = 4,
				   .len_in = 1,
				   .cout = 2,
				   .ksize = 1,
				   .mult = 1 << 30,
				   .w8 = w1,
				   .bias = b1 };
	m.type = RMT_MODEL_MLP;
	m.n_features = 3;
	m.n_classes = 2;
	m.mlp.n_layers = 2;
	m.mlp.in_zp = 3;
	m.mlp.inq = inq;
	m.mlp.layers = l;
	cr_assert_eq(rmt_model_write(&m, &buf, len), 0);
	return buf;
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

/* Make the header's length and checksum agree with the contents again. */
static void reseal(u8 *buf, size_t len)
{
	put32(buf + 12, (u32)len);
	put32(buf + 8, rmt_crc32c(0, buf + 12, len - 12));
}

static void expect_reject(const u8 *buf, size_t len, const char *msg)
{
	struct rmt_model *m = (struct rmt_model *)1;
	char log[256];

	cr_assert_eq(rmt_model_parse(buf, len, &m, log, sizeof(log)), -EINVAL,
		     "accepted, wanted '%s'", msg);
	cr_assert_null(m);
	cr_assert(strstr(log, msg), "log '%s' lacks '%s'", log, msg);
}

#define NODE(i) (RMT_MODEL_HDR_SIZE + 8 + RMT_MODEL_NODE_SIZE * (i))

Test(mlib_parse, valid_tree_round_trips)
{
	struct rmt_model_header h;
	struct rmt_model *m;
	struct rmt_infer_out o;
	size_t len, len2;
	u8 *buf = tree_blob(&len), *buf2;
	char log[256];
	s32 x[2];

	cr_assert_eq(rmt_model_read_header(buf, len, &h, log, sizeof(log)), 0,
		     "%s", log);
	cr_assert_eq(h.cost.node_visits, 3);
	cr_assert_eq(h.max_depth, 2);
	/* The header alone is enough to budget the model. */
	cr_assert_eq(rmt_model_read_header(buf, RMT_MODEL_HDR_SIZE, &h, log,
					   sizeof(log)),
		     0, "%s", log);
	cr_assert_eq(h.total_len, len);
	cr_assert_eq(rmt_model_parse(buf, len, &m, log, sizeof(log)), 0, "%s",
		     log);
	x[0] = 10;
	x[1] = 0;
	rmt_model_infer(m, x, &o);
	cr_assert_eq(o.value, 0);
	cr_assert_eq(o.conf, 65535);
	x[0] = 11;
	x[1] = -5;
	rmt_model_infer(m, x, &o);
	cr_assert_eq(o.value, 1);
	x[1] = -4;
	rmt_model_infer(m, x, &o);
	cr_assert_eq(o.value, 2);
	cr_assert_eq(o.conf, 40000);
	cr_assert_eq(rmt_model_write(m, &buf2, &len2), 0);
	cr_assert_eq(len2, len);
	cr_assert_arr_eq(buf2, buf, len);
	rmt_model_free(m);
	free(buf);
	free(buf2);
}

Test(mlib_parse, valid_mlp_round_trips)
{
	struct rmt_model *m;
	struct rmt_model_cost cost;
	size_t len, len2;
	u8 *buf = mlp_blob(&len), *buf2;
	char log[256];

	cr_assert_eq(rmt_model_parse(buf, len, &m, log, sizeof(log)), 0, "%s",
		     log);
	rmt_model_cost(m, &cost);
	cr_assert_eq(cost.macs, 3 * 4 + 4 * 2);
	cr_assert_eq(rmt_model_write(m, &buf2, &len2), 0);
	cr_assert_eq(len2, len);
	cr_assert_arr_eq(buf2, buf, len);
	rmt_model_free(m);
	free(buf);
	free(buf2);
}

struct tree_case {
	u32 offset;
	u32 value;
	bool wide;
	const char *msg;
};

Test(mlib_parse, bad_trees)
{
	static const struct tree_case cases[] = {
		{ NODE(2) + 10, 9, false,
		  "tree 0 node 2: child 9 out of range (5 nodes)" },
		{ NODE(2) + 8, 1, false,
		  "node 2: child 1 does not come after its parent (cycle" },
		{ NODE(2) + 8, 2, false,
		  "node 2: child 2 does not come after" },
		{ NODE(0) + 10, 1, false,
		  "node 0: child 1 already has a parent (not a tree)" },
		{ NODE(0), 7, false,
		  "node 0: feature 7 out of range (2 features)" },
		{ NODE(3) + 4, 3, true,
		  "node 3: leaf class 3 out of range (3 classes)" },
		{ NODE(1) + 8, 2, false, "node 1: leaf has children 2 and 0" },
		{ NODE(2), RMT_TREE_LEAF, false, "node 2: leaf has children" },
		{ NODE(0) + 2, 5, false, "node 0: inner node with confidence" },
		{ 32, 5, false,
		  "header declares depth 5 and 3 node visits, "
		  "trees need depth 2 and 3 visits" },
		{ 24, 4, true, "header declares depth 2 and 4 node visits" },
		{ RMT_MODEL_HDR_SIZE, 0, true, "tree 0: 0 nodes" },
		{ RMT_MODEL_HDR_SIZE, 70000, true, "tree 0: 70000 nodes" },
		{ RMT_MODEL_HDR_SIZE, 6, true, "truncated: nodes needs 72" },
		{ RMT_MODEL_HDR_SIZE + 4, 1, true, "tree 0: reserved word" },
		{ 4, 2, false, "unsupported format version 2" },
		{ 6, 9, false, "unknown model type 9" },
		{ 6, RMT_MODEL_MLP, false, "MLP with 1 layers" },
		{ 22, 2, false, "header: 2 trees for a tree (needs 1)" },
		{ 16, 0, false, "header: 0 features" },
		{ 18, 65, false, "header: 65 classes" },
		{ 20, 31, false, "fractional bits" },
		{ 28, 1, true, "1 MACs (must be 0)" },
		{ 40, 1, false, "reserved byte 40 is 1" },
	};
	size_t len, i;
	u8 *good = tree_blob(&len), *buf = malloc(len);

	for (i = 0; i < RMT_ARRAY_SIZE(cases); i++) {
		memcpy(buf, good, len);
		if (cases[i].wide)
			put32(buf + cases[i].offset, cases[i].value);
		else
			put16(buf + cases[i].offset, (u16)cases[i].value);
		reseal(buf, len);
		expect_reject(buf, len, cases[i].msg);
	}
	/* Node 2 a leaf: nodes 3 and 4 hang from nothing. */
	memcpy(buf, good, len);
	put16(buf + NODE(2), RMT_TREE_LEAF);
	put16(buf + NODE(2) + 8, 0);
	put16(buf + NODE(2) + 10, 0);
	put32(buf + NODE(2) + 4, 1);
	reseal(buf, len);
	expect_reject(buf, len, "tree 0 node 3: no parent (unreachable)");
	free(buf);
	free(good);
}

Test(mlib_parse, bad_bytes_truncation_and_checksum)
{
	size_t len, i;
	u8 *good = tree_blob(&len), *buf = malloc(len + 8);

	for (i = 0; i < len; i++)
		expect_reject(good, i, "truncated");
	memcpy(buf, good, len);
	buf[NODE(1) + 4] ^= 1;
	expect_reject(buf, len, "checksum mismatch");
	memcpy(buf, good, len);
	buf[0] = 'X';
	expect_reject(buf, len, "bad magic");
	memcpy(buf, good, len);
	memset(buf + len, 0, 8);
	expect_reject(buf, len + 8, "trailing bytes: header says");
	reseal(buf, len + 8);
	expect_reject(buf, len + 8, "8 bytes after the last part");
	put32(buf + 12, RMT_MODEL_MAX_SIZE + 1);
	expect_reject(buf, len + 8, "over the");
	put32(buf + 12, 20);
	expect_reject(buf, len + 8, "total length 20 is shorter");
	expect_reject(NULL, 0, "truncated");
	free(buf);
	free(good);
}

#define LAYER0 (RMT_MODEL_HDR_SIZE + 4 + 3 * RMT_MODEL_INQ_SIZE)
#define LAYER1 (LAYER0 + RMT_MODEL_LAYER_SIZE + 12 + 4 * 4)

Test(mlib_parse, bad_mlps)
{
	static const struct tree_case cases[] = {
		{ LAYER1 + 4, 5, false,
		  "layer 1: takes 5 inputs, the layer before gives 4" },
		{ LAYER0 + 4, 2, false,
		  "layer 0: takes 2 inputs, the model input gives 3" },
		{ LAYER1 + 1, RMT_ACT_RELU, false,
		  "layer 1: last layer gives" },
		{ LAYER1 + 8, 3, false, "layer 1: last layer gives 3 outputs" },
		{ LAYER0, 7, false, "layer 0: unknown kind 7" },
		{ LAYER0 + 2, 12, false, "12-bit weights" },
		{ LAYER0 + 3, 63, false, "shift 63" },
		{ LAYER0 + 12, 200, true, "zero point 200" },
		{ LAYER0 + 6, 2, false, "layer 0: bad shape" },
		{ LAYER0 + RMT_MODEL_LAYER_SIZE + 12, 0x7ffffff0, true,
		  "layer 0 output 0: the 32-bit accumulator may overflow" },
		{ LAYER0 + 20, 1, true, "layer 0: reserved word" },
		{ 28, 21, true, "header declares 21 MACs, layers need 20" },
		{ RMT_MODEL_HDR_SIZE, 300, true, "input: zero point 300" },
		{ RMT_MODEL_HDR_SIZE + 8, 40000, true, "input 0: multiplier" },
		{ RMT_MODEL_HDR_SIZE + 13, 1, false, "input 0: padding" },
		{ 22, 3, false, "truncated: layer header" },
		{ 22, 17, false, "MLP with 17 layers" },
		{ 18, 1, false, "1 classes (2 or more)" },
	};
	size_t len, i;
	u8 *good = mlp_blob(&len), *buf = malloc(len);

	for (i = 0; i < RMT_ARRAY_SIZE(cases); i++) {
		memcpy(buf, good, len);
		if (cases[i].wide)
			put32(buf + cases[i].offset, cases[i].value);
		else if (cases[i].offset == LAYER0 + 2 ||
			 cases[i].offset == LAYER0 + 3 ||
			 cases[i].offset == LAYER0 ||
			 cases[i].offset == LAYER1 + 1 ||
			 cases[i].offset == RMT_MODEL_HDR_SIZE + 13)
			buf[cases[i].offset] = (u8)cases[i].value;
		else
			put16(buf + cases[i].offset, (u16)cases[i].value);
		reseal(buf, len);
		expect_reject(buf, len, cases[i].msg);
	}
	for (i = RMT_MODEL_HDR_SIZE; i < len; i++)
		expect_reject(good, i, "truncated");
	free(buf);
	free(good);
}

Test(mlib_parse, log_is_bounded)
{
	size_t len;
	u8 *buf = tree_blob(&len);
	struct rmt_model *m;
	char log[8];

	put16(buf + NODE(0), 7);
	reseal(buf, len);
	memset(log, 'x', sizeof(log));
	cr_assert_eq(rmt_model_parse(buf, len, &m, log, sizeof(log)), -EINVAL);
	cr_assert_eq(strlen(log), sizeof(log) - 1);
	cr_assert_eq(rmt_model_parse(buf, len, &m, NULL, 0), -EINVAL);
	free(buf);
}
