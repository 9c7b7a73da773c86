/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jit.h - the x86-64 JIT of the RMT virtual machine (user space only).
 * It compiles a loaded program (rmt_prog_load) into native code kept in
 * prog->jit and runs it with the same results as the interpreter
 * (rmt_vm_exec): the same r0, memory, error, error_pc and executed count,
 * guards and budget included unless the program is verified.
 */
#ifndef RMT_VM_JIT_H
#define RMT_VM_JIT_H

#include "vm/vm.h"

/*
 * Compile prog (replacing an earlier compilation).  0, or a negative errno
 * with the reason in log: -EOPNOTSUPP on a host that is not x86-64,
 * -ENOMEM when no executable memory could be had.
 */
int rmt_jit_compile(struct rmt_prog *prog, char *log, size_t log_size);

/* Run compiled code; like rmt_vm_exec, and -ENOEXEC when not compiled. */
int rmt_jit_exec(const struct rmt_prog *prog, struct rmt_vm_run *run);

/*
 * Compile a private copy of prog, run it once and release the code: an
 * engine with rmt_vm_exec's signature for one-shot runs (tools, tests).
 * A compile error returns its errno with error_pc 0.
 */
int rmt_jit_exec_once(const struct rmt_prog *prog, struct rmt_vm_run *run);

/* Release the native code (prog->jit); the program itself stays loaded. */
void rmt_jit_free(struct rmt_prog *prog);

#endif /* RMT_VM_JIT_H */
