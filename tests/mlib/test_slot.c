// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_slot.c - model slots: the API's edges, and concurrent readers that
 * would see a poisoned model if a writer freed one they still hold.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>

#include "mlib/slot.h"
#include "mlib/train/writer.h"

#define READERS 3
#define ROUNDS 300

static struct rmt_model *make_model(s32 cls)
{
	struct rmt_tree_node nodes[3] = {
		{ 0, 0, 0, 1, 2 },
		{ RMT_TREE_LEAF, 1, cls, 0, 0 },
		{ RMT_TREE_LEAF, 1, cls, 0, 0 },
	};
	struct rmt_tree t = { 3, 1, nodes };
	struct rmt_model m, *out;
	char err[128];

	memset(&m, 0, sizeof(m));
	m.type = RMT_MODEL_TREE;
	m.n_features = 1;
	m.n_classes = 8;
	m.n_trees = 1;
	m.trees = &t;
	cr_assert_eq(rmt_model_rebuild(&m, &out, err, sizeof(err)), 0, "%s",
		     err);
	return out;
}

/* What a use-after-free would read: a model whose walk is wrong. */
static void poison_and_free(struct rmt_model *m)
{
	m->trees[0].nodes[1].value = -1;
	m->trees[0].nodes[2].value = -1;
	m->n_features = 0;
	rmt_model_free(m);
}

struct shared {
	struct rmt_slots slots;
	int stop;
	long reads[READERS];
	long bad[READERS];
};

struct reader_arg {
	struct shared *sh;
	u32 id;
};

static void *reader(void *p)
{
	struct reader_arg *a = p;
	struct shared *sh = a->sh;
	struct rmt_infer_out o;
	s32 x = 1;

	rmt_slots_online(&sh->slots, a->id);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		const struct rmt_model *m = rmt_slot_get(&sh->slots, 0);
		u32 spin;

		if (m) {
			rmt_model_infer(m, &x, &o);
			/* Hold the model a little, as a hook would. */
			for (spin = 0; spin < 50; spin++)
				rmt_cpu_relax();
			if (m->n_features != 1 || o.value < 0 ||
			    m->trees[0].nodes[2].value != o.value)
				sh->bad[a->id]++;
			__atomic_store_n(&sh->reads[a->id],
					 sh->reads[a->id] + 1,
					 __ATOMIC_RELAXED);
		}
		rmt_slots_quiescent(&sh->slots, a->id);
	}
	rmt_slots_offline(&sh->slots, a->id);
	return NULL;
}

static bool all_read(struct shared *sh, long n)
{
	u32 i;

	for (i = 0; i < READERS; i++)
		if (__atomic_load_n(&sh->reads[i], __ATOMIC_RELAXED) < n)
			return false;
	return true;
}

Test(mlib_slot, concurrent_readers_never_see_a_freed_model)
{
	static struct shared sh;
	struct reader_arg args[READERS];
	pthread_t th[READERS];
	struct rmt_model *old;
	long reads = 0;
	u32 i;

	memset(&sh, 0, sizeof(sh));
	cr_assert_eq(rmt_slots_init(&sh.slots, 4, READERS), 0);
	cr_assert_eq(rmt_slot_install(&sh.slots, 0, make_model(0)), 0);
	for (i = 0; i < READERS; i++) {
		args[i].sh = &sh;
		args[i].id = i;
		cr_assert_eq(pthread_create(&th[i], NULL, reader, &args[i]), 0);
	}
	/* Replace until every reader has used many models. */
	for (i = 1; i <= ROUNDS || !all_read(&sh, 1000); i++) {
		cr_assert_eq(rmt_slot_publish(&sh.slots, 0,
					      make_model((s32)(i % 8)), &old),
			     0);
		rmt_slots_synchronize(&sh.slots);
		poison_and_free(old);
	}
	__atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < READERS; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(sh.bad[i], 0, "reader %u saw %ld freed models", i,
			     sh.bad[i]);
		reads += sh.reads[i];
	}
	cr_assert_gt(reads, 0);
	rmt_slots_destroy(&sh.slots);
}

Test(mlib_slot, api_edges)
{
	struct rmt_slots s;
	struct rmt_model *old;

	cr_assert_eq(rmt_slots_init(&s, 0, 1), -EINVAL);
	cr_assert_eq(rmt_slots_init(&s, 1, 0), -EINVAL);
	cr_assert_eq(rmt_slots_init(&s, RMT_SLOTS_MAX + 1, 1), -EINVAL);
	cr_assert_eq(rmt_slots_init(&s, 2, 2), 0);
	cr_assert_null(rmt_slot_get(&s, 0));
	cr_assert_null(rmt_slot_get(&s, 2));
	cr_assert_eq(rmt_slot_install(&s, 2, NULL), -EINVAL);
	/* Reader 1 is online but quiescent, reader 0 offline: no wait. */
	rmt_slots_online(&s, 1);
	rmt_slots_quiescent(&s, 1);
	cr_assert_eq(rmt_slot_install(&s, 1, make_model(3)), 0);
	cr_assert_eq(rmt_slot_get(&s, 1)->trees[0].nodes[1].value, 3);
	rmt_slots_quiescent(&s, 1);
	rmt_slots_offline(&s, 1);
	cr_assert_eq(rmt_slot_install(&s, 1, make_model(4)), 0);
	cr_assert_eq(rmt_slot_publish(&s, 1, NULL, &old), 0);
	cr_assert_eq(old->trees[0].nodes[1].value, 4);
	rmt_slots_synchronize(&s);
	rmt_model_free(old);
	cr_assert_null(rmt_slot_get(&s, 1));
	cr_assert_eq(rmt_slot_install(&s, 0, make_model(1)), 0);
	rmt_slots_destroy(&s);
}
