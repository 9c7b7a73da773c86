/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vpriv.h - the verifier's internal state: abstract registers and stack
 * slots, the per-path state, the saved states used for pruning and
 * pending branches, and the checks shared by the files of verifier/.
 */
#ifndef RMT_VERIFIER_VPRIV_H
#define RMT_VERIFIER_VPRIV_H

#include "verifier/scalar.h"
#include "verifier/verifier.h"
#include "vm/isa_desc.h"
#include "vm/vm_log.h"

/* Register types; the region ones equal enum rmt_vregion. */
enum rmt_vtype {
	RMT_VT_NOT_INIT = RMT_VR_NONE,
	RMT_VT_SCALAR = RMT_VR_SCALAR,
	RMT_VT_CTX = RMT_VR_CTX,
	RMT_VT_PARAM = RMT_VR_PARAM,
	RMT_VT_STATE = RMT_VR_STATE,
	RMT_VT_FEAT = RMT_VR_FEAT,
	RMT_VT_MEM = RMT_VR_COUNT, /* memory a helper returned */
	RMT_VT_MEM_OR_NULL,
	RMT_VT_STACK,
};

/* A register: a scalar, or a pointer whose offset is v. */
struct rmt_vreg {
	struct rmt_vscalar v;
	u32 size; /* RMT_VT_MEM*: bytes */
	u8 type;
	u8 taint; /* derived from context bytes that may not be exported */
	u8 frame; /* RMT_VT_STACK: the frame it points into */
	u8 pad;
	/*
	 * Scalars copied from one another share a nonzero id (the pc + 1 of
	 * the mov that made the first copy), so a branch on one refines all;
	 * link/mask: this register is (the value with id link) & mask, so a
	 * branch on it being zero or not refines those bits of that value.
	 */
	u32 id;
	u32 link;
	u64 mask;
};

/* Eight bytes of a stack frame. */
struct rmt_vslot {
	struct rmt_vreg spill; /* an 8-byte register store, or NOT_INIT */
	u8 init; /* bit b: byte b was written */
	u8 taint;
	u8 ptrbits; /* some bytes are left over from a pointer */
	u8 pad[5];
};

#define RMT_VSLOTS (RMT_STACK_SIZE / 8)
/* Loops (back-edge targets) whose iterations the analysis tells apart. */
#define RMT_VLOOPS 32

struct rmt_vframe {
	u32 ret_pc;
	u32 used; /* slots [0, used) are valid; the rest are empty */
	struct rmt_vreg saved[4]; /* r6-r9 of the caller */
	struct rmt_vslot slots[RMT_VSLOTS];
};

struct rmt_vstate {
	u32 pc;
	u32 depth; /* frames - 1 */
	u32 iters; /* back-edges taken on this path */
	u32 hist; /* hash of which back-edges, in order */
	u32 emits;
	u64 cost;
	u8 feat_taint;
	u8 via_back; /* the last edge taken was a back-edge */
	u8 pad[6];
	u16 lcnt[RMT_VLOOPS]; /* iterations of each loop since entering it */
	struct rmt_vreg regs[RMT_NR_REGS];
	struct rmt_vframe frames[RMT_MAX_CALL_DEPTH];
};

/* Per-instruction facts from the structural pass. */
#define RMT_VI_MERGE (1u << 0) /* two or more predecessors */
#define RMT_VI_FUNC (1u << 1) /* a function starts here */
#define RMT_VI_BACK_JUMP (1u << 2) /* the jump edge is a back-edge */
#define RMT_VI_BACK_FALL (1u << 3) /* the fall-through edge is one */
#define RMT_VI_REACHED (1u << 4)

/* A saved state at a merge point. */
struct rmt_vsaved {
	u32 next; /* index + 1 of the next one at the same pc, 0: none */
	u32 iters;
	u32 key; /* hash of the iteration counts that tell states apart */
	u32 chain; /* hash of the return addresses */
	u32 depth;
	u32 pc;
	bool queued; /* its exploration is waiting in the queue */
	size_t off; /* in the store arena */
};

/* Work waiting: a branch state (packed in pend) or a saved state. */
struct rmt_vitem {
	u64 key; /* back-edges taken << 32 | pc: loops unroll in order */
	u32 saved; /* index + 1 into saved, or 0 for a branch state */
	u32 size;
	size_t off;
};

struct rmt_varena {
	u8 *buf;
	size_t len, cap;
};

#define RMT_VERIFY_MAX_SAVED 16384u
#define RMT_VERIFY_SAVED_PER_PC 64u

struct rmt_vctx {
	const struct rmt_prog *prog;
	const struct rmt_verify_env *env;
	char *log;
	size_t log_size;
	int err;
	u64 budget;
	u8 *info; /* RMT_VI_* per instruction */
	u16 *live; /* registers read before written from each pc on */
	/*
	 * Natural loops: loop_of[pc] is 1 + the loop whose header pc is;
	 * loop_body[l * words + w] bit b: pc 32 * w + b is in loop l.  When
	 * the code is irreducible or has too many loops, loops_ok is false
	 * and states at a merge point are told apart by their whole history
	 * of back-edges instead of the counts of the loops around it.
	 */
	u8 *loop_of;
	u32 *loop_body;
	u32 words, n_loops;
	bool loops_ok;
	u32 *func; /* first instruction of each instruction's function */
	u32 *saved_head; /* per pc: index + 1 of its first saved state */
	u8 *saved_count;
	struct rmt_vsaved *saved;
	u32 n_saved, cap_saved;
	struct rmt_varena store, pend;
	struct rmt_vitem *items; /* a binary heap on key */
	u32 n_items, cap_items;
	struct rmt_vstate *cur, *tmp;
	struct rmt_verify_stats stats;
};

/* Record the first error: "insn N: ..." goes to the log. */
#define rmt_verr(c, code, ...)                                             \
	({                                                                 \
		if (!(c)->err)                                             \
			rmt_vm_logf((c)->log, (c)->log_size, __VA_ARGS__); \
		if (!(c)->err)                                             \
			(c)->err = (code);                                 \
		(c)->err;                                                  \
	})

/* The region name for messages ("ctx", "stack", ...). */
const char *rmt_vregion_name(u8 type);

/* cfg.c: structure beyond rmt_prog_load, and register liveness. */
int rmt_vcfg(struct rmt_vctx *c);
void rmt_vlive(struct rmt_vctx *c);
int rmt_vloops(struct rmt_vctx *c);

static inline bool rmt_vin_loop(const struct rmt_vctx *c, u32 l, u32 pc)
{
	return c->loop_body[l * c->words + pc / 32] >> (pc % 32) & 1;
}

/* state.c: copies, saved states, pruning. */
size_t rmt_vstate_size(const struct rmt_vstate *st);
void rmt_vpack(u8 *buf, const struct rmt_vstate *st);
void rmt_vunpack(struct rmt_vstate *st, const u8 *buf);
void rmt_vstate_copy(struct rmt_vstate *dst, const struct rmt_vstate *src);
/* Room for n more bytes in a, within RMT_VERIFY_MAX_MEM. */
int rmt_varena_reserve(struct rmt_vctx *c, struct rmt_varena *a, size_t n);
/*
 * At a merge point: 1 when this path ends here (st is covered by a saved
 * state, or was joined into one that the queue will explore), 0 to go on
 * with st, <0 on error.
 */
int rmt_vprune(struct rmt_vctx *c, struct rmt_vstate *st);

/*
 * sched.c: the queue of work, explored in order of (back-edges, pc) so
 * that every path into a merge point arrives before the join is explored.
 */
int rmt_vpend_push(struct rmt_vctx *c, const struct rmt_vstate *st);
/* Queue saved state s (once); returns 1, or <0 on error. */
int rmt_vqueue_saved(struct rmt_vctx *c, struct rmt_vsaved *s);
/* The next work into st; *resume: it already passed its merge check. */
bool rmt_vpend_pop(struct rmt_vctx *c, struct rmt_vstate *st, bool *resume);
/* The slot (creating it when write) holding frame byte fp+off, off < 0. */
struct rmt_vslot *rmt_vslot_at(struct rmt_vstate *st, u32 frame, s64 off,
			       bool write);

/* mem.c: loads, stores, atomics and helper memory arguments. */
int rmt_vmem(struct rmt_vctx *c, struct rmt_vstate *st, u32 i,
	     const struct rmt_insn *insn, u8 form);
int rmt_vmem_arg(struct rmt_vctx *c, struct rmt_vstate *st, u32 i,
		 const struct rmt_verify_helper *h, u32 arg);

/* alu.c: registers, arithmetic, conditional jumps. */
void rmt_vreg_scalar(struct rmt_vreg *r, u8 taint);
int rmt_vreg_read(struct rmt_vctx *c, const struct rmt_vstate *st, u32 i,
		  u32 r);
int rmt_valu(struct rmt_vctx *c, struct rmt_vstate *st, u32 i);
/* Drop every copy relation of register r. */
void rmt_vreg_unlink(struct rmt_vstate *st, u32 r);
/* Refine st for one arm of the jump at i: 1 possible, 0 not, <0 error. */
int rmt_vbranch(struct rmt_vctx *c, struct rmt_vstate *st, u32 i, bool taken);

#endif /* RMT_VERIFIER_VPRIV_H */
