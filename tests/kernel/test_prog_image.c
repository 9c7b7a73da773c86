// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_prog_image.c - the program image user space sends to /dev/rmt
 * (kmod/user/rmt_prog_image.c): its layout walked part by part as the
 * kernel reads it, for the shipped programs, and the model slots, code
 * and entries it carries compared with the parsed pipeline's.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm/pipeline_impl.h"
#include "kmod/rmt_prog_image.h"
#include "kmod/user/rmt_prog_image.h"

struct img {
	struct rmt_program prog;
	unsigned char *p;
	size_t len;
};

static void img_build(struct img *m, const char *rel)
{
	char path[512], err[256] = "";

	snprintf(path, sizeof(path), "%s/%s", RMT_SOURCE_DIR, rel);
	cr_assert_eq(rmt_program_load(path, &m->prog, err, sizeof(err)), 0,
		     "%s: %s", rel, err);
	cr_assert_eq(rmt_prog_image_build(&m->prog, (void **)&m->p, &m->len,
					  err, sizeof(err)),
		     0, "%s", err);
}

static void img_free(struct img *m)
{
	free(m->p);
	rmt_program_free(&m->prog);
}

/* Walk the image as the kernel does; every part must be where it says. */
static void img_walk(const struct img *m)
{
	const struct rmt_pipeline *pipe = m->prog.pipe;
	const struct rmt_img_hdr *h = (const void *)m->p;
	const struct rmt_img_model *md;
	const struct rmt_img_action *a;
	const struct rmt_img_stage *s;
	const struct rmt_img_entry *e;
	size_t at = sizeof(*h);
	u32 i;

	cr_assert_eq(h->magic, RMT_IMG_MAGIC);
	cr_assert_eq(h->version, RMT_IMG_VERSION);
	cr_assert_eq(h->hook_id, pipe->hook->id);
	cr_assert_eq(h->total_len, m->len);
	cr_assert_eq(m->len % 8, 0);
	cr_assert_eq(h->n_actions, pipe->n_actions);
	cr_assert_eq(h->n_stages, pipe->n_stages);
	cr_assert_eq(h->n_models, m->prog.n_models);
	for (i = 0; i < h->n_models; i++) {
		md = (const void *)(m->p + at);
		at += sizeof(*md);
		cr_assert_str_eq(md->name, m->prog.models[i].name);
		cr_assert_eq(md->slot, m->prog.models[i].slot);
		cr_assert_eq(md->n_in, m->prog.models[i].n_in);
	}
	for (i = 0; i < h->n_actions; i++) {
		a = (const void *)(m->p + at);
		at += sizeof(*a);
		cr_assert_str_eq(a->name, pipe->actions[i].name);
		cr_assert_eq(a->param_len, pipe->actions[i].param_len);
		cr_assert_eq(a->n_insns, pipe->actions[i].has_prog ?
						 pipe->actions[i].prog.len :
						 0);
		if (a->n_insns)
			cr_assert_eq(
				memcmp(m->p + at, pipe->actions[i].prog.insns,
				       a->n_insns * sizeof(struct rmt_insn)),
				0, "code of %s", a->name);
		at += a->n_insns * sizeof(struct rmt_insn);
	}
	for (i = 0; i < h->n_stages; i++) {
		const struct rmt_table_config *c =
			rmt_table_config(pipe->stages[i].table);

		s = (const void *)(m->p + at);
		at += sizeof(*s);
		cr_assert_str_eq(s->name, pipe->stages[i].name);
		cr_assert_eq(s->n_fields, c->n_fields);
		cr_assert_eq(s->fields[0].field_id, c->fields[0].field_id);
		cr_assert_eq(s->state_size, c->state_size);
		cr_assert_eq(s->capacity, c->capacity);
		cr_assert_eq(s->default_action, c->default_action);
	}
	cr_assert_gt(h->n_entries, 0, "the initial entries travel");
	for (i = 0; i < h->n_entries; i++) {
		e = (const void *)(m->p + at);
		at += sizeof(*e);
		cr_assert_leq(e->len, RMT_ENTRY_REC_MAX);
		cr_assert_eq(
			rmt_msg_check(RMT_MSG_TABLE_ENTRY, m->p + at, e->len),
			0, "entry %u is a valid record", i);
		at += (e->len + 7) & ~7u;
	}
	cr_assert_eq(at, m->len, "nothing after the last entry");
}

Test(prog_image, readahead)
{
	struct img m;

	img_build(&m, "programs/readahead.rmt");
	img_walk(&m);
	img_free(&m);
}

Test(prog_image, leap)
{
	struct img m;

	img_build(&m, "programs/leap.rmt");
	img_walk(&m);
	img_free(&m);
}

/* The learned prefetcher's model slot travels with it. */
Test(prog_image, learned)
{
	const struct rmt_img_model *md;
	struct img m;

	img_build(&m, "programs/learned.rmt");
	img_walk(&m);
	cr_assert_eq(((const struct rmt_img_hdr *)m.p)->n_models, 1);
	md = (const void *)(m.p + sizeof(struct rmt_img_hdr));
	cr_assert_eq(md->slot, 0);
	cr_assert_eq(md->n_in, 15);
	img_free(&m);
}

/* Entries added after parsing travel too, each once. */
Test(prog_image, added_entries)
{
	const struct rmt_img_hdr *h;
	struct rmt_table_entry e;
	u8 params[RMT_TABLE_MAX_PARAM];
	char err[256];
	struct img m;
	void *p;
	size_t len;

	img_build(&m, "programs/readahead.rmt");
	cr_assert_eq(rmt_program_parse_entry(
			     &m.prog, m.prog.pipe->stages[0].table,
			     "priority 2 vma_start=0x400000 -> ra(4)", true, &e,
			     params, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(
		rmt_table_add(m.prog.pipe->stages[0].table, &e, NULL, NULL), 0);
	cr_assert_eq(rmt_table_commit(m.prog.pipe->stages[0].table, NULL), 0);
	cr_assert_eq(rmt_prog_image_build(&m.prog, &p, &len, err, sizeof(err)),
		     0);
	h = p;
	cr_assert_eq(h->n_entries,
		     ((const struct rmt_img_hdr *)m.p)->n_entries + 1);
	free(m.p);
	m.p = p;
	m.len = len;
	img_walk(&m);
	img_free(&m);
}
