/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dpdk.h - training on DPDK worker lcores, which stand for the cores of
 * a SmartNIC: jobs go to the workers over one rte_ring, results come back
 * over another.  The EAL starts once per process (a DPDK rule), so
 * rmt_dpdk_start succeeds at most once.  Nothing here includes DPDK's
 * headers, so callers build without them.
 */
#ifndef RMT_OFFLOAD_DPDK_H
#define RMT_OFFLOAD_DPDK_H

#include "offload/train/job.h"

#define RMT_DPDK_DEFAULT_EAL                                          \
	"-l 0-1 --no-huge --no-pci -m 64 --no-shconf --no-telemetry " \
	"--iova-mode=va"

/* A job in flight: the worker fills res and start_ns. */
struct rmt_dpdk_msg {
	const struct rmt_train_job *job;
	struct rmt_train_result *res;
	void *owner;
	u64 start_ns;
};

struct rmt_dpdk;

/*
 * eal: blank-separated EAL arguments (NULL: RMT_DPDK_DEFAULT_EAL); at
 * most ring_size jobs may be posted and not yet polled back.  The calling
 * thread keeps its CPU affinity (the EAL would pin it to the main lcore).
 */
int rmt_dpdk_start(const char *eal, u32 ring_size, struct rmt_dpdk **out,
		   char *err, size_t err_size);
/* -ENOBUFS when ring_size jobs are in flight; -EPIPE: no worker runs. */
int rmt_dpdk_post(struct rmt_dpdk *d, struct rmt_dpdk_msg *m);
/* A finished job, or NULL.  One thread at a time. */
struct rmt_dpdk_msg *rmt_dpdk_poll(struct rmt_dpdk *d);
/* Jobs the workers can no longer run (they stopped): one at a time. */
struct rmt_dpdk_msg *rmt_dpdk_orphan(struct rmt_dpdk *d);
/* Stops the workers (each finishes its job first); then poll and orphan
 * hand back what is left, and rmt_dpdk_free ends the EAL. */
void rmt_dpdk_stop(struct rmt_dpdk *d);
void rmt_dpdk_free(struct rmt_dpdk *d);
/* "1 worker lcore (1) on CPU 1", for the logs. */
const char *rmt_dpdk_describe(const struct rmt_dpdk *d);

#endif /* RMT_OFFLOAD_DPDK_H */
