// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_verifier.c - bench-verifier: microseconds to verify generated
 * test_fault actions of 1,000 and 4,000 instructions (gen.h), each
 * repeated, median and spread, side by side with the anchor: loading the
 * same program (rmt_prog_load's decode and structural checks), which
 * every program pays anyway.  Goals: under 1 ms and under 10 ms.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/verifier/gen.h"
#include "verifier/hooks.h"

#define RMT_BENCH_REPS 21
#define RMT_BENCH_SEED 0x5eed0001u

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double median, lo, hi;
};

static struct stats summarize(double *t, int n)
{
	struct stats s;

	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	s.median = t[n / 2];
	s.lo = t[0];
	s.hi = t[n - 1];
	return s;
}

/* Verify (and load, the anchor) one generated size; median verify us. */
static double bench_size(u32 n, const struct rmt_verify_env *env)
{
	double tv[RMT_BENCH_REPS], tl[RMT_BENCH_REPS], t0;
	struct rmt_verify_stats vs;
	struct stats sv, sl;
	struct rmt_insn *code = calloc(n, sizeof(*code));
	struct rmt_prog prog;
	char log[512];
	int r;

	if (!code) {
		fprintf(stderr, "bench-verifier: out of memory\n");
		exit(1);
	}
	rmt_bgen(code, n, RMT_BENCH_SEED + n);
	for (r = 0; r < RMT_BENCH_REPS; r++) {
		t0 = now_us();
		if (rmt_prog_load(&prog, code, n * sizeof(*code),
				  rmt_vhook_helpers(), log, sizeof(log))) {
			fprintf(stderr, "bench-verifier: load: %s\n", log);
			exit(1);
		}
		tl[r] = now_us() - t0;
		t0 = now_us();
		if (rmt_verify_prog_stats(&prog, env, &vs, log, sizeof(log))) {
			fprintf(stderr,
				"bench-verifier: %u insns rejected: %s\n", n,
				log);
			exit(1);
		}
		tv[r] = now_us() - t0;
		rmt_prog_free(&prog);
	}
	free(code);
	sv = summarize(tv, RMT_BENCH_REPS);
	sl = summarize(tl, RMT_BENCH_REPS);
	printf("%5u insns: verify %8.1f us [%.1f .. %.1f]  load (anchor) "
	       "%6.1f us [%.1f .. %.1f]  verify/load %5.1fx  "
	       "%.0f ns/insn; %u analysed, %u states, cost %llu\n",
	       n, sv.median, sv.lo, sv.hi, sl.median, sl.lo, sl.hi,
	       sv.median / sl.median, sv.median * 1e3 / n, vs.steps, vs.states,
	       (unsigned long long)vs.cost);
	return sv.median;
}

int main(int argc, char **argv)
{
	struct rmt_verify_env env = *rmt_vhook_find("test_fault");
	double v1, v4;

	if (argc > 1) {
		printf("usage: bench-verifier\n"
		       "Times the verifier on generated 1,000- and 4,000-"
		       "instruction\ntest_fault actions (%d repetitions, "
		       "median [min .. max]).\n",
		       RMT_BENCH_REPS);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	/* the generated actions are long: give them room, same policy */
	env.max_insns = 8192;
	env.cost_budget = 1000000;
	printf("bench-verifier: %d repetitions, median [min .. max]\n",
	       RMT_BENCH_REPS);
	v1 = bench_size(1000, &env);
	v4 = bench_size(4000, &env);
	printf("goals: 1k under 1000 us (%s), 4k under 10000 us (%s)\n",
	       v1 < 1000 ? "met" : "missed", v4 < 10000 ? "met" : "missed");
	printf("RESULT verify_1k_us=%.1f verify_4k_us=%.1f\n", v1, v4);
	return 0;
}
