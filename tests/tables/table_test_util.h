/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * table_test_util.h - helpers the table tests share: building configs and
 * entries, and a reference classifier (a linear scan written from the
 * documented rules) to compare lookups against.
 */
#ifndef RMT_TESTS_TABLE_TEST_UTIL_H
#define RMT_TESTS_TABLE_TEST_UTIL_H

#include "vm/table.h"

/* A small fixed-seed generator (splitmix64). */
static inline u64 tt_rand(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline struct rmt_table_config tt_config(u32 n, const u8 *kinds,
						const u8 *widths, u32 capacity)
{
	struct rmt_table_config c = { 0 };
	u32 i;

	c.id = 1;
	c.n_fields = n;
	for (i = 0; i < n; i++) {
		c.fields[i].field_id = (u16)(10 + i);
		c.fields[i].kind = kinds[i];
		c.fields[i].width = widths[i];
	}
	c.n_actions = 2;
	c.actions[0].id = 0; /* no-op default */
	c.actions[1].id = 7;
	c.actions[1].param_len = 4;
	c.capacity = capacity;
	c.state_size = 16;
	return c;
}

static inline void tt_field(struct rmt_table_entry *e, u16 id, u8 kind,
			    u64 value, u64 mask_or_high, u8 plen)
{
	struct rmt_msg_key_field *k = &e->fields[e->n_fields++];

	k->field_id = id;
	k->kind = kind;
	k->value = value;
	k->mask_or_high = mask_or_high;
	k->prefix_len = plen;
}

/* Does entry e (canonical, as listed) match key under config c? */
static inline bool tt_matches(const struct rmt_table_config *c,
			      const struct rmt_table_entry *e, const u64 *key)
{
	u32 i;

	for (i = 0; i < c->n_fields; i++) {
		const struct rmt_msg_key_field *k = &e->fields[i];
		u32 w = c->fields[i].width;
		u64 wm = w == 64 ? ~0ull : (1ull << w) - 1, pm;

		switch (k->kind) {
		case RMT_MATCH_EXACT:
			if (key[i] != k->value)
				return false;
			break;
		case RMT_MATCH_TERNARY:
			if ((key[i] & k->mask_or_high) != k->value)
				return false;
			break;
		case RMT_MATCH_LPM:
			pm = k->prefix_len ?
				     wm & ~((w - k->prefix_len) == 64 ?
						    ~0ull :
						    (1ull
						     << (w - k->prefix_len)) -
							    1) :
				     0;
			if ((key[i] & pm) != k->value)
				return false;
			break;
		default:
			if (key[i] < k->value || key[i] > k->mask_or_high)
				return false;
		}
	}
	return true;
}

#endif /* RMT_TESTS_TABLE_TEST_UTIL_H */
