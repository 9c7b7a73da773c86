// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ktest_model.c - models for programs in the kernel: sending a blob in
 * RMT_IOC_MODEL chunks, a small decision tree for programs/learned.rmt
 * built with mlib's API, and rmt-ktest models FILE.rmt: the learned
 * program loads (its model slot declared in the image), malformed models
 * and models that do not fit its slot are refused, the tree installs,
 * and the command ring clears its slot (RMT_CMD_RESET_DEFAULT).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mlib/train/writer.h"
#include "proto/crc32c.h"
#include "kmod/user/rmt_prog_image.h"
#include "tests/kernel/bin/ktest.h"

/* learned.rmt's feature vector (docs/learned.md): where d0_count is. */
#define KT_LEARNED_INPUTS 15
#define KT_F_D0_COUNT 10
#define KT_CLASS_LAST 1 /* repeat the stream's last delta */
#define KT_CLASS_UNSURE 4 /* leave it to readahead */

int kt_send_model(struct rmt_dev *d, __u32 prog, __u32 slot, __u64 model_id,
		  const void *blob, size_t len, __u32 *installed)
{
	unsigned char *buf = calloc(1, sizeof(struct rmt_msg_model_blob) + len);
	struct rmt_msg_model_blob *b = (void *)buf;
	struct rmt_ioc_model m = { .prog_id = prog };
	size_t half = (len / 2 + 7) & ~(size_t)7, off, n;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	for (off = 0; off < len && !r; off += n) {
		n = off ? len - off : half;
		memset(b, 0, sizeof(*b));
		b->model_id = model_id;
		b->slot = slot;
		b->total_len = (__u32)len;
		b->offset = (__u32)off;
		b->chunk_len = (__u32)n;
		b->crc32c = rmt_crc32c(0, blob, len);
		memcpy(b->data, (const u8 *)blob + off, n);
		m.len = (__u32)(sizeof(*b) + n);
		m.chunk = (__u64)(unsigned long)buf;
		m.installed = 0;
		r = rmt_dev_call(d, RMT_IOC_MODEL, &m, sizeof(m));
	}
	*installed = m.installed;
	free(buf);
	return r;
}

/*
 * A stride predictor as a tree over n_in features: a stream whose last
 * delta occurs more than once among its last 8 repeats it; otherwise
 * the tree is not sure and readahead decides.
 */
int kt_stride_tree(u32 n_in, u8 **blob, size_t *len)
{
	struct rmt_tree_node nodes[3] = {
		{ .feature = KT_F_D0_COUNT, .value = 1, .left = 1, .right = 2 },
		{ .feature = RMT_TREE_LEAF,
		  .conf = 65535,
		  .value = KT_CLASS_UNSURE },
		{ .feature = RMT_TREE_LEAF,
		  .conf = 65535,
		  .value = KT_CLASS_LAST },
	};
	struct rmt_tree tree = { .n_nodes = 3, .depth = 1, .nodes = nodes };
	struct rmt_model m = { .type = RMT_MODEL_TREE,
			       .n_features = n_in,
			       .n_classes = 5,
			       .n_trees = 1,
			       .max_depth = 1,
			       .trees = &tree };

	return rmt_model_write(&m, blob, len);
}

static int kt_models_check(struct rmt_dev *d, __u32 prog)
{
	struct rmt_ioc_prog_stats ps = { .prog_id = prog };
	__u32 installed = 0;
	size_t len;
	u8 *blob;
	int r;

	/* The garbage of ktest bad, but into the slot learned.rmt uses. */
	blob = malloc(256);
	for (len = 0; len < 256; len++)
		blob[len] = (u8)(len * 31 + 7);
	r = kt_send_model(d, prog, 0, 1, blob, 256, &installed);
	kt_expect(r == -EINVAL && !installed, "garbage into slot 0: %d", r);
	free(blob);
	/* A good model of 16 inputs: only the slot's declaration refuses. */
	if (kt_stride_tree(KT_LEARNED_INPUTS + 1, &blob, &len))
		return 1;
	r = kt_send_model(d, prog, 0, 2, blob, len, &installed);
	kt_expect(r == -EINVAL && !installed,
		  "a 16-feature tree into the 15-input slot: %d", r);
	free(blob);
	if (kt_stride_tree(KT_LEARNED_INPUTS, &blob, &len))
		return 1;
	r = kt_send_model(d, prog, 1, 3, blob, len, &installed);
	kt_expect(r == -EINVAL && !installed, "an undeclared slot: %d", r);
	r = kt_send_model(d, prog, 0, 4, blob, len, &installed);
	kt_expect(r == 0 && installed, "the stride tree into slot 0: %d", r);
	free(blob);
	kt_expect(rmt_dev_call(d, RMT_IOC_PROG_STATS, &ps, sizeof(ps)) == 0 &&
			  ps.model_runs == 0,
		  "no model run before any fault");
	return 0;
}

/* Clear slot of prog over the command ring: the poll's error count. */
static int kt_clear(struct rmt_dev *d, __u32 prog, __u32 slot)
{
	struct rmt_msg_command c = { .seq = 1,
				     .op = RMT_CMD_RESET_DEFAULT,
				     .arg0 = slot,
				     .arg1 = prog };
	struct rmt_ioc_cmd_poll p = { 0 };

	if (rmt_ring_produce(&d->cmd, RMT_MSG_COMMAND, &c, sizeof(c)) ||
	    rmt_dev_call(d, RMT_IOC_CMD_POLL, &p, sizeof(p)))
		return -1;
	return p.processed == 1 || p.errors == 1 ? (int)p.errors : -1;
}

/* RMT_CMD_RESET_DEFAULT clears only a declared slot of the file's program. */
static void kt_clear_check(struct rmt_dev *d, __u32 prog)
{
	kt_expect(kt_clear(d, prog, 1) == 1, "clearing an undeclared slot");
	kt_expect(kt_clear(d, prog + 1000, 0) == 1,
		  "clearing a slot of another program");
	kt_expect(kt_clear(d, prog, 0) == 0, "clearing slot 0");
	kt_expect(kt_clear(d, prog, 0) == 0, "clearing an empty slot 0");
}

int kt_models(int argc, char **argv)
{
	struct rmt_dev d;
	char err[512] = "";
	__u32 prog;
	int r;

	if (argc != 2)
		return 2;
	if (rmt_dev_open(&d, NULL)) {
		printf("ktest: cannot open /dev/rmt: %s\n", strerror(errno));
		return 1;
	}
	r = rmt_dev_rings(&d, 4096, 4096);
	kt_expect(r == 0, "rings: %d", r);
	r = r ?: rmt_dev_load_program(&d, argv[1], &prog, err, sizeof(err));
	kt_expect(r == 0, "loading %s: %s", argv[1], err);
	if (!r)
		r = kt_models_check(&d, prog);
	if (!r)
		kt_clear_check(&d, prog);
	rmt_dev_close(&d);
	printf("ktest: models: done, %d failure(s)\n", kt_failures);
	return r;
}
