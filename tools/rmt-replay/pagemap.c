// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pagemap.c - rmt-replay's map from page numbers to values (pagemap.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "pagemap.h"

static uint64_t home(const struct pagemap *m, uint64_t pg)
{
	return ((pg * 0x9e3779b97f4a7c15ull) >> 20) & m->mask;
}

static int alloc_slots(struct pagemap *m, uint64_t slots)
{
	uint64_t i;

	m->key = malloc(slots * sizeof(*m->key));
	m->val = malloc(slots * sizeof(*m->val));
	if (!m->key || !m->val) {
		free(m->key);
		free(m->val);
		return -ENOMEM;
	}
	for (i = 0; i < slots; i++)
		m->key[i] = PAGEMAP_EMPTY;
	m->mask = slots - 1;
	m->count = 0;
	return 0;
}

int pagemap_init(struct pagemap *m, uint64_t n)
{
	uint64_t slots = 16;

	while (slots < 2 * n)
		slots <<= 1;
	return alloc_slots(m, slots);
}

void pagemap_free(struct pagemap *m)
{
	free(m->key);
	free(m->val);
	m->key = m->val = NULL;
}

uint64_t pagemap_slot(const struct pagemap *m, uint64_t pg)
{
	uint64_t i = home(m, pg);

	while (m->key[i] != PAGEMAP_EMPTY && m->key[i] != pg)
		i = (i + 1) & m->mask;
	return i;
}

static int grow(struct pagemap *m)
{
	struct pagemap old = *m;
	uint64_t i, j;

	if (alloc_slots(m, 2 * (old.mask + 1))) {
		*m = old;
		return -ENOMEM;
	}
	for (i = 0; i <= old.mask; i++) {
		if (old.key[i] == PAGEMAP_EMPTY)
			continue;
		j = pagemap_slot(m, old.key[i]);
		m->key[j] = old.key[i];
		m->val[j] = old.val[i];
		m->count++;
	}
	pagemap_free(&old);
	return 0;
}

int pagemap_put(struct pagemap *m, uint64_t pg, uint64_t val)
{
	uint64_t i = pagemap_slot(m, pg);

	if (m->key[i] != pg) {
		if (2 * (m->count + 1) > m->mask + 1) {
			if (grow(m))
				return -ENOMEM;
			i = pagemap_slot(m, pg);
		}
		m->key[i] = pg;
		m->count++;
	}
	m->val[i] = val;
	return 0;
}

void pagemap_del_slot(struct pagemap *m, uint64_t i)
{
	uint64_t j = i, k;

	m->key[i] = PAGEMAP_EMPTY;
	m->count--;
	/* Later members of the cluster whose home is not in (i, j] move. */
	for (;;) {
		j = (j + 1) & m->mask;
		if (m->key[j] == PAGEMAP_EMPTY)
			return;
		k = home(m, m->key[j]);
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			m->key[j] = PAGEMAP_EMPTY;
			i = j;
		}
	}
}

void pagemap_del(struct pagemap *m, uint64_t pg)
{
	uint64_t i = pagemap_slot(m, pg);

	if (m->key[i] == pg)
		pagemap_del_slot(m, i);
}
