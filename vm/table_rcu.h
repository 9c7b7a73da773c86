/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * table_rcu.h - the read-copy-update interface tables and hooks use: RCU
 * itself in the kernel, an epoch scheme (table_rcu_user.c) in user space.
 *
 * Readers bracket every use of published data with rmt_rcu_read_lock()
 * and rmt_rcu_read_unlock() (nestable, no lock, no allocation after a
 * thread's first use); writers publish with rmt_rcu_assign() and call
 * rmt_rcu_synchronize() before freeing what readers may still see.
 */
#ifndef RMT_VM_TABLE_RCU_H
#define RMT_VM_TABLE_RCU_H

#include "port/rmt_port.h"

#ifdef __KERNEL__

#include <linux/rcupdate.h>

#define rmt_rcu_read_lock() rcu_read_lock()
#define rmt_rcu_read_unlock() rcu_read_unlock()
#define rmt_rcu_synchronize() synchronize_rcu()
#define rmt_rcu_dereference(p) rcu_dereference(p)
#define rmt_rcu_assign(p, v) rcu_assign_pointer(p, v)
#define rmt_rcu_thread_offline() \
	do {                     \
	} while (0)

#else

/* A reader's slot: epoch 0 means quiescent. */
struct rmt_rcu_reader {
	u64 epoch;
	u32 nest;
	u32 in_use;
	u8 pad[RMT_FALSE_SHARING_SPAN - 16];
};

extern u64 rmt_rcu_epoch;
/* The writer forces barriers on readers with membarrier(2) when it can. */
extern u32 rmt_rcu_asym;
extern _Thread_local struct rmt_rcu_reader *rmt_rcu_self;

struct rmt_rcu_reader *rmt_rcu_register(void);
void rmt_rcu_synchronize(void);
/* Give this thread's reader slot back (call before a thread exits). */
void rmt_rcu_thread_offline(void);

static inline void rmt_rcu_read_lock(void)
{
	struct rmt_rcu_reader *r = rmt_rcu_self;

	if (rmt_unlikely(!r))
		r = rmt_rcu_register();
	if (r->nest++)
		return;
	if (rmt_likely(rmt_rcu_asym)) {
		RMT_WRITE_ONCE(r->epoch, rmt_load_acquire(&rmt_rcu_epoch));
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} else {
		/* The exchange orders the store before the pointer loads. */
		__atomic_exchange_n(&r->epoch, rmt_load_acquire(&rmt_rcu_epoch),
				    __ATOMIC_SEQ_CST);
	}
}

static inline void rmt_rcu_read_unlock(void)
{
	struct rmt_rcu_reader *r = rmt_rcu_self;

	if (--r->nest == 0)
		rmt_store_release(&r->epoch, 0);
}

#define rmt_rcu_dereference(p) rmt_load_acquire(&(p))
#define rmt_rcu_assign(p, v) rmt_store_release(&(p), (v))

#endif /* __KERNEL__ */

#endif /* RMT_VM_TABLE_RCU_H */
