// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * registry_prune.c - bounding a key's versions in the model registry:
 * the oldest go, except what the state still refers to.  It runs under
 * the state lock so that no rollback or pin can pick a version while it
 * is being deleted; the metadata goes first, so a kill in between
 * leaves a model file without metadata, which the next agent's open
 * removes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/registry_impl.h"

static int newest_first(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The key's stored versions, newest first, in a malloc'd array. */
static int versions(int kfd, u32 **out, size_t *n)
{
	size_t cap = 0;
	struct dirent *d;
	u32 *v = NULL;
	DIR *dir;
	int fd = dup(kfd);

	*n = 0;
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((d = readdir(dir))) {
		u32 x = rmt_reg_meta_version(d->d_name);

		if (!x)
			continue;
		if (*n == cap) {
			u32 *g = realloc(v, (cap ? 2 * cap : 64) * sizeof(*v));

			if (!g) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = g;
			cap = cap ? 2 * cap : 64;
		}
		v[(*n)++] = x;
	}
	closedir(dir);
	if (*n)
		qsort(v, *n, sizeof(*v), newest_first);
	*out = v;
	return 0;
}

static bool in_use(const struct rmt_reg_state *st, u32 v)
{
	u32 i;

	for (i = 0; i < st->n_history; i++)
		if (st->history[i] == v)
			return true;
	return st->pinned == v;
}

int rmt_registry_prune(struct rmt_registry *r, const char *key, u32 keep,
		       u32 *removed, char *err, size_t err_size)
{
	char name[RMT_REG_FILE_NAME];
	struct rmt_reg_state st;
	struct rmt_reg_key k;
	u32 *v = NULL, gone = 0;
	size_t n = 0, i;
	int ret;

	if (!(r->flags & RMT_REG_AGENT)) {
		snprintf(err, err_size,
			 "registry %s: pruning needs the agent's lock",
			 r->path);
		return -EPERM;
	}
	/* The newest stays, so no version number is ever used twice. */
	if (!keep) {
		snprintf(err, err_size, "prune must keep at least 1 version");
		return -EINVAL;
	}
	ret = rmt_reg_open_key(r, key, false, &k, err, err_size);
	if (ret)
		return ret;
	ret = rmt_reg_lock_state(r, err, err_size);
	if (ret)
		goto out;
	ret = rmt_reg_read_state(k.fd, k.shown, &st, err, err_size);
	if (!ret && (ret = versions(k.fd, &v, &n)))
		snprintf(err, err_size, "%s: %s", k.shown, strerror(-ret));
	for (i = keep; !ret && i < n; i++) {
		if (in_use(&st, v[i]))
			continue;
		rmt_reg_version_name(v[i], "meta", name);
		if (unlinkat(k.fd, name, 0)) {
			ret = -errno;
			snprintf(err, err_size, "%s/%s: %s", k.shown, name,
				 strerror(-ret));
			break;
		}
		rmt_reg_version_name(v[i], "rmtm", name);
		unlinkat(k.fd, name, 0);
		gone++;
	}
	if (gone && fsync(k.fd) && !ret) {
		ret = -errno;
		snprintf(err, err_size, "%s: fsync: %s", k.shown,
			 strerror(-ret));
	}
	rmt_reg_unlock_state(r);
	free(v);
out:
	close(k.fd);
	if (removed)
		*removed = gone;
	return ret;
}
