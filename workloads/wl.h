/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * wl.h - what every workload shares: the command line (--size MB,
 * --quick), a fixed-seed generator, a checksum, and allocation of the big
 * arrays with plain malloc so that an LD_PRELOAD interposer sees them.
 */
#ifndef RMT_WL_H
#define RMT_WL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RMT_WL_QUICK_MB 4u
#define RMT_WL_DEFAULT_MB 64u

struct rmt_wl_opts {
	size_t bytes; /* footprint the workload should aim for */
	unsigned int kernel; /* conv2d: kernel size, 0 = unset */
};

struct rmt_wl_info {
	const char *name;
	const char *summary;
	bool takes_kernel;
};

/* Parses argv; exits 0 on --help and 2 on a usage error. */
void rmt_wl_parse(int argc, char **argv, const struct rmt_wl_info *info,
		  struct rmt_wl_opts *o);

/* malloc or exit 1 with a message naming what failed. */
void *rmt_wl_alloc(size_t bytes, const char *what);

/* splitmix64: a fixed-seed stream, identical on every run. */
static inline uint64_t rmt_wl_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* FNV-1a over bytes, folded into a running checksum. */
uint64_t rmt_wl_hash(uint64_t h, const void *data, size_t len);

#define RMT_WL_HASH_INIT 0xcbf29ce484222325ull

/* The only thing a workload writes on stdout. */
void rmt_wl_print(uint64_t checksum);

#endif /* RMT_WL_H */
