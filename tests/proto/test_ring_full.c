// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_ring_full.c - a full ring drops and counts: the dropped counter
 * equals exactly the records the producer could not write, in the private
 * copy and in shared memory, and every record that was written arrives.
 */
#include "ring_testlib.h"

#include <criterion/criterion.h>

Test(ring_full, drops_are_counted_exactly)
{
	struct test_ring t;
	u8 buf[512];
	u64 written = 0, failed = 0, i, next = 0;
	struct rmt_rec rec = { 0 };
	int round;

	test_ring_new(&t, 8192, 512);
	for (round = 0; round < 20; round++) {
		/* Overfill with records of varying size... */
		for (i = 0; i < 400; i++) {
			/* Indexed by records written, so the stream stays dense. */
			u32 len = stream_len(written, 512);

			stream_fill(written, buf, len);
			if (rmt_ring_produce(&t.prod, 1, buf, len) == 0)
				written++;
			else
				failed++;
		}
		/* ...then drain part of it, checking every record. */
		for (i = 0; i < 100 && next < written; i++, next++) {
			cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
			cr_assert_eq(stream_check(next, rec.data, rec.len, 512),
				     0);
		}
		rmt_ring_release(&t.cons);
	}
	cr_assert_gt(failed, 1000);
	cr_assert_eq(t.prod.dropped, failed);
	cr_assert_eq(RMT_READ_ONCE(t.prod.sh->dropped), failed);
	while (rmt_ring_peek(&t.cons, &rec) == 1) {
		cr_assert_eq(stream_check(next, rec.data, rec.len, 512), 0);
		next++;
	}
	cr_assert_eq(next, written);
	test_ring_free(&t);
}

Test(ring_full, burst_drops_count_the_rest_of_the_burst)
{
	struct test_ring t;
	u8 elems[16 * 1000] = { 0 };
	unsigned int w;

	test_ring_new(&t, 4096, 1024);
	w = rmt_ring_produce_burst(&t.prod, 1, elems, 16, 1000);
	cr_assert_eq(w, 4096 / rmt_rec_footprint(16));
	cr_assert_eq(t.prod.dropped, 1000 - w);
	test_ring_free(&t);
}
