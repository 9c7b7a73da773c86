// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * wl.c - command line, allocation and checksum shared by the workloads.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/wl.h"

static void usage(FILE *f, const struct rmt_wl_info *info)
{
	fprintf(f,
		"usage: %s [--size MB | --quick]%s\n"
		"%s\n"
		"  --size MB   footprint to aim for (default %u)\n"
		"  --quick     a small size for tests (%u MB)\n"
		"%s"
		"Prints a checksum of the result on stdout, nothing else.\n",
		info->name, info->takes_kernel ? " [--kernel 3|5|7]" : "",
		info->summary, RMT_WL_DEFAULT_MB, RMT_WL_QUICK_MB,
		info->takes_kernel ?
			"  --kernel K  convolution kernel size (default 5)\n" :
			"");
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return false;
	*out = v;
	return true;
}

void rmt_wl_parse(int argc, char **argv, const struct rmt_wl_info *info,
		  struct rmt_wl_opts *o)
{
	unsigned long v;
	int i;

	o->bytes = (size_t)RMT_WL_DEFAULT_MB << 20;
	o->kernel = info->takes_kernel ? 5 : 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout, info);
			exit(0);
		} else if (!strcmp(a, "--quick")) {
			o->bytes = (size_t)RMT_WL_QUICK_MB << 20;
		} else if (!strcmp(a, "--size")) {
			if (!parse_uint(argv[i + 1], 65536, &v) || v == 0) {
				fprintf(stderr,
					"%s: --size wants megabytes "
					"(1..65536), got '%s'\n",
					info->name,
					argv[i + 1] ? argv[i + 1] : "");
				exit(2);
			}
			o->bytes = (size_t)v << 20;
			i++;
		} else if (info->takes_kernel && !strcmp(a, "--kernel")) {
			if (!parse_uint(argv[i + 1], 7, &v) ||
			    (v != 3 && v != 5 && v != 7)) {
				fprintf(stderr,
					"%s: --kernel wants 3, 5 or 7, "
					"got '%s'\n",
					info->name,
					argv[i + 1] ? argv[i + 1] : "");
				exit(2);
			}
			o->kernel = (unsigned int)v;
			i++;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n",
				info->name, a);
			usage(stderr, info);
			exit(2);
		}
	}
}

void *rmt_wl_alloc(size_t bytes, const char *what)
{
	void *p = malloc(bytes);

	if (!p) {
		fprintf(stderr, "workload: cannot allocate %zu bytes for %s\n",
			bytes, what);
		exit(1);
	}
	return p;
}

uint64_t rmt_wl_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void rmt_wl_print(uint64_t checksum)
{
	printf("%016llx\n", (unsigned long long)checksum);
}
