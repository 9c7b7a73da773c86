/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * learn.h - the learning loop for one workload (one key: a process or a
 * cgroup) at the swap_fault hook: the learned prefetcher's trainer.
 * It takes the workload's fault events, splits them into streams with the
 * same freestanding code the datapath uses, keeps a sliding window of
 * labelled feature vectors, trains a candidate tree when one is due (the
 * first after about 500 faults, then every few thousand faults, less
 * often while rounds change nothing, or when the installed model's
 * measured accuracy drops), compares candidate,
 * installed model and the default heuristic on the most recent held-out
 * window (replayed through the same features), and hands back a
 * candidate only when it wins by a margin, quantized and serialized as
 * an mlib model file image ready for rmt_dp_install_model().
 *
 * No threads inside: the caller (agent/loop.h) ingests on its draining
 * thread and runs rmt_learner_train() on a backend or a worker thread;
 * ingest and train may run concurrently on different threads (the
 * learner takes a snapshot of the window under its own lock).
 */
#ifndef RMT_AGENT_LEARN_H
#define RMT_AGENT_LEARN_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/msg.h"

struct rmt_backend;

struct rmt_learner_config {
	u32 first_model_faults; /* 0: 500 */
	u32 retrain_faults; /* 0: 4000 */
	/* Rounds that change nothing double the wait up to this; 0: 8x */
	u32 retrain_max_faults;
	u32 window; /* labelled samples kept; 0: 4096 */
	u32 promote_margin_ppm; /* candidate must beat by this; 0: 10000 */
	struct rmt_backend *backend; /* NULL: train on the calling thread */
};

/* What a training round produced, and why it was or was not promoted. */
struct rmt_learner_result {
	bool promote;
	u64 model_id; /* increasing per learner */
	u8 *blob; /* model file image (malloc'd; caller frees) */
	size_t blob_len;
	u32 train_samples;
	u32 heldout_samples;
	/* accuracy on the held-out window, parts per million */
	u32 candidate_ppm, installed_ppm, heuristic_ppm;
	u64 train_ns;
	char ran_on[128]; /* the backend's device or cores that trained it */
	char why[160]; /* "promoted: ...", "rejected: ..." */
};

struct rmt_learner;

/* NULL if c (NULL: every default) is usable, else what is wrong. */
const char *rmt_learner_config_error(const struct rmt_learner_config *c);
/* 0, -EINVAL where rmt_learner_config_error() objects, or -ENOMEM. */
int rmt_learner_create(const struct rmt_learner_config *c,
		       struct rmt_learner **out);
void rmt_learner_destroy(struct rmt_learner *l);
/* Train the next rounds on b; only while no round runs. */
void rmt_learner_set_backend(struct rmt_learner *l, struct rmt_backend *b);

/* Feed fault events of this workload, oldest first. */
void rmt_learner_ingest(struct rmt_learner *l, const struct rmt_msg_fault *ev,
			unsigned int n);
/* Whether a training round is due (enough new faults, or drift). */
bool rmt_learner_due(const struct rmt_learner *l);
/* One training round; 0 with *res filled, or a negative errno. */
int rmt_learner_train(struct rmt_learner *l, struct rmt_learner_result *res);
/*
 * The datapath accepted (installed = true) or refused the model; a
 * refused or rolled-back model is forgotten and the previous one counts
 * as installed again.
 */
void rmt_learner_installed(struct rmt_learner *l, u64 model_id, bool installed);

#endif /* RMT_AGENT_LEARN_H */
