// SPDX-License-Identifier: GPL-2.0 OR MIT
/* writer.c - the model writer and file helpers (user space). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlib/format.h"
#include "mlib/train/writer.h"
#include "proto/crc32c.h"

struct out {
	u8 *p;
	size_t len;
	size_t cap;
	bool oom;
};

static void put(struct out *o, const void *src, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		u8 *p;

		while (cap < o->len + n)
			cap *= 2;
		p = realloc(o->p, cap);
		if (!p) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, src, n);
	o->len += n;
}

static void put8(struct out *o, u8 v)
{
	put(o, &v, 1);
}

static void put16(struct out *o, u16 v)
{
	u8 b[2] = { (u8)v, (u8)(v >> 8) };

	put(o, b, 2);
}

static void put32(struct out *o, u32 v)
{
	u8 b[4] = { (u8)v, (u8)(v >> 8), (u8)(v >> 16), (u8)(v >> 24) };

	put(o, b, 4);
}

static void set32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static void write_trees(struct out *o, const struct rmt_model *m)
{
	const struct rmt_tree_node *n;
	u32 t, i;

	for (t = 0; t < m->n_trees; t++) {
		put32(o, m->trees[t].n_nodes);
		put32(o, 0);
		for (i = 0; i < m->trees[t].n_nodes; i++) {
			n = &m->trees[t].nodes[i];
			put16(o, n->feature);
			put16(o, n->conf);
			put32(o, (u32)n->value);
			put16(o, n->left);
			put16(o, n->right);
		}
	}
}

static void write_layer(struct out *o, const struct rmt_layer *l, s32 in_zp)
{
	u32 per_out = (u32)l->cin * l->ksize, n = per_out * l->cout, k, j;
	size_t bytes = (size_t)n * (l->wbits / 8u);
	s64 sum;

	put8(o, l->kind);
	put8(o, l->act);
	put8(o, l->wbits);
	put8(o, l->shift);
	put16(o, l->cin);
	put16(o, l->len_in);
	put16(o, l->cout);
	put16(o, l->ksize);
	put32(o, (u32)l->out_zp);
	put32(o, (u32)l->mult);
	put32(o, 0);
	for (k = 0; k < n; k++) {
		if (l->wbits == 8)
			put8(o, (u8)l->w8[k]);
		else
			put16(o, (u16)l->w16[k]);
	}
	for (; bytes % 4; bytes++)
		put8(o, 0);
	/* The format stores the bias without the folded zero-point term. */
	for (k = 0; k < l->cout; k++) {
		sum = 0;
		for (j = 0; j < per_out; j++)
			sum += l->wbits == 8 ? l->w8[k * per_out + j] :
					       l->w16[k * per_out + j];
		put32(o, (u32)(s32)(l->bias[k] + in_zp * sum));
	}
	if (l->act == RMT_ACT_LUT)
		put(o, l->lut, 256);
}

static void write_mlp(struct out *o, const struct rmt_model *m)
{
	const struct rmt_mlp *mlp = &m->mlp;
	s32 zp = mlp->in_zp;
	u32 i;

	put32(o, (u32)mlp->in_zp);
	for (i = 0; i < m->n_features; i++) {
		put32(o, (u32)mlp->inq[i].offset);
		put32(o, (u32)mlp->inq[i].mult);
		put8(o, mlp->inq[i].shift);
		put8(o, 0);
		put8(o, 0);
		put8(o, 0);
	}
	for (i = 0; i < mlp->n_layers; i++) {
		write_layer(o, &mlp->layers[i], zp);
		zp = mlp->layers[i].act == RMT_ACT_LUT ? 0 :
							 mlp->layers[i].out_zp;
	}
}

int rmt_model_write(const struct rmt_model *m, u8 **buf, size_t *len)
{
	struct rmt_model_cost cost;
	struct out o = { NULL, 0, 0, false };
	u8 zero[12] = { 0 };
	u32 max_depth = 0, t;

	rmt_model_cost(m, &cost);
	if (m->type != RMT_MODEL_MLP)
		for (t = 0; t < m->n_trees; t++)
			if (m->trees[t].depth > max_depth)
				max_depth = m->trees[t].depth;
	put32(&o, RMT_MODEL_MAGIC);
	put16(&o, RMT_MODEL_VERSION);
	put16(&o, m->type);
	put32(&o, 0); /* crc, below */
	put32(&o, 0); /* total_len, below */
	put16(&o, m->n_features);
	put16(&o, m->n_classes);
	put8(&o, m->in_frac_bits);
	put8(&o, m->out_frac_bits);
	put16(&o,
	      (u16)(m->type == RMT_MODEL_MLP ? m->mlp.n_layers : m->n_trees));
	put32(&o, cost.node_visits);
	put32(&o, cost.macs);
	put16(&o, (u16)max_depth);
	put16(&o, 0);
	put(&o, zero, sizeof(zero));
	if (m->type == RMT_MODEL_MLP)
		write_mlp(&o, m);
	else
		write_trees(&o, m);
	if (o.oom) {
		free(o.p);
		return -ENOMEM;
	}
	set32(o.p + 12, (u32)o.len);
	set32(o.p + 8, rmt_crc32c(0, o.p + 12, o.len - 12));
	*buf = o.p;
	*len = o.len;
	return 0;
}

int rmt_model_rebuild(const struct rmt_model *m, struct rmt_model **out,
		      char *err, size_t err_size)
{
	u8 *buf;
	size_t len;
	int rc = rmt_model_write(m, &buf, &len);

	if (rc) {
		snprintf(err, err_size, "out of memory writing the model");
		return rc;
	}
	rc = rmt_model_parse(buf, len, out, err, err_size);
	free(buf);
	return rc;
}

int rmt_model_save(const struct rmt_model *m, const char *path, char *err,
		   size_t err_size)
{
	u8 *buf;
	size_t len;
	FILE *f;
	int rc = rmt_model_write(m, &buf, &len);

	if (rc) {
		snprintf(err, err_size, "out of memory writing the model");
		return rc;
	}
	f = fopen(path, "wb");
	if (!f) {
		rc = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		free(buf);
		return rc;
	}
	if (fwrite(buf, 1, len, f) != len || fclose(f)) {
		snprintf(err, err_size, "%s: write failed", path);
		free(buf);
		return -EIO;
	}
	free(buf);
	return 0;
}

int rmt_model_load_file(const char *path, struct rmt_model **out, char *err,
			size_t err_size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;
	long size;
	int rc;

	*out = NULL;
	if (!f) {
		rc = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || size > (long)RMT_MODEL_MAX_SIZE) {
		snprintf(err, err_size, "%s: unreadable or over %u bytes", path,
			 RMT_MODEL_MAX_SIZE);
		fclose(f);
		return -EINVAL;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, err_size, "%s: read failed", path);
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	rc = rmt_model_parse(buf, (size_t)size, out, err, err_size);
	free(buf);
	return rc;
}
