// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * registry.c - the on-disk model registry (see registry.h): opening,
 * locking and recovery, and saving versions.  Listing and loading are in
 * registry_read.c, the state operations (current, rollback, pin) in
 * registry_state.c.
 *
 * DIR/FORMAT                 "rmt-registry 1": this is a registry
 * DIR/agent.lock             flock'ed by the agent that writes (its pid)
 * DIR/state.lock             flock'ed around each change of a STATE
 * DIR/keys/ENC/vNNNNNN.rmtm  a version's model file image
 * DIR/keys/ENC/vNNNNNN.meta  its metadata, written last
 * DIR/keys/ENC/STATE         history of installed versions, pin
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/registry_impl.h"
#include "mlib/format.h"

static const char format_text[] = "rmt-registry 1\n";

void rmt_reg_version_name(u32 version, const char *ext, char *name)
{
	snprintf(name, RMT_REG_FILE_NAME, "v%06u.%s", version, ext);
}

u32 rmt_reg_meta_version(const char *name)
{
	char again[RMT_REG_FILE_NAME];
	unsigned long v;
	char *end;

	if (name[0] != 'v' || name[1] < '0' || name[1] > '9')
		return 0;
	v = strtoul(name + 1, &end, 10);
	if (strcmp(end, ".meta") || !v || v > RMT_REG_VERSION_MAX)
		return 0;
	rmt_reg_version_name((u32)v, "meta", again);
	return strcmp(again, name) ? 0 : (u32)v;
}

int rmt_reg_open_key(struct rmt_registry *r, const char *key, bool create,
		     struct rmt_reg_key *k, char *err, size_t err_size)
{
	int ret = rmt_reg_key_check(key, err, err_size);

	if (ret)
		return ret;
	rmt_reg_key_encode(key, k->enc);
	snprintf(k->shown, sizeof(k->shown), "%s/keys/%s", r->path, k->enc);
	if (create && mkdirat(r->keys_fd, k->enc, 0755) == 0) {
		if (fsync(r->keys_fd)) {
			ret = -errno;
			snprintf(err, err_size, "%s/keys: fsync: %s", r->path,
				 strerror(-ret));
			return ret;
		}
	}
	k->fd = openat(r->keys_fd, k->enc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (k->fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			snprintf(err, err_size, "no key '%s' in registry %s",
				 key, r->path);
		else
			snprintf(err, err_size, "%s: %s", k->shown,
				 strerror(-ret));
		return ret;
	}
	return 0;
}

int rmt_reg_read_state(int kfd, const char *shown, struct rmt_reg_state *st,
		       char *err, size_t err_size)
{
	char *buf, msg[160];
	size_t len;
	int r;

	r = rmt_reg_read_file(kfd, "STATE", RMT_REG_TEXT_MAX, &buf, &len, shown,
			      err, err_size);
	if (r == -ENOENT) {
		memset(st, 0, sizeof(*st));
		return 0;
	}
	if (r)
		return r;
	r = rmt_reg_state_parse(buf, len, st, msg, sizeof(msg));
	if (r)
		snprintf(err, err_size, "%s/STATE: %s", shown, msg);
	free(buf);
	return r;
}

/*
 * Whether DIR may become a registry: nothing in it but what a creation
 * killed half-way leaves (keys/, a temporary FORMAT), so that a mistyped
 * --registry does not scatter files into some other directory.
 */
static int check_empty(struct rmt_registry *r, char *err, size_t err_size)
{
	struct dirent *d;
	DIR *dir;
	int fd = dup(r->dir_fd), ret = 0;

	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		ret = -errno;
		snprintf(err, err_size, "registry %s: %s", r->path,
			 strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	while (!ret && (d = readdir(dir))) {
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    strcmp(d->d_name, "keys") &&
		    strncmp(d->d_name, RMT_REG_TMP_PREFIX,
			    strlen(RMT_REG_TMP_PREFIX))) {
			snprintf(err, err_size,
				 "%s is not a model registry (no FORMAT) and "
				 "not empty (it has %.64s)",
				 r->path, d->d_name);
			ret = -EEXIST;
		}
	}
	closedir(dir);
	return ret;
}

static int check_format(struct rmt_registry *r, unsigned int flags, char *err,
			size_t err_size)
{
	char *buf;
	size_t len;
	int ret;

	ret = rmt_reg_read_file(r->dir_fd, "FORMAT", 64, &buf, &len, r->path,
				err, err_size);
	if (ret == -ENOENT && (flags & RMT_REG_CREATE)) {
		ret = check_empty(r, err, err_size);
		if (ret)
			return ret;
		if (mkdirat(r->dir_fd, "keys", 0755) && errno != EEXIST) {
			ret = -errno;
			snprintf(err, err_size, "%s/keys: %s", r->path,
				 strerror(-ret));
			return ret;
		}
		return rmt_reg_write_atomic(r->dir_fd, "FORMAT", format_text,
					    strlen(format_text), r->path, err,
					    err_size);
	}
	if (ret == -ENOENT)
		snprintf(err, err_size,
			 "%s is not a model registry (no FORMAT)", r->path);
	if (ret)
		return ret;
	if (len != strlen(format_text) || memcmp(buf, format_text, len)) {
		snprintf(err, err_size,
			 "%s/FORMAT: not '%.*s' (another version?)", r->path,
			 (int)strlen(format_text) - 1, format_text);
		ret = -EINVAL;
	}
	free(buf);
	return ret;
}

/* The writer's lock; the holder's pid goes into the file for others. */
static int lock_agent(struct rmt_registry *r, char *err, size_t err_size)
{
	char pid[24] = "";
	ssize_t n;
	int ret;

	r->agent_fd = openat(r->dir_fd, "agent.lock",
			     O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->agent_fd < 0) {
		ret = -errno;
		snprintf(err, err_size, "%s/agent.lock: %s", r->path,
			 strerror(-ret));
		return ret;
	}
	if (flock(r->agent_fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		if (ret != -EWOULDBLOCK) {
			snprintf(err, err_size, "%s/agent.lock: %s", r->path,
				 strerror(-ret));
			return ret;
		}
		n = pread(r->agent_fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		snprintf(err, err_size,
			 "registry %s is in use by another agent (pid %s)",
			 r->path, *pid ? pid : "unknown");
		return -EBUSY;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(r->agent_fd, 0) || pwrite(r->agent_fd, pid, n, 0) != n) {
		ret = -errno;
		snprintf(err, err_size, "%s/agent.lock: %s", r->path,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * What a killed writer may have left in a key's directory: temporary
 * files, and a model file whose metadata never followed.
 */
static void recover_key(int kfd)
{
	char name[RMT_REG_FILE_NAME];
	struct dirent *d;
	DIR *dir;
	int fd = dup(kfd);

	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dir))) {
		size_t n = strlen(d->d_name);

		if (!strncmp(d->d_name, RMT_REG_TMP_PREFIX,
			     strlen(RMT_REG_TMP_PREFIX))) {
			unlinkat(kfd, d->d_name, 0);
		} else if (n > 5 && n < sizeof(name) &&
			   !strcmp(d->d_name + n - 5, ".rmtm")) {
			memcpy(name, d->d_name, n - 5);
			strcpy(name + n - 5, ".meta");
			if (rmt_reg_meta_version(name) &&
			    faccessat(kfd, name, F_OK, 0) && errno == ENOENT)
				unlinkat(kfd, d->d_name, 0);
		}
	}
	closedir(dir);
}

static int recover(struct rmt_registry *r, char *err, size_t err_size)
{
	struct dirent *d;
	DIR *dir;
	int fd, ret;

	ret = rmt_reg_lock_state(r, err, err_size);
	if (ret)
		return ret;
	fd = dup(r->keys_fd);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		ret = -errno;
		snprintf(err, err_size, "%s/keys: %s", r->path, strerror(-ret));
		if (fd >= 0)
			close(fd);
		rmt_reg_unlock_state(r);
		return ret;
	}
	while ((d = readdir(dir))) {
		int kfd;

		if (!strncmp(d->d_name, RMT_REG_TMP_PREFIX,
			     strlen(RMT_REG_TMP_PREFIX))) {
			unlinkat(r->keys_fd, d->d_name, 0);
			continue;
		}
		if (d->d_name[0] == '.')
			continue;
		kfd = openat(r->keys_fd, d->d_name,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (kfd >= 0) {
			recover_key(kfd);
			close(kfd);
		}
	}
	closedir(dir);
	rmt_reg_unlock_state(r);
	return 0;
}

int rmt_registry_open(const char *dir, unsigned int flags,
		      struct rmt_registry **out, char *err, size_t err_size)
{
	struct rmt_registry *r;
	int ret;

	*out = NULL;
	if (!dir || !*dir) {
		snprintf(err, err_size, "no registry directory given");
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r) + strlen(dir) + 1);
	if (!r) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	r->flags = flags;
	pthread_mutex_init(&r->mutex, NULL);
	r->dir_fd = r->keys_fd = r->agent_fd = r->state_fd = -1;
	r->path = (char *)(r + 1);
	strcpy(r->path, dir);
	if ((flags & RMT_REG_CREATE) && mkdir(dir, 0755) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, err_size, "registry %s: %s", dir, strerror(-ret));
		goto fail;
	}
	r->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dir_fd < 0) {
		ret = -errno;
		snprintf(err, err_size, "registry %s: %s", dir,
			 ret == -ENOENT ? "does not exist" : strerror(-ret));
		goto fail;
	}
	/* Not a registry: leave the directory alone, no lock file in it. */
	ret = check_format(r, flags, err, err_size);
	if (ret)
		goto fail;
	if ((flags & RMT_REG_AGENT) && (ret = lock_agent(r, err, err_size)))
		goto fail;
	r->keys_fd =
		openat(r->dir_fd, "keys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->keys_fd < 0) {
		ret = -errno;
		snprintf(err, err_size, "%s/keys: %s", dir, strerror(-ret));
		goto fail;
	}
	if ((flags & RMT_REG_AGENT) && (ret = recover(r, err, err_size)))
		goto fail;
	*out = r;
	return 0;
fail:
	rmt_registry_close(r);
	return ret;
}

void rmt_registry_close(struct rmt_registry *r)
{
	if (!r)
		return;
	if (r->state_fd >= 0)
		close(r->state_fd);
	if (r->agent_fd >= 0)
		close(r->agent_fd);
	if (r->keys_fd >= 0)
		close(r->keys_fd);
	if (r->dir_fd >= 0)
		close(r->dir_fd);
	pthread_mutex_destroy(&r->mutex);
	free(r);
}

/* The next version: above every stored one and every one in the state. */
static int next_version(int kfd, const struct rmt_reg_state *st, u32 *out)
{
	struct dirent *d;
	u32 v = st->pinned, i;
	DIR *dir;
	int fd = dup(kfd);

	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((d = readdir(dir))) {
		u32 n = rmt_reg_meta_version(d->d_name);

		if (n > v)
			v = n;
	}
	closedir(dir);
	for (i = 0; i < st->n_history; i++)
		if (st->history[i] > v)
			v = st->history[i];
	if (v >= RMT_REG_VERSION_MAX)
		return -EOVERFLOW;
	*out = v + 1;
	return 0;
}

int rmt_registry_save(struct rmt_registry *r, const char *key, const void *blob,
		      size_t len, const struct rmt_reg_meta *meta, u32 *version,
		      char *err, size_t err_size)
{
	char name[RMT_REG_FILE_NAME], log[200], text[RMT_REG_TEXT_MAX];
	char mkey[RMT_REG_KEY_MAX + 1];
	struct rmt_reg_meta m = *meta, check;
	struct rmt_reg_state st;
	size_t tlen;
	struct rmt_reg_key k;
	struct rmt_model *model;
	struct timespec now;
	int ret;

	if (!(r->flags & RMT_REG_AGENT)) {
		snprintf(err, err_size,
			 "registry %s: saving needs the agent's lock", r->path);
		return -EPERM;
	}
	ret = rmt_reg_key_check(key, err, err_size);
	if (ret)
		return ret;
	ret = rmt_model_parse(blob, len, &model, log, sizeof(log));
	if (ret) {
		snprintf(err, err_size, "model for key '%s' is invalid: %s",
			 key, log);
		return ret;
	}
	rmt_model_free(model);
	ret = rmt_reg_open_key(r, key, true, &k, err, err_size);
	if (ret)
		return ret;
	/* Two threads saving must not pick the same number. */
	pthread_mutex_lock(&r->mutex);
	ret = rmt_reg_read_state(k.fd, k.shown, &st, err, err_size);
	if (!ret) {
		ret = next_version(k.fd, &st, &m.version);
		if (ret)
			snprintf(err, err_size, "%s: no next version: %s",
				 k.shown, strerror(-ret));
	}
	if (ret)
		goto out;
	m.model_bytes = (u32)len;
	if (!m.time_ns && !clock_gettime(CLOCK_REALTIME, &now))
		m.time_ns = (u64)now.tv_sec * 1000000000u + (u64)now.tv_nsec;
	/* Never write what a reader would refuse (an accuracy over 100%). */
	tlen = rmt_reg_meta_format(key, &m, text);
	ret = rmt_reg_meta_parse(text, tlen, mkey, &check, log, sizeof(log));
	if (ret) {
		snprintf(err, err_size, "metadata for key '%s': %s", key, log);
		goto out;
	}
	/* The model first: a version exists once its metadata does. */
	rmt_reg_version_name(m.version, "rmtm", name);
	ret = rmt_reg_write_atomic(k.fd, name, blob, len, k.shown, err,
				   err_size);
	if (ret)
		goto out;
	rmt_reg_version_name(m.version, "meta", name);
	ret = rmt_reg_write_atomic(k.fd, name, text, tlen, k.shown, err,
				   err_size);
	if (!ret && version)
		*version = m.version;
out:
	pthread_mutex_unlock(&r->mutex);
	close(k.fd);
	return ret;
}
