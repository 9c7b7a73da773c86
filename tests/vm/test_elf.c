// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_elf.c - the BPF ELF loader on objects built here in memory: a valid
 * one with a call into another section, and broken ones (header, section
 * table, offsets, relocations) that must fail with a message naming what
 * is wrong.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vm/test_util.h"
#include "vm/elf.h"

#define I(c, r, o, i)                                            \
	{                                                        \
		.code = (c), .regs = (r), .off = (o), .imm = (i) \
	}

static const char shstr[] = "\0.shstrtab\0act/main\0.text\0.symtab\0.rel";
#define N_SHSTRTAB 1
#define N_MAIN 11
#define N_TEXT 20
#define N_SYMTAB 26
#define N_REL 34

/* A whole object: header, section data, section headers at the end. */
struct rmt_obj {
	Elf64_Ehdr eh;
	char shstr[sizeof(shstr)];
	u8 pad[8 - sizeof(shstr) % 8];
	struct rmt_insn main[3];
	struct rmt_insn text[2];
	Elf64_Sym syms[2];
	Elf64_Rel rels[1];
	Elf64_Shdr sh[6];
};

#define OFF(field) ((u64)offsetof(struct rmt_obj, field))

static void rmt_obj_init(struct rmt_obj *o)
{
	struct rmt_insn main[3] = { I(0x85, 0x10, 0, -1), I(0x07, 0, 0, 1),
				    I(0x95, 0, 0, 0) };
	struct rmt_insn text[2] = { I(0xb7, 0, 0, 41), I(0x95, 0, 0, 0) };

	memset(o, 0, sizeof(*o));
	memcpy(o->eh.e_ident, ELFMAG, SELFMAG);
	o->eh.e_ident[EI_CLASS] = ELFCLASS64;
	o->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	o->eh.e_ident[EI_VERSION] = EV_CURRENT;
	o->eh.e_type = ET_REL;
	o->eh.e_machine = EM_BPF;
	o->eh.e_shoff = OFF(sh);
	o->eh.e_ehsize = sizeof(Elf64_Ehdr);
	o->eh.e_shentsize = sizeof(Elf64_Shdr);
	o->eh.e_shnum = 6;
	o->eh.e_shstrndx = 1;
	memcpy(o->shstr, shstr, sizeof(shstr));
	memcpy(o->main, main, sizeof(main));
	memcpy(o->text, text, sizeof(text));
	/* Symbol 1: the .text section symbol. */
	o->syms[1].st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
	o->syms[1].st_shndx = 3;
	o->rels[0].r_offset = 0;
	o->rels[0].r_info = ELF64_R_INFO(1, 10);
	o->sh[1] = (Elf64_Shdr){ .sh_name = N_SHSTRTAB,
				 .sh_type = SHT_STRTAB,
				 .sh_offset = OFF(shstr),
				 .sh_size = sizeof(shstr) };
	o->sh[2] = (Elf64_Shdr){ .sh_name = N_MAIN,
				 .sh_type = SHT_PROGBITS,
				 .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
				 .sh_offset = OFF(main),
				 .sh_size = sizeof(main) };
	o->sh[3] = (Elf64_Shdr){ .sh_name = N_TEXT,
				 .sh_type = SHT_PROGBITS,
				 .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
				 .sh_offset = OFF(text),
				 .sh_size = sizeof(text) };
	o->sh[4] = (Elf64_Shdr){ .sh_name = N_SYMTAB,
				 .sh_type = SHT_SYMTAB,
				 .sh_offset = OFF(syms),
				 .sh_size = sizeof(o->syms),
				 .sh_entsize = sizeof(Elf64_Sym) };
	o->sh[5] = (Elf64_Shdr){ .sh_name = N_REL,
				 .sh_type = SHT_REL,
				 .sh_offset = OFF(rels),
				 .sh_size = sizeof(o->rels),
				 .sh_link = 4,
				 .sh_info = 2,
				 .sh_entsize = sizeof(Elf64_Rel) };
}

static void expect_elf_error(const struct rmt_obj *o, size_t size,
			     const char *msg)
{
	struct rmt_elf elf;
	char err[256];

	cr_assert_eq(rmt_elf_load(o, size, &elf, err, sizeof(err)), -EINVAL,
		     "loaded, expected '%s'", msg);
	cr_assert_not_null(strstr(err, msg), "'%s' lacks '%s'", err, msg);
	cr_assert_null(elf.progs);
}

Test(elf, links_and_runs)
{
	struct rmt_vm_run run = { 0 };
	struct rmt_prog prog;
	struct rmt_elf elf;
	struct rmt_obj o;
	char err[256];

	rmt_obj_init(&o);
	cr_assert_eq(rmt_elf_load(&o, sizeof(o), &elf, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(elf.n_progs, 2);
	cr_assert_str_eq(elf.progs[0].name, "act/main");
	cr_assert_eq(elf.progs[0].len, 5, "main with .text appended");
	cr_assert_eq(elf.progs[0].insns[0].imm, 2);
	cr_assert_str_eq(elf.progs[1].name, ".text");
	cr_assert_eq(rmt_prog_load(&prog, elf.progs[0].insns,
				   elf.progs[0].len * 8, NULL, err,
				   sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(rmt_test_run(&prog, &run), 0);
	cr_assert_eq(run.r0, 42);
	rmt_prog_free(&prog);
	rmt_elf_free(&elf);
}

Test(elf, bad_headers)
{
	struct rmt_obj o;

	rmt_obj_init(&o);
	expect_elf_error(&o, 10, "not an ELF file");
	o.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_elf_error(&o, sizeof(o), "not a 64-bit little-endian");
	rmt_obj_init(&o);
	o.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_elf_error(&o, sizeof(o), "not a 64-bit little-endian");
	rmt_obj_init(&o);
	o.eh.e_machine = EM_X86_64;
	expect_elf_error(&o, sizeof(o), "is not EM_BPF");
	rmt_obj_init(&o);
	o.eh.e_shoff = sizeof(o) - 8;
	expect_elf_error(&o, sizeof(o), "bad section header table");
	rmt_obj_init(&o);
	expect_elf_error(&o, sizeof(o) - 1, "bad section header table");
	rmt_obj_init(&o);
	o.eh.e_shnum = 0xffff;
	expect_elf_error(&o, sizeof(o), "bad section header table");
	rmt_obj_init(&o);
	o.eh.e_shentsize = 40;
	expect_elf_error(&o, sizeof(o), "bad section header table");
	rmt_obj_init(&o);
	o.eh.e_shstrndx = 6;
	expect_elf_error(&o, sizeof(o), "bad section name table index 6");
	rmt_obj_init(&o);
	o.eh.e_shstrndx = 2;
	expect_elf_error(&o, sizeof(o), "section name table is not a STRTAB");
}

Test(elf, bad_sections)
{
	struct rmt_obj o;

	rmt_obj_init(&o);
	o.sh[3].sh_offset = ~0ull - 4;
	expect_elf_error(&o, sizeof(o), "section 3: offset/size outside");
	rmt_obj_init(&o);
	o.sh[2].sh_size = ~0ull;
	expect_elf_error(&o, sizeof(o), "section 2: offset/size outside");
	rmt_obj_init(&o);
	o.sh[2].sh_size = 20;
	expect_elf_error(&o, sizeof(o),
			 "section act/main: size 20 is not a multiple of 8");
	rmt_obj_init(&o);
	o.sh[2].sh_name = 1000; /* outside the name table: shown as ? */
	o.sh[2].sh_size = 4;
	expect_elf_error(&o, sizeof(o), "section ?: size 4");
	rmt_obj_init(&o);
	o.sh[2].sh_flags = SHF_ALLOC;
	o.sh[3].sh_flags = SHF_ALLOC;
	expect_elf_error(&o, sizeof(o), "no executable section");
}

Test(elf, bad_relocations)
{
	struct rmt_obj o;

	rmt_obj_init(&o);
	o.rels[0].r_info = ELF64_R_INFO(1, 1); /* R_BPF_64_64 */
	expect_elf_error(
		&o, sizeof(o),
		"section act/main: offset 0x0: relocation type 1 not supported");
	rmt_obj_init(&o);
	o.rels[0].r_offset = 8; /* not a call */
	expect_elf_error(
		&o, sizeof(o),
		"section act/main: offset 0x8: relocation type 10 not supported");
	rmt_obj_init(&o);
	o.rels[0].r_offset = 24;
	expect_elf_error(&o, sizeof(o), "relocation offset 0x18 is outside");
	rmt_obj_init(&o);
	o.rels[0].r_info = ELF64_R_INFO(2, 10);
	expect_elf_error(&o, sizeof(o), "offset 0x0: symbol 2 out of range");
	rmt_obj_init(&o);
	o.syms[1].st_shndx = 4;
	expect_elf_error(&o, sizeof(o),
			 "call to a symbol outside the object's code");
	rmt_obj_init(&o);
	o.main[0].imm = 5;
	expect_elf_error(&o, sizeof(o), "call target outside section .text");
	rmt_obj_init(&o);
	o.sh[5].sh_link = 3;
	expect_elf_error(&o, sizeof(o), "section .rel: bad symbol table");
	rmt_obj_init(&o);
	o.sh[5].sh_type = SHT_RELA;
	expect_elf_error(&o, sizeof(o), "RELA relocations not supported");
}

/* Every truncation of a valid object fails cleanly or loads. */
Test(elf, truncations_never_crash)
{
	struct rmt_elf elf;
	struct rmt_obj o;
	size_t n;
	u8 *copy;

	rmt_obj_init(&o);
	for (n = 0; n <= sizeof(o); n++) {
		copy = malloc(n ? n : 1);
		memcpy(copy, &o, n);
		if (!rmt_elf_load(copy, n, &elf, NULL, 0))
			rmt_elf_free(&elf);
		free(copy);
	}
}
