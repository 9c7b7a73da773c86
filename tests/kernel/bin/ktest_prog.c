// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ktest_prog.c - the program ioctls of /dev/rmt with bad input: images
 * that are garbage, truncated, for another hook or rejected by the
 * in-kernel verifier; table entries, model chunks, program attachments
 * and statistics with bad ids, pointers, lengths and contents.  Each
 * must fail with its error code; a good program must still load.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mlib/train/writer.h"
#include "proto/crc32c.h"
#include "kmod/user/rmt_prog_image.h"
#include "kmod/rmt_prog_image.h"
#include "tests/kernel/bin/ktest.h"

/* The smallest program the verifier accepts, and two it must reject. */
#define KT_PROG(body)                                                    \
	"hook swap_fault\nmodel 1 t inputs 2\naction a {\n" body "\n}\n" \
	"action noop\n"                                                  \
	"table t {\n\tkey vma_start ternary\n\tactions a noop\n"         \
	"\tdefault noop\n\tcapacity 16\n\tstate 8\n"                     \
	"\tentry priority 1 vma_start=0&&&0 -> a\n}\n"
static const char kt_good[] = KT_PROG("\tmov %r0, 0\n\texit");
static const char kt_oob[] = KT_PROG("\tldxdw %r0, [%r1+4000]\n\texit");
static const char kt_loop[] = KT_PROG("loop:\n\tja loop");

static int kt_image(const char *text, void **img, size_t *len)
{
	struct rmt_program prog;
	char err[256];
	int r = rmt_program_parse(text, NULL, &prog, err, sizeof(err));

	if (!r) {
		r = rmt_prog_image_build(&prog, img, len, err, sizeof(err));
		rmt_program_free(&prog);
	}
	if (r)
		printf("ktest: test program: %s\n", err);
	return r;
}

static int kt_load(struct rmt_dev *d, const void *img, size_t len, __u32 *id,
		   char *log, size_t log_len)
{
	struct rmt_ioc_prog_load l = { .image = (__u64)(unsigned long)img,
				       .image_len = (__u32)len,
				       .log = (__u64)(unsigned long)log,
				       .log_len = (__u32)log_len };
	int r;

	if (log_len)
		log[0] = '\0';
	r = rmt_dev_call(d, RMT_IOC_PROG_LOAD, &l, sizeof(l));
	*id = l.prog_id;
	return r;
}

/* The good program's model declaration (slot 1, 2 inputs), broken. */
static void kt_bad_model_decls(struct rmt_dev *d, const void *img, size_t len,
			       unsigned char *bad)
{
	struct rmt_img_hdr *h = (struct rmt_img_hdr *)bad;
	struct rmt_img_model *m = (struct rmt_img_model *)(h + 1);
	char log[512];
	__u32 id;

	memcpy(bad, img, len);
	kt_expect(h->n_models == 1 && m->slot == 1 && m->n_in == 2,
		  "the image declares model slot 1 with 2 inputs");
	h->n_models = 9;
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "9 models");
	memcpy(bad, img, len);
	m->slot = 8;
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "model slot 8: %s", log);
	memcpy(bad, img, len);
	m->n_in = 0;
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "a model of no inputs: %s", log);
	memcpy(bad, img, len);
	m->n_in = 65;
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "a model of 65 inputs: %s", log);
	memcpy(bad, img, len);
	memset(m->name, 'x', sizeof(m->name));
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "a model name without its NUL: %s", log);
}

static void kt_bad_images(struct rmt_dev *d)
{
	struct rmt_img_hdr *h;
	unsigned char *bad;
	char log[512];
	void *img;
	size_t len, i;
	__u32 id;
	int r;

	if (kt_image(kt_good, &img, &len)) {
		kt_expect(0, "the good test program does not build");
		return;
	}
	bad = malloc(len + 64);
	kt_expect(kt_load(d, img, 7, &id, log, sizeof(log)) == -EINVAL,
		  "image of 7 bytes");
	kt_expect(kt_load(d, img, RMT_IMG_MAX_LEN + 1, &id, log, sizeof(log)) ==
			  -EINVAL,
		  "image over the limit");
	kt_expect(kt_load(d, NULL, len, &id, log, sizeof(log)) == -EFAULT,
		  "NULL image");
	for (i = 0; i < len + 64; i++)
		bad[i] = (unsigned char)(i * 167 + 13);
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL &&
			  log[0],
		  "garbage image: %s", log);
	memcpy(bad, img, len);
	h = (struct rmt_img_hdr *)bad;
	h->magic ^= 1;
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "bad magic");
	memcpy(bad, img, len);
	h->hook_id = 2;
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "sched_wakeup program");
	memcpy(bad, img, len);
	h->n_stages = 9;
	kt_expect(kt_load(d, bad, len, &id, log, sizeof(log)) == -EINVAL,
		  "9 tables");
	kt_bad_model_decls(d, img, len, bad);
	/* Truncated anywhere after the header: never accepted. */
	for (i = sizeof(*h); i < len; i += 8) {
		memcpy(bad, img, len);
		h->total_len = (__u32)i;
		r = kt_load(d, bad, i, &id, log, sizeof(log));
		kt_expect(r == -EINVAL, "truncated at %zu: %d", i, r);
	}
	/* A longer image than the header says. */
	memcpy(bad, img, len);
	memset(bad + len, 0, 8);
	h->total_len = (__u32)(len + 8);
	kt_expect(kt_load(d, bad, len + 8, &id, log, sizeof(log)) == -EINVAL,
		  "trailing bytes");
	kt_expect(kt_load(d, img, len, &id, log, sizeof(log)) == 0 && id,
		  "the good program: %s", log);
	free(bad);
	free(img);
}

/* Programs the verifier must reject: the reason names the action. */
static void kt_bad_verify(struct rmt_dev *d)
{
	const char *texts[] = { kt_oob, kt_loop };
	char log[512];
	unsigned int i;
	void *img;
	size_t len;
	__u32 id;
	int r;

	for (i = 0; i < 2; i++) {
		if (kt_image(texts[i], &img, &len)) {
			kt_expect(0, "test program %u does not build", i);
			continue;
		}
		r = kt_load(d, img, len, &id, log, sizeof(log));
		printf("ktest: verifier: %d: %s\n", r, log);
		kt_expect(r < 0 && strstr(log, "action a"),
			  "program %u: %d, %s", i, r, log);
		free(img);
	}
}

static int kt_entry(struct rmt_dev *d, __u32 prog, const void *rec, size_t len,
		    __u32 *code)
{
	struct rmt_ioc_entry e = { .prog_id = prog,
				   .len = (__u32)len,
				   .rec = (__u64)(unsigned long)rec };
	int r = rmt_dev_call(d, RMT_IOC_ENTRY, &e, sizeof(e));

	*code = e.code;
	return r;
}

static void kt_bad_entries(struct rmt_dev *d, __u32 prog)
{
	unsigned char rec[RMT_ENTRY_REC_MAX] = { 0 };
	struct rmt_msg_table_entry *h = (void *)rec;
	struct rmt_msg_key_field *f = (void *)(rec + sizeof(*h));
	size_t len = sizeof(*h) + sizeof(*f);
	__u32 code;

	h->op = RMT_ENTRY_ADD;
	h->hook_id = RMT_HOOK_SWAP_FAULT;
	h->priority = 2;
	h->n_fields = 1;
	f->field_id = 2; /* vma_start */
	f->kind = RMT_MATCH_TERNARY;
	f->value = 0x400000;
	f->mask_or_high = ~0ull;
	kt_expect(kt_entry(d, prog + 100, rec, len, &code) == -ENOENT,
		  "entry: unknown program");
	kt_expect(kt_entry(d, prog, rec, 8, &code) == -EINVAL,
		  "entry: 8 bytes");
	kt_expect(kt_entry(d, prog, NULL, len, &code) == -EFAULT,
		  "entry: NULL record");
	h->op = 99;
	kt_expect(kt_entry(d, prog, rec, len, &code) == -EBADMSG,
		  "entry: op 99");
	h->op = RMT_ENTRY_ADD;
	h->table_id = 3;
	kt_expect(kt_entry(d, prog, rec, len, &code) == -ENOENT,
		  "entry: table 3");
	h->table_id = 0;
	h->action_id = 7;
	kt_expect(kt_entry(d, prog, rec, len, &code) == -EINVAL,
		  "entry: action 7");
	h->action_id = 0;
	f->field_id = 999;
	kt_expect(kt_entry(d, prog, rec, len, &code) < 0, "entry: field 999");
	f->field_id = 2;
	kt_expect(kt_entry(d, prog, rec, len, &code) == 0, "entry: add");
	kt_expect(kt_entry(d, prog, rec, len, &code) == -EEXIST,
		  "entry: add twice");
	h->op = RMT_ENTRY_DELETE;
	kt_expect(kt_entry(d, prog, rec, len, &code) == 0, "entry: delete");
	kt_expect(kt_entry(d, prog, rec, len, &code) == -ENOENT,
		  "entry: delete twice");
}

static int kt_model(struct rmt_dev *d, __u32 prog, const void *chunk,
		    size_t len)
{
	struct rmt_ioc_model m = { .prog_id = prog,
				   .len = (__u32)len,
				   .chunk = (__u64)(unsigned long)chunk };

	return rmt_dev_call(d, RMT_IOC_MODEL, &m, sizeof(m));
}

/* Chunks of a malformed model: bad slot, CRC, order, contents. */
static void kt_bad_models(struct rmt_dev *d, __u32 prog)
{
	unsigned char buf[sizeof(struct rmt_msg_model_blob) + 256];
	struct rmt_msg_model_blob *b = (void *)buf;
	size_t len = sizeof(buf);
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 256; i++)
		b->data[i] = (unsigned char)(i * 31 + 7);
	b->model_id = 1;
	b->total_len = 256;
	b->chunk_len = 256;
	b->crc32c = rmt_crc32c(0, b->data, 256);
	kt_expect(kt_model(d, prog + 100, buf, len) == -ENOENT,
		  "model: unknown program");
	kt_expect(kt_model(d, prog, buf, 8) == -EINVAL, "model: 8 bytes");
	kt_expect(kt_model(d, prog, NULL, len) == -EFAULT, "model: NULL chunk");
	b->slot = 99;
	kt_expect(kt_model(d, prog, buf, len) == -EINVAL, "model: slot 99");
	b->slot = 0;
	kt_expect(kt_model(d, prog, buf, len) == -EINVAL,
		  "model: a slot the program does not declare");
	b->slot = 1;
	b->crc32c ^= 1;
	kt_expect(kt_model(d, prog, buf, len) == -EBADMSG, "model: CRC");
	b->crc32c ^= 1;
	kt_expect(kt_model(d, prog, buf, len) == -EINVAL,
		  "model: garbage blob with a good CRC");
	b->chunk_len = 300;
	kt_expect(kt_model(d, prog, buf, len) < 0, "model: chunk overruns");
	/* Half a blob, then a chunk that does not continue it. */
	b->total_len = 512;
	b->chunk_len = 256;
	kt_expect(kt_model(d, prog, buf, len) == 0, "model: first half");
	b->offset = 128;
	kt_expect(kt_model(d, prog, buf, len) == -EINVAL,
		  "model: chunk out of order");
}

/* A one-split tree installs; the same tree reading 100 features not. */
static void kt_good_model(struct rmt_dev *d, __u32 prog)
{
	struct rmt_tree_node nodes[3] = {
		{ .feature = 0, .value = 10, .left = 1, .right = 2 },
		{ .feature = RMT_TREE_LEAF, .conf = 65535, .value = 0 },
		{ .feature = RMT_TREE_LEAF, .conf = 65535, .value = 1 },
	};
	struct rmt_tree tree = { .n_nodes = 3, .depth = 1, .nodes = nodes };
	struct rmt_model m = { .type = RMT_MODEL_TREE,
			       .n_features = 2,
			       .n_classes = 2,
			       .n_trees = 1,
			       .max_depth = 1,
			       .trees = &tree };
	__u32 installed = 0;
	size_t len;
	u8 *blob;

	kt_expect(rmt_model_write(&m, &blob, &len) == 0, "write a tree");
	kt_expect(kt_send_model(d, prog, 1, 7, blob, len, &installed) == 0 &&
			  installed,
		  "model: a tree installs");
	free(blob);
	m.n_features = 100;
	kt_expect(rmt_model_write(&m, &blob, &len) == 0, "write a tree");
	kt_expect(kt_send_model(d, prog, 1, 7, blob, len, &installed) ==
				  -EINVAL &&
			  !installed,
		  "model: 100 features rejected by the model verifier");
	free(blob);
}

static void kt_bad_prog_attach(struct rmt_dev *d, struct rmt_dev *other,
			       __u32 prog)
{
	struct rmt_ioc_attach a = { .hook = RMT_HOOK_SCHED_WAKEUP,
				    .filter = RMT_FILTER_PID,
				    .filter_value = (__u64)getpid() };
	struct rmt_ioc_prog_attach pa = { 0 };
	struct rmt_ioc_prog_stats ps = { 0 };

	pa.prog_id = prog + 100;
	kt_expect(rmt_dev_call(d, RMT_IOC_PROG_ATTACH, &pa, sizeof(pa)) ==
			  -ENOENT,
		  "prog_attach: unknown program");
	pa.prog_id = prog;
	pa.attach_id = 12345;
	kt_expect(rmt_dev_call(d, RMT_IOC_PROG_ATTACH, &pa, sizeof(pa)) ==
			  -ENOENT,
		  "prog_attach: unknown attachment");
	kt_expect(rmt_dev_call(other, RMT_IOC_PROG_ATTACH, &pa, sizeof(pa)) ==
			  -ENOENT,
		  "prog_attach: another file's program");
	kt_expect(rmt_dev_call(d, RMT_IOC_ATTACH, &a, sizeof(a)) == 0,
		  "attach sched_wakeup");
	pa.attach_id = a.attach_id;
	kt_expect(rmt_dev_call(d, RMT_IOC_PROG_ATTACH, &pa, sizeof(pa)) ==
			  -ENOENT,
		  "prog_attach: a sched_wakeup attachment");
	ps.prog_id = prog + 100;
	kt_expect(rmt_dev_call(d, RMT_IOC_PROG_STATS, &ps, sizeof(ps)) ==
			  -ENOENT,
		  "prog_stats: unknown program");
	ps.prog_id = prog;
	kt_expect(rmt_dev_call(other, RMT_IOC_PROG_STATS, &ps, sizeof(ps)) ==
			  -ENOENT,
		  "prog_stats: another file's program");
	kt_expect(rmt_dev_call(d, RMT_IOC_PROG_STATS, &ps, sizeof(ps)) == 0 &&
			  ps.runs == 0,
		  "prog_stats");
}

void kt_bad_programs(struct rmt_dev *d, struct rmt_dev *other)
{
	char log[512];
	void *img;
	size_t len;
	__u32 prog = 0;

	kt_bad_images(d);
	kt_bad_verify(d);
	if (kt_image(kt_good, &img, &len) ||
	    kt_load(d, img, len, &prog, log, sizeof(log))) {
		kt_expect(0, "good program: %s", log);
		return;
	}
	free(img);
	kt_bad_entries(d, prog);
	kt_bad_models(d, prog);
	kt_good_model(d, prog);
	kt_bad_prog_attach(d, other, prog);
}
