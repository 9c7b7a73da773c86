// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_elf.c - libFuzzer target: bytes as a BPF ELF object; every program
 * it yields goes through load and a short interpreted run.
 */
#include <string.h>

#include "vm/elf.h"
#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u64 stack[RMT_VM_STACK_BYTES / 8];
	struct rmt_elf elf;
	struct rmt_prog prog;
	char err[256];
	u32 i;

	if (rmt_elf_load(data, size, &elf, err, sizeof(err)))
		return 0;
	for (i = 0; i < elf.n_progs; i++) {
		struct rmt_vm_run run = { .budget = 500, .stack = stack };

		if (rmt_prog_load(&prog, elf.progs[i].insns,
				  elf.progs[i].len * sizeof(struct rmt_insn),
				  NULL, err, sizeof(err)))
			continue;
		rmt_vm_exec(&prog, &run);
		rmt_prog_free(&prog);
	}
	rmt_elf_free(&elf);
	return 0;
}
