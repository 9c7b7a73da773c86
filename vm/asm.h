/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * asm.h - assembler and disassembler for the text syntax of the eBPF
 * conformance suite (`mov32 %r0, 1`, `ldxw %r0, [%r1+4]`, labels,
 * `call local f`, `lock fetch add [%r10-8], %r1`).  User space only.
 * The syntax is described in docs/vm.md.
 */
#ifndef RMT_VM_ASM_H
#define RMT_VM_ASM_H

#include "vm/isa.h"

/*
 * Assemble text into *out (malloc'ed, *n_out slots; free() it).  Returns
 * 0, or -EINVAL with "line N: reason" in err, or -ENOMEM.
 */
int rmt_asm(const char *text, struct rmt_insn **out, u32 *n_out, char *err,
	    size_t err_size);

/*
 * Disassemble slot i of insns[0..n) into buf.  Returns the slots it took
 * (2 for lddw) or -EINVAL for a slot that is no valid instruction (buf
 * then holds a comment with its bytes).  The text re-assembles to the
 * same bytes: jumps print as +/- offsets, not labels.
 */
int rmt_disasm(const struct rmt_insn *insns, u32 n, u32 i, char *buf,
	       size_t size);

#endif /* RMT_VM_ASM_H */
