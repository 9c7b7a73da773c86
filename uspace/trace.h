/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * trace.h - the fault trace rmt-run --trace writes and rmt-replay reads:
 * a "# rmt fault trace v1" header, then one line per far fault:
 * time_ns tid addr region_start region_end flags latency_ns (addresses in
 * hex with 0x, the rest decimal; flags as RMT_FAULT_* of proto/msg.h).
 */
#ifndef RMT_US_TRACE_H
#define RMT_US_TRACE_H

#include <stdint.h>
#include <stdio.h>

#define RMT_US_TRACE_HEADER "# rmt fault trace v1"

struct rmt_us_trace_rec {
	uint64_t time_ns;
	uint32_t tid;
	uint64_t addr;
	uint64_t region_start;
	uint64_t region_end;
	uint32_t flags;
	uint32_t latency_ns;
};

void rmt_us_trace_write(FILE *f, const struct rmt_us_trace_rec *r);
/*
 * Parses one line (without its newline).  Returns 0, or -EINVAL with the
 * reason in why: a missing or malformed field, trailing text, an address
 * that is not page-aligned or outside its region, unknown flags.
 */
int rmt_us_trace_parse(const char *line, struct rmt_us_trace_rec *r,
		       const char **why);

#endif /* RMT_US_TRACE_H */
