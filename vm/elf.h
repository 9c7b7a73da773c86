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

/*
 * Read the object at path (at most 16 MiB) and pick one program: the
 * section named section, or with section NULL or "" the only one.  On
 * success elf holds the object (rmt_elf_free it) and *prog points into
 * it; on error err says why: -errno if the file cannot be opened, -EIO if
 * it cannot be read, rmt_elf_load's errors, -ESRCH for no such section.
 */
int rmt_elf_load_file(const char *path, const char *section,
		      struct rmt_elf *elf, const struct rmt_elf_prog **prog,
		      char *err, size_t err_size);

#endif /* RMT_VM_ELF_H */
