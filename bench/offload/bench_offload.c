// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_offload.c - bench-offload: latency of small training jobs (submit
 * to result) on the DPDK backend against the CPU backend in the same
 * process, with the job trained directly on this thread as the floor,
 * and on a GPU when one is usable.  Inputs: mlib's planted-rule data
 * from a fixed seed.  Ends with RESULT dpdk_job_latency_us=..
 * cpu_job_latency_us=..
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/backend.h"
#include "mlib/train/synth.h"

#define MAX_REPS 1000

static const char usage[] =
	"usage: bench-offload [--reps N] [--rows N] [--eal ARGS]\n"
	"  --reps N   jobs timed per backend (default 31, at least 5)\n"
	"  --rows N   rows of each job (default 2000, 8 features, depth 6)\n"
	"  --eal ARGS DPDK EAL arguments (default: the backend's)\n";

struct stats {
	double median, lo, hi; /* microseconds: median, 10th, 90th pct */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stats summarise(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return (struct stats){ v[n / 2], v[n / 10], v[n - 1 - n / 10] };
}

static int time_backend(struct rmt_backend *b, const struct rmt_train_job *job,
			int reps, struct stats *out)
{
	double us[MAX_REPS];
	struct rmt_job *j;
	char err[160];
	int i, rc;

	for (i = -2; i < reps; i++) { /* two warm-up jobs */
		u64 t0 = rmt_train_now_ns();

		rc = rmt_backend_submit(b, job, &j, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "bench-offload: %s\n", err);
			return rc;
		}
		rmt_job_wait(j, -1);
		rc = rmt_job_result(j)->status;
		rmt_job_release(j);
		if (rc)
			return rc;
		if (i >= 0)
			us[i] = (rmt_train_now_ns() - t0) / 1e3;
	}
	*out = summarise(us, reps);
	return 0;
}

static int time_direct(const struct rmt_train_job *job, int reps,
		       struct stats *out)
{
	double us[MAX_REPS];
	struct rmt_train_result res;
	struct rmt_engine e;
	int i, rc = rmt_engine_cpu_init(&e, "this thread");

	for (i = -2; i < reps && !rc; i++) {
		u64 t0 = rmt_train_now_ns();

		rc = rmt_train_run(job, &e, &res);
		rmt_train_result_free(&res);
		if (i >= 0)
			us[i] = (rmt_train_now_ns() - t0) / 1e3;
	}
	rmt_engine_cpu_fini(&e);
	if (!rc)
		*out = summarise(us, reps);
	return rc;
}

static void show(const char *what, const char *on, const struct stats *s)
{
	printf("%-8s %9.1f us  (p10 %.1f, p90 %.1f)  %s\n", what, s->median,
	       s->lo, s->hi, on);
}

static int parse_args(int argc, char **argv, int *reps, u32 *rows,
		      const char **eal)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "rows", required_argument, NULL, 'n' },
		{ "eal", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			*reps = atoi(optarg);
		else if (c == 'n')
			*rows = (u32)strtoul(optarg, NULL, 10);
		else if (c == 'e')
			*eal = optarg;
		else {
			fputs(usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 1 : 2;
		}
	}
	if (*reps < 5 || *reps > MAX_REPS || *rows < 10 || optind < argc) {
		fprintf(stderr, "bench-offload: need 5..%d reps, 10+ rows\n%s",
			MAX_REPS, usage);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rmt_backend_opts o = { .cpu_threads = 1 };
	struct stats cpu, dpdk = { NAN, NAN, NAN }, direct, gpu;
	struct rmt_backend *bc, *bd, *bg;
	struct rmt_train_job job;
	struct rmt_dataset ds;
	const char *eal = NULL;
	float *xf;
	char err[160];
	int reps = 31, rc;
	u32 rows = 2000;
	size_t i;

	rc = parse_args(argc, argv, &reps, &rows, &eal);
	if (rc)
		return rc == 1 ? 0 : rc;
	o.dpdk_eal = eal;
	if (rmt_synth_planted(&ds, rows, 8, 0.05, 1))
		return 1;
	xf = malloc((size_t)rows * 8 * sizeof(float));
	if (!xf)
		return 1;
	for (i = 0; i < (size_t)rows * 8; i++)
		xf[i] = (float)ds.x[i];
	memset(&job, 0, sizeof(job));
	job.algo = RMT_TRAIN_CART;
	rmt_hcart_params_default(&job.cart);
	job.cart.max_depth = 6;
	job.data = (struct rmt_train_data){
		rows, 8, 3, RMT_FEAT_F32, xf, ds.y, RMT_TRAIN_FRAC_AUTO
	};
	printf("bench-offload: CART jobs of %u rows x 8 features, depth 6, "
	       "%d reps each; submit to result\n",
	       rows, reps);
	if (time_direct(&job, reps, &direct) ||
	    rmt_backend_open("cpu", &o, &bc, err, sizeof(err)) ||
	    time_backend(bc, &job, reps, &cpu))
		return 1;
	show("direct", "rmt_train_run on this thread", &direct);
	show("cpu", rmt_backend_info(bc)->device, &cpu);
	rmt_backend_close(bc);
	if (!rmt_backend_open("dpdk", &o, &bd, err, sizeof(err)) &&
	    rmt_backend_info(bd)->kind == RMT_BACKEND_DPDK) {
		if (time_backend(bd, &job, reps, &dpdk))
			return 1;
		show("dpdk", rmt_backend_info(bd)->device, &dpdk);
		printf("ratio dpdk/cpu %.2f, dpdk overhead over direct %.1f "
		       "us\n",
		       dpdk.median / cpu.median, dpdk.median - direct.median);
	}
	if (bd)
		rmt_backend_close(bd);
	if (!rmt_backend_open("cuda", &o, &bg, err, sizeof(err)) &&
	    rmt_backend_info(bg)->kind == RMT_BACKEND_CUDA &&
	    !time_backend(bg, &job, reps, &gpu))
		show("cuda", rmt_backend_info(bg)->device, &gpu);
	if (bg)
		rmt_backend_close(bg);
	printf("RESULT dpdk_job_latency_us=%.1f cpu_job_latency_us=%.1f\n",
	       dpdk.median, cpu.median);
	free(xf);
	rmt_dataset_free(&ds);
	return 0;
}
