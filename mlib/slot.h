/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * slot.h - numbered model slots with RCU-style replacement.  Readers (hook
 * code) load a slot's model without locks; a writer (the control path)
 * publishes a new model and frees the old one only after every reader has
 * passed a quiescent state, so no reader can still hold it.
 *
 * User space implements quiescent-state-based reclamation: each reader
 * thread has an index, goes online before reading, reports quiescent
 * states between uses (rmt_slots_quiescent: one acquire load and one
 * release store), and goes offline before it blocks or exits.  The kernel
 * build maps the same calls onto RCU: get = rcu_dereference inside
 * rcu_read_lock, quiescent/offline = rcu_read_unlock, synchronize =
 * synchronize_rcu (see docs/mlib.md).  Writers are serialized by the
 * caller (one control path).
 */
#ifndef RMT_MLIB_SLOT_H
#define RMT_MLIB_SLOT_H

#include "mlib/model.h"

#define RMT_SLOTS_MAX 256u
#define RMT_SLOTS_MAX_READERS 256u

/* One reader's announced epoch, alone in its cache lines. */
struct rmt_slot_reader {
	u64 epoch; /* 0: offline; else the last epoch it observed */
	u8 pad[RMT_FALSE_SHARING_SPAN - sizeof(u64)];
};

struct rmt_slots {
	u32 n_slots;
	u32 n_readers;
	u64 epoch; /* starts at 1, advanced by every synchronize */
	struct rmt_model **models;
	struct rmt_slot_reader *readers;
};

/* Control path: allocate n_slots empty slots for n_readers reader ids. */
int rmt_slots_init(struct rmt_slots *s, u32 n_slots, u32 n_readers);
/* Free the slots and the models in them; no reader may be online. */
void rmt_slots_destroy(struct rmt_slots *s);

void rmt_slots_online(struct rmt_slots *s, u32 reader);
void rmt_slots_offline(struct rmt_slots *s, u32 reader);

/* The reader no longer uses any model it got before this call. */
static inline void rmt_slots_quiescent(struct rmt_slots *s, u32 reader)
{
	rmt_store_release(&s->readers[reader].epoch,
			  rmt_load_acquire(&s->epoch));
}

/*
 * The slot's model (NULL if empty or slot out of range), valid for an
 * online reader until its next quiescent state.
 */
static inline const struct rmt_model *rmt_slot_get(const struct rmt_slots *s,
						   u32 slot)
{
	if (rmt_unlikely(slot >= s->n_slots))
		return NULL;
	return rmt_load_acquire(&s->models[slot]);
}

/* Publish m (may be NULL) in slot and return the old model, not freed. */
int rmt_slot_publish(struct rmt_slots *s, u32 slot, struct rmt_model *m,
		     struct rmt_model **old);

/* Wait until every online reader has passed a quiescent state. */
void rmt_slots_synchronize(struct rmt_slots *s);

/* publish + synchronize + free the old model. */
int rmt_slot_install(struct rmt_slots *s, u32 slot, struct rmt_model *m);

#endif /* RMT_MLIB_SLOT_H */
