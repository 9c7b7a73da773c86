/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rmt_prefetch.h - a prefetcher that is an RMT program: the swap_fault
 * hook's pipeline (vm/pipeline.h) loaded from a built-in program
 * (readahead, leap, learned: programs/ in the source tree, compiled in) or
 * from a
 * FILE.rmt, run on every far fault through the pager's hook (hook.h).
 */
#ifndef RMT_US_RMT_PREFETCH_H
#define RMT_US_RMT_PREFETCH_H

#include <stddef.h>

#include "mlib/model.h"
#include "uspace/hook.h"
#include "uspace/stats.h"
#include "vm/pipeline_parse.h"
#include "vm/pipeline.h"

struct rmt_us_rmt_pf;

/*
 * Parse the program called name into prog: "readahead", "leap" and
 * "learned" are built in; a name ending in ".rmt" is a file.  Returns 0,
 * or a negative errno with the reason in err (-ENOENT for an unknown
 * name, the parser's "line N: ..." for a bad program).
 */
int rmt_us_program_open(const char *name, struct rmt_program *prog, char *err,
			size_t err_size);

/*
 * Opens the prefetcher called name: "none" gives *out = NULL and 0;
 * "readahead", "leap" and "learned" are built in; a name ending in ".rmt" is a file.
 * Returns 0, or a negative errno with the reason in err (-ENOENT for an
 * unknown name, the parser's "line N: ..." for a bad program).
 */
int rmt_us_rmt_pf_open(const char *name, struct rmt_us_rmt_pf **out, char *err,
		       size_t err_size);
void rmt_us_rmt_pf_close(struct rmt_us_rmt_pf *pf);
/* The rmt_us_prefetch_fn to install with pf as its priv. */
int rmt_us_rmt_pf_run(void *pf, const struct rmt_us_fault_ctx *ctx,
		      uint64_t *pages, unsigned int max);

/*
 * The rmt_us_region_fn to install with pf: for each table keyed on
 * vma_start (ternary) with a catch-all entry, a region gets its own copy
 * of that entry (one priority higher, exact on the region's start), so
 * that per-entry state is per region, like Linux's per-VMA readahead
 * state; the copy goes when the region does.
 */
void rmt_us_rmt_pf_region(void *pf, uint64_t start, uint64_t end, bool added);

/*
 * Model slots: the program's `model SLOT NAME inputs N` declarations are
 * served from RCU-protected slots (mlib/slot.h), empty at first (the
 * model helper then answers -ENOENT and the program falls back to its
 * heuristic).  0 and *n_in for a declared slot, else -ENOENT.
 */
int rmt_us_rmt_pf_slot_inputs(void *pf, uint32_t slot, uint32_t *n_in);
/*
 * Publish m (already parsed and verified; NULL empties the slot), wait
 * for a grace period and free the model it replaced.  Control path only;
 * callers serialize.  The slot owns m from here on.
 */
int rmt_us_rmt_pf_install_model(void *pf, uint32_t slot, struct rmt_model *m);

/*
 * Copy the pipeline's counters (per hook, table and busiest entries)
 * into snap for viewers; control path only, serialized with region
 * updates.
 */
void rmt_us_rmt_pf_snapshot(void *pf, const char *name,
			    struct rmt_us_pipe_snap *snap);

#endif /* RMT_US_RMT_PREFETCH_H */
