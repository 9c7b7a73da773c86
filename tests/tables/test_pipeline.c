// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_pipeline.c - hooks and pipelines: keys from the context and from
 * metadata, actions with parameters and per-entry state, the decision,
 * every helper with good and bad arguments, the budget, faults, stop,
 * and the hook policies (helpers allowed, fields exported).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto/msg.h"
#include "proto/ring.h"
#include "vm/asm.h"
#include "vm/helpers.h"
#include "vm/pipeline.h"

static struct rmt_hook_scratch scr;

static u32 action(struct rmt_pipeline *p, const char *name, const char *src,
		  u32 param_len)
{
	struct rmt_insn *code = NULL;
	char log[256] = "";
	u32 n = 0, id;

	if (src)
		cr_assert_eq(rmt_asm(src, &code, &n, log, sizeof(log)), 0, "%s",
			     log);
	cr_assert_eq(rmt_pipeline_add_action(p, name, code, n, param_len, &id,
					     log, sizeof(log)),
		     0, "%s", log);
	free(code);
	return id;
}

static struct rmt_table *stage(struct rmt_pipeline *p, const char *name,
			       u16 field, u8 kind, u32 n_act, const u32 *acts,
			       const u32 *plens, u32 state)
{
	struct rmt_table_config c = { 0 };
	static const u8 zeros[RMT_TABLE_MAX_PARAM];
	struct rmt_table *t;
	char log[256] = "";
	u32 i;

	c.n_fields = 1;
	c.fields[0].field_id = field;
	c.fields[0].kind = kind;
	c.n_actions = n_act;
	for (i = 0; i < n_act; i++) {
		c.actions[i].id = acts[i];
		c.actions[i].param_len = plens[i];
	}
	c.default_action = acts[0];
	c.default_param_len = plens[0];
	c.default_params = zeros;
	c.capacity = 16;
	c.state_size = state;
	cr_assert_eq(rmt_pipeline_add_stage(p, name, &c, &t, log, sizeof(log)),
		     0, "%s", log);
	return t;
}

static void entry_u64(struct rmt_table *t, u16 field, u64 key, u32 action,
		      u64 param, u32 plen)
{
	struct rmt_table_entry e = { 0 };

	e.n_fields = 1;
	e.fields[0].field_id = field;
	e.fields[0].kind = RMT_MATCH_EXACT;
	e.fields[0].value = key;
	e.action_id = action;
	e.param_len = plen;
	e.params = (const u8 *)&param;
	cr_assert_eq(rmt_table_add(t, &e, NULL, NULL), 0);
	cr_assert_eq(rmt_table_commit(t, NULL), 0);
}

static struct rmt_ctx_swap_fault fault(u64 addr)
{
	struct rmt_ctx_swap_fault c = { 0 };

	c.addr = addr;
	c.vma_start = 0x100000;
	c.vma_end = 0x200000;
	c.cgroup_id = 7;
	c.pid = 1234;
	return c;
}

static int run(struct rmt_pipeline *p, struct rmt_ctx_swap_fault *c,
	       struct rmt_decision *d)
{
	return rmt_pipeline_run(p, c, sizeof(*c), &scr, d);
}

Test(pipeline, metadata_state_and_prefetch_decision)
{
	const struct rmt_hook_desc *h = rmt_hook_find("swap_fault");
	struct rmt_pipeline *p;
	struct rmt_table *t1, *t2;
	struct rmt_ctx_swap_fault c = fault(0x150000);
	struct rmt_decision d;
	u32 noop, set, ahead, a1[2], a2[2], p1[2] = { 0, 8 }, p2[2] = { 0, 8 };
	u32 i;

	cr_assert_not_null(h);
	cr_assert_eq(rmt_pipeline_create(h, &p), 0);
	noop = action(p, "noop", NULL, 0);
	/* meta[0] = param; count calls in the entry's state. */
	set = action(p, "set",
		     "ldxdw %r6, [%r2+0]\n"
		     "stxdw [%r4+0], %r6\n"
		     "ldxdw %r7, [%r3+0]\n"
		     "add %r7, 1\n"
		     "stxdw [%r3+0], %r7\n"
		     "mov %r0, 0\n"
		     "exit\n",
		     8);
	/* prefetch(addr + 4096, param) */
	ahead = action(p, "ahead",
		       "ldxdw %r1, [%r1+0]\n"
		       "add %r1, 4096\n"
		       "ldxdw %r2, [%r2+0]\n"
		       "call 3\n"
		       "mov %r0, 0\n"
		       "exit\n",
		       8);
	a1[0] = noop;
	a1[1] = set;
	a2[0] = noop;
	a2[1] = ahead;
	t1 = stage(p, "classify", 5, RMT_MATCH_EXACT, 2, a1, p1, 8);
	t2 = stage(p, "prefetch", RMT_META_FIELD(0), RMT_MATCH_EXACT, 2, a2, p2,
		   0);
	entry_u64(t1, 5, 7, set, 42, 8);
	entry_u64(t2, RMT_META_FIELD(0), 42, ahead, 3, 8);
	for (i = 0; i < 3; i++)
		cr_assert_eq(run(p, &c, &d), 0, "error %d at stage %u", d.error,
			     d.stages_run);
	cr_assert_eq(d.stages_run, 2);
	cr_assert_eq(d.n_pages, 3);
	cr_assert_eq(d.pages[0], 0x151000);
	cr_assert_eq(d.pages[2], 0x153000);
	cr_assert_gt(d.executed, 0);
	{
		struct rmt_table_entry le;
		u64 hits, st;
		u32 slot;

		for (slot = 0; rmt_table_entry_get(t1, slot, &le, &hits);
		     slot++)
			;
		cr_assert_eq(hits, 3);
		memcpy(&st, rmt_table_entry_state(t1, slot), 8);
		cr_assert_eq(st, 3, "state counted three runs");
	}
	/* Another cgroup misses stage 1, so stage 2 sees meta 0: no pages. */
	c.cgroup_id = 8;
	cr_assert_eq(run(p, &c, &d), 0);
	cr_assert_eq(d.n_pages, 0);
	/* Pages past the VMA are refused. */
	c.cgroup_id = 7;
	c.addr = 0x1ff000;
	cr_assert_eq(run(p, &c, &d), 0);
	cr_assert_eq(d.n_pages, 0);
	cr_assert_eq(d.refused_pages, 3);
	cr_assert_eq(rmt_pipeline_run(p, &c, sizeof(c) - 1, &scr, &d), -EINVAL);
	rmt_pipeline_destroy(p);
}

static u64 fake_clock(void *arg)
{
	return *(u64 *)arg;
}

static int double_sum(void *model, const s32 *in, u32 n, s32 *out)
{
	*out = 2 * (in[0] + in[1]) + *(s32 *)model;
	return 0;
}

/* One stage whose default action is the given program; returns r0 via
 * meta[1], which the program stores. */
static struct rmt_pipeline *one(const char *src)
{
	struct rmt_pipeline *p;
	u32 a, plen = 0;

	cr_assert_eq(rmt_pipeline_create(rmt_hook_find("swap_fault"), &p), 0);
	a = action(p, "act", src, 0);
	stage(p, "only", 1, RMT_MATCH_EXACT, 1, &a, &plen, 0);
	return p;
}

static u64 r0_of(const char *src, struct rmt_pipeline **keep)
{
	struct rmt_pipeline *p = one(src);
	struct rmt_ctx_swap_fault c = fault(0x150000);
	struct rmt_decision d;

	cr_assert_eq(run(p, &c, &d), 0, "error %d", d.error);
	if (keep)
		*keep = p;
	else
		rmt_pipeline_destroy(p);
	return scr.meta[1];
}

#define STORE_R0 "stxdw [%r4+8], %r0\nmov %r0, 0\nexit\n"

Test(pipeline, helpers_check_their_arguments)
{
	struct rmt_pipeline *p;
	struct rmt_pipeline_stats st;
	s32 bias = 1;
	struct rmt_model_slot m = { double_sum, &bias, 2 };
	u64 now = 12345;

	/* model: empty slot, bad slot, then a filled one */
	cr_assert_eq((s64)r0_of("mov %r1, 0\ncall 2\n" STORE_R0, NULL),
		     -ENOENT);
	cr_assert_eq((s64)r0_of("mov %r1, 99\ncall 2\n" STORE_R0, NULL),
		     -EINVAL);
	p = one("stw [%r10-8], 3\nstw [%r10-4], 4\nmov %r1, 0\n"
		"mov %r2, %r10\nadd %r2, -8\nmov %r3, 2\ncall 2\n" STORE_R0);
	cr_assert_eq(rmt_pipeline_set_model(p, 0, &m), 0);
	{
		struct rmt_ctx_swap_fault c = fault(0x150000);
		struct rmt_decision d;

		cr_assert_eq(run(p, &c, &d), 0);
		cr_assert_eq(scr.meta[1], 15);
	}
	rmt_pipeline_destroy(p);
	/* model input pointer outside the run's memory */
	p = one("mov %r1, 0\nmov %r2, 4096\nmov %r3, 2\ncall 2\n" STORE_R0);
	rmt_pipeline_set_model(p, 0, &m);
	{
		struct rmt_ctx_swap_fault c = fault(0x150000);
		struct rmt_decision d;

		cr_assert_eq(run(p, &c, &d), 0);
		cr_assert_eq((s64)scr.meta[1], -EINVAL);
	}
	rmt_pipeline_destroy(p);
	/* prefetch: unaligned, too many */
	cr_assert_eq(
		(s64)r0_of("mov %r1, 1\nmov %r2, 1\ncall 3\n" STORE_R0, NULL),
		-EINVAL);
	cr_assert_eq(
		(s64)r0_of("mov %r1, 0\nmov %r2, 33\ncall 3\n" STORE_R0, NULL),
		-EINVAL);
	/* count: bad index, then good ones */
	cr_assert_eq(
		(s64)r0_of("mov %r1, 16\nmov %r2, 1\ncall 6\n" STORE_R0, NULL),
		-EINVAL);
	r0_of("mov %r1, 3\nmov %r2, 5\ncall 6\n" STORE_R0, &p);
	rmt_pipeline_get_stats(p, &st);
	cr_assert_eq(st.counters[3], 5);
	rmt_pipeline_destroy(p);
	/* clock */
	p = one("call 5\n" STORE_R0);
	rmt_pipeline_set_clock(p, fake_clock, &now);
	{
		struct rmt_ctx_swap_fault c = fault(0x150000);
		struct rmt_decision d;

		cr_assert_eq(run(p, &c, &d), 0);
		cr_assert_eq(scr.meta[1], 12345);
	}
	rmt_pipeline_destroy(p);
}

Test(pipeline, emit_exports_only_exportable_fields)
{
	static u8 mem[RMT_RING_HDR_SIZE + 4096];
	struct rmt_ring_prod prod;
	struct rmt_ring_cons cons;
	struct rmt_pipeline *p;
	struct rmt_rec rec = { 0 };
	const struct rmt_msg_sample *s;

	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 4096, 1024), 0);
	cr_assert_eq(rmt_ring_prod_attach(&prod, mem, sizeof(mem)), 0);
	cr_assert_eq(rmt_ring_cons_attach(&cons, mem, sizeof(mem)), 0);
	/* field index 5 is pid: not exportable */
	cr_assert_eq(
		(s64)r0_of("mov %r1, 32\nmov %r2, 0\ncall 1\n" STORE_R0, NULL),
		-EPERM);
	cr_assert_eq(
		(s64)r0_of("mov %r1, 1\nmov %r2, 0\ncall 1\n" STORE_R0, NULL),
		-ENODEV, "no ring");
	{
		char past[96];

		snprintf(past, sizeof(past),
			 "lddw %%r1, 0x%llx\nmov %%r2, 0\ncall 1\n%s",
			 1ull << rmt_hook_find("swap_fault")->n_fields,
			 STORE_R0);
		cr_assert_eq((s64)r0_of(past, NULL), -EINVAL,
			     "bit past the fields");
	}
	/* addr (bit 0) and cgroup_id (bit 4), label 9 */
	p = one("mov %r1, 17\nmov %r2, 9\ncall 1\n" STORE_R0);
	rmt_pipeline_set_ring(p, &prod);
	{
		struct rmt_ctx_swap_fault c = fault(0x150000);
		struct rmt_decision d;

		cr_assert_eq(run(p, &c, &d), 0);
		cr_assert_eq(scr.meta[1], 0);
	}
	/* rmt_ring_consume() trips gcc's maybe-uninitialized; peek. */
	cr_assert_eq(rmt_ring_peek(&cons, &rec), 1);
	s = rec.data;
	cr_assert_eq(rec.len, 16 + 2 * 4);
	cr_assert_eq(rec.type, RMT_MSG_SAMPLE);
	cr_assert_eq(rmt_msg_check(rec.type, rec.data, rec.len), 0);
	cr_assert_eq(s->n_features, 2);
	cr_assert_eq(s->label, 9);
	cr_assert_eq(s->key, 7);
	cr_assert_eq(s->features[0], 0x150000);
	cr_assert_eq(s->features[1], 7);
	rmt_pipeline_destroy(p);
}

Test(pipeline, budget_faults_and_stop)
{
	struct rmt_pipeline *p;
	struct rmt_pipeline_stats st;
	struct rmt_ctx_swap_fault c = fault(0x150000);
	struct rmt_decision d;
	u32 a, b, plen = 0;

	p = one("loop:\nja loop\n");
	cr_assert_eq(run(p, &c, &d), -E2BIG);
	cr_assert_eq(d.error, -E2BIG);
	cr_assert_eq(d.executed, rmt_hook_find("swap_fault")->budget);
	rmt_pipeline_destroy(p);
	p = one("ldxdw %r0, [%r1+4096]\nexit\n");
	cr_assert_eq(run(p, &c, &d), -EFAULT);
	rmt_pipeline_get_stats(p, &st);
	cr_assert_eq(st.faults, 1);
	rmt_pipeline_destroy(p);
	/* writing the context is a fault: it is read-only */
	p = one("stdw [%r1+0], 1\nmov %r0, 0\nexit\n");
	cr_assert_eq(run(p, &c, &d), -EFAULT);
	rmt_pipeline_destroy(p);
	/* stop skips the second stage */
	cr_assert_eq(rmt_pipeline_create(rmt_hook_find("swap_fault"), &p), 0);
	a = action(p, "stop", "mov %r0, 1\nexit\n", 0);
	b = action(p, "mark", "stdw [%r4+8], 5\nmov %r0, 0\nexit\n", 0);
	stage(p, "s1", 1, RMT_MATCH_EXACT, 1, &a, &plen, 0);
	stage(p, "s2", 1, RMT_MATCH_EXACT, 1, &b, &plen, 0);
	cr_assert_eq(run(p, &c, &d), 0);
	cr_assert_eq(d.stages_run, 1);
	cr_assert_eq(scr.meta[1], 0);
	rmt_pipeline_get_stats(p, &st);
	cr_assert_eq(st.stops, 1);
	rmt_pipeline_destroy(p);
}

Test(pipeline, hook_policies_at_load)
{
	struct rmt_pipeline *p;
	struct rmt_table_config c = { 0 };
	struct rmt_insn *code;
	char log[256] = "";
	u32 n;

	cr_assert_null(rmt_hook_find("no_such_hook"));
	cr_assert_eq(rmt_hook_by_id(RMT_HOOK_MEM_PLACE)->id,
		     RMT_HOOK_MEM_PLACE);
	cr_assert_eq(rmt_pipeline_create(rmt_hook_find("swap_fault"), &p), 0);
	/* place (4) is not a swap_fault helper */
	cr_assert_eq(rmt_asm("call 4\nexit\n", &code, &n, log, sizeof(log)), 0);
	cr_assert_neq(rmt_pipeline_add_action(p, "x", code, n, 0, NULL, log,
					      sizeof(log)),
		      0);
	free(code);
	cr_assert_eq(rmt_pipeline_add_action(p, "noop", NULL, 0, 0, NULL, log,
					     sizeof(log)),
		     0);
	cr_assert_eq(rmt_pipeline_add_action(p, "noop", NULL, 0, 0, NULL, log,
					     sizeof(log)),
		     -EEXIST);
	c.n_fields = 1;
	c.n_actions = 1;
	c.capacity = 4;
	c.fields[0].field_id = 11; /* deltas: an array */
	cr_assert_eq(rmt_pipeline_add_stage(p, "t", &c, NULL, log, sizeof(log)),
		     -EINVAL);
	cr_assert(strstr(log, "field 11"), "%s", log);
	c.fields[0].field_id = 999;
	cr_assert_eq(rmt_pipeline_add_stage(p, "t", &c, NULL, log, sizeof(log)),
		     -EINVAL);
	c.fields[0].field_id = 6;
	c.actions[0].id = 5;
	cr_assert_eq(rmt_pipeline_add_stage(p, "t", &c, NULL, log, sizeof(log)),
		     -EINVAL);
	c.actions[0].id = 0;
	cr_assert_eq(rmt_pipeline_add_stage(p, "t", &c, NULL, log, sizeof(log)),
		     0, "%s", log);
	cr_assert_eq(rmt_table_config(rmt_pipeline_find_stage(p, "t"))
			     ->fields[0]
			     .width,
		     32, "pid is a u32");
	rmt_pipeline_destroy(p);
}

/* struct rmt_msg_table_entry without its flexible array, to embed. */
struct entry_hdr {
	u32 seq;
	u32 op;
	u16 hook_id;
	u16 table_id;
	s32 priority;
	u32 action_id;
	u16 n_fields;
	u16 param_len;
};

_Static_assert(sizeof(struct entry_hdr) == sizeof(struct rmt_msg_table_entry),
	       "same layout");

/* An RMT_MSG_TABLE_ENTRY record: header, one exact field, 8 bytes. */
struct entry_msg {
	struct entry_hdr h;
	struct rmt_msg_key_field f;
	u64 param;
};

static struct entry_msg emsg(u32 op, u64 key, u32 action, u64 param)
{
	struct entry_msg m;

	memset(&m, 0, sizeof(m));
	m.h.op = op;
	m.h.hook_id = RMT_HOOK_SWAP_FAULT;
	m.h.table_id = 0;
	m.h.action_id = action;
	m.h.n_fields = 1;
	m.h.param_len = 8;
	m.f.field_id = 5;
	m.f.kind = RMT_MATCH_EXACT;
	m.f.value = key;
	m.param = param;
	return m;
}

Test(pipeline, entries_from_wire_records)
{
	struct rmt_pipeline *p;
	struct rmt_ctx_swap_fault c = fault(0x150000);
	struct rmt_decision d;
	struct entry_msg m;
	enum rmt_table_code code;
	u32 noop, ahead, acts[2], plens[2] = { 8, 8 };

	cr_assert_eq(rmt_pipeline_create(rmt_hook_find("swap_fault"), &p), 0);
	noop = action(p, "noop", NULL, 8);
	ahead = action(p, "ahead",
		       "ldxdw %r1, [%r1+0]\nadd %r1, 4096\nldxdw %r2, [%r2+0]\n"
		       "call 3\nmov %r0, 0\nexit\n",
		       8);
	acts[0] = noop;
	acts[1] = ahead;
	stage(p, "t", 5, RMT_MATCH_EXACT, 2, acts, plens, 0);
	m = emsg(RMT_ENTRY_ADD, 7, ahead, 2);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code), 0);
	run(p, &c, &d);
	cr_assert_eq(d.n_pages, 2);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code),
		     -EEXIST);
	cr_assert_eq(code, RMT_TC_DUPLICATE);
	m = emsg(RMT_ENTRY_MODIFY, 7, ahead, 5);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code), 0);
	run(p, &c, &d);
	cr_assert_eq(d.n_pages, 5);
	m = emsg(RMT_ENTRY_SET_DEFAULT, 0, ahead, 1);
	m.h.n_fields = 0;
	/* no fields: the parameters follow the header */
	memmove(&m.f, &m.param, 8);
	cr_assert_eq(
		rmt_pipeline_apply_msg(p, &m, sizeof(m.h) + 8, true, &code), 0);
	c.cgroup_id = 99;
	run(p, &c, &d);
	cr_assert_eq(d.n_pages, 1, "the new default");
	m = emsg(RMT_ENTRY_DELETE, 7, ahead, 0);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code), 0);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code),
		     -ENOENT);
	cr_assert_eq(code, RMT_TC_NOT_FOUND);
	/* a staged batch is invisible until the pipeline commits */
	m = emsg(RMT_ENTRY_ADD, 7, ahead, 4);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), false, &code), 0);
	c.cgroup_id = 7;
	run(p, &c, &d);
	cr_assert_eq(d.n_pages, 1, "still the default");
	cr_assert_eq(rmt_pipeline_commit(p, &code), 0);
	run(p, &c, &d);
	cr_assert_eq(d.n_pages, 4);
	/* garbage */
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, 3, true, &code), -EBADMSG);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m) - 1, true, &code),
		     -EBADMSG);
	m = emsg(9, 7, ahead, 0);
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code),
		     -EBADMSG);
	m = emsg(RMT_ENTRY_ADD, 7, ahead, 0);
	m.h.hook_id = RMT_HOOK_MEM_PLACE;
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code),
		     -EINVAL);
	m.h.hook_id = RMT_HOOK_SWAP_FAULT;
	m.h.table_id = 3;
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code),
		     -ENOENT);
	m.h.table_id = 0;
	m.f.kind = RMT_MATCH_TERNARY;
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code),
		     -EINVAL);
	cr_assert_eq(code, RMT_TC_BAD_MATCH_KIND);
	m.f.kind = 7;
	cr_assert_eq(rmt_pipeline_apply_msg(p, &m, sizeof(m), true, &code),
		     -EBADMSG);
	rmt_pipeline_destroy(p);
}

Test(pipeline, hidden_fields_read_as_zero)
{
	struct rmt_pipeline *p;
	struct rmt_ctx_sched_wakeup c = { 0 };
	struct rmt_table_config tc = { 0 };
	struct rmt_decision d;
	char log[256] = "";
	u32 a, plen = 0;

	cr_assert_eq(rmt_pipeline_create(rmt_hook_find("sched_wakeup"), &p), 0);
	/* meta[1] = task (offset 0, hidden), meta[2] = pid (offset 24) */
	a = action(p, "peek",
		   "ldxdw %r6, [%r1+0]\nstxdw [%r4+8], %r6\n"
		   "ldxw %r6, [%r1+24]\nstxdw [%r4+16], %r6\n"
		   "mov %r0, 0\nexit\n",
		   0);
	stage(p, "s", 4, RMT_MATCH_EXACT, 1, &a, &plen, 0);
	c.task = 0xdeadbeef;
	c.pid = 77;
	cr_assert_eq(rmt_pipeline_run(p, &c, sizeof(c), &scr, &d), 0);
	cr_assert_eq(scr.meta[1], 0, "task is hidden from actions");
	cr_assert_eq(scr.meta[2], 77);
	tc.n_fields = 1;
	tc.fields[0].field_id = 1; /* task */
	tc.n_actions = 1;
	tc.capacity = 4;
	cr_assert_eq(
		rmt_pipeline_add_stage(p, "t", &tc, NULL, log, sizeof(log)),
		-EINVAL, "no keys on hidden fields");
	rmt_pipeline_destroy(p);
}
