// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * table_rcu_user.c - the user-space grace periods behind table_rcu.h.
 *
 * Each reading thread owns a slot holding the global epoch it saw when it
 * entered its outermost read section (0 when outside).  A writer that has
 * published a new pointer bumps the epoch and waits until every slot is
 * either 0 or at the new epoch: a reader that entered later must see the
 * new pointer (its epoch store and pointer load are ordered by a full
 * barrier, as the writer's publish and epoch bump are), so nothing older
 * can still be in use.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm/table_rcu.h"

#define RMT_RCU_MAX_READERS 512

u64 rmt_rcu_epoch = 1;
_Thread_local struct rmt_rcu_reader *rmt_rcu_self;
static struct rmt_rcu_reader rmt_rcu_readers[RMT_RCU_MAX_READERS]
	__attribute__((aligned(RMT_FALSE_SHARING_SPAN)));

struct rmt_rcu_reader *rmt_rcu_register(void)
{
	u32 i, free_slot;

	for (i = 0; i < RMT_RCU_MAX_READERS; i++) {
		free_slot = 0;
		if (__atomic_compare_exchange_n(
			    &rmt_rcu_readers[i].in_use, &free_slot, 1, false,
			    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			rmt_rcu_readers[i].nest = 0;
			rmt_rcu_self = &rmt_rcu_readers[i];
			return rmt_rcu_self;
		}
	}
	/* A fixed array keeps read_lock allocation-free; this is a bug. */
	fprintf(stderr, "rmt: more than %d threads read tables\n",
		RMT_RCU_MAX_READERS);
	abort();
}

void rmt_rcu_thread_offline(void)
{
	struct rmt_rcu_reader *r = rmt_rcu_self;

	if (!r)
		return;
	rmt_store_release(&r->epoch, 0);
	rmt_store_release(&r->in_use, 0);
	rmt_rcu_self = NULL;
}

void rmt_rcu_synchronize(void)
{
	u64 target = __atomic_add_fetch(&rmt_rcu_epoch, 1, __ATOMIC_SEQ_CST);
	u32 i, spins;
	u64 e;

	for (i = 0; i < RMT_RCU_MAX_READERS; i++) {
		if (!rmt_load_acquire(&rmt_rcu_readers[i].in_use))
			continue;
		for (spins = 0;; spins++) {
			e = rmt_load_acquire(&rmt_rcu_readers[i].epoch);
			if (e == 0 || e >= target)
				break;
			if (spins < 64)
				rmt_cpu_relax();
			else
				sched_yield();
		}
	}
}
