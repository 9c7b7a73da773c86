/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * conf_data.h - parser for the eBPF conformance suite's test files
 * (*.data: `-- asm`, `-- mem`, `-- result`, `-- raw`, `-- error`
 * sections).  User space only.
 */
#ifndef RMT_VM_CONF_DATA_H
#define RMT_VM_CONF_DATA_H

#include "port/rmt_port.h"
#include "vm/isa.h"

struct rmt_conf_test {
	char *asm_text; /* the `-- asm` section, lines as written */
	u32 asm_line; /* line number of its first line in the file */
	u8 *mem; /* `-- mem` bytes, NULL if none */
	size_t mem_len;
	u64 *raw; /* `-- raw` 64-bit words, NULL if none */
	size_t n_raw;
	bool has_result;
	u64 result;
	bool has_error; /* an `-- error` section exists */
	char *error; /* its text, trimmed (may be empty) */
};

/*
 * Parse text into t (zeroed first; free with rmt_conf_free).  Returns 0,
 * or -EINVAL with "line N: reason" in err, or -ENOMEM.
 */
int rmt_conf_parse(const char *text, struct rmt_conf_test *t, char *err,
		   size_t err_size);
void rmt_conf_free(struct rmt_conf_test *t);

/*
 * The program of a parsed test: its raw words if it has them, else its
 * assembly assembled.  *code is the caller's to free.
 */
int rmt_conf_program(const struct rmt_conf_test *t, struct rmt_insn **code,
		     u32 *n, char *err, size_t err_size);

/* Parse hex bytes ("00 01 ff" or "0001ff") into a malloc'ed buffer. */
int rmt_hex_bytes(const char *s, u8 **out, size_t *len);

#endif /* RMT_VM_CONF_DATA_H */
