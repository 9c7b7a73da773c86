// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_trace.c - libFuzzer target for the fault trace line parser that
 * rmt-replay and the oracle apply to their input: any line (a fault, an
 * eviction, a first touch or a drop) parses to a consistent record or is
 * refused with a reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg.h"
#include "uspace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rmt_us_trace_rec r;
	const char *why = NULL;
	char line[256];
	int err;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = 0;
	err = rmt_us_trace_parse(line, &r, &why);
	if (err == 0 && (r.addr % 4096 || !r.npages))
		abort();
	if (err == 0 && r.kind == RMT_US_TRACE_FAULT &&
	    (r.addr < r.region_start || r.addr >= r.region_end ||
	     (r.flags & ~RMT_FAULT_FLAGS_ALL) || r.npages != 1))
		abort();
	if (err == 0 && r.kind > RMT_US_TRACE_TOUCH)
		abort();
	if (err && (err != -EINVAL || !why))
		abort();
	return 0;
}
