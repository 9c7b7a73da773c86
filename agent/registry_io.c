// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * registry_io.c - atomic file replacement and bounded whole-file reads
 * for the model registry (see registry_io.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/registry_io.h"

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rmt_reg_write_atomic(int dfd, const char *name, const void *buf, size_t len,
			 const char *shown, char *err, size_t err_size)
{
	char tmp[320];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s%s.%d", RMT_REG_TMP_PREFIX, name,
		 (int)getpid());
	/* One of ours left by a killed writer with a recycled pid. */
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		snprintf(err, err_size, "%s/%s: %s", shown, tmp, strerror(-r));
		return r;
	}
	r = write_all(fd, buf, len);
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && renameat(dfd, tmp, dfd, name))
		r = -errno;
	if (r) {
		snprintf(err, err_size, "%s/%s: %s", shown, name, strerror(-r));
		unlinkat(dfd, tmp, 0);
		return r;
	}
	/* The rename itself must survive a crash. */
	if (fsync(dfd)) {
		r = -errno;
		snprintf(err, err_size, "%s: fsync: %s", shown, strerror(-r));
	}
	return r;
}

int rmt_reg_read_file(int dfd, const char *name, size_t max, char **buf,
		      size_t *len, const char *shown, char *err,
		      size_t err_size)
{
	struct stat st;
	size_t got = 0;
	char *b;
	int fd, r = 0;

	*buf = NULL;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		snprintf(err, err_size, "%s/%s: not a regular file", shown,
			 name);
		close(fd);
		return r;
	}
	if ((unsigned long long)st.st_size > max) {
		snprintf(err, err_size, "%s/%s: %lld bytes, more than %zu",
			 shown, name, (long long)st.st_size, max);
		close(fd);
		return -EFBIG;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		r = -ENOMEM;
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			free(b);
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	b[got] = 0;
	*buf = b;
	*len = got;
	return 0;
fail:
	snprintf(err, err_size, "%s/%s: %s", shown, name, strerror(-r));
	if (fd >= 0)
		close(fd);
	return r;
}
