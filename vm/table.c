// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * table.c - the control side of a match-action table: schema checks,
 * canonicalisation and validation of entries, slots with their counters
 * and state, the default action, and commit (compile, publish, wait for
 * the grace period, recycle).
 */
#include "vm/table_impl.h"
#include "port/rmt_rcu.h"

static const char *const rmt_table_code_names[] = {
	[RMT_TC_OK] = "ok",
	[RMT_TC_DUPLICATE] = "duplicate entry",
	[RMT_TC_NOT_FOUND] = "no such entry",
	[RMT_TC_FULL] = "table full",
	[RMT_TC_BAD_FIELD] = "bad key field",
	[RMT_TC_BAD_MATCH_KIND] = "match kind differs from the table's",
	[RMT_TC_VALUE_TOO_WIDE] = "value wider than the field",
	[RMT_TC_BAD_PREFIX_LEN] = "prefix length over the field width",
	[RMT_TC_BAD_RANGE] = "range low above high",
	[RMT_TC_BAD_PRIORITY] = "bad priority",
	[RMT_TC_BAD_ACTION] = "action not declared for the table",
	[RMT_TC_BAD_PARAMS] = "parameter length differs from the action's",
	[RMT_TC_TOO_COMPLEX] = "too complex",
	[RMT_TC_NO_MEMORY] = "out of memory",
};

const char *rmt_table_code_str(enum rmt_table_code code)
{
	if ((u32)code > RMT_TC_MAX)
		return "unknown";
	return rmt_table_code_names[code];
}

static int rmt_tc(enum rmt_table_code *out, enum rmt_table_code code)
{
	static const int err[] = {
		[RMT_TC_OK] = 0,
		[RMT_TC_DUPLICATE] = -EEXIST,
		[RMT_TC_NOT_FOUND] = -ENOENT,
		[RMT_TC_FULL] = -ENOSPC,
		[RMT_TC_BAD_FIELD] = -EINVAL,
		[RMT_TC_BAD_MATCH_KIND] = -EINVAL,
		[RMT_TC_VALUE_TOO_WIDE] = -EINVAL,
		[RMT_TC_BAD_PREFIX_LEN] = -EINVAL,
		[RMT_TC_BAD_RANGE] = -EINVAL,
		[RMT_TC_BAD_PRIORITY] = -EINVAL,
		[RMT_TC_BAD_ACTION] = -EINVAL,
		[RMT_TC_BAD_PARAMS] = -EINVAL,
		[RMT_TC_TOO_COMPLEX] = -E2BIG,
		[RMT_TC_NO_MEMORY] = -ENOMEM,
	};

	if (out)
		*out = code;
	return err[code];
}

static const struct rmt_table_action *
rmt_table_find_action(const struct rmt_table_config *cfg, u32 id)
{
	u32 i;

	for (i = 0; i < cfg->n_actions; i++)
		if (cfg->actions[i].id == id)
			return &cfg->actions[i];
	return NULL;
}

static enum rmt_table_code
rmt_table_check_config(const struct rmt_table_config *c)
{
	u32 i, j, n_lpm = 0;
	bool prio = false;
	const struct rmt_table_action *def;

	if (c->n_fields < 1 || c->n_fields > RMT_TABLE_MAX_FIELDS)
		return RMT_TC_BAD_FIELD;
	for (i = 0; i < c->n_fields; i++) {
		const struct rmt_table_field *f = &c->fields[i];

		if (f->width < 1 || f->width > 64)
			return RMT_TC_VALUE_TOO_WIDE;
		if (f->kind > RMT_MATCH_KIND_MAX)
			return RMT_TC_BAD_MATCH_KIND;
		if (f->kind == RMT_MATCH_TERNARY || f->kind == RMT_MATCH_RANGE)
			prio = true;
		if (f->kind == RMT_MATCH_LPM)
			n_lpm++;
		for (j = 0; j < i; j++)
			if (c->fields[j].field_id == f->field_id)
				return RMT_TC_BAD_FIELD;
	}
	/* Longest-prefix order is only defined for one prefix field. */
	if (!prio && n_lpm > 1)
		return RMT_TC_BAD_MATCH_KIND;
	if (c->n_actions < 1 || c->n_actions > RMT_TABLE_MAX_ACTIONS)
		return RMT_TC_BAD_ACTION;
	for (i = 0; i < c->n_actions; i++) {
		if (c->actions[i].param_len > RMT_TABLE_MAX_PARAM)
			return RMT_TC_BAD_PARAMS;
		for (j = 0; j < i; j++)
			if (c->actions[j].id == c->actions[i].id)
				return RMT_TC_BAD_ACTION;
	}
	def = rmt_table_find_action(c, c->default_action);
	if (!def)
		return RMT_TC_BAD_ACTION;
	if (def->param_len != c->default_param_len ||
	    (c->default_param_len && !c->default_params))
		return RMT_TC_BAD_PARAMS;
	if (c->capacity < 1 || c->capacity > RMT_TABLE_MAX_CAPACITY ||
	    c->state_size > RMT_TABLE_MAX_STATE ||
	    c->algo > RMT_TABLE_ALGO_MERGED)
		return RMT_TC_TOO_COMPLEX;
	return RMT_TC_OK;
}

int rmt_table_create(const struct rmt_table_config *cfg, struct rmt_table **out,
		     enum rmt_table_code *code)
{
	enum rmt_table_code c = rmt_table_check_config(cfg);
	struct rmt_table *t;
	u32 i, stride = 0;
	int err;

	*out = NULL;
	if (c != RMT_TC_OK)
		return rmt_tc(code, c);
	t = rmt_alloc(sizeof(*t));
	if (!t)
		return rmt_tc(code, RMT_TC_NO_MEMORY);
	t->cfg = *cfg;
	if (cfg->default_param_len)
		memcpy(t->default_params, cfg->default_params,
		       cfg->default_param_len);
	t->cfg.default_params = t->default_params;
	for (i = 0; i < cfg->n_fields; i++)
		if (cfg->fields[i].kind == RMT_MATCH_TERNARY ||
		    cfg->fields[i].kind == RMT_MATCH_RANGE)
			t->has_priority = true;
	for (i = 0; i < cfg->n_actions; i++)
		if (cfg->actions[i].param_len > stride)
			stride = cfg->actions[i].param_len;
	t->param_stride = stride;
	t->n_slots = cfg->capacity * 2;
	t->entries = rmt_alloc(sizeof(*t->entries) * t->n_slots);
	t->params = rmt_alloc((size_t)t->n_slots * (stride ? stride : 1));
	t->hits = rmt_alloc(sizeof(*t->hits) * t->n_slots);
	t->state = rmt_alloc((size_t)t->n_slots *
			     (cfg->state_size ? cfg->state_size : 1));
	t->free_slots = rmt_alloc(sizeof(u32) * t->n_slots);
	t->zombies = rmt_alloc(sizeof(u32) * t->n_slots);
	if (!t->entries || !t->params || !t->hits || !t->state ||
	    !t->free_slots || !t->zombies) {
		rmt_table_destroy(t);
		return rmt_tc(code, RMT_TC_NO_MEMORY);
	}
	for (i = 0; i < t->n_slots; i++)
		t->free_slots[i] = t->n_slots - 1 - i;
	t->n_free = t->n_slots;
	rmt_table_reset_default(t);
	err = rmt_table_commit(t, code);
	if (err) {
		rmt_table_destroy(t);
		return err;
	}
	*out = t;
	return 0;
}

void rmt_table_destroy(struct rmt_table *t)
{
	if (!t)
		return;
	rmt_table_snap_free(t->snap);
	rmt_free(t->entries);
	rmt_free(t->params);
	rmt_free(t->hits);
	rmt_free(t->state);
	rmt_free(t->free_slots);
	rmt_free(t->zombies);
	rmt_free(t);
}

const struct rmt_table_config *rmt_table_config(const struct rmt_table *t)
{
	return &t->cfg;
}

/* Canonicalise a key into te; te->expansion counts its prefix rows. */
static enum rmt_table_code rmt_table_canon(const struct rmt_table *t,
					   const struct rmt_table_entry *e,
					   struct rmt_tentry *te)
{
	const struct rmt_table_config *c = &t->cfg;
	u32 seen = 0, i, j, rows = 1;

	if (e->n_fields > c->n_fields)
		return RMT_TC_BAD_FIELD;
	for (i = 0; i < c->n_fields; i++) {
		u64 w = rmt_width_mask(c->fields[i].width);

		/* Omitted: a wildcard of each kind. */
		te->value[i] = 0;
		te->plen[i] = 0;
		te->mask_hi[i] = c->fields[i].kind == RMT_MATCH_RANGE ? w : 0;
	}
	for (j = 0; j < e->n_fields; j++) {
		const struct rmt_msg_key_field *k = &e->fields[j];
		const struct rmt_table_field *f = NULL;
		u64 w;

		for (i = 0; i < c->n_fields; i++)
			if (c->fields[i].field_id == k->field_id)
				break;
		if (i == c->n_fields || (seen & (1u << i)))
			return RMT_TC_BAD_FIELD;
		seen |= 1u << i;
		f = &c->fields[i];
		w = rmt_width_mask(f->width);
		if (k->kind != f->kind)
			return RMT_TC_BAD_MATCH_KIND;
		if (k->value & ~w)
			return RMT_TC_VALUE_TOO_WIDE;
		switch (f->kind) {
		case RMT_MATCH_EXACT:
			te->value[i] = k->value;
			te->mask_hi[i] = w;
			break;
		case RMT_MATCH_TERNARY:
			if (k->mask_or_high & ~w)
				return RMT_TC_VALUE_TOO_WIDE;
			te->mask_hi[i] = k->mask_or_high;
			te->value[i] = k->value & k->mask_or_high;
			break;
		case RMT_MATCH_LPM:
			if (k->prefix_len > f->width)
				return RMT_TC_BAD_PREFIX_LEN;
			te->plen[i] = k->prefix_len;
			te->mask_hi[i] =
				rmt_prefix_mask(f->width, k->prefix_len);
			te->value[i] = k->value & te->mask_hi[i];
			break;
		default: /* RMT_MATCH_RANGE */
			if (k->mask_or_high & ~w)
				return RMT_TC_VALUE_TOO_WIDE;
			if (k->value > k->mask_or_high)
				return RMT_TC_BAD_RANGE;
			te->value[i] = k->value;
			te->mask_hi[i] = k->mask_or_high;
			break;
		}
	}
	for (i = 0; i < c->n_fields; i++)
		if (c->fields[i].kind == RMT_MATCH_EXACT && !(seen & (1u << i)))
			return RMT_TC_BAD_FIELD;
	if (t->has_priority ? e->priority < 1 : e->priority != 0)
		return RMT_TC_BAD_PRIORITY;
	te->priority = e->priority;
	/* Only hashed multi-field tables expand ranges into prefixes. */
	if (c->n_fields > 1) {
		for (i = 0; i < c->n_fields; i++) {
			if (c->fields[i].kind != RMT_MATCH_RANGE)
				continue;
			rows *= rmt_range_prefixes(te->value[i], te->mask_hi[i],
						   c->fields[i].width, NULL,
						   NULL, 0);
			if (rows > RMT_TABLE_MAX_EXPANSION)
				return RMT_TC_TOO_COMPLEX;
		}
	}
	te->expansion = rows;
	return RMT_TC_OK;
}

static enum rmt_table_code rmt_table_check_action(const struct rmt_table *t,
						  u32 id, const u8 *params,
						  u32 len)
{
	const struct rmt_table_action *a = rmt_table_find_action(&t->cfg, id);

	if (!a)
		return RMT_TC_BAD_ACTION;
	if (a->param_len != len || (len && !params))
		return RMT_TC_BAD_PARAMS;
	return RMT_TC_OK;
}

static bool rmt_table_same_key(const struct rmt_table *t,
			       const struct rmt_tentry *a,
			       const struct rmt_tentry *b)
{
	u32 i;

	if (a->priority != b->priority)
		return false;
	for (i = 0; i < t->cfg.n_fields; i++)
		if (a->value[i] != b->value[i] ||
		    a->mask_hi[i] != b->mask_hi[i])
			return false;
	return true;
}

static u32 rmt_table_find(const struct rmt_table *t, const struct rmt_tentry *k)
{
	u32 s;

	for (s = 0; s < t->n_slots; s++)
		if (t->entries[s].live &&
		    rmt_table_same_key(t, &t->entries[s], k))
			return s;
	return RMT_TABLE_NO_SLOT;
}

int rmt_table_add(struct rmt_table *t, const struct rmt_table_entry *e,
		  u32 *slot, enum rmt_table_code *code)
{
	struct rmt_tentry te;
	enum rmt_table_code c;
	u32 s;

	if (slot)
		*slot = RMT_TABLE_NO_SLOT;
	c = rmt_table_canon(t, e, &te);
	if (c == RMT_TC_OK)
		c = rmt_table_check_action(t, e->action_id, e->params,
					   e->param_len);
	if (c != RMT_TC_OK)
		return rmt_tc(code, c);
	if (rmt_table_find(t, &te) != RMT_TABLE_NO_SLOT)
		return rmt_tc(code, RMT_TC_DUPLICATE);
	if (t->n_live >= t->cfg.capacity || !t->n_free)
		return rmt_tc(code, RMT_TC_FULL);
	s = t->free_slots[--t->n_free];
	te.action_id = e->action_id;
	te.param_len = e->param_len;
	te.live = 1;
	te.published = 0;
	te.seq = t->next_seq++;
	t->entries[s] = te;
	if (e->param_len)
		memcpy(t->params + (size_t)s * t->param_stride, e->params,
		       e->param_len);
	t->n_live++;
	if (slot)
		*slot = s;
	return rmt_tc(code, RMT_TC_OK);
}

int rmt_table_delete(struct rmt_table *t, const struct rmt_table_entry *e,
		     enum rmt_table_code *code)
{
	struct rmt_tentry te;
	enum rmt_table_code c = rmt_table_canon(t, e, &te);
	u32 s;

	if (c != RMT_TC_OK)
		return rmt_tc(code, c);
	s = rmt_table_find(t, &te);
	if (s == RMT_TABLE_NO_SLOT)
		return rmt_tc(code, RMT_TC_NOT_FOUND);
	t->entries[s].live = 0;
	t->n_live--;
	/* Readers of the published snapshot may still count into it. */
	if (t->entries[s].published) {
		t->zombies[t->n_zombies++] = s;
	} else {
		t->hits[s] = 0;
		t->free_slots[t->n_free++] = s;
	}
	return rmt_tc(code, RMT_TC_OK);
}

int rmt_table_modify(struct rmt_table *t, const struct rmt_table_entry *e,
		     enum rmt_table_code *code)
{
	struct rmt_tentry te;
	enum rmt_table_code c = rmt_table_canon(t, e, &te);
	u32 s;

	if (c == RMT_TC_OK)
		c = rmt_table_check_action(t, e->action_id, e->params,
					   e->param_len);
	if (c != RMT_TC_OK)
		return rmt_tc(code, c);
	s = rmt_table_find(t, &te);
	if (s == RMT_TABLE_NO_SLOT)
		return rmt_tc(code, RMT_TC_NOT_FOUND);
	t->entries[s].action_id = e->action_id;
	t->entries[s].param_len = e->param_len;
	if (e->param_len)
		memcpy(t->params + (size_t)s * t->param_stride, e->params,
		       e->param_len);
	return rmt_tc(code, RMT_TC_OK);
}

int rmt_table_set_default(struct rmt_table *t, u32 action_id, const u8 *params,
			  u32 param_len, enum rmt_table_code *code)
{
	enum rmt_table_code c =
		rmt_table_check_action(t, action_id, params, param_len);

	if (c != RMT_TC_OK)
		return rmt_tc(code, c);
	t->staged_def_action = action_id;
	t->staged_def_len = param_len;
	if (param_len)
		memcpy(t->staged_def_params, params, param_len);
	return rmt_tc(code, RMT_TC_OK);
}

void rmt_table_reset_default(struct rmt_table *t)
{
	t->staged_def_action = t->cfg.default_action;
	t->staged_def_len = t->cfg.default_param_len;
	memcpy(t->staged_def_params, t->default_params,
	       t->cfg.default_param_len);
}

int rmt_table_commit(struct rmt_table *t, enum rmt_table_code *code)
{
	struct rmt_table_snap *snap, *old;
	u32 s, i;
	int err = rmt_table_build(t, &snap);

	if (err)
		return rmt_tc(code, RMT_TC_NO_MEMORY);
	if (t->cfg.max_cost && snap->cost > t->cfg.max_cost) {
		rmt_table_snap_free(snap);
		return rmt_tc(code, RMT_TC_TOO_COMPLEX);
	}
	old = t->snap;
	rmt_rcu_assign(t->snap, snap);
	for (s = 0; s < t->n_slots; s++)
		if (t->entries[s].live)
			t->entries[s].published = 1;
	rmt_rcu_synchronize();
	/* Nobody counts into the old snapshot any more: fold its hits. */
	for (i = 0; old && i < old->n_entries; i++)
		t->hits[old->acts[i].slot] += old->acts[i].hits;
	rmt_table_snap_free(old);
	for (i = 0; i < t->n_zombies; i++) {
		s = t->zombies[i];
		t->entries[s].published = 0;
		t->hits[s] = 0;
		if (t->cfg.state_size)
			memset(t->state + (size_t)s * t->cfg.state_size, 0,
			       t->cfg.state_size);
		t->free_slots[t->n_free++] = s;
	}
	t->n_zombies = 0;
	t->commits++;
	return rmt_tc(code, RMT_TC_OK);
}

u64 rmt_table_lookup_cost(const struct rmt_table *t)
{
	return t->snap->cost;
}

void rmt_table_get_stats(const struct rmt_table *t, struct rmt_table_stats *s)
{
	s->lookups = RMT_READ_ONCE(t->lookups);
	s->hits = RMT_READ_ONCE(t->matched);
	s->misses = s->lookups - s->hits;
	s->entries = t->n_live;
	s->capacity = t->cfg.capacity;
	s->lookup_cost = t->snap->cost;
	s->commits = t->commits;
	switch (t->snap->kind) {
	case RMT_SNAP_INTERVALS:
		s->structure = "intervals";
		s->n_parts = t->snap->n_bounds;
		break;
	case RMT_SNAP_TREE:
		s->structure = "tree";
		s->n_parts = t->snap->n_nodes;
		break;
	case RMT_SNAP_MERGED:
		s->structure = "merged";
		s->n_parts = t->snap->n_tuples;
		break;
	default:
		s->structure = "tuples";
		s->n_parts = t->snap->n_tuples;
	}
}

void rmt_table_reset_stats(struct rmt_table *t)
{
	u32 s;

	RMT_WRITE_ONCE(t->lookups, 0);
	RMT_WRITE_ONCE(t->matched, 0);
	for (s = 0; s < t->n_slots; s++)
		RMT_WRITE_ONCE(t->hits[s], 0);
	for (s = 0; s < t->snap->n_entries; s++)
		RMT_WRITE_ONCE(t->snap->acts[s].hits, 0);
}

int rmt_table_entry_get(const struct rmt_table *t, u32 slot,
			struct rmt_table_entry *e, u64 *hits)
{
	const struct rmt_tentry *te;
	u32 i;

	if (slot >= t->n_slots || !t->entries[slot].live)
		return -ENOENT;
	te = &t->entries[slot];
	memset(e, 0, sizeof(*e));
	e->n_fields = t->cfg.n_fields;
	for (i = 0; i < t->cfg.n_fields; i++) {
		struct rmt_msg_key_field *k = &e->fields[i];

		k->field_id = t->cfg.fields[i].field_id;
		k->kind = t->cfg.fields[i].kind;
		k->value = te->value[i];
		if (k->kind == RMT_MATCH_LPM)
			k->prefix_len = te->plen[i];
		else if (k->kind != RMT_MATCH_EXACT)
			k->mask_or_high = te->mask_hi[i];
	}
	e->priority = te->priority;
	e->action_id = te->action_id;
	e->param_len = te->param_len;
	e->params = t->params + (size_t)slot * t->param_stride;
	if (hits) {
		u32 rank = t->snap->rank_of_slot[slot];

		*hits = t->hits[slot];
		if (rank != RMT_RANK_NONE)
			*hits += RMT_READ_ONCE(t->snap->acts[rank].hits);
	}
	return 0;
}

u8 *rmt_table_entry_state(struct rmt_table *t, u32 slot)
{
	if (slot >= t->n_slots || !t->cfg.state_size)
		return NULL;
	return t->state + (size_t)slot * t->cfg.state_size;
}
