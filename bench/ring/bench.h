/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench.h - what the parts of bench-ring share: a harness that runs one
 * queue implementation's producer and consumer loops on two pinned
 * threads for a fixed time, and the spin-then-yield wait that keeps two
 * busy loops on one core from starving each other.
 */
#ifndef RMT_BENCH_RING_H
#define RMT_BENCH_RING_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct run_cfg {
	unsigned int payload; /* bytes per record, a multiple of 8 */
	unsigned int burst;
	double seconds;
};

struct harness {
	const struct run_cfg *cfg;
	void *impl;
	/* The producer stops at stop; the consumer drains until prod_done. */
	void (*produce)(struct harness *h);
	void (*consume)(struct harness *h);
	/*
	 * Each side's words on lines of their own, so the harness adds no
	 * false sharing of its own to what is measured; the loops count in
	 * locals and store the totals once at the end.
	 */
	_Alignas(128) atomic_bool start;
	atomic_bool stop;
	_Alignas(128) atomic_bool prod_done;
	uint64_t produced;
	_Alignas(128) uint64_t consumed;
	uint64_t checksum; /* consumer-side sum, so the copy is not elided */
	double t_end;
};

static inline void wait_a_little(unsigned int *spins)
{
	if (++*spins & 63)
		__builtin_ia32_pause();
	else
		sched_yield();
}

static inline bool should_stop(struct harness *h)
{
	return atomic_load_explicit(&h->stop, memory_order_relaxed);
}

double now_s(void);

int pipe_setup(struct harness *h);
void pipe_teardown(struct harness *h);
#ifdef RMT_HAVE_DPDK
int rte_anchor_init(void);
int rte_setup(struct harness *h);
void rte_teardown(struct harness *h);
#endif

#endif
