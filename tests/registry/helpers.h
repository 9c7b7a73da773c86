/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * helpers.h - what the registry tests share: a scratch directory that
 * goes away afterwards, and small valid model file images.
 */
#ifndef RMT_TESTS_REGISTRY_HELPERS_H
#define RMT_TESTS_REGISTRY_HELPERS_H

#include <stddef.h>

#include "port/rmt_port.h"

/* A fresh directory under $TMPDIR (or /tmp); path has room for 256. */
void test_tmpdir(char *path, size_t size);
void test_rmtree(const char *path);

/* A tree model image (malloc'd) whose first threshold is t. */
u8 *test_model(s32 t, size_t *len);

#endif /* RMT_TESTS_REGISTRY_HELPERS_H */
