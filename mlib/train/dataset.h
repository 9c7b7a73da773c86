/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dataset.h - training data in user space: n rows of n_features doubles
 * (row-major) with an integer class label or a real target per row, the
 * CSV reader, and the rounding from real feature values into the s32
 * fixed-point features integer inference takes.
 */
#ifndef RMT_MLIB_TRAIN_DATASET_H
#define RMT_MLIB_TRAIN_DATASET_H

#include "port/rmt_port.h"
#include "mlib/train/quantize.h"

struct rmt_dataset {
	u32 n;
	u32 n_features;
	u32 n_classes; /* 1 + the largest label; 0 for regression */
	double *x; /* n * n_features */
	s32 *y; /* class labels, or NULL */
	double *target; /* regression targets, or NULL */
};

void rmt_dataset_free(struct rmt_dataset *ds);

/*
 * Read a CSV file: numeric features, then an integer class label
 * (0..RMT_MODEL_MAX_CLASSES-1) in the last column; a first line that is not
 * numeric is a header.  On error returns a negative errno and err names
 * the line and column.
 */
int rmt_csv_read(const char *path, struct rmt_dataset *ds, char *err,
		 size_t err_size);
/* The same from a NUL-terminated text in memory (name is for messages). */
int rmt_csv_parse(const char *text, const char *name, struct rmt_dataset *ds,
		  char *err, size_t err_size);

/*
 * The most fractional bits (at most 16) that keep every feature of ds
 * below 2^30 in magnitude; 0 when all features are integers already.
 */
u32 rmt_train_pick_frac(const struct rmt_dataset *ds);

/* All features of row i, quantized with frac bits. */
void rmt_train_quantize_row(const struct rmt_dataset *ds, u32 i, u32 frac,
			    s32 *out);

#endif /* RMT_MLIB_TRAIN_DATASET_H */
