/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * scalar.h - the verifier's value domain: unsigned and signed 64-bit
 * ranges plus known bits (a "tnum": value bits v, unknown-bit mask m), kept
 * consistent with each other.  Used for scalars and for pointer offsets.
 */
#ifndef RMT_VERIFIER_SCALAR_H
#define RMT_VERIFIER_SCALAR_H

#include "port/rmt_port.h"

#define RMT_U32_MAX 0xffffffffull
#define RMT_U64_MAX (~0ull)
#define RMT_S64_MAX ((s64)(RMT_U64_MAX >> 1))
#define RMT_S64_MIN (-RMT_S64_MAX - 1)

struct rmt_vscalar {
	u64 umin, umax;
	s64 smin, smax;
	u64 tv, tm; /* known bits: value, unknown mask */
};

void rmt_sc_const(struct rmt_vscalar *s, u64 v);
void rmt_sc_unknown(struct rmt_vscalar *s);
/* [lo, hi] unsigned, lo <= hi. */
void rmt_sc_urange(struct rmt_vscalar *s, u64 lo, u64 hi);
bool rmt_sc_is_const(const struct rmt_vscalar *s);
/* Tighten every part from the others; false when no value is left. */
bool rmt_sc_sync(struct rmt_vscalar *s);

/* The op of an ALU instruction (RMT_ADD..RMT_ARSH of isa.h) on 64 bits. */
void rmt_sc_alu(struct rmt_vscalar *d, const struct rmt_vscalar *s, u8 op);
/* Keep the low bits (8, 16 or 32), zero-extended. */
void rmt_sc_trunc(struct rmt_vscalar *s, u32 bits);
/* Sign-extend from the low bits (8, 16 or 32). */
void rmt_sc_sext(struct rmt_vscalar *s, u32 bits);

/*
 * Refine a and b for the outcome of `if a OP b` (OP a jump op of isa.h,
 * 64-bit compare); false when that outcome is impossible.
 */
bool rmt_sc_branch(struct rmt_vscalar *a, struct rmt_vscalar *b, u8 op,
		   bool taken);

/* a becomes the smallest element covering a and b. */
void rmt_sc_join(struct rmt_vscalar *a, const struct rmt_vscalar *b);
/* Every value of b is a value of a. */
bool rmt_sc_covers(const struct rmt_vscalar *a, const struct rmt_vscalar *b);

#endif /* RMT_VERIFIER_SCALAR_H */
