/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * stream.h - stream tracking for the swap_fault hook (freestanding: the
 * user-space pager, the kernel module and the learner all run this same
 * code, so the features a model is trained on are exactly the ones it
 * sees at inference).  The fault stream is split into streams: faults
 * close together within one region.  Each stream keeps its last page
 * deltas and what its lookahead and accuracy check need.  A fixed number
 * of streams; the least recently used one is replaced.
 *
 * Per fault: rmt_stream_fill() assigns the fault to a stream and fills
 * the context's s_* fields; unless rmt_stream_coast() says no decision is
 * needed, the pipeline runs and rmt_stream_update() then records what the
 * decision asked for.  rmt_stream_run() does all three, for the user-space
 * pager and the kernel module alike.  The program reports its decision in
 * metadata words (RMT_STREAM_META_*).
 */
#ifndef RMT_VM_STREAM_H
#define RMT_VM_STREAM_H

#include "vm/hook.h"

#define RMT_STREAM_SLOTS 16u
/* A fault this many pages or fewer from a stream's last one joins it. */
#define RMT_STREAM_NEAR 64
/* Decayed counters are halved once they reach these sums. */
#define RMT_STREAM_ISSUED_WINDOW 256u
#define RMT_STREAM_CHECK_WINDOW 32u
/* A stream coasts after this many right predictions in a row ... */
#define RMT_STREAM_COAST_RUN 8u
/* ... while its lookahead reaches at least this many steps ahead. */
#define RMT_STREAM_COAST_AHEAD 24
/*
 * A sweep (a lookahead that follows no step) coasts while it has pages
 * asked for at least this far ahead of the fault, the way it goes ...
 */
#define RMT_STREAM_SWEEP_AHEAD 8
/* ... and all but this many of the pages it asked for recently hit. */
#define RMT_STREAM_SWEEP_SLACK 32u

/* Metadata words the program leaves for rmt_stream_update(). */
#define RMT_STREAM_META_STEP 0 /* predicted next delta (pages), 0: none */
#define RMT_STREAM_META_AHEAD 1 /* new furthest page address asked for */
/*
 * "Nothing near comes next": the delta (pages) the stream will not
 * repeat, 0: no such claim (and none with a step).  Checked at the
 * stream's next fault; s_refuted counts the claims refuted in a row.
 */
#define RMT_STREAM_META_DENY 2

struct rmt_stream {
	u64 region; /* vma_start */
	u64 last; /* page number of the latest fault */
	u64 used; /* tick of the latest fault, for replacement */
	u32 gen; /* bumped each time the slot starts a new stream */
	u32 n;
	s64 d[RMT_STREAM_HISTORY]; /* deltas, newest first */
	u64 expect; /* page the last prediction said comes next, 0: none */
	u64 deny; /* page the last prediction said does not, 0: none */
	u64 ahead;
	s64 step;
	u32 run, hits, issued, right, wrong;
	u32 refuted; /* RMT_STREAM_META_DENY claims refuted in a row */
};

struct rmt_streams {
	u64 tick;
	u32 mru; /* the stream of the latest fault */
	struct rmt_stream s[RMT_STREAM_SLOTS];
};

void rmt_streams_init(struct rmt_streams *st);

/*
 * Assign the fault in c (addr, vma_start, vma_end, flags) to a stream and
 * fill c's s_* fields; returns the stream's slot.
 */
u32 rmt_stream_fill(struct rmt_streams *st, struct rmt_ctx_swap_fault *c);

/*
 * After rmt_stream_fill(): whether the prefetch hit in c needs no
 * decision.  Its stream predicted right RMT_STREAM_COAST_RUN times in a
 * row and has pages asked for RMT_STREAM_COAST_AHEAD or more steps ahead,
 * so a decision would at most top its lookahead up; the stream then
 * expects its step again, and the caller skips the pipeline and
 * rmt_stream_update().  A sweep, whose lookahead follows no step (and
 * which predicts no next page), coasts while it has pages asked for
 * RMT_STREAM_SWEEP_AHEAD or more pages ahead, the way its deltas go, and
 * its pages have been hitting.  Only a program that reports a lookahead
 * (RMT_STREAM_META_AHEAD) ever makes a stream coast.
 */
bool rmt_stream_coast(struct rmt_streams *st,
		      const struct rmt_ctx_swap_fault *c);

/*
 * After the decision for c: meta are the run's metadata words, n_pages
 * the pages it asked for.
 */
void rmt_stream_update(struct rmt_streams *st,
		       const struct rmt_ctx_swap_fault *c, const u64 *meta,
		       u32 n_pages);

struct rmt_pipeline;
struct rmt_hook_scratch;
struct rmt_decision;

/*
 * The swap_fault hook's run, as both datapaths make it: the fault joins
 * its stream, and unless the stream coasts (d then asks for nothing) the
 * pipeline p decides and the stream records the decision.  The caller
 * fills c's other fields first (its task's deltas included); returns the
 * pipeline's error.
 */
int rmt_stream_run(struct rmt_streams *st, struct rmt_pipeline *p,
		   struct rmt_ctx_swap_fault *c, struct rmt_hook_scratch *scr,
		   struct rmt_decision *d);

/* The generation of slot i (a new stream there bumps it). */
static inline u32 rmt_stream_gen(const struct rmt_streams *st, u32 i)
{
	return st->s[i % RMT_STREAM_SLOTS].gen;
}

#endif /* RMT_VM_STREAM_H */
