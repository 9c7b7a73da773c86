// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * swapwork.c - the guest's swap workload: fill an anonymous area larger
 * than the cgroup's memory limit, then read every page back in sequential
 * or strided order and checksum it.  The checksum does not depend on the
 * order, so every run over the same size must print the same one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define PAGE 4096u

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int usage(FILE *out, int rc)
{
	fprintf(out, "usage: swapwork --mb N [--stride PAGES]\n"
		     "  fill N MiB, then read every page back, PAGES apart\n"
		     "  (1: sequential), and print its checksum\n");
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long mb = 0, stride = 1, n, i, s;
	uint64_t sum = 0, t0, t1;
	struct rusage ru0, ru1;
	uint64_t *p;
	char *mem;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--mb") && a + 1 < argc)
			mb = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--stride") && a + 1 < argc)
			stride = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--help"))
			return usage(stdout, 0);
		else
			return usage(stderr, 2);
	}
	if (mb == 0 || mb > 4096 || stride == 0 || stride > 65536)
		return usage(stderr, 2);
	n = mb * (1024 * 1024 / PAGE);
	mem = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "swapwork: mmap: %s\n", strerror(errno));
		return 1;
	}
	/* Swap-in must happen in 4 KiB pages, not huge ones. */
	madvise(mem, n * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++) {
		p = (uint64_t *)(mem + i * PAGE);
		p[0] = mix(i);
		p[PAGE / 8 - 1] = mix(i ^ 0x5555);
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	for (s = 0; s < stride; s++) {
		for (i = s; i < n; i += stride) {
			p = (uint64_t *)(mem + i * PAGE);
			sum += mix(p[0] ^ p[PAGE / 8 - 1]) ^ i;
		}
	}
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru1);
	printf("swapwork mb=%lu stride=%lu checksum=%016llx touch_ns=%llu majflt=%ld\n",
	       mb, stride, (unsigned long long)sum,
	       (unsigned long long)(t1 - t0), ru1.ru_majflt - ru0.ru_majflt);
	return 0;
}
