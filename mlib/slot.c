// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * slot.c - model slots: publication and reclamation through the shared
 * RCU of port/rmt_rcu.h.
 */
#include "mlib/slot.h"

int rmt_slots_init(struct rmt_slots *s, u32 n_slots)
{
	if (!n_slots || n_slots > RMT_SLOTS_MAX)
		return -EINVAL;
	s->models = rmt_alloc(n_slots * sizeof(*s->models));
	if (!s->models)
		return -ENOMEM;
	s->n_slots = n_slots;
	return 0;
}

void rmt_slots_destroy(struct rmt_slots *s)
{
	u32 i;

	for (i = 0; i < s->n_slots; i++)
		if (s->models[i])
			rmt_model_free(s->models[i]);
	rmt_free(s->models);
	s->models = NULL;
	s->n_slots = 0;
}

int rmt_slot_publish(struct rmt_slots *s, u32 slot, struct rmt_model *m,
		     struct rmt_model **old)
{
	if (slot >= s->n_slots)
		return -EINVAL;
	*old = s->models[slot];
	rmt_rcu_assign(s->models[slot], m);
	return 0;
}

int rmt_slot_install(struct rmt_slots *s, u32 slot, struct rmt_model *m)
{
	struct rmt_model *old;
	int err = rmt_slot_publish(s, slot, m, &old);

	if (err)
		return err;
	if (old) {
		rmt_rcu_synchronize();
		rmt_model_free(old);
	}
	return 0;
}
