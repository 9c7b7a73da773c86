// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_rmt_prefetch.c - RMT programs as the pager's prefetcher: the
 * built-in readahead and leap programs open and follow a sequential fault
 * stream, bad names and bad programs are refused with a reason, and the
 * pager with readahead serves a sequential re-read mostly from prefetches.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proto/msg.h"
#include "uspace/pager.h"
#include "uspace/rmt_prefetch.h"

static int feed(struct rmt_us_rmt_pf *pf, uint64_t page, uint32_t flags,
		uint64_t *out)
{
	struct rmt_us_fault_ctx c = { 0 };

	c.addr = page << 12;
	c.region_start = 0;
	c.region_end = 1ull << 30;
	c.pid = c.tid = 42;
	c.flags = flags;
	return rmt_us_rmt_pf_run(pf, &c, out, RMT_US_MAX_PREFETCH);
}

static void follows_a_sequential_stream(const char *name)
{
	struct rmt_us_rmt_pf *pf;
	uint64_t pages[RMT_US_MAX_PREFETCH], p;
	char err[256] = "";
	int n = 0, total = 0;

	cr_assert_eq(rmt_us_rmt_pf_open(name, &pf, err, sizeof(err)), 0,
		     "%s: %s", name, err);
	cr_assert_not_null(pf);
	for (p = 1; p <= 16; p++) {
		n = feed(pf, p, RMT_FAULT_MAJOR, pages);
		cr_assert_geq(n, 0);
		total += n;
	}
	cr_assert_gt(total, 0, "%s never prefetched", name);
	cr_assert_gt(n, 0);
	/* The last decision looks ahead of the last fault. */
	cr_assert_gt(pages[n - 1] >> 12, 16);
	rmt_us_rmt_pf_close(pf);
}

Test(rmt_prefetch, readahead)
{
	follows_a_sequential_stream("readahead");
}

Test(rmt_prefetch, leap)
{
	follows_a_sequential_stream("leap");
}

Test(rmt_prefetch, none_installs_nothing)
{
	struct rmt_us_rmt_pf *pf = (void *)1;
	char err[64];

	cr_assert_eq(rmt_us_rmt_pf_open("none", &pf, err, sizeof(err)), 0);
	cr_assert_null(pf);
}

Test(rmt_prefetch, bad_names_and_programs)
{
	char path[] = "/tmp/rmt-test-XXXXXX.rmt", err[256] = "";
	struct rmt_us_rmt_pf *pf;
	FILE *f;
	int fd;

	cr_assert_eq(rmt_us_rmt_pf_open("magic", &pf, err, sizeof(err)),
		     -ENOENT);
	cr_assert_not_null(strstr(err, "unknown prefetcher"));
	cr_assert_lt(
		rmt_us_rmt_pf_open("/nonexistent/x.rmt", &pf, err, sizeof(err)),
		0);
	fd = mkstemps(path, 4);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs("hook swap_fault\naction a {\n\tbogus %r0\n}\n", f);
	fclose(f);
	err[0] = 0;
	cr_assert_lt(rmt_us_rmt_pf_open(path, &pf, err, sizeof(err)), 0);
	cr_assert_not_null(strstr(err, "line"), "no line in '%s'", err);
	unlink(path);
}

Test(rmt_prefetch, pager_with_readahead)
{
	struct rmt_pager_config c;
	struct rmt_pager *p;
	struct rmt_us_rmt_pf *pf;
	struct rmt_us_summary sum;
	char why[256] = "";
	uint8_t *m;
	size_t i;
	uint64_t x = 0;

	if (rmt_pager_probe(why, sizeof(why)))
		cr_skip_test("userfaultfd unavailable: %s", why);
	cr_assert_eq(rmt_us_rmt_pf_open("readahead", &pf, why, sizeof(why)), 0);
	rmt_pager_config_default(&c);
	c.mem_limit = 256 * 4096;
	c.far_latency_ns = 0;
	c.arena_bytes = 64ull << 20;
	c.prefetch = rmt_us_rmt_pf_run;
	c.prefetch_priv = pf;
	cr_assert_eq(rmt_pager_create(&c, &p), 0);
	m = rmt_pager_alloc(p, 2048 * 4096);
	for (i = 0; i < 2048; i++)
		m[i * 4096] = (uint8_t)i;
	for (i = 0; i < 2048; i++)
		x += m[i * 4096] == (uint8_t)i;
	cr_assert_eq(x, 2048);
	rmt_us_stats_summary(rmt_pager_stats(p), &sum);
	cr_assert_gt(sum.coverage, 0.75, "coverage %f", sum.coverage);
	cr_assert_gt(sum.accuracy, 0.9, "accuracy %f", sum.accuracy);
	rmt_pager_destroy(p);
	rmt_us_rmt_pf_close(pf);
}

/* Coverage of readahead over two interleaved sequential streams. */
static double two_streams(bool per_region)
{
	struct rmt_pager_config c;
	struct rmt_pager *p;
	struct rmt_us_rmt_pf *pf;
	struct rmt_us_summary sum;
	char why[256] = "";
	uint8_t *a, *b;
	size_t i;

	cr_assert_eq(rmt_us_rmt_pf_open("readahead", &pf, why, sizeof(why)), 0);
	rmt_pager_config_default(&c);
	c.mem_limit = 256 * 4096;
	c.far_latency_ns = 0;
	c.arena_bytes = 64ull << 20;
	c.prefetch = rmt_us_rmt_pf_run;
	c.region = per_region ? rmt_us_rmt_pf_region : NULL;
	c.prefetch_priv = pf;
	cr_assert_eq(rmt_pager_create(&c, &p), 0);
	/* A gap between the regions, so that they never look adjacent. */
	a = rmt_pager_alloc(p, 1024 * 4096);
	cr_assert_not_null(rmt_pager_alloc(p, 4096 * 4096));
	b = rmt_pager_alloc(p, 1024 * 4096);
	for (i = 0; i < 1024; i++) {
		a[i * 4096] = 1;
		b[i * 4096] = 2;
	}
	for (i = 0; i < 1024; i++)
		cr_assert_eq(a[i * 4096] + b[i * 4096], 3);
	rmt_us_stats_summary(rmt_pager_stats(p), &sum);
	cr_assert_eq(rmt_pager_free(p, a), 0);
	rmt_pager_destroy(p);
	rmt_us_rmt_pf_close(pf);
	return sum.coverage;
}

Test(rmt_prefetch, readahead_state_per_region)
{
	char why[256] = "";
	double shared, own;

	if (rmt_pager_probe(why, sizeof(why)))
		cr_skip_test("userfaultfd unavailable: %s", why);
	shared = two_streams(false);
	own = two_streams(true);
	cr_assert_gt(own, 0.75, "coverage %f with per-region state", own);
	cr_log_info("readahead coverage: per-region %f, shared %f", own,
		    shared);
	cr_assert_gt(own, shared + 0.1, "per-region %f, shared %f", own,
		     shared);
}
