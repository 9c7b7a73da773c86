/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * registry.h - the on-disk model registry (`--registry DIR`): for each
 * workload key (a hook and a process or cgroup, e.g.
 * "swap_fault/tgid-1234"), numbered versions of mlib model file images
 * with their metadata (data window, held-out accuracies, backend, why
 * promoted), which version is installed, the ones installed before it
 * (for rollback) and an optional pin.  docs/registry.md has the layout.
 *
 * One agent writes a registry at a time: opening with RMT_REG_AGENT takes
 * an exclusive lock for the handle's life, and a second agent gets
 * -EBUSY with the holder's pid.  Without it a handle reads (rmtctl
 * models list/show) and may still change the state of a key (rollback,
 * pin, unpin): those short read-modify-writes are serialized with the
 * agent's by a second lock.  Every file is written to a temporary name,
 * synced and renamed, and a version exists once its metadata file does,
 * so a kill at any point leaves the registry as it was before or after
 * the step; an agent's open removes what a killed writer left behind.
 *
 * How a change made by rmtctl reaches a running agent: the agent calls
 * rmt_registry_state() for its keys on its loop (at least every second)
 * and, when the state's current version is not the one it installed,
 * loads and installs that version.
 *
 * All functions return 0 or a negative errno and, on error, write one
 * line naming the file or argument at fault into err.  Threads may share
 * a handle: saves and state changes are serialized inside.
 */
#ifndef RMT_AGENT_REGISTRY_H
#define RMT_AGENT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "port/rmt_port.h"

/* Bytes of a key; its file name (docs/registry.md) must fit 255 too. */
#define RMT_REG_KEY_MAX 200u
#define RMT_REG_VERSION_MAX 999999999u
#define RMT_REG_HISTORY 16u /* installed versions remembered per key */

/* Open flags. */
/* Make DIR (not its parents) if missing, or make an empty DIR one. */
#define RMT_REG_CREATE 1u
#define RMT_REG_AGENT 2u /* the writer: exclusive lock, may save */

/* What is stored with a version; strings are printable, one line. */
struct rmt_reg_meta {
	u32 version; /* assigned by save */
	u64 model_id; /* the learner's */
	u64 time_ns; /* CLOCK_REALTIME when saved; save fills 0 in */
	/* data window: first and last fault event trained on */
	u64 first_event_ns, last_event_ns;
	u32 train_samples, heldout_samples;
	/* accuracy on the held-out window, parts per million */
	u32 candidate_ppm, installed_ppm, heuristic_ppm;
	u32 model_bytes; /* size of the model file; save fills it in */
	char backend[16]; /* "cpu", "cuda", "dpdk" */
	char device[160]; /* what the backend ran on */
	char reason[160]; /* why it was promoted */
};

/* The installed-version history of a key; 0 means none. */
struct rmt_reg_state {
	u32 current; /* history's last */
	u32 previous; /* the one before: where rollback goes */
	u32 pinned; /* never replaced by set_current while set */
	u32 n_history;
	u32 history[RMT_REG_HISTORY]; /* oldest first */
	u64 serial; /* bumped by every change */
};

/* One version in a listing. */
struct rmt_reg_entry {
	char key[RMT_REG_KEY_MAX + 1];
	struct rmt_reg_meta meta;
	bool current, previous, pinned;
	/* Non-empty when the version is damaged (bad metadata, model file
	 * missing or of the wrong size); meta then holds only the version. */
	char error[512];
};

struct rmt_registry;

int rmt_registry_open(const char *dir, unsigned int flags,
		      struct rmt_registry **out, char *err, size_t err_size);
void rmt_registry_close(struct rmt_registry *r);

/*
 * Store blob (an mlib model file image; it must parse) as the key's next
 * version, with meta (version and model_bytes are filled in; time_ns
 * when 0).  Needs RMT_REG_AGENT.  Does not make it current.
 */
int rmt_registry_save(struct rmt_registry *r, const char *key, const void *blob,
		      size_t len, const struct rmt_reg_meta *meta, u32 *version,
		      char *err, size_t err_size);

/*
 * Versions of key (NULL: of every key), sorted by key then version, in a
 * malloc'd array (*out is NULL when there are none); free with free().
 */
int rmt_registry_list(struct rmt_registry *r, const char *key,
		      struct rmt_reg_entry **out, size_t *n, char *err,
		      size_t err_size);

/*
 * A version's model file image (malloc'd, checked by mlib's parser) and
 * metadata; version 0 means the current one.  -ENOENT for an unknown
 * key or version, -EINVAL for a damaged file (err names it).
 */
int rmt_registry_load(struct rmt_registry *r, const char *key, u32 version,
		      u8 **blob, size_t *len, struct rmt_reg_meta *meta,
		      char *err, size_t err_size);

/* The key's state; all zero for a key that has none yet. */
int rmt_registry_state(struct rmt_registry *r, const char *key,
		       struct rmt_reg_state *st, char *err, size_t err_size);

/*
 * Make version (which must exist) current; the current one becomes
 * previous.  -EBUSY when the key is pinned to another version.
 */
int rmt_registry_set_current(struct rmt_registry *r, const char *key,
			     u32 version, char *err, size_t err_size);

/*
 * Make the previous version current again and forget the current one;
 * *version (may be NULL) gets the new current.  -ENOENT without a
 * previous version, -EBUSY while pinned.
 */
int rmt_registry_rollback(struct rmt_registry *r, const char *key, u32 *version,
			  char *err, size_t err_size);

/*
 * Delete the key's versions older than its newest keep (at least 1),
 * except those in its history and the pinned one; *removed (may be
 * NULL) counts them.  Needs RMT_REG_AGENT.
 */
int rmt_registry_prune(struct rmt_registry *r, const char *key, u32 keep,
		       u32 *removed, char *err, size_t err_size);

/* Pin version (0: the current one) and make it current; unpin. */
int rmt_registry_pin(struct rmt_registry *r, const char *key, u32 version,
		     char *err, size_t err_size);
int rmt_registry_unpin(struct rmt_registry *r, const char *key, char *err,
		       size_t err_size);

#endif /* RMT_AGENT_REGISTRY_H */
