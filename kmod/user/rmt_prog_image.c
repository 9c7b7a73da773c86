// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt_prog_image.c - a parsed RMT program as the image /dev/rmt loads:
 * the header, the model slots it declares, each action's name, parameter
 * length and code, each table's schema and default, and every entry the
 * tables hold as an RMT_MSG_TABLE_ENTRY record (kmod/rmt_prog_image.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm/pipeline_impl.h"
#include "kmod/rmt_prog_image.h"
#include "kmod/user/rmt_prog_image.h"

struct rmt_img_buf {
	unsigned char *p;
	size_t len;
	size_t cap;
};

/* Append n bytes (zero-padded to 8); NULL data appends zeros. */
static int rmt_img_put(struct rmt_img_buf *b, const void *data, size_t n)
{
	size_t padded = (n + 7) & ~(size_t)7;
	unsigned char *np;

	if (b->len + padded > RMT_IMG_MAX_LEN)
		return -E2BIG;
	if (b->len + padded > b->cap) {
		b->cap = (b->len + padded) * 2;
		np = realloc(b->p, b->cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
	}
	memset(b->p + b->len, 0, padded);
	if (data)
		memcpy(b->p + b->len, data, n);
	b->len += padded;
	return 0;
}

static int rmt_img_put_models(struct rmt_img_buf *b,
			      const struct rmt_program *prog)
{
	struct rmt_img_model im;
	int err = 0;
	u32 i;

	for (i = 0; i < prog->n_models && !err; i++) {
		memset(&im, 0, sizeof(im));
		snprintf(im.name, sizeof(im.name), "%s", prog->models[i].name);
		im.slot = prog->models[i].slot;
		im.n_in = prog->models[i].n_in;
		err = rmt_img_put(b, &im, sizeof(im));
	}
	return err;
}

static int rmt_img_put_actions(struct rmt_img_buf *b,
			       const struct rmt_pipeline *p)
{
	const struct rmt_action_def *ad;
	struct rmt_img_action ia;
	int err = 0;
	u32 i;

	for (i = 0; i < p->n_actions && !err; i++) {
		ad = &p->actions[i];
		memset(&ia, 0, sizeof(ia));
		snprintf(ia.name, sizeof(ia.name), "%s", ad->name);
		ia.param_len = ad->param_len;
		ia.n_insns = ad->has_prog ? ad->prog.len : 0;
		err = rmt_img_put(b, &ia, sizeof(ia));
		if (!err && ia.n_insns)
			err = rmt_img_put(b, ad->prog.insns,
					  ia.n_insns * sizeof(struct rmt_insn));
	}
	return err;
}

static int rmt_img_put_stage(struct rmt_img_buf *b,
			     const struct rmt_table_config *c, const char *name)
{
	struct rmt_img_stage is;
	u32 k;

	memset(&is, 0, sizeof(is));
	snprintf(is.name, sizeof(is.name), "%s", name);
	is.n_fields = c->n_fields;
	for (k = 0; k < c->n_fields; k++) {
		is.fields[k].field_id = c->fields[k].field_id;
		is.fields[k].kind = c->fields[k].kind;
	}
	is.n_actions = c->n_actions;
	for (k = 0; k < c->n_actions; k++)
		is.actions[k] = c->actions[k].id;
	is.capacity = c->capacity;
	is.state_size = c->state_size;
	is.default_action = c->default_action;
	is.default_param_len = c->default_param_len;
	if (c->default_param_len)
		memcpy(is.default_params, c->default_params,
		       c->default_param_len);
	is.algo = c->algo;
	is.max_cost = c->max_cost;
	return rmt_img_put(b, &is, sizeof(is));
}

/* Every entry of stage s as an ADD record; counts them in *n. */
static int rmt_img_put_entries(struct rmt_img_buf *b, struct rmt_table *t,
			       u16 hook_id, u16 s, u32 *n)
{
	const struct rmt_table_config *c = rmt_table_config(t);
	unsigned char rec[RMT_ENTRY_REC_MAX];
	struct rmt_msg_table_entry *h = (void *)rec;
	struct rmt_img_entry ie = { 0 };
	struct rmt_table_entry e;
	size_t fl;
	u64 hits;
	u32 slot;
	int err;

	for (slot = 0; slot < c->capacity; slot++) {
		if (rmt_table_entry_get(t, slot, &e, &hits))
			continue;
		fl = e.n_fields * sizeof(struct rmt_msg_key_field);
		memset(rec, 0, sizeof(rec));
		h->op = RMT_ENTRY_ADD;
		h->hook_id = hook_id;
		h->table_id = s;
		h->priority = e.priority;
		h->action_id = e.action_id;
		h->n_fields = (u16)e.n_fields;
		h->param_len = (u16)e.param_len;
		memcpy(rec + sizeof(*h), e.fields, fl);
		if (e.param_len)
			memcpy(rec + sizeof(*h) + fl, e.params, e.param_len);
		ie.len = (u32)(sizeof(*h) + fl + e.param_len);
		err = rmt_img_put(b, &ie, sizeof(ie));
		if (!err)
			err = rmt_img_put(b, rec, ie.len);
		if (err)
			return err;
		++*n;
	}
	return 0;
}

int rmt_prog_image_build(const struct rmt_program *prog, void **image,
			 size_t *len, char *err, size_t err_size)
{
	const struct rmt_pipeline *p = prog->pipe;
	struct rmt_img_buf b = { 0 }, ents = { 0 };
	struct rmt_img_hdr h = { 0 };
	const char *name;
	struct rmt_table *t;
	int r;
	u32 s;

	h.magic = RMT_IMG_MAGIC;
	h.version = RMT_IMG_VERSION;
	h.hook_id = p->hook->id;
	h.n_actions = p->n_actions;
	h.n_stages = p->n_stages;
	h.n_models = prog->n_models;
	r = rmt_img_put(&b, &h, sizeof(h));
	if (!r)
		r = rmt_img_put_models(&b, prog);
	if (!r)
		r = rmt_img_put_actions(&b, p);
	for (s = 0; s < p->n_stages && !r; s++) {
		t = rmt_pipeline_stage(p, s, &name);
		r = rmt_img_put_stage(&b, rmt_table_config(t), name);
		if (!r)
			r = rmt_img_put_entries(&ents, t, (u16)h.hook_id,
						(u16)s, &h.n_entries);
	}
	if (!r && ents.len)
		r = rmt_img_put(&b, ents.p, ents.len);
	free(ents.p);
	if (r) {
		free(b.p);
		snprintf(err, err_size, "program image: %s", strerror(-r));
		return r;
	}
	h.total_len = (u32)b.len;
	memcpy(b.p, &h, sizeof(h));
	*image = b.p;
	*len = b.len;
	return 0;
}

int rmt_dev_load_parsed(struct rmt_dev *d, const struct rmt_program *prog,
			__u32 *prog_id, char *err, size_t err_size)
{
	struct rmt_ioc_prog_load l = { 0 };
	void *img = NULL;
	size_t len = 0;
	int r;

	r = rmt_prog_image_build(prog, &img, &len, err, err_size);
	if (r)
		return r;
	err[0] = '\0';
	l.image = (__u64)(unsigned long)img;
	l.image_len = (__u32)len;
	l.log = (__u64)(unsigned long)err;
	l.log_len = (__u32)err_size;
	r = rmt_dev_call(d, RMT_IOC_PROG_LOAD, &l, sizeof(l));
	free(img);
	if (!r)
		*prog_id = l.prog_id;
	else if (!err[0])
		snprintf(err, err_size, "%s", strerror(-r));
	return r;
}

int rmt_dev_load_program(struct rmt_dev *d, const char *path, __u32 *prog_id,
			 char *err, size_t err_size)
{
	struct rmt_program prog;
	int r;

	r = rmt_program_load(path, &prog, err, err_size);
	if (r)
		return r;
	r = rmt_dev_load_parsed(d, &prog, prog_id, err, err_size);
	rmt_program_free(&prog);
	return r;
}
