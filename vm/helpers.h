/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * helpers.h - the helpers actions call (`call N`), each with an id, a
 * declared cost for the verifier and run-time checks of its arguments.
 * A helper returns a value >= 0 or a negative errno as a u64.
 *
 *   1 emit(field_mask, label)      sample record of exportable fields
 *   2 model(slot, in_ptr, n_in)    run the model in a slot: its output
 *   3 prefetch(page_addr, n_pages) append pages to the decision
 *   4 place(region, node)          request a placement
 *   5 clock()                      nanoseconds
 *   6 count(counter, delta)        add to one of the hook's counters
 */
#ifndef RMT_VM_HELPERS_H
#define RMT_VM_HELPERS_H

#include "vm/vm.h"

enum rmt_helper_id {
	RMT_HELPER_EMIT = 1,
	RMT_HELPER_MODEL = 2,
	RMT_HELPER_PREFETCH = 3,
	RMT_HELPER_PLACE = 4,
	RMT_HELPER_CLOCK = 5,
	RMT_HELPER_COUNT = 6,
	RMT_HELPER_MAX = RMT_HELPER_COUNT,
};

#define RMT_HELPERS_ALL 0x7eu

/* All helpers; a pipeline loads its actions with the hook's subset. */
extern const struct rmt_helper rmt_helpers[RMT_HELPER_MAX];

#endif /* RMT_VM_HELPERS_H */
