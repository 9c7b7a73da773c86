/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * writer.h - serialize a model (struct rmt_model, in-memory conventions
 * of mlib/model.h) into the binary format of mlib/format.h, and build a
 * model from trainer-made parts by writing and parsing it, so that every
 * model anyone runs has passed the parser.
 */
#ifndef RMT_MLIB_TRAIN_WRITER_H
#define RMT_MLIB_TRAIN_WRITER_H

#include "mlib/model.h"

/* *buf is malloc'ed; returns 0 or a negative errno. */
int rmt_model_write(const struct rmt_model *m, u8 **buf, size_t *len);

/* Write m and parse it back into a model of its own; err on failure. */
int rmt_model_rebuild(const struct rmt_model *m, struct rmt_model **out,
		      char *err, size_t err_size);

int rmt_model_save(const struct rmt_model *m, const char *path, char *err,
		   size_t err_size);
int rmt_model_load_file(const char *path, struct rmt_model **out, char *err,
			size_t err_size);

#endif /* RMT_MLIB_TRAIN_WRITER_H */
