/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * elf.h - loader for BPF objects built by `clang -O2 -target bpf -c`:
 * ELF64, little-endian, EM_BPF.  One program per executable section; calls
 * into other executable sections (R_BPF_64_32 on a local call, as clang
 * emits for non-inlined functions) are linked by appending the callee's
 * section to the program.  Any other relocation is rejected.  User space.
 */
#ifndef RMT_VM_ELF_H
#define RMT_VM_ELF_H

#include "vm/isa.h"

struct rmt_elf_prog {
	char *name; /* the section name */
	struct rmt_insn *insns; /* linked code, entry at slot 0 */
	u32 len; /* slots */
};

struct rmt_elf {
	struct rmt_elf_prog *progs;
	u32 n_progs;
};

/*
 * Parse an object of size bytes.  Returns 0, or -EINVAL with a message
 * naming the section (and offset) in err, or -ENOMEM.  Every offset and
 * size in the file is checked against the file.
 */
int rmt_elf_load(const void *data, size_t size, struct rmt_elf *elf, char *err,
		 size_t err_size);
void rmt_elf_free(struct rmt_elf *elf);

#endif /* RMT_VM_ELF_H */
