// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * stats.c - `rmtctl --control SOCKET stats` (or `rmtctl stats --control
 * SOCKET`): maps a running datapath's statistics area and ring headers
 * (read only; it never consumes) and prints the hook's counters, the
 * running program's per-table and busiest per-entry counters, the rings'
 * fill and drops, and the model in use with its live coverage and
 * accuracy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/ring.h"
#include "tools/rmtctl/stats.h"
#include "uspace/ctl_socket.h"
#include "uspace/stats.h"

static const char usage[] =
	"usage: rmtctl --control SOCKET stats\n"
	"       rmtctl stats --control SOCKET\n"
	"Prints the counters of the datapath of `rmt-run --control SOCKET`:\n"
	"the swap_fault hook, the running program's tables and busiest\n"
	"entries, the event and command rings' fill and drops, and the model\n"
	"in use with its live coverage and accuracy.\n"
	"Exit status: 0, 1 when the datapath cannot be read, 2 usage.\n";

static void *map_ro(int fd, size_t *len)
{
	struct stat st;
	void *m;

	if (fstat(fd, &st) || st.st_size < RMT_RING_HDR_SIZE)
		return NULL;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	*len = (size_t)st.st_size;
	return m == MAP_FAILED ? NULL : m;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void ring_line(const char *name, const struct rmt_ring_shared *sh,
		      size_t len)
{
	uint64_t prod = __atomic_load_n(&sh->prod_pos, __ATOMIC_ACQUIRE);
	uint64_t cons = __atomic_load_n(&sh->cons_pos, __ATOMIC_ACQUIRE);
	uint32_t size = sh->data_size;

	if (sh->magic != RMT_RING_MAGIC || !size ||
	    rmt_ring_mem_size(size) > len || prod - cons > size) {
		printf("%s ring: unreadable header\n", name);
		return;
	}
	printf("%s ring: %llu of %u bytes in use (%.1f%%), %llu records "
	       "dropped\n",
	       name, (unsigned long long)(prod - cons), size,
	       100.0 * (double)(prod - cons) / size,
	       (unsigned long long)sh->dropped);
}

/* A consistent copy of the program's counters, or -EAGAIN. */
static int read_snap(const struct rmt_us_stats *st, struct rmt_us_pipe_snap *s)
{
	int tries;
	uint64_t a, b;

	for (tries = 0; tries < 1000; tries++) {
		a = __atomic_load_n(&st->pipe.seq, __ATOMIC_ACQUIRE);
		memcpy(s, &st->pipe, sizeof(*s));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		b = __atomic_load_n(&st->pipe.seq, __ATOMIC_RELAXED);
		if (a == b && !(a & 1))
			return 0;
		usleep(1000);
	}
	return -EAGAIN;
}

static void print_program(const struct rmt_us_stats *st)
{
	struct rmt_us_pipe_snap s;
	uint32_t i, j;

	if (read_snap(st, &s) || !s.seq) {
		printf("program: no counters yet (no prefetcher, or the "
		       "control thread has not copied them)\n");
		return;
	}
	printf("program %s: %llu runs, %llu stopped early, %llu faulted\n",
	       s.program, (unsigned long long)s.runs,
	       (unsigned long long)s.stops, (unsigned long long)s.faults);
	for (i = 0; i < s.n_tables && i < RMT_US_SNAP_TABLES; i++) {
		const struct rmt_us_table_snap *t = &s.tables[i];

		printf("  table %.*s: %u of %u entries, %llu lookups, %llu "
		       "hits, %llu misses (default action)\n",
		       (int)RMT_US_SNAP_NAME, t->name, t->entries, t->capacity,
		       (unsigned long long)t->lookups,
		       (unsigned long long)t->hits,
		       (unsigned long long)t->misses);
		for (j = 0; j < t->n_top && j < RMT_US_SNAP_ENTRIES; j++)
			printf("    entry slot %u: %llu hits\n", t->top[j].slot,
			       (unsigned long long)t->top[j].hits);
	}
}

static int show(const char *path)
{
	const struct rmt_us_stats *st;
	struct rmt_us_summary m;
	size_t len[3] = { 0 };
	void *mem[3];
	char err[256];
	int fds[3], sock, i;

	if (rmt_us_ctl_connect(path, false, fds, &sock, err, sizeof(err))) {
		fprintf(stderr, "rmtctl: %s\n", err);
		return 1;
	}
	close(sock);
	for (i = 0; i < 3; i++) {
		mem[i] = map_ro(fds[i], &len[i]);
		close(fds[i]);
		if (!mem[i]) {
			fprintf(stderr,
				"rmtctl: %s: cannot map what the "
				"datapath sent\n",
				path);
			return 1;
		}
	}
	st = mem[2];
	if (len[2] < sizeof(*st) || st->magic != RMT_US_STATS_MAGIC) {
		fprintf(stderr,
			"rmtctl: %s: not an rmt statistics area (a "
			"different build?)\n",
			path);
		return 1;
	}
	rmt_us_stats_summary(st, &m);
	printf("hook swap_fault: %llu faults, %llu hits, %llu misses, "
	       "%llu prefetched, %llu unused; coverage %.4f, accuracy %.4f; "
	       "%llu hook calls, %llu hook errors\n",
	       (unsigned long long)m.faults, (unsigned long long)m.hits,
	       (unsigned long long)m.misses, (unsigned long long)m.prefetched,
	       (unsigned long long)m.unused, m.coverage, m.accuracy,
	       (unsigned long long)st->hook_calls,
	       (unsigned long long)st->hook_errors);
	print_program(st);
	ring_line("event", mem[0], len[0]);
	ring_line("command", mem[1], len[1]);
	printf("model: %llu in use (0: none, the heuristic), %llu installed, "
	       "%llu rejected; live coverage %.4f, accuracy %.4f\n",
	       (unsigned long long)st->model_id,
	       (unsigned long long)st->models_installed,
	       (unsigned long long)st->models_rejected, m.coverage,
	       ratio(m.hits, m.prefetched));
	for (i = 0; i < 3; i++)
		munmap(mem[i], len[i]);
	return 0;
}

int rmtctl_stats(int argc, char **argv)
{
	const char *path = NULL;
	bool cmd = false;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--control") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "stats") && !cmd) {
			cmd = true;
		} else {
			fprintf(stderr, "rmtctl: unexpected '%s'\n%s", argv[i],
				usage);
			return 2;
		}
	}
	if (!path || !cmd) {
		fprintf(stderr, "rmtctl: %s\n%s",
			path ? "which command? (stats)" :
			       "stats needs "
			       "--control SOCKET",
			usage);
		return 2;
	}
	return show(path);
}
