/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * msg.h - the records carried on rmt rings: their types, fixed layouts
 * (little-endian, naturally aligned, sizes and offsets pinned by static
 * asserts) and the limits the receiving side enforces with rmt_msg_check().
 *
 * Datapath -> agent: fault events, training samples, statistics, guardrail
 * events, replies to commands and model blobs, page events.  Agent ->
 * datapath: commands, table entries, model blobs (in chunks, each carrying
 * the CRC32C of the whole blob).
 */
#ifndef RMT_PROTO_MSG_H
#define RMT_PROTO_MSG_H

#include "port/rmt_port.h"

#define RMT_PROTO_VERSION 1u

enum rmt_msg_type {
	RMT_MSG_FAULT = 1,
	RMT_MSG_SAMPLE = 2,
	RMT_MSG_STATS = 3,
	RMT_MSG_GUARDRAIL = 4,
	RMT_MSG_REPLY = 5,
	RMT_MSG_PAGE = 6,
	RMT_MSG_COMMAND = 16,
	RMT_MSG_TABLE_ENTRY = 17,
	RMT_MSG_MODEL_BLOB = 18,
};

/* struct rmt_msg_fault.flags */
#define RMT_FAULT_WRITE 0x01u
#define RMT_FAULT_MAJOR 0x02u /* had to wait for the backing store */
#define RMT_FAULT_PREFETCH_HIT 0x04u /* served from prefetched pages */
#define RMT_FAULT_FLAGS_ALL 0x07u

struct rmt_msg_fault {
	u64 addr; /* page-aligned faulting address */
	u64 vma_start;
	u64 vma_end;
	u64 time_ns;
	u64 cgroup_id;
	u32 pid;
	u32 tgid;
	u32 cpu;
	u16 hook_id;
	u8 flags;
	u8 reserved0;
	u32 latency_ns; /* time the fault took to serve, 0 if unknown */
	u32 reserved1;
};

/* struct rmt_msg_page.event: what happened to the pages */
enum rmt_page_event {
	RMT_PAGE_EVICTED = 1, /* local to far memory */
	RMT_PAGE_DROPPED = 2, /* freed: gone from far memory too, zero again */
	RMT_PAGE_TOUCHED = 3, /* first touch: a zero page came in */
	RMT_PAGE_EVENT_MAX = RMT_PAGE_TOUCHED,
};

/*
 * Pages [addr, addr + npages pages) came into or left local memory other
 * than by a far fault: an eviction or a first touch (one page each), a
 * free.  Only the user-space pager emits these, and only when asked to
 * (rmt-run --trace), so that a replay of the trace knows which pages were
 * far at each fault and what else pushed pages out.
 */
struct rmt_msg_page {
	u64 addr; /* page-aligned */
	u64 time_ns;
	u32 npages;
	u32 event; /* enum rmt_page_event */
};

#define RMT_MSG_MAX_FEATURES 64u

/* A feature vector and its label, for training; features[n_features]. */
struct rmt_msg_sample {
	u64 key; /* cgroup id or process the sample belongs to */
	u16 hook_id;
	u16 n_features;
	s32 label;
	s32 features[];
};

struct rmt_msg_stats {
	u64 time_ns;
	u16 hook_id;
	u16 table_id; /* RMT_STATS_ALL_TABLES for hook-wide counters */
	u32 entry_id; /* RMT_STATS_ALL_ENTRIES for table-wide counters */
	u64 lookups;
	u64 hits;
	u64 misses;
	u64 prefetched;
	u64 prefetch_hits;
	u64 dropped;
};

#define RMT_STATS_ALL_TABLES 0xffffu
#define RMT_STATS_ALL_ENTRIES 0xffffffffu

/* A model was switched off by its guardrail; the agent must re-admit it. */
struct rmt_msg_guardrail {
	u64 time_ns;
	u64 model_id;
	u16 hook_id;
	u16 slot;
	u32 accuracy_ppm; /* measured accuracy over the window */
	u32 threshold_ppm;
	u32 window;
};

#define RMT_REPLY_REASON_LEN 96u

/*
 * The datapath's answer to one command (req_type RMT_MSG_COMMAND) or one
 * whole model blob (RMT_MSG_MODEL_BLOB, after its last chunk or its first
 * bad one): status 0 or a negative errno, and a NUL-terminated reason.
 */
struct rmt_msg_reply {
	u32 seq;
	s32 status;
	u16 req_type;
	u16 hook_id;
	u32 slot;
	u64 model_id; /* of the blob, or the model in use after a command */
	char reason[RMT_REPLY_REASON_LEN];
};

enum rmt_cmd_op {
	RMT_CMD_ATTACH = 1,
	RMT_CMD_DETACH = 2,
	RMT_CMD_RESET_DEFAULT = 3,
	RMT_CMD_GET_STATS = 4,
	RMT_CMD_RESET_STATS = 5,
	RMT_CMD_READMIT_MODEL = 6,
	RMT_CMD_OP_MAX = RMT_CMD_READMIT_MODEL,
};

struct rmt_msg_command {
	u32 seq;
	u32 op;
	u16 hook_id;
	u16 table_id;
	u32 arg0;
	u64 arg1;
};

enum rmt_match_kind {
	RMT_MATCH_EXACT = 0,
	RMT_MATCH_TERNARY = 1,
	RMT_MATCH_LPM = 2,
	RMT_MATCH_RANGE = 3,
	RMT_MATCH_KIND_MAX = RMT_MATCH_RANGE,
};

/* value, and mask (ternary), prefix length (lpm) or high end (range). */
struct rmt_msg_key_field {
	u16 field_id;
	u8 kind;
	u8 prefix_len;
	u32 reserved;
	u64 value;
	u64 mask_or_high;
};

enum rmt_entry_op {
	RMT_ENTRY_ADD = 1,
	RMT_ENTRY_DELETE = 2,
	RMT_ENTRY_MODIFY = 3,
	RMT_ENTRY_SET_DEFAULT = 4,
	RMT_ENTRY_OP_MAX = RMT_ENTRY_SET_DEFAULT,
};

#define RMT_MSG_MAX_KEY_FIELDS 8u
#define RMT_MSG_MAX_PARAM_LEN 256u

/* fields[n_fields], then param_len bytes of action parameters. */
struct rmt_msg_table_entry {
	u32 seq;
	u32 op;
	u16 hook_id;
	u16 table_id;
	s32 priority;
	u32 action_id;
	u16 n_fields;
	u16 param_len;
	struct rmt_msg_key_field fields[];
};

/*
 * One chunk of a model blob.  A blob of total_len bytes travels as chunks
 * at increasing offsets; crc32c covers the whole blob and is checked once
 * it is reassembled, before the model format parser sees it.
 */
struct rmt_msg_model_blob {
	u64 model_id;
	u32 seq;
	u32 slot;
	u32 format_version;
	u32 total_len;
	u32 offset;
	u32 chunk_len;
	u32 crc32c;
	u32 flags;
	u8 data[];
};

#define RMT_MSG_MAX_MODEL_LEN (16u << 20)

_Static_assert(sizeof(struct rmt_msg_fault) == 64, "fault event is ABI");
_Static_assert(__builtin_offsetof(struct rmt_msg_fault, pid) == 40, "ABI");
_Static_assert(__builtin_offsetof(struct rmt_msg_fault, latency_ns) == 56,
	       "ABI");
_Static_assert(sizeof(struct rmt_msg_page) == 24, "page event is ABI");
_Static_assert(sizeof(struct rmt_msg_sample) == 16, "sample header is ABI");
_Static_assert(sizeof(struct rmt_msg_stats) == 64, "stats record is ABI");
_Static_assert(__builtin_offsetof(struct rmt_msg_stats, lookups) == 16, "ABI");
_Static_assert(sizeof(struct rmt_msg_guardrail) == 32, "guardrail is ABI");
_Static_assert(sizeof(struct rmt_msg_reply) == 120, "reply is ABI");
_Static_assert(__builtin_offsetof(struct rmt_msg_reply, reason) == 24, "ABI");
_Static_assert(sizeof(struct rmt_msg_command) == 24, "command is ABI");
_Static_assert(sizeof(struct rmt_msg_key_field) == 24, "key field is ABI");
_Static_assert(sizeof(struct rmt_msg_table_entry) == 24, "entry header is ABI");
_Static_assert(sizeof(struct rmt_msg_model_blob) == 40, "blob header is ABI");
_Static_assert(__builtin_offsetof(struct rmt_msg_model_blob, crc32c) == 32,
	       "ABI");

int rmt_msg_check(u16 type, const void *payload, u32 len);

#endif /* RMT_PROTO_MSG_H */
