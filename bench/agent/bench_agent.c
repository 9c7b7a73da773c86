// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_agent.c - bench-agent: how fast the agent loop (agent/loop.h,
 * with the real learner) ingests fault events from a datapath's event
 * ring, against a plain drain of the same ring (the anchor: what rmt-run
 * does without an agent), and how long after the first event of a new
 * workload its first model is installed in the datapath.
 *
 * The datapath is the user-space one without the pager: memfd rings, a
 * statistics area, the control thread (uspace/control.h) in front of the
 * learned program, as rmt-run sets it up.  Events come from a fixed-seed
 * generator: 4 regions walked with strides of 1, 2, -1 and 3 pages,
 * interleaved at random; a producer thread writes them as fast as the
 * ring takes them (never dropping).  Each figure is the median of 5
 * repetitions, with the spread (min-max).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "agent/datapath.h"
#include "agent/loop.h"
#include "proto/ring.h"
#include "proto/user/ring_mem.h"
#include "uspace/control.h"
#include "uspace/rmt_prefetch.h"

#define REPS 5
#define N_EVENTS 1000000u
#define N_INSTALL 20000u /* events offered in the install runs */

struct dp_rig {
	struct rmt_ring_map ev, cmd;
	int stats_fd;
	struct rmt_us_stats *st;
	struct rmt_ring_prod prod;
	pthread_mutex_t lock;
	struct rmt_us_rmt_pf *pf;
	struct rmt_us_ctl *ctl;
};

struct producer {
	struct dp_rig *r;
	unsigned int n;
	u64 seed;
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

__attribute__((noreturn)) static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench-agent: %s: %s\n", what, why);
	exit(1);
}

static int put_reply(void *arg, const void *rec, uint32_t len)
{
	struct dp_rig *r = arg;
	int err;

	pthread_mutex_lock(&r->lock);
	err = rmt_ring_produce(&r->prod, RMT_MSG_REPLY, rec, len);
	pthread_mutex_unlock(&r->lock);
	return err;
}

static void rig_open(struct dp_rig *r, bool control)
{
	struct rmt_us_ctl_config cc = { .reply = put_reply,
					.reply_arg = r,
					.prefetcher = "learned" };
	char err[256] = "";

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	if (rmt_ring_memfd_create("ev", 4u << 20, 256, &r->ev) ||
	    rmt_ring_memfd_create("cmd", RMT_US_CMD_RING_DATA,
				  RMT_US_CMD_MAX_PAYLOAD, &r->cmd) ||
	    rmt_ring_prod_attach(&r->prod, r->ev.mem, r->ev.len))
		die("rings", "cannot create");
	r->stats_fd = memfd_create("stats", MFD_CLOEXEC);
	if (r->stats_fd < 0 || ftruncate(r->stats_fd, sizeof(*r->st)))
		die("stats", "cannot create");
	r->st = mmap(NULL, sizeof(*r->st), PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->stats_fd, 0);
	if (r->st == MAP_FAILED)
		die("stats", "cannot map");
	rmt_us_stats_init(r->st);
	if (!control)
		return;
	if (rmt_us_rmt_pf_open("learned", &r->pf, err, sizeof(err)))
		die("learned program", err);
	cc.cmd_mem = r->cmd.mem;
	cc.cmd_len = r->cmd.len;
	cc.stats = r->st;
	cc.target.priv = r->pf;
	cc.target.slot_inputs = rmt_us_rmt_pf_slot_inputs;
	cc.target.set_model = rmt_us_rmt_pf_install_model;
	if (rmt_us_ctl_create(&cc, true, &r->ctl))
		die("control thread", "cannot start");
}

static void rig_close(struct dp_rig *r)
{
	rmt_us_ctl_destroy(r->ctl);
	rmt_us_rmt_pf_close(r->pf);
	munmap(r->st, sizeof(*r->st));
	close(r->stats_fd);
	rmt_ring_unmap(&r->ev);
	rmt_ring_unmap(&r->cmd);
}

static u64 xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *produce(void *arg)
{
	static const s64 stride[4] = { 1, 2, -1, 3 };
	struct producer *p = arg;
	u64 pos[4] = { 0, 0, 60000, 0 }, seed = p->seed;
	struct rmt_msg_fault f = { .hook_id = 1, .tgid = 4242, .pid = 4242 };
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		unsigned int s = (unsigned int)(xorshift(&seed) & 3);
		u64 base = (u64)(s + 1) << 32;

		f.vma_start = base;
		f.vma_end = base + (1ull << 30);
		f.addr = base + (pos[s] << 12);
		f.time_ns = now_ns();
		f.flags = RMT_FAULT_MAJOR;
		pos[s] = (u64)((s64)pos[s] + stride[s]) & 0x3ffff;
		pthread_mutex_lock(&p->r->lock);
		while (rmt_ring_prod_room(&p->r->prod, 128) < 128) {
			pthread_mutex_unlock(&p->r->lock);
			sched_yield();
			pthread_mutex_lock(&p->r->lock);
		}
		rmt_ring_produce(&p->r->prod, RMT_MSG_FAULT, &f, sizeof(f));
		pthread_mutex_unlock(&p->r->lock);
	}
	return NULL;
}

/* The anchor: drain the ring as rmt-run does, events per second. */
static double plain_drain(void)
{
	struct producer p = { .n = N_EVENTS, .seed = 88172645463325252ull };
	struct rmt_msg_fault ev[512];
	struct rmt_ring_cons c;
	struct dp_rig r;
	pthread_t t;
	u64 got = 0, t0;
	int n;

	rig_open(&r, false);
	p.r = &r;
	rmt_ring_cons_attach(&c, r.ev.mem, r.ev.len);
	t0 = now_ns();
	pthread_create(&t, NULL, produce, &p);
	while (got < N_EVENTS) {
		n = rmt_ring_consume_burst(&c, RMT_MSG_FAULT, ev, sizeof(ev[0]),
					   512);
		if (n > 0)
			got += (u64)n;
		else
			usleep(1000);
	}
	pthread_join(t, NULL);
	rig_close(&r);
	return got / ((now_ns() - t0) / 1e9);
}

static void quiet(void *arg, const char *line)
{
}

/*
 * The agent on n events: events per second ingested, and the time from
 * its first event to its first installed model (ms, 0: none).
 */
static void agent_run(unsigned int n, double *per_s, double *install_ms)
{
	struct producer p = { .n = n, .seed = 88172645463325252ull };
	struct rmt_agent_config c = { .backend = "cpu", .log = quiet };
	struct rmt_agent_stats s;
	struct rmt_agent *a;
	struct rmt_dp *dp;
	struct dp_rig r;
	char err[256];
	pthread_t t;
	u64 t0;

	rig_open(&r, true);
	p.r = &r;
	if (rmt_dp_from_fds(r.ev.fd, r.cmd.fd, r.stats_fd, &dp, err,
			    sizeof(err)) ||
	    rmt_agent_start(dp, &c, &a, err, sizeof(err)))
		die("agent", err);
	t0 = now_ns();
	pthread_create(&t, NULL, produce, &p);
	do {
		usleep(1000);
		rmt_agent_stats(a, &s);
	} while (s.events < n);
	*per_s = n / ((now_ns() - t0) / 1e9);
	pthread_join(t, NULL);
	/* The first round may still be training: give it 10 s. */
	while (!s.first_install_ns && now_ns() - t0 < 10000000000ull) {
		usleep(1000);
		rmt_agent_stats(a, &s);
	}
	*install_ms = s.first_install_ns ?
			      (s.first_install_ns - s.first_event_ns) / 1e6 :
			      0;
	rmt_agent_stop(a);
	rmt_dp_detach(dp);
	rig_close(&r);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void summary(const char *what, double *v, const char *unit)
{
	qsort(v, REPS, sizeof(*v), cmp);
	printf("%-34s median %12.1f %s (min %.1f, max %.1f)\n", what,
	       v[REPS / 2], unit, v[0], v[REPS - 1]);
}

int main(void)
{
	double raw[REPS], ingest[REPS], inst[REPS], ingest_small, dummy;
	int i;

	printf("bench-agent: %u events per ingest run, %u per install run, "
	       "%d repetitions\n",
	       N_EVENTS, N_INSTALL, REPS);
	for (i = 0; i < REPS; i++) {
		raw[i] = plain_drain();
		agent_run(N_EVENTS, &ingest[i], &dummy);
		agent_run(N_INSTALL, &ingest_small, &inst[i]);
		if (!inst[i])
			die("install", "no model installed within 10 s");
	}
	summary("plain drain (anchor)", raw, "events/s");
	summary("agent ingest", ingest, "events/s");
	summary("first event to installed model", inst, "ms");
	printf("agent ingest / plain drain: %.3f\n",
	       ingest[REPS / 2] / raw[REPS / 2]);
	printf("RESULT ingest_per_s=%.0f data_to_install_ms=%.2f "
	       "drain_per_s=%.0f ingest_ratio=%.3f\n",
	       ingest[REPS / 2], inst[REPS / 2], raw[REPS / 2],
	       ingest[REPS / 2] / raw[REPS / 2]);
	return 0;
}
