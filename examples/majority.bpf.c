// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * majority.bpf.c - example action: Leap-style majority vote over the
 * deltas of a window (Boyer-Moore).  When one delta holds a strict
 * majority it is passed to the emit helper (a call by helper id) and the
 * next address is predicted; returns 1 then, else 0.
 */
#include "examples/actions.h"

static long (*const emit)(rmt_ex_s64 delta) = (void *)RMT_EX_HELPER_EMIT;

__attribute__((section("action/majority"), used)) int
majority(struct rmt_ex_history *h)
{
	rmt_ex_u32 n = h->n, i, votes = 0, count = 0;
	rmt_ex_s64 cand = 0, d;

	if (n > RMT_EX_HISTORY)
		n = RMT_EX_HISTORY;
	if (n < 2)
		return 0;
	for (i = 1; i < n; i++) {
		d = (rmt_ex_s64)(h->addr[i] - h->addr[i - 1]);
		if (!votes)
			cand = d;
		votes += d == cand ? 1 : -1;
	}
	for (i = 1; i < n; i++)
		count += (rmt_ex_s64)(h->addr[i] - h->addr[i - 1]) == cand;
	if (2 * count <= n - 1)
		return 0;
	emit(cand);
	h->predict = h->addr[n - 1] + (rmt_ex_u64)cand;
	return 1;
}
