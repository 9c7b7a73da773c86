/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * uffd_move.h - the uABI of UFFDIO_MOVE (Linux 6.8, include/uapi/linux/
 * userfaultfd.h), for C libraries whose kernel headers predate it
 * (Debian 12's are 6.1).  See docs/uspace.md, "Moving pages instead of
 * copying them".
 */
#ifndef RMT_US_UFFD_MOVE_H
#define RMT_US_UFFD_MOVE_H

#include <linux/userfaultfd.h>

#ifndef UFFDIO_MOVE
#define _UFFDIO_MOVE 0x05
#define UFFD_FEATURE_MOVE (1ull << 10)
struct uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move;
};
#define UFFDIO_MOVE _IOWR(UFFDIO, _UFFDIO_MOVE, struct uffdio_move)
#endif

#endif /* RMT_US_UFFD_MOVE_H */
