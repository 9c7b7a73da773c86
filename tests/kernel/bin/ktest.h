/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ktest.h - shared parts of rmt-ktest, the static test program the kernel
 * tests run in the guest against /dev/rmt.
 */
#ifndef RMT_KTEST_H
#define RMT_KTEST_H

#include <stdbool.h>
#include <stdio.h>
#include "kmod/user/rmt_dev.h"
#include "proto/msg.h"

extern int kt_failures;

/* Record a failed expectation and say what it was. */
#define kt_expect(cond, ...)                                               \
	do {                                                               \
		if (!(cond)) {                                             \
			kt_failures++;                                     \
			printf("ktest: FAIL %s:%d: ", __func__, __LINE__); \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
		}                                                          \
	} while (0)

int kt_bad(int argc, char **argv);
void kt_bad_programs(struct rmt_dev *d, struct rmt_dev *other);
int kt_run(int argc, char **argv);
int kt_hold(int argc, char **argv);
void kt_print_counters(const char *tag, const struct rmt_counters *c);
int kt_cgroup_id(const char *path, unsigned long long *id);
int kt_models(int argc, char **argv);
/* A model blob to slot of program prog in two RMT_IOC_MODEL chunks. */
int kt_send_model(struct rmt_dev *d, __u32 prog, __u32 slot, __u64 model_id,
		  const void *blob, size_t len, __u32 *installed);
/* programs/learned.rmt's stride tree over n_in features, malloc()ed. */
int kt_stride_tree(u32 n_in, u8 **blob, size_t *len);

#endif /* RMT_KTEST_H */
