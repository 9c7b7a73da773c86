/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * table_sort.h - an in-place heapsort of index arrays for the table
 * compiler: no recursion, no allocation, O(n log n) in the worst case.
 */
#ifndef RMT_VM_TABLE_SORT_H
#define RMT_VM_TABLE_SORT_H

#include "port/rmt_port.h"

/* Negative, zero or positive as element a sorts before, with, after b. */
typedef int (*rmt_sort_cmp)(const void *ctx, u32 a, u32 b);

void rmt_sort_idx(u32 *idx, u32 n, rmt_sort_cmp cmp, const void *ctx);

#endif /* RMT_VM_TABLE_SORT_H */
