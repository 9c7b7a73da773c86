// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt-objdump - disassemble raw instruction bytes (.bin, as rmt-as
 * writes) or a BPF ELF object (clang -target bpf).  The output
 * re-assembles with rmt-as: addresses and bytes are comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/asm.h"
#include "vm/elf.h"

#define RMT_OBJDUMP_MAX (64u << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rmt-objdump [--no-bytes] FILE\n"
		"Disassembles FILE: raw little-endian instruction slots, or a BPF\n"
		"ELF object (one program per executable section).  The output\n"
		"assembles again with rmt-as.\n"
		"  --no-bytes  leave out the slot numbers and bytes\n"
		"  --help      show this text\n");
}

static void dump(const struct rmt_insn *code, u32 n, bool bytes)
{
	char text[128];
	u32 i = 0, j;
	int slots;

	while (i < n) {
		slots = rmt_disasm(code, n, i, text, sizeof(text));
		if (!bytes || slots < 0) {
			printf("%s\n", text);
		} else {
			const u8 *b = (const u8 *)&code[i];

			printf("%-40s # %5u:", text, i);
			for (j = 0; j < 8; j++)
				printf(" %02x", b[j]);
			printf("\n");
		}
		i += slots < 0 ? 1 : (u32)slots;
	}
}

static u8 *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;

	if (!f)
		return NULL;
	buf = malloc(RMT_OBJDUMP_MAX + 1);
	if (buf)
		*len = fread(buf, 1, RMT_OBJDUMP_MAX + 1, f);
	fclose(f);
	if (buf && *len > RMT_OBJDUMP_MAX) {
		free(buf);
		return NULL;
	}
	return buf;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool bytes = true;
	struct rmt_elf elf;
	char err[256];
	size_t len = 0;
	u32 i;
	u8 *data;
	int ret = 0;

	for (i = 1; i < (u32)argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--no-bytes")) {
			bytes = false;
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr,
				"rmt-objdump: unexpected argument '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	data = read_file(path, &len);
	if (!data) {
		fprintf(stderr, "rmt-objdump: cannot read %s\n", path);
		return 1;
	}
	if (len >= 4 && !memcmp(data, "\177ELF", 4)) {
		ret = rmt_elf_load(data, len, &elf, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "rmt-objdump: %s: %s\n", path, err);
		} else {
			for (i = 0; i < elf.n_progs; i++) {
				printf("# section %s\n", elf.progs[i].name);
				dump(elf.progs[i].insns, elf.progs[i].len,
				     bytes);
			}
			rmt_elf_free(&elf);
		}
	} else if (len % 8 || !len) {
		fprintf(stderr,
			"rmt-objdump: %s: %zu bytes is not a whole number of instructions\n",
			path, len);
		ret = -1;
	} else {
		dump((const struct rmt_insn *)data, (u32)(len / 8), bytes);
	}
	free(data);
	return ret ? 1 : 0;
}
