// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * registry_read.c - reading the model registry: listing versions (from
 * their metadata and file sizes, so damage shows without reading every
 * model) and loading one, checked from its metadata to mlib's parser.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/registry_impl.h"
#include "mlib/format.h"

/* Metadata of one version, checked against its key and number. */
static int read_meta(int kfd, const char *shown, const char *key, u32 version,
		     struct rmt_reg_meta *m, char *err, size_t err_size)
{
	char name[RMT_REG_FILE_NAME], mkey[RMT_REG_KEY_MAX + 1], msg[160];
	char *buf;
	size_t len;
	int r;

	rmt_reg_version_name(version, "meta", name);
	r = rmt_reg_read_file(kfd, name, RMT_REG_TEXT_MAX, &buf, &len, shown,
			      err, err_size);
	if (r == -ENOENT)
		snprintf(err, err_size, "key '%s' has no version %u", key,
			 version);
	if (r)
		return r;
	r = rmt_reg_meta_parse(buf, len, mkey, m, msg, sizeof(msg));
	free(buf);
	if (!r && strcmp(mkey, key)) {
		snprintf(msg, sizeof(msg), "belongs to key '%.64s'", mkey);
		r = -EINVAL;
	} else if (!r && m->version != version) {
		snprintf(msg, sizeof(msg), "says version %u", m->version);
		r = -EINVAL;
	}
	if (r)
		snprintf(err, err_size, "%s/%s: %s", shown, name, msg);
	return r;
}

/* A growing array of entries. */
struct listing {
	struct rmt_reg_entry *e;
	size_t n, cap;
};

static struct rmt_reg_entry *grow(struct listing *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct rmt_reg_entry *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return NULL;
		l->e = e;
		l->cap = cap;
	}
	memset(&l->e[l->n], 0, sizeof(l->e[0]));
	return &l->e[l->n++];
}

/* One version: its metadata, and whether the model file has its size. */
static void list_version(int kfd, const char *shown, const char *key,
			 u32 version, struct rmt_reg_entry *e)
{
	char name[RMT_REG_FILE_NAME];
	struct stat sb;

	snprintf(e->key, sizeof(e->key), "%s", key);
	if (read_meta(kfd, shown, key, version, &e->meta, e->error,
		      sizeof(e->error))) {
		memset(&e->meta, 0, sizeof(e->meta));
		e->meta.version = version;
		return;
	}
	rmt_reg_version_name(version, "rmtm", name);
	/* Paths are cut short to fit an entry. */
	if (fstatat(kfd, name, &sb, 0))
		snprintf(e->error, sizeof(e->error), "%.300s/%s: %s", shown,
			 name, strerror(errno));
	else if ((unsigned long long)sb.st_size != e->meta.model_bytes)
		snprintf(
			e->error, sizeof(e->error),
			"%.300s/%s: %lld bytes, the metadata says %u (truncated?)",
			shown, name, (long long)sb.st_size,
			e->meta.model_bytes);
}

static int list_key(struct rmt_registry *r, const char *key, struct listing *l,
		    char *err, size_t err_size)
{
	struct rmt_reg_state st;
	struct rmt_reg_key k;
	struct dirent *d;
	DIR *dir;
	int fd, ret;

	ret = rmt_reg_open_key(r, key, false, &k, err, err_size);
	if (ret)
		return ret;
	ret = rmt_reg_read_state(k.fd, k.shown, &st, err, err_size);
	fd = ret ? -1 : dup(k.fd);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!ret && !dir) {
		ret = -errno;
		snprintf(err, err_size, "%s: %s", k.shown, strerror(-ret));
		if (fd >= 0)
			close(fd);
	}
	while (dir && (d = readdir(dir))) {
		u32 v = rmt_reg_meta_version(d->d_name);
		struct rmt_reg_entry *e;

		if (!v)
			continue;
		e = grow(l);
		if (!e) {
			snprintf(err, err_size, "out of memory");
			ret = -ENOMEM;
			break;
		}
		list_version(k.fd, k.shown, key, v, e);
		e->current = v == st.current;
		e->previous = v == st.previous;
		e->pinned = v == st.pinned;
	}
	if (dir)
		closedir(dir);
	close(k.fd);
	return ret;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct rmt_reg_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->meta.version < y->meta.version ? -1 :
	       x->meta.version > y->meta.version ? 1 :
						   0;
}

int rmt_registry_list(struct rmt_registry *r, const char *key,
		      struct rmt_reg_entry **out, size_t *n, char *err,
		      size_t err_size)
{
	struct listing l = { 0 };
	struct dirent *d;
	DIR *dir;
	int fd, ret = 0;

	*out = NULL;
	*n = 0;
	if (key) {
		ret = list_key(r, key, &l, err, err_size);
	} else {
		fd = dup(r->keys_fd);
		dir = fd < 0 ? NULL : fdopendir(fd);
		if (!dir) {
			ret = -errno;
			snprintf(err, err_size, "%s/keys: %s", r->path,
				 strerror(-ret));
			if (fd >= 0)
				close(fd);
			return ret;
		}
		/* The listing starts over: readdir's position is shared. */
		rewinddir(dir);
		while (!ret && (d = readdir(dir))) {
			char k[RMT_REG_KEY_MAX + 1];

			if (d->d_name[0] == '.' ||
			    rmt_reg_key_decode(d->d_name, k))
				continue;
			ret = list_key(r, k, &l, err, err_size);
			/* Removed meanwhile, or a stray file: no key. */
			if (ret == -ENOENT || ret == -ENOTDIR)
				ret = 0;
		}
		closedir(dir);
	}
	if (ret) {
		free(l.e);
		return ret;
	}
	if (l.n)
		qsort(l.e, l.n, sizeof(l.e[0]), cmp_entry);
	*out = l.e;
	*n = l.n;
	return 0;
}

int rmt_registry_load(struct rmt_registry *r, const char *key, u32 version,
		      u8 **blob, size_t *len, struct rmt_reg_meta *meta,
		      char *err, size_t err_size)
{
	char name[RMT_REG_FILE_NAME], log[200];
	struct rmt_reg_state st;
	struct rmt_model *model;
	struct rmt_reg_key k;
	char *buf = NULL;
	size_t n = 0;
	int ret;

	*blob = NULL;
	*len = 0;
	ret = rmt_reg_open_key(r, key, false, &k, err, err_size);
	if (ret)
		return ret;
	if (!version) {
		ret = rmt_reg_read_state(k.fd, k.shown, &st, err, err_size);
		version = st.current;
		if (!ret && !version) {
			snprintf(err, err_size,
				 "key '%s' has no current version", key);
			ret = -ENOENT;
		}
	}
	if (!ret)
		ret = read_meta(k.fd, k.shown, key, version, meta, err,
				err_size);
	rmt_reg_version_name(version, "rmtm", name);
	if (!ret) {
		ret = rmt_reg_read_file(k.fd, name, RMT_MODEL_MAX_SIZE, &buf,
					&n, k.shown, err, err_size);
		/* With its metadata there, a missing model is damage. */
		if (ret == -ENOENT)
			ret = -EINVAL;
	}
	if (!ret && n != meta->model_bytes) {
		snprintf(err, err_size,
			 "%s/%s: %zu bytes, the metadata says %u (truncated?)",
			 k.shown, name, n, meta->model_bytes);
		ret = -EINVAL;
	}
	if (!ret && (ret = rmt_model_parse(buf, n, &model, log, sizeof(log))))
		snprintf(err, err_size, "%s/%s: %s", k.shown, name, log);
	else if (!ret)
		rmt_model_free(model);
	close(k.fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*blob = (u8 *)buf;
	*len = n;
	return 0;
}
