// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_ring.c - the ring in one thread: fill and drain, wrap-around at
 * every record size, reserve/commit/abort, partial bursts, and the checks
 * on formatting and attaching.
 */
#include "ring_testlib.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#define SIZE 4096u
#define MAXP (SIZE / 4)

static struct test_ring t;

static void setup(void)
{
	test_ring_new(&t, SIZE, MAXP);
}

static void teardown(void)
{
	test_ring_free(&t);
}

TestSuite(ring, .init = setup, .fini = teardown);

static void expect_record(u64 i, u32 max_len)
{
	struct rmt_rec rec = { 0 };

	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1, "record %llu missing",
		     (unsigned long long)i);
	cr_assert_eq(rec.type, 7);
	cr_assert_eq(stream_check(i, rec.data, rec.len, max_len), 0,
		     "record %llu corrupted", (unsigned long long)i);
}

Test(ring, fill_then_drain_in_order)
{
	u8 buf[MAXP];
	u64 n = 0, i;
	struct rmt_rec rec = { 0 };

	for (;;) {
		u32 len = stream_len(n, 200);

		stream_fill(n, buf, len);
		if (rmt_ring_produce(&t.prod, 7, buf, len) == -ENOSPC)
			break;
		n++;
	}
	cr_assert_gt(n, 10);
	cr_assert_eq(t.prod.dropped, 1);
	for (i = 0; i < n; i++)
		expect_record(i, 200);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 0);
	rmt_ring_release(&t.cons);
	/* Space is back: the ring takes as much again. */
	stream_fill(n, buf, stream_len(n, 200));
	cr_assert_eq(rmt_ring_produce(&t.prod, 7, buf, stream_len(n, 200)), 0);
}

/*
 * For every payload size, push records through one at a time and two at a
 * time until the position has crossed the end of the data area at many
 * offsets: pads are written and skipped, contents survive.
 */
Test(ring, wraparound_every_size)
{
	u8 in[MAXP], out[MAXP];
	u32 len;

	for (len = 1; len <= MAXP; len++) {
		u32 rounds = 3 * SIZE / rmt_rec_footprint(len) + 3, r;

		for (r = 0; r < rounds; r++) {
			u32 k, burst = 1 + (r & 1);
			u16 type;

			for (k = 0; k < burst; k++) {
				memset(in, (int)(len + r + k), len);
				cr_assert_eq(
					rmt_ring_produce(&t.prod, 3, in, len),
					0, "len %u round %u", len, r);
			}
			for (k = 0; k < burst; k++) {
				memset(in, (int)(len + r + k), len);
				cr_assert_eq(rmt_ring_consume(&t.cons, &type,
							      out, sizeof(out)),
					     (int)len, "len %u round %u", len,
					     r);
				cr_assert_eq(type, 3);
				cr_assert_eq(memcmp(in, out, len), 0);
			}
		}
	}
	cr_assert_eq(t.prod.dropped, 0);
	cr_assert_eq(t.cons.errors, 0);
}

/* The fixed-size burst paths across the end of the area, at every size. */
Test(ring, burst_wraparound_every_size)
{
	u8 in[3 * MAXP], out[3 * MAXP];
	u32 len, i;

	for (len = 1; len <= MAXP; len++) {
		u32 rounds = 2 * SIZE / (3 * rmt_rec_footprint(len)) + 3, r;

		for (r = 0; r < rounds; r++) {
			for (i = 0; i < 3 * len; i++)
				in[i] = (u8)(i * 7 + len + r);
			cr_assert_eq(
				rmt_ring_produce_burst(&t.prod, 5, in, len, 3),
				3, "len %u round %u", len, r);
			memset(out, 0, sizeof(out));
			cr_assert_eq(
				rmt_ring_consume_burst(&t.cons, 5, out, len, 8),
				3, "len %u round %u", len, r);
			cr_assert_eq(memcmp(in, out, 3 * len), 0,
				     "len %u round %u", len, r);
		}
	}
	cr_assert_eq(t.prod.dropped, 0);
	cr_assert_eq(t.cons.errors, 0);
}

Test(ring, consume_burst_stops_at_other_records)
{
	u64 a[4] = { 1, 2, 3, 4 }, b[5] = { 9, 9, 9, 9, 9 }, out[8] = { 0 };
	struct rmt_rec rec = { 0 };

	cr_assert_eq(rmt_ring_produce_burst(&t.prod, 1, a, 8, 2), 2);
	cr_assert_eq(rmt_ring_produce(&t.prod, 2, b, sizeof(b)), 0);
	cr_assert_eq(rmt_ring_produce_burst(&t.prod, 1, a + 2, 8, 2), 2);
	cr_assert_eq(rmt_ring_consume_burst(&t.cons, 1, out, 8, 8), 2);
	cr_assert_eq(out[1], 2);
	/* The other record stays for the generic path, whole. */
	cr_assert_eq(rmt_ring_consume_burst(&t.cons, 1, out, 8, 8), 0);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
	cr_assert_eq(rec.type, 2);
	cr_assert_eq(rec.len, sizeof(b));
	cr_assert_eq(rmt_ring_consume_burst(&t.cons, 1, out, 8, 8), 2);
	cr_assert_eq(out[0], 3);
	cr_assert_eq(out[1], 4);
}

Test(ring, reserve_is_invisible_until_commit)
{
	struct rmt_rec rec = { 0 };
	void *p;

	cr_assert_eq(rmt_ring_reserve(&t.prod, 9, 16, &p), 0);
	memset(p, 0xab, 16);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 0);
	cr_assert_eq(rmt_ring_reserve(&t.prod, 9, 16, &p), 0);
	memset(p, 0xcd, 16);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 0);
	rmt_ring_commit(&t.prod);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
	cr_assert_eq(((const u8 *)rec.data)[0], 0xab);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
	cr_assert_eq(((const u8 *)rec.data)[15], 0xcd);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 0);
}

Test(ring, abort_withdraws_reservations_without_drops)
{
	struct rmt_rec rec = { 0 };
	u8 v = 5;
	void *p;

	cr_assert_eq(rmt_ring_reserve(&t.prod, 9, 100, &p), 0);
	rmt_ring_abort(&t.prod);
	cr_assert_eq(rmt_ring_produce(&t.prod, 4, &v, 1), 0);
	cr_assert_eq(rmt_ring_peek(&t.cons, &rec), 1);
	cr_assert_eq(rec.type, 4);
	cr_assert_eq(rec.len, 1);
	cr_assert_eq(t.prod.dropped, 0);
}

Test(ring, partial_bursts)
{
	u8 elems[100 * 24];
	struct rmt_rec recs[64];
	unsigned int fit = SIZE / rmt_rec_footprint(24), got, i;

	for (i = 0; i < sizeof(elems); i++)
		elems[i] = (u8)i;
	/* The first burst fits; the second is cut short where the ring fills. */
	cr_assert_eq(rmt_ring_produce_burst(&t.prod, 2, elems, 24, 100), 100);
	got = rmt_ring_produce_burst(&t.prod, 2, elems, 24, 100);
	cr_assert_eq(got, fit - 100);
	cr_assert_eq(t.prod.dropped, 100 - got);
	cr_assert_eq(t.prod.sh->dropped, 100 - got);
	/* The consumer takes at most what it asks for, in order. */
	cr_assert_eq(rmt_ring_peek_burst(&t.cons, recs, 10), 10);
	cr_assert_eq(memcmp(recs[9].data, elems + 9 * 24, 24), 0);
	cr_assert_eq(rmt_ring_peek_burst(&t.cons, recs, 64), 64);
	cr_assert_eq(memcmp(recs[63].data, elems + 73 * 24, 24), 0);
	cr_assert_eq(rmt_ring_peek_burst(&t.cons, recs, 64), (int)(fit - 74));
	cr_assert_eq(memcmp(recs[fit - 75].data, elems + (got - 1) * 24, 24),
		     0);
	cr_assert_eq(rmt_ring_peek_burst(&t.cons, recs, 64), 0);
}

Test(ring, consume_into_small_buffer_keeps_the_record)
{
	u8 in[40] = { 1, 2, 3 }, out[40];
	u16 type;

	cr_assert_eq(rmt_ring_produce(&t.prod, 6, in, 40), 0);
	cr_assert_eq(rmt_ring_consume(&t.cons, &type, out, 39), -EMSGSIZE);
	cr_assert_eq(rmt_ring_consume(&t.cons, &type, out, 40), 40);
	cr_assert_eq(out[2], 3);
}

Test(ring, oversized_and_pad_typed_records_are_refused)
{
	u8 big[MAXP + 1] = { 0 };

	cr_assert_eq(rmt_ring_produce(&t.prod, 1, big, MAXP + 1), -EMSGSIZE);
	cr_assert_eq(rmt_ring_produce(&t.prod, RMT_REC_TYPE_PAD, big, 8),
		     -EMSGSIZE);
	cr_assert_eq(t.prod.dropped, 2);
	cr_assert_eq(rmt_ring_produce(&t.prod, 1, big, MAXP), 0);
}

Test(ring_setup, format_rejects_bad_geometry)
{
	static u8 mem[RMT_RING_HDR_SIZE + 8192];

	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 3000, 100), -EINVAL);
	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 32, 4), -EINVAL);
	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 16384, 100), -EINVAL);
	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 8192, 0), -EINVAL);
	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 8192, 4096), -EINVAL);
	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 8192, 2048), 0);
}

Test(ring_setup, attach_rejects_corrupt_headers)
{
	static u8 mem[RMT_RING_HDR_SIZE + 4096];
	struct rmt_ring_shared *sh = (void *)mem;
	struct rmt_ring_cons c;
	struct rmt_ring_prod p;

	cr_assert_eq(rmt_ring_format(mem, sizeof(mem), 4096, 1024), 0);
	cr_assert_eq(rmt_ring_cons_attach(&c, mem, sizeof(mem) - 1), -EBADMSG);
	sh->magic ^= 1;
	cr_assert_eq(rmt_ring_cons_attach(&c, mem, sizeof(mem)), -EBADMSG);
	sh->magic ^= 1;
	sh->version = 99;
	cr_assert_eq(rmt_ring_prod_attach(&p, mem, sizeof(mem)),
		     -EPROTONOSUPPORT);
	sh->version = RMT_RING_VERSION;
	sh->data_size = 1u << 20;
	cr_assert_eq(rmt_ring_cons_attach(&c, mem, sizeof(mem)), -EBADMSG);
	sh->data_size = 4096;
	sh->max_payload = 4096;
	cr_assert_eq(rmt_ring_cons_attach(&c, mem, sizeof(mem)), -EBADMSG);
	sh->max_payload = 1024;
	sh->prod_pos = 8192;
	cr_assert_eq(rmt_ring_cons_attach(&c, mem, sizeof(mem)), -EBADMSG);
	sh->prod_pos = 12;
	cr_assert_eq(rmt_ring_prod_attach(&p, mem, sizeof(mem)), -EBADMSG);
	sh->prod_pos = 64;
	cr_assert_eq(rmt_ring_cons_attach(&c, mem, sizeof(mem)), 0);
	cr_assert_eq(rmt_ring_prod_attach(&p, mem, sizeof(mem)), 0);
	cr_assert_eq(p.head, 64);
}
