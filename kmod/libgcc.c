// SPDX-License-Identifier: GPL-2.0
/*
 * libgcc.c - the compiler support routines the shared core needs and the
 * kernel does not provide: GCC lowers __builtin_popcountll to a call of
 * __popcountdi2 on x86-64 kernels (no -mpopcnt), which only libgcc has.
 */
#include <linux/bitops.h>

int __popcountdi2(unsigned long long x);

int __popcountdi2(unsigned long long x)
{
	return hweight64(x);
}
