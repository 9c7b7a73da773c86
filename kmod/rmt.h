/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rmt.h - what the parts of rmt.ko share: sessions (one per open of
 * /dev/rmt, owning its rings), attachments (a hook, a filter, counters),
 * the hook registry and the prefetch executor.
 */
#ifndef RMT_KMOD_H
#define RMT_KMOD_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include "proto/ring.h"
#include "proto/msg.h"
#include "mlib/slot.h"
#include "vm/pipeline.h"
#include "kmod/rmt_ioctl.h"

/* Counter indices, in the order of struct rmt_counters. */
enum rmt_ctr {
	RMT_C_FAULTS,
	RMT_C_MAJOR,
	RMT_C_MINOR, /* not counted: faults - major, when read */
	RMT_C_RETRY, /* not told apart since the ftrace hook: 0 */
	RMT_C_WAKEUPS,
	RMT_C_EVENTS,
	RMT_C_EVENTS_DROPPED,
	RMT_C_PF_QUEUED,
	RMT_C_PF_QUEUE_FULL,
	RMT_C_PF_PAGES,
	RMT_C_PF_NOT_SWAP,
	RMT_C_PF_FAILED,
	RMT_C_PF_HITS,
	RMT_C_PF_UNUSED,
	RMT_C_KRP_MISSED, /* no kretprobe since the ftrace hook: 0 */
	RMT_C_CMDS,
	RMT_C_CMD_ERRORS,
	RMT_C_HOOK_CYCLES,
	RMT_C_STREAM_BUSY,
	RMT_C_COUNT,
};

struct rmt_kcounters {
	atomic64_t v[RMT_C_COUNT];
};

struct rmt_session {
	struct kref ref;
	struct mutex lock; /* rings creation, mmap, command ring */
	void *ev_mem;
	void *cmd_mem;
	size_t ev_len; /* bytes mapped, page multiple */
	size_t cmd_len;
	spinlock_t ev_lock; /* one producer at a time on the event ring */
	struct rmt_ring_prod ev;
	struct rmt_ring_cons cmd;
	bool rings_ready; /* read with smp_load_acquire in hooks */
};

struct rmt_attach {
	u32 id;
	u16 hook;
	u16 filter;
	u64 filter_value;
	u32 flags;
	u32 pf_pages;
	u32 pf_stride;
	struct rmt_session *sess; /* holds a reference */
	struct rmt_kprog __rcu *prog; /* swap_fault: holds a reference */
	struct rmt_kstream *ks; /* swap_fault: histories and streams */
	struct rmt_kcounters ctr;
	struct rcu_head rcu;
};

struct rmt_kprog;
struct rmt_kstream;
struct rmt_img_model;

/* What the pipeline's model helper gets for a slot. */
struct rmt_kmodel_slot {
	struct rmt_kprog *kp;
	u32 slot;
};

/* A loaded program: a verified pipeline, its model slots. */
struct rmt_kprog {
	struct kref ref;
	u32 id;
	struct rmt_session *owner; /* compared, never dereferenced */
	struct mutex lock; /* entry and model changes */
	struct rmt_pipeline *pipe;
	struct rmt_slots slots;
	struct rmt_kmodel_slot mslot[RMT_MODEL_SLOTS];
	u32 model_in[RMT_MODEL_SLOTS]; /* declared inputs; 0: undeclared */
	atomic64_t model_runs; /* inferences of installed models */
	atomic64_t insns; /* instructions executed by runs */
	atomic64_t pages;
	atomic64_t refused;
	atomic64_t run_cycles;
	/* The model blob being reassembled (under lock). */
	u8 *blob;
	u32 blob_len;
	u32 blob_got;
	u32 blob_crc;
	u32 blob_slot;
	u64 blob_id;
};

extern struct rmt_kcounters rmt_global;
extern struct rmt_attach __rcu *rmt_slots[RMT_MAX_ATTACH];

/* Count on an attachment (may be NULL) and in the module-wide totals. */
static inline void rmt_count(struct rmt_attach *a, enum rmt_ctr c, long n)
{
	if (a)
		atomic64_add(n, &a->ctr.v[c]);
	atomic64_add(n, &rmt_global.v[c]);
}

void rmt_counters_read(const struct rmt_kcounters *k, struct rmt_counters *c);

/* session.c */
struct rmt_session *rmt_session_new(void);
void rmt_session_put(struct rmt_session *s);
int rmt_session_rings(struct rmt_session *s, struct rmt_ioc_rings *r);
int rmt_session_mmap(struct rmt_session *s, struct vm_area_struct *vma);
void rmt_emit(struct rmt_attach *a, u16 type, const void *rec, u32 len);
int rmt_session_cmd_poll(struct rmt_session *s, struct rmt_ioc_cmd_poll *p);

/* attach.c: under RCU in hooks; attach/detach sleep. */
bool rmt_task_matches(const struct rmt_attach *a, struct task_struct *t);
int rmt_attach(struct rmt_session *s, struct rmt_ioc_attach *arg);
int rmt_detach(struct rmt_session *s, u32 id);
void rmt_detach_session(struct rmt_session *s);
int rmt_stats(u32 id, struct rmt_counters *c);
int rmt_attach_prog(struct rmt_session *s, struct rmt_ioc_prog_attach *arg);
struct rmt_attach *rmt_attach_find_rcu(u32 id);

/* swap_hook.c, wakeup_hook.c: called with the attach mutex held. */
int rmt_swap_hook_register(void);
void rmt_swap_hook_unregister(void);
int rmt_wakeup_hook_register(void);
void rmt_wakeup_hook_unregister(void);

/* program.c, kmodel.c */
int rmt_kprog_load(struct rmt_session *s, struct rmt_ioc_prog_load *arg);
int rmt_kprog_entry(struct rmt_session *s, struct rmt_ioc_entry *arg);
int rmt_kprog_model(struct rmt_session *s, struct rmt_ioc_model *arg);
/*
 * Empties a declared model slot of one of s's programs (the command
 * ring's RMT_CMD_RESET_DEFAULT): its runs fall back to the default.
 */
int rmt_kprog_clear_model(struct rmt_session *s, u32 prog_id, u32 slot);
int rmt_kprog_stats(struct rmt_session *s, struct rmt_ioc_prog_stats *arg);
struct rmt_kprog *rmt_kprog_get(struct rmt_session *s, u32 id);
void rmt_kprog_put(struct rmt_kprog *kp);
void rmt_kprog_release_session(struct rmt_session *s);
int rmt_kmodel_init(struct rmt_kprog *kp, const struct rmt_img_model *decl,
		    u32 n, char *log, size_t log_size);
void rmt_kmodel_exit(struct rmt_kprog *kp);

/* kstream.c: a swap_fault attachment's histories and streams. */
int rmt_kstream_alloc(struct rmt_attach *a);
void rmt_kstream_free(struct rmt_attach *a);
void rmt_kstream_reset(struct rmt_attach *a);
/* Run kp on c (all but deltas[] and s_* filled) with a's state. */
int rmt_kstream_run(struct rmt_attach *a, struct rmt_kprog *kp,
		    struct rmt_ctx_swap_fault *c,
		    struct rmt_hook_scratch *scratch, struct rmt_decision *d);

/* prefetch.c */
int rmt_pf_init(void);
void rmt_pf_exit(void);
void rmt_pf_submit(struct rmt_attach *a, struct mm_struct *mm,
		   unsigned long addr, unsigned long vm_end);
void rmt_pf_submit_pages(struct rmt_attach *a, struct mm_struct *mm,
			 const struct rmt_ctx_swap_fault *ctx, const u64 *pages,
			 u32 n);

#define rmt_warn(fmt, ...) pr_warn_ratelimited("rmt: " fmt, ##__VA_ARGS__)

#endif /* RMT_KMOD_H */
