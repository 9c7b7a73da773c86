/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * oracle.h - a prefetcher that knows the future: it replays the fault
 * trace of an earlier run of the same program (rmt-run --trace) and, at
 * each fault, asks for the next pages that run faulted on (all of its
 * lookahead every time: the pager skips those it holds, and fetches one
 * that was resident when first asked for once it has gone far).  Not a
 * prefetcher anyone could build; it measures how fast a perfect one
 * would make a run on this machine (rmt-run --prefetcher oracle:TRACE,
 * docs/uspace.md, "The oracle").
 *
 * Pages are matched by region and offset, not by address: regions are
 * numbered in the order their first fault appears, so the trace fits a
 * run whose far memory lies elsewhere.
 */
#ifndef RMT_US_ORACLE_H
#define RMT_US_ORACLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uspace/hook.h"

#define RMT_US_ORACLE_DEPTH 32u /* pages of the future asked for ahead */
#define RMT_US_ORACLE_PREFIX "oracle:" /* --prefetcher oracle:TRACE */

struct rmt_us_oracle;

/* The trace of a prefetcher named "oracle:TRACE", or NULL for another. */
static inline const char *rmt_us_oracle_trace(const char *prefetcher)
{
	size_t n = sizeof(RMT_US_ORACLE_PREFIX) - 1;

	return strncmp(prefetcher, RMT_US_ORACLE_PREFIX, n) ? NULL :
							      prefetcher + n;
}

/*
 * Reads the trace at path.  0, or a negative errno with the reason in err
 * ("FILE: line N: ..." for a malformed line, an empty trace, too many
 * regions).
 */
int rmt_us_oracle_open(const char *path, struct rmt_us_oracle **out, char *err,
		       size_t err_len);
void rmt_us_oracle_close(struct rmt_us_oracle *o);
/* An rmt_us_prefetch_fn; priv is the oracle. */
int rmt_us_oracle_run(void *priv, const struct rmt_us_fault_ctx *ctx,
		      uint64_t *pages, unsigned int max);
/* Faults that were not where the trace said (0 when it fits the run). */
uint64_t rmt_us_oracle_misfits(const struct rmt_us_oracle *o);

#endif /* RMT_US_ORACLE_H */
