// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * registry_state.c - a key's state in the model registry: the history of
 * installed versions (current, previous) and the pin.  Every change is a
 * read-modify-write of the key's STATE file under DIR/state.lock, so an
 * agent and rmtctl may change it at the same time without losing either
 * change.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "agent/registry_impl.h"

int rmt_reg_lock_state(struct rmt_registry *r, char *err, size_t err_size)
{
	int ret;

	pthread_mutex_lock(&r->mutex);
	if (r->state_fd < 0)
		r->state_fd = openat(r->dir_fd, "state.lock",
				     O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->state_fd < 0) {
		ret = -errno;
		snprintf(err, err_size, "%s/state.lock: %s", r->path,
			 strerror(-ret));
		pthread_mutex_unlock(&r->mutex);
		return ret;
	}
	while (flock(r->state_fd, LOCK_EX)) {
		if (errno != EINTR) {
			ret = -errno;
			snprintf(err, err_size, "%s/state.lock: %s", r->path,
				 strerror(-ret));
			pthread_mutex_unlock(&r->mutex);
			return ret;
		}
	}
	return 0;
}

void rmt_reg_unlock_state(struct rmt_registry *r)
{
	flock(r->state_fd, LOCK_UN);
	pthread_mutex_unlock(&r->mutex);
}

int rmt_registry_state(struct rmt_registry *r, const char *key,
		       struct rmt_reg_state *st, char *err, size_t err_size)
{
	struct rmt_reg_key k;
	int ret;

	ret = rmt_reg_open_key(r, key, false, &k, err, err_size);
	if (ret == -ENOENT) {
		memset(st, 0, sizeof(*st));
		return 0;
	}
	if (ret)
		return ret;
	ret = rmt_reg_read_state(k.fd, k.shown, st, err, err_size);
	close(k.fd);
	return ret;
}

enum state_op {
	OP_SET,
	OP_ROLLBACK,
	OP_PIN,
	OP_UNPIN
};

static void set_ends(struct rmt_reg_state *st)
{
	u32 n = st->n_history;

	st->current = n ? st->history[n - 1] : 0;
	st->previous = n > 1 ? st->history[n - 2] : 0;
}

/* v becomes the newest entry; the oldest falls off a full history. */
static void push(struct rmt_reg_state *st, u32 v)
{
	u32 i, o = 0;

	for (i = 0; i < st->n_history; i++)
		if (st->history[i] != v)
			st->history[o++] = st->history[i];
	if (o == RMT_REG_HISTORY) {
		memmove(st->history, st->history + 1,
			(o - 1) * sizeof(st->history[0]));
		o--;
	}
	st->history[o++] = v;
	st->n_history = o;
	set_ends(st);
}

static int need_version(int kfd, const char *key, u32 v, char *err,
			size_t err_size)
{
	char name[RMT_REG_FILE_NAME];

	rmt_reg_version_name(v, "meta", name);
	if (v && !faccessat(kfd, name, F_OK, 0))
		return 0;
	snprintf(err, err_size, "key '%s' has no version %u", key, v);
	return -ENOENT;
}

/* The change itself, on st; 1 when st changed, 0 when not, or -errno. */
static int apply(int kfd, const char *key, enum state_op op, u32 v,
		 struct rmt_reg_state *st, char *err, size_t err_size)
{
	int ret;

	switch (op) {
	case OP_SET:
		if (st->pinned && st->pinned != v) {
			snprintf(err, err_size,
				 "key '%s' is pinned to version %u", key,
				 st->pinned);
			return -EBUSY;
		}
		ret = need_version(kfd, key, v, err, err_size);
		if (ret || st->current == v)
			return ret;
		push(st, v);
		return 1;
	case OP_ROLLBACK:
		if (st->pinned) {
			snprintf(
				err, err_size,
				"key '%s' is pinned to version %u; unpin it first",
				key, st->pinned);
			return -EBUSY;
		}
		if (!st->previous) {
			snprintf(err, err_size,
				 "key '%s' has no previous version", key);
			return -ENOENT;
		}
		ret = need_version(kfd, key, st->previous, err, err_size);
		if (ret)
			return ret;
		st->n_history--;
		set_ends(st);
		return 1;
	case OP_PIN:
		if (!v)
			v = st->current;
		if (!v) {
			snprintf(err, err_size,
				 "key '%s' has no current version to pin", key);
			return -ENOENT;
		}
		ret = need_version(kfd, key, v, err, err_size);
		if (ret || (st->pinned == v && st->current == v))
			return ret;
		push(st, v);
		st->pinned = v;
		return 1;
	case OP_UNPIN:
		if (!st->pinned)
			return 0;
		st->pinned = 0;
		return 1;
	}
	return -EINVAL;
}

static int change(struct rmt_registry *r, const char *key, enum state_op op,
		  u32 v, u32 *current, char *err, size_t err_size)
{
	char text[RMT_REG_TEXT_MAX];
	struct rmt_reg_state st;
	struct rmt_reg_key k;
	int ret;

	ret = rmt_reg_open_key(r, key, false, &k, err, err_size);
	if (ret)
		return ret;
	ret = rmt_reg_lock_state(r, err, err_size);
	if (ret) {
		close(k.fd);
		return ret;
	}
	ret = rmt_reg_read_state(k.fd, k.shown, &st, err, err_size);
	if (!ret)
		ret = apply(k.fd, key, op, v, &st, err, err_size);
	if (ret > 0) {
		st.serial++;
		ret = rmt_reg_write_atomic(k.fd, "STATE", text,
					   rmt_reg_state_format(&st, text),
					   k.shown, err, err_size);
	}
	rmt_reg_unlock_state(r);
	close(k.fd);
	if (!ret && current)
		*current = st.current;
	return ret;
}

int rmt_registry_set_current(struct rmt_registry *r, const char *key,
			     u32 version, char *err, size_t err_size)
{
	return change(r, key, OP_SET, version, NULL, err, err_size);
}

int rmt_registry_rollback(struct rmt_registry *r, const char *key, u32 *version,
			  char *err, size_t err_size)
{
	return change(r, key, OP_ROLLBACK, 0, version, err, err_size);
}

int rmt_registry_pin(struct rmt_registry *r, const char *key, u32 version,
		     char *err, size_t err_size)
{
	return change(r, key, OP_PIN, version, NULL, err, err_size);
}

int rmt_registry_unpin(struct rmt_registry *r, const char *key, char *err,
		       size_t err_size)
{
	return change(r, key, OP_UNPIN, 0, NULL, err, err_size);
}
