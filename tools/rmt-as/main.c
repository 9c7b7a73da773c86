// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt-as - assemble RMT/eBPF text (the conformance-suite syntax) into raw
 * little-endian instruction bytes or hex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/asm.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rmt-as [--hex] [-o OUTPUT] [INPUT]\n"
		"Assembles INPUT (default: stdin) into raw little-endian\n"
		"instruction bytes (8 per slot), written to OUTPUT (default:\n"
		"stdout).\n"
		"  --hex      write hex bytes separated by spaces instead, the\n"
		"             form rmt-conformance-plugin reads\n"
		"  -o FILE    output file\n"
		"  --help     show this text\n");
}

static char *read_all(FILE *in)
{
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap), *p;

	while (buf && (n = fread(buf + len, 1, cap - len - 1, in)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	const char *in_path = NULL, *out_path = NULL;
	struct rmt_insn *code;
	bool hex = false;
	FILE *in = stdin, *out = stdout;
	char *text, err[256];
	const u8 *bytes;
	u32 n, i;
	int ret;

	for (i = 1; i < (u32)argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--hex")) {
			hex = true;
		} else if (!strcmp(argv[i], "-o") && i + 1 < (u32)argc) {
			out_path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "rmt-as: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		} else if (in_path) {
			fprintf(stderr, "rmt-as: more than one input\n");
			usage(stderr);
			return 2;
		} else {
			in_path = argv[i];
		}
	}
	if (in_path && strcmp(in_path, "-")) {
		in = fopen(in_path, "r");
		if (!in) {
			perror(in_path);
			return 1;
		}
	}
	text = read_all(in);
	if (in != stdin)
		fclose(in);
	if (!text) {
		fprintf(stderr, "rmt-as: cannot read input\n");
		return 1;
	}
	ret = rmt_asm(text, &code, &n, err, sizeof(err));
	free(text);
	if (ret) {
		fprintf(stderr, "%s: %s\n", in_path ? in_path : "<stdin>", err);
		return 1;
	}
	if (out_path) {
		out = fopen(out_path, hex ? "w" : "wb");
		if (!out) {
			perror(out_path);
			free(code);
			return 1;
		}
	}
	bytes = (const u8 *)code;
	if (hex) {
		for (i = 0; i < n * 8; i++)
			fprintf(out, "%02x%c", bytes[i],
				i + 1 == n * 8 ? '\n' : ' ');
	} else {
		fwrite(bytes, 8, n, out);
	}
	free(code);
	if ((out != stdout && fclose(out)) || fflush(stdout)) {
		perror(out_path ? out_path : "stdout");
		return 1;
	}
	return 0;
}
