// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_x86_emit.c - the JIT's x86-64 encoder against reference encodings:
 * the expected bytes are what GNU as 2.40 produces for the instruction in
 * the comment (REX, SIB for rsp/r12, disp8 for rbp/r13, byte registers,
 * imm8 versus imm32), plus the relative jumps from the Intel SDM.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "vm/x86_64/emit.h"

static void check(void (*fn)(struct rmt_x86 *e), const char *expect,
		  const char *what)
{
	struct rmt_x86 counted = { 0 };
	struct rmt_x86 e = { 0 };
	char got[128] = "";
	u8 buf[32];
	u32 i;

	e.buf = buf;
	e.cap = sizeof(buf);
	fn(&e);
	fn(&counted);
	for (i = 0; i < e.len; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%02x",
			 i ? " " : "", buf[i]);
	cr_expect_str_eq(got, expect, "%s", what);
	cr_expect_eq(counted.len, e.len, "%s: counting pass length", what);
}

static void case_1(struct rmt_x86 *e)
{
	rmt_x86_alu_rr(e, RMT_X86_ADD, true, RMT_RAX, RMT_RBX);
}

static void case_2(struct rmt_x86 *e)
{
	rmt_x86_alu_rr(e, RMT_X86_SUB, false, RMT_R13, RMT_RDI);
}

static void case_3(struct rmt_x86 *e)
{
	rmt_x86_alu_rr(e, RMT_X86_XOR, true, RMT_R15, RMT_R8);
}

static void case_4(struct rmt_x86 *e)
{
	rmt_x86_alu_rr(e, RMT_X86_CMP, false, RMT_RSI, RMT_R14);
}

static void case_5(struct rmt_x86 *e)
{
	rmt_x86_alu_ri(e, RMT_X86_AND, true, RMT_RCX, 0x7f);
}

static void case_6(struct rmt_x86 *e)
{
	rmt_x86_alu_ri(e, RMT_X86_OR, false, RMT_R9, 0x12345);
}

static void case_7(struct rmt_x86 *e)
{
	rmt_x86_alu_ri(e, RMT_X86_CMP, true, RMT_R11, -1);
}

static void case_8(struct rmt_x86 *e)
{
	rmt_x86_alu_rm(e, RMT_X86_SUB, true, RMT_R11, RMT_R12, 0x48);
}

static void case_9(struct rmt_x86 *e)
{
	rmt_x86_alu_mi(e, RMT_X86_CMP, false, RMT_R12, 0x90, 7);
}

static void case_10(struct rmt_x86 *e)
{
	rmt_x86_mov_rr(e, false, RMT_RAX, RMT_RAX);
}

static void case_11(struct rmt_x86 *e)
{
	rmt_x86_mov_rr(e, true, RMT_RBP, RMT_RSP);
}

static void case_12(struct rmt_x86 *e)
{
	rmt_x86_mov_ri(e, false, RMT_R10, -5);
}

static void case_13(struct rmt_x86 *e)
{
	rmt_x86_mov_ri(e, true, RMT_RDX, -5);
}

static void case_14(struct rmt_x86 *e)
{
	rmt_x86_mov_ri64(e, RMT_R14, 0x123456789abcdef0ull);
}

static void case_15(struct rmt_x86 *e)
{
	rmt_x86_test_rr(e, true, RMT_RDI, RMT_R8);
}

static void case_16(struct rmt_x86 *e)
{
	rmt_x86_test_ri(e, false, RMT_R10, 7);
}

static void case_17(struct rmt_x86 *e)
{
	rmt_x86_neg(e, true, RMT_R13);
}

static void case_18(struct rmt_x86 *e)
{
	rmt_x86_imul_rr(e, true, RMT_RBX, RMT_R15);
}

static void case_19(struct rmt_x86 *e)
{
	rmt_x86_imul_rri(e, false, RMT_RCX, RMT_RCX, 1000);
}

static void case_20(struct rmt_x86 *e)
{
	rmt_x86_imul_rri(e, true, RMT_R8, RMT_R8, -3);
}

static void case_21(struct rmt_x86 *e)
{
	rmt_x86_div(e, true, false, RMT_R11);
}

static void case_22(struct rmt_x86 *e)
{
	rmt_x86_div(e, false, true, RMT_R11);
}

static void case_23(struct rmt_x86 *e)
{
	rmt_x86_cdq(e, true);
}

static void case_24(struct rmt_x86 *e)
{
	rmt_x86_cdq(e, false);
}

static void case_25(struct rmt_x86 *e)
{
	rmt_x86_shift_ri(e, RMT_X86_SAR, true, RMT_RSI, 63);
}

static void case_26(struct rmt_x86 *e)
{
	rmt_x86_shift_cl(e, RMT_X86_SHL, false, RMT_R15);
}

static void case_27(struct rmt_x86 *e)
{
	rmt_x86_rol16_8(e, RMT_R8);
}

static void case_28(struct rmt_x86 *e)
{
	rmt_x86_bswap(e, true, RMT_R13);
}

static void case_29(struct rmt_x86 *e)
{
	rmt_x86_bswap(e, false, RMT_RDX);
}

static void case_30(struct rmt_x86 *e)
{
	rmt_x86_movzx_rr(e, 8, RMT_RSI, RMT_RSI);
}

static void case_31(struct rmt_x86 *e)
{
	rmt_x86_movzx_rr(e, 16, RMT_R9, RMT_RBX);
}

static void case_32(struct rmt_x86 *e)
{
	rmt_x86_movsx_rr(e, 8, true, RMT_RAX, RMT_RDI);
}

static void case_33(struct rmt_x86 *e)
{
	rmt_x86_movsx_rr(e, 16, false, RMT_R14, RMT_RCX);
}

static void case_34(struct rmt_x86 *e)
{
	rmt_x86_movsx_rr(e, 32, true, RMT_RDX, RMT_R15);
}

static void case_35(struct rmt_x86 *e)
{
	rmt_x86_load(e, 1, false, RMT_RAX, RMT_R10, 0);
}

static void case_36(struct rmt_x86 *e)
{
	rmt_x86_load(e, 2, true, RMT_R13, RMT_RBP, -8);
}

static void case_37(struct rmt_x86 *e)
{
	rmt_x86_load(e, 4, true, RMT_RSI, RMT_R12, 0x100);
}

static void case_38(struct rmt_x86 *e)
{
	rmt_x86_load(e, 4, false, RMT_RBX, RMT_R13, 0);
}

static void case_39(struct rmt_x86 *e)
{
	rmt_x86_load(e, 8, false, RMT_R9, RMT_RSP, 0);
}

static void case_40(struct rmt_x86 *e)
{
	rmt_x86_store(e, 1, RMT_RBP, -1, RMT_RSI);
}

static void case_41(struct rmt_x86 *e)
{
	rmt_x86_store(e, 2, RMT_R10, 0, RMT_R8);
}

static void case_42(struct rmt_x86 *e)
{
	rmt_x86_store(e, 8, RMT_R12, 0x18, RMT_R9);
}

static void case_43(struct rmt_x86 *e)
{
	rmt_x86_store_imm(e, 1, RMT_RBP, -512, -1);
}

static void case_44(struct rmt_x86 *e)
{
	rmt_x86_store_imm(e, 2, RMT_R10, 0, 0x1234);
}

static void case_45(struct rmt_x86 *e)
{
	rmt_x86_store_imm(e, 8, RMT_RBP, -16, -2);
}

static void case_46(struct rmt_x86 *e)
{
	rmt_x86_lea(e, RMT_R10, RMT_RBP, -24);
}

static void case_47(struct rmt_x86 *e)
{
	rmt_x86_lock_alu(e, RMT_X86_ADD, 8, RMT_R10, 0, RMT_RDI);
}

static void case_48(struct rmt_x86 *e)
{
	rmt_x86_lock_alu(e, RMT_X86_XOR, 4, RMT_R10, 0, RMT_R15);
}

static void case_49(struct rmt_x86 *e)
{
	rmt_x86_lock_xadd(e, 4, RMT_R10, 0, RMT_RSI);
}

static void case_50(struct rmt_x86 *e)
{
	rmt_x86_xchg(e, 8, RMT_R10, 0, RMT_RBX);
}

static void case_51(struct rmt_x86 *e)
{
	rmt_x86_lock_cmpxchg(e, 8, RMT_R10, 0, RMT_R11);
}

static void case_52(struct rmt_x86 *e)
{
	rmt_x86_push(e, RMT_R12);
}

static void case_53(struct rmt_x86 *e)
{
	rmt_x86_pop(e, RMT_RBX);
}

static void case_54(struct rmt_x86 *e)
{
	rmt_x86_call_r(e, RMT_RAX);
}

static void case_55(struct rmt_x86 *e)
{
	rmt_x86_ret(e);
}

static void case_56(struct rmt_x86 *e)
{
	rmt_x86_cmov_rr(e, RMT_CC_E, true, RMT_R9, RMT_R11);
}

static void case_57(struct rmt_x86 *e)
{
	rmt_x86_cmov_rr(e, RMT_CC_NE, false, RMT_RDX, RMT_RAX);
}

static void jmp8(struct rmt_x86 *e)
{
	rmt_x86_jmp8(e, -2);
}

static void jcc8(struct rmt_x86 *e)
{
	rmt_x86_jcc8(e, RMT_CC_L, 0x10);
}

static void jmp32(struct rmt_x86 *e)
{
	rmt_x86_jmp32(e, 0x1234);
}

static void jcc32(struct rmt_x86 *e)
{
	rmt_x86_jcc32(e, RMT_CC_AE, -0x100);
}

static void call32(struct rmt_x86 *e)
{
	rmt_x86_call32(e, 0x10);
}

static const struct {
	void (*fn)(struct rmt_x86 *e);
	const char *bytes;
	const char *as;
} cases[] = {
	{ case_1, "48 01 d8", "add %rbx,%rax" },
	{ case_2, "41 29 fd", "sub %edi,%r13d" },
	{ case_3, "4d 31 c7", "xor %r8,%r15" },
	{ case_4, "44 39 f6", "cmp %r14d,%esi" },
	{ case_5, "48 83 e1 7f", "and $0x7f,%rcx" },
	{ case_6, "41 81 c9 45 23 01 00", "or $0x12345,%r9d" },
	{ case_7, "49 83 fb ff", "cmp $-1,%r11" },
	{ case_8, "4d 2b 5c 24 48", "sub 0x48(%r12),%r11" },
	{ case_9, "41 83 bc 24 90 00 00 00 07", "cmpl $7,0x90(%r12)" },
	{ case_10, "89 c0", "mov %eax,%eax" },
	{ case_11, "48 89 e5", "mov %rsp,%rbp" },
	{ case_12, "41 ba fb ff ff ff", "mov $0xfffffffb,%r10d" },
	{ case_13, "48 c7 c2 fb ff ff ff", "mov $-5,%rdx" },
	{ case_14, "49 be f0 de bc 9a 78 56 34 12",
	  "movabs $0x123456789abcdef0,%r14" },
	{ case_15, "4c 85 c7", "test %r8,%rdi" },
	{ case_16, "41 f7 c2 07 00 00 00", "test $7,%r10d" },
	{ case_17, "49 f7 dd", "neg %r13" },
	{ case_18, "49 0f af df", "imul %r15,%rbx" },
	{ case_19, "69 c9 e8 03 00 00", "imul $1000,%ecx,%ecx" },
	{ case_20, "4d 6b c0 fd", "imul $-3,%r8,%r8" },
	{ case_21, "49 f7 f3", "div %r11" },
	{ case_22, "41 f7 fb", "idiv %r11d" },
	{ case_23, "48 99", "cqto" },
	{ case_24, "99", "cltd" },
	{ case_25, "48 c1 fe 3f", "sar $63,%rsi" },
	{ case_26, "41 d3 e7", "shl %cl,%r15d" },
	{ case_27, "66 41 c1 c0 08", "rol $8,%r8w" },
	{ case_28, "49 0f cd", "bswap %r13" },
	{ case_29, "0f ca", "bswap %edx" },
	{ case_30, "40 0f b6 f6", "movzbl %sil,%esi" },
	{ case_31, "44 0f b7 cb", "movzwl %bx,%r9d" },
	{ case_32, "48 0f be c7", "movsbq %dil,%rax" },
	{ case_33, "44 0f bf f1", "movswl %cx,%r14d" },
	{ case_34, "49 63 d7", "movslq %r15d,%rdx" },
	{ case_35, "41 0f b6 02", "movzbl (%r10),%eax" },
	{ case_36, "4c 0f bf 6d f8", "movswq -8(%rbp),%r13" },
	{ case_37, "49 63 b4 24 00 01 00 00", "movslq 0x100(%r12),%rsi" },
	{ case_38, "41 8b 5d 00", "mov 0x0(%r13),%ebx" },
	{ case_39, "4c 8b 0c 24", "mov (%rsp),%r9" },
	{ case_40, "40 88 75 ff", "mov %sil,-1(%rbp)" },
	{ case_41, "66 45 89 02", "mov %r8w,(%r10)" },
	{ case_42, "4d 89 4c 24 18", "mov %r9,0x18(%r12)" },
	{ case_43, "c6 85 00 fe ff ff ff", "movb $0xff,-512(%rbp)" },
	{ case_44, "66 41 c7 02 34 12", "movw $0x1234,(%r10)" },
	{ case_45, "48 c7 45 f0 fe ff ff ff", "movq $-2,-16(%rbp)" },
	{ case_46, "4c 8d 55 e8", "lea -24(%rbp),%r10" },
	{ case_47, "f0 49 01 3a", "lock add %rdi,(%r10)" },
	{ case_48, "f0 45 31 3a", "lock xor %r15d,(%r10)" },
	{ case_49, "f0 41 0f c1 32", "lock xadd %esi,(%r10)" },
	{ case_50, "49 87 1a", "xchg %rbx,(%r10)" },
	{ case_51, "f0 4d 0f b1 1a", "lock cmpxchg %r11,(%r10)" },
	{ case_52, "41 54", "push %r12" },
	{ case_53, "5b", "pop %rbx" },
	{ case_54, "ff d0", "call *%rax" },
	{ case_55, "c3", "ret" },
	{ case_56, "4d 0f 44 cb", "cmove %r11,%r9" },
	{ case_57, "0f 45 d0", "cmovne %eax,%edx" },
	{ jmp8, "eb fe", "jmp . (rel8 -2)" },
	{ jcc8, "7c 10", "jl +0x10" },
	{ jmp32, "e9 34 12 00 00", "jmp +0x1234" },
	{ jcc32, "0f 83 00 ff ff ff", "jae -0x100" },
	{ call32, "e8 10 00 00 00", "call +0x10" },
};

Test(x86_emit, reference_encodings)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].fn, cases[i].bytes, cases[i].as);
}

Test(x86_emit, counting_does_not_write)
{
	struct rmt_x86 e = { 0 };
	u8 buf[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	rmt_x86_mov_ri64(&e, RMT_RAX, 0x1122334455667788ull);
	cr_expect_eq(e.len, 10);
	e.buf = buf;
	e.cap = 2;
	e.len = 0;
	rmt_x86_mov_ri64(&e, RMT_RAX, 0x1122334455667788ull);
	cr_expect_eq(e.len, 10, "length counts past the end of the buffer");
	cr_expect_eq(buf[2], 0xaa, "nothing written past cap");
}

Test(x86_emit, nops_inserted_in_the_middle)
{
	struct rmt_x86 e = { 0 };
	u8 buf[32];
	u32 n;

	e.buf = buf;
	e.cap = sizeof(buf);
	rmt_x86_ret(&e);
	rmt_x86_push(&e, RMT_R12);
	rmt_x86_nops_at(&e, 1, 12);
	n = e.len;
	cr_assert_eq(n, 15);
	cr_expect_eq(buf[0], 0xc3);
	/* a 9-byte and a 3-byte NOP, then the push moved along */
	cr_expect_eq(buf[1], 0x66);
	cr_expect_eq(buf[2], 0x0f);
	cr_expect_eq(buf[3], 0x1f);
	cr_expect_eq(buf[10], 0x0f);
	cr_expect_eq(buf[11], 0x1f);
	cr_expect_eq(buf[12], 0x00);
	cr_expect_eq(buf[13], 0x41);
	cr_expect_eq(buf[14], 0x54);
	e.buf = NULL;
	e.len = 2;
	rmt_x86_nops_at(&e, 0, 30);
	cr_expect_eq(e.len, 32, "counting mode counts the padding");
}
