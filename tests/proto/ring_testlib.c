// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ring_testlib.c - see ring_testlib.h. */
#include "ring_testlib.h"

#include <criterion/criterion.h>
#include <stdlib.h>

void test_ring_new(struct test_ring *t, u32 data_size, u32 max_payload)
{
	t->len = rmt_ring_mem_size(data_size);
	t->mem = aligned_alloc(4096, RMT_ALIGN_UP(t->len, (size_t)4096));
	cr_assert_not_null(t->mem);
	cr_assert_eq(rmt_ring_format(t->mem, t->len, data_size, max_payload),
		     0);
	cr_assert_eq(rmt_ring_prod_attach(&t->prod, t->mem, t->len), 0);
	cr_assert_eq(rmt_ring_cons_attach(&t->cons, t->mem, t->len), 0);
}

void test_ring_free(struct test_ring *t)
{
	free(t->mem);
	t->mem = NULL;
}

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

u32 stream_len(u64 i, u32 max_len)
{
	return 8 + (u32)(mix(i) % (max_len - 7));
}

/* The sequence number first, then bytes that depend on it and the offset. */
void stream_fill(u64 i, u8 *buf, u32 len)
{
	u64 seed = mix(i + 1);
	u32 k;

	memcpy(buf, &i, 8);
	for (k = 8; k < len; k++)
		buf[k] = (u8)(seed >> ((k % 8) * 8)) ^ (u8)k;
}

int stream_check(u64 i, const u8 *buf, u32 len, u32 max_len)
{
	u64 seed = mix(i + 1), seq;
	u32 k;

	if (len != stream_len(i, max_len))
		return -1;
	memcpy(&seq, buf, 8);
	if (seq != i)
		return -1;
	for (k = 8; k < len; k++)
		if (buf[k] != ((u8)(seed >> ((k % 8) * 8)) ^ (u8)k))
			return -1;
	return 0;
}
