// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_ring_hostile.c - the reader never trusts the writer, nor the writer
 * the reader.  Each kind of corruption a peer can write is checked to be
 * reported (-EBADMSG, counted); then a thread scribbles random values over
 * the shared header, positions and records while the other side runs, and
 * every record handed out must lie inside the data area.  The ring memory
 * is allocated to its exact size, so ASan catches any access outside.
 */
#include "ring_testlib.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>

#define SIZE 4096u

static struct test_ring t;

static void setup(void)
{
	t.len = rmt_ring_mem_size(SIZE);
	t.mem = malloc(t.len);
	cr_assert_not_null(t.mem);
	cr_assert_eq(rmt_ring_format(t.mem, t.len, SIZE, SIZE / 4), 0);
	cr_assert_eq(rmt_ring_prod_attach(&t.prod, t.mem, t.len), 0);
	cr_assert_eq(rmt_ring_cons_attach(&t.cons, t.mem, t.len), 0);
}

static void teardown(void)
{
	free(t.mem);
}

TestSuite(hostile, .init = setup, .fini = teardown);

static u8 *data(void)
{
	return (u8 *)t.mem + RMT_RING_HDR_SIZE;
}

static struct rmt_rec_hdr *hdr_at(u32 off)
{
	return (struct rmt_rec_hdr *)(data() + off);
}

static void put(u32 len)
{
	u8 buf[1024] = { 0 };

	cr_assert_eq(rmt_ring_produce(&t.prod, 1, buf, len), 0);
}

static void expect_bad(void)
{
	struct rmt_rec rec = { 0 };
	u64 errors = t.cons.errors;

	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), -EBADMSG);
	cr_assert_eq(t.cons.errors, errors + 1);
	cr_assert_eq(t.cons.sh->cons_errors, errors + 1);
	/* Sticky until resync, and without counting again. */
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), -EBADMSG);
	cr_assert_eq(t.cons.errors, errors + 1);
}

Test(hostile, bad_check_word)
{
	put(16);
	hdr_at(0)->check ^= 1;
	expect_bad();
}

Test(hostile, length_beyond_max_payload)
{
	put(16);
	hdr_at(0)->len = SIZE / 4 + 1;
	hdr_at(0)->check = rmt_rec_check(SIZE / 4 + 1, 1);
	expect_bad();
}

Test(hostile, length_beyond_what_was_produced)
{
	put(16);
	hdr_at(0)->len = 64;
	hdr_at(0)->check = rmt_rec_check(64, 1);
	expect_bad();
}

Test(hostile, pad_that_does_not_reach_the_end)
{
	put(16);
	hdr_at(0)->type = RMT_REC_TYPE_PAD;
	hdr_at(0)->check = rmt_rec_check(16, RMT_REC_TYPE_PAD);
	expect_bad();
}

Test(hostile, pad_filling_the_whole_ring)
{
	/* An honest producer never pads from offset 0: the record fits. */
	hdr_at(0)->len = SIZE - RMT_REC_HDR_SIZE;
	hdr_at(0)->type = RMT_REC_TYPE_PAD;
	hdr_at(0)->check =
		rmt_rec_check(SIZE - RMT_REC_HDR_SIZE, RMT_REC_TYPE_PAD);
	t.prod.sh->prod_pos = SIZE;
	expect_bad();
}

Test(hostile, misaligned_producer_position)
{
	put(16);
	t.prod.sh->prod_pos = 20;
	expect_bad();
}

Test(hostile, producer_position_more_than_a_ring_ahead)
{
	put(16);
	t.prod.sh->prod_pos = SIZE + 8;
	expect_bad();
}

Test(hostile, producer_position_going_backwards)
{
	struct rmt_rec rec = { 0 };

	put(16);
	put(16);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
	t.prod.sh->prod_pos = 8;
	expect_bad();
}

Test(hostile, consume_burst_reports_corruption)
{
	u64 v[4] = { 1, 2, 3, 4 }, out[4];

	cr_assert_eq(rmt_ring_produce_burst(&t.prod, 1, v, 8, 4), 4);
	hdr_at(2 * rmt_rec_footprint(8))->len = 100; /* third record */
	/* The good records before it come out, then the error. */
	cr_assert_eq(rmt_ring_consume_burst(&t.cons, 1, out, 8, 4), 2);
	cr_assert_eq(out[1], 2);
	cr_assert_eq(rmt_ring_consume_burst(&t.cons, 1, out, 8, 4), -EBADMSG);
	cr_assert_eq(t.cons.errors, 1);
}

Test(hostile, resync_recovers)
{
	struct rmt_rec rec = { 0 };

	put(16);
	hdr_at(0)->check ^= 1;
	expect_bad();
	rmt_ring_cons_resync(&t.cons);
	put(24);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
	cr_assert_eq(rec.len, 24);
}

Test(hostile, producer_rejects_consumer_position_ahead_of_it)
{
	void *p;
	u32 i;

	/* Fill the ring so the producer must consult the consumer... */
	for (i = 0; i < SIZE / 32; i++)
		put(24);
	/* ...which claims to have consumed more than was ever produced. */
	t.prod.sh->cons_pos = 2 * SIZE;
	cr_assert_eq(rmt_ring_reserve(&t.prod, 1, 24, &p), -ENOSPC);
	cr_assert_eq(t.prod.errors, 1);
	cr_assert_eq(t.prod.sh->prod_errors, 1);
	cr_assert_eq(t.prod.dropped, 1);
}

static volatile int stop;

/* Random words at random places: header, both position lines, data. */
static void *scribble(void *arg)
{
	u64 x = (u64)(uintptr_t)arg | 1;

	while (!stop) {
		u32 off;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		off = (u32)(x % (t.len / 8)) * 8;
		if (x & 0x100000)
			off = 128 + (u32)((x >> 24) % 32) * 8; /* positions */
		__atomic_store_n((u64 *)((u8 *)t.mem + off), x >> (x & 31),
				 __ATOMIC_RELAXED);
	}
	return NULL;
}

Test(hostile, scribbler_while_both_sides_run, .timeout = 120)
{
	pthread_t th;
	u8 buf[1024] = { 0 };
	u64 records = 0, errors = 0, i;
	const u8 *lo = data(), *hi = data() + SIZE;

	stop = 0;
	cr_assert_eq(pthread_create(&th, NULL, scribble, (void *)0x9e3779b9),
		     0);
	for (i = 0; i < 2000000; i++) {
		struct rmt_rec rec = { 0 };
		int r;

		rmt_ring_produce(&t.prod, 1, buf, (u32)(i % 200) + 1);
		r = rmt_ring_peek(&t.cons, &rec);
		if (r == 1) {
			cr_assert(rec.data >= (const void *)lo &&
					  (const u8 *)rec.data + rec.len <= hi,
				  "record outside the data area");
			cr_assert_leq(rec.len, SIZE / 4);
			records++;
		} else if (r < 0) {
			errors++;
			rmt_ring_cons_resync(&t.cons);
		}
		rmt_ring_release(&t.cons);
	}
	stop = 1;
	pthread_join(th, NULL);
	cr_assert_gt(errors, 0, "the scribbler was never noticed");
	cr_assert_gt(records, 0);
	cr_assert_eq(t.cons.errors, errors);
}
