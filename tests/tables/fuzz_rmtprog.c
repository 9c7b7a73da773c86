// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_rmtprog.c - libFuzzer target for the RMT program text parser:
 * any bytes must give a program or an error, never a crash or a leak.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/pipeline_parse.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	struct rmt_program p;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (!rmt_program_parse(text, NULL, &p, err, sizeof(err)))
		rmt_program_free(&p);
	free(text);
	return 0;
}
