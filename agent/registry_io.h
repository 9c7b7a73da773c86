/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * registry_io.h - file helpers of the model registry: atomic replacement
 * of a file in a directory (temporary name, fsync, rename, fsync of the
 * directory) and whole-file reads with a size limit.  Names are relative
 * to a directory descriptor; shown is the path used in error messages.
 */
#ifndef RMT_AGENT_REGISTRY_IO_H
#define RMT_AGENT_REGISTRY_IO_H

#include <stdbool.h>
#include <stddef.h>

/* Temporary files start with this; readers skip them, an agent's open
 * removes them. */
#define RMT_REG_TMP_PREFIX ".tmp-"

int rmt_reg_write_atomic(int dfd, const char *name, const void *buf, size_t len,
			 const char *shown, char *err, size_t err_size);

/*
 * The whole of name into a malloc'd buffer with a NUL after it; a file
 * larger than max is -EFBIG.  -ENOENT (with err set) when it is absent.
 */
int rmt_reg_read_file(int dfd, const char *name, size_t max, char **buf,
		      size_t *len, const char *shown, char *err,
		      size_t err_size);

#endif /* RMT_AGENT_REGISTRY_IO_H */
