/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * table.h - match-action tables: the control side (schema, entries,
 * canonicalisation, default action, commit) and the lock-free lookup.
 *
 * Writers stage changes (add, delete, modify, set or reset the default)
 * and rmt_table_commit() compiles them into an immutable snapshot that is
 * published with a release store; readers inside rmt_rcu_read_lock() see
 * either the old or the new snapshot, never a mix.  Writers of one table
 * must be serialised by the caller (the datapath's control lock).
 *
 * Priorities: in a table with a ternary or range field every entry has a
 * priority >= 1 and the numerically highest priority wins (as in
 * P4Runtime); equal priorities that overlap resolve to the entry inserted
 * first.  In a table of exact and lpm fields only, priorities must be 0
 * and the longest prefix wins.  See docs/tables.md.
 */
#ifndef RMT_VM_TABLE_H
#define RMT_VM_TABLE_H

#include "port/rmt_port.h"
#include "proto/msg.h"

#define RMT_TABLE_MAX_FIELDS RMT_MSG_MAX_KEY_FIELDS
#define RMT_TABLE_MAX_ACTIONS 16u
#define RMT_TABLE_MAX_PARAM RMT_MSG_MAX_PARAM_LEN
#define RMT_TABLE_MAX_STATE 256u
#define RMT_TABLE_MAX_CAPACITY (1u << 20)
/* Most prefix rows one entry's ranges may expand into (multi-field). */
#define RMT_TABLE_MAX_EXPANSION 256u
#define RMT_TABLE_NO_SLOT 0xffffffffu

/* Why an update was refused: a closed set, like P4Runtime's codes. */
enum rmt_table_code {
	RMT_TC_OK = 0,
	RMT_TC_DUPLICATE, /* same canonical key (and priority) exists */
	RMT_TC_NOT_FOUND, /* delete/modify of a key that is not there */
	RMT_TC_FULL, /* capacity reached */
	RMT_TC_BAD_FIELD, /* unknown or repeated field id, exact missing */
	RMT_TC_BAD_MATCH_KIND, /* kind differs from the table's schema */
	RMT_TC_VALUE_TOO_WIDE, /* value, mask or bound exceeds field width */
	RMT_TC_BAD_PREFIX_LEN, /* prefix length above the field width */
	RMT_TC_BAD_RANGE, /* low > high */
	RMT_TC_BAD_PRIORITY, /* 0 where needed, or nonzero where not */
	RMT_TC_BAD_ACTION, /* action id not declared for this table */
	RMT_TC_BAD_PARAMS, /* parameter length differs from the action's */
	RMT_TC_TOO_COMPLEX, /* ranges expand too far, or cost over limit */
	RMT_TC_NO_MEMORY,
	RMT_TC_MAX = RMT_TC_NO_MEMORY,
};

const char *rmt_table_code_str(enum rmt_table_code code);

/* One key field of the schema; width in bits, 1..64. */
struct rmt_table_field {
	u16 field_id;
	u8 kind; /* enum rmt_match_kind */
	u8 width;
};

struct rmt_table_action {
	u32 id;
	u32 param_len;
};

/* How a table's lookup structure is chosen (see table_build.c). */
enum rmt_table_algo {
	RMT_TABLE_ALGO_AUTO = 0, /* intervals, small trees, else merged */
	RMT_TABLE_ALGO_TUPLES = 1, /* tuple space search, never the tree */
	RMT_TABLE_ALGO_TREE = 2, /* the decision tree, else merged tuples */
	RMT_TABLE_ALGO_MERGED = 3, /* merged tuples, never the tree */
};

struct rmt_table_config {
	u32 id;
	u32 n_fields;
	struct rmt_table_field fields[RMT_TABLE_MAX_FIELDS];
	u32 n_actions;
	struct rmt_table_action actions[RMT_TABLE_MAX_ACTIONS];
	u32 capacity;
	u32 state_size; /* bytes of per-entry state */
	u32 default_action;
	u32 default_param_len;
	const u8 *default_params;
	u64 max_cost; /* lookup probes a commit may reach; 0: no limit */
	u32 algo; /* enum rmt_table_algo */
};

/*
 * An entry as the control plane gives it.  Fields may come in any order;
 * an omitted ternary, lpm or range field is a wildcard, an omitted exact
 * field is an error.
 */
struct rmt_table_entry {
	u32 n_fields;
	struct rmt_msg_key_field fields[RMT_TABLE_MAX_FIELDS];
	s32 priority;
	u32 action_id;
	u32 param_len;
	const u8 *params;
};

/* What a lookup found: an entry, or the default action (slot NO_SLOT). */
struct rmt_table_result {
	u32 slot;
	u32 action_id;
	u32 param_len;
	const u8 *params; /* valid until rmt_rcu_read_unlock() */
	u8 *state; /* the entry's state, NULL for the default */
	u32 state_len;
};

struct rmt_table_stats {
	u64 lookups;
	u64 hits;
	u64 misses;
	u32 entries;
	u32 capacity;
	u64 lookup_cost;
	u64 commits;
	const char *structure; /* "tuples", "intervals", "tree", "merged" */
	u32 n_parts; /* tuples, bounds or tree nodes */
};

struct rmt_table;

int rmt_table_create(const struct rmt_table_config *cfg, struct rmt_table **out,
		     enum rmt_table_code *code);
void rmt_table_destroy(struct rmt_table *t);
const struct rmt_table_config *rmt_table_config(const struct rmt_table *t);

/*
 * Staged updates: not visible to lookups before rmt_table_commit().  Each
 * returns 0 or a negative errno (-EEXIST, -ENOENT, -ENOSPC, -EINVAL,
 * -ENOMEM, -E2BIG) and, if code is not NULL, the specific reason.
 * rmt_table_add() stores the entry's slot (its counter and state) in *slot.
 */
int rmt_table_add(struct rmt_table *t, const struct rmt_table_entry *e,
		  u32 *slot, enum rmt_table_code *code);
int rmt_table_delete(struct rmt_table *t, const struct rmt_table_entry *e,
		     enum rmt_table_code *code);
int rmt_table_modify(struct rmt_table *t, const struct rmt_table_entry *e,
		     enum rmt_table_code *code);
int rmt_table_set_default(struct rmt_table *t, u32 action_id, const u8 *params,
			  u32 param_len, enum rmt_table_code *code);
void rmt_table_reset_default(struct rmt_table *t);

/*
 * Compile the staged state and publish it; waits for a grace period
 * before freeing the old snapshot and recycling deleted slots.  On
 * failure (-ENOMEM, or -E2BIG when the lookup cost would exceed max_cost)
 * the published table stays as it was and the staged changes remain
 * staged.  Must not be called inside a read section.
 */
int rmt_table_commit(struct rmt_table *t, enum rmt_table_code *code);
/*
 * Look key[] (values in schema field order) up; call inside
 * rmt_rcu_read_lock().  Returns true on an entry hit; the default action
 * otherwise.  Counts the lookup and the entry's hit.
 */
bool rmt_table_lookup(struct rmt_table *t, const u64 *key,
		      struct rmt_table_result *res);

/*
 * Worst-case probes of one lookup in the published table: for hashed
 * tuples the sum over tuples of the longest probe sequence, for interval
 * tables the binary search depth.  Recomputed on each commit.
 */
u64 rmt_table_lookup_cost(const struct rmt_table *t);

void rmt_table_get_stats(const struct rmt_table *t, struct rmt_table_stats *s);
void rmt_table_reset_stats(struct rmt_table *t);

/* Control-side listing: the entry in a slot, its hits; -ENOENT if free. */
int rmt_table_entry_get(const struct rmt_table *t, u32 slot,
			struct rmt_table_entry *e, u64 *hits);
/* Per-entry state bytes of a slot (state_size), NULL if none. */
u8 *rmt_table_entry_state(struct rmt_table *t, u32 slot);

#endif /* RMT_VM_TABLE_H */
