// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_asm.c - libFuzzer target: bytes as assembler text; whatever
 * assembles must disassemble and re-assemble to the same bytes.  The same
 * text also goes through the conformance test-file parser.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/asm.h"
#include "vm/conf_data.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct rmt_insn *code, *again;
	struct rmt_conf_test conf;
	char *text, err[256], line[128];
	u32 n, n2, i;
	int slots;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!rmt_conf_parse(text, &conf, err, sizeof(err)))
		rmt_conf_free(&conf);
	if (rmt_asm(text, &code, &n, err, sizeof(err))) {
		free(text);
		return 0;
	}
	for (i = 0; i < n; i += slots) {
		slots = rmt_disasm(code, n, i, line, sizeof(line));
		if (slots < 0)
			abort(); /* the assembler emitted an invalid slot */
		if (rmt_asm(line, &again, &n2, err, sizeof(err)) ||
		    n2 != (u32)slots || memcmp(again, &code[i], n2 * 8))
			abort();
		free(again);
	}
	free(code);
	free(text);
	return 0;
}
