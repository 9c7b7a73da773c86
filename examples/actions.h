/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * actions.h - context layouts of the example actions, shared by the
 * restricted-C actions (clang -target bpf, no libc) and the test that runs
 * them.
 */
#ifndef RMT_EXAMPLES_ACTIONS_H
#define RMT_EXAMPLES_ACTIONS_H

typedef __UINT8_TYPE__ rmt_ex_u8;
typedef __UINT32_TYPE__ rmt_ex_u32;
typedef __UINT64_TYPE__ rmt_ex_u64;
typedef __INT64_TYPE__ rmt_ex_s64;

#define RMT_EX_HISTORY 8

/* A window of recent fault addresses, oldest first. */
struct rmt_ex_history {
	rmt_ex_u64 addr[RMT_EX_HISTORY];
	rmt_ex_u32 n; /* valid entries */
	rmt_ex_u32 pad;
	rmt_ex_u64 predict; /* out: next address to prefetch */
};

#define RMT_EX_CSUM_MAX 64

struct rmt_ex_packet {
	rmt_ex_u8 data[RMT_EX_CSUM_MAX];
	rmt_ex_u32 len;
};

/* Helper ids the majority action calls. */
#define RMT_EX_HELPER_EMIT 1

#endif /* RMT_EXAMPLES_ACTIONS_H */
