/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * datapath_kmod.h - the kernel datapath behind struct rmt_dp (internal
 * to rmt_dp; agent/datapath.h is the interface): /dev/rmt's ioctls, its
 * event ring drained into the agent's fault events, models sent as
 * RMT_IOC_MODEL chunks, statistics from RMT_IOC_STATS.
 */
#ifndef RMT_AGENT_DATAPATH_KMOD_H
#define RMT_AGENT_DATAPATH_KMOD_H

#include <stddef.h>

#include "agent/datapath.h"
#include "vm/hook.h" /* before rmt_ioctl.h: the hook ids */
#include "kmod/rmt_ioctl.h"
#include "proto/ring.h"

struct rmt_dpk;

int rmt_dpk_open(const struct rmt_dp_kernel_opts *o, struct rmt_dpk **out,
		 char *err, size_t err_size);
void rmt_dpk_close(struct rmt_dpk *k);
int rmt_dpk_check(struct rmt_dpk *k);
int rmt_dpk_poll_faults(struct rmt_dpk *k, struct rmt_msg_fault *ev,
			unsigned int max);
u64 rmt_dpk_dropped(const struct rmt_dpk *k);
int rmt_dpk_install_model(struct rmt_dpk *k, u16 hook_id, u32 slot,
			  u64 model_id, const void *blob, size_t len, char *err,
			  size_t err_size);
int rmt_dpk_command(struct rmt_dpk *k, u32 op, u16 hook_id, u32 arg0, char *err,
		    size_t err_size);
int rmt_dpk_stats(struct rmt_dpk *k, struct rmt_dp_stats *out);

/*
 * Whether RMT_IOC_INFO's answer is a module this agent speaks to: 0, or
 * -EPROTO with what differs in err.
 */
int rmt_dpk_check_info(const struct rmt_ioc_info *info, char *err,
		       size_t err_size);

/*
 * Up to max fault records from the event ring ev, oldest first.  Records
 * that fail their checks (a malformed fault, an unknown type, a broken
 * ring, which is resynchronized) are skipped and counted in *corrupt;
 * the kernel's statistics records are skipped.
 */
int rmt_dpk_drain(struct rmt_ring_cons *ev, struct rmt_msg_fault *out,
		  unsigned int max, u64 *corrupt);

#endif /* RMT_AGENT_DATAPATH_KMOD_H */
