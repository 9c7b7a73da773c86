// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dpdk.c - the EAL, the two rings and the worker lcores.  Workers run the
 * CPU engine; when idle they back off from rte_pause to short sleeps, so
 * that on a machine with few cores they leave the CPU to the agent.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "offload/dpdk/dpdk.h"

#define MAX_EAL_ARGS 64
#define IDLE_SPINS 200u
#define IDLE_NAP_NS 50000

struct rmt_dpdk {
	struct rte_ring *jobs, *results;
	u32 ring_size, in_flight, n_workers;
	atomic_bool stop;
	atomic_uint running; /* workers launched and not yet returned */
	char describe[160];
};

static atomic_bool eal_used;

static void nap(u32 *idle)
{
	struct timespec ts = { 0, IDLE_NAP_NS };

	if (++*idle < IDLE_SPINS)
		rte_pause();
	else
		nanosleep(&ts, NULL);
}

static int worker_main(void *arg)
{
	struct rmt_dpdk *d = arg;
	struct rmt_dpdk_msg *m;
	struct rmt_engine e;
	char name[64];
	u32 idle = 0;
	void *obj;

	snprintf(name, sizeof(name), "dpdk lcore %u (cpu %d)", rte_lcore_id(),
		 sched_getcpu());
	if (rmt_engine_cpu_init(&e, name)) {
		atomic_fetch_sub(&d->running, 1);
		return -ENOMEM;
	}
	while (!atomic_load(&d->stop)) {
		if (rte_ring_dequeue(d->jobs, &obj)) {
			nap(&idle);
			continue;
		}
		idle = 0;
		m = obj;
		m->start_ns = rmt_train_now_ns();
		rmt_train_run(m->job, &e, m->res);
		/* The results ring holds every job in flight: this succeeds. */
		while (rte_ring_enqueue(d->results, m))
			rte_pause();
	}
	atomic_fetch_sub(&d->running, 1);
	rmt_engine_cpu_fini(&e);
	return 0;
}

/* Split args into argv (in place); returns argc or -E2BIG. */
static int split_args(char *args, char **argv)
{
	int argc = 1;
	char *save = NULL, *tok;

	argv[0] = "rmt-agent";
	for (tok = strtok_r(args, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (argc == MAX_EAL_ARGS - 1)
			return -E2BIG;
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	return argc;
}

static int start_eal(const char *eal, char *err, size_t err_size)
{
	char *copy = strdup(eal), *argv[MAX_EAL_ARGS];
	cpu_set_t cpus;
	int argc, rc;
	bool pinned;

	if (!copy)
		return -ENOMEM;
	argc = split_args(copy, argv);
	if (argc < 0) {
		snprintf(err, err_size, "more than %d EAL arguments",
			 MAX_EAL_ARGS - 2);
		free(copy);
		return -E2BIG;
	}
	if (!strstr(eal, "--log-level"))
		rte_log_set_global_level(RTE_LOG_WARNING);
	pinned = !pthread_getaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	rc = rte_eal_init(argc, argv);
	if (pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	free(copy);
	if (rc < 0) {
		snprintf(err, err_size, "the EAL did not start (%s): %s", eal,
			 rte_strerror(rte_errno));
		return -ENODEV;
	}
	return 0;
}

static int make_rings(struct rmt_dpdk *d, char *err, size_t err_size)
{
	d->jobs = rte_ring_create("rmt_jobs", d->ring_size, SOCKET_ID_ANY,
				  RING_F_EXACT_SZ);
	d->results = rte_ring_create("rmt_results", d->ring_size, SOCKET_ID_ANY,
				     RING_F_EXACT_SZ);
	if (!d->jobs || !d->results) {
		snprintf(err, err_size, "no rte_ring of %u jobs: %s",
			 d->ring_size, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static int launch_workers(struct rmt_dpdk *d, char *err, size_t err_size)
{
	unsigned int lc;
	int len = 0;
	char cores[96] = "";

	/* Counted before they run, so that a post never races their start. */
	atomic_store(&d->running, rte_lcore_count() - 1);
	RTE_LCORE_FOREACH_WORKER(lc)
	{
		if (rte_eal_remote_launch(worker_main, d, lc)) {
			atomic_fetch_sub(&d->running, 1);
			continue;
		}
		d->n_workers++;
		if (len < (int)sizeof(cores) - 12)
			len += snprintf(cores + len, sizeof(cores) - len,
					"%s%u", len ? "," : "", lc);
	}
	if (!d->n_workers) {
		snprintf(err, err_size,
			 "no worker lcore (give -l with two cores or more)");
		return -ENODEV;
	}
	snprintf(d->describe, sizeof(d->describe),
		 "%u worker lcore%s (%s) beside main lcore %u", d->n_workers,
		 d->n_workers > 1 ? "s" : "", cores, rte_get_main_lcore());
	return 0;
}

int rmt_dpdk_start(const char *eal, u32 ring_size, struct rmt_dpdk **out,
		   char *err, size_t err_size)
{
	struct rmt_dpdk *d;
	int rc;

	*out = NULL;
	if (!ring_size || ring_size > 65536) {
		snprintf(err, err_size, "ring size %u: need 1 to 65536",
			 ring_size);
		return -EINVAL;
	}
	if (atomic_exchange(&eal_used, true)) {
		snprintf(err, err_size,
			 "the DPDK EAL runs once per process and was used");
		return -EALREADY;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ring_size = ring_size;
	rc = start_eal(eal ? eal : RMT_DPDK_DEFAULT_EAL, err, err_size);
	if (rc) {
		free(d);
		return rc;
	}
	rc = make_rings(d, err, err_size);
	if (!rc)
		rc = launch_workers(d, err, err_size);
	if (rc) {
		rmt_dpdk_stop(d);
		rmt_dpdk_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int rmt_dpdk_post(struct rmt_dpdk *d, struct rmt_dpdk_msg *m)
{
	if (d->in_flight >= d->ring_size)
		return -ENOBUFS;
	if (atomic_load(&d->stop) || !atomic_load(&d->running))
		return -EPIPE;
	if (rte_ring_enqueue(d->jobs, m))
		return -ENOBUFS;
	d->in_flight++;
	return 0;
}

struct rmt_dpdk_msg *rmt_dpdk_poll(struct rmt_dpdk *d)
{
	void *obj;

	if (!d->results || rte_ring_dequeue(d->results, &obj))
		return NULL;
	d->in_flight--;
	return obj;
}

struct rmt_dpdk_msg *rmt_dpdk_orphan(struct rmt_dpdk *d)
{
	void *obj;

	if (!d->jobs || atomic_load(&d->running) ||
	    rte_ring_dequeue(d->jobs, &obj))
		return NULL;
	d->in_flight--;
	return obj;
}

void rmt_dpdk_stop(struct rmt_dpdk *d)
{
	atomic_store(&d->stop, true);
	rte_eal_mp_wait_lcore();
}

void rmt_dpdk_free(struct rmt_dpdk *d)
{
	rte_ring_free(d->jobs);
	rte_ring_free(d->results);
	rte_eal_cleanup();
	free(d);
}

const char *rmt_dpdk_describe(const struct rmt_dpdk *d)
{
	return d->describe;
}
