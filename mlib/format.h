/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * format.h - the binary model format (.rmtm), one family for every model
 * type.  Little-endian, packed, all offsets in bytes:
 *
 * header (48 bytes)
 *   0  u32 magic "RMTM"        4  u16 version (1)     6  u16 type
 *   8  u32 crc32c of bytes [12, total_len)            12 u32 total_len
 *   16 u16 n_features          18 u16 n_classes (0: regression)
 *   20 u8  in_frac_bits        21 u8  out_frac_bits
 *   22 u16 n_parts (trees or layers)
 *   24 u32 node_visits  28 u32 macs   (worst-case cost, checked)
 *   32 u16 max_depth           34 u16 flags (0)       36..47 zero
 * tree / forest body: per tree
 *   u32 n_nodes, u32 0, then n_nodes nodes of 12 bytes:
 *   u16 feature, u16 conf, s32 value, u16 left, u16 right
 * MLP body
 *   s32 in_zp, then per feature: s32 offset, s32 mult, u8 shift, u8 0[3]
 *   per layer: u8 kind, u8 act, u8 wbits, u8 shift, u16 cin, u16 len_in,
 *   u16 cout, u16 ksize, s32 out_zp, s32 mult, u32 0 (24 bytes), then the
 *   weights (s8 or s16), zero padding to 4 bytes, s32 bias[cout], and
 *   256 s8 table entries when act is LUT.
 *
 * The cost fields let a verifier budget a model from its header alone;
 * the parser rejects a model whose body does not match them.
 */
#ifndef RMT_MLIB_FORMAT_H
#define RMT_MLIB_FORMAT_H

#include "mlib/model.h"

#define RMT_MODEL_MAGIC 0x4d544d52u /* "RMTM" little-endian */
#define RMT_MODEL_VERSION 1u
#define RMT_MODEL_HDR_SIZE 48u
#define RMT_MODEL_NODE_SIZE 12u
#define RMT_MODEL_LAYER_SIZE 24u
#define RMT_MODEL_INQ_SIZE 12u
#define RMT_MODEL_MAX_SIZE (64u << 20)

/* What the header alone says (checked for sanity, not against the body). */
struct rmt_model_header {
	u16 version;
	u16 type;
	u32 total_len;
	u16 n_features;
	u16 n_classes;
	u8 in_frac_bits;
	u8 out_frac_bits;
	u16 n_parts;
	u16 max_depth;
	struct rmt_model_cost cost;
};

/*
 * Read and check the header (magic, version, type, sizes, limits) from
 * the first len >= 48 bytes; the verifier calls this to budget a model
 * before it has or loads the body.
 */
int rmt_model_read_header(const void *buf, size_t len,
			  struct rmt_model_header *hdr, char *log,
			  size_t log_size);

/*
 * Check a blob completely (checksum, every count, index and shape) and
 * build the model in one allocation.  On error returns -EINVAL (-ENOMEM
 * when memory runs out) and log names the problem.
 */
int rmt_model_parse(const void *buf, size_t len, struct rmt_model **out,
		    char *log, size_t log_size);

#endif /* RMT_MLIB_FORMAT_H */
