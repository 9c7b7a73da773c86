/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * parse.h - the option values the pager takes from rmt-run and from the
 * environment: sizes (24M, 1G, 4096, 25%), durations (5us, 80us, 1ms, 0),
 * counts and who serves faults (signal, thread), each rejected with -EINVAL when malformed or out of range.
 */
#ifndef RMT_US_PARSE_H
#define RMT_US_PARSE_H

#include <stdint.h>

/*
 * A size in bytes with an optional K, M or G suffix (powers of 1024), or
 * a percentage: then *permille is set (1..1000) and *bytes is 0.
 */
int rmt_us_parse_size(const char *s, uint64_t *bytes, uint32_t *permille);
/* A duration with a unit (ns, us, ms, s); a bare 0 is allowed. */
int rmt_us_parse_duration(const char *s, uint64_t *ns);
/* A decimal count in [min, max]. */
int rmt_us_parse_count(const char *s, uint64_t min, uint64_t max,
		       uint64_t *out);
/* "signal" or "thread": an enum rmt_us_fault_mode (pager.h). */
int rmt_us_parse_fault_mode(const char *s, uint32_t *mode);
/* "move" or "copy": an enum rmt_us_evict_mode (pager.h). */
int rmt_us_parse_evict_mode(const char *s, uint32_t *mode);

#endif /* RMT_US_PARSE_H */
