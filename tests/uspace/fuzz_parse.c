// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_parse.c - libFuzzer target for the option parsers rmt-run and the
 * preload library apply to user input: any string either parses to a
 * value in range or is refused with -EINVAL.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uspace/pager.h"
#include "uspace/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64];
	uint64_t v, ns;
	uint32_t pm;
	int r;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = 0;
	r = rmt_us_parse_size(s, &v, &pm);
	if (r != 0 && r != -EINVAL)
		abort();
	if (r == 0 && pm > 1000)
		abort();
	r = rmt_us_parse_duration(s, &ns);
	if (r != 0 && r != -EINVAL)
		abort();
	r = rmt_us_parse_count(s, 1, 256, &v);
	if (r == 0 && (v < 1 || v > 256))
		abort();
	r = rmt_us_parse_fault_mode(s, &pm);
	if (r != 0 && r != -EINVAL)
		abort();
	if (r == 0 && pm != RMT_US_FAULT_SIGNAL && pm != RMT_US_FAULT_THREAD)
		abort();
	r = rmt_us_parse_evict_mode(s, &pm);
	if (r != 0 && r != -EINVAL)
		abort();
	if (r == 0 && pm != RMT_US_EVICT_MOVE && pm != RMT_US_EVICT_COPY)
		abort();
	return 0;
}
