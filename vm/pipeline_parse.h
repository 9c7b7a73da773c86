/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pipeline_parse.h - the RMT program text format (docs/tables.md): a
 * hook, its actions (inline assembly in the conformance syntax, or a
 * section of a clang-built BPF object), its tables in pipeline order with
 * keys, actions, defaults and initial entries, and the model slots it
 * uses.  The parser trusts nothing: every error names its line.  User
 * space only.
 */
#ifndef RMT_VM_PIPELINE_PARSE_H
#define RMT_VM_PIPELINE_PARSE_H

#include "vm/pipeline.h"

#define RMT_PROG_MAX_PARAMS 16

/* An action's declared parameters: types and names, in layout order. */
struct rmt_param_decl {
	u32 n;
	char name[RMT_PROG_MAX_PARAMS][RMT_NAME_LEN];
	u8 size[RMT_PROG_MAX_PARAMS];
	u8 is_signed[RMT_PROG_MAX_PARAMS];
	u16 offset[RMT_PROG_MAX_PARAMS];
	u32 len;
};

struct rmt_model_decl {
	u32 slot;
	u32 n_in;
	char name[RMT_NAME_LEN];
};

struct rmt_program {
	struct rmt_pipeline *pipe;
	struct rmt_param_decl params[RMT_PIPELINE_MAX_ACTIONS];
	u32 n_models;
	struct rmt_model_decl models[RMT_MODEL_SLOTS];
};

/*
 * Parse text into prog (a new pipeline with its entries committed).  dir
 * is where `object` files are looked up (NULL: objects are refused).
 * Returns 0, or a negative errno with "line N: reason" in err.
 */
int rmt_program_parse(const char *text, const char *dir,
		      struct rmt_program *prog, char *err, size_t err_size);
/* Read and parse a file; objects are looked up beside it. */
int rmt_program_load(const char *path, struct rmt_program *prog, char *err,
		     size_t err_size);
void rmt_program_free(struct rmt_program *prog);

/*
 * Parse the text of one entry of a table ("[priority N] FIELD=MATCH ...
 * -> ACTION(ARGS)", or only the match part when want_action is false)
 * into e, with the parameters in params (RMT_TABLE_MAX_PARAM bytes).
 */
int rmt_program_parse_entry(const struct rmt_program *prog, struct rmt_table *t,
			    const char *text, bool want_action,
			    struct rmt_table_entry *e, u8 *params, char *err,
			    size_t err_size);
/* Parse "ACTION(ARGS)" into an action id and parameters. */
int rmt_program_parse_call(const struct rmt_program *prog, const char *text,
			   u32 *action, u8 *params, u32 *param_len, char *err,
			   size_t err_size);
/* Format an entry of t as the parser reads it. */
void rmt_program_format_entry(const struct rmt_program *prog,
			      const struct rmt_table *t,
			      const struct rmt_table_entry *e, char *buf,
			      size_t size);
/* The name of a key field id (a context field or metaN). */
const char *rmt_program_field_name(const struct rmt_program *prog, u32 id,
				   char *buf, size_t size);

#endif /* RMT_VM_PIPELINE_PARSE_H */
