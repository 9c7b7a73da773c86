// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_parts.c - the pager's pure parts: the latency histogram, the fetch
 * queue of the latency model, the FIFO lists of the eviction policy, the
 * statistics arithmetic and the option parsers.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "uspace/fetch.h"
#include "uspace/hist.h"
#include "uspace/lru.h"
#include "uspace/pager.h"
#include "uspace/parse.h"
#include "uspace/stats.h"

Test(hist, buckets_cover_values_in_order)
{
	uint64_t v;
	unsigned int last = 0, i;

	for (v = 0; v < (1ull << 30); v = v * 9 / 8 + 1) {
		i = rmt_us_hist_index(v);
		cr_assert_geq(i, last, "index must not decrease at %llu",
			      (unsigned long long)v);
		cr_assert_leq(rmt_us_hist_floor(i), v);
		cr_assert_gt(rmt_us_hist_floor(i + 1), v);
		/* 16 sub-buckets: a bucket is at most 1/16 of its value. */
		cr_assert_leq(rmt_us_hist_floor(i + 1) - rmt_us_hist_floor(i),
			      v / 16 + 1);
		last = i;
	}
}

Test(hist, percentiles)
{
	static struct rmt_us_hist h;
	uint64_t p50, p99;
	int i;

	memset(&h, 0, sizeof(h));
	cr_assert_eq(rmt_us_hist_percentile(&h, 500), 0);
	for (i = 1; i <= 1000; i++)
		rmt_us_hist_add(&h, (uint64_t)i * 1000);
	p50 = rmt_us_hist_percentile(&h, 500);
	p99 = rmt_us_hist_percentile(&h, 990);
	cr_assert_eq(h.count, 1000);
	cr_assert(p50 >= 500000 && p50 <= 500000 * 17 / 16, "p50 %llu",
		  (unsigned long long)p50);
	cr_assert(p99 >= 990000 && p99 <= 990000 * 17 / 16, "p99 %llu",
		  (unsigned long long)p99);
	cr_assert_geq(rmt_us_hist_percentile(&h, 1000), 1000000);
}

Test(fetch, depth_bounds_fetches_in_flight)
{
	struct rmt_us_fetchq q;

	cr_assert_eq(rmt_us_fetchq_init(&q, 100, 0), -EINVAL);
	cr_assert_eq(rmt_us_fetchq_init(&q, 100, RMT_US_MAX_DEPTH + 1),
		     -EINVAL);
	cr_assert_eq(rmt_us_fetchq_init(&q, 100, 2), 0);
	/* Two slots: two fetches at once, the third queues behind them. */
	cr_assert_eq(rmt_us_fetchq_issue(&q, 1000), 1100);
	cr_assert_eq(rmt_us_fetchq_issue(&q, 1000), 1100);
	cr_assert_eq(rmt_us_fetchq_issue(&q, 1000), 1200);
	cr_assert_eq(rmt_us_fetchq_issue(&q, 1050), 1200);
	/* An idle device starts a fetch at once. */
	cr_assert_eq(rmt_us_fetchq_issue(&q, 5000), 5100);
}

Test(fetch, wait_until_waits)
{
	uint64_t t0 = rmt_us_now_ns();

	rmt_us_wait_until(t0 + 200000);
	cr_assert_geq(rmt_us_now_ns(), t0 + 200000);
	rmt_us_wait_until(t0 + 5000);
	cr_assert_geq(rmt_us_now_ns(), t0 + 5000);
}

Test(lru, fifo_order_and_removal)
{
	uint32_t prev[8], next[8];
	struct rmt_us_lru l;
	uint32_t i;

	rmt_us_lru_init(&l, prev, next);
	cr_assert_eq(rmt_us_list_pop_tail(&l, &l.active), RMT_US_NIL);
	for (i = 0; i < 5; i++)
		rmt_us_list_push_head(&l, &l.active, i);
	rmt_us_list_push_head(&l, &l.inactive, 7);
	cr_assert_eq(rmt_us_lru_resident(&l), 6);
	rmt_us_list_remove(&l, &l.active, 2);
	rmt_us_list_remove(&l, &l.active, 4);
	/* Oldest first, with the removed pages gone. */
	cr_assert_eq(rmt_us_list_pop_tail(&l, &l.active), 0);
	cr_assert_eq(rmt_us_list_pop_tail(&l, &l.active), 1);
	cr_assert_eq(rmt_us_list_pop_tail(&l, &l.active), 3);
	cr_assert_eq(rmt_us_list_pop_tail(&l, &l.active), RMT_US_NIL);
	cr_assert_eq(l.active.count, 0);
	cr_assert_eq(rmt_us_list_pop_tail(&l, &l.inactive), 7);
	cr_assert_eq(l.inactive.head, RMT_US_NIL);
}

Test(stats, summary_arithmetic)
{
	static struct rmt_us_stats s;
	struct rmt_us_summary m;

	rmt_us_stats_init(&s);
	rmt_us_stats_summary(&s, &m);
	cr_assert_eq(m.coverage, 0.0);
	cr_assert_eq(m.accuracy, 0.0);
	s.hits = 30;
	s.late_hits = 6;
	s.misses = 10;
	s.prefetched = 40;
	s.unused_evicted = 7;
	s.staged_now = 3;
	rmt_us_stats_summary(&s, &m);
	cr_assert_eq(m.faults, 40);
	cr_assert_float_eq(m.coverage, 0.75, 1e-12);
	cr_assert_float_eq(m.accuracy, 0.75, 1e-12);
	cr_assert_float_eq(m.timeliness, 0.8, 1e-12);
	cr_assert_eq(m.unused, 10);
}

Test(stats, result_line_format)
{
	static struct rmt_us_stats s;
	char buf[4096], *line;
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	rmt_us_stats_init(&s);
	s.hits = 1;
	s.misses = 3;
	s.prefetched = 2;
	rmt_us_stats_print(f, &s, 1.5, 0);
	fclose(f);
	line = strstr(buf, "RESULT ");
	cr_assert_not_null(line);
	cr_assert_str_eq(line, "RESULT faults=4 hits=1 misses=3 prefetched=2 "
			       "unused=0 coverage=0.2500 accuracy=0.5000 "
			       "fault_p50_us=0.00 fault_p99_us=0.00 "
			       "wall_s=1.500 models_installed=0\n");
}

Test(parse, sizes)
{
	uint64_t b;
	uint32_t pm;

	cr_assert_eq(rmt_us_parse_size("24M", &b, &pm), 0);
	cr_assert_eq(b, 24ull << 20);
	cr_assert_eq(pm, 0);
	cr_assert_eq(rmt_us_parse_size("1.5G", &b, &pm), 0);
	cr_assert_eq(b, 3ull << 29);
	cr_assert_eq(rmt_us_parse_size("4096", &b, &pm), 0);
	cr_assert_eq(b, 4096);
	cr_assert_eq(rmt_us_parse_size("37.5%", &b, &pm), 0);
	cr_assert_eq(pm, 375);
	cr_assert_eq(b, 0);
	cr_assert_eq(rmt_us_parse_size("0", &b, &pm), 0);
	cr_assert_eq(b, 0);
}

Test(parse, bad_sizes)
{
	static const char *const bad[] = {
		"",   "M",    "12Q", "-1M", "1..5M",
		"0%", "101%", "1e3", "5 M", "9999999999999999999G"
	};
	uint64_t b;
	uint32_t pm;
	unsigned int i;

	cr_assert_eq(rmt_us_parse_size(NULL, &b, &pm), -EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rmt_us_parse_size(bad[i], &b, &pm), -EINVAL,
			     "'%s' accepted", bad[i]);
}

Test(parse, durations_counts_and_fault_modes)
{
	static const char *const bad[] = { "",	   "5",	   "us",  "5 us",
					   "5sec", "-5us", "5uss" };
	uint64_t ns, v;
	uint32_t mode;
	unsigned int i;

	cr_assert_eq(rmt_us_parse_duration("5us", &ns), 0);
	cr_assert_eq(ns, 5000);
	cr_assert_eq(rmt_us_parse_duration("80us", &ns), 0);
	cr_assert_eq(ns, 80000);
	cr_assert_eq(rmt_us_parse_duration("2.5us", &ns), 0);
	cr_assert_eq(ns, 2500);
	cr_assert_eq(rmt_us_parse_duration("1ms", &ns), 0);
	cr_assert_eq(ns, 1000000);
	cr_assert_eq(rmt_us_parse_duration("0", &ns), 0);
	cr_assert_eq(ns, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rmt_us_parse_duration(bad[i], &ns), -EINVAL,
			     "'%s' accepted", bad[i]);
	cr_assert_eq(rmt_us_parse_count("8", 1, 256, &v), 0);
	cr_assert_eq(v, 8);
	cr_assert_eq(rmt_us_parse_count("0", 1, 256, &v), -EINVAL);
	cr_assert_eq(rmt_us_parse_count("257", 1, 256, &v), -EINVAL);
	cr_assert_eq(rmt_us_parse_count("8x", 1, 256, &v), -EINVAL);
	cr_assert_eq(rmt_us_parse_count("", 1, 256, &v), -EINVAL);
	cr_assert_eq(rmt_us_parse_fault_mode("signal", &mode), 0);
	cr_assert_eq(mode, RMT_US_FAULT_SIGNAL);
	cr_assert_eq(rmt_us_parse_fault_mode("thread", &mode), 0);
	cr_assert_eq(mode, RMT_US_FAULT_THREAD);
	cr_assert_eq(rmt_us_parse_fault_mode("Signal", &mode), -EINVAL);
	cr_assert_eq(rmt_us_parse_fault_mode("", &mode), -EINVAL);
	cr_assert_eq(rmt_us_parse_fault_mode(NULL, &mode), -EINVAL);
	cr_assert_eq(rmt_us_parse_evict_mode("move", &mode), 0);
	cr_assert_eq(mode, RMT_US_EVICT_MOVE);
	cr_assert_eq(rmt_us_parse_evict_mode("copy", &mode), 0);
	cr_assert_eq(mode, RMT_US_EVICT_COPY);
	cr_assert_eq(rmt_us_parse_evict_mode("moves", &mode), -EINVAL);
	cr_assert_eq(rmt_us_parse_evict_mode("", &mode), -EINVAL);
	cr_assert_eq(rmt_us_parse_evict_mode(NULL, &mode), -EINVAL);
}
