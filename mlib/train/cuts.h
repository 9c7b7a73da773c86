/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cuts.h - where one feature's bins split, for every histogram trainer
 * (mlib's CART and the offload engines): each distinct value when a
 * feature has at most max_bins of them, else max_bins quantiles of the
 * distinct values.
 */
#ifndef RMT_MLIB_TRAIN_CUTS_H
#define RMT_MLIB_TRAIN_CUTS_H

#include "port/rmt_port.h"

/*
 * Sorts v[0..n) (scratch: room for n more values), then writes at most
 * max_bins - 1 increasing cuts: bin b holds the values <= cuts[b], the
 * last bin the rest.  Returns the number of bins (at least 1).
 */
u32 rmt_train_cuts(s32 *v, s32 *scratch, u32 n, u32 max_bins, s32 *cuts);

#endif /* RMT_MLIB_TRAIN_CUTS_H */
