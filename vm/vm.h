/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vm.h - the RMT virtual machine's execution interface, shared by the
 * interpreter (everywhere, the kernel included) and the x86-64 JIT (user
 * space).  A program is loaded once (decoded and structurally checked
 * against the ISA table and the helper set), then run many times.
 *
 * Until a program carries the verifier's approval, both engines enforce
 * run-time guards: every memory access must fall inside the current stack
 * frame or one of the regions given to the run, and the run stops after
 * its instruction budget.  Both engines return the same result, the same
 * error and the same error_pc for the same program and run.
 */
#ifndef RMT_VM_VM_H
#define RMT_VM_VM_H

#include "vm/isa.h"

struct rmt_vm_run;

/* A helper: id as in `call id`, cost in instruction units (verifier). */
typedef u64 (*rmt_helper_fn)(struct rmt_vm_run *run, u64 r1, u64 r2, u64 r3,
			     u64 r4, u64 r5);

struct rmt_helper {
	u32 id;
	u32 cost;
	rmt_helper_fn fn;
	const char *name;
};

struct rmt_helper_set {
	const struct rmt_helper *helpers;
	u32 count;
};

/* Memory a run may touch besides its stack. */
struct rmt_vm_region {
	u64 start;
	u64 len;
	bool writable;
};

#define RMT_VM_STACK_BYTES (RMT_STACK_SIZE * RMT_MAX_CALL_DEPTH)
#define RMT_VM_DEFAULT_BUDGET 1000000u

struct rmt_prog {
	struct rmt_insn *insns; /* the code as loaded */
	/*
	 * The same slots decoded for the interpreter: code holds the enum
	 * rmt_op (isa_desc.h), and a helper call's imm holds the helper's
	 * index in helpers->helpers instead of its id.  The second slot of an
	 * lddw has code RMT_OP_LDDW_HI.
	 */
	struct rmt_insn *decoded;
	u32 len; /* instruction slots */
	const struct rmt_helper_set *helpers;
	bool verified; /* set only by the verifier: guards may be skipped */
	void *jit; /* engine-private, NULL until JIT-compiled */
	u32 jit_size;
};

/* Per-run environment: caller-owned, no allocation on the run path. */
struct rmt_vm_run {
	u64 args[5]; /* r1..r5 at entry */
	const struct rmt_vm_region *regions;
	u32 n_regions;
	/*
	 * Instructions the run may execute (lddw counts once, a helper call
	 * once); 0 means RMT_VM_DEFAULT_BUDGET.  The instruction that would
	 * exceed it is not executed: the run stops with -E2BIG, error_pc
	 * names it, and executed equals the budget.
	 */
	u64 budget;
	void *user; /* for helpers */
	/*
	 * RMT_VM_STACK_BYTES, 8-byte aligned, required.  The entry frame's r10
	 * is stack + RMT_VM_STACK_BYTES; each local call gets the next
	 * RMT_STACK_SIZE bytes below.  Guards admit accesses anywhere in it.
	 */
	u64 *stack;
	/* results */
	u64 r0;
	u64 executed; /* instructions started, a failing one included */
	u32 error_pc; /* instruction index of the fault, if any */
};

/* Code of the second slot of an lddw in prog->decoded. */
#define RMT_OP_LDDW_HI 0xff

/*
 * Decode and check code (len bytes of little-endian instruction slots):
 * known opcodes with their reserved fields zero, registers in range, no
 * write to r10, lddw complete (and src 0: no pseudo loads), jumps and calls
 * inside the program and not into the second slot of lddw, helpers that
 * exist, and a last instruction (exit or ja) that keeps control from
 * running off the end.  On error a message naming the instruction index
 * goes into log.  The program keeps its own copy of the code.
 * rmt_prog_free releases insns and decoded; a JIT image (prog->jit) is
 * the JIT's to release first.
 */
int rmt_prog_load(struct rmt_prog *prog, const void *code, size_t len,
		  const struct rmt_helper_set *helpers, char *log,
		  size_t log_size);
void rmt_prog_free(struct rmt_prog *prog);

/* The helper with this id, or NULL. */
const struct rmt_helper *rmt_helper_find(const struct rmt_helper_set *set,
					 u32 id);

/*
 * Interpret prog.  0 with run->r0 set, or a negative errno with
 * run->error_pc set: -EFAULT for an access outside the stack and the
 * regions (or a write to a read-only region, or a misaligned atomic),
 * -E2BIG when the budget ran out, -ELOOP for calls deeper than
 * RMT_MAX_CALL_DEPTH, -ENOENT for a callx target or helper id that does
 * not exist; -EINVAL (error_pc 0) without a stack.  r1-r5 hold no defined
 * value after a call (they stay as they were in the interpreter).
 */
int rmt_vm_exec(const struct rmt_prog *prog, struct rmt_vm_run *run);

#endif /* RMT_VM_VM_H */
