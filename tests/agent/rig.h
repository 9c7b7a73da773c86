/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* rig.h - the agent tests' in-process datapath (rig.c). */
#ifndef RMT_TESTS_AGENT_RIG_H
#define RMT_TESTS_AGENT_RIG_H

#include <pthread.h>

#include "agent/datapath.h"
#include "proto/ring.h"
#include "proto/user/ring_mem.h"
#include "uspace/control.h"
#include "uspace/rmt_prefetch.h"

struct rig {
	struct rmt_ring_map ev, cmd;
	int stats_fd;
	struct rmt_us_stats *st;
	struct rmt_ring_prod ev_prod;
	pthread_mutex_t lock;
	struct rmt_us_rmt_pf *pf;
	struct rmt_us_ctl *ctl;
	struct rmt_dp *dp;
};

extern struct rig R;

/* Criterion .init: with the control thread and an agent handle, or not. */
void rig_with_thread(void);
void rig_without_thread(void);
void rig_teardown(void);
/* Puts a record on the event ring, as the pager does (locked). */
int rig_put_reply(void *arg, const void *rec, uint32_t len);
/* A model blob answering class k whatever it reads. */
u8 *rig_const_model(u16 n_features, s32 k, size_t *len);
/* Pages slot.rmt's pipeline prefetches for one fault. */
int rig_decide(void);

#endif /* RMT_TESTS_AGENT_RIG_H */
