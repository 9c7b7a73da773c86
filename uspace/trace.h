/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * trace.h - the fault trace rmt-run --trace writes and rmt-replay reads:
 * a "# rmt fault trace v2" header, then one line per event in the order
 * the pager emitted them:
 *
 *   time_ns tid addr region_start region_end flags latency_ns   a far fault
 *   evict time_ns addr                 a page went from local to far memory
 *   touch time_ns addr                 a page's first touch (a zero page)
 *   drop time_ns addr npages           pages were freed (zero again)
 *
 * Addresses in hex with 0x, the rest decimal; flags as RMT_FAULT_* of
 * proto/msg.h.  A v1 trace (before session 11) has fault lines only.
 */
#ifndef RMT_US_TRACE_H
#define RMT_US_TRACE_H

#include <stdint.h>
#include <stdio.h>

#define RMT_US_TRACE_HEADER "# rmt fault trace v2"
#define RMT_US_TRACE_HEADER_V1 "# rmt fault trace v1"

enum rmt_us_trace_kind {
	RMT_US_TRACE_FAULT,
	RMT_US_TRACE_EVICT,
	RMT_US_TRACE_DROP,
	RMT_US_TRACE_TOUCH,
};

struct rmt_us_trace_rec {
	uint32_t kind; /* enum rmt_us_trace_kind */
	uint64_t time_ns;
	uint32_t tid;
	uint64_t addr;
	uint64_t region_start;
	uint64_t region_end;
	uint32_t flags;
	uint32_t latency_ns;
	uint32_t npages; /* evict, touch: 1; drop: how many */
};

/* The version a trace's first line names (1 or 2), 0 if not a trace. */
int rmt_us_trace_version(const char *first_line);
void rmt_us_trace_write(FILE *f, const struct rmt_us_trace_rec *r);
/*
 * Parses one line (without its newline).  Returns 0, or -EINVAL with the
 * reason in why: a missing or malformed field, trailing text, an address
 * that is not page-aligned or outside its region, unknown flags, no
 * pages.
 */
int rmt_us_trace_parse(const char *line, struct rmt_us_trace_rec *r,
		       const char **why);

#endif /* RMT_US_TRACE_H */
