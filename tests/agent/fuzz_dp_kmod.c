// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_dp_kmod.c - libFuzzer target: the agent draining a kernel event
 * ring (rmt_dpk_drain, agent/datapath_kmod.h) whose data area and
 * producer position are arbitrary bytes, as a hostile process sharing the
 * mapping could leave them.  Every fault handed out must pass
 * rmt_msg_check; draining must end and never read outside the ring.
 */
#include <string.h>

#include "agent/datapath_kmod.h"
#include "proto/msg.h"

#define RING_DATA 4096u

int LLVMFuzzerTestOneInput(const u8 *in, size_t n);

static u64 mem[(RMT_RING_HDR_SIZE + RING_DATA) / 8];

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	struct rmt_ring_shared *sh = (void *)mem;
	struct rmt_msg_fault out[16];
	struct rmt_ring_cons c;
	u64 corrupt = 0, prod = 0;
	int i, k, got;

	if (rmt_ring_format(mem, sizeof(mem), RING_DATA, 1024) ||
	    rmt_ring_cons_attach(&c, mem, sizeof(mem)))
		__builtin_trap();
	/* The first 8 bytes: the producer's position; the rest: data. */
	if (n >= 8) {
		memcpy(&prod, in, 8);
		in += 8;
		n -= 8;
	}
	sh->prod_pos = prod;
	memcpy((u8 *)mem + RMT_RING_HDR_SIZE, in,
	       n < RING_DATA ? n : RING_DATA);
	for (i = 0; i < 8; i++) {
		got = rmt_dpk_drain(&c, out, 16, &corrupt);
		if (got < 0 || got > 16)
			__builtin_trap();
		for (k = 0; k < got; k++)
			if (rmt_msg_check(RMT_MSG_FAULT, &out[k],
					  sizeof(out[k])) ||
			    out[k].hook_id != RMT_HOOK_SWAP_FAULT)
				__builtin_trap();
	}
	return 0;
}
