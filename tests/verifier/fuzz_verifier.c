// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_verifier.c - libFuzzer target: arbitrary bytes through load and
 * the verifier (for the hook the first byte picks); whatever it accepts
 * must run clean (fuzz_check.h).
 */
#include "tests/verifier/fuzz_check.h"
#include "tests/verifier/vtest.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const char *const hooks[] = { "test_fault", "example_history",
					     "example_packet" };
	struct rmt_prog prog;
	char log[256];

	if (size < 9)
		return 0;
	if (rmt_prog_load(&prog, data + 1, (size - 1) & ~(size_t)7,
			  rmt_vtest_helpers(), log, sizeof(log)))
		return 0;
	rmt_vfuzz_check(&prog, rmt_vhook_find(hooks[data[0] % 3]));
	rmt_prog_free(&prog);
	return 0;
}
