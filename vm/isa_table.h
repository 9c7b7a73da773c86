/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * isa_table.h - every valid instruction of the RMT ISA (RFC 9669 with the
 * v4 additions and callx), described once.  The decoder, the interpreter's
 * dispatch table, the assembler and disassembler names, the verifier's
 * field filter and the cost table are all generated from this list.
 *
 * X(op, code, sel, selval, name, form, cost):
 *   op      enum suffix (RMT_OP_<op>)
 *   code    the opcode byte
 *   sel     field that tells instructions with the same code apart (NONE,
 *           OFF, IMM, SRC); it must equal selval
 *   name    mnemonic in the conformance-suite syntax
 *   form    operand form (enum rmt_form): which fields are operands; every
 *           other field except the selector is reserved and must be zero
 *   cost    instruction units, for the verifier's worst-case cost; a helper
 *           call adds the helper's own cost
 */
#ifndef RMT_VM_ISA_TABLE_H
#define RMT_VM_ISA_TABLE_H

/* An arithmetic op in both source forms; `sel` applies to both. */
#define RMT_ISA_ALU2(X, op, k, sel, selval, name, cost) \
	X(op##_K, k, sel, selval, name, ALU_K, cost)    \
	X(op##_X, (k) | 0x08, sel, selval, name, ALU_X, cost)

#define RMT_ISA_JMP2(X, op, k, name)          \
	X(op##_K, k, NONE, 0, name, JMP_K, 1) \
	X(op##_X, (k) | 0x08, NONE, 0, name, JMP_X, 1)

#define RMT_ISA_ATOMIC(X, sfx, code, name)                                     \
	X(ATOMIC_ADD##sfx, code, IMM, 0x00, "lock add" name, ATOMIC, 2)        \
	X(ATOMIC_FADD##sfx, code, IMM, 0x01, "lock fetch add" name, ATOMIC, 2) \
	X(ATOMIC_OR##sfx, code, IMM, 0x40, "lock or" name, ATOMIC, 2)          \
	X(ATOMIC_FOR##sfx, code, IMM, 0x41, "lock fetch or" name, ATOMIC, 2)   \
	X(ATOMIC_AND##sfx, code, IMM, 0x50, "lock and" name, ATOMIC, 2)        \
	X(ATOMIC_FAND##sfx, code, IMM, 0x51, "lock fetch and" name, ATOMIC, 2) \
	X(ATOMIC_XOR##sfx, code, IMM, 0xa0, "lock xor" name, ATOMIC, 2)        \
	X(ATOMIC_FXOR##sfx, code, IMM, 0xa1, "lock fetch xor" name, ATOMIC, 2) \
	X(ATOMIC_XCHG##sfx, code, IMM, 0xe1, "lock xchg" name, ATOMIC, 2)      \
	X(ATOMIC_CMPXCHG##sfx, code, IMM, 0xf1, "lock cmpxchg" name, ATOMIC, 2)

#define RMT_ISA_TABLE(X)                                            \
	/* ALU: 32-bit, results zero-extended */                    \
	RMT_ISA_ALU2(X, ADD32, 0x04, NONE, 0, "add32", 1)           \
	RMT_ISA_ALU2(X, SUB32, 0x14, NONE, 0, "sub32", 1)           \
	RMT_ISA_ALU2(X, MUL32, 0x24, NONE, 0, "mul32", 1)           \
	RMT_ISA_ALU2(X, DIV32, 0x34, OFF, 0, "div32", 4)            \
	RMT_ISA_ALU2(X, SDIV32, 0x34, OFF, 1, "sdiv32", 4)          \
	RMT_ISA_ALU2(X, OR32, 0x44, NONE, 0, "or32", 1)             \
	RMT_ISA_ALU2(X, AND32, 0x54, NONE, 0, "and32", 1)           \
	RMT_ISA_ALU2(X, LSH32, 0x64, NONE, 0, "lsh32", 1)           \
	RMT_ISA_ALU2(X, RSH32, 0x74, NONE, 0, "rsh32", 1)           \
	X(NEG32, 0x84, NONE, 0, "neg32", NEG, 1)                    \
	RMT_ISA_ALU2(X, MOD32, 0x94, OFF, 0, "mod32", 4)            \
	RMT_ISA_ALU2(X, SMOD32, 0x94, OFF, 1, "smod32", 4)          \
	RMT_ISA_ALU2(X, XOR32, 0xa4, NONE, 0, "xor32", 1)           \
	X(MOV32_K, 0xb4, NONE, 0, "mov32", ALU_K, 1)                \
	X(MOV32_X, 0xbc, OFF, 0, "mov32", ALU_X, 1)                 \
	X(MOVSX8_32, 0xbc, OFF, 8, "movsx832", ALU_X, 1)            \
	X(MOVSX16_32, 0xbc, OFF, 16, "movsx1632", ALU_X, 1)         \
	RMT_ISA_ALU2(X, ARSH32, 0xc4, NONE, 0, "arsh32", 1)         \
	X(LE16, 0xd4, IMM, 16, "le16", END, 1)                      \
	X(LE32, 0xd4, IMM, 32, "le32", END, 1)                      \
	X(LE64, 0xd4, IMM, 64, "le64", END, 1)                      \
	X(BE16, 0xdc, IMM, 16, "be16", END, 1)                      \
	X(BE32, 0xdc, IMM, 32, "be32", END, 1)                      \
	X(BE64, 0xdc, IMM, 64, "be64", END, 1)                      \
	/* ALU64 */                                                 \
	RMT_ISA_ALU2(X, ADD, 0x07, NONE, 0, "add", 1)               \
	RMT_ISA_ALU2(X, SUB, 0x17, NONE, 0, "sub", 1)               \
	RMT_ISA_ALU2(X, MUL, 0x27, NONE, 0, "mul", 1)               \
	RMT_ISA_ALU2(X, DIV, 0x37, OFF, 0, "div", 4)                \
	RMT_ISA_ALU2(X, SDIV, 0x37, OFF, 1, "sdiv", 4)              \
	RMT_ISA_ALU2(X, OR, 0x47, NONE, 0, "or", 1)                 \
	RMT_ISA_ALU2(X, AND, 0x57, NONE, 0, "and", 1)               \
	RMT_ISA_ALU2(X, LSH, 0x67, NONE, 0, "lsh", 1)               \
	RMT_ISA_ALU2(X, RSH, 0x77, NONE, 0, "rsh", 1)               \
	X(NEG, 0x87, NONE, 0, "neg", NEG, 1)                        \
	RMT_ISA_ALU2(X, MOD, 0x97, OFF, 0, "mod", 4)                \
	RMT_ISA_ALU2(X, SMOD, 0x97, OFF, 1, "smod", 4)              \
	RMT_ISA_ALU2(X, XOR, 0xa7, NONE, 0, "xor", 1)               \
	X(MOV_K, 0xb7, NONE, 0, "mov", ALU_K, 1)                    \
	X(MOV_X, 0xbf, OFF, 0, "mov", ALU_X, 1)                     \
	X(MOVSX8, 0xbf, OFF, 8, "movsx864", ALU_X, 1)               \
	X(MOVSX16, 0xbf, OFF, 16, "movsx1664", ALU_X, 1)            \
	X(MOVSX32, 0xbf, OFF, 32, "movsx3264", ALU_X, 1)            \
	RMT_ISA_ALU2(X, ARSH, 0xc7, NONE, 0, "arsh", 1)             \
	X(BSWAP16, 0xd7, IMM, 16, "bswap16", END, 1)                \
	X(BSWAP32, 0xd7, IMM, 32, "bswap32", END, 1)                \
	X(BSWAP64, 0xd7, IMM, 64, "bswap64", END, 1)                \
	/* JMP */                                                   \
	X(JA, 0x05, NONE, 0, "ja", JA, 1)                           \
	RMT_ISA_JMP2(X, JEQ, 0x15, "jeq")                           \
	RMT_ISA_JMP2(X, JGT, 0x25, "jgt")                           \
	RMT_ISA_JMP2(X, JGE, 0x35, "jge")                           \
	RMT_ISA_JMP2(X, JSET, 0x45, "jset")                         \
	RMT_ISA_JMP2(X, JNE, 0x55, "jne")                           \
	RMT_ISA_JMP2(X, JSGT, 0x65, "jsgt")                         \
	RMT_ISA_JMP2(X, JSGE, 0x75, "jsge")                         \
	X(CALL, 0x85, SRC, 0, "call", CALL, 1)                      \
	X(CALL_LOCAL, 0x85, SRC, 1, "call local", CALL, 2)          \
	X(CALLX, 0x8d, NONE, 0, "callx", CALLX, 1)                  \
	X(EXIT, 0x95, NONE, 0, "exit", EXIT, 1)                     \
	RMT_ISA_JMP2(X, JLT, 0xa5, "jlt")                           \
	RMT_ISA_JMP2(X, JLE, 0xb5, "jle")                           \
	RMT_ISA_JMP2(X, JSLT, 0xc5, "jslt")                         \
	RMT_ISA_JMP2(X, JSLE, 0xd5, "jsle")                         \
	/* JMP32: 32-bit comparisons; ja32 has its offset in imm */ \
	X(JA32, 0x06, NONE, 0, "ja32", JA32, 1)                     \
	RMT_ISA_JMP2(X, JEQ32, 0x16, "jeq32")                       \
	RMT_ISA_JMP2(X, JGT32, 0x26, "jgt32")                       \
	RMT_ISA_JMP2(X, JGE32, 0x36, "jge32")                       \
	RMT_ISA_JMP2(X, JSET32, 0x46, "jset32")                     \
	RMT_ISA_JMP2(X, JNE32, 0x56, "jne32")                       \
	RMT_ISA_JMP2(X, JSGT32, 0x66, "jsgt32")                     \
	RMT_ISA_JMP2(X, JSGE32, 0x76, "jsge32")                     \
	RMT_ISA_JMP2(X, JLT32, 0xa6, "jlt32")                       \
	RMT_ISA_JMP2(X, JLE32, 0xb6, "jle32")                       \
	RMT_ISA_JMP2(X, JSLT32, 0xc6, "jslt32")                     \
	RMT_ISA_JMP2(X, JSLE32, 0xd6, "jsle32")                     \
	/* loads and stores */                                      \
	X(LDDW, 0x18, NONE, 0, "lddw", LDDW, 1)                     \
	X(LDXW, 0x61, NONE, 0, "ldxw", LDX, 1)                      \
	X(LDXH, 0x69, NONE, 0, "ldxh", LDX, 1)                      \
	X(LDXB, 0x71, NONE, 0, "ldxb", LDX, 1)                      \
	X(LDXDW, 0x79, NONE, 0, "ldxdw", LDX, 1)                    \
	X(LDXSW, 0x81, NONE, 0, "ldxsw", LDX, 1)                    \
	X(LDXSH, 0x89, NONE, 0, "ldxsh", LDX, 1)                    \
	X(LDXSB, 0x91, NONE, 0, "ldxsb", LDX, 1)                    \
	X(STW, 0x62, NONE, 0, "stw", ST, 1)                         \
	X(STH, 0x6a, NONE, 0, "sth", ST, 1)                         \
	X(STB, 0x72, NONE, 0, "stb", ST, 1)                         \
	X(STDW, 0x7a, NONE, 0, "stdw", ST, 1)                       \
	X(STXW, 0x63, NONE, 0, "stxw", STX, 1)                      \
	X(STXH, 0x6b, NONE, 0, "stxh", STX, 1)                      \
	X(STXB, 0x73, NONE, 0, "stxb", STX, 1)                      \
	X(STXDW, 0x7b, NONE, 0, "stxdw", STX, 1)                    \
	RMT_ISA_ATOMIC(X, 32, 0xc3, "32")                           \
	RMT_ISA_ATOMIC(X, 64, 0xdb, "")

#endif /* RMT_VM_ISA_TABLE_H */
