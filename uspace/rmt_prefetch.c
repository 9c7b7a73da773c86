// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt_prefetch.c - runs the swap_fault pipeline of an RMT program as the
 * pager's prefetcher (see rmt_prefetch.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlib/slot.h"
#include "uspace/fetch.h"
#include "uspace/rmt_prefetch.h"
#include "verifier/hook_env.h"
#include "vm/jit.h"
#include "vm/pipeline_impl.h"
#include "vm/pipeline_parse.h"
#include "vm/stream.h"

/* Program texts compiled in from programs/ (builtin_programs.c). */
extern const char rmt_us_prog_readahead[];
extern const char rmt_us_prog_leap[];
extern const char rmt_us_prog_learned[];

struct rmt_us_rmt_pf;

/* What a model slot's function gets: its slot and where the slots are. */
struct rmt_us_slot_ref {
	struct rmt_us_rmt_pf *pf;
	u32 slot;
};

struct rmt_us_rmt_pf {
	struct rmt_program prog;
	struct rmt_slots slots;
	/* Region updates (app threads) against snapshots (control thread). */
	pthread_mutex_t tables_lock;
	struct rmt_us_slot_ref refs[RMT_MODEL_SLOTS];
	struct rmt_hook_scratch scratch;
	struct rmt_ctx_swap_fault ctx;
	struct rmt_decision d;
	struct rmt_streams streams;
};

static u64 clock_ns(void *arg)
{
	return rmt_us_now_ns();
}

/* Verify action a for every way stage t installs it. */
static bool verify_in_stage(struct rmt_pipeline *p, u32 a,
			    const struct rmt_table_config *cfg)
{
	struct rmt_verify_action act = { .param_len = p->actions[a].param_len,
					 .state_size = cfg->state_size,
					 .max_emits = 4,
					 .emit_rate = 1000 };
	struct rmt_verify_hook_env env;
	char log[128];

	if (rmt_verify_env_from_hook(p->hook, &act, &env) ||
	    rmt_verify_prog(&p->actions[a].prog, &env.env, log, sizeof(log)))
		return false;
	if (a != cfg->default_action || !cfg->state_size)
		return true;
	act.state_size = 0;
	return !rmt_verify_env_from_hook(p->hook, &act, &env) &&
	       !rmt_verify_prog(&p->actions[a].prog, &env.env, log,
				sizeof(log));
}

/*
 * An action the verifier admits for every stage that names it runs
 * without run-time guards, as in the kernel; the others keep them.
 */
static void verify_actions(struct rmt_pipeline *p)
{
	bool ok[RMT_PIPELINE_MAX_ACTIONS];
	u32 i, k, s;

	for (i = 0; i < p->n_actions; i++)
		ok[i] = p->actions[i].has_prog;
	for (s = 0; s < p->n_stages; s++) {
		const struct rmt_table_config *cfg =
			rmt_table_config(p->stages[s].table);

		for (k = 0; k < cfg->n_actions; k++) {
			i = cfg->actions[k].id;
			if (ok[i] && !verify_in_stage(p, i, cfg))
				ok[i] = false;
		}
	}
	for (i = 0; i < p->n_actions; i++)
		p->actions[i].prog.verified = ok[i];
}

/*
 * Actions run JIT-compiled where the JIT works (x86-64): the same results
 * as the interpreter at a fraction of the cost, for every program alike.
 * Any action that does not compile leaves the whole pipeline interpreted.
 */
static void compile_actions(struct rmt_pipeline *p)
{
	char log[128];
	u32 i;

	for (i = 0; i < p->n_actions; i++)
		if (p->actions[i].has_prog &&
		    rmt_jit_compile(&p->actions[i].prog, log, sizeof(log)))
			return;
	rmt_pipeline_set_exec(p, rmt_jit_exec);
}

/* Runs inside the pipeline's RCU read section. */
static int slot_infer(void *arg, const s32 *in, u32 n_in, s32 *out)
{
	const struct rmt_us_slot_ref *ref = arg;
	const struct rmt_model *m = rmt_slot_get(&ref->pf->slots, ref->slot);
	struct rmt_infer_out o;
	int err;

	if (!m)
		return -ENOENT;
	if (m->n_features != n_in)
		return -EINVAL;
	err = rmt_model_infer(m, in, &o);
	if (err)
		return err;
	*out = o.value;
	return 0;
}

static int setup_slots(struct rmt_us_rmt_pf *pf)
{
	u32 i;
	int err = rmt_slots_init(&pf->slots, RMT_MODEL_SLOTS);

	for (i = 0; !err && i < pf->prog.n_models; i++) {
		const struct rmt_model_decl *d = &pf->prog.models[i];
		struct rmt_model_slot ms = { slot_infer, &pf->refs[d->slot],
					     d->n_in };

		pf->refs[d->slot].pf = pf;
		pf->refs[d->slot].slot = d->slot;
		err = rmt_pipeline_set_model(pf->prog.pipe, d->slot, &ms);
	}
	return err;
}

int rmt_us_rmt_pf_slot_inputs(void *priv, uint32_t slot, uint32_t *n_in)
{
	struct rmt_us_rmt_pf *pf = priv;
	u32 i;

	for (i = 0; i < pf->prog.n_models; i++) {
		if (pf->prog.models[i].slot == slot) {
			*n_in = pf->prog.models[i].n_in;
			return 0;
		}
	}
	return -ENOENT;
}

int rmt_us_rmt_pf_install_model(void *priv, uint32_t slot, struct rmt_model *m)
{
	struct rmt_us_rmt_pf *pf = priv;
	uint32_t n_in;

	if (rmt_us_rmt_pf_slot_inputs(pf, slot, &n_in))
		return -ENOENT;
	if (m && m->n_features != n_in)
		return -EINVAL;
	return rmt_slot_install(&pf->slots, slot, m);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

int rmt_us_program_open(const char *name, struct rmt_program *prog, char *err,
			size_t err_size)
{
	const char *text = NULL;

	if (!strcmp(name, "readahead"))
		text = rmt_us_prog_readahead;
	else if (!strcmp(name, "leap"))
		text = rmt_us_prog_leap;
	else if (!strcmp(name, "learned"))
		text = rmt_us_prog_learned;
	else if (!ends_with(name, ".rmt")) {
		snprintf(err, err_size,
			 "unknown prefetcher '%s' (built in: readahead, leap, "
			 "learned; or a FILE.rmt)",
			 name);
		return -ENOENT;
	}
	if (text)
		return rmt_program_parse(text, NULL, prog, err, err_size);
	return rmt_program_load(name, prog, err, err_size);
}

int rmt_us_rmt_pf_open(const char *name, struct rmt_us_rmt_pf **out, char *err,
		       size_t err_size)
{
	struct rmt_us_rmt_pf *pf;
	int r;

	*out = NULL;
	if (!strcmp(name, "none"))
		return 0;
	pf = rmt_alloc(sizeof(*pf));
	if (!pf) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	r = rmt_us_program_open(name, &pf->prog, err, err_size);
	if (!r && rmt_pipeline_hook(pf->prog.pipe)->id != RMT_HOOK_SWAP_FAULT) {
		snprintf(err, err_size, "%s: not a swap_fault program", name);
		rmt_program_free(&pf->prog);
		r = -EINVAL;
	}
	if (!r) {
		r = setup_slots(pf);
		if (r) {
			snprintf(err, err_size, "%s: cannot set up model slots",
				 name);
			rmt_slots_destroy(&pf->slots);
			rmt_program_free(&pf->prog);
		}
	}
	if (r) {
		rmt_free(pf);
		return r;
	}
	pthread_mutex_init(&pf->tables_lock, NULL);
	rmt_pipeline_set_clock(pf->prog.pipe, clock_ns, NULL);
	verify_actions(pf->prog.pipe);
	if (!getenv("RMT_NO_JIT"))
		compile_actions(pf->prog.pipe);
	rmt_streams_init(&pf->streams);
	*out = pf;
	return 0;
}

void rmt_us_rmt_pf_close(struct rmt_us_rmt_pf *pf)
{
	u32 i;

	if (!pf)
		return;
	for (i = 0; i < pf->prog.pipe->n_actions; i++)
		rmt_jit_free(&pf->prog.pipe->actions[i].prog);
	rmt_program_free(&pf->prog);
	rmt_slots_destroy(&pf->slots);
	rmt_free(pf);
}

int rmt_us_rmt_pf_run(void *priv, const struct rmt_us_fault_ctx *ctx,
		      uint64_t *pages, unsigned int max)
{
	struct rmt_us_rmt_pf *pf = priv;
	struct rmt_ctx_swap_fault *c = &pf->ctx;
	unsigned int i, n;
	int r;

	_Static_assert(RMT_US_HISTORY == RMT_SWAP_HISTORY, "same history");
	memset(c, 0, sizeof(*c));
	c->addr = ctx->addr;
	c->vma_start = ctx->region_start;
	c->vma_end = ctx->region_end;
	c->time_ns = ctx->time_ns;
	c->pid = ctx->tid;
	c->tgid = ctx->pid;
	c->flags = ctx->flags;
	c->n_deltas = ctx->n_deltas;
	memcpy(c->deltas, ctx->deltas, sizeof(c->deltas));
	r = rmt_stream_run(&pf->streams, pf->prog.pipe, c, &pf->scratch,
			   &pf->d);
	if (r)
		return r < 0 ? r : -EIO;
	n = pf->d.n_pages < max ? pf->d.n_pages : max;
	for (i = 0; i < n; i++)
		pages[i] = pf->d.pages[i];
	return (int)n;
}

/* The id of the swap_fault context field called name. */
static int ctx_field_id(const struct rmt_pipeline *pipe, const char *name,
			u16 *id)
{
	const struct rmt_hook_desc *h = rmt_pipeline_hook(pipe);
	u32 i;

	for (i = 0; i < h->n_fields; i++) {
		if (!strcmp(h->fields[i].name, name)) {
			*id = h->fields[i].id;
			return 0;
		}
	}
	return -ENOENT;
}

/* The index of the catch-all (mask 0) ternary field vma in e, or -1. */
static int catch_all_field(const struct rmt_table_entry *e, u16 vma)
{
	u32 i;

	for (i = 0; i < e->n_fields; i++)
		if (e->fields[i].field_id == vma &&
		    e->fields[i].kind == RMT_MATCH_TERNARY &&
		    !e->fields[i].mask_or_high)
			return (int)i;
	return -1;
}

static void region_in_table(struct rmt_table *t, u16 vma, uint64_t start,
			    bool added)
{
	const struct rmt_table_config *cfg = rmt_table_config(t);
	struct rmt_table_entry e;
	enum rmt_table_code code;
	u32 slot;
	int k;

	for (slot = 0; slot < cfg->capacity; slot++) {
		if (rmt_table_entry_get(t, slot, &e, NULL))
			continue;
		k = catch_all_field(&e, vma);
		if (k < 0)
			continue;
		e.fields[k].value = start;
		e.fields[k].mask_or_high = ~0ull;
		e.priority++;
		if (added)
			rmt_table_add(t, &e, &slot, &code);
		else
			rmt_table_delete(t, &e, &code);
		rmt_table_commit(t, &code);
		return;
	}
}

void rmt_us_rmt_pf_region(void *priv, uint64_t start, uint64_t end, bool added)
{
	struct rmt_us_rmt_pf *pf = priv;
	u32 i, n = rmt_pipeline_n_stages(pf->prog.pipe);
	u16 vma;

	if (ctx_field_id(pf->prog.pipe, "vma_start", &vma))
		return;
	pthread_mutex_lock(&pf->tables_lock);
	for (i = 0; i < n; i++)
		region_in_table(rmt_pipeline_stage(pf->prog.pipe, i, NULL), vma,
				start, added);
	pthread_mutex_unlock(&pf->tables_lock);
}

/* The busiest entries of t, by hits, into ts->top. */
static void top_entries(struct rmt_table *t, struct rmt_us_table_snap *ts)
{
	u32 slot, cap = rmt_table_config(t)->capacity, i, n = 0;
	struct rmt_table_entry e;
	u64 hits;

	for (slot = 0; slot < cap; slot++) {
		if (rmt_table_entry_get(t, slot, &e, &hits) || !hits)
			continue;
		if (n == RMT_US_SNAP_ENTRIES && hits <= ts->top[n - 1].hits)
			continue;
		if (n < RMT_US_SNAP_ENTRIES)
			n++;
		for (i = n - 1; i && ts->top[i - 1].hits < hits; i--)
			ts->top[i] = ts->top[i - 1];
		ts->top[i] = (struct rmt_us_entry_snap){ slot, 0, hits };
	}
	ts->n_top = n;
}

void rmt_us_rmt_pf_snapshot(void *priv, const char *name,
			    struct rmt_us_pipe_snap *snap)
{
	struct rmt_us_rmt_pf *pf = priv;
	u32 i, n = rmt_pipeline_n_stages(pf->prog.pipe);
	struct rmt_pipeline_stats ps;
	struct rmt_table_stats tst;

	rmt_pipeline_get_stats(pf->prog.pipe, &ps);
	snap->runs = ps.runs;
	snap->stops = ps.stops;
	snap->faults = ps.faults;
	snprintf(snap->program, sizeof(snap->program), "%s", name);
	snap->n_tables = n < RMT_US_SNAP_TABLES ? n : RMT_US_SNAP_TABLES;
	pthread_mutex_lock(&pf->tables_lock);
	for (i = 0; i < snap->n_tables; i++) {
		struct rmt_us_table_snap *ts = &snap->tables[i];
		const char *tname;
		struct rmt_table *t =
			rmt_pipeline_stage(pf->prog.pipe, i, &tname);

		rmt_table_get_stats(t, &tst);
		snprintf(ts->name, sizeof(ts->name), "%s", tname);
		ts->lookups = tst.lookups;
		ts->hits = tst.hits;
		ts->misses = tst.misses;
		ts->entries = tst.entries;
		ts->capacity = tst.capacity;
		top_entries(t, ts);
	}
	pthread_mutex_unlock(&pf->tables_lock);
}
