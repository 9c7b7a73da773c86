// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt-conformance-plugin - the plugin side of the eBPF conformance suite's
 * runner protocol: the program as hex bytes on stdin, the input memory as
 * hex bytes in the last argument, r0 printed in hex on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/conf_data.h"
#include "vm/conf_run.h"
#include "vm/jit.h"

#define RMT_PLUGIN_MAX_INPUT (1u << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rmt-conformance-plugin [--interp|--jit] [MEMORY_HEX]\n"
		"Reads a program as hex bytes (\"b7 00 00 00 03 00 00 00 ...\")\n"
		"from stdin, runs it with r1 = a copy of MEMORY_HEX and r2 = its\n"
		"length, and prints r0 in hex.  Errors: a message on stderr and\n"
		"exit status 1.\n"
		"  --interp  run in the interpreter (the default)\n"
		"  --jit     compile with the x86-64 JIT and run the native code\n"
		"  --help    show this text\n");
}

int main(int argc, char **argv)
{
	const char *mem_hex = NULL;
	char *input, err[256];
	u8 *code = NULL, *mem = NULL;
	size_t n, code_len = 0, mem_len = 0;
	rmt_exec_fn exec = rmt_vm_exec;
	u64 r0 = 0;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--interp")) {
			exec = rmt_vm_exec;
			continue;
		} else if (!strcmp(argv[i], "--jit")) {
			exec = rmt_jit_exec_once;
			continue;
		} else if (!strncmp(argv[i], "--", 2) || mem_hex) {
			fprintf(stderr,
				"rmt-conformance-plugin: unexpected argument '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
		mem_hex = argv[i];
	}
	input = malloc(RMT_PLUGIN_MAX_INPUT + 1);
	if (!input) {
		fprintf(stderr, "rmt-conformance-plugin: out of memory\n");
		return 1;
	}
	n = fread(input, 1, RMT_PLUGIN_MAX_INPUT + 1, stdin);
	if (n > RMT_PLUGIN_MAX_INPUT) {
		fprintf(stderr, "rmt-conformance-plugin: program too large\n");
		free(input);
		return 1;
	}
	input[n] = '\0';
	ret = rmt_hex_bytes(input, &code, &code_len);
	free(input);
	if (ret) {
		fprintf(stderr,
			"rmt-conformance-plugin: stdin: bad hex bytes\n");
		return 1;
	}
	if (mem_hex && rmt_hex_bytes(mem_hex, &mem, &mem_len)) {
		fprintf(stderr,
			"rmt-conformance-plugin: memory: bad hex bytes\n");
		free(code);
		return 1;
	}
	ret = rmt_conf_run(code, code_len, mem, mem_len, exec, &r0, err,
			   sizeof(err));
	free(code);
	free(mem);
	if (ret) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("0x%llx\n", (unsigned long long)r0);
	return 0;
}
