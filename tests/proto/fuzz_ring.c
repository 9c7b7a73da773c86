// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_ring.c - libFuzzer target: the consumer over arbitrary ring memory.
 * The first input byte picks the mode: overlay the input on a formatted
 * ring's positions and data (the common case: a peer gone bad), or use it
 * as the whole shared memory, header included (attach must refuse junk).
 * The memory is allocated at its exact size so ASan sees any overrun.
 */
#include "proto/ring.h"
#include "proto/msg.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const u8 *in, size_t n);

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	const u32 size = 1024;
	size_t len = rmt_ring_mem_size(size);
	struct rmt_ring_cons c;
	struct rmt_rec rec = { 0 };
	u8 *mem;
	int i;

	if (n < 1)
		return 0;
	mem = malloc(len);
	if (!mem)
		return 0;
	memset(mem, 0, len);
	rmt_ring_format(mem, len, size, size / 4);
	if (in[0] & 1) {
		/* Positions (128..384) and data, from the input. */
		size_t k = n - 1 < len - 128 ? n - 1 : len - 128;

		memcpy(mem + 128, in + 1, k);
	} else {
		memcpy(mem, in + 1, n - 1 < len ? n - 1 : len);
	}
	if (rmt_ring_cons_attach(&c, mem, len) == 0) {
		for (i = 0; i < 512; i++) {
			int r = rmt_ring_peek(&c, &rec);

			if (r == 0)
				break;
			if (r < 0) {
				rmt_ring_cons_resync(&c);
				continue;
			}
			if ((const u8 *)rec.data < mem + RMT_RING_HDR_SIZE ||
			    (const u8 *)rec.data + rec.len > mem + len)
				abort();
			rmt_msg_check(rec.type, rec.data, rec.len);
		}
	}
	free(mem);
	return 0;
}
