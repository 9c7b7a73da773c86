// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pipeline.c - building a hook's pipeline (actions, stages, slots) and
 * running it: per stage, gather the key from the context or the
 * metadata, look the table up, run the action's program with the
 * context, the entry's parameters and state and the metadata, under the
 * hook's instruction budget.
 */
#include "vm/pipeline_impl.h"
#include "port/rmt_rcu.h"
#include "vm/vm_log.h"

static void rmt_copy_name(char *dst, const char *src)
{
	u32 i;

	for (i = 0; src && src[i] && i < RMT_NAME_LEN - 1; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static bool rmt_name_eq(const char *a, const char *b)
{
	u32 i;

	for (i = 0; i < RMT_NAME_LEN && (a[i] || b[i]); i++)
		if (a[i] != b[i])
			return false;
	return true;
}

int rmt_pipeline_create(const struct rmt_hook_desc *hook,
			struct rmt_pipeline **out)
{
	struct rmt_pipeline *p;
	u32 i, n = 0;

	*out = NULL;
	if (!hook ||
	    hook->ctx_size > sizeof(((struct rmt_hook_scratch *)0)->ctx))
		return -EINVAL;
	p = rmt_alloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->hook = hook;
	for (i = 0; i < RMT_HELPER_MAX; i++)
		if (hook->helper_mask & (1u << rmt_helpers[i].id))
			p->helpers[n++] = rmt_helpers[i];
	p->helper_set.helpers = p->helpers;
	p->helper_set.count = n;
	for (i = 0; i < hook->n_fields; i++)
		if (!(hook->fields[i].flags & RMT_CTX_READ))
			p->filter_ctx = true;
	*out = p;
	return 0;
}

void rmt_pipeline_destroy(struct rmt_pipeline *p)
{
	u32 i;

	if (!p)
		return;
	for (i = 0; i < p->n_stages; i++)
		rmt_table_destroy(p->stages[i].table);
	for (i = 0; i < p->n_actions; i++)
		if (p->actions[i].has_prog)
			rmt_prog_free(&p->actions[i].prog);
	rmt_free(p);
}

const struct rmt_hook_desc *rmt_pipeline_hook(const struct rmt_pipeline *p)
{
	return p->hook;
}

int rmt_pipeline_add_action(struct rmt_pipeline *p, const char *name,
			    const struct rmt_insn *code, u32 n_insns,
			    u32 param_len, u32 *id, char *log, size_t log_size)
{
	struct rmt_action_def *a;
	u32 tmp;
	int err;

	if (p->n_actions >= RMT_PIPELINE_MAX_ACTIONS) {
		rmt_vm_logf(log, log_size, "more than %u actions",
			    RMT_PIPELINE_MAX_ACTIONS);
		return -E2BIG;
	}
	if (param_len > RMT_TABLE_MAX_PARAM) {
		rmt_vm_logf(log, log_size,
			    "action %s: parameters over %u bytes", name,
			    RMT_TABLE_MAX_PARAM);
		return -EINVAL;
	}
	if (!rmt_pipeline_action_id(p, name, &tmp)) {
		rmt_vm_logf(log, log_size, "action %s defined twice", name);
		return -EEXIST;
	}
	a = &p->actions[p->n_actions];
	memset(a, 0, sizeof(*a));
	rmt_copy_name(a->name, name);
	a->param_len = param_len;
	if (code) {
		err = rmt_prog_load(&a->prog, code,
				    (size_t)n_insns * sizeof(*code),
				    &p->helper_set, log, log_size);
		if (err)
			return err;
		a->has_prog = true;
	}
	if (id)
		*id = p->n_actions;
	p->n_actions++;
	return 0;
}

int rmt_pipeline_action_id(const struct rmt_pipeline *p, const char *name,
			   u32 *id)
{
	u32 i;

	for (i = 0; i < p->n_actions; i++) {
		if (rmt_name_eq(p->actions[i].name, name)) {
			*id = i;
			return 0;
		}
	}
	return -ENOENT;
}

u32 rmt_pipeline_n_actions(const struct rmt_pipeline *p)
{
	return p->n_actions;
}

const char *rmt_pipeline_action_name(const struct rmt_pipeline *p, u32 id)
{
	return id < p->n_actions ? p->actions[id].name : "?";
}

static int rmt_stage_keys(struct rmt_pipeline *p, struct rmt_stage *st,
			  struct rmt_table_config *cfg, char *log,
			  size_t log_size)
{
	u32 i;

	for (i = 0; i < cfg->n_fields && i < RMT_TABLE_MAX_FIELDS; i++) {
		u32 id = cfg->fields[i].field_id;
		const struct rmt_ctx_field *f = rmt_hook_field(p->hook, id);

		if (id >= RMT_META_FIELD(0) &&
		    id < RMT_META_FIELD(RMT_META_WORDS)) {
			st->keys[i].meta = 1;
			st->keys[i].offset =
				(u16)(8 * (id - RMT_META_FIELD(0)));
			st->keys[i].size = 8;
		} else if (f && f->count == 1 && (f->flags & RMT_CTX_READ)) {
			st->keys[i].offset = f->offset;
			st->keys[i].size = (u8)f->size;
		} else {
			rmt_vm_logf(log, log_size,
				    "table %s: field %u is no readable scalar "
				    "of hook %s",
				    st->name, id, p->hook->name);
			return -EINVAL;
		}
		cfg->fields[i].width = (u8)(8 * st->keys[i].size);
	}
	st->n_keys = cfg->n_fields;
	for (i = 0; i < cfg->n_actions && i < RMT_TABLE_MAX_ACTIONS; i++) {
		u32 id = cfg->actions[i].id;

		if (id >= p->n_actions ||
		    p->actions[id].param_len != cfg->actions[i].param_len) {
			rmt_vm_logf(log, log_size,
				    "table %s: action %u unknown or with "
				    "other parameters",
				    st->name, id);
			return -EINVAL;
		}
	}
	return 0;
}

int rmt_pipeline_add_stage(struct rmt_pipeline *p, const char *name,
			   struct rmt_table_config *cfg, struct rmt_table **out,
			   char *log, size_t log_size)
{
	struct rmt_stage *st;
	enum rmt_table_code code;
	int err;

	if (p->n_stages >= RMT_PIPELINE_MAX_STAGES) {
		rmt_vm_logf(log, log_size, "more than %u tables",
			    RMT_PIPELINE_MAX_STAGES);
		return -E2BIG;
	}
	if (rmt_pipeline_find_stage(p, name)) {
		rmt_vm_logf(log, log_size, "table %s defined twice", name);
		return -EEXIST;
	}
	st = &p->stages[p->n_stages];
	memset(st, 0, sizeof(*st));
	rmt_copy_name(st->name, name);
	err = rmt_stage_keys(p, st, cfg, log, log_size);
	if (err)
		return err;
	err = rmt_table_create(cfg, &st->table, &code);
	if (err) {
		rmt_vm_logf(log, log_size, "table %s: %s", name,
			    rmt_table_code_str(code));
		return err;
	}
	p->n_stages++;
	if (out)
		*out = st->table;
	return 0;
}

u32 rmt_pipeline_n_stages(const struct rmt_pipeline *p)
{
	return p->n_stages;
}

struct rmt_table *rmt_pipeline_stage(const struct rmt_pipeline *p, u32 i,
				     const char **name)
{
	if (i >= p->n_stages)
		return NULL;
	if (name)
		*name = p->stages[i].name;
	return p->stages[i].table;
}

struct rmt_table *rmt_pipeline_find_stage(const struct rmt_pipeline *p,
					  const char *name)
{
	u32 i;

	for (i = 0; i < p->n_stages; i++)
		if (rmt_name_eq(p->stages[i].name, name))
			return p->stages[i].table;
	return NULL;
}

int rmt_pipeline_set_model(struct rmt_pipeline *p, u32 slot,
			   const struct rmt_model_slot *m)
{
	if (slot >= RMT_MODEL_SLOTS || (m && m->n_in > RMT_MODEL_MAX_INPUTS))
		return -EINVAL;
	if (m)
		p->models[slot] = *m;
	else
		memset(&p->models[slot], 0, sizeof(p->models[slot]));
	return 0;
}

void rmt_pipeline_set_ring(struct rmt_pipeline *p, struct rmt_ring_prod *ring)
{
	p->ring = ring;
}

void rmt_pipeline_set_clock(struct rmt_pipeline *p, u64 (*clock)(void *),
			    void *arg)
{
	p->clock = clock;
	p->clock_arg = arg;
}

void rmt_pipeline_set_exec(struct rmt_pipeline *p, rmt_exec_fn exec)
{
	p->exec = exec;
}

/* The context actions see: the caller's, or a copy without hidden fields. */
static const u8 *rmt_filter_ctx(const struct rmt_pipeline *p, const void *ctx,
				u8 *copy)
{
	u32 i;

	if (!p->filter_ctx)
		return ctx;
	memcpy(copy, ctx, p->hook->ctx_size);
	for (i = 0; i < p->hook->n_fields; i++) {
		const struct rmt_ctx_field *f = &p->hook->fields[i];

		if (!(f->flags & RMT_CTX_READ))
			memset(copy + f->offset, 0, (u32)f->size * f->count);
	}
	return copy;
}

static int rmt_run_action(struct rmt_pipeline *p,
			  const struct rmt_action_def *a,
			  const struct rmt_table_result *res,
			  struct rmt_hook_scratch *scr, struct rmt_hook_exec *x,
			  u64 *budget, u64 *r0)
{
	struct rmt_vm_region regions[4];
	struct rmt_vm_run run;
	u32 n = 0;
	int err;

	memset(&run, 0, sizeof(run));
	regions[n++] = (struct rmt_vm_region){ (u64)(size_t)x->ctx,
					       p->hook->ctx_size, false };
	regions[n++] = (struct rmt_vm_region){ (u64)(size_t)scr->meta,
					       sizeof(scr->meta), true };
	if (res->param_len)
		regions[n++] = (struct rmt_vm_region){ (u64)(size_t)res->params,
						       res->param_len, false };
	run.args[0] = (u64)(size_t)x->ctx;
	run.args[1] = res->param_len ? (u64)(size_t)res->params : 0;
	run.args[2] = 0;
	run.args[3] = (u64)(size_t)scr->meta;
	run.args[4] = res->param_len;
	if (res->state) {
		regions[n++] = (struct rmt_vm_region){ (u64)(size_t)res->state,
						       res->state_len, true };
		run.args[2] = (u64)(size_t)res->state;
	}
	run.regions = regions;
	run.n_regions = n;
	run.budget = *budget;
	run.user = x;
	run.stack = scr->stack;
	err = p->exec ? p->exec(&a->prog, &run) : rmt_vm_exec(&a->prog, &run);
	*budget -= run.executed < *budget ? run.executed : *budget;
	x->d->executed += run.executed;
	*r0 = run.r0;
	return err;
}

int rmt_pipeline_run(struct rmt_pipeline *p, const void *ctx, u32 ctx_len,
		     struct rmt_hook_scratch *scr, struct rmt_decision *d)
{
	struct rmt_hook_exec x = { p, NULL, d };
	u64 key[RMT_TABLE_MAX_FIELDS], budget = p->hook->budget, r0;
	struct rmt_table_result res;
	u32 s, i;
	int err = 0;

	memset(d, 0, __builtin_offsetof(struct rmt_decision, pages));
	if (ctx_len != p->hook->ctx_size)
		return -EINVAL;
	x.ctx = rmt_filter_ctx(p, ctx, (u8 *)scr->ctx);
	memset(scr->meta, 0, sizeof(scr->meta));
	rmt_rcu_read_lock();
	for (s = 0; s < p->n_stages; s++) {
		const struct rmt_stage *st = &p->stages[s];
		const struct rmt_action_def *a;

		for (i = 0; i < st->n_keys; i++) {
			const u8 *src = st->keys[i].meta ?
						(const u8 *)scr->meta :
						x.ctx;

			key[i] = 0;
			memcpy(&key[i], src + st->keys[i].offset,
			       st->keys[i].size);
		}
		rmt_table_lookup(st->table, key, &res);
		d->stages_run++;
		a = &p->actions[res.action_id];
		if (!a->has_prog)
			continue;
		err = rmt_run_action(p, a, &res, scr, &x, &budget, &r0);
		if (err) {
			d->error = err;
			p->stats.faults++;
			break;
		}
		if (r0 == RMT_ACT_STOP) {
			p->stats.stops++;
			break;
		}
	}
	rmt_rcu_read_unlock();
	p->stats.runs++;
	return err;
}

void rmt_pipeline_get_stats(const struct rmt_pipeline *p,
			    struct rmt_pipeline_stats *s)
{
	*s = p->stats;
}
