/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * registry_impl.h - what registry.c and registry_state.c share: the
 * handle, a key's open directory, and the state lock.
 */
#ifndef RMT_AGENT_REGISTRY_IMPL_H
#define RMT_AGENT_REGISTRY_IMPL_H

#include <pthread.h>

#include "agent/registry.h"
#include "agent/registry_format.h"
#include "agent/registry_io.h"

#define RMT_REG_FILE_NAME 32u /* "v000000001.meta" and the like */

struct rmt_registry {
	unsigned int flags;
	int dir_fd, keys_fd;
	int agent_fd; /* held with RMT_REG_AGENT */
	int state_fd; /* state.lock, opened on first use */
	/* Threads of one process: flock does not tell them apart. */
	pthread_mutex_t mutex;
	char *path; /* DIR, for messages */
};

/* A key's directory, open. */
struct rmt_reg_key {
	int fd;
	char enc[RMT_REG_NAME_MAX];
	char shown[4096]; /* DIR/keys/ENC */
};

/* -ENOENT ("no key") unless create; the caller closes k->fd. */
int rmt_reg_open_key(struct rmt_registry *r, const char *key, bool create,
		     struct rmt_reg_key *k, char *err, size_t err_size);
/* A key's STATE; all zero when it has none. */
int rmt_reg_read_state(int kfd, const char *shown, struct rmt_reg_state *st,
		       char *err, size_t err_size);
void rmt_reg_version_name(u32 version, const char *ext, char *name);
/* The version of "vNNNNNN.meta", in its one spelling; 0 for other names. */
u32 rmt_reg_meta_version(const char *name);

/*
 * Around every read-modify-write of a STATE, in every process and thread
 * (it takes the handle's mutex, then the flock).
 */
int rmt_reg_lock_state(struct rmt_registry *r, char *err, size_t err_size);
void rmt_reg_unlock_state(struct rmt_registry *r);

#endif /* RMT_AGENT_REGISTRY_IMPL_H */
