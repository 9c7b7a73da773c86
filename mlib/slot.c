// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * slot.c - model slots: quiescent-state-based reclamation in user space.
 * Going online and synchronizing need a full barrier (a reader's store of
 * its epoch must be visible before it loads a model, and a writer's new
 * epoch before it reads the readers' epochs); everything else is acquire
 * and release.
 */
#include "mlib/slot.h"

#ifdef __KERNEL__
#define slot_full_barrier() smp_mb()
#else
#define slot_full_barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

int rmt_slots_init(struct rmt_slots *s, u32 n_slots, u32 n_readers)
{
	if (!n_slots || n_slots > RMT_SLOTS_MAX || !n_readers ||
	    n_readers > RMT_SLOTS_MAX_READERS)
		return -EINVAL;
	s->models = rmt_alloc(n_slots * sizeof(*s->models));
	s->readers = rmt_alloc(n_readers * sizeof(*s->readers));
	if (!s->models || !s->readers) {
		rmt_free(s->models);
		rmt_free(s->readers);
		return -ENOMEM;
	}
	s->n_slots = n_slots;
	s->n_readers = n_readers;
	s->epoch = 1;
	return 0;
}

void rmt_slots_destroy(struct rmt_slots *s)
{
	u32 i;

	for (i = 0; i < s->n_slots; i++)
		if (s->models[i])
			rmt_model_free(s->models[i]);
	rmt_free(s->models);
	rmt_free(s->readers);
	s->models = NULL;
	s->readers = NULL;
	s->n_slots = 0;
	s->n_readers = 0;
}

void rmt_slots_online(struct rmt_slots *s, u32 reader)
{
	rmt_store_release(&s->readers[reader].epoch,
			  rmt_load_acquire(&s->epoch));
	slot_full_barrier();
}

void rmt_slots_offline(struct rmt_slots *s, u32 reader)
{
	rmt_store_release(&s->readers[reader].epoch, (u64)0);
}

int rmt_slot_publish(struct rmt_slots *s, u32 slot, struct rmt_model *m,
		     struct rmt_model **old)
{
	if (slot >= s->n_slots)
		return -EINVAL;
	*old = s->models[slot];
	rmt_store_release(&s->models[slot], m);
	return 0;
}

void rmt_slots_synchronize(struct rmt_slots *s)
{
	u64 target = s->epoch + 1, e;
	u32 r;

	rmt_store_release(&s->epoch, target);
	slot_full_barrier();
	for (r = 0; r < s->n_readers; r++) {
		for (;;) {
			e = rmt_load_acquire(&s->readers[r].epoch);
			if (!e || e >= target)
				break;
			rmt_cpu_relax();
		}
	}
}

int rmt_slot_install(struct rmt_slots *s, u32 slot, struct rmt_model *m)
{
	struct rmt_model *old;
	int err = rmt_slot_publish(s, slot, m, &old);

	if (err)
		return err;
	if (old) {
		rmt_slots_synchronize(s);
		rmt_model_free(old);
	}
	return 0;
}
