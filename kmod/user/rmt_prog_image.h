/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rmt_prog_image.h - user space: turn a parsed RMT program into the image
 * /dev/rmt loads (kmod/rmt_prog_image.h), and load it.
 */
#ifndef RMT_KMOD_USER_PROG_IMAGE_H
#define RMT_KMOD_USER_PROG_IMAGE_H

#include "vm/pipeline_parse.h" /* before rmt_dev.h: the hook ids */
#include "kmod/user/rmt_dev.h"

/*
 * Serialize prog (its model slots, actions' code, tables and current
 * entries) into a malloc()ed image of *len bytes.  Returns 0 or a
 * negative errno with the reason in err.
 */
int rmt_prog_image_build(const struct rmt_program *prog, void **image,
			 size_t *len, char *err, size_t err_size);

/*
 * Build prog's image and load it into the kernel: 0 and the program id,
 * or a negative errno with the builder's or the kernel's reason in err.
 */
int rmt_dev_load_parsed(struct rmt_dev *d, const struct rmt_program *prog,
			__u32 *prog_id, char *err, size_t err_size);

/*
 * Parse the .rmt file at path, build its image and load it into the
 * kernel: 0 and the program id, or a negative errno with the parser's or
 * the kernel's reason in err.
 */
int rmt_dev_load_program(struct rmt_dev *d, const char *path, __u32 *prog_id,
			 char *err, size_t err_size);

#endif /* RMT_KMOD_USER_PROG_IMAGE_H */
