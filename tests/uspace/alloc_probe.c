// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * alloc_probe.c - exercises every allocation call the preload library
 * interposes (malloc, calloc, realloc both ways, posix_memalign,
 * aligned_alloc, memalign, mmap, partial and whole munmap, free of NULL)
 * with sizes around the threshold, writing and checking a pattern in each
 * while the memory limit forces evictions.  Exits 0 when every byte is as
 * written; run by preload.sh natively and under rmt-run.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MB (1u << 20)

static int failures;

static void fill(uint8_t *p, size_t n, uint8_t salt)
{
	size_t i;

	for (i = 0; i < n; i += 512)
		p[i] = (uint8_t)(i / 512 + salt);
}

static void check(const char *what, const uint8_t *p, size_t n, uint8_t salt)
{
	size_t i;

	for (i = 0; i < n; i += 512) {
		if (p[i] != (uint8_t)(i / 512 + salt)) {
			fprintf(stderr, "alloc-probe: %s: byte %zu changed\n",
				what, i);
			failures++;
			return;
		}
	}
}

static void zeroed(const char *what, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 256) {
		if (p[i]) {
			fprintf(stderr, "alloc-probe: %s: byte %zu not zero\n",
				what, i);
			failures++;
			return;
		}
	}
}

int main(void)
{
	uint8_t *a, *b, *c, *d, *e, *f, *small;
	void *pm = NULL;

	free(NULL);
	a = malloc(3 * MB);
	b = calloc(5, MB);
	small = malloc(1000);
	if (!a || !b || !small || posix_memalign(&pm, 4096, 2 * MB))
		return 1;
	c = aligned_alloc(64, 2 * MB);
	d = memalign(4096, 2 * MB);
	e = mmap(NULL, 4 * MB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!c || !d || e == MAP_FAILED)
		return 1;
	zeroed("calloc", b, 5 * MB);
	zeroed("mmap", e, 4 * MB);
	fill(a, 3 * MB, 1);
	fill(b, 5 * MB, 2);
	fill(pm, 2 * MB, 3);
	fill(c, 2 * MB, 4);
	fill(d, 2 * MB, 5);
	fill(e, 4 * MB, 6);
	memset(small, 7, 1000);
	/* Small to large and large to larger: contents move along. */
	small = realloc(small, 2 * MB);
	a = realloc(a, 6 * MB);
	if (!small || !a)
		return 1;
	fill(a + 3 * MB, 3 * MB, 8);
	check("realloc grown", a, 3 * MB, 1);
	check("realloc tail", a + 3 * MB, 3 * MB, 8);
	if (small[0] != 7 || small[999] != 7) {
		fprintf(stderr,
			"alloc-probe: realloc small to large lost data\n");
		failures++;
	}
	if (malloc_usable_size(a) < 6 * MB || malloc_usable_size(small) < MB) {
		fprintf(stderr, "alloc-probe: malloc_usable_size too small\n");
		failures++;
	}
	b = reallocarray(b, 6, MB);
	if (!b)
		return 1;
	check("reallocarray", b, 5 * MB, 2);
	/* Shrinking keeps the block; the first part stays. */
	a = realloc(a, 1 * MB);
	check("realloc shrunk", a, MB, 1);
	check("calloc", b, 5 * MB, 2);
	check("posix_memalign", pm, 2 * MB, 3);
	check("aligned_alloc", c, 2 * MB, 4);
	check("memalign", d, 2 * MB, 5);
	if ((uintptr_t)pm % 4096 || (uintptr_t)c % 64 || (uintptr_t)d % 4096) {
		fprintf(stderr, "alloc-probe: misaligned block\n");
		failures++;
	}
	/* Unmapping the second half: the first half keeps its data. */
	if (munmap(e + 2 * MB, 2 * MB))
		failures++;
	check("mmap after partial munmap", e, 2 * MB, 6);
	if (munmap(e, 4 * MB))
		failures++;
	f = malloc(4 * MB);
	if (!f)
		return 1;
	fill(f, 4 * MB, 9);
	check("malloc after frees", f, 4 * MB, 9);
	free(a);
	free(b);
	free(pm);
	free(c);
	free(d);
	free(f);
	free(small);
	return failures ? 1 : 0;
}
