/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * stats.h - the pager's statistics.  Kept in one flat structure that may
 * live in shared memory (rmt-run maps it from a memfd), written only by
 * the pager's fault thread, read by anyone after the run.
 */
#ifndef RMT_US_STATS_H
#define RMT_US_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "uspace/hist.h"

#define RMT_US_STATS_MAGIC 0x524d545553544154ull /* "RMTUSTAT" */

/* Fault kinds, for the per-kind cost of the fault path. */
enum rmt_us_kind {
	RMT_US_FIRST_TOUCH, /* never written before: a zero page, locally */
	RMT_US_MISS, /* fetched from far memory on demand */
	RMT_US_HIT, /* found in the prefetch cache */
	RMT_US_REF, /* inactive page touched: reference sample */
	RMT_US_KINDS,
};

#define RMT_US_SNAP_TABLES 8u
#define RMT_US_SNAP_ENTRIES 16u /* the busiest entries of a table */
#define RMT_US_SNAP_NAME 32u

struct rmt_us_entry_snap {
	uint32_t slot;
	uint32_t reserved;
	uint64_t hits;
};

struct rmt_us_table_snap {
	char name[RMT_US_SNAP_NAME];
	uint64_t lookups, hits, misses;
	uint32_t entries, capacity;
	uint32_t n_top;
	uint32_t reserved;
	struct rmt_us_entry_snap top[RMT_US_SNAP_ENTRIES];
};

/*
 * The running program's counters, copied by the control thread a few
 * times a second for viewers (rmtctl stats).  seq is odd while a copy is
 * being written: a reader retries until it sees the same even value
 * before and after its copy.
 */
struct rmt_us_pipe_snap {
	uint64_t seq;
	uint64_t time_ns;
	char program[RMT_US_SNAP_NAME];
	uint64_t runs, stops, faults;
	uint32_t n_tables;
	uint32_t reserved;
	struct rmt_us_table_snap tables[RMT_US_SNAP_TABLES];
};

struct rmt_us_stats {
	uint64_t magic;
	uint64_t hits; /* first accesses to prefetched pages */
	uint64_t late_hits; /* ... whose fetch had not completed yet */
	uint64_t misses; /* waited for the backing store */
	uint64_t first_touch;
	uint64_t ref_faults;
	uint64_t prefetched; /* pages fetched ahead */
	uint64_t unused_evicted; /* prefetched, evicted before any use */
	uint64_t staged_now; /* prefetched, still waiting for a use */
	uint64_t evictions; /* pages written to far memory */
	uint64_t deactivations;
	uint64_t moved_out; /* deactivated pages moved, not copied */
	uint64_t gone_at_eviction; /* active, yet unmapped when evicted */
	uint64_t evict_moves; /* 1: pages move (UFFDIO_MOVE), 0: copied */
	uint64_t wp_faults; /* writes racing an eviction */
	uint64_t hook_calls;
	uint64_t hook_errors;
	uint64_t prefetch_skipped; /* asked for, not in far memory */
	uint64_t ring_dropped;
	/* Written by the control thread (control.h) only. */
	uint64_t models_installed; /* model blobs accepted and installed */
	uint64_t models_rejected; /* blobs refused, with a reply saying why */
	uint64_t model_id; /* of the model in use, 0: none */
	uint64_t first_model_ns; /* when the first came, after ready_ns */
	uint64_t commands; /* commands and blobs answered */
	uint64_t limit_pages;
	uint64_t peak_resident;
	uint64_t far_bytes; /* far memory allocated at its peak */
	uint64_t kind_ns[RMT_US_KINDS]; /* time serving each kind */
	uint64_t kind_count[RMT_US_KINDS];
	uint64_t evict_ns; /* time unmapping and writing back */
	uint64_t hook_ns; /* time in the swap_fault hook */
	uint64_t prefetch_ns; /* time staging the pages it asked for */
	uint64_t setup_ns; /* the datapath's start: pager, programs, JIT */
	uint64_t ready_ns; /* CLOCK_MONOTONIC when the program could start */
	/* Written by rmt-run once the program has exited. */
	uint64_t program_cpu_ns; /* the program's user and system time */
	uint64_t runner_cpu_ns; /* rmt-run's: its agent or trace drainer */
	uint64_t program_preempted; /* involuntary context switches */
	struct rmt_us_hist fault_lat; /* misses and hits, read to wake-up */
	struct rmt_us_pipe_snap pipe; /* control thread only */
};

void rmt_us_stats_init(struct rmt_us_stats *s);

struct rmt_us_summary {
	uint64_t faults, hits, misses, prefetched, unused;
	double coverage, accuracy, timeliness;
	double fault_p50_us, fault_p99_us;
};

void rmt_us_stats_summary(const struct rmt_us_stats *s,
			  struct rmt_us_summary *out);
/* Human-readable lines, then the RESULT line. */
void rmt_us_stats_print(FILE *f, const struct rmt_us_stats *s, double wall_s,
			unsigned int models_installed);
void rmt_us_stats_json(FILE *f, const struct rmt_us_stats *s, double wall_s,
		       unsigned int models_installed);

#endif /* RMT_US_STATS_H */
