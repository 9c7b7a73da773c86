// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rte_anchor.c - DPDK's rte_ring as bench-ring's anchor: single producer,
 * single consumer, elements of the payload size, moved with
 * rte_ring_enqueue_burst_elem / rte_ring_dequeue_burst_elem.  The EAL runs
 * without hugepages or PCI devices, so any Linux machine can run it.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <stdio.h>
#include <string.h>

#define RTE_SLOTS 4096
#define MAX_ELEMS (64 * 32 / 8)

int rte_anchor_init(void)
{
	char *argv[] = { "bench-ring",
			 "-l",
			 "0-1",
			 "--no-huge",
			 "--no-pci",
			 "-m",
			 "64",
			 "--no-shconf",
			 "--no-telemetry",
			 "--iova-mode=va",
			 "--log-level=lib.eal:error",
			 NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "bench-ring: DPDK EAL failed to start: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void rte_produce(struct harness *h)
{
	struct rte_ring *r = h->impl;
	unsigned int esize = h->cfg->payload, n = h->cfg->burst, done,
		     spins = 0;
	uint64_t objs[MAX_ELEMS] = { 0 }, seq = 0;
	unsigned int k;

	while (!should_stop(h)) {
		for (k = 0; k < n; k++, seq++)
			objs[k * esize / 8] = seq;
		for (done = 0; done < n;) {
			unsigned int w = rte_ring_enqueue_burst_elem(
				r, (char *)objs + (size_t)done * esize, esize,
				n - done, NULL);
			done += w;
			if (!w)
				wait_a_little(&spins);
		}
	}
	h->produced = seq;
}

static void rte_consume(struct harness *h)
{
	struct rte_ring *r = h->impl;
	unsigned int esize = h->cfg->payload, n = h->cfg->burst, got, spins = 0;
	uint64_t objs[MAX_ELEMS], consumed = 0, sum = 0;

	for (;;) {
		/* Read before dequeuing: done and empty then means finished. */
		bool done = atomic_load(&h->prod_done);

		got = rte_ring_dequeue_burst_elem(r, objs, esize, n, NULL);
		if (got) {
			consumed += got;
			sum += objs[0];
		} else if (done) {
			break;
		} else {
			wait_a_little(&spins);
		}
	}
	h->consumed = consumed;
	h->checksum = sum;
}

int rte_setup(struct harness *h)
{
	struct rte_ring *r = rte_ring_create_elem(
		"bench", h->cfg->payload, RTE_SLOTS, SOCKET_ID_ANY,
		RING_F_SP_ENQ | RING_F_SC_DEQ);

	if (!r) {
		fprintf(stderr, "bench-ring: rte_ring_create_elem: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	h->impl = r;
	h->produce = rte_produce;
	h->consume = rte_consume;
	return 0;
}

void rte_teardown(struct harness *h)
{
	rte_ring_free(h->impl);
}
