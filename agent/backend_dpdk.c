// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * backend_dpdk.c - the DPDK backend: jobs posted to worker lcores over an
 * rte_ring; whoever waits polls the results ring and completes the jobs
 * found there.  A full ring is -ENOBUFS at submit; workers that stopped
 * fail the jobs they left with -EPIPE instead of leaving waiters hanging.
 */
#include <stdio.h>
#include <stdlib.h>

#include "agent/backend_impl.h"
#include "offload/dpdk/dpdk.h"

#define DPDK_DEFAULT_RING 64u

struct dpdk_backend {
	struct rmt_dpdk *d;
	pthread_mutex_t mu; /* one poller, and in_flight, at a time */
};

static void finish(struct rmt_dpdk_msg *m)
{
	struct rmt_job *j = m->owner;

	j->start_ns = m->start_ns;
	free(m);
	rmt_job_complete(j);
}

static void drain(struct dpdk_backend *db)
{
	struct rmt_dpdk_msg *m;

	while ((m = rmt_dpdk_poll(db->d)))
		finish(m);
	while ((m = rmt_dpdk_orphan(db->d))) {
		rmt_job_cancel(m->owner, -EPIPE, "the DPDK workers stopped");
		free(m);
	}
}

static void dpdk_poll(struct rmt_backend *b)
{
	struct dpdk_backend *db = b->priv;

	pthread_mutex_lock(&db->mu);
	drain(db);
	pthread_mutex_unlock(&db->mu);
}

static int dpdk_submit(struct rmt_backend *b, struct rmt_job *j)
{
	struct dpdk_backend *db = b->priv;
	struct rmt_dpdk_msg *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return -ENOMEM;
	*m = (struct rmt_dpdk_msg){ .job = &j->job,
				    .res = &j->res,
				    .owner = j };
	pthread_mutex_lock(&db->mu);
	drain(db);
	rc = rmt_dpdk_post(db->d, m);
	pthread_mutex_unlock(&db->mu);
	if (rc)
		free(m);
	return rc;
}

static void dpdk_close(struct rmt_backend *b)
{
	struct dpdk_backend *db = b->priv;
	struct rmt_dpdk_msg *m;

	rmt_dpdk_stop(db->d);
	pthread_mutex_lock(&db->mu);
	while ((m = rmt_dpdk_poll(db->d)))
		finish(m);
	while ((m = rmt_dpdk_orphan(db->d))) {
		rmt_job_cancel(m->owner, -ECANCELED,
			       "backend closed before the job ran");
		free(m);
	}
	pthread_mutex_unlock(&db->mu);
	rmt_dpdk_free(db->d);
	pthread_mutex_destroy(&db->mu);
	free(db);
}

static const struct rmt_backend_ops dpdk_ops = {
	.submit = dpdk_submit,
	.poll = dpdk_poll,
	.close = dpdk_close,
};

int rmt_backend_dpdk_open(struct rmt_backend *b, char *why, size_t why_size)
{
	struct dpdk_backend *db = calloc(1, sizeof(*db));
	u32 ring = b->opts.dpdk_ring_size ? b->opts.dpdk_ring_size :
					    DPDK_DEFAULT_RING;
	int rc;

	if (!db) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	rc = rmt_dpdk_start(b->opts.dpdk_eal, ring, &db->d, why, why_size);
	if (rc) {
		free(db);
		return rc;
	}
	pthread_mutex_init(&db->mu, NULL);
	b->ops = &dpdk_ops;
	b->priv = db;
	b->info.kind = RMT_BACKEND_DPDK;
	b->info.name = "dpdk";
	snprintf(b->info.device, sizeof(b->info.device), "%s",
		 rmt_dpdk_describe(db->d));
	return 0;
}
