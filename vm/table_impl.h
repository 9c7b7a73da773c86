/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * table_impl.h - the inside of a table, shared by the control side
 * (table.c), the compiler of snapshots (table_build.c) and the lookup
 * (table_lookup.c).  Not for users of tables.
 */
#ifndef RMT_VM_TABLE_IMPL_H
#define RMT_VM_TABLE_IMPL_H

#include "vm/table.h"

#define RMT_RANK_NONE 0xffffffffu

/* A staged entry, canonical: lpm is kept as a mask, range as low/high. */
struct rmt_tentry {
	u64 value[RMT_TABLE_MAX_FIELDS];
	u64 mask_hi[RMT_TABLE_MAX_FIELDS];
	u8 plen[RMT_TABLE_MAX_FIELDS];
	s32 priority;
	u32 action_id;
	u32 param_len;
	u32 live; /* staged as present */
	u32 published; /* present in the published snapshot */
	u32 expansion; /* prefix rows the entry compiles into */
	u64 seq; /* insertion order, breaks priority ties */
};

/*
 * What a hit resolves to, one per rank.  The hit counter sits beside the
 * action so that a hit touches one line; commit folds it into the slot's
 * total once no reader can count into it any more.
 */
struct rmt_snap_act {
	u32 slot;
	u32 action_id;
	u32 param_len;
	u32 param_off;
	u64 hits;
};

/*
 * A decision-tree node: nbits key bits (field, shift) select one of
 * 1 << nbits children at nodes[base]; a leaf (nbits 0) holds count rows
 * at refs[base * stride], in rank order: (rank, then value and mask per
 * field).  The first row that matches is the answer.
 */
#define RMT_TREE_MAX_BITS 4
#define RMT_TREE_MAX_DEPTH 16
#define RMT_TREE_LEAF 8

struct rmt_tnode {
	u8 nbits;
	u8 field[RMT_TREE_MAX_BITS];
	u8 shift[RMT_TREE_MAX_BITS];
	u32 base;
	u32 count;
};

/*
 * A hashed tuple: entries that share a mask vector, in an open-addressing
 * table, fronted by a bitmap over finer hash bits so that most tuples a
 * key cannot match cost one bit test and no probe.  A slot is nf + 1
 * words: the rank (RMT_RANK_NONE when empty), then the masked key.  Only
 * the best-ranked entry per masked key is kept, since the others with
 * that key can never win.
 */
struct rmt_tuple {
	u32 best_rank;
	u32 shift;
	u32 size_mask;
	u32 max_probe; /* merged tuples: rows per bucket */
	u32 fshift;
	u64 *filter; /* 8 bits per slot: is any key hashed near here? */
	u64 mask[RMT_TABLE_MAX_FIELDS];
	u64 *slots;
	u32 *start; /* merged, one field: each bucket's first word */
};

/* The part of a one-field tuple every lookup reads, packed. */
struct rmt_tuple_hot {
	u64 mask;
	const u64 *filter;
	u32 fshift;
	u32 best_rank;
};

/*
 * A merged tuple of a one-field table, as the lookup reads it: the key's
 * bucket is start[hash >> shift], and words words from there are compared.
 */
struct rmt_mtuple {
	u64 mask;
	const u32 *start;
	u32 shift;
	u32 words;
	u32 best_rank;
};

enum rmt_snap_kind {
	RMT_SNAP_TUPLES = 0, /* tuple space search (exact is one tuple) */
	RMT_SNAP_INTERVALS = 1, /* one range or lpm field: sorted bounds */
	RMT_SNAP_TREE = 2, /* decision tree over key bits */
	RMT_SNAP_MERGED = 3, /* merged tuples: hashed chains (table_merge.c) */
};

struct rmt_table_snap {
	u32 kind;
	u32 nf;
	u32 n_entries;
	u32 n_tuples;
	struct rmt_tuple *tuples;
	struct rmt_tuple_hot *hot; /* one-field tables: per tuple */
	u32 n_bounds;
	u64 key_mask; /* keys are truncated to the field width */
	u64 *bounds; /* bounds[0] == 0, increasing */
	u32 *bound_rank; /* best rank for [bounds[i], bounds[i+1]) */
	/*
	 * Intervals: radix[key >> radix_shift] and the next entry are the
	 * first and last bound the key can fall after; radix_step is the
	 * largest power of two a search between them starts with (0 if
	 * every cell holds one bound).
	 */
	u32 *radix;
	u32 radix_shift;
	u32 radix_step;
	u32 n_nodes;
	struct rmt_tnode *nodes;
	u64 *refs;
	/*
	 * Merged tuples of one field: refs holds words, each a (masks,
	 * values) pair of u64 packing `lanes` rows (2 when every mask fits
	 * in 32 bits, else 1); lane_rank[word * lanes + lane] is a row's
	 * rank.  A key is spread over the lanes by (key & lane_key) *
	 * lane_mul.
	 */
	struct rmt_mtuple *mt;
	u32 *lane_rank;
	u32 lanes;
	u64 lane_key;
	u64 lane_mul;
	u64 lane_one; /* 1 in each lane */
	u64 lane_top; /* the top bit of each lane */
	struct rmt_snap_act *acts;
	u32 *rank_of_slot; /* n_slots; RMT_RANK_NONE if not present */
	u8 *params;
	struct rmt_snap_act def;
	u64 cost;
};

struct rmt_table {
	struct rmt_table_config cfg;
	u8 default_params[RMT_TABLE_MAX_PARAM]; /* as configured */
	u32 staged_def_action;
	u32 staged_def_len;
	u8 staged_def_params[RMT_TABLE_MAX_PARAM];
	bool has_priority; /* a ternary or range field */
	struct rmt_table_snap *snap; /* published, RCU */
	struct rmt_tentry *entries; /* capacity */
	/*
	 * Slots: twice the capacity, so that a batch may delete and add
	 * before the deleted slots' grace period ends.
	 */
	u32 n_slots;
	u32 param_stride; /* longest parameter block */
	u8 *params; /* n_slots * param_stride */
	u64 *hits; /* n_slots, updated by lookups */
	u8 *state; /* n_slots * state_size */
	u32 *free_slots; /* stack of free slots */
	u32 n_free;
	u32 *zombies; /* deleted, still published */
	u32 n_live;
	u32 n_zombies; /* deleted, awaiting a grace period */
	u64 next_seq;
	u64 commits;
	u64 lookups;
	u64 matched;
};

/*
 * Split [lo, hi] of a width-bit field into aligned prefixes; returns how
 * many, and stores up to cap of them when vals is not NULL.
 */
u32 rmt_range_prefixes(u64 lo, u64 hi, u32 width, u64 *vals, u64 *masks,
		       u32 cap);
/* Rows: the entries as (mask, masked key) vectors, in rank order. */
struct rmt_rows {
	u32 nf;
	u32 n;
	u64 *mask; /* n * nf */
	u64 *key; /* n * nf */
	u32 *rank;
};

/*
 * -E2BIG with more than RMT_MERGE_MAX_MASKS distinct masks (use tuples).
 * Merged tuples: tuples[] whose slots are 2^(64 - shift) buckets of
 * max_probe rows each, a row being (rank, then value and mask per field).
 */
#define RMT_TREE_AUTO_ROWS 1024 /* auto: the tree up to so many rows */
int rmt_merge_build(const struct rmt_rows *r, struct rmt_table_snap *s);
/* -E2BIG when the tree would outgrow its budget (use tuples then). */
int rmt_tree_build(const struct rmt_rows *r, struct rmt_table_snap *s);
int rmt_table_build(const struct rmt_table *t, struct rmt_table_snap **out);
void rmt_table_snap_free(struct rmt_table_snap *s);

static inline u64 rmt_width_mask(u32 width)
{
	return width >= 64 ? ~0ull : (1ull << width) - 1;
}

static inline u64 rmt_prefix_mask(u32 width, u32 plen)
{
	if (plen == 0)
		return 0;
	return rmt_width_mask(width) & ~rmt_width_mask(width - plen);
}

/* Fibonacci hashing: the top bits of the product are well mixed. */
#define RMT_HASH_MUL 0x9e3779b97f4a7c15ull

static inline u64 rmt_tuple_hash(const u64 *key, const u64 *mask, u32 nf)
{
	u64 h = 0;
	u32 i;

	for (i = 0; i < nf; i++)
		h = (h ^ (key[i] & mask[i])) * RMT_HASH_MUL;
	return h;
}

/* The smallest l with 2^l >= n (0 for n <= 1). */
static inline u32 rmt_log2_ceil(u64 n)
{
	u32 l = 0;

	while ((1ull << l) < n)
		l++;
	return l;
}

#endif /* RMT_VM_TABLE_IMPL_H */
