// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sigbus_probe.c - a program with its own SIGBUS handler (set with
 * sigaction, or with signal when given "signal"): under rmt-run its far
 * memory keeps working, sigaction reports its handler back, and a SIGBUS
 * of its own (a page past the end of an empty file) reaches its handler.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MB (1u << 20)

static sigjmp_buf back;
static volatile sig_atomic_t caught;

static void on_bus(int sig)
{
	(void)sig;
	caught = 1;
	siglongjmp(back, 1);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_bus }, now;
	size_t n = 8 * MB, i;
	volatile unsigned char *file;
	unsigned char *m;
	int fd;

	sigemptyset(&sa.sa_mask);
	if (argc > 1 && !strcmp(argv[1], "signal")) {
		if (signal(SIGBUS, on_bus) == SIG_ERR)
			return 1;
	} else if (sigaction(SIGBUS, &sa, NULL)) {
		return 1;
	}
	if (sigaction(SIGBUS, NULL, &now) || now.sa_handler != on_bus) {
		fprintf(stderr, "sigaction does not report the handler\n");
		return 1;
	}
	m = malloc(n);
	if (!m)
		return 1;
	for (i = 0; i < n; i++)
		m[i] = (unsigned char)(i * 7);
	for (i = 0; i < n; i++)
		if (m[i] != (unsigned char)(i * 7)) {
			fprintf(stderr, "byte %zu lost\n", i);
			return 1;
		}
	fd = memfd_create("empty", 0);
	file = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (fd < 0 || file == MAP_FAILED)
		return 1;
	if (!sigsetjmp(back, 1))
		(void)file[0];
	if (!caught) {
		fprintf(stderr, "the program's SIGBUS handler never ran\n");
		return 1;
	}
	free(m);
	printf("ok\n");
	return 0;
}
