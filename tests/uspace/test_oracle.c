// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_oracle.c - the oracle prefetcher: it asks for the next pages of
 * the trace, translated to the run's own regions, skips no page and asks
 * for its whole lookahead at every fault, resynchronises after a fault
 * the trace does not have next, passes over a v2 trace's evictions, and
 * refuses bad traces with the line and the reason.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uspace/oracle.h"

/* Writes text to a new temporary file; its path in path. */
static void write_trace(char *path, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, 64, "/tmp/rmt-oracle-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static struct rmt_us_oracle *open_text(const char *text)
{
	struct rmt_us_oracle *o = NULL;
	char path[64], err[256] = "";

	write_trace(path, text);
	cr_assert_eq(rmt_us_oracle_open(path, &o, err, sizeof(err)), 0, "%s",
		     err);
	unlink(path);
	return o;
}

static int fault(struct rmt_us_oracle *o, uint64_t region, uint64_t page,
		 uint64_t *pages)
{
	struct rmt_us_fault_ctx c = { .addr = region + page * 4096,
				      .region_start = region,
				      .region_end = region + (1 << 20) };

	return rmt_us_oracle_run(o, &c, pages, RMT_US_MAX_PREFETCH);
}

/* Region A at 0x100000, B at 0x200000 in the trace: A0 B5 A1 B6 A2. */
static const char two_regions[] =
	"# rmt fault trace v1: time_ns tid addr region_start region_end "
	"flags latency_ns\n"
	"1 7 0x100000 0x100000 0x200000 1 5000\n"
	"2 7 0x205000 0x200000 0x300000 1 5000\n"
	"3 7 0x101000 0x100000 0x200000 1 5000\n"
	"4 7 0x206000 0x200000 0x300000 1 5000\n"
	"5 7 0x102000 0x100000 0x200000 1 5000\n";

Test(oracle, asks_for_the_future_in_this_runs_regions)
{
	struct rmt_us_oracle *o = open_text(two_regions);
	uint64_t pages[RMT_US_MAX_PREFETCH];
	/* This run's regions lie elsewhere: A at 0x7000000, B at 0x9000000. */
	int n = fault(o, 0x7000000, 0, pages);

	/* B is not known yet: only A's pages of the future. */
	cr_assert_eq(n, 2);
	cr_assert_eq(pages[0], 0x7001000);
	cr_assert_eq(pages[1], 0x7002000);
	/*
	 * B appears: the whole lookahead again (a page asked for while it
	 * was resident is fetched once it has gone far), B's page with it.
	 */
	n = fault(o, 0x9000000, 5, pages);
	cr_assert_eq(n, 3);
	cr_assert_eq(pages[0], 0x7001000);
	cr_assert_eq(pages[1], 0x9006000);
	cr_assert_eq(pages[2], 0x7002000);
	n = fault(o, 0x7000000, 1, pages);
	cr_assert_eq(n, 2);
	cr_assert_eq(pages[0], 0x9006000);
	cr_assert_eq(rmt_us_oracle_misfits(o), 0);
	rmt_us_oracle_close(o);
}

/* The same future with the recorded run's evictions between its faults. */
static const char two_regions_v2[] = "# rmt fault trace v2\n"
				     "evict 0 0x100000\n"
				     "1 7 0x100000 0x100000 0x200000 1 5000\n"
				     "evict 1 0x205000\n"
				     "evict 1 0x101000\n"
				     "2 7 0x205000 0x200000 0x300000 1 5000\n"
				     "drop 2 0x300000 16\n"
				     "3 7 0x101000 0x100000 0x200000 1 5000\n";

Test(oracle, evictions_are_not_the_future)
{
	struct rmt_us_oracle *o = open_text(two_regions_v2);
	uint64_t pages[RMT_US_MAX_PREFETCH];

	cr_assert_eq(fault(o, 0x7000000, 0, pages), 1);
	cr_assert_eq(pages[0], 0x7001000);
	cr_assert_eq(fault(o, 0x9000000, 5, pages), 1);
	cr_assert_eq(fault(o, 0x7000000, 1, pages), 0);
	cr_assert_eq(rmt_us_oracle_misfits(o), 0);
	rmt_us_oracle_close(o);
}

Test(oracle, a_fault_out_of_turn_resynchronises)
{
	struct rmt_us_oracle *o = open_text(two_regions);
	uint64_t pages[RMT_US_MAX_PREFETCH];

	fault(o, 0x7000000, 0, pages);
	/* A page the trace never had: counted, nothing asked for. */
	cr_assert_eq(fault(o, 0x7000000, 40, pages), 0);
	cr_assert_eq(rmt_us_oracle_misfits(o), 1);
	/* A later fault of the trace: found, and the cursor moves there. */
	fault(o, 0x9000000, 5, pages);
	cr_assert_eq(fault(o, 0x7000000, 2, pages), 0);
	cr_assert_eq(rmt_us_oracle_misfits(o), 1);
	rmt_us_oracle_close(o);
}

Test(oracle, bad_traces_are_refused_with_the_line)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "# rmt fault trace v1\n1 7 0x100000 0x100000\n",
		  "line 2: malformed or missing region_end" },
		{ "# rmt fault trace v1\n1 7 0x100800 0x100000 0x200000 1 5\n",
		  "line 2: addr not a page" },
		{ "# rmt fault trace v1\n", "no faults in the trace" },
		{ "# rmt fault trace v2\nevict 1 0x100000\n",
		  "no faults in the trace" },
		{ "# rmt fault trace v2\nevict 1 0x100010\n",
		  "line 2: malformed, missing or unaligned addr" },
		{ "", "no faults in the trace" },
	};
	struct rmt_us_oracle *o = NULL;
	char path[64], err[256];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_trace(path, bad[i].text);
		err[0] = 0;
		cr_assert_eq(rmt_us_oracle_open(path, &o, err, sizeof(err)),
			     -EINVAL);
		cr_assert(strstr(err, bad[i].want), "got '%s', want '%s'", err,
			  bad[i].want);
		unlink(path);
	}
	cr_assert_eq(
		rmt_us_oracle_open("/nonexistent/trace", &o, err, sizeof(err)),
		-ENOENT);
	cr_assert(strstr(err, "/nonexistent/trace"));
}
