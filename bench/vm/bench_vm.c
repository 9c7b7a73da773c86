// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_vm.c - bench-vm: the same workloads natively (C at -O2), in the
 * interpreter and JIT-compiled (with run-time guards, and as a verified
 * program without them), repeated, with medians, spreads and ratios.
 * Inputs come from a fixed-seed generator at run time, so the compiler
 * cannot fold the native anchor.  See docs/jit.md and BENCHMARKS.md.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include "bench/vm/progs.h"
#include "vm/asm.h"
#include "vm/jit.h"

#define REPS 21
#define ALU_ITERS 1000000u
#define CSUM_CALLS 200u
#define TREE_INPUTS 20000u
#define NOP_CALLS 1000000u
#define SEED 0x12345678u

enum engine {
	NATIVE,
	INTERP,
	JIT,
	JIT_VERIFIED,
	N_ENGINES
};

static const char *const engine_names[N_ENGINES] = { "native", "interp", "jit",
						     "jit-verified" };

struct stat {
	double median, lo, hi;
};

struct work {
	const char *name;
	struct rmt_prog prog[N_ENGINES]; /* INTERP..JIT_VERIFIED used */
	u64 insns; /* executed per repetition */
	struct stat ns[N_ENGINES]; /* per repetition */
	u64 check; /* result of every engine */
};

static u64 stack[RMT_VM_STACK_BYTES / 8] __attribute__((aligned(64)));
static volatile u64 sink;

/* The same inputs on every run: splitmix64 from a fixed seed. */
static u64 next_rand(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stat summarize(double *v, int n)
{
	struct stat s;

	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s.median = v[n / 2];
	s.lo = v[0];
	s.hi = v[n - 1];
	return s;
}

static void load(struct work *w, const char *text)
{
	struct rmt_insn *code;
	char log[256];
	u32 n;
	int e;

	if (rmt_asm(text, &code, &n, log, sizeof(log))) {
		fprintf(stderr, "bench-vm: %s: assembler: %s\n", w->name, log);
		exit(1);
	}
	for (e = INTERP; e < N_ENGINES; e++) {
		if (rmt_prog_load(&w->prog[e], code, n * sizeof(*code), NULL,
				  log, sizeof(log))) {
			fprintf(stderr, "bench-vm: %s: load: %s\n", w->name,
				log);
			exit(1);
		}
		/* as the verifier would mark it: guards off */
		w->prog[e].verified = e == JIT_VERIFIED;
		if (e != INTERP &&
		    rmt_jit_compile(&w->prog[e], log, sizeof(log))) {
			fprintf(stderr, "bench-vm: %s: jit: %s\n", w->name,
				log);
			exit(1);
		}
	}
	free(code);
}

static u64 exec(struct work *w, int e, struct rmt_vm_run *run)
{
	int ret = e == INTERP ? rmt_vm_exec(&w->prog[e], run) :
				rmt_jit_exec(&w->prog[e], run);

	if (ret) {
		fprintf(stderr, "bench-vm: %s: %s failed: %d at insn %u\n",
			w->name, engine_names[e], ret, run->error_pc);
		exit(1);
	}
	return run->r0;
}

/* Every engine must compute the same thing, or its time means nothing. */
static void check(struct work *w, int e, u64 result)
{
	if (e == NATIVE)
		w->check = result;
	else if (result != w->check) {
		fprintf(stderr,
			"bench-vm: %s: %s gives 0x%llx, native 0x%llx\n",
			w->name, engine_names[e], (unsigned long long)result,
			(unsigned long long)w->check);
		exit(1);
	}
}

static volatile u64 alu_iters = ALU_ITERS;
static volatile u64 alu_mul = RMT_BENCH_ALU_MUL;

static double rep_alu(struct work *w, int e)
{
	struct rmt_vm_run run = { .args = { SEED, alu_iters },
				  .stack = stack,
				  .budget = ~0ull };
	double t0 = now_ns();
	u64 r;

	if (e == NATIVE)
		r = rmt_bench_alu_native(SEED, alu_iters, alu_mul);
	else
		r = exec(w, e, &run);
	t0 = now_ns() - t0;
	check(w, e, r);
	if (e == INTERP)
		w->insns = run.executed;
	return t0;
}

static u8 csum_data[RMT_BENCH_CSUM_LEN];

static double rep_csum(struct work *w, int e)
{
	struct rmt_vm_region region = { (u64)(uintptr_t)csum_data,
					sizeof(csum_data), false };
	struct rmt_vm_run run = {
		.args = { region.start, sizeof(csum_data) },
		.regions = &region,
		.n_regions = 1,
		.stack = stack,
	};
	double t0 = now_ns();
	u64 r = 0, insns = 0;
	u32 i;

	for (i = 0; i < CSUM_CALLS; i++) {
		if (e == NATIVE)
			r += rmt_bench_csum_native(csum_data,
						   sizeof(csum_data));
		else
			r += exec(w, e, &run);
		insns += run.executed;
	}
	t0 = now_ns() - t0;
	check(w, e, r);
	if (e == INTERP)
		w->insns = insns;
	return t0;
}

static u32 tree[2 * RMT_BENCH_TREE_NODES + RMT_BENCH_TREE_LEAVES];
static u32 *features;

static double rep_tree(struct work *w, int e)
{
	struct rmt_vm_region regions[2] = {
		{ (u64)(uintptr_t)tree, sizeof(tree), false },
		{ (u64)(uintptr_t)features,
		  (u64)TREE_INPUTS * RMT_BENCH_TREE_FEATURES * 4, false },
	};
	struct rmt_vm_run run = { .args = { regions[0].start },
				  .regions = regions,
				  .n_regions = 2,
				  .stack = stack };
	double t0 = now_ns();
	u64 r = 0, insns = 0;
	u32 i;

	for (i = 0; i < TREE_INPUTS; i++) {
		const u32 *f = features + (size_t)i * RMT_BENCH_TREE_FEATURES;

		if (e == NATIVE) {
			r += rmt_bench_tree_native(tree, f);
			continue;
		}
		run.args[1] = (u64)(uintptr_t)f;
		r += exec(w, e, &run);
		insns += run.executed;
	}
	t0 = now_ns() - t0;
	check(w, e, r);
	if (e == INTERP)
		w->insns = insns;
	return t0;
}

static double rep_nop(struct work *w, int e)
{
	struct rmt_vm_run run = { .stack = stack };
	double t0;
	u64 r = 0;
	u32 i;

	if (e == NATIVE)
		return 0;
	t0 = now_ns();
	for (i = 0; i < NOP_CALLS; i++)
		r += exec(w, e, &run);
	t0 = now_ns() - t0;
	sink = r;
	w->insns = (u64)NOP_CALLS * 2;
	return t0;
}

static void make_inputs(void)
{
	u64 s = SEED;
	u32 i;

	for (i = 0; i < sizeof(csum_data); i++)
		csum_data[i] = (u8)next_rand(&s);
	for (i = 0; i < RMT_BENCH_TREE_NODES; i++) {
		tree[2 * i] = (u32)(next_rand(&s) % RMT_BENCH_TREE_FEATURES);
		tree[2 * i + 1] = (u32)next_rand(&s);
	}
	for (i = 0; i < RMT_BENCH_TREE_LEAVES; i++)
		tree[2 * RMT_BENCH_TREE_NODES + i] = (u32)next_rand(&s) % 1000;
	features = malloc((size_t)TREE_INPUTS * RMT_BENCH_TREE_FEATURES * 4);
	if (!features) {
		fprintf(stderr, "bench-vm: out of memory\n");
		exit(1);
	}
	for (i = 0; i < TREE_INPUTS * RMT_BENCH_TREE_FEATURES; i++)
		features[i] = (u32)next_rand(&s);
}

static void unload(struct work *w)
{
	int e;

	for (e = INTERP; e < N_ENGINES; e++) {
		rmt_jit_free(&w->prog[e]);
		rmt_prog_free(&w->prog[e]);
	}
}

static void measure(struct work *w, double (*rep)(struct work *, int))
{
	double t[N_ENGINES][REPS];
	int e, r;

	for (e = 0; e < N_ENGINES; e++)
		rep(w, e); /* warm-up, and the result check */
	for (r = 0; r < REPS; r++)
		for (e = 0; e < N_ENGINES; e++)
			t[e][r] = rep(w, e);
	for (e = 0; e < N_ENGINES; e++)
		w->ns[e] = summarize(t[e], REPS);
}

static double spread(const struct stat *s)
{
	return s->median > 0 ? 100.0 * (s->hi - s->lo) / s->median : 0;
}

/*
 * The fastest repetition: on a shared machine it shows what the code
 * costs when nothing else ran, next to the median above.
 */
static void print_best(const struct work *w, bool per_call, u64 calls)
{
	double unit = per_call ? (double)calls : (double)w->insns;
	int e;

	printf("%-10s %10s", w->name, "");
	for (e = 0; e < N_ENGINES; e++) {
		if (per_call && e == NATIVE)
			printf("  %16s", "-");
		else
			printf("  %16.3f", w->ns[e].lo / unit);
	}
	if (!per_call)
		printf("  %6.2f  %6.2f  %6.2f",
		       w->ns[INTERP].lo / w->ns[NATIVE].lo,
		       w->ns[JIT].lo / w->ns[NATIVE].lo,
		       w->ns[JIT_VERIFIED].lo / w->ns[NATIVE].lo);
	printf("\n");
}

static void print_row(const struct work *w, bool per_call, u64 calls)
{
	double unit = per_call ? (double)calls : (double)w->insns;
	int e;

	printf("%-10s %10llu", w->name, (unsigned long long)w->insns);
	for (e = 0; e < N_ENGINES; e++) {
		if (per_call && e == NATIVE) {
			printf("  %16s", "-");
			continue;
		}
		printf("  %8.3f (±%4.1f%%)", w->ns[e].median / unit,
		       spread(&w->ns[e]));
	}
	if (!per_call)
		printf("  %6.2f  %6.2f  %6.2f",
		       w->ns[INTERP].median / w->ns[NATIVE].median,
		       w->ns[JIT].median / w->ns[NATIVE].median,
		       w->ns[JIT_VERIFIED].median / w->ns[NATIVE].median);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct work works[3] = { { .name = "alu-loop" },
				 { .name = "checksum" },
				 { .name = "tree-d10" } };
	struct work nop = { .name = "call" };
	double interp_ns = 0, jit_ns = 0, insns = 0, log_ratio = 0;
	double log_vratio = 0;
	int i;

	if (argc > 1) {
		printf("usage: bench-vm\nRuns the VM benchmark (no options); "
		       "see docs/jit.md.\n");
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	make_inputs();
	load(&works[0], rmt_bench_alu_text);
	load(&works[1], rmt_bench_csum_text);
	load(&works[2], rmt_bench_tree_text);
	load(&nop, rmt_bench_nop_text);
	measure(&works[0], rep_alu);
	measure(&works[1], rep_csum);
	measure(&works[2], rep_tree);
	measure(&nop, rep_nop);

	printf("bench-vm: median of %d repetitions (spread = (max-min)/median)"
	       "\n\n",
	       REPS);
	printf("ns per executed instruction (insns: per repetition; native: "
	       "its time over the same count)\n");
	printf("%-10s %10s  %16s  %16s  %16s  %16s  %6s  %6s  %6s\n", "program",
	       "insns", "native", "interp", "jit", "jit-verified", "i/nat",
	       "j/nat", "jv/nat");
	for (i = 0; i < 3; i++) {
		print_row(&works[i], false, 0);
		interp_ns += works[i].ns[INTERP].median;
		jit_ns += works[i].ns[JIT].median;
		insns += (double)works[i].insns;
		log_ratio += log(works[i].ns[JIT].median /
				 works[i].ns[NATIVE].median);
		log_vratio += log(works[i].ns[JIT_VERIFIED].median /
				  works[i].ns[NATIVE].median);
	}
	printf("\nns per call of the two-instruction program\n");
	print_row(&nop, true, NOP_CALLS);
	printf("\nbest of %d repetitions, same columns\n", REPS);
	for (i = 0; i < 3; i++)
		print_best(&works[i], false, 0);
	print_best(&nop, true, NOP_CALLS);
	printf("\njit vs native, geometric mean of the three programs: %.2f "
	       "(verified: %.2f)\n",
	       exp(log_ratio / 3), exp(log_vratio / 3));
	printf("\nRESULT interp_ns_per_insn=%.3f jit_ns_per_insn=%.3f "
	       "jit_vs_native=%.2f call_overhead_interp_ns=%.2f "
	       "call_overhead_jit_ns=%.2f\n",
	       interp_ns / insns, jit_ns / insns, exp(log_ratio / 3),
	       nop.ns[INTERP].median / NOP_CALLS,
	       nop.ns[JIT].median / NOP_CALLS);
	for (i = 0; i < 3; i++)
		unload(&works[i]);
	unload(&nop);
	free(features);
	return 0;
}
