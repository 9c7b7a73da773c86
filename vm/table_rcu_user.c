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
 *
 * Where membarrier(2) is available, readers use a plain store and the
 * writer supplies the full barrier on their behalf (the asymmetric scheme
 * of liburcu's memb flavour), which takes the only fence off the read
 * path.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm/table_rcu.h"

#define RMT_RCU_MAX_READERS 512

u64 rmt_rcu_epoch = 1;
u32 rmt_rcu_asym;
_Thread_local struct rmt_rcu_reader *rmt_rcu_self;
static struct rmt_rcu_reader rmt_rcu_readers[RMT_RCU_MAX_READERS]
	__attribute__((aligned(RMT_FALSE_SHARING_SPAN)));

static long rmt_membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

/* Decided before main() runs, so every reader and writer agree. */
__attribute__((constructor)) static void rmt_rcu_init(void)
{
	if (!getenv("RMT_RCU_NO_MEMBARRIER") &&
	    rmt_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0)
		rmt_rcu_asym = 1;
}

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

	if (rmt_rcu_asym &&
	    rmt_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0) {
		fprintf(stderr, "rmt: membarrier failed after registering\n");
		abort();
	}

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
