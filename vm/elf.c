// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * elf.c - the BPF ELF object loader (see elf.h).  The linking of calls
 * follows the convention libbpf documents for R_BPF_64_32 on a call
 * instruction: callee slot = symbol value / 8 + imm + 1 within the
 * symbol's section.
 */
#define _POSIX_C_SOURCE 200809L

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/elf.h"
#include "vm/isa_desc.h"

#define RMT_R_BPF_64_32 10
/* Sections one program may pull in by calls, itself included. */
#define RMT_ELF_MAX_PARTS 16

struct rmt_elf_file {
	const u8 *data;
	size_t size;
	Elf64_Shdr *sh; /* an aligned copy of the section headers */
	u32 shnum;
	const char *shstr;
	size_t shstr_size;
	char *err;
	size_t err_size;
};

static int __attribute__((format(printf, 2, 3)))
rmt_elf_error(struct rmt_elf_file *f, const char *fmt, ...)
{
	va_list ap;

	if (f->err && f->err_size) {
		va_start(ap, fmt);
		vsnprintf(f->err, f->err_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool rmt_range_ok(size_t file_size, u64 off, u64 len)
{
	return off <= file_size && len <= file_size - off;
}

static const char *rmt_sec_name(const struct rmt_elf_file *f, u32 i)
{
	u32 name = f->sh[i].sh_name;

	if (!f->shstr || name >= f->shstr_size ||
	    !memchr(f->shstr + name, '\0', f->shstr_size - name))
		return "?";
	return f->shstr + name;
}

static bool rmt_is_code(const Elf64_Shdr *s)
{
	return s->sh_type == SHT_PROGBITS && (s->sh_flags & SHF_EXECINSTR) &&
	       s->sh_size;
}

static int rmt_elf_header(struct rmt_elf_file *f)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *ss;
	Elf64_Ehdr ehdr;
	u32 i;

	/* The file need not be aligned: work on copies of its structures. */
	if (f->size < sizeof(ehdr) || memcmp(f->data, ELFMAG, SELFMAG))
		return rmt_elf_error(f, "not an ELF file");
	memcpy(&ehdr, f->data, sizeof(ehdr));
	eh = &ehdr;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return rmt_elf_error(f, "not a 64-bit little-endian ELF file");
	if (eh->e_machine != EM_BPF)
		return rmt_elf_error(f, "e_machine %u is not EM_BPF (%u)",
				     eh->e_machine, EM_BPF);
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || !eh->e_shnum ||
	    eh->e_shoff % 8 ||
	    !rmt_range_ok(f->size, eh->e_shoff,
			  (u64)eh->e_shnum * sizeof(Elf64_Shdr)))
		return rmt_elf_error(f, "bad section header table");
	f->sh = malloc((size_t)eh->e_shnum * sizeof(Elf64_Shdr));
	if (!f->sh)
		return -ENOMEM;
	memcpy(f->sh, f->data + eh->e_shoff,
	       (size_t)eh->e_shnum * sizeof(Elf64_Shdr));
	f->shnum = eh->e_shnum;
	for (i = 0; i < f->shnum; i++) {
		const Elf64_Shdr *s = &f->sh[i];

		if (s->sh_type != SHT_NOBITS &&
		    !rmt_range_ok(f->size, s->sh_offset, s->sh_size))
			return rmt_elf_error(
				f, "section %u: offset/size outside the file",
				i);
	}
	if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= f->shnum)
		return rmt_elf_error(f, "bad section name table index %u",
				     eh->e_shstrndx);
	ss = &f->sh[eh->e_shstrndx];
	if (ss->sh_type != SHT_STRTAB)
		return rmt_elf_error(f, "section name table is not a STRTAB");
	f->shstr = (const char *)f->data + ss->sh_offset;
	f->shstr_size = ss->sh_size;
	return 0;
}

struct rmt_link {
	u32 sec[RMT_ELF_MAX_PARTS]; /* sections appended, [0] the program */
	u32 base[RMT_ELF_MAX_PARTS]; /* their first slot */
	u32 n;
	u32 len;
	struct rmt_insn *code;
};

/* Slot of section sec in the linked program, appending it if new. */
static int rmt_link_part(struct rmt_elf_file *f, struct rmt_link *l, u32 sec,
			 u32 *base)
{
	const Elf64_Shdr *s = &f->sh[sec];
	struct rmt_insn *code;
	u32 i, slots;

	for (i = 0; i < l->n; i++) {
		if (l->sec[i] == sec) {
			*base = l->base[i];
			return 0;
		}
	}
	if (s->sh_size % sizeof(struct rmt_insn))
		return rmt_elf_error(
			f, "section %s: size %llu is not a multiple of 8",
			rmt_sec_name(f, sec), (unsigned long long)s->sh_size);
	slots = (u32)(s->sh_size / sizeof(struct rmt_insn));
	if (l->n == RMT_ELF_MAX_PARTS || s->sh_size > RMT_MAX_INSNS * 8ull ||
	    l->len + slots > RMT_MAX_INSNS)
		return rmt_elf_error(f, "section %s: program too large",
				     rmt_sec_name(f, sec));
	code = realloc(l->code, (size_t)(l->len + slots) * sizeof(*code));
	if (!code)
		return -ENOMEM;
	memcpy(code + l->len, f->data + s->sh_offset, s->sh_size);
	l->code = code;
	l->sec[l->n] = sec;
	l->base[l->n++] = l->len;
	*base = l->len;
	l->len += slots;
	return 0;
}

static int rmt_link_reloc(struct rmt_elf_file *f, struct rmt_link *l, u32 part,
			  const Elf64_Shdr *rel, const Elf64_Rel *r)
{
	const Elf64_Shdr *symtab;
	const Elf64_Sym *sym;
	Elf64_Sym sym_copy;
	const char *sec = rmt_sec_name(f, l->sec[part]);
	u64 size = f->sh[l->sec[part]].sh_size, nsyms;
	u32 symi = (u32)ELF64_R_SYM(r->r_info), type, base, idx;
	struct rmt_insn *in;
	s64 callee;
	int ret;

	type = (u32)ELF64_R_TYPE(r->r_info);
	if (r->r_offset % 8 || r->r_offset >= size)
		return rmt_elf_error(
			f,
			"section %s: relocation offset 0x%llx is outside the code",
			sec, (unsigned long long)r->r_offset);
	idx = l->base[part] + (u32)(r->r_offset / 8);
	in = &l->code[idx];
	if (type != RMT_R_BPF_64_32 || in->code != 0x85 ||
	    rmt_insn_src(in) != RMT_CALL_LOCAL)
		return rmt_elf_error(
			f,
			"section %s: offset 0x%llx: relocation type %u not supported (only calls to functions)",
			sec, (unsigned long long)r->r_offset, type);
	if (rel->sh_link >= f->shnum ||
	    f->sh[rel->sh_link].sh_type != SHT_SYMTAB ||
	    f->sh[rel->sh_link].sh_entsize != sizeof(Elf64_Sym))
		return rmt_elf_error(f, "section %s: bad symbol table",
				     rmt_sec_name(f, (u32)(rel - f->sh)));
	symtab = &f->sh[rel->sh_link];
	nsyms = symtab->sh_size / sizeof(Elf64_Sym);
	if (symi >= nsyms)
		return rmt_elf_error(
			f, "section %s: offset 0x%llx: symbol %u out of range",
			sec, (unsigned long long)r->r_offset, symi);
	memcpy(&sym_copy,
	       f->data + symtab->sh_offset + (u64)symi * sizeof(Elf64_Sym),
	       sizeof(sym_copy));
	sym = &sym_copy;
	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= f->shnum ||
	    !rmt_is_code(&f->sh[sym->st_shndx]))
		return rmt_elf_error(
			f,
			"section %s: offset 0x%llx: call to a symbol outside the object's code",
			sec, (unsigned long long)r->r_offset);
	ret = rmt_link_part(f, l, sym->st_shndx, &base);
	if (ret)
		return ret;
	/* rmt_link_part may have moved the code. */
	in = &l->code[idx];
	callee = (s64)(sym->st_value / 8) + in->imm + 1;
	if (sym->st_value % 8 || callee < 0 ||
	    (u64)callee * 8 >= f->sh[sym->st_shndx].sh_size)
		return rmt_elf_error(
			f,
			"section %s: offset 0x%llx: call target outside section %s",
			sec, (unsigned long long)r->r_offset,
			rmt_sec_name(f, sym->st_shndx));
	in->imm = (s32)((s64)base + callee - idx - 1);
	return 0;
}

/* Apply the relocations of every part, including parts they add. */
static int rmt_link(struct rmt_elf_file *f, struct rmt_link *l)
{
	u32 part, i;
	u64 j, n;
	int ret;

	for (part = 0; part < l->n; part++) {
		for (i = 0; i < f->shnum; i++) {
			const Elf64_Shdr *rel = &f->sh[i];

			if (rel->sh_info != l->sec[part])
				continue;
			if (rel->sh_type == SHT_RELA)
				return rmt_elf_error(
					f,
					"section %s: RELA relocations not supported",
					rmt_sec_name(f, i));
			if (rel->sh_type != SHT_REL)
				continue;
			if (rel->sh_entsize != sizeof(Elf64_Rel))
				return rmt_elf_error(
					f, "section %s: bad entry size",
					rmt_sec_name(f, i));
			n = rel->sh_size / sizeof(Elf64_Rel);
			for (j = 0; j < n; j++) {
				Elf64_Rel r;

				memcpy(&r,
				       f->data + rel->sh_offset +
					       j * sizeof(Elf64_Rel),
				       sizeof(r));
				ret = rmt_link_reloc(f, l, part, rel, &r);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

static int rmt_elf_prog(struct rmt_elf_file *f, u32 sec, struct rmt_elf_prog *p)
{
	struct rmt_link l = { 0 };
	u32 base;
	int ret;

	ret = rmt_link_part(f, &l, sec, &base);
	if (!ret)
		ret = rmt_link(f, &l);
	if (!ret) {
		p->name = strdup(rmt_sec_name(f, sec));
		if (!p->name)
			ret = -ENOMEM;
	}
	if (ret) {
		free(l.code);
		return ret;
	}
	p->insns = l.code;
	p->len = l.len;
	return 0;
}

int rmt_elf_load(const void *data, size_t size, struct rmt_elf *elf, char *err,
		 size_t err_size)
{
	struct rmt_elf_file f = {
		.data = data, .size = size, .err = err, .err_size = err_size
	};
	u32 i;
	int ret;

	memset(elf, 0, sizeof(*elf));
	if (err && err_size)
		err[0] = '\0';
	ret = rmt_elf_header(&f);
	if (ret)
		goto out;
	elf->progs = calloc(f.shnum, sizeof(*elf->progs));
	if (!elf->progs) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < f.shnum && !ret; i++) {
		if (!rmt_is_code(&f.sh[i]))
			continue;
		ret = rmt_elf_prog(&f, i, &elf->progs[elf->n_progs]);
		if (!ret)
			elf->n_progs++;
	}
	if (!ret && !elf->n_progs)
		ret = rmt_elf_error(&f, "no executable section");
out:
	if (ret)
		rmt_elf_free(elf);
	free(f.sh);
	return ret;
}

void rmt_elf_free(struct rmt_elf *elf)
{
	u32 i;

	for (i = 0; i < elf->n_progs; i++) {
		free(elf->progs[i].name);
		free(elf->progs[i].insns);
	}
	free(elf->progs);
	memset(elf, 0, sizeof(*elf));
}

#define RMT_ELF_MAX_FILE (16u << 20)

int rmt_elf_load_file(const char *path, const char *section,
		      struct rmt_elf *elf, const struct rmt_elf_prog **prog,
		      char *err, size_t err_size)
{
	FILE *fp = fopen(path, "rb");
	u8 *data = NULL;
	long len;
	u32 i;
	int r;

	memset(elf, 0, sizeof(*elf));
	if (!fp) {
		r = -errno;
		snprintf(err, err_size, "cannot open: %s", strerror(errno));
		return r;
	}
	if (fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 ||
	    len > (long)RMT_ELF_MAX_FILE || fseek(fp, 0, SEEK_SET) ||
	    !(data = malloc((size_t)len + 1)) ||
	    fread(data, 1, (size_t)len, fp) != (size_t)len) {
		fclose(fp);
		free(data);
		snprintf(err, err_size, "cannot read (or over 16 MiB)");
		return -EIO;
	}
	fclose(fp);
	r = rmt_elf_load(data, (size_t)len, elf, err, err_size);
	free(data);
	if (r)
		return r;
	for (i = 0; i < elf->n_progs; i++)
		if (section && *section ? !strcmp(elf->progs[i].name, section) :
					  elf->n_progs == 1)
			break;
	if (i == elf->n_progs) {
		rmt_elf_free(elf);
		snprintf(err, err_size, "no section '%s' (name one if several)",
			 section ? section : "");
		return -ESRCH;
	}
	*prog = &elf->progs[i];
	return 0;
}
