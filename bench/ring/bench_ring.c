// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_ring.c - bench-ring: records per second through our ring, DPDK's
 * rte_ring and a pipe, producer and consumer pinned to two cores, for
 * 8-, 16- and 64-byte payloads in bursts of 1 and 32 (the inputs of
 * BENCHMARKS.md).  Implementations alternate within each configuration so
 * that machine noise hits them alike; the median of the repetitions and
 * their spread are printed, with our ring's ratio to rte_ring.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "proto/ring.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPS 64
#define RTE_SLOTS 4096 /* our ring holds at least as many records */

enum impl {
	IMPL_RMT,
	IMPL_RTE,
	IMPL_PIPE,
	NR_IMPLS
};
static const char *const impl_names[NR_IMPLS] = { "rmt_ring", "rte_ring",
						  "pipe" };

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* ---- our ring ---- */

struct rmt_impl {
	void *mem;
	size_t len;
};

static void rmt_produce(struct harness *h)
{
	struct rmt_impl *r = h->impl;
	struct rmt_ring_prod p;
	unsigned int payload = h->cfg->payload, n = h->cfg->burst, k;
	unsigned int spins = 0;
	u64 need = (u64)(n + 1) * rmt_rec_footprint(payload);
	u64 objs[64 * 32 / 8] = { 0 }, seq = 0;

	rmt_ring_prod_attach(&p, r->mem, r->len);
	while (!should_stop(h)) {
		for (k = 0; k < n; k++, seq++)
			objs[k * payload / 8] = seq;
		while (rmt_ring_prod_room(&p, need) < need)
			wait_a_little(&spins);
		rmt_ring_produce_burst(&p, 1, objs, payload, n);
	}
	h->produced = seq;
}

static void rmt_consume(struct harness *h)
{
	struct rmt_impl *r = h->impl;
	struct rmt_ring_cons c;
	unsigned int payload = h->cfg->payload, n = h->cfg->burst, spins = 0;
	u64 out[64 * 32 / 8], consumed = 0, sum = 0;
	int got;

	rmt_ring_cons_attach(&c, r->mem, r->len);
	for (;;) {
		/* Read before taking: done and empty then means finished. */
		bool done = atomic_load(&h->prod_done);

		got = rmt_ring_consume_burst(&c, 1, out, payload, n);
		if (got > 0) {
			consumed += (u64)got;
			sum += out[0];
		} else if (got < 0) {
			fprintf(stderr, "bench-ring: ring corrupt\n");
			abort();
		} else if (done) {
			break;
		} else {
			wait_a_little(&spins);
		}
	}
	h->consumed = consumed;
	h->checksum = sum;
}

static u32 rmt_data_size(unsigned int payload)
{
	u32 size = RMT_RING_MIN_SIZE;

	while (size < RTE_SLOTS * rmt_rec_footprint(payload))
		size <<= 1;
	return size;
}

static int rmt_setup(struct harness *h)
{
	struct rmt_impl *r = calloc(1, sizeof(*r));
	u32 size = rmt_data_size(h->cfg->payload);

	if (!r)
		return -1;
	r->len = rmt_ring_mem_size(size);
	r->mem = aligned_alloc(4096, RMT_ALIGN_UP(r->len, (size_t)4096));
	if (!r->mem || rmt_ring_format(r->mem, r->len, size, size / 4)) {
		free(r->mem);
		free(r);
		return -1;
	}
	h->impl = r;
	h->produce = rmt_produce;
	h->consume = rmt_consume;
	return 0;
}

static void rmt_teardown(struct harness *h)
{
	struct rmt_impl *r = h->impl;

	free(r->mem);
	free(r);
}

/* ---- the harness ---- */

static void *producer_thread(void *arg)
{
	struct harness *h = arg;

	pin_to_cpu(0);
	while (!atomic_load(&h->start))
		;
	h->produce(h);
	atomic_store(&h->prod_done, true);
	return NULL;
}

static void *consumer_thread(void *arg)
{
	struct harness *h = arg;

	pin_to_cpu(1);
	while (!atomic_load(&h->start))
		;
	h->consume(h);
	h->t_end = now_s();
	return NULL;
}

/* One timed run; records per second, or a negative value on failure. */
static double run_once(enum impl which, const struct run_cfg *cfg)
{
	struct harness h = { .cfg = cfg };
	struct timespec nap = { (time_t)cfg->seconds,
				(long)((cfg->seconds - (time_t)cfg->seconds) *
				       1e9) };
	pthread_t prod, cons;
	double t0, rate;
	int err;

	atomic_init(&h.start, false);
	atomic_init(&h.stop, false);
	atomic_init(&h.prod_done, false);
	switch (which) {
	case IMPL_RMT:
		err = rmt_setup(&h);
		break;
#ifdef RMT_HAVE_DPDK
	case IMPL_RTE:
		err = rte_setup(&h);
		break;
#endif
	case IMPL_PIPE:
		err = pipe_setup(&h);
		break;
	default:
		return -1;
	}
	if (err)
		return -1;
	pthread_create(&prod, NULL, producer_thread, &h);
	pthread_create(&cons, NULL, consumer_thread, &h);
	t0 = now_s();
	atomic_store(&h.start, true);
	nanosleep(&nap, NULL);
	atomic_store(&h.stop, true);
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	rate = (double)h.consumed / (h.t_end - t0);
	if (h.consumed != h.produced) {
		fprintf(stderr, "bench-ring: %s lost records (%llu of %llu)\n",
			impl_names[which], (unsigned long long)h.consumed,
			(unsigned long long)h.produced);
		rate = -1;
	}
	switch (which) {
	case IMPL_RMT:
		rmt_teardown(&h);
		break;
#ifdef RMT_HAVE_DPDK
	case IMPL_RTE:
		rte_teardown(&h);
		break;
#endif
	default:
		pipe_teardown(&h);
		break;
	}
	return rate;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench-ring [--quick] [--seconds S] [--reps N] [--payload 8|16|64]\n"
		"                  [--burst 1|32]\n"
		"  Records per second through rmt's ring, DPDK's rte_ring and a pipe,\n"
		"  producer and consumer on two cores; payloads 8, 16, 64 bytes,\n"
		"  bursts 1 and 32.  --seconds is per repetition (default 0.4),\n"
		"  --reps the repetitions per configuration (default 5, at least 5).\n"
		"  --quick: 0.05 s repetitions.  --payload and --burst run one\n"
		"  configuration only.\n");
}

int main(int argc, char **argv)
{
	static const unsigned int payloads[] = { 8, 16, 64 },
				  bursts[] = { 1, 32 };
	double seconds = 0.4, ratio_16 = -1, ratio_64 = -1, ns_16 = -1;
	unsigned int only_payload = 0, only_burst = 0;
	int reps = 5, i, have_rte = 0;
	size_t pi, bi;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			seconds = 0.05;
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--payload") && i + 1 < argc) {
			only_payload = (unsigned int)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--burst") && i + 1 < argc) {
			only_burst = (unsigned int)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bench-ring: unknown argument '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (seconds <= 0 || seconds > 60 || reps < 5 || reps > MAX_REPS) {
		fprintf(stderr,
			"bench-ring: --seconds must be in (0, 60], --reps in [5, %d]\n",
			MAX_REPS);
		return 2;
	}
#ifdef RMT_HAVE_DPDK
	have_rte = rte_anchor_init() == 0;
#endif
	if (!have_rte)
		printf("note: DPDK's rte_ring is not available; ratios to it are 'na'\n");
	printf("%-9s %7s %5s %12s %21s %9s %10s\n", "queue", "payload", "burst",
	       "Mrec/s", "spread (min-max)", "ns/rec", "vs rte");
	for (pi = 0; pi < sizeof(payloads) / sizeof(payloads[0]); pi++) {
		for (bi = 0; bi < sizeof(bursts) / sizeof(bursts[0]); bi++) {
			struct run_cfg cfg = { payloads[pi], bursts[bi],
					       seconds };
			double rates[NR_IMPLS][MAX_REPS], med[NR_IMPLS];
			int w, r;

			if ((only_payload && cfg.payload != only_payload) ||
			    (only_burst && cfg.burst != only_burst))
				continue;
			for (r = 0; r < reps; r++)
				for (w = 0; w < NR_IMPLS; w++)
					rates[w][r] =
						(w == IMPL_RTE && !have_rte) ?
							-1 :
							run_once(w, &cfg);
			for (w = 0; w < NR_IMPLS; w++) {
				qsort(rates[w], (size_t)reps, sizeof(double),
				      cmp_double);
				med[w] = rates[w][reps / 2];
			}
			for (w = 0; w < NR_IMPLS; w++) {
				char vs[16] = "na";

				if (med[w] <= 0)
					continue;
				if (med[IMPL_RTE] > 0)
					snprintf(vs, sizeof(vs), "%.2fx",
						 med[w] / med[IMPL_RTE]);
				printf("%-9s %7u %5u %12.1f %9.1f - %9.1f %9.2f %10s\n",
				       impl_names[w], cfg.payload, cfg.burst,
				       med[w] / 1e6, rates[w][0] / 1e6,
				       rates[w][reps - 1] / 1e6, 1e9 / med[w],
				       vs);
			}
			if (med[IMPL_RMT] <= 0) {
				fprintf(stderr,
					"bench-ring: our ring failed\n");
				return 1;
			}
			if (cfg.burst == 32 && cfg.payload == 16) {
				ns_16 = 1e9 / med[IMPL_RMT];
				if (med[IMPL_RTE] > 0)
					ratio_16 =
						med[IMPL_RMT] / med[IMPL_RTE];
			}
			if (cfg.burst == 32 && cfg.payload == 64 &&
			    med[IMPL_RTE] > 0)
				ratio_64 = med[IMPL_RMT] / med[IMPL_RTE];
		}
	}
	printf("RESULT ring_vs_rte_ring_16B_b32=");
	ratio_16 > 0 ? printf("%.2f", ratio_16) : printf("na");
	printf(" ring_vs_rte_ring_64B_b32=");
	ratio_64 > 0 ? printf("%.2f", ratio_64) : printf("na");
	printf(" ring_16B_b32_ns=%.2f\n", ns_16);
	return 0;
}
