/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rmt_prog_image.h - the binary form of an RMT program that /dev/rmt
 * loads (RMT_IOC_PROG_LOAD): what the text format (docs/tables.md) turns
 * into, so that the kernel needs no assembler or text parser.  Little-
 * endian, every part a multiple of 8 bytes:
 *
 *   struct rmt_img_hdr
 *   n_models  x struct rmt_img_model (the model slots the program uses)
 *   n_actions x (struct rmt_img_action, n_insns x 8-byte instructions)
 *   n_stages  x struct rmt_img_stage
 *   n_entries x (struct rmt_img_entry, len bytes of an RMT_MSG_TABLE_ENTRY
 *               payload (proto/msg.h), zero-padded to 8 bytes)
 *
 * The kernel checks every count, length and name, builds the pipeline
 * from it, proves each action safe with the verifier for every table that
 * uses it, and only then accepts it.
 */
#ifndef RMT_KMOD_PROG_IMAGE_H
#define RMT_KMOD_PROG_IMAGE_H

#include <linux/types.h>

#define RMT_IMG_MAGIC 0x474d4952u /* "RIMG" */
#define RMT_IMG_VERSION 2u
#define RMT_IMG_NAME_LEN 32u
#define RMT_IMG_MAX_LEN (1u << 20)
#define RMT_IMG_MAX_ACTIONS 32u
#define RMT_IMG_MAX_STAGES 8u
#define RMT_IMG_MAX_FIELDS 8u
#define RMT_IMG_MAX_STAGE_ACTIONS 16u
#define RMT_IMG_MAX_PARAM 256u
#define RMT_IMG_MAX_INSNS 8192u
#define RMT_IMG_MAX_ENTRIES 4096u
#define RMT_IMG_MAX_MODELS 8u /* vm/pipeline.h RMT_MODEL_SLOTS */

struct rmt_img_hdr {
	__u32 magic;
	__u32 version;
	__u32 hook_id; /* vm/hook.h enum rmt_hook_id */
	__u32 n_actions;
	__u32 n_stages;
	__u32 n_entries;
	__u32 total_len; /* bytes, this header included */
	__u32 n_models;
};

/*
 * A model slot the program declares ("model SLOT NAME inputs N"): only
 * models reading exactly n_in features are installed there; the model
 * helper answers -ENOENT for other slots, and until a model arrives.
 */
struct rmt_img_model {
	char name[RMT_IMG_NAME_LEN]; /* NUL-terminated */
	__u32 slot;
	__u32 n_in; /* 1..RMT_MODEL_MAX_INPUTS */
};

/* Followed by n_insns instructions (vm/isa.h struct rmt_insn). */
struct rmt_img_action {
	char name[RMT_IMG_NAME_LEN]; /* NUL-terminated */
	__u32 param_len;
	__u32 n_insns; /* 0: an action that does nothing */
};

struct rmt_img_field {
	__u16 field_id; /* a context field id or RMT_META_FIELD(i) */
	__u8 kind; /* enum rmt_match_kind */
	__u8 reserved;
};

struct rmt_img_stage {
	char name[RMT_IMG_NAME_LEN];
	__u32 n_fields;
	__u32 n_actions;
	__u32 capacity;
	__u32 state_size;
	__u32 default_action;
	__u32 default_param_len;
	__u32 algo; /* vm/table.h enum rmt_table_algo */
	__u32 reserved;
	__u64 max_cost; /* 0: the kernel's limit */
	struct rmt_img_field fields[RMT_IMG_MAX_FIELDS];
	__u32 actions[RMT_IMG_MAX_STAGE_ACTIONS]; /* action ids */
	__u8 default_params[RMT_IMG_MAX_PARAM];
};

/* An initial entry: an RMT_MSG_TABLE_ENTRY payload of len bytes follows. */
struct rmt_img_entry {
	__u32 len;
	__u32 reserved;
};

#endif /* RMT_KMOD_PROG_IMAGE_H */
