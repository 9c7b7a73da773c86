// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * corpus.c - the cases of corpus.h.  Hook test_fault (verifier/hooks.c):
 * r1 context (struct rmt_msg_fault; pid, tgid and cgroup_id readable but
 * not exportable, bytes 55 and 60..63 not readable), r2 parameters (32
 * bytes), r3 state (64), r4 feature buffer (64); helpers 1 emit_value,
 * 2 emit(ptr, size), 3 lookup -> NULL or 16 bytes, 4 ktime, 5 model(slot,
 * feat, size), 6 prefetch; budget 2000, at most 4 exporting calls.
 */
#include "tests/verifier/corpus.h"

#define SF "test_fault"
#define OK NULL

const struct rmt_vcase rmt_vcorpus[] = {
	/* structure */
	{ "unreachable", SF, "mov %r0, 0\nexit\nmov %r0, 1\nexit",
	  "insn 2: unreachable instruction" },
	{ "unreachable/ok", SF,
	  "ldxdw %r2, [%r1+0]\nmov %r0, 0\njeq %r2, 0, +1\nmov %r0, 1\nexit",
	  OK },
	{ "falls-into-function", SF,
	  "mov %r0, 0\ncall local f\nf:\nmov %r0, 1\nexit",
	  "insn 1: control falls off the end of the function at insn 0" },
	{ "falls-into-function/ok", SF,
	  "mov %r0, 0\ncall local f\nexit\nf:\nmov %r0, 1\nexit", OK },
	{ "jump-leaves-function", SF,
	  "call local f\nl:\nexit\nf:\nmov %r0, 1\nja l",
	  "insn 3: jump to insn 1 leaves the function at insn 2" },
	{ "jump-leaves-function/ok", SF,
	  "call local f\nexit\nf:\nmov %r0, 1\nja l\nl:\nexit", OK },
	{ "call-depth", SF,
	  "call local f\nexit\nf:\ncall local f\nmov %r0, 0\nexit",
	  "call depth exceeds 8 frames" },
	{ "call-depth/ok", SF,
	  "call local f\nexit\nf:\ncall local g\nexit\ng:\ncall local h\n"
	  "exit\nh:\nmov %r0, 3\nexit",
	  OK },
	{ "callee-r6-uninit", SF,
	  "mov %r6, 1\ncall local f\nexit\nf:\nmov %r0, %r6\nexit",
	  "insn 3: read of uninitialised r6" },
	{ "callee-r6-uninit/ok", SF,
	  "mov %r1, 1\ncall local f\nexit\nf:\nmov %r0, %r1\nexit", OK },
	{ "callee-returns-own-stack", SF,
	  "call local f\nmov %r0, 0\nexit\nf:\nmov %r0, %r10\nexit",
	  "returns a pointer to its own stack frame" },
	{ "callee-returns-own-stack/ok", SF,
	  "call local f\nmov %r0, 0\nexit\nf:\nmov %r0, 0\nexit", OK },
	{ "callee-caller-stack/ok", SF,
	  "mov %r1, %r10\nadd %r1, -8\ncall local f\nldxdw %r0, [%r10-8]\n"
	  "exit\nf:\nstdw [%r1+0], 9\nmov %r0, 0\nexit",
	  OK },
	{ "exit-r0-unset", SF, "exit", "insn 0: r0 is not set at exit" },
	{ "callee-void/ok", SF,
	  "call local f\nmov %r0, 0\nexit\nf:\nmov %r1, 1\nexit", OK },
	{ "callee-void-result", SF, "call local f\nexit\nf:\nmov %r1, 1\nexit",
	  "insn 1: r0 is not set at exit" },
	{ "exit-r0-unset/ok", SF, "mov %r0, 0\nexit", OK },
	{ "exit-pointer", SF, "mov %r0, %r1\nexit",
	  "insn 1: r0 is a ctx pointer at exit" },
	{ "exit-pointer/ok", SF, "ldxdw %r0, [%r1+0]\nexit", OK },

	/* termination and cost */
	{ "loop-forever", SF, "mov %r0, 0\nl:\nadd %r0, 1\nja l",
	  "insn 2: back-edge to insn 1: loop bound not proven" },
	{ "loop-counter/ok", SF,
	  "mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, 3\nadd %r1, 1\n"
	  "jlt %r1, 10, l\nexit",
	  OK },
	/* the iterations of a loop around a call stay apart in the callee */
	{ "loop-around-call", SF,
	  "mov %r6, 0\nl:\ncall local f\nadd %r6, 1\nja l\nf:\ncall 4\n"
	  "jeq %r0, 5, +1\nmov %r0, 1\nexit",
	  "back-edge to insn 1: loop bound not proven" },
	{ "loop-around-call/ok", SF,
	  "mov %r6, 0\nl:\ncall local f\nadd %r6, 1\njlt %r6, 20, l\n"
	  "exit\nf:\ncall 4\njeq %r0, 5, +1\nmov %r0, 1\nexit",
	  OK },
	{ "loop-unknown-bound", SF,
	  "ldxdw %r2, [%r1+0]\nmov %r0, 0\nl:\nadd %r0, 1\n"
	  "jlt %r0, %r2, l\nexit",
	  "insn 3: back-edge to insn 2: loop bound not proven" },
	{ "loop-unknown-bound/ok", SF,
	  "ldxdw %r2, [%r1+0]\nand %r2, 15\nmov %r0, 0\nl:\nadd %r0, 1\n"
	  "jlt %r0, %r2, l\nexit",
	  OK },
	{ "loop-counter-rewritten", SF,
	  "mov %r0, 0\nmov %r1, 0\nl:\nadd %r1, 1\nmov %r1, 0\n"
	  "jlt %r1, 10, l\nexit",
	  "back-edge to insn 2" },
	{ "cost-over-budget", SF,
	  "mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, 3\nadd %r1, 1\n"
	  "jlt %r1, 1000, l\nexit",
	  "worst-case cost 3003 exceeds the test_fault budget of 2000 by 1003" },
	{ "cost-over-budget/ok", SF,
	  "mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, 3\nadd %r1, 1\n"
	  "jlt %r1, 600, l\nexit",
	  OK },
	{ "cost-helpers", SF,
	  "mov %r6, 0\nl:\ncall 4\nadd %r6, 1\njlt %r6, 300, l\n"
	  "mov %r0, 0\nexit",
	  "exceeds the test_fault budget of 2000" },
	{ "cost-helpers/ok", SF,
	  "mov %r6, 0\nl:\ncall 4\nadd %r6, 1\njlt %r6, 200, l\n"
	  "mov %r0, 0\nexit",
	  OK },

	/* registers and the stack */
	{ "uninit-reg", SF, "mov %r0, %r5\nexit",
	  "insn 0: read of uninitialised r5" },
	{ "uninit-reg/ok", SF, "mov %r5, 1\nmov %r0, %r5\nexit", OK },
	{ "uninit-after-call", SF, "call 4\nmov %r0, %r1\nexit",
	  "insn 1: read of uninitialised r1" },
	{ "uninit-after-call/ok", SF, "mov %r6, 1\ncall 4\nmov %r0, %r6\nexit",
	  OK },
	{ "uninit-stack", SF, "ldxdw %r0, [%r10-8]\nexit",
	  "insn 0: read of uninitialised stack-8" },
	{ "uninit-stack/ok", SF, "stdw [%r10-8], 7\nldxdw %r0, [%r10-8]\nexit",
	  OK },
	{ "uninit-stack-partial", SF,
	  "stw [%r10-8], 7\nldxdw %r0, [%r10-8]\nexit",
	  "read of uninitialised stack-8" },
	{ "uninit-stack-partial/ok", SF,
	  "stw [%r10-8], 7\nstw [%r10-4], 7\nldxdw %r0, [%r10-8]\nexit", OK },
	{ "stack-outside", SF, "stdw [%r10-520], 1\nmov %r0, 0\nexit",
	  "insn 0: write of stack-520 (8 bytes) outside the 512-byte frame" },
	{ "stack-outside/ok", SF, "stdw [%r10-512], 1\nmov %r0, 0\nexit", OK },
	{ "stack-above-fp", SF, "stdw [%r10+0], 1\nmov %r0, 0\nexit",
	  "outside the 512-byte frame" },
	{ "stack-misaligned", SF, "stdw [%r10-12], 1\nmov %r0, 0\nexit",
	  "insn 0: misaligned 8-byte write of stack-12" },
	{ "stack-misaligned/ok", SF, "stw [%r10-12], 1\nmov %r0, 0\nexit", OK },
	{ "stack-variable-offset", SF,
	  "ldxdw %r2, [%r1+0]\nand %r2, 8\nmov %r3, %r10\nsub %r3, %r2\n"
	  "stdw [%r3-8], 1\nmov %r0, 0\nexit",
	  "variable offset" },
	{ "spill-pointer/ok", SF,
	  "stxdw [%r10-8], %r1\nldxdw %r2, [%r10-8]\nldxw %r0, [%r2+0]\nexit",
	  OK },
	{ "spill-pointer-partial-read", SF,
	  "stxdw [%r10-8], %r1\nldxw %r0, [%r10-8]\nexit",
	  "insn 1: read of part of a spilled pointer at stack-8" },
	{ "spill-pointer-overwritten", SF,
	  "stxdw [%r10-8], %r1\nstw [%r10-8], 0\nldxdw %r0, [%r10-8]\nexit",
	  "read of part of a spilled pointer" },
	{ "spill-pointer-overwritten/ok", SF,
	  "stxdw [%r10-8], %r1\nstdw [%r10-8], 0\nldxdw %r0, [%r10-8]\nexit",
	  OK },

	/* context, parameters, state, features */
	{ "ctx-outside", SF, "ldxw %r0, [%r1+4096]\nexit",
	  "insn 0: read of ctx+4096 outside test_fault context (64 bytes)" },
	{ "ctx-outside/ok", SF, "ldxw %r0, [%r1+56]\nexit", OK },
	{ "ctx-misaligned", SF, "ldxw %r0, [%r1+2]\nexit",
	  "insn 0: misaligned 4-byte read of ctx+2" },
	{ "ctx-misaligned/ok", SF, "ldxh %r0, [%r1+2]\nexit", OK },
	{ "ctx-policy", SF, "ldxw %r0, [%r1+60]\nexit",
	  "insn 0: read of ctx+60 (4 bytes) not allowed by the test_fault policy" },
	{ "ctx-policy-straddle", SF, "ldxh %r0, [%r1+54]\nexit",
	  "not allowed by the test_fault policy" },
	{ "ctx-policy-straddle/ok", SF, "ldxb %r0, [%r1+54]\nexit", OK },
	{ "ctx-write", SF, "stw [%r1+0], 1\nmov %r0, 0\nexit",
	  "insn 0: write to ctx, which is read-only" },
	{ "ctx-write/ok", SF, "stw [%r3+0], 1\nmov %r0, 0\nexit", OK },
	{ "ctx-atomic", SF,
	  "mov %r5, 1\nlock add [%r1+0], %r5\nmov %r0, 0\nexit",
	  "insn 1: write to ctx, which is read-only" },
	{ "state-atomic/ok", SF,
	  "mov %r5, 1\nlock fetch add [%r3+8], %r5\nmov %r0, %r5\nexit", OK },
	{ "state-atomic-misaligned", SF,
	  "mov %r5, 1\nlock add [%r3+4], %r5\nmov %r0, 0\nexit",
	  "misaligned 8-byte atomic update of state+4" },
	{ "param-write", SF, "stw [%r2+0], 1\nmov %r0, 0\nexit",
	  "insn 0: write to param, which is read-only" },
	{ "param-write/ok", SF, "ldxw %r0, [%r2+28]\nexit", OK },
	{ "param-outside", SF, "ldxw %r0, [%r2+32]\nexit",
	  "read of param+32 outside test_fault parameters (32 bytes)" },
	{ "state-variable-outside", SF,
	  "ldxdw %r5, [%r1+0]\nand %r5, 7\nlsh %r5, 3\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+8]\nexit",
	  "insn 4: read of state+8..+64 (r3) outside test_fault state (64 bytes)" },
	{ "state-variable-outside/ok", SF,
	  "ldxdw %r5, [%r1+0]\nand %r5, 7\nlsh %r5, 3\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit",
	  OK },
	{ "state-variable-misaligned", SF,
	  "ldxdw %r5, [%r1+0]\nand %r5, 7\nadd %r3, %r5\n"
	  "ldxb %r0, [%r3+0]\nldxdw %r0, [%r3+0]\nexit",
	  "insn 4: misaligned 8-byte read" },
	{ "state-unbounded", SF,
	  "ldxdw %r5, [%r1+0]\nadd %r3, %r5\nldxdw %r0, [%r3+0]\nexit",
	  "insn 2: read through r3: the offset into state is not bounded" },
	{ "feat-write/ok", SF,
	  "ldxw %r5, [%r1+48]\nstxw [%r4+60], %r5\nmov %r0, 0\nexit", OK },
	{ "feat-outside", SF,
	  "ldxw %r5, [%r1+48]\nstxw [%r4+64], %r5\nmov %r0, 0\nexit",
	  "write of feat+64 outside test_fault feature buffer (64 bytes)" },

	/* pointers */
	{ "pointer-mul", SF, "mul %r3, 2\nmov %r0, 0\nexit",
	  "insn 0: mul on pointer r3 is not allowed" },
	{ "pointer-add/ok", SF, "add %r3, 8\nldxdw %r0, [%r3+0]\nexit", OK },
	{ "pointer-add32", SF, "add32 %r3, 8\nmov %r0, 0\nexit",
	  "insn 0: add32 on pointer r3 is not allowed" },
	{ "pointer-mov32", SF, "mov32 %r5, %r3\nmov %r0, 0\nexit",
	  "insn 0: mov32 truncates pointer r3" },
	{ "pointer-sum", SF, "add %r3, %r2\nmov %r0, 0\nexit",
	  "insn 0: add on pointer r3 is not allowed" },
	{ "scalar-plus-pointer/ok", SF,
	  "mov %r5, 8\nadd %r5, %r3\nldxdw %r0, [%r5+0]\nexit", OK },
	{ "pointer-compare", SF, "mov %r0, 0\njgt %r3, 5, +1\nmov %r0, 1\nexit",
	  "insn 1: comparison of a state pointer with a number is not allowed" },
	{ "pointer-compare-same-region/ok", SF,
	  "mov %r5, %r3\nadd %r5, 8\nmov %r0, 0\njgt %r5, %r3, +1\n"
	  "mov %r0, 1\nexit",
	  OK },
	{ "pointer-compare-signed", SF,
	  "mov %r5, %r3\nadd %r5, 8\nmov %r0, 0\njsgt %r5, %r3, +1\n"
	  "mov %r0, 1\nexit",
	  "insn 3: comparison of a state pointer with state is not allowed" },
	{ "pointer-compare-unbounded", SF,
	  "ldxdw %r2, [%r1+0]\nmov %r5, %r3\nadd %r5, %r2\nmov %r0, 0\n"
	  "jgt %r5, %r3, +1\nmov %r0, 1\nexit",
	  "insn 4: comparison of state pointers whose offsets are not bounded" },
	{ "deref-scalar", SF, "mov %r5, 4096\nldxw %r0, [%r5+0]\nexit",
	  "insn 1: read through r5, which is not a pointer" },
	{ "null-deref", SF, "mov %r1, 5\ncall 3\nldxdw %r0, [%r0+0]\nexit",
	  "insn 2: r0 may be NULL: compare it with 0 before the read" },
	{ "null-deref/ok", SF,
	  "mov %r1, 5\ncall 3\njeq %r0, 0, out\nldxdw %r0, [%r0+8]\nexit\n"
	  "out:\nmov %r0, 0\nexit",
	  OK },
	{ "lookup-outside", SF,
	  "mov %r1, 5\ncall 3\njeq %r0, 0, out\nldxdw %r0, [%r0+16]\nexit\n"
	  "out:\nmov %r0, 0\nexit",
	  "read of mem+16 outside test_fault helper memory (16 bytes)" },
	{ "null-arith", SF, "mov %r1, 5\ncall 3\nadd %r0, 8\nmov %r0, 0\nexit",
	  "insn 2: arithmetic on r0, which may be NULL" },

	/* branches refine both arms */
	{ "refine-unsigned/ok", SF,
	  "ldxdw %r5, [%r1+0]\njgt %r5, 7, out\nlsh %r5, 3\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit\nout:\nmov %r0, 0\nexit",
	  OK },
	{ "refine-unsigned-off-by-one", SF,
	  "ldxdw %r5, [%r1+0]\njgt %r5, 8, out\nlsh %r5, 3\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit\nout:\nmov %r0, 0\nexit",
	  "outside test_fault state (64 bytes)" },
	{ "refine-taken-arm/ok", SF,
	  "ldxdw %r5, [%r1+0]\njle %r5, 7, in\nmov %r0, 0\nexit\nin:\n"
	  "lsh %r5, 3\nadd %r3, %r5\nldxdw %r0, [%r3+0]\nexit",
	  OK },
	{ "refine-lower-bound/ok", SF,
	  "ldxdw %r5, [%r1+0]\njgt %r5, 63, out\njlt %r5, 8, out\n"
	  "sub %r5, 8\nadd %r3, %r5\nldxb %r0, [%r3+0]\nexit\nout:\n"
	  "mov %r0, 0\nexit",
	  OK },
	{ "refine-lower-bound", SF,
	  "ldxdw %r5, [%r1+0]\njgt %r5, 63, out\njlt %r5, 7, out\n"
	  "sub %r5, 8\nadd %r3, %r5\nldxb %r0, [%r3+0]\nexit\nout:\n"
	  "mov %r0, 0\nexit",
	  "insn 5: read of state-1..+55 (r3) outside test_fault state" },
	{ "refine-signed", SF,
	  "ldxdw %r5, [%r1+0]\njsgt %r5, 7, out\nlsh %r5, 3\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit\nout:\nmov %r0, 0\nexit",
	  "the offset into state is not bounded" },
	{ "refine-signed/ok", SF,
	  "ldxdw %r5, [%r1+0]\njsgt %r5, 7, out\njslt %r5, 0, out\n"
	  "lsh %r5, 3\nadd %r3, %r5\nldxdw %r0, [%r3+0]\nexit\nout:\n"
	  "mov %r0, 0\nexit",
	  OK },
	{ "refine-jmp32/ok", SF,
	  "ldxw %r5, [%r1+48]\njgt32 %r5, 7, out\nlsh %r5, 3\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit\nout:\nmov %r0, 0\nexit",
	  OK },
	{ "refine-jmp32-wide", SF,
	  "ldxdw %r5, [%r1+0]\njgt32 %r5, 7, out\nlsh %r5, 3\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit\nout:\nmov %r0, 0\nexit",
	  "insn 4: read through r3: the offset into state is not bounded" },
	{ "refine-jeq/ok", SF,
	  "ldxdw %r5, [%r1+0]\njeq %r5, 56, in\nmov %r0, 0\nexit\nin:\n"
	  "add %r3, %r5\nldxdw %r0, [%r3+0]\nexit",
	  OK },
	{ "refine-jset/ok", SF,
	  "ldxdw %r5, [%r1+0]\nand %r5, 63\njset %r5, 7, out\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit\nout:\nmov %r0, 0\nexit",
	  OK },
	{ "refine-jset", SF,
	  "ldxdw %r5, [%r1+0]\nand %r5, 31\njset %r5, 3, out\nadd %r3, %r5\n"
	  "ldxdw %r0, [%r3+0]\nexit\nout:\nmov %r0, 0\nexit",
	  "insn 4: misaligned 8-byte read of state" },
	{ "dead-arm/ok", SF,
	  "mov %r5, 1\njeq %r5, 1, +2\nldxdw %r0, [%r10-8]\nexit\n"
	  "mov %r0, 0\nexit",
	  OK },

	/* helpers */
	{ "helper-not-allowed", "example_packet", "call 4\nexit",
	  "insn 0: helper 4 is not allowed at the example_packet hook" },
	{ "helper-not-allowed/ok", SF, "call 4\nexit", OK },
	{ "helper-callx-unknown", SF, "ldxdw %r2, [%r1+0]\ncall %r2\nexit",
	  "insn 1: callx r2: the helper id is not a known constant" },
	{ "helper-callx/ok", SF, "mov %r2, 4\ncall %r2\nexit", OK },
	{ "helper-scalar-arg", SF, "mov %r1, %r3\ncall 1\nexit",
	  "insn 1: emit_value: r1 must be a number, not a state pointer" },
	{ "helper-scalar-arg/ok", SF, "mov %r1, 5\ncall 1\nexit", OK },
	{ "helper-uninit-arg", SF, "call 4\nmov %r1, 5\ncall 6\nexit",
	  "insn 2: read of uninitialised r2" },
	{ "helper-uninit-arg/ok", SF,
	  "call 4\nmov %r1, 5\nmov %r2, 1\ncall 6\nexit", OK },
	{ "helper-mem-outside", SF,
	  "stdw [%r10-8], 1\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 16\n"
	  "call 2\nexit",
	  "insn 4: helper read of stack-8 (16 bytes) outside the 512-byte frame" },
	{ "helper-mem/ok", SF,
	  "stdw [%r10-8], 1\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 8\n"
	  "call 2\nexit",
	  OK },
	{ "helper-mem-uninit", SF,
	  "stdw [%r10-8], 1\nmov %r1, %r10\nadd %r1, -16\nmov %r2, 16\n"
	  "call 2\nexit",
	  "insn 4: read of uninitialised stack-16" },
	{ "helper-size-unbounded", SF,
	  "ldxdw %r2, [%r1+0]\nmov %r1, %r4\ncall 2\nexit",
	  "insn 2: emit: size r2 in [0, 18446744073709551615] must be 1..64" },
	{ "helper-size-bounded/ok", SF,
	  "ldxdw %r2, [%r1+0]\nand %r2, 31\nadd %r2, 1\nmov %r1, %r4\n"
	  "call 2\nexit",
	  OK },
	{ "helper-ret-range", SF,
	  "mov %r1, 0\nmov %r2, %r4\nmov %r3, 64\ncall 5\n"
	  "jgt %r0, 254, bad\nexit\nbad:\nldxdw %r0, [%r10-8]\nexit",
	  "insn 6: read of uninitialised stack-8" },
	{ "helper-ret-range/ok", SF,
	  "mov %r1, 0\nmov %r2, %r4\nmov %r3, 64\ncall 5\n"
	  "jgt %r0, 255, bad\nexit\nbad:\nldxdw %r0, [%r10-8]\nexit",
	  OK },

	/* privacy */
	{ "export-pointer-bits", SF,
	  "stxdw [%r10-8], %r1\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 8\n"
	  "call 2\nexit",
	  "insn 4: read of part of a spilled pointer at stack-8" },
	{ "export-pointer-bits/ok", SF,
	  "ldxdw %r5, [%r1+0]\nstxdw [%r10-8], %r5\nmov %r1, %r10\n"
	  "add %r1, -8\nmov %r2, 8\ncall 2\nexit",
	  OK },
	{ "export-private-value", SF, "ldxw %r1, [%r1+40]\ncall 1\nexit",
	  "insn 1: emit_value exports r1, which holds non-exportable ctx data" },
	{ "export-private-value/ok", SF, "ldxw %r1, [%r1+48]\ncall 1\nexit",
	  OK },
	{ "export-private-derived", SF,
	  "ldxw %r5, [%r1+40]\nldxw %r1, [%r1+48]\nadd %r1, %r5\ncall 1\nexit",
	  "insn 3: emit_value exports r1, which holds non-exportable ctx data" },
	{ "export-private-stack", SF,
	  "ldxw %r5, [%r1+40]\nstxw [%r10-8], %r5\nstw [%r10-4], 0\n"
	  "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\ncall 2\nexit",
	  "insn 6: emit exports r1's memory, which holds non-exportable ctx data" },
	{ "export-private-stack/ok", SF,
	  "ldxw %r5, [%r1+48]\nstxw [%r10-8], %r5\nstw [%r10-4], 0\n"
	  "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\ncall 2\nexit",
	  OK },
	{ "export-private-ctx", SF, "add %r1, 40\nmov %r2, 8\ncall 2\nexit",
	  "insn 2: emit exports r1's memory, which holds non-exportable ctx data" },
	{ "export-ctx/ok", SF, "mov %r2, 32\ncall 2\nexit", OK },
	{ "private-into-state", SF,
	  "ldxw %r5, [%r1+40]\nstxw [%r3+0], %r5\nmov %r0, 0\nexit",
	  "insn 1: store of non-exportable ctx data into state" },
	{ "pointer-into-state", SF, "stxdw [%r3+0], %r1\nmov %r0, 0\nexit",
	  "insn 0: store of pointer r1 into state" },
	{ "private-through-model", SF,
	  "ldxw %r5, [%r1+40]\nstxw [%r4+0], %r5\nmov %r1, 0\nmov %r2, %r4\n"
	  "mov %r3, 64\ncall 5\nmov %r1, %r0\ncall 1\nexit",
	  "insn 7: emit_value exports r1, which holds non-exportable ctx data" },
	{ "private-through-model/ok", SF,
	  "ldxw %r5, [%r1+48]\nstxw [%r4+0], %r5\nmov %r1, 0\nmov %r2, %r4\n"
	  "mov %r3, 64\ncall 5\nmov %r1, %r0\ncall 1\nexit",
	  OK },
	{ "private-model-use/ok", SF,
	  "ldxw %r5, [%r1+40]\nstxw [%r4+0], %r5\nmov %r1, 0\nmov %r2, %r4\n"
	  "mov %r3, 64\ncall 5\nmov %r1, %r0\nmov %r2, 1\ncall 6\nexit",
	  OK },
	{ "emit-limit", SF,
	  "mov %r1, 1\ncall 1\nmov %r1, 1\ncall 1\nmov %r1, 1\ncall 1\n"
	  "mov %r1, 1\ncall 1\nmov %r1, 1\ncall 1\nexit",
	  "insn 9: emit_value: more than 4 exporting calls on one path" },
	{ "emit-limit/ok", SF,
	  "mov %r1, 1\ncall 1\nmov %r1, 1\ncall 1\nmov %r1, 1\ncall 1\n"
	  "mov %r1, 1\ncall 1\nexit",
	  OK },
	{ "emit-limit-loop", SF,
	  "mov %r6, 0\nl:\nmov %r1, %r6\ncall 1\nadd %r6, 1\njlt %r6, 5, l\n"
	  "exit",
	  "more than 4 exporting calls on one path" },
};

const size_t rmt_vcorpus_len = sizeof(rmt_vcorpus) / sizeof(rmt_vcorpus[0]);
