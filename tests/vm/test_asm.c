// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_asm.c - the ISA table, assembler and disassembler: every table
 * entry decodes to itself, disassembles and re-assembles to the same
 * bytes; so does every conformance program; bad text gets an error with
 * its line number.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vm/test_util.h"
#include "vm/asm.h"
#include "vm/conf_data.h"
#include "vm/isa_desc.h"

static u64 rmt_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A valid encoding of op with random operand fields. */
static void rmt_sample(int op, u64 *seed, struct rmt_insn in[2])
{
	const struct rmt_isa_entry *e = &rmt_isa[op];
	u8 fields = rmt_isa_form_fields[e->form];

	memset(in, 0, 2 * sizeof(*in));
	in[0].code = e->code;
	if (fields & RMT_F_DST)
		in[0].regs |= (u8)(rmt_rand(seed) % 10);
	if (fields & RMT_F_SRC)
		in[0].regs |= (u8)((rmt_rand(seed) % 11) << 4);
	if (fields & RMT_F_OFF)
		in[0].off = (s16)rmt_rand(seed);
	if (fields & RMT_F_IMM)
		in[0].imm = (s32)rmt_rand(seed);
	if (e->sel == RMT_SEL_OFF)
		in[0].off = (s16)e->selval;
	else if (e->sel == RMT_SEL_IMM)
		in[0].imm = e->selval;
	else if (e->sel == RMT_SEL_SRC)
		in[0].regs = (u8)((in[0].regs & 0x0f) | e->selval << 4);
	if (op == RMT_OP_LDDW)
		in[1].imm = (s32)rmt_rand(seed);
}

Test(isa, every_entry_decodes_to_itself)
{
	struct rmt_insn in[2];
	u64 seed = 1;
	int op, i;

	for (op = 0; op < RMT_OP_COUNT; op++) {
		for (i = 0; i < 20; i++) {
			rmt_sample(op, &seed, in);
			cr_assert_eq(rmt_isa_decode(in, NULL), op, "%s",
				     rmt_isa[op].name);
		}
	}
}

Test(isa, reserved_fields_rejected)
{
	struct rmt_insn in[2];
	u64 seed = 2;
	u8 f, bad;
	int op;

	for (op = 0; op < RMT_OP_COUNT; op++) {
		for (f = RMT_F_DST; f <= RMT_F_IMM; f <<= 1) {
			if (!(rmt_isa_reserved(op) & f))
				continue;
			rmt_sample(op, &seed, in);
			if (f == RMT_F_DST)
				in[0].regs |= 1;
			else if (f == RMT_F_SRC)
				in[0].regs |= 1 << 4;
			else if (f == RMT_F_OFF)
				in[0].off = 1;
			else
				in[0].imm = 1;
			bad = 0;
			cr_assert_eq(rmt_isa_decode(in, &bad), -EINVAL,
				     "%s with %s set", rmt_isa[op].name,
				     rmt_isa_field_name(f));
			cr_assert_eq(bad, f);
		}
	}
}

Test(isa, names_and_forms_are_unique)
{
	int a, b;

	for (a = 0; a < RMT_OP_COUNT; a++)
		for (b = a + 1; b < RMT_OP_COUNT; b++)
			cr_assert(strcmp(rmt_isa[a].name, rmt_isa[b].name) ||
					  rmt_isa[a].form != rmt_isa[b].form,
				  "%s twice", rmt_isa[a].name);
}

Test(asm, every_entry_round_trips)
{
	struct rmt_insn in[2], *out;
	char text[128], err[128];
	u64 seed = 3;
	u32 n;
	int op, i, slots;

	for (op = 0; op < RMT_OP_COUNT; op++) {
		for (i = 0; i < 20; i++) {
			rmt_sample(op, &seed, in);
			slots = rmt_disasm(in, 2, 0, text, sizeof(text));
			cr_assert_eq(slots, op == RMT_OP_LDDW ? 2 : 1);
			cr_assert_eq(rmt_asm(text, &out, &n, err, sizeof(err)),
				     0, "'%s': %s", text, err);
			cr_assert_eq(n, (u32)slots);
			cr_assert_eq(memcmp(out, in, slots * sizeof(*in)), 0,
				     "'%s' re-assembles differently", text);
			free(out);
		}
	}
}

Test(asm, disasm_invalid)
{
	struct rmt_insn in[2] = { { .code = 0xff }, { 0 } };
	char text[128];

	cr_assert_eq(rmt_disasm(in, 2, 0, text, sizeof(text)), -EINVAL);
	cr_assert_not_null(strstr(text, "invalid"));
	in[0].code = 0x18;
	cr_assert_eq(rmt_disasm(in, 1, 0, text, sizeof(text)), -EINVAL);
}

/* Disassemble a whole program into text, one instruction a line. */
static char *rmt_disasm_all(const struct rmt_insn *code, u32 n)
{
	size_t cap = (size_t)n * 64 + 1, len = 0;
	char *text = malloc(cap), line[128];
	u32 i = 0;
	int slots;

	cr_assert_not_null(text);
	text[0] = '\0';
	while (i < n) {
		slots = rmt_disasm(code, n, i, line, sizeof(line));
		cr_assert_gt(slots, 0, "slot %u: %s", i, line);
		len += (size_t)snprintf(text + len, cap - len, "%s\n", line);
		i += (u32)slots;
	}
	return text;
}

Test(asm, conformance_programs_round_trip)
{
	const char *dir = rmt_test_conformance_dir();
	char path[4096], err[256], *text, *again;
	struct rmt_insn *code, *code2;
	struct rmt_conf_test t;
	struct dirent *de;
	u32 n, n2, files = 0;
	DIR *d;

	if (!dir)
		cr_skip_test("RMT_SHARED_DIR/conformance is absent");
	snprintf(path, sizeof(path), "%s/tests", dir);
	d = opendir(path);
	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/tests/%s", dir, de->d_name);
		text = rmt_test_read_file(path, NULL);
		cr_assert_not_null(text);
		cr_assert_eq(rmt_conf_parse(text, &t, err, sizeof(err)), 0,
			     "%s: %s", de->d_name, err);
		free(text);
		cr_assert_eq(rmt_asm(t.asm_text, &code, &n, err, sizeof(err)),
			     0, "%s: %s", de->d_name, err);
		again = rmt_disasm_all(code, n);
		cr_assert_eq(rmt_asm(again, &code2, &n2, err, sizeof(err)), 0,
			     "%s: %s", de->d_name, err);
		cr_assert_eq(n, n2);
		cr_assert_eq(memcmp(code, code2, n * sizeof(*code)), 0, "%s",
			     de->d_name);
		free(again);
		free(code);
		free(code2);
		rmt_conf_free(&t);
		files++;
	}
	closedir(d);
	cr_assert_gt(files, 0);
}

static void expect_asm_error(const char *text, const char *msg)
{
	struct rmt_insn *code;
	char err[256];
	u32 n;

	cr_assert_eq(rmt_asm(text, &code, &n, err, sizeof(err)), -EINVAL,
		     "'%s' assembled", text);
	cr_assert_null(code);
	cr_assert_str_eq(err, msg);
}

Test(asm, errors_name_the_line)
{
	expect_asm_error("mov %r0, 1\n\nfrob %r0\n",
			 "line 3: unknown mnemonic 'frob'");
	expect_asm_error("mov %r11, 1",
			 "line 1: bad register '%r11' (r0..r10)");
	expect_asm_error("mov %rx, 1", "line 1: bad register '%rx'");
	expect_asm_error("ja nowhere\nexit", "line 1: unknown label 'nowhere'");
	expect_asm_error("a:\na:\nexit", "line 2: duplicate label 'a'");
	expect_asm_error("mov32 %r0, 0x100000000",
			 "line 1: immediate '0x100000000' out of range");
	expect_asm_error("mov %r0, -2147483649",
			 "line 1: immediate '-2147483649' out of range");
	expect_asm_error("ldxw %r0, [%r1+32768]",
			 "line 1: offset '+32768' out of range");
	expect_asm_error("ldxw %r0, %r1", "line 1: bad operands for 'ldxw'");
	expect_asm_error("exit %r0", "line 1: bad operands for 'exit'");
	expect_asm_error("mov %r0, 12z", "line 1: bad number '12z'");
	expect_asm_error("mov %r0,", "line 1: empty operand");
	expect_asm_error("ldxw %r0, [%r1", "line 1: bad memory operand '[%r1'");
	expect_asm_error("lock frob [%r1], %r2",
			 "line 1: unknown mnemonic 'lock frob'");
	expect_asm_error("jeq %r0, 1, 2, 3", "line 1: too many operands");
	expect_asm_error("# nothing\n", "line 0: no instructions");
	expect_asm_error("9lab: exit", "line 1: bad label '9lab'");
}

Test(asm, syntax_forms)
{
	struct rmt_insn *code;
	char err[128];
	u32 n;

	/* Comments, labels on their own line or before an instruction,
	 * `exit` as the implicit label of the first exit, aliases. */
	cr_assert_eq(rmt_asm("  # comment\n"
			     "start: mov %r0, 0 # trailing\n"
			     "jeq %r0, 0, exit\n"
			     "swap16 %r0\n"
			     "call helper 5\n"
			     "call %r2\n"
			     "exit\n"
			     "ja start\n",
			     &code, &n, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 7);
	cr_assert_eq(code[1].off, 3);
	cr_assert_eq(code[2].code, 0xd7);
	cr_assert_eq(code[3].code, 0x85);
	cr_assert_eq(code[3].imm, 5);
	cr_assert_eq(code[4].code, 0x8d);
	cr_assert_eq(code[4].regs, 2);
	cr_assert_eq(code[6].off, -7);
	free(code);
}
