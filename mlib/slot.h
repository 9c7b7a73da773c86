/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * slot.h - numbered model slots with RCU replacement.  Readers (hook code)
 * load a slot's model inside an RCU read section (port/rmt_rcu.h) without
 * locks; a writer (the control path) publishes a new model and frees the
 * old one only after a grace period, so no reader can still hold it.  The
 * same grace periods serve tables and pipelines: RCU in the kernel, epochs
 * in user space.  Writers are serialized by the caller (one control path).
 */
#ifndef RMT_MLIB_SLOT_H
#define RMT_MLIB_SLOT_H

#include "mlib/model.h"
#include "port/rmt_rcu.h"

#define RMT_SLOTS_MAX 256u

struct rmt_slots {
	u32 n_slots;
	struct rmt_model **models;
};

/* Control path: allocate n_slots empty slots. */
int rmt_slots_init(struct rmt_slots *s, u32 n_slots);
/* Free the slots and the models in them; no reader may be left. */
void rmt_slots_destroy(struct rmt_slots *s);

/*
 * The slot's model (NULL if empty or slot out of range), valid until the
 * reader leaves its rmt_rcu_read_lock() section.
 */
static inline const struct rmt_model *rmt_slot_get(const struct rmt_slots *s,
						   u32 slot)
{
	if (rmt_unlikely(slot >= s->n_slots))
		return NULL;
	return rmt_rcu_dereference(s->models[slot]);
}

/* Publish m (may be NULL) in slot and return the old model, not freed. */
int rmt_slot_publish(struct rmt_slots *s, u32 slot, struct rmt_model *m,
		     struct rmt_model **old);

/* publish + wait for a grace period + free the old model. */
int rmt_slot_install(struct rmt_slots *s, u32 slot, struct rmt_model *m);

#endif /* RMT_MLIB_SLOT_H */
