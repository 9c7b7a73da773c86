/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * conf_run.h - run one program under the conformance suite's conventions
 * (r1 = a writable copy of the input memory, r2 = its length, helper 5
 * returns r1), with a chosen engine.  User space only; shared by the
 * conformance test and rmt-conformance-plugin.
 */
#ifndef RMT_VM_CONF_RUN_H
#define RMT_VM_CONF_RUN_H

#include "vm/vm.h"

/* An engine: rmt_vm_exec, or a JIT's equivalent. */
typedef int (*rmt_exec_fn)(const struct rmt_prog *prog, struct rmt_vm_run *run);

/* The helpers the suite expects: id 5 returns r1. */
extern const struct rmt_helper_set rmt_conf_helpers;

/*
 * Load code (len bytes) and run it with exec on a copy of mem.  Returns 0
 * with *r0 set, or a negative errno with a message in err (load errors
 * name the instruction, run errors the pc).
 */
int rmt_conf_run(const void *code, size_t len, const u8 *mem, size_t mem_len,
		 rmt_exec_fn exec, u64 *r0, char *err, size_t err_size);

#endif /* RMT_VM_CONF_RUN_H */
