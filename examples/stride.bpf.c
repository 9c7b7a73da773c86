// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * stride.bpf.c - example action: a constant-stride detector over a window
 * of fault addresses.  Returns 1 and sets predict when every delta in the
 * window is the same non-zero stride, else 0.  The delta is a separate
 * function so that the object has a bpf-to-bpf call.
 */
#include "examples/actions.h"

static __attribute__((noinline)) rmt_ex_s64
delta(const struct rmt_ex_history *h, rmt_ex_u32 i)
{
	return (rmt_ex_s64)(h->addr[i] - h->addr[i - 1]);
}

__attribute__((section("action/stride"), used)) int
stride(struct rmt_ex_history *h)
{
	rmt_ex_u32 n = h->n, i;
	rmt_ex_s64 s;

	if (n > RMT_EX_HISTORY)
		n = RMT_EX_HISTORY;
	if (n < 3)
		return 0;
	s = delta(h, n - 1);
	if (!s)
		return 0;
	for (i = 1; i < n - 1; i++)
		if (delta(h, i) != s)
			return 0;
	h->predict = h->addr[n - 1] + (rmt_ex_u64)s;
	return 1;
}
