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

/* One job from submit to result, in microseconds; < 0 on failure. */
static double one_job(struct rmt_backend *b, const struct rmt_train_job *job)
{
	u64 t0 = rmt_train_now_ns();
	struct rmt_train_result res;
	struct rmt_engine e;
	struct rmt_job *j;
	char err[160];
	int rc;

	if (!b) { /* the floor: trained right here */
		rc = rmt_engine_cpu_init(&e, "this thread");
		if (!rc)
			rc = rmt_train_run(job, &e, &res);
		rmt_train_result_free(&res);
		rmt_engine_cpu_fini(&e);
		return rc ? -1 : (rmt_train_now_ns() - t0) / 1e3;
	}
	rc = rmt_backend_submit(b, job, &j, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "bench-offload: %s\n", err);
		return -1;
	}
	rmt_job_wait(j, -1);
	rc = rmt_job_result(j)->status;
	rmt_job_release(j);
	return rc ? -1 : (rmt_train_now_ns() - t0) / 1e3;
}

/*
 * Rounds of one job per side, in a rotating order, so that the noise of a
 * shared machine falls on every side alike; two warm-up rounds.
 */
static int time_sides(struct rmt_backend **b, int n, int reps,
		      const struct rmt_train_job *job, struct stats *out)
{
	static double us[4][MAX_REPS];
	int r, k;

	for (r = -2; r < reps; r++) {
		for (k = 0; k < n; k++) {
			int side = (k + (r < 0 ? 0 : r)) % n;
			double t = one_job(b[side], job);

			if (t < 0)
				return -1;
			if (r >= 0)
				us[side][r] = t;
		}
	}
	for (k = 0; k < n; k++)
		out[k] = summarise(us[k], reps);
	return 0;
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
	struct stats st[4], dpdk = { NAN, NAN, NAN };
	struct rmt_backend *sides[4] = { NULL };
	struct rmt_train_job job;
	struct rmt_dataset ds;
	const char *eal = NULL;
	float *xf;
	char err[160];
	int reps = 31, rc, n;
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
	       "%d rounds; submit to result\n",
	       rows, reps);
	if (rmt_backend_open("cpu", &o, &sides[1], err, sizeof(err)))
		return 1;
	n = 2;
	if (!rmt_backend_open("dpdk", &o, &sides[n], err, sizeof(err)) &&
	    rmt_backend_info(sides[n])->kind == RMT_BACKEND_DPDK)
		n++;
	else
		rmt_backend_close(sides[n]);
	if (!rmt_backend_open("cuda", &o, &sides[n], err, sizeof(err)) &&
	    rmt_backend_info(sides[n])->kind == RMT_BACKEND_CUDA)
		n++;
	else
		rmt_backend_close(sides[n]);
	if (time_sides(sides, n, reps, &job, st))
		return 1;
	show("direct", "rmt_train_run on this thread", &st[0]);
	for (i = 1; i < (size_t)n; i++)
		show(rmt_backend_info(sides[i])->name,
		     rmt_backend_info(sides[i])->device, &st[i]);
	if (n > 2 && rmt_backend_info(sides[2])->kind == RMT_BACKEND_DPDK) {
		dpdk = st[2];
		printf("ratio dpdk/cpu %.2f, dpdk over direct %+.1f us, cpu "
		       "over direct %+.1f us\n",
		       dpdk.median / st[1].median, dpdk.median - st[0].median,
		       st[1].median - st[0].median);
	}
	for (i = 1; i < (size_t)n; i++)
		rmt_backend_close(sides[i]);
	printf("RESULT dpdk_job_latency_us=%.1f cpu_job_latency_us=%.1f\n",
	       dpdk.median, st[1].median);
	free(xf);
	rmt_dataset_free(&ds);
	return 0;
}
