// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_examples.c - the clang-built example actions: loaded from their
 * ELF objects, run in the interpreter on a context region, and checked
 * against reference results computed here.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/actions.h"
#include "vm/elf.h"
#include "vm/vm.h"

static s64 rmt_emitted;

static u64 rmt_emit(struct rmt_vm_run *run, u64 delta, u64 b, u64 c, u64 d,
		    u64 e)
{
	rmt_emitted = (s64)delta;
	return 0;
}

static const struct rmt_helper rmt_ex_helpers[] = {
	{ .id = RMT_EX_HELPER_EMIT, .cost = 1, .fn = rmt_emit, .name = "emit" },
};
static const struct rmt_helper_set rmt_ex_set = { rmt_ex_helpers, 1 };

/* Load section `section` of examples/<object>.o. */
static void load_action(const char *object, const char *section,
			struct rmt_prog *prog)
{
	char path[4096], err[256];
	const struct rmt_elf_prog *ep;
	struct rmt_elf elf;

	snprintf(path, sizeof(path), "%s/%s.o", RMT_EXAMPLES_DIR, object);
	cr_assert_eq(
		rmt_elf_load_file(path, section, &elf, &ep, err, sizeof(err)),
		0, "%s: %s", path, err);
	cr_assert_eq(rmt_prog_load(prog, ep->insns,
				   ep->len * sizeof(struct rmt_insn),
				   &rmt_ex_set, err, sizeof(err)),
		     0, "%s: %s", section, err);
	rmt_elf_free(&elf);
}

static u64 run_action(const struct rmt_prog *prog, void *ctx, size_t size)
{
	static u64 stack[RMT_VM_STACK_BYTES / 8];
	struct rmt_vm_region region = {
		.start = (u64)(unsigned long)ctx,
		.len = size,
		.writable = true,
	};
	struct rmt_vm_run run = {
		.args = { region.start },
		.regions = &region,
		.n_regions = 1,
		.stack = stack,
	};
	int ret = rmt_vm_exec(prog, &run);

	cr_assert_eq(ret, 0, "run failed: %d at insn %u", ret, run.error_pc);
	return run.r0;
}

static u64 rmt_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(examples, stride)
{
	struct rmt_ex_history h = { .n = 5 };
	struct rmt_prog prog;
	u32 i;

	load_action("stride", "action/stride", &prog);
	for (i = 0; i < 5; i++)
		h.addr[i] = 0x10000 + i * 0x3000;
	cr_assert_eq(run_action(&prog, &h, sizeof(h)), 1);
	cr_assert_eq(h.predict, 0x10000 + 5 * 0x3000);
	h.addr[2] += 8;
	h.predict = 0;
	cr_assert_eq(run_action(&prog, &h, sizeof(h)), 0);
	cr_assert_eq(h.predict, 0);
	/* Descending strides count too. */
	for (i = 0; i < 5; i++)
		h.addr[i] = 0x90000 - i * 0x1000;
	cr_assert_eq(run_action(&prog, &h, sizeof(h)), 1);
	cr_assert_eq(h.predict, 0x90000 - 5 * 0x1000);
	h.n = 2;
	cr_assert_eq(run_action(&prog, &h, sizeof(h)), 0);
	rmt_prog_free(&prog);
}

static u32 ref_checksum(const u8 *d, u32 len)
{
	u32 sum = 0, i;

	for (i = 0; i < len; i++)
		sum += i % 2 ? d[i] : (u32)d[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

Test(examples, checksum)
{
	struct rmt_ex_packet p;
	struct rmt_prog prog;
	u64 seed = 42;
	u32 len, i;

	load_action("checksum", "action/checksum", &prog);
	for (len = 0; len <= RMT_EX_CSUM_MAX; len++) {
		for (i = 0; i < RMT_EX_CSUM_MAX; i++)
			p.data[i] = (u8)rmt_rand(&seed);
		p.len = len;
		cr_assert_eq(run_action(&prog, &p, sizeof(p)),
			     ref_checksum(p.data, len), "len %u", len);
	}
	rmt_prog_free(&prog);
}

Test(examples, majority)
{
	static const s64 deltas[] = { 64, 64, -4096, 64, 64, 128, 64 };
	struct rmt_ex_history h = { .n = 8, .addr = { 0x100000 } };
	struct rmt_prog prog;
	u32 i;

	load_action("majority", "action/majority", &prog);
	for (i = 1; i < 8; i++)
		h.addr[i] = h.addr[i - 1] + (u64)deltas[i - 1];
	rmt_emitted = 0;
	cr_assert_eq(run_action(&prog, &h, sizeof(h)), 1);
	cr_assert_eq(rmt_emitted, 64);
	cr_assert_eq(h.predict, h.addr[7] + 64);
	/* 3 of 6 deltas is no strict majority. */
	h.n = 7;
	for (i = 1; i < 7; i++)
		h.addr[i] = h.addr[i - 1] + (i % 2 ? 64 : 8 * i);
	rmt_emitted = 0;
	cr_assert_eq(run_action(&prog, &h, sizeof(h)), 0);
	cr_assert_eq(rmt_emitted, 0);
	rmt_prog_free(&prog);
}
