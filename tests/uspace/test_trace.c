// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_trace.c - the fault trace's lines: what rmt_us_trace_write writes
 * parses back to the same record for faults, evictions, first touches and
 * drops; the header names the version; malformed lines are refused with
 * the field.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/msg.h"
#include "uspace/trace.h"

static void round_trip(const struct rmt_us_trace_rec *r)
{
	struct rmt_us_trace_rec back;
	const char *why = NULL;
	char line[256];
	FILE *f = fmemopen(line, sizeof(line), "w");

	cr_assert_not_null(f);
	rmt_us_trace_write(f, r);
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	cr_assert_eq(rmt_us_trace_parse(line, &back, &why), 0, "'%s': %s", line,
		     why);
	cr_assert_eq(back.kind, r->kind, "'%s'", line);
	cr_assert_eq(back.time_ns, r->time_ns, "'%s'", line);
	cr_assert_eq(back.addr, r->addr, "'%s'", line);
	cr_assert_eq(back.npages, r->npages, "'%s'", line);
	if (r->kind != RMT_US_TRACE_FAULT)
		return;
	cr_assert_eq(back.tid, r->tid);
	cr_assert_eq(back.region_start, r->region_start);
	cr_assert_eq(back.region_end, r->region_end);
	cr_assert_eq(back.flags, r->flags);
	cr_assert_eq(back.latency_ns, r->latency_ns);
}

Test(trace, every_kind_reads_back)
{
	struct rmt_us_trace_rec fault = {
		.kind = RMT_US_TRACE_FAULT,
		.time_ns = 18446744073709551615ull,
		.tid = 4294967295u,
		.addr = 0x7f0000003000ull,
		.region_start = 0x7f0000000000ull,
		.region_end = 0x7f0000100000ull,
		.flags = RMT_FAULT_FLAGS_ALL,
		.latency_ns = 80000,
		.npages = 1,
	};
	struct rmt_us_trace_rec evict = { .kind = RMT_US_TRACE_EVICT,
					  .time_ns = 12,
					  .addr = 0x1000,
					  .npages = 1 };
	struct rmt_us_trace_rec touch = { .kind = RMT_US_TRACE_TOUCH,
					  .time_ns = 0,
					  .addr = 0x7ffffffff000ull,
					  .npages = 1 };
	struct rmt_us_trace_rec drop = { .kind = RMT_US_TRACE_DROP,
					 .time_ns = 13,
					 .addr = 0x7f0000000000ull,
					 .npages = 4294967295u };

	round_trip(&fault);
	round_trip(&evict);
	round_trip(&touch);
	round_trip(&drop);
}

Test(trace, the_header_names_the_version)
{
	cr_assert_eq(rmt_us_trace_version(RMT_US_TRACE_HEADER ": fields"), 2);
	cr_assert_eq(rmt_us_trace_version("# rmt fault trace v1: fields"), 1);
	cr_assert_eq(rmt_us_trace_version("# rmt fault trace v3"), 0);
	cr_assert_eq(rmt_us_trace_version("1 7 0x1000 0x1000 0x2000 1 5"), 0);
	cr_assert_eq(rmt_us_trace_version(""), 0);
}

Test(trace, bad_lines_name_the_field)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "evict", "malformed or missing time_ns" },
		{ "evict 12", "malformed, missing or unaligned addr" },
		{ "evict 12 0x1800", "malformed, missing or unaligned addr" },
		{ "evict 12 4096", "malformed, missing or unaligned addr" },
		{ "evict 12 0x1000 1", "trailing text" },
		{ "evict x 0x1000", "malformed or missing time_ns" },
		{ "touch 12 0x1001", "malformed, missing or unaligned addr" },
		{ "touch 12 0x1000 1", "trailing text" },
		{ "drop 12 0x1000", "malformed, missing or zero npages" },
		{ "drop 12 0x1000 0", "malformed, missing or zero npages" },
		{ "drop 12 0x1000 4294967296",
		  "malformed, missing or zero npages" },
		{ "drop 12 0x1000 1 2", "trailing text" },
		{ "evicted 12 0x1000", "malformed or missing time_ns" },
		{ "12 1 0x1000 0x1000 0x2000 1",
		  "malformed or missing latency_ns" },
		{ "12 1 0x3000 0x1000 0x2000 1 5", "addr not a page inside" },
	};
	struct rmt_us_trace_rec r;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;

		cr_assert_eq(rmt_us_trace_parse(bad[i].line, &r, &why), -EINVAL,
			     "'%s' parsed", bad[i].line);
		cr_assert(why && strstr(why, bad[i].why), "'%s': '%s'",
			  bad[i].line, why ? why : "(none)");
	}
}
