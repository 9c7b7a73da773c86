/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ring_testlib.h - helpers shared by the ring tests: a ring in heap or
 * memfd memory, and a deterministic record stream (sequence number, size
 * and content all derived from the index) that the consumer can check.
 */
#ifndef RMT_TESTS_RING_TESTLIB_H
#define RMT_TESTS_RING_TESTLIB_H

#include "proto/ring.h"

struct test_ring {
	void *mem;
	size_t len;
	struct rmt_ring_prod prod;
	struct rmt_ring_cons cons;
};

void test_ring_new(struct test_ring *t, u32 data_size, u32 max_payload);
void test_ring_free(struct test_ring *t);

/* Record i of a checked stream: its length (8..max) and its bytes. */
u32 stream_len(u64 i, u32 max_len);
void stream_fill(u64 i, u8 *buf, u32 len);
/* 0 if buf holds record i exactly, else -1. */
int stream_check(u64 i, const u8 *buf, u32 len, u32 max_len);

#endif
