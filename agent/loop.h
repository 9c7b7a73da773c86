/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * loop.h - the agent: one implementation of the learning loop, used by
 * the daemon (`rmt-agent --attach`) and in-process by `rmt-run
 * --prefetcher learned`.  It drains a datapath's event ring continuously
 * (agent/datapath.h), keeps one learner (agent/learn.h) per workload key
 * (hook, cgroup or process), trains in the background on a backend
 * (agent/backend.h) without stalling the draining, verifies and installs
 * promoted models, records them in the registry, watches their live
 * accuracy and rolls back on a regression, and logs every decision
 * (promote, reject and why, rollback) as one structured line.
 */
#ifndef RMT_AGENT_LOOP_H
#define RMT_AGENT_LOOP_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/backend.h"
#include "agent/learn.h"

struct rmt_dp;

struct rmt_agent_config {
	const char *backend; /* "auto", "cpu", "cuda", "dpdk"; NULL: "cpu" */
	const struct rmt_backend_opts *backend_opts; /* NULL: defaults */
	const char *registry; /* directory, NULL: none */
	struct rmt_learner_config learn;
	/* Decision log: one line each; NULL: stderr. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
};

struct rmt_agent;

/* Starts the loop on its own threads; dp stays the caller's. */
int rmt_agent_start(struct rmt_dp *dp, const struct rmt_agent_config *c,
		    struct rmt_agent **out, char *err, size_t err_size);
/* Drains what is left, stops the threads; the datapath keeps its model. */
void rmt_agent_stop(struct rmt_agent *a);

struct rmt_agent_stats {
	u64 events; /* fault events ingested */
	u64 dropped; /* events the datapath dropped */
	u64 rounds, promoted, rejected, rolled_back;
	u64 models_installed;
	u64 first_event_ns, first_install_ns; /* CLOCK_MONOTONIC, 0: none */
	/* What trains now: "cpu" until the backend asked for is ready. */
	char backend[8];
	char device[160];
};
void rmt_agent_stats(struct rmt_agent *a, struct rmt_agent_stats *out);

#endif /* RMT_AGENT_LOOP_H */
